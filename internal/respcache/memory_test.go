package respcache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var now0 = time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)

// chargeFor is what a Memory charges for e stored plain under key.
func chargeFor(key string, e *Entry) int64 {
	return int64(len(key)) + recordHeaderSize + int64(entrySize(e)) + EntryOverhead
}

// keys returns m's keys from most to least recently used, checking the
// list, the map and the accounting against each other.
func keys(t *testing.T, m *Memory) []string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	var sum int64
	for n := m.lru.next; n != &m.lru; n = n.next {
		if n.next.prev != n {
			t.Fatal("broken list links")
		}
		if m.items[n.key] != n {
			t.Fatalf("list node %q is not the map's", n.key)
		}
		out = append(out, n.key)
		sum += n.size
	}
	if len(out) != len(m.items) {
		t.Fatalf("list has %d nodes, map %d", len(out), len(m.items))
	}
	if sum != m.used {
		t.Fatalf("used = %d, nodes add up to %d", m.used, sum)
	}
	if m.used > m.capacity {
		t.Fatalf("used %d exceeds capacity %d", m.used, m.capacity)
	}
	return out
}

func TestMemoryLRU(t *testing.T) {
	ctx := context.Background()
	e := &Entry{Status: 200, Body: bytes.Repeat([]byte("b"), 100)}
	// Room for exactly three entries with one-byte keys.
	m := NewMemory(3*chargeFor("a", e), nil)
	set := func(key string) {
		t.Helper()
		if err := m.Set(ctx, key, e, time.Minute, false, now0); err != nil {
			t.Fatal(err)
		}
	}
	set("a")
	set("b")
	set("c")
	if got := keys(t, m); !slices.Equal(got, []string{"c", "b", "a"}) {
		t.Fatalf("order %q", got)
	}
	if m.Used() != m.Capacity() {
		t.Fatalf("used %d, want the full capacity %d", m.Used(), m.Capacity())
	}
	if _, ok, _ := m.Get(ctx, "a", now0); !ok {
		t.Fatal("a missing")
	}
	set("d") // evicts b, the least recently used
	if got := keys(t, m); !slices.Equal(got, []string{"d", "a", "c"}) {
		t.Fatalf("after a Get of a and a Set of d: order %q, want d a c", got)
	}
	if _, ok, _ := m.Get(ctx, "b", now0); ok {
		t.Fatal("b survived eviction")
	}
	set("c") // overwrite moves to the front without evicting
	if got := keys(t, m); !slices.Equal(got, []string{"c", "d", "a"}) {
		t.Fatalf("after overwriting c: order %q", got)
	}
	// A bigger entry evicts as many as it needs.
	big := &Entry{Status: 200, Body: bytes.Repeat([]byte("b"), 250)}
	if err := m.Set(ctx, "e", big, time.Minute, false, now0); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, m); !slices.Equal(got, []string{"e", "c"}) {
		t.Fatalf("after a big entry: order %q, want e c", got)
	}
}

func TestMemoryEntryLargerThanCapacity(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(1000, nil)
	small := &Entry{Status: 200, Body: []byte("x")}
	if err := m.Set(ctx, "k", small, time.Minute, false, now0); err != nil {
		t.Fatal(err)
	}
	err := m.Set(ctx, "k", &Entry{Body: make([]byte, 1000)}, time.Minute, false, now0)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Set of an entry larger than the cache: %v, want ErrTooLarge", err)
	}
	if m.Len() != 0 || m.Used() != 0 {
		t.Errorf("after a too-large Set: len %d used %d, want an empty cache", m.Len(), m.Used())
	}
	if err := NewMemory(0, nil).Set(ctx, "k", small, time.Minute, false, now0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("zero-capacity cache: %v, want ErrTooLarge", err)
	}
}

// TestMemoryBoundRandom runs a random workload and checks the invariants
// after every operation.
func TestMemoryBoundRandom(t *testing.T) {
	ctx := context.Background()
	box := testBox(t)
	m := NewMemory(20_000, box)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		key := fmt.Sprintf("key-%d", r.IntN(60))
		now := now0.Add(time.Duration(i) * time.Second)
		switch op := r.IntN(10); {
		case op < 5:
			e := &Entry{Status: 200, Headers: [][2]string{{"N", key}}, Body: make([]byte, r.IntN(2000))}
			ttl := time.Duration(r.IntN(100)) * time.Second
			if err := m.Set(ctx, key, e, ttl, op == 0, now); err != nil && !errors.Is(err, ErrTooLarge) {
				t.Fatal(err)
			}
		case op < 9:
			if _, _, err := m.Get(ctx, key, now); err != nil {
				t.Fatal(err)
			}
		default:
			m.Delete(ctx, key)
		}
		keys(t, m)
	}
}

