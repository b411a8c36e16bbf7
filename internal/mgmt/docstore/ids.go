package docstore

import (
	"crypto/rand"
	"sync"
	"sync/atomic"
	"time"
)

// IDSource generates identifiers of a given length from [a-z0-9].
type IDSource interface {
	ID(n int) string
}

// RandomIDs draws identifiers from crypto/rand.
type RandomIDs struct{}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// ID implements IDSource.
func (RandomIDs) ID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics internally on failure)
	for i := range b {
		// 256 % 36 != 0: the bias (≤ 1/36) is irrelevant for identifiers.
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// Sequence hands out strictly increasing creation stamps, used to list
// documents in creation order. The zero value is ready to use. Stamps are
// nanoseconds of the process's stamp clock (see UseClock).
type Sequence struct {
	mu   sync.Mutex
	last int64
}

// stampClock is the clock of creation stamps: nil means this machine's.
var stampClock atomic.Pointer[func() int64]

// UseClock makes every Sequence of the process stamp from now (Unix
// nanoseconds) instead of this machine's clock, until restore is called.
// The gateways of a cluster pass their shared database's clock, read
// inside the write's transaction, so that documents created through
// different nodes list in the order they were created whatever the nodes'
// clocks say. A Sequence still never goes back.
func UseClock(now func() int64) (restore func()) {
	prev := stampClock.Swap(&now)
	return func() { stampClock.Store(prev) }
}

// Next returns a stamp greater than every stamp returned before.
func (s *Sequence) Next() int64 {
	n := time.Now().UnixNano()
	if c := stampClock.Load(); c != nil {
		n = (*c)()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= s.last {
		n = s.last + 1
	}
	s.last = n
	return n
}
