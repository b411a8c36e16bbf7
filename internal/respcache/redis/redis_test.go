package redis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/respcache"
	"github.com/tollgate/tollgate/internal/respcache/cachetest"
	rcredis "github.com/tollgate/tollgate/internal/respcache/redis"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/testsvc"
)

// srv is this test binary's private Redis.
var srv *testsvc.Redis

func TestMain(m *testing.M) { testsvc.MainWithRedis(m, &srv) }

var namespaces atomic.Int64

// newNamespace returns a stage namespace no other test uses.
func newNamespace() string { return fmt.Sprintf("api%d/{stage}", namespaces.Add(1)) }

// dial opens a client (a gateway's connection), closed at cleanup, with a
// long timeout unless o sets one (see the ratelimit/redis tests).
func dial(t testing.TB, o redisclient.Options) *redisclient.Client {
	t.Helper()
	return srv.Dial(t, o)
}

func testBox(t testing.TB) *secret.Box {
	t.Helper()
	box, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func TestConformance(t *testing.T) {
	c, box := dial(t, redisclient.Options{}), testBox(t)
	cachetest.Run(t, func(t *testing.T) respcache.Cache {
		return rcredis.New(c, newNamespace(), box, rcredis.Options{})
	})
}

var t0 = time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)

func entry(body string) *respcache.Entry {
	return &respcache.Entry{Status: 200, Headers: [][2]string{{"Content-Type", "text/plain"}}, Body: []byte(body)}
}

func hit(t *testing.T, c respcache.Cache, key string) (string, bool) {
	t.Helper()
	e, ok, err := c.Get(context.Background(), key, t0)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if !ok {
		return "", false
	}
	return string(e.Body), true
}

// TestClusterWide: two nodes' caches of one stage share entries,
// invalidations and flushes; another stage's cache is apart.
func TestClusterWide(t *testing.T) {
	ctx := context.Background()
	ns, box := newNamespace(), testBox(t)
	a := rcredis.New(dial(t, redisclient.Options{}), ns, box, rcredis.Options{})
	b := rcredis.New(dial(t, redisclient.Options{}), ns, box, rcredis.Options{})
	other := rcredis.New(dial(t, redisclient.Options{}), newNamespace(), box, rcredis.Options{})

	for i, k := range []string{"k1", "k2", "k3"} {
		if err := a.Set(ctx, k, entry("v-"+k), time.Minute, i%2 == 1, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Set(ctx, "k1", entry("other"), time.Minute, false, t0); err != nil {
		t.Fatal(err)
	}
	if v, ok := hit(t, b, "k2"); !ok || v != "v-k2" {
		t.Fatalf("node b, entry set (encrypted) on a: %q, %v", v, ok)
	}
	// Cache-Control: max-age=0 on node b: a misses, then sees the fresh entry.
	if err := b.Delete(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := hit(t, a, "k1"); ok {
		t.Fatal("node a hit an entry node b invalidated")
	}
	if err := b.Set(ctx, "k1", entry("fresh"), time.Minute, false, t0); err != nil {
		t.Fatal(err)
	}
	if v, _ := hit(t, a, "k1"); v != "fresh" {
		t.Fatalf("node a after b's refresh: %q", v)
	}
	// FlushStageCache through node a: node b misses everything of the stage.
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"k1", "k2", "k3"} {
		if _, ok := hit(t, b, k); ok {
			t.Fatalf("node b hit %s after a flush through node a", k)
		}
	}
	if v, ok := hit(t, other, "k1"); !ok || v != "other" {
		t.Fatalf("another stage's entry after the flush: %q, %v", v, ok)
	}
	if err := b.Set(ctx, "k1", entry("after"), time.Minute, false, t0); err != nil {
		t.Fatal(err)
	}
	if v, _ := hit(t, a, "k1"); v != "after" {
		t.Fatalf("node a after the flush and a new Set: %q", v)
	}
}

// TestEncryptedAtRest: an entry set with encrypt=true is stored sealed:
// nothing of its body or headers is readable in Redis, and a node with
// another key cannot read it.
func TestEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace()
	client := dial(t, redisclient.Options{})
	c := rcredis.New(client, ns, testBox(t), rcredis.Options{})
	secretBody := "card=4111111111111111"
	if err := c.Set(ctx, "k", entry(secretBody), time.Minute, true, t0); err != nil {
		t.Fatal(err)
	}
	rc := client.Rueidis()
	keys, err := rc.Do(ctx, rc.B().Keys().Pattern("tollgate:rc:{"+url.PathEscape(ns)+"}:e:*").Build()).AsStrSlice()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, k := range keys {
		v, err := rc.Do(ctx, rc.B().Get().Key(k).Build()).AsBytes()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(v, []byte("4111")) || bytes.Contains(v, []byte("text/plain")) {
			t.Fatalf("key %s holds the entry in clear: %q", k, v)
		}
		found = found || len(v) > 0
	}
	if !found {
		t.Fatal("no entry stored")
	}
	otherBox, err := secret.New(bytes.Repeat([]byte{8}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	stranger := rcredis.New(client, ns, otherBox, rcredis.Options{})
	if _, ok, err := stranger.Get(ctx, "k", t0); ok || err == nil {
		t.Fatalf("a node with another key read the entry: %v, %v", ok, err)
	}
}

// TestRedisDown: with Redis stopped a Get fails promptly with
// ErrUnavailable (the gateway serves from the backend), and the same
// cache works again once Redis is back.
func TestRedisDown(t *testing.T) {
	ctx := context.Background()
	c := rcredis.New(dial(t, redisclient.Options{Timeout: 500 * time.Millisecond, Cooldown: 100 * time.Millisecond}), newNamespace(), testBox(t), rcredis.Options{})
	if err := srv.Halt(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, ok, err := c.Get(ctx, "k", t0)
	if ok || !errors.Is(err, redisclient.ErrUnavailable) {
		_ = srv.Start()
		t.Fatalf("Get with Redis down: %v, %v; want ErrUnavailable", ok, err)
	}
	t.Logf("Get with Redis down: %v after %v", err, time.Since(start).Round(time.Microsecond))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if err = c.Set(ctx, "k", entry("v"), time.Minute, false, t0); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("Set after Redis came back: %v", err)
	}
	if v, ok := hit(t, c, "k"); !ok || v != "v" {
		t.Fatalf("Get after Redis came back: %q, %v", v, ok)
	}
}

// BenchmarkGet measures a cache hit (one EVALSHA and decoding a 1 KiB
// entry), many requests in flight.
func BenchmarkGet(b *testing.B) {
	c := rcredis.New(dial(b, redisclient.Options{}), newNamespace(), nil, rcredis.Options{})
	ctx := context.Background()
	e := &respcache.Entry{Status: 200, Headers: [][2]string{{"Content-Type", "application/json"}}, Body: bytes.Repeat([]byte("x"), 1024)}
	now := time.Now()
	for i := range 100 {
		if err := c.Set(ctx, fmt.Sprint(i), e, time.Hour, false, now); err != nil {
			b.Fatal(err)
		}
	}
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok, err := c.Get(ctx, fmt.Sprint(i%100), now); err != nil || !ok {
				b.Errorf("Get: %v, %v", ok, err)
				return
			}
			i++
		}
	})
}