func TestMemoryExpiredDroppedOnGet(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(1<<20, nil)
	e := &Entry{Status: 200, Body: []byte("x")}
	m.Set(ctx, "short", e, time.Second, false, now0)
	m.Set(ctx, "long", e, time.Hour, false, now0)
	if m.Len() != 2 {
		t.Fatalf("len %d", m.Len())
	}
	if _, ok, _ := m.Get(ctx, "short", now0.Add(time.Second)); ok {
		t.Fatal("expired entry returned")
	}
	if got := keys(t, m); !slices.Equal(got, []string{"long"}) {
		t.Errorf("after a Get of an expired entry: keys %q, want only long", got)
	}
	if m.Used() != chargeFor("long", e) {
		t.Errorf("used %d, want %d", m.Used(), chargeFor("long", e))
	}
}

func TestMemoryFlushResets(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(1<<20, nil)
	for i := range 10 {
		m.Set(ctx, fmt.Sprint(i), &Entry{Body: []byte("x")}, time.Minute, false, now0)
	}
	m.Flush(ctx)
	if got := keys(t, m); len(got) != 0 || m.Used() != 0 {
		t.Fatalf("after Flush: keys %q, used %d", got, m.Used())
	}
	m.Set(ctx, "a", &Entry{Body: []byte("x")}, time.Minute, false, now0)
	if got := keys(t, m); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("after Flush and Set: keys %q", got)
	}
}

func TestMemoryEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(1<<20, testBox(t))
	body := []byte("PLAINTEXT-BODY-" + strings.Repeat("0123456789", 10))
	e := &Entry{Status: 200, Headers: [][2]string{{"X-Secret-Header", "header-value-to-hide"}}, Body: body}
	if err := m.Set(ctx, "k", e, time.Minute, true, now0); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	n := m.items["k"]
	m.mu.Unlock()
	if !n.sealed || n.plain != nil {
		t.Fatal("entry not stored sealed")
	}
	for _, secret := range []string{string(body[:16]), "header-value-to-hide", "X-Secret-Header"} {
		if strings.Contains(n.text, secret) {
			t.Errorf("stored bytes contain %q", secret)
		}
	}
	// The charge matches the record EncodeRecord would produce.
	if want := int64(len("k")) + recordHeaderSize + int64(len(n.text)) + EntryOverhead; n.size != want {
		t.Errorf("charged %d, want %d", n.size, want)
	}
	got, ok, err := m.Get(ctx, "k", now0)
	if err != nil || !ok || !equalEntry(got, e) {
		t.Fatalf("Get = %+v, %v, %v", got, ok, err)
	}
	// A plain entry, by contrast, is stored as is.
	m.Set(ctx, "p", e, time.Minute, false, now0)
	m.mu.Lock()
	plain := m.items["p"].plain
	m.mu.Unlock()
	if !bytes.Contains(plain, body) {
		t.Error("plain entry does not hold its body")
	}
}

func TestMemoryNilBox(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(1<<20, nil)
	e := &Entry{Status: 200, Body: []byte("x")}
	m.Set(ctx, "k", e, time.Minute, false, now0)
	if err := m.Set(ctx, "k", e, time.Minute, true, now0); !errors.Is(err, ErrNoBox) {
		t.Fatalf("Set encrypted without a box: %v, want ErrNoBox", err)
	}
	if _, ok, _ := m.Get(ctx, "k", now0); ok {
		t.Error("the failed Set left the old entry in place")
	}
	if err := m.Set(ctx, "k", nil, time.Minute, false, now0); err == nil {
		t.Error("Set of a nil entry succeeded")
	}
}

func TestMemoryGetAllocs(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(1<<20, nil)
	e := &Entry{Status: 200, Headers: [][2]string{{"Content-Type", "application/json"}, {"X-A", "1"}}, Body: make([]byte, 100)}
	m.Set(ctx, "k", e, time.Minute, false, now0)
	// The Entry, its Headers slice and one string for all header bytes;
	// the body is not copied.
	if n := testing.AllocsPerRun(100, func() { m.Get(ctx, "k", now0) }); n > 3 {
		t.Errorf("Get allocates %v times, want at most 3", n)
	}
	m.mu.Lock()
	stored := m.items["k"].plain
	m.mu.Unlock()
	got, _, _ := m.Get(ctx, "k", now0)
	if &got.Body[0] != &stored[len(stored)-100] {
		t.Error("a plain hit copied the body")
	}
}
