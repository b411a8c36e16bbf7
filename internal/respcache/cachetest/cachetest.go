// Package cachetest is the conformance suite for respcache.Cache
// implementations: the in-memory cache runs it, and so must any other
// (Redis) implementation.
package cachetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/respcache"
)

// t0 is the injected "now" of most tests; no test sleeps.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)

// Run runs the conformance suite. newCache must return a new, empty cache
// that can hold at least 8 MiB and can encrypt (cacheDataEncrypted); it is
// called once per subtest.
func Run(t *testing.T, newCache func(t *testing.T) respcache.Cache) {
	tests := []struct {
		name string
		fn   func(*testing.T, respcache.Cache)
	}{
		{"RoundTrip", testRoundTrip},
		{"Miss", testMiss},
		{"EmptyEntry", testEmptyEntry},
		{"NoRetain", testNoRetain},
		{"HeadersOwned", testHeadersOwned},
		{"Expiry", testExpiry},
		{"ZeroTTL", testZeroTTL},
		{"Delete", testDelete},
		{"Flush", testFlush},
		{"Oversize", testOversize},
		{"Encrypted", testEncrypted},
		{"Overwrite", testOverwrite},
		{"KeysIndependent", testKeysIndependent},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newCache(t)) })
	}
}

// sample is an entry with repeated headers and a body holding every byte
// value.
func sample() *respcache.Entry {
	body := make([]byte, 512)
	for i := range body {
		body[i] = byte(i)
	}
	return &respcache.Entry{
		Status: 203,
		Headers: [][2]string{
			{"Content-Type", "application/octet-stream"},
			{"Set-Cookie", "a=1"},
			{"X-Empty", ""},
			{"Set-Cookie", "b=2"},
			{"x-binary", "\x00\xff\n"},
		},
		Body: body,
	}
}

