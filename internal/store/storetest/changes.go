package storetest

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

var changesTests = []testCase{
	{"Content", testChangesContent},
	{"LastOpWins", testChangesLastOpWins},
	{"After", testChangesAfter},
	{"Limit", testChangesLimit},
	{"LimitKeepsRevisionsWhole", testChangesLimitWholeRevisions},
}

// writeFeed makes a known history and returns its change feed.
func writeFeed(t *testing.T, s store.Store) []store.Change {
	t.Helper()
	put(t, s, "a/1", `1`)                                       // 1
	put(t, s, "a/2", `2`, "b/1", `1`, "a/3", `3`)               // 2
	update(t, s, func(ctx context.Context, tx store.Tx) error { // 3
		if err := tx.Delete(ctx, "a/1"); err != nil {
			return err
		}
		return tx.Create(ctx, "c/1", doc(1))
	})
	update(t, s, func(ctx context.Context, tx store.Tx) error { // 4
		_, err := tx.DeletePrefix(ctx, "a/")
		return err
	})
	put(t, s, "b/1", `2`) // 5
	return []store.Change{
		change(1, store.OpPut, "a/1"),
		change(2, store.OpPut, "a/2"),
		change(2, store.OpPut, "b/1"),
		change(2, store.OpPut, "a/3"),
		change(3, store.OpDelete, "a/1"),
		change(3, store.OpPut, "c/1"),
		change(4, store.OpDelete, "a/2"),
		change(4, store.OpDelete, "a/3"),
		change(5, store.OpPut, "b/1"),
	}
}

func testChangesContent(t *testing.T, s store.Store) {
	want := writeFeed(t, s)
	wantChanges(t, "changes after 0", changes(t, s, 0), want)
	for _, c := range want {
		if c.Op.String() == "unknown" {
			t.Fatalf("change %v has an unknown op", c)
		}
	}
}

func testChangesLastOpWins(t *testing.T, s store.Store) {
	put(t, s, "x", `0`)
	rev := update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, step := range []func() error{
			func() error { return tx.Put(ctx, "a", doc(1)) },
			func() error { return tx.Put(ctx, "b", doc(1)) },
			func() error { return tx.Delete(ctx, "a") }, // a: put then delete
			func() error { return tx.Delete(ctx, "x") }, // x: delete then put
			func() error { return tx.Put(ctx, "x", doc(2)) },
			func() error { return tx.Put(ctx, "b", doc(2)) }, // b: put twice
			func() error { _, err := tx.DeletePrefix(ctx, "b"); return err },
			func() error { return tx.Create(ctx, "b", doc(3)) }, // b: put, put, delete, create
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	want := []store.Change{
		change(rev, store.OpDelete, "a"),
		change(rev, store.OpPut, "b"),
		change(rev, store.OpPut, "x"),
	}
	wantChanges(t, "changes of the transaction", changes(t, s, rev-1), want)
}

func testChangesAfter(t *testing.T, s store.Store) {
	all := writeFeed(t, s)
	for after := int64(0); after <= 7; after++ {
		var want []store.Change
		for _, c := range all {
			if c.Revision > after {
				want = append(want, c)
			}
		}
		wantChanges(t, "changes after "+itoa(after), changes(t, s, after), want)
	}
}

func testChangesLimit(t *testing.T, s store.Store) {
	all := writeFeed(t, s)
	for _, limit := range []int{1, 2, 3, 4, 5, 100} {
		var got []store.Change
		after := int64(0)
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatalf("limit %d: pagination does not end", limit)
			}
			page, err := s.Changes(t.Context(), after, limit)
			if err != nil {
				t.Fatalf("changes after %d limit %d: %v", after, limit, err)
			}
			if len(page) == 0 {
				break
			}
			// A page may exceed limit only when it is one revision.
			if len(page) > limit && page[0].Revision != page[len(page)-1].Revision {
				t.Fatalf("limit %d: page of %d changes spanning revisions: %v", limit, len(page), page)
			}
			got = append(got, page...)
			after = page[len(page)-1].Revision
		}
		wantChanges(t, "paged changes, limit "+itoa(int64(limit)), got, all)
	}
}

func testChangesLimitWholeRevisions(t *testing.T, s store.Store) {
	all := writeFeed(t, s)
	cases := []struct {
		after int64
		limit int
		want  []store.Change
	}{
		{0, 1, all[0:1]}, // revision 1 has one change
		{0, 2, all[0:1]}, // revision 2 (3 changes) does not fit
		{0, 4, all[0:4]}, // revisions 1 and 2 fit exactly
		{1, 1, all[1:4]}, // revision 2 alone exceeds the limit: whole
		{1, 3, all[1:4]}, // exactly revision 2
		{1, 5, all[1:6]}, // revisions 2 and 3
		{3, 1, all[6:8]}, // revision 4 whole
		{4, 1, all[8:9]}, // revision 5
		{5, 1, nil},      // nothing after the latest revision
		{9, 1, nil},      // nor beyond it
		{0, 0, all},      // 0 means no limit
	}
	for _, c := range cases {
		got, err := s.Changes(t.Context(), c.after, c.limit)
		if err != nil {
			t.Fatalf("changes after %d limit %d: %v", c.after, c.limit, err)
		}
		wantChanges(t, "changes after "+itoa(c.after)+" limit "+itoa(int64(c.limit)), got, c.want)
	}
}
