package redis_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/connreg"
	"github.com/tollgate/tollgate/internal/gateway/connreg/connregtest"
	crredis "github.com/tollgate/tollgate/internal/gateway/connreg/redis"
	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/testsvc"
)

// srv is this test binary's private Redis.
var srv *testsvc.Redis

func TestMain(m *testing.M) { testsvc.MainWithRedis(m, &srv) }

var prefixes atomic.Int64

// newPrefix returns a key prefix no other test uses (a cluster of its own).
func newPrefix() string { return fmt.Sprintf("test%d:", prefixes.Add(1)) }

// dial opens a client (a node's connection), closed at cleanup, with a
// long timeout unless o sets one: the machine running the tests may be
// loaded.
func dial(t testing.TB, o redisclient.Options) *redisclient.Client {
	t.Helper()
	return srv.Dial(t, o)
}

// holder is a node's connections, for the relay: it records what it was
// asked to do.
type holder struct {
	mu      sync.Mutex
	open    map[string]*connreg.Record
	posts   map[string][]string
	deletes []string
}

func newHolder(records ...*connreg.Record) *holder {
	h := &holder{open: map[string]*connreg.Record{}, posts: map[string][]string{}}
	for _, r := range records {
		h.open[r.ID] = r
	}
	return h
}

func (h *holder) Handle(_ context.Context, c connreg.Call) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.open[c.ID] == nil {
		return connreg.ErrNotFound
	}
	switch c.Op {
	case connreg.OpPost:
		h.posts[c.ID] = append(h.posts[c.ID], string(c.Data))
	case connreg.OpDelete:
		h.deletes = append(h.deletes, c.ID)
		delete(h.open, c.ID)
	default:
		return fmt.Errorf("unknown op %q", c.Op)
	}
	return nil
}

func (h *holder) Records() []*connreg.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*connreg.Record
	for _, r := range h.open {
		out = append(out, r)
	}
	return out
}

// serve starts s's relay for h, stopped at cleanup, and waits until it
// is ready.
func serve(t testing.TB, s *crredis.Shared, h connreg.Holder) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ctx, h)
	}()
	stop = sync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(stop)
	select {
	case <-s.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("the relay did not get ready")
	}
	return stop
}

// TestConformance: the shared registry passes the suite every registry
// passes (its records' node, node-1, holds a lease).
func TestConformance(t *testing.T) {
	c := dial(t, redisclient.Options{})
	connregtest.Run(t, func(t *testing.T) connreg.Registry {
		s := crredis.New(c, crredis.Options{Prefix: newPrefix(), Node: "node-1"})
		serve(t, s, newHolder())
		return s
	})
}

func record(id, node string) *connreg.Record {
	at := time.Date(2026, 4, 30, 20, 10, 33, 236e6, time.UTC)
	return &connreg.Record{ID: id, APIID: "a1b2c3d4e5", Stage: "prod", Node: node, ConnectedAt: at, LastActiveAt: at,
		SourceIP: "192.0.2.1", UserAgent: "ua/1"}
}

