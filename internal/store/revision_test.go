package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

func TestRevisionChanges(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlite.WithKeepRevisions(0))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	write := func(n int) int64 {
		rev, err := s.Update(ctx, func(tx store.Tx) error {
			for i := 0; i < n; i++ {
				if err := tx.Put(ctx, fmt.Sprintf("k/%04d", i), []byte(`{}`)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return rev
	}
	write(1)
	big := write(600) // more than any page
	last := write(2)
	for rev, want := range map[int64]int{1: 1, big: 600, last: 2} {
		got, err := store.RevisionChanges(ctx, s, rev)
		if err != nil || len(got) != want {
			t.Fatalf("revision %d: %d changes, %v; want %d", rev, len(got), err, want)
		}
		for _, c := range got {
			if c.Revision != rev {
				t.Fatalf("revision %d holds a change of %d", rev, c.Revision)
			}
		}
	}
	if _, err := store.RevisionChanges(ctx, s, last+1); err == nil {
		t.Error("an uncommitted revision: want an error")
	}
	if err := s.Compact(ctx, 1); err != nil { // keeps only the last revision
		t.Fatal(err)
	}
	if _, err := store.RevisionChanges(ctx, s, big); !errors.Is(err, store.ErrCompacted) {
		t.Errorf("a compacted revision: %v, want ErrCompacted", err)
	}
}