func mustSet(t *testing.T, c respcache.Cache, key string, e *respcache.Entry, ttl time.Duration, encrypt bool, now time.Time) {
	t.Helper()
	if err := c.Set(context.Background(), key, e, ttl, encrypt, now); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

// get returns the entry under key at now, failing the test on an error.
func get(t *testing.T, c respcache.Cache, key string, now time.Time) (*respcache.Entry, bool) {
	t.Helper()
	e, ok, err := c.Get(context.Background(), key, now)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if ok && e == nil {
		t.Fatalf("Get(%q): hit with a nil entry", key)
	}
	return e, ok
}

func wantHit(t *testing.T, c respcache.Cache, key string, now time.Time, want *respcache.Entry) {
	t.Helper()
	got, ok := get(t, c, key, now)
	if !ok {
		t.Fatalf("Get(%q) at %v: miss, want a hit", key, now)
	}
	if d := diff(got, want); d != "" {
		t.Fatalf("Get(%q): %s", key, d)
	}
}

func wantMiss(t *testing.T, c respcache.Cache, key string, now time.Time) {
	t.Helper()
	if got, ok := get(t, c, key, now); ok {
		t.Fatalf("Get(%q) at %v: hit (status %d), want a miss", key, now, got.Status)
	}
}

// diff describes how got differs from want ("" when equal; nil and empty
// headers or bodies are equal).
func diff(got, want *respcache.Entry) string {
	switch {
	case got.Status != want.Status:
		return fmt.Sprintf("status %d, want %d", got.Status, want.Status)
	case len(got.Headers) != len(want.Headers) || (len(want.Headers) > 0 && !slices.Equal(got.Headers, want.Headers)):
		return fmt.Sprintf("headers %q, want %q", got.Headers, want.Headers)
	case !bytes.Equal(got.Body, want.Body):
		return fmt.Sprintf("body of %d bytes differs from the %d bytes set", len(got.Body), len(want.Body))
	}
	return ""
}

func testRoundTrip(t *testing.T, c respcache.Cache) {
	mustSet(t, c, "k", sample(), time.Minute, false, t0)
	wantHit(t, c, "k", t0, sample())
	wantHit(t, c, "k", t0.Add(30*time.Second), sample())
}

func testMiss(t *testing.T, c respcache.Cache) {
	e, ok, err := c.Get(context.Background(), "absent", t0)
	if ok || e != nil || err != nil {
		t.Fatalf("Get(absent) = %v, %v, %v; want nil, false, nil", e, ok, err)
	}
}

func testEmptyEntry(t *testing.T, c respcache.Cache) {
	for _, encrypt := range []bool{false, true} {
		key := fmt.Sprintf("empty-%v", encrypt)
		mustSet(t, c, key, &respcache.Entry{Status: 204}, time.Minute, encrypt, t0)
		wantHit(t, c, key, t0, &respcache.Entry{Status: 204})
	}
}

// testNoRetain: changing the entry after Set does not change the cache.
func testNoRetain(t *testing.T, c respcache.Cache) {
	for _, encrypt := range []bool{false, true} {
		key := fmt.Sprintf("k-%v", encrypt)
		e := sample()
		mustSet(t, c, key, e, time.Minute, encrypt, t0)
		e.Status = 500
		e.Headers[0][1] = "changed"
		e.Body[0] = 'X'
		wantHit(t, c, key, t0, sample())
	}
}

// testHeadersOwned: the Headers slice returned by Get is the caller's.
func testHeadersOwned(t *testing.T, c respcache.Cache) {
	for _, encrypt := range []bool{false, true} {
		key := fmt.Sprintf("k-%v", encrypt)
		mustSet(t, c, key, sample(), time.Minute, encrypt, t0)
		got, _ := get(t, c, key, t0)
		got.Status = 500
		got.Headers[0] = [2]string{"Warning", "199 changed"}
		_ = append(got.Headers[:1], [2]string{"X-Appended", "1"})
		wantHit(t, c, key, t0, sample())
	}
}

// testExpiry: an entry set at t0 with ttl d is live for t0 <= now < t0+d.
func testExpiry(t *testing.T, c respcache.Cache) {
	for _, encrypt := range []bool{false, true} {
		key := fmt.Sprintf("k-%v", encrypt)
		mustSet(t, c, key, sample(), 300*time.Second, encrypt, t0)
		wantHit(t, c, key, t0.Add(300*time.Second-time.Nanosecond), sample())
		wantMiss(t, c, key, t0.Add(300*time.Second))
		wantMiss(t, c, key, t0.Add(time.Hour))
	}
	mustSet(t, c, "ns", sample(), time.Nanosecond, false, t0)
	wantHit(t, c, "ns", t0, sample())
	wantMiss(t, c, "ns", t0.Add(time.Nanosecond))
}

func testZeroTTL(t *testing.T, c respcache.Cache) {
	for _, ttl := range []time.Duration{0, -time.Second} {
		key := fmt.Sprintf("k%d", ttl)
		mustSet(t, c, key, sample(), ttl, false, t0)
		wantMiss(t, c, key, t0)
		// ttl 0 also replaces (removes) an existing entry.
		mustSet(t, c, key, sample(), time.Minute, false, t0)
		mustSet(t, c, key, sample(), ttl, false, t0)
		wantMiss(t, c, key, t0)
	}
}

func testDelete(t *testing.T, c respcache.Cache) {
	ctx := context.Background()
	mustSet(t, c, "a", sample(), time.Minute, false, t0)
	mustSet(t, c, "b", sample(), time.Minute, true, t0)
	for _, key := range []string{"a", "b"} {
		if err := c.Delete(ctx, key); err != nil {
			t.Fatalf("Delete(%q): %v", key, err)
		}
		wantMiss(t, c, key, t0)
	}
	if err := c.Delete(ctx, "absent"); err != nil {
		t.Fatalf("Delete(absent): %v", err)
	}
	// The invalidation sequence: Delete, then Set the fresh response.
	fresh := &respcache.Entry{Status: 200, Body: []byte("fresh")}
	mustSet(t, c, "a", fresh, time.Minute, false, t0)
	wantHit(t, c, "a", t0, fresh)
}

func testFlush(t *testing.T, c respcache.Cache) {
	keys := []string{"a", "b", "c", "d"}
	for i, key := range keys {
		mustSet(t, c, key, sample(), time.Minute, i%2 == 0, t0)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	for _, key := range keys {
		wantMiss(t, c, key, t0)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatalf("Flush of an empty cache: %v", err)
	}
	mustSet(t, c, "a", sample(), time.Minute, false, t0)
	wantHit(t, c, "a", t0, sample())
}

func testOversize(t *testing.T, c respcache.Cache) {
	ctx := context.Background()
	for _, encrypt := range []bool{false, true} {
		key := fmt.Sprintf("k-%v", encrypt)
		limit := &respcache.Entry{Status: 200, Body: bytes.Repeat([]byte{0xa5}, respcache.MaxEntryBytes)}
		mustSet(t, c, key, limit, time.Minute, encrypt, t0)
		wantHit(t, c, key, t0, limit)

		over := &respcache.Entry{Status: 200, Body: bytes.Repeat([]byte{0x5a}, respcache.MaxEntryBytes+1)}
		err := c.Set(ctx, key, over, time.Minute, encrypt, t0)
		if !errors.Is(err, respcache.ErrTooLarge) {
			t.Fatalf("Set of a %d-byte body: %v, want ErrTooLarge", len(over.Body), err)
		}
		// Not stored, and the previous entry is gone.
		wantMiss(t, c, key, t0)
	}
}

func testEncrypted(t *testing.T, c respcache.Cache) {
	mustSet(t, c, "k", sample(), time.Minute, true, t0)
	wantHit(t, c, "k", t0, sample())
	wantHit(t, c, "k", t0, sample()) // a second hit decrypts again
	wantMiss(t, c, "k", t0.Add(time.Minute))
}

func testOverwrite(t *testing.T, c respcache.Cache) {
	a := &respcache.Entry{Status: 200, Headers: [][2]string{{"A", "1"}}, Body: []byte("first")}
	b := &respcache.Entry{Status: 404, Body: []byte("second, longer")}
	mustSet(t, c, "k", a, time.Minute, false, t0)
	mustSet(t, c, "k", b, time.Minute, true, t0)
	wantHit(t, c, "k", t0, b)
	mustSet(t, c, "k", a, time.Minute, false, t0)
	wantHit(t, c, "k", t0, a)
	// The new TTL replaces the old one, in both directions.
	mustSet(t, c, "k", b, 10*time.Second, false, t0)
	wantMiss(t, c, "k", t0.Add(10*time.Second))
	mustSet(t, c, "k", a, 10*time.Second, false, t0)
	mustSet(t, c, "k", a, time.Hour, false, t0)
	wantHit(t, c, "k", t0.Add(time.Minute), a)
}

// testKeysIndependent: entries under keys built by respcache.Key for
// differing parameters do not collide.
func testKeysIndependent(t *testing.T, c respcache.Cache) {
	keys := []string{
		respcache.Key("res1", "GET", nil),
		respcache.Key("res1", "GET", []string{""}),
		respcache.Key("res1", "GET", []string{"a", "b|c"}),
		respcache.Key("res1", "GET", []string{"a|b", "c"}),
		respcache.Key("res1", "POST", []string{"a", "b|c"}),
		respcache.Key("res2", "GET", []string{"a", "b|c"}),
	}
	for i, key := range keys {
		mustSet(t, c, key, &respcache.Entry{Status: 200 + i}, time.Minute, i%2 == 1, t0)
	}
	for i, key := range keys {
		wantHit(t, c, key, t0, &respcache.Entry{Status: 200 + i})
	}
}

// testConcurrent runs Get, Set, Delete and Flush from several goroutines
// (meaningful under -race) and checks that every hit is a whole entry that
// was set under that key.
func testConcurrent(t *testing.T, c respcache.Cache) {
	ctx := context.Background()
	const workers, rounds, keys = 8, 200, 5
	entry := func(k, v int) *respcache.Entry {
		return &respcache.Entry{
			Status:  200 + k,
			Headers: [][2]string{{"X-Key", fmt.Sprint(k)}, {"X-Version", fmt.Sprint(v)}},
			Body:    bytes.Repeat([]byte{byte(k)}, 64+v%32),
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				k := (w + i) % keys
				key := fmt.Sprintf("key-%d", k)
				var err error
				switch i % 10 {
				case 0, 1, 2:
					err = c.Set(ctx, key, entry(k, w*rounds+i), time.Minute, i%2 == 0, t0)
				case 3:
					err = c.Delete(ctx, key)
				case 4:
					if w == 0 && i%50 == 4 {
						err = c.Flush(ctx)
					}
				default:
					var e *respcache.Entry
					var ok bool
					e, ok, err = c.Get(ctx, key, t0)
					if err == nil && ok && (e.Status != 200+k || len(e.Headers) != 2 ||
						e.Headers[0] != [2]string{"X-Key", fmt.Sprint(k)} ||
						!bytes.Equal(e.Body, bytes.Repeat([]byte{byte(k)}, len(e.Body)))) {
						err = fmt.Errorf("Get(%q): torn or foreign entry %+v", key, e)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