// twoNodes returns the registries of nodes A and B of one cluster, each
// with its own client; B holds connection "on-b".
func twoNodes(t testing.TB, o crredis.Options) (a, b *crredis.Shared, hb *holder, stopB func()) {
	t.Helper()
	prefix := newPrefix()
	oa, ob := o, o
	oa.Prefix, oa.Node = prefix, "node-a"
	ob.Prefix, ob.Node = prefix, "node-b"
	a = crredis.New(dial(t, redisclient.Options{}), oa)
	b = crredis.New(dial(t, redisclient.Options{}), ob)
	rec := record("on-b", "node-b")
	hb = newHolder(rec)
	serve(t, a, newHolder())
	stopB = serve(t, b, hb)
	if err := b.Add(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return a, b, hb, stopB
}

// TestRelay: a call made on A for B's connection is performed by B, and
// A gets B's answer: done, or gone for a connection B does not hold.
func TestRelay(t *testing.T) {
	ctx := context.Background()
	a, _, hb, _ := twoNodes(t, crredis.Options{})
	got, err := a.Get(ctx, "on-b")
	if err != nil || got.Node != "node-b" {
		t.Fatalf("Get on A: %+v, %v", got, err)
	}
	if err := a.Deliver(ctx, "node-b", connreg.Call{Op: connreg.OpPost, ID: "on-b", Data: []byte("hello, b")}); err != nil {
		t.Fatalf("post through A: %v", err)
	}
	hb.mu.Lock()
	posts := hb.posts["on-b"]
	hb.mu.Unlock()
	if len(posts) != 1 || posts[0] != "hello, b" {
		t.Fatalf("B received %q", posts)
	}
	if err := a.Deliver(ctx, "node-b", connreg.Call{Op: connreg.OpPost, ID: "not-on-b", Data: []byte("x")}); !errors.Is(err, connreg.ErrNotFound) {
		t.Fatalf("post to a connection B does not hold: %v", err)
	}
	if err := a.Deliver(ctx, "node-b", connreg.Call{Op: connreg.OpDelete, ID: "on-b"}); err != nil {
		t.Fatalf("delete through A: %v", err)
	}
	if err := a.Deliver(ctx, "node-b", connreg.Call{Op: connreg.OpDelete, ID: "on-b"}); !errors.Is(err, connreg.ErrNotFound) {
		t.Fatalf("a second delete: %v", err)
	}
	hb.mu.Lock()
	deletes := hb.deletes
	hb.mu.Unlock()
	if len(deletes) != 1 {
		t.Fatalf("B closed the connection %d times", len(deletes))
	}
	// A node that never was answers gone at once.
	if err := a.Deliver(ctx, "node-z", connreg.Call{Op: connreg.OpPost, ID: "x"}); !errors.Is(err, connreg.ErrNotFound) {
		t.Fatalf("a call to a node that does not exist: %v", err)
	}
}

// TestKilledNode: when B dies without leaving (its client closed under
// it, as kill -9 would), its connections are gone for A once its lease
// lapses; a node that stops cleanly is gone at once.
func TestKilledNode(t *testing.T) {
	ctx := context.Background()
	const lease = time.Second
	prefix := newPrefix()
	a := crredis.New(dial(t, redisclient.Options{}), crredis.Options{Prefix: prefix, Node: "node-a", LeaseTTL: lease})
	cb, err := redisclient.Open(ctx, srv.URL(), redisclient.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b := crredis.New(cb, crredis.Options{Prefix: prefix, Node: "node-b", LeaseTTL: lease})
	serve(t, a, newHolder())
	rec := record("on-b", "node-b")
	serve(t, b, newHolder(rec))
	if err := b.Add(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx, "on-b"); err != nil {
		t.Fatal(err)
	}
	cb.Close() // B's lease is no longer written, and it leaves nothing
	killed := time.Now()
	if err := a.Deliver(ctx, "node-b", connreg.Call{Op: connreg.OpPost, ID: "on-b"}); !errors.Is(err, connreg.ErrNotFound) {
		t.Fatalf("a post to a connection of a dead node: %v", err)
	}
	took := time.Since(killed)
	if _, err := a.Get(ctx, "on-b"); !errors.Is(err, connreg.ErrNotFound) {
		t.Fatalf("Get of a connection of a dead node: %v", err)
	}
	t.Logf("gone %v after the kill (lease %v)", took.Round(time.Millisecond), lease)

	// A clean stop drops the lease at once.
	c, _, _, stopB := twoNodes(t, crredis.Options{LeaseTTL: time.Minute})
	stopB()
	if _, err := c.Get(ctx, "on-b"); !errors.Is(err, connreg.ErrNotFound) {
		t.Fatalf("Get of a connection of a node that stopped: %v", err)
	}
}

// TestNoAnswer: a node whose lease is live but which does not answer
// (stopped in its tracks) fails calls with ErrNoAnswer after the call
// timeout, not with gone.
func TestNoAnswer(t *testing.T) {
	ctx := context.Background()
	prefix := newPrefix()
	c := dial(t, redisclient.Options{})
	a := crredis.New(c, crredis.Options{Prefix: prefix, Node: "node-a", CallTimeout: 300 * time.Millisecond})
	serve(t, a, newHolder())
	// node-b holds a lease but does not listen.
	rc := c.Rueidis()
	if err := rc.Do(ctx, rc.B().Set().Key(prefix+"{ws}:n:node-b").Value("1").Px(time.Minute).Build()).Error(); err != nil {
		t.Fatal(err)
	}
	err := a.Deliver(ctx, "node-b", connreg.Call{Op: connreg.OpPost, ID: "x"})
	if !errors.Is(err, connreg.ErrNoAnswer) {
		t.Fatalf("a call to a silent node: %v", err)
	}
}

// TestRecordsWrittenAgain: records Redis lost (flushed, restarted empty)
// are written again by their node within a lease period; touches move
// lastActiveAt forward only, in one pipeline.
func TestRecordsWrittenAgain(t *testing.T) {
	ctx := context.Background()
	a, b, _, _ := twoNodes(t, crredis.Options{LeaseTTL: time.Second})
	rc := dial(t, redisclient.Options{}).Rueidis()
	keys, err := rc.Do(ctx, rc.B().Keys().Pattern("*{ws}*").Build()).AsStrSlice()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		// Only this test's cluster (its prefix is unique).
		if err := rc.Do(ctx, rc.B().Del().Key(k).Build()).Error(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := a.Get(ctx, "on-b")
		if err == nil && r.Node == "node-b" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the record was not written again: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	later := time.Date(2026, 4, 30, 20, 10, 42, 997e6, time.UTC)
	if err := b.TouchMany(ctx, map[string]time.Time{"on-b": later, "gone": later}); err != nil {
		t.Fatal(err)
	}
	if err := b.TouchMany(ctx, map[string]time.Time{"on-b": later.Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if r, err := a.Get(ctx, "on-b"); err != nil || !r.LastActiveAt.Equal(later) {
		t.Fatalf("after the touches: %+v, %v", r, err)
	}
	if _, err := a.Get(ctx, "gone"); !errors.Is(err, connreg.ErrNotFound) {
		t.Fatalf("a touch made a record: %v", err)
	}
}

// TestUnavailable: while Redis does not answer, calls fail with
// connreg.ErrUnavailable (never ErrNotFound: the caller cannot tell);
// once it is back, a record that could not be written meanwhile is.
func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	c := dial(t, redisclient.Options{Timeout: 300 * time.Millisecond, Cooldown: 100 * time.Millisecond})
	s := crredis.New(c, crredis.Options{Prefix: newPrefix(), Node: "node-a", LeaseTTL: time.Second})
	h := newHolder()
	serve(t, s, h)
	if err := srv.Halt(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	defer func() {
		if !restarted {
			_ = srv.Start()
		}
	}()
	rec := record("during", "node-a")
	h.mu.Lock()
	h.open[rec.ID] = rec
	h.mu.Unlock()
	if err := s.Add(ctx, rec); !errors.Is(err, connreg.ErrUnavailable) {
		t.Fatalf("Add while Redis is down: %v", err)
	}
	if _, err := s.Get(ctx, "during"); !errors.Is(err, connreg.ErrUnavailable) {
		t.Fatalf("Get while Redis is down: %v", err)
	}
	if err := s.Deliver(ctx, "node-b", connreg.Call{Op: connreg.OpPost, ID: "x"}); !errors.Is(err, connreg.ErrUnavailable) {
		t.Fatalf("Deliver while Redis is down: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, err := s.Get(ctx, "during")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the record made during the outage: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// vanishing holds one connection for its first Records call only: the
// connection ends while the registry writes it again.
type vanishing struct {
	*holder
	calls atomic.Int64
	rec   *connreg.Record
}

func (v *vanishing) Records() []*connreg.Record {
	if v.calls.Add(1) == 1 {
		return []*connreg.Record{v.rec}
	}
	return nil
}

// TestEndedWhileWrittenAgain: a connection that ends while its node
// writes its records again is not left recorded.
func TestEndedWhileWrittenAgain(t *testing.T) {
	ctx := context.Background()
	s := crredis.New(dial(t, redisclient.Options{}), crredis.Options{Prefix: newPrefix(), Node: "node-a"})
	v := &vanishing{holder: newHolder(), rec: record("ending", "node-a")}
	serve(t, s, v) // the first lease write finds no lease: it writes the records
	if v.calls.Load() < 2 {
		t.Fatalf("Records called %d times", v.calls.Load())
	}
	if _, err := s.Get(ctx, "ending"); !errors.Is(err, connreg.ErrNotFound) {
		t.Fatalf("a connection that ended meanwhile: %v", err)
	}
}
