package shardmap

import (
	"strconv"
	"testing"
)

// TestMap: entries are stored once per key, counted, swept by the owner's
// rule, and a sweep is claimed by one caller per interval.
func TestMap(t *testing.T) {
	m := New[int]()
	for i := range 1000 {
		k := strconv.Itoa(i)
		v := i
		if got := m.Shard(k).LoadOrStore(k, &v); *got != i {
			t.Fatalf("LoadOrStore(%s) = %d", k, *got)
		}
		other := -1
		if got := m.Shard(k).LoadOrStore(k, &other); *got != i {
			t.Fatalf("second LoadOrStore(%s) = %d, want the first entry", k, *got)
		}
	}
	if n := m.Len(); n != 1000 {
		t.Fatalf("Len = %d", n)
	}
	if m.Shard("nope").Load("nope") != nil {
		t.Fatal("Load of an absent key is not nil")
	}
	m.Each(func(sh *Shard[int]) { sh.Sweep(func(v *int) bool { return *v%2 == 0 }) })
	if n := m.Len(); n != 500 {
		t.Fatalf("Len after sweeping the even entries = %d", n)
	}
	if v := m.Shard("7").Load("7"); v == nil || *v != 7 {
		t.Fatalf("Load(7) = %v", v)
	}
	sh := m.Shard("x")
	if !sh.Due(100, 10) || sh.Due(105, 10) || !sh.Due(110, 10) {
		t.Fatal("Due: want due at 100, not at 105, due again at 110")
	}
	if !sh.Due(50, 10) || sh.Due(50, 10) {
		t.Fatal("Due: a next sweep far ahead of now (a clock far ahead) must be due once")
	}
}
