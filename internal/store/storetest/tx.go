package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

var txTests = []testCase{
	{"ErrorRollsBack", testTxErrorRollsBack},
	{"ErrorReturnedUnchanged", testTxErrorReturnedUnchanged},
	{"ReadYourWrites", testTxReadYourWrites},
	{"WrittenItemRevision", testTxWrittenItemRevision},
	{"RevisionPerTransaction", testTxRevisionPerTransaction},
	{"ReadOnlyNoRevision", testTxReadOnlyNoRevision},
	{"UsableAfterSentinelError", testTxUsableAfterSentinelError},
	{"ViewErrorReturned", testTxViewErrorReturned},
}

func testTxErrorRollsBack(t *testing.T, s store.Store) {
	put(t, s, "keep/1", `1`, "keep/2", `2`, "gone/1", `1`)
	before := list(t, s, "", store.ListOptions{})
	feed := changes(t, s, 0)

	_, err := s.Update(t.Context(), func(tx store.Tx) error {
		ctx := t.Context()
		if err := tx.Put(ctx, "keep/1", []byte(`"changed"`)); err != nil {
			return err
		}
		if err := tx.Create(ctx, "new/1", doc(1)); err != nil {
			return err
		}
		if err := tx.Delete(ctx, "keep/2"); err != nil {
			return err
		}
		if _, err := tx.DeletePrefix(ctx, "gone/"); err != nil {
			return err
		}
		return errBoom
	})
	if err != errBoom {
		t.Fatalf("Update returned %v, want errBoom", err)
	}
	after := list(t, s, "", store.ListOptions{})
	if len(after) != len(before) {
		t.Fatalf("rolled-back Update changed the data: %v, want %v", keys(after), keys(before))
	}
	for i := range after {
		if after[i].Key != before[i].Key || string(after[i].Value) != string(before[i].Value) || after[i].Revision != before[i].Revision {
			t.Fatalf("rolled-back Update changed %v into %v", before[i], after[i])
		}
	}
	wantRevision(t, s, 1)
	wantChanges(t, "changes", changes(t, s, 0), feed)

	// The next writing Update gets the next revision.
	if rev := put(t, s, "x", `1`); rev != 2 {
		t.Fatalf("revision after rollback = %d, want 2", rev)
	}
}

// customError is an error type of the caller's own, which Update must
// return unchanged (not wrapped, not copied).
type customError struct{ code int }

// Error implements error.
func (e *customError) Error() string { return "custom" }

func testTxErrorReturnedUnchanged(t *testing.T, s store.Store) {
	want := &customError{code: 7}
	_, err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.Put(t.Context(), "k", doc(1)); err != nil {
			return err
		}
		return want
	})
	if err != error(want) {
		t.Fatalf("Update returned %#v, want the very error fn returned", err)
	}
	// A sentinel returned by fn is returned as is, too.
	_, err = s.Update(t.Context(), func(tx store.Tx) error { return store.ErrConflict })
	if err != store.ErrConflict {
		t.Fatalf("Update returned %v, want store.ErrConflict unchanged", err)
	}
	mustNotExist(t, s, "k")
	wantRevision(t, s, 0)
}

func testTxReadYourWrites(t *testing.T, s store.Store) {
	put(t, s, "d/1", `1`, "d/2", `2`, "e/1", `1`)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.Put(ctx, "a/1", []byte(`"a1"`)); err != nil {
			return err
		}
		if it, err := tx.Get(ctx, "a/1"); err != nil || string(it.Value) != `"a1"` {
			t.Errorf("Get after Put = %+v, %v", it, err)
		}
		if err := tx.Create(ctx, "a/0", []byte(`"a0"`)); err != nil {
			return err
		}
		items, err := tx.List(ctx, "a/", store.ListOptions{})
		if err != nil {
			return err
		}
		wantKeys(t, "List after Put and Create", items, "a/0", "a/1")

		if err := tx.Delete(ctx, "a/1"); err != nil {
			return err
		}
		if _, err := tx.Get(ctx, "a/1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get after Delete: %v, want ErrNotFound", err)
		}
		if n, err := tx.DeletePrefix(ctx, "d/"); err != nil || n != 2 {
			t.Errorf("DeletePrefix(d/) = %d, %v; want 2", n, err)
		}
		items, err = tx.List(ctx, "", store.ListOptions{})
		if err != nil {
			return err
		}
		wantKeys(t, "List after Delete and DeletePrefix", items, "a/0", "e/1")
		if err := tx.Put(ctx, "d/2", []byte(`"back"`)); err != nil {
			return err
		}
		if it, err := tx.Get(ctx, "d/2"); err != nil || string(it.Value) != `"back"` {
			t.Errorf("Get after DeletePrefix and Put = %+v, %v", it, err)
		}
		return nil
	})
	wantKeys(t, "committed", list(t, s, "", store.ListOptions{}), "a/0", "d/2", "e/1")
}

