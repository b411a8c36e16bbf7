package supervise

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/faultstore"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// guard bounds every wait; reaching it is a failure, not a measurement.
const guard = 30 * time.Second

var errDisk = errors.New("disk I/O error")

func openStore(t *testing.T) *faultstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return faultstore.Wrap(s)
}

func put(t *testing.T, s store.Store, key string) int64 {
	t.Helper()
	ctx := context.Background()
	rev, err := s.Update(ctx, func(tx store.Tx) error { return tx.Put(ctx, key, []byte(`{}`)) })
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// view is the smallest follower: it applies the feed by remembering the
// revision it reached.
type view struct {
	st   store.Store
	rev  atomic.Int64
	runs atomic.Int64
}

func (v *view) follower(name string) Follower {
	return Follower{Name: name, Run: v.run, Revision: v.rev.Load}
}

func (v *view) run(ctx context.Context) error {
	v.runs.Add(1)
	w, err := v.st.Watch(ctx, v.rev.Load())
	if err != nil {
		return err
	}
	for ch := range w.C() {
		v.rev.Store(ch.Revision)
	}
	return w.Err()
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRestartAfterStoreFailure: a follower whose feed fails is restarted
// with backoff while the store keeps failing; meanwhile Health names the
// failure and the revisions; once the store heals the follower resumes
// where it stopped, catches up and Health is ready again.
func TestRestartAfterStoreFailure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := openStore(t)
	v := &view{st: st}
	sup := &Supervisor{Store: st, MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond}
	sup.Start(ctx, v.follower("change feed"))
	defer func() { cancel(); sup.Wait() }()

	put(t, st, "a")
	waitUntil(t, "the first change", func() bool { return v.rev.Load() == 1 })
	if h := sup.Health(ctx); !h.Ready || h.Revision != 1 || h.Reason != "" {
		t.Fatalf("healthy follower: %+v", h)
	}

	st.Fail(faultstore.Watch, errDisk)
	st.BreakWatches(errDisk)
	put(t, st, "b")
	waitUntil(t, "several restarts", func() bool { return v.runs.Load() >= 4 })
	h := sup.Health(ctx)
	if h.Ready || !strings.HasPrefix(h.Reason, "change feed: faultstore: watch: disk I/O error (restart ") ||
		!strings.HasSuffix(h.Reason, "serving revision 1, store at 2") {
		t.Fatalf("failing follower: %+v", h)
	}

	st.Heal()
	waitUntil(t, "ready again", func() bool { return sup.Health(ctx).Ready })
	if v.rev.Load() != 2 {
		t.Fatalf("ready at revision %d, store at 2", v.rev.Load())
	}
}

// TestNotReadyUntilCaughtUp: after a restart, Health stays not ready until
// the follower has reached the store's revision, with no grace period.
func TestNotReadyUntilCaughtUp(t *testing.T) {
	st := openStore(t)
	put(t, st, "a")
	var rev, calls atomic.Int64
	restarted := make(chan struct{})
	release := make(chan struct{})
	f := Follower{Name: "index", Revision: rev.Load, Run: func(ctx context.Context) error {
		if calls.Add(1) == 1 {
			return errDisk
		}
		close(restarted)
		<-release // restarted, but not applying anything yet
		rev.Store(1)
		<-ctx.Done()
		return nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	sup := &Supervisor{Store: st, MinBackoff: time.Millisecond}
	sup.Start(ctx, f)
	defer func() { cancel(); sup.Wait() }()
	<-restarted
	if h := sup.Health(ctx); h.Ready || h.Reason != "index: catching up after disk I/O error, serving revision 0, store at 1" {
		t.Fatalf("restarted follower behind the store: %+v", h)
	}
	close(release)
	waitUntil(t, "ready", func() bool { return sup.Health(ctx).Ready })
}

// TestLagLimit: a follower that runs but stays behind a store revision for
// longer than MaxLag makes the gateway not ready; one that keeps moving
// (behind the latest revision, but reaching each it was compared with)
// does not.
func TestLagLimit(t *testing.T) {
	st := openStore(t)
	var rev atomic.Int64
	f := Follower{Name: "change feed", Revision: rev.Load, Run: func(ctx context.Context) error { <-ctx.Done(); return nil }}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithCancel(context.Background())
	sup := &Supervisor{Store: st, MaxLag: 10 * time.Second, Now: func() time.Time { return now }}
	sup.Start(ctx, f)
	defer func() { cancel(); sup.Wait() }()

	put(t, st, "a")
	if h := sup.Health(ctx); !h.Ready {
		t.Fatalf("just behind: %+v", h)
	}
	now = now.Add(10 * time.Second)
	if h := sup.Health(ctx); !h.Ready {
		t.Fatalf("behind for MaxLag: %+v", h)
	}
	now = now.Add(time.Second)
	if h := sup.Health(ctx); h.Ready || h.Reason != "change feed: behind for 11s, serving revision 0, store at 1" {
		t.Fatalf("behind for longer than MaxLag: %+v", h)
	}
	// Moving: each check finds it past the revision of the check before.
	for i := int64(2); i < 6; i++ {
		rev.Store(i - 1)
		put(t, st, "a")
		now = now.Add(8 * time.Second)
		if h := sup.Health(ctx); !h.Ready {
			t.Fatalf("a follower that keeps moving: %+v", h)
		}
	}
}

// TestStoreUnreadable: Health is not ready when the store's revision
// cannot be read.
func TestStoreUnreadable(t *testing.T) {
	st := openStore(t)
	sup := &Supervisor{Store: st}
	st.Fail(faultstore.Revision, errDisk)
	if h := sup.Health(context.Background()); h.Ready || h.Reason != "store: faultstore: revision: disk I/O error" {
		t.Fatalf("%+v", h)
	}
}

// TestReturnWithoutErrorRestarts: a follower must not end before its
// context; if it does, it is restarted like a failed one.
func TestReturnWithoutErrorRestarts(t *testing.T) {
	st := openStore(t)
	var runs atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	sup := &Supervisor{Store: st, MinBackoff: time.Millisecond}
	sup.Start(ctx, Follower{Name: "x", Revision: func() int64 { return 0 }, Run: func(context.Context) error {
		runs.Add(1)
		return nil
	}})
	waitUntil(t, "restarts", func() bool { return runs.Load() >= 3 })
	cancel()
	sup.Wait()
}
