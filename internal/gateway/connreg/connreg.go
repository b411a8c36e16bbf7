// Package connreg is the WebSocket connection registry: for every open
// connection of a WebSocket API, where it lives (the node holding its
// socket), which API and stage it belongs to, and what its @connections
// calls and Lambda events report for its whole life (identity, times, the
// $connect authorizer's context). The data plane (internal/gateway/wsapi)
// writes a record once $connect succeeds and removes it when the
// connection ends.
//
// Registry is the seam: Memory serves one node; a cluster's shared
// implementation (Redis) passes the same conformance suite, connregtest.
package connreg

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNotFound is returned for a connection the registry does not hold
// (never opened, or closed).
var ErrNotFound = errors.New("connection not found")

// Record is one open connection.
type Record struct {
	// ID is the connectionId ("L0SM9cOFvHcCIhw=").
	ID    string `json:"id"`
	APIID string `json:"apiId"`
	Stage string `json:"stage"`
	// Node names the node whose socket the connection is.
	Node string `json:"node"`
	// ConnectedAt is when $connect succeeded; LastActiveAt when the client
	// last sent a message (GetConnection's lastActiveAt).
	ConnectedAt  time.Time `json:"connectedAt"`
	LastActiveAt time.Time `json:"lastActiveAt"`
	SourceIP     string    `json:"sourceIp"`
	UserAgent    string    `json:"userAgent,omitempty"`
	// Authorizer is the requestContext.authorizer object the $connect
	// authorizer produced (JSON), carried in every later event of the
	// connection; nil when $connect had no authorizer.
	Authorizer []byte `json:"authorizer,omitempty"`
}

// Registry holds the open connections. Implementations are safe for
// concurrent use; records handed in or out are copies.
type Registry interface {
	// Add records a connection (replacing a record with the same id).
	Add(ctx context.Context, r *Record) error
	// Get returns a connection, or ErrNotFound.
	Get(ctx context.Context, id string) (*Record, error)
	// Touch sets a connection's LastActiveAt (ErrNotFound: it is gone).
	Touch(ctx context.Context, id string, at time.Time) error
	// Remove forgets a connection; removing one that is gone is no error.
	Remove(ctx context.Context, id string) error
}

// Memory is a Registry in this process's memory.
type Memory struct {
	mu    sync.RWMutex
	conns map[string]*Record
}

// NewMemory returns an empty in-memory registry.
func NewMemory() *Memory { return &Memory{conns: map[string]*Record{}} }

func clone(r *Record) *Record {
	c := *r
	c.Authorizer = append([]byte(nil), r.Authorizer...)
	if len(c.Authorizer) == 0 {
		c.Authorizer = nil
	}
	return &c
}

// Add implements Registry.
func (m *Memory) Add(_ context.Context, r *Record) error {
	c := clone(r)
	m.mu.Lock()
	m.conns[r.ID] = c
	m.mu.Unlock()
	return nil
}

// Get implements Registry.
func (m *Memory) Get(_ context.Context, id string) (*Record, error) {
	m.mu.RLock()
	r, ok := m.conns[id]
	var c *Record
	if ok {
		c = clone(r)
	}
	m.mu.RUnlock()
	if !ok {
		return nil, ErrNotFound
	}
	return c, nil
}

// Touch implements Registry.
func (m *Memory) Touch(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.conns[id]
	if !ok {
		return ErrNotFound
	}
	if at.After(r.LastActiveAt) {
		r.LastActiveAt = at
	}
	return nil
}

// Remove implements Registry.
func (m *Memory) Remove(_ context.Context, id string) error {
	m.mu.Lock()
	delete(m.conns, id)
	m.mu.Unlock()
	return nil
}

// Len is the number of connections held.
func (m *Memory) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.conns)
}

var _ Registry = (*Memory)(nil)
