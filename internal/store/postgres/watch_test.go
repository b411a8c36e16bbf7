package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/postgres"
)

// noPoll makes watchers rely on notifications alone within a test's
// guard: they would poll only after a minute.
var noPoll = postgres.WithPollInterval(time.Minute, time.Minute)

// recvOne receives one change from w within guard.
func recvOne(t *testing.T, w store.Watcher) store.Change {
	t.Helper()
	select {
	case c, ok := <-w.C():
		if !ok {
			t.Fatalf("watch channel closed: %v", w.Err())
		}
		return c
	case <-time.After(guard):
		t.Fatalf("no change within %v", guard)
	}
	return store.Change{}
}

// TestWatchOtherNodeWithin1s: a commit made through one gateway's Store
// reaches a watcher on another's through NOTIFY within 1 s (the cluster's
// promise for deployments); polling is off for the test's length.
func TestWatchOtherNodeWithin1s(t *testing.T) {
	schema := newSchema()
	a, b := openSchema(t, schema, noPoll), openSchema(t, schema, noPoll)
	w, err := b.Watch(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var lat []time.Duration
	for i := range 20 {
		key := fmt.Sprintf("deployment/%d", i)
		rev := put(t, a, key, `{}`)
		committed := time.Now()
		c := recvOne(t, w)
		lat = append(lat, time.Since(committed))
		if c != (store.Change{Revision: rev, Op: store.OpPut, Key: key}) {
			t.Fatalf("watcher on b got %v, want put %s at %d", c, key, rev)
		}
	}
	slices.Sort(lat)
	t.Logf("commit on a to delivery on b: median %v, max %v", lat[len(lat)/2], lat[len(lat)-1])
	if lat[len(lat)-1] >= time.Second {
		t.Fatalf("a commit took %v to reach the other Store's watcher, want < 1 s", lat[len(lat)-1])
	}
}

// terminateListeners ends the server sessions LISTENing for schema's
// commits, as a network failure or a restarted pooler would.
func terminateListeners(t *testing.T, schema string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	err = conn.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query = $1 AND pid <> pg_backend_pid()`, "LISTEN "+pgx.Identifier{schema + "_changes"}.Sanitize()).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitListening waits until s.Listening() is want.
func waitListening(t *testing.T, s *postgres.Store, want bool) {
	t.Helper()
	for deadline := time.Now().Add(guard); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if s.Listening() == want {
			return
		}
	}
	t.Fatalf("Listening() did not become %v within %v", want, guard)
}

// TestListenerReconnectCatchesUp cuts the listening connection of a
// Store and commits through another while it is down: the listener
// reconnects by itself and its watcher catches up from its cursor,
// losing nothing (polling is off, so only the reconnect can deliver).
func TestListenerReconnectCatchesUp(t *testing.T) {
	schema := newSchema()
	a, b := openSchema(t, schema, noPoll), openSchema(t, schema, noPoll)
	w, err := b.Watch(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	r1 := put(t, a, "before", `1`)
	if c := recvOne(t, w); c.Revision != r1 {
		t.Fatalf("got %v, want revision %d", c, r1)
	}
	for round := range 3 {
		waitListening(t, a, true)
		waitListening(t, b, true)
		if n := terminateListeners(t, schema); n != 2 {
			t.Fatalf("terminated %d listening sessions, want 2", n)
		}
		waitListening(t, b, false)
		key := fmt.Sprintf("during/%d", round)
		rev := put(t, a, key, `1`) // a's own listener may be down too: a write needs none
		if c := recvOne(t, w); c != (store.Change{Revision: rev, Op: store.OpPut, Key: key}) {
			t.Fatalf("round %d: got %v, want put %s at %d", round, c, key, rev)
		}
	}
	rev := put(t, a, "after", `1`)
	if c := recvOne(t, w); c.Revision != rev {
		t.Fatalf("after reconnects: got %v, want revision %d", c, rev)
	}
}

// TestServerRestart stops the database under two Stores: writes fail
// promptly while it is down, watchers stay open, and once it is back both
// Stores write again and both watchers deliver every committed change in
// order, without reopening anything.
func TestServerRestart(t *testing.T) {
	schema := newSchema()
	opts := []postgres.Option{postgres.WithConnectTimeout(time.Second), postgres.WithPollInterval(100*time.Millisecond, time.Minute)}
	a, b := openSchema(t, schema, opts...), openSchema(t, schema, opts...)
	wa, err := a.Watch(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := b.Watch(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []store.Change
	want = append(want, store.Change{Revision: put(t, a, "k/0", `0`), Op: store.OpPut, Key: "k/0"})

	if err := pg.Halt(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	_, err = b.Update(ctx, func(tx store.Tx) error { return tx.Put(ctx, "lost", []byte(`1`)) })
	cancel()
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Update with the database down: %v; want ErrUnavailable", err)
	}
	t.Logf("Update with the database down failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
	if err := b.Ping(t.Context()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping with the database down: %v; want ErrUnavailable", err)
	}
	if _, err := a.Revision(t.Context()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Revision with the database down: %v; want ErrUnavailable", err)
	}
	err = a.View(t.Context(), func(r store.Reader) error { _, err := r.Get(t.Context(), "k/0"); return err })
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("View with the database down: %v; want ErrUnavailable", err)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	for i, s := range []*postgres.Store{b, a, b} {
		key := fmt.Sprintf("k/%d", i+1)
		var rev int64
		for deadline := time.Now().Add(guard); ; time.Sleep(50 * time.Millisecond) {
			rev, err = s.Update(t.Context(), func(tx store.Tx) error { return tx.Put(t.Context(), key, []byte(`1`)) })
			if err == nil || time.Now().After(deadline) {
				break
			}
		}
		if err != nil {
			t.Fatalf("write %s after the restart: %v", key, err)
		}
		want = append(want, store.Change{Revision: rev, Op: store.OpPut, Key: key})
	}
	for name, w := range map[string]store.Watcher{"a": wa, "b": wb} {
		for i, wc := range want {
			if c := recvOne(t, w); c != wc {
				t.Fatalf("watcher on %s, change %d: %v, want %v", name, i, c, wc)
			}
		}
	}
	waitListening(t, a, true)
	waitListening(t, b, true)
}
