package store

import (
	"slices"
	"testing"
)

func TestPrefixEnd(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"", "", false},
		{"a/", "a0", true},
		{"a", "b", true},
		{"é", "\xc3\xaa", true},
		{"a\xff", "b", true},
		{"\xff\xff", "", false},
		{"\U0010FFFF", "\xf4\x8f\xbf\xc0", true},
	}
	for _, c := range cases {
		got, ok := PrefixEnd(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("PrefixEnd(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestChangeSet(t *testing.T) {
	c := NewChangeSet(7)
	c.Record("b", OpPut)
	c.Record("a", OpPut)
	c.Record("b", OpDelete)
	c.Record("c", OpDelete)
	c.Record("c", OpPut)
	want := []Change{{7, OpDelete, "b"}, {7, OpPut, "a"}, {7, OpPut, "c"}}
	if got := c.Changes(); !slices.Equal(got, want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	if got := NewChangeSet(1).Changes(); len(got) != 0 {
		t.Fatalf("empty set: %v", got)
	}
}