func testTxWrittenItemRevision(t *testing.T, s store.Store) {
	put(t, s, "old", `1`)
	var inTx, oldInTx int64
	rev := update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.Put(ctx, "new", []byte(`1`)); err != nil {
			return err
		}
		it, err := tx.Get(ctx, "new")
		if err != nil {
			return err
		}
		inTx = it.Revision
		it, err = tx.Get(ctx, "old")
		oldInTx = it.Revision
		return err
	})
	if inTx != rev {
		t.Fatalf("item written in the transaction has revision %d inside it, want %d (the revision Update returned)", inTx, rev)
	}
	if oldInTx != 1 {
		t.Fatalf("item not written in the transaction has revision %d inside it, want 1", oldInTx)
	}
}

func testTxRevisionPerTransaction(t *testing.T, s store.Store) {
	for want := int64(1); want <= 5; want++ {
		// Many writes, one revision.
		rev := update(t, s, func(ctx context.Context, tx store.Tx) error {
			for i := range 5 {
				if err := tx.Put(ctx, "k/"+string(rune('a'+i)), doc(int(want))); err != nil {
					return err
				}
			}
			return tx.Put(ctx, "k/a", doc(-1)) // rewriting a key adds no revision
		})
		if rev != want {
			t.Fatalf("Update returned revision %d, want %d", rev, want)
		}
		wantRevision(t, s, want)
	}
}

func testTxReadOnlyNoRevision(t *testing.T, s store.Store) {
	put(t, s, "a", `1`)
	put(t, s, "b", `2`)
	feed := changes(t, s, 0)
	rev := update(t, s, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.Get(ctx, "a"); err != nil {
			return err
		}
		_, err := tx.List(ctx, "", store.ListOptions{})
		return err
	})
	if rev != 2 {
		t.Fatalf("read-only Update returned %d, want the current revision 2", rev)
	}
	rev = update(t, s, func(context.Context, store.Tx) error { return nil })
	if rev != 2 {
		t.Fatalf("empty Update returned %d, want 2", rev)
	}
	if err := s.View(t.Context(), func(store.Reader) error { return nil }); err != nil {
		t.Fatalf("view: %v", err)
	}
	wantRevision(t, s, 2)
	wantChanges(t, "changes", changes(t, s, 0), feed)
	if it := get(t, s, "a"); it.Revision != 1 {
		t.Fatalf("read-only Update restamped a: revision %d", it.Revision)
	}
}

func testTxUsableAfterSentinelError(t *testing.T, s store.Store) {
	put(t, s, "exists", `1`)
	rev := update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.Create(ctx, "exists", doc(2)); !errors.Is(err, store.ErrConflict) {
			t.Errorf("Create: %v, want ErrConflict", err)
		}
		if err := tx.Delete(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Delete: %v, want ErrNotFound", err)
		}
		if _, err := tx.Get(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get: %v, want ErrNotFound", err)
		}
		return tx.Put(ctx, "after", doc(3))
	})
	if rev != 2 {
		t.Fatalf("revision = %d, want 2", rev)
	}
	if it := get(t, s, "exists"); string(it.Value) != `1` {
		t.Fatalf("failed Create overwrote the key: %s", it.Value)
	}
	get(t, s, "after")
	wantChanges(t, "changes after 1", changes(t, s, 1), []store.Change{change(2, store.OpPut, "after")})

	// Failed operations alone write nothing.
	rev = update(t, s, func(ctx context.Context, tx store.Tx) error {
		_ = tx.Create(ctx, "exists", doc(4))
		_ = tx.Delete(ctx, "missing")
		return nil
	})
	if rev != 2 {
		t.Fatalf("Update with only failed writes returned revision %d, want 2", rev)
	}
	wantRevision(t, s, 2)
}

func testTxViewErrorReturned(t *testing.T, s store.Store) {
	err := s.View(t.Context(), func(store.Reader) error { return errBoom })
	if !errors.Is(err, errBoom) {
		t.Fatalf("View returned %v, want errBoom", err)
	}
}
