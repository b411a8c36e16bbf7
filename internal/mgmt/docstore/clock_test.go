package docstore_test

import (
	"testing"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
)

// TestUseClock: with a shared clock, two Sequences (two nodes) stamp in
// the clock's order, not their machines'; each still never goes back;
// restore brings this machine's clock back.
func TestUseClock(t *testing.T) {
	shared := int64(1_000)
	restore := docstore.UseClock(func() int64 { shared += 10; return shared })
	var a, b docstore.Sequence
	s1, s2, s3 := a.Next(), b.Next(), a.Next()
	if !(s1 < s2 && s2 < s3) || s1 != 1_010 {
		t.Errorf("stamps %d %d %d: want the shared clock's order from 1010", s1, s2, s3)
	}
	shared = 0 // the clock steps back: a Sequence does not
	if s := a.Next(); s != s3+1 {
		t.Errorf("after the clock stepped back: %d, want %d", s, s3+1)
	}
	restore()
	if s := b.Next(); s < 1_000_000_000_000_000_000 {
		t.Errorf("after restore: %d, not this machine's clock", s)
	}
}
