package respcache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/secret"
)

// EntryOverhead is the fixed number of bytes Memory charges per entry on
// top of its key and stored record, an estimate of its bookkeeping (list
// node and map slot).
const EntryOverhead = 128

// Memory is an in-memory Cache bounded in bytes: each entry counts
// len(key) + the length of its stored record (EncodeRecord) +
// EntryOverhead, the total never exceeds the capacity, and the
// least-recently-used entries are evicted to make room. Expired entries
// are dropped when a Get finds them or when they reach the LRU tail.
//
// Stored records are immutable: a hit on a plain entry decodes it without
// copying the body (the returned Body aliases the stored bytes, so callers
// must not modify it); the Headers slice is the caller's own. Sealed
// entries are decrypted outside the lock.
type Memory struct {
	capacity int64
	box      *secret.Box

	mu    sync.Mutex
	items map[string]*node
	lru   node // sentinel: lru.next is the most recently used
	used  int64
}

// node is one entry, linked into the LRU list.
type node struct {
	key        string
	exp        int64 // Unix nanoseconds; live while now < exp
	sealed     bool
	plain      []byte // entry encoding, when !sealed; never modified
	text       string // Box.Seal text, when sealed
	size       int64  // bytes charged against the capacity
	prev, next *node
}

var _ Cache = (*Memory)(nil)

// NewMemory returns an in-memory cache bounded to capacity bytes (see
// CapacityForClusterSize), evicting least-recently-used entries when full;
// box seals encrypted entries (with a nil box, Set with encrypt=true
// returns an error wrapping ErrNoBox).
func NewMemory(capacity int64, box *secret.Box) *Memory {
	m := &Memory{capacity: capacity, box: box, items: map[string]*node{}}
	m.lru.next, m.lru.prev = &m.lru, &m.lru
	return m
}

// Get returns the live entry for key, marking it most recently used; an
// expired entry is removed and reported as a miss.
func (m *Memory) Get(_ context.Context, key string, now time.Time) (*Entry, bool, error) {
	t := now.UnixNano()
	m.mu.Lock()
	n, ok := m.items[key]
	if !ok {
		m.mu.Unlock()
		return nil, false, nil
	}
	if t >= n.exp {
		m.remove(n)
		m.mu.Unlock()
		return nil, false, nil
	}
	if m.lru.next != n {
		m.unlink(n)
		m.pushFront(n)
	}
	sealed, plain, text, exp := n.sealed, n.plain, n.text, n.exp
	m.mu.Unlock()

	var e *Entry
	var err error
	if sealed {
		e, err = openEntry(m.box, key, exp, text)
	} else {
		e, err = UnmarshalEntry(plain)
	}
	if err != nil {
		return nil, false, fmt.Errorf("respcache: get %q: %w", key, err)
	}
	return e, true, nil
}

// Set stores e under key until now+ttl, sealed with the cache's box when
// encrypt is true, evicting least-recently-used entries as needed. See
// Cache.Set for entries that are not stored.
func (m *Memory) Set(_ context.Context, key string, e *Entry, ttl time.Duration, encrypt bool, now time.Time) error {
	n, err := m.newNode(key, e, ttl, encrypt, now)
	if n == nil {
		m.deleteKey(key)
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.items[key]; ok {
		m.remove(old)
	}
	for m.used+n.size > m.capacity {
		m.remove(m.lru.prev) // non-empty: n.size <= capacity
	}
	m.items[key] = n
	m.pushFront(n)
	m.used += n.size
	return nil
}

// newNode encodes e for storage. It returns a nil node when e is not to be
// stored, with the error to report (nil for ttl <= 0).
func (m *Memory) newNode(key string, e *Entry, ttl time.Duration, encrypt bool, now time.Time) (*node, error) {
	switch {
	case e == nil:
		return nil, errors.New("respcache: set: nil entry")
	case ttl <= 0:
		return nil, nil
	case len(e.Body) > MaxEntryBytes:
		return nil, fmt.Errorf("%w: body is %d bytes, the limit is %d", ErrTooLarge, len(e.Body), MaxEntryBytes)
	}
	n := &node{key: key, exp: expiry(now, ttl), sealed: encrypt}
	var stored int
	if encrypt {
		text, err := sealEntry(m.box, key, e, n.exp)
		if err != nil {
			return nil, fmt.Errorf("respcache: set %q: %w", key, err)
		}
		n.text, stored = text, len(text)
	} else {
		n.plain = MarshalEntry(e)
		stored = len(n.plain)
	}
	n.size = int64(len(key)) + recordHeaderSize + int64(stored) + EntryOverhead
	if n.size > m.capacity {
		return nil, fmt.Errorf("%w: entry needs %d bytes, the cache holds %d", ErrTooLarge, n.size, m.capacity)
	}
	return n, nil
}

// Delete removes the entry for key, if any.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.deleteKey(key)
	return nil
}

// Flush empties the cache in constant time: the old map and list are left
// to the garbage collector.
func (m *Memory) Flush(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items = map[string]*node{}
	m.lru.next, m.lru.prev = &m.lru, &m.lru
	m.used = 0
	return nil
}

// Len returns the number of entries held, including expired ones not yet
// dropped.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Used returns the bytes currently charged against the capacity.
func (m *Memory) Used() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used
}

// Capacity returns the cache's bound in bytes.
func (m *Memory) Capacity() int64 { return m.capacity }

func (m *Memory) deleteKey(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n, ok := m.items[key]; ok {
		m.remove(n)
	}
}

// remove drops n from the map, the list and the accounting; m.mu is held.
func (m *Memory) remove(n *node) {
	delete(m.items, n.key)
	m.unlink(n)
	m.used -= n.size
}

func (m *Memory) unlink(n *node) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
}

func (m *Memory) pushFront(n *node) {
	n.prev, n.next = &m.lru, m.lru.next
	m.lru.next.prev = n
	m.lru.next = n
}
