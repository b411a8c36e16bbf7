// Package connreg is the WebSocket connection registry: for every open
// connection of a WebSocket API, where it lives (the node holding its
// socket), which API and stage it belongs to, and what its @connections
// calls and Lambda events report for its whole life (identity, times, the
// $connect authorizer's context). The data plane (internal/gateway/wsapi)
// writes a record once $connect succeeds and removes it when the
// connection ends.
//
// Registry is the seam: Memory serves one node; a cluster's shared
// implementation (connreg/redis) passes the same conformance suite,
// connregtest. A cluster also needs a Relay, which carries the
// @connections calls a node answers for a connection another node holds
// to that node (see connreg/redis for the design and its trade-offs).
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

// ErrUnavailable is wrapped by the errors of a shared registry or relay
// that cannot reach its store (Redis did not answer): the caller cannot
// tell whether the connection is open.
var ErrUnavailable = errors.New("connection registry unavailable")

// ErrNoAnswer is wrapped by a relay's error when the node holding a
// connection is alive but did not answer a call in time.
var ErrNoAnswer = errors.New("the node holding the connection did not answer")

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

// Call is an @connections call relayed to the node holding the
// connection.
type Call struct {
	// Op is OpPost or OpDelete.
	Op string `json:"op"`
	// ID is the connection's id.
	ID string `json:"id"`
	// Data is the message of a post.
	Data []byte `json:"data,omitempty"`
}

// Relayed operations.
const (
	OpPost   = "post"   // PostToConnection: send Data to the client
	OpDelete = "delete" // DeleteConnection: close the connection
)

// Holder is the node side of a Relay: the connections this node holds
// (implemented by wsapi.Hub).
type Holder interface {
	// Handle performs a call on one of this node's connections: nil once
	// done (the frame written, the close started), ErrNotFound when the
	// connection is not open here.
	Handle(ctx context.Context, call Call) error
	// Records returns this node's open connections, for a shared registry
	// to record again after it lost them (an outage, an eviction).
	Records() []*Record
}

// Relay carries @connections calls between the nodes of a cluster.
type Relay interface {
	// Deliver performs call on the connection that node holds and
	// returns that node's answer: nil once done, ErrNotFound when the
	// connection or its node is gone, an error wrapping ErrNoAnswer or
	// ErrUnavailable when it cannot tell. It returns within a bounded
	// time.
	Deliver(ctx context.Context, node string, call Call) error
	// Serve answers the calls delivered to this node with holder, and
	// keeps this node's connections alive in the registry, until ctx
	// ends.
	Serve(ctx context.Context, holder Holder) error
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
