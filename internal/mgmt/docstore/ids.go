package docstore

import (
	"crypto/rand"
	"sync"
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
// documents in creation order. The zero value is ready to use.
type Sequence struct {
	mu   sync.Mutex
	last int64
}

// Next returns a stamp greater than every stamp returned before.
func (s *Sequence) Next() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := time.Now().UnixNano()
	if n <= s.last {
		n = s.last + 1
	}
	s.last = n
	return n
}
