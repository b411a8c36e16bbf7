package storeutil

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

// feed is revisions 1..3 with 1, 3 and 2 changes.
var feed = []store.Change{
	{Revision: 1, Op: store.OpPut, Key: "a"},
	{Revision: 2, Op: store.OpPut, Key: "b"},
	{Revision: 2, Op: store.OpPut, Key: "c"},
	{Revision: 2, Op: store.OpDelete, Key: "d"},
	{Revision: 3, Op: store.OpPut, Key: "e"},
	{Revision: 3, Op: store.OpPut, Key: "f"},
}

func read(after int64, n int) ([]store.Change, error) {
	var out []store.Change
	for _, c := range feed {
		if c.Revision > after && (n == 0 || len(out) < n) {
			out = append(out, c)
		}
	}
	return out, nil
}

func revision(rev int64) ([]store.Change, error) {
	var out []store.Change
	for _, c := range feed {
		if c.Revision == rev {
			out = append(out, c)
		}
	}
	return out, nil
}

func TestPage(t *testing.T) {
	for _, c := range []struct {
		after int64
		limit int
		want  []int64 // revisions of the page's changes
	}{
		{0, 0, []int64{1, 2, 2, 2, 3, 3}},
		{0, 1, []int64{1}},
		{0, 2, []int64{1}}, // revision 2 does not fit
		{0, 4, []int64{1, 2, 2, 2}},
		{1, 1, []int64{2, 2, 2}}, // a first revision longer than limit comes whole
		{1, 4, []int64{2, 2, 2}},
		{1, 5, []int64{2, 2, 2, 3, 3}},
		{3, 1, nil},
	} {
		page, err := Page(c.after, c.limit, read, revision)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, ch := range page {
			got = append(got, ch.Revision)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Page(%d, %d) revisions = %v, want %v", c.after, c.limit, got, c.want)
		}
	}
}

func TestCompactTo(t *testing.T) {
	for _, c := range []struct {
		keep, rev, floor, to int64
		due                  bool
	}{
		{0, 100, 0, 0, false},
		{10, 10, 0, 0, false},
		{10, 11, 0, 1, true}, // slack 1
		{100, 109, 0, 0, false},
		{100, 110, 0, 10, true}, // slack 10
		{100, 119, 10, 0, false},
		{100, 120, 10, 20, true},
	} {
		to, due := CompactTo(c.keep, c.rev, c.floor)
		if due != c.due || due && to != c.to {
			t.Errorf("CompactTo(%d, %d, %d) = %d, %v; want %d, %v", c.keep, c.rev, c.floor, to, due, c.to, c.due)
		}
	}
}

func TestTxState(t *testing.T) {
	done := errors.New("done")
	st := NewTxState(7, done)
	if err := st.EnterKey("put", ""); !errors.Is(err, store.ErrInvalidKey) {
		t.Fatalf("EnterKey of an empty key: %v", err)
	}
	if err := st.EnterKey("put", "k"); err != nil {
		t.Fatal(err)
	}
	st.Record("k", store.OpPut)
	_ = st.Fail(errors.New("first"))
	_ = st.Fail(errors.New("second"))
	st.Exit()
	if err := st.Enter("delete prefix", "x/"); err != nil {
		t.Fatal(err)
	}
	st.RecordDeleted([]string{"x/b", "x/a"})
	st.Exit()
	changes, failed := st.Finish()
	want := []store.Change{
		{Revision: 7, Op: store.OpPut, Key: "k"},
		{Revision: 7, Op: store.OpDelete, Key: "x/a"},
		{Revision: 7, Op: store.OpDelete, Key: "x/b"},
	}
	if !slices.Equal(changes, want) || failed == nil || failed.Error() != "first" {
		t.Fatalf("Finish = %v, %v; want %v, first", changes, failed, want)
	}
	if err := st.Enter("get", "k"); !errors.Is(err, done) || err.Error() != `get "k": done` {
		t.Fatalf("Enter after Finish: %v", err)
	}
}

func TestLifecycle(t *testing.T) {
	l := NewLifecycle("test")
	if err := l.Begin("view"); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	closed := make(chan error)
	go func() {
		closed <- l.Close(func() error { close(released); return errors.New("release") })
	}()
	<-l.Context().Done() // Close cancels the context before waiting
	select {
	case <-released:
		t.Fatal("Close released before the running operation ended")
	default:
	}
	l.Done()
	if err := <-closed; err == nil || err.Error() != "test: close: release" {
		t.Fatalf("first Close = %v", err)
	}
	if err := l.Close(func() error { t.Error("released twice"); return nil }); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if err := l.Begin("view"); !errors.Is(err, store.ErrClosed) || err.Error() != "test: view: store: closed" {
		t.Fatalf("Begin after Close = %v", err)
	}
	if _, err := l.Watch(context.Background(), func() error { return nil }, nil); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Watch after Close = %v", err)
	}
}
