package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

var listTests = []testCase{
	{"ByteOrder", testListByteOrder},
	{"PrefixIsolation", testListPrefixIsolation},
	{"PrefixWildcards", testListPrefixWildcards},
	{"PrefixMultiByte", testListPrefixMultiByte},
	{"PrefixByteEdges", testListPrefixByteEdges},
	{"Pagination", testListPagination},
	{"AfterOutsidePrefix", testListAfterOutsidePrefix},
	{"NegativeLimit", testListNegativeLimit},
}

// putAll writes every key (value = its index) in one Update, in a shuffled
// order so that insertion order cannot pass for key order.
func putAll(t *testing.T, s store.Store, ks ...string) {
	t.Helper()
	perm := rand.New(rand.NewPCG(1, 2)).Perm(len(ks))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, i := range perm {
			if err := tx.Put(ctx, ks[i], doc(i)); err != nil {
				return err
			}
		}
		return nil
	})
}

func testListByteOrder(t *testing.T, s store.Store) {
	ks := []string{"b", "a", "B", "Z", "a/b", "a/B", "a b", "a~", "é", "e", "😀", "日本", "ab", "a0", "~", "a/", "A"}
	putAll(t, s, ks...)
	want := slices.Clone(ks)
	slices.Sort(want) // Go orders strings byte-wise
	wantKeys(t, "list all", list(t, s, "", store.ListOptions{}), want...)
}

func testListPrefixIsolation(t *testing.T, s store.Store) {
	putAll(t, s, "a", "a/", "a/1", "a/2/x", "a/2/y", "a0", "ab/1", "a.", "a//", "b/1", "A/1", "`/1")
	wantKeys(t, "list a/", list(t, s, "a/", store.ListOptions{}), "a/", "a//", "a/1", "a/2/x", "a/2/y")
	wantKeys(t, "list a/2/", list(t, s, "a/2/", store.ListOptions{}), "a/2/x", "a/2/y")
	wantKeys(t, "list a", list(t, s, "a", store.ListOptions{}),
		"a", "a.", "a/", "a//", "a/1", "a/2/x", "a/2/y", "a0", "ab/1")
	wantKeys(t, "list c/", list(t, s, "c/", store.ListOptions{}))
	wantKeys(t, "list a/1/ (key itself is not under it)", list(t, s, "a/1/", store.ListOptions{}))

	// Items carry their values.
	for _, it := range list(t, s, "a/2/", store.ListOptions{}) {
		if got := get(t, s, it.Key); string(got.Value) != string(it.Value) || got.Revision != it.Revision {
			t.Errorf("list item %+v differs from get %+v", it, got)
		}
	}
}

func testListPrefixWildcards(t *testing.T, s store.Store) {
	putAll(t, s, "p%/1", "p%/2", "p%x", "pX/1", "p_/1", "pa/1", "p\\/1", "p\\x", "p%%/1", "p*/1", "p?/1", "p[/1")
	cases := map[string][]string{
		"p%/":  {"p%/1", "p%/2"},
		"p%":   {"p%%/1", "p%/1", "p%/2", "p%x"},
		"p_/":  {"p_/1"},
		"p\\":  {"p\\/1", "p\\x"},
		"p\\/": {"p\\/1"},
		"p%%":  {"p%%/1"},
		"p*/":  {"p*/1"},
		"p?/":  {"p?/1"},
		"p[/":  {"p[/1"},
	}
	for prefix, want := range cases {
		wantKeys(t, fmt.Sprintf("list %q", prefix), list(t, s, prefix, store.ListOptions{}), want...)
	}
	var n int
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		n, err = tx.DeletePrefix(ctx, "p_")
		return err
	})
	if n != 1 {
		t.Fatalf("DeletePrefix(p_) deleted %d keys, want 1", n)
	}
}

func testListPrefixMultiByte(t *testing.T, s store.Store) {
	putAll(t, s, "é/1", "é/2", "éa", "ê/1", "e/1", "f", "😀/a", "😀😀", "😁/a", "日/1", "日本/1", "旦/1")
	cases := map[string][]string{
		"é/": {"é/1", "é/2"},
		"é":  {"é/1", "é/2", "éa"},
		"😀":  {"😀/a", "😀😀"},
		"😀/": {"😀/a"},
		"日":  {"日/1", "日本/1"},
		"日本": {"日本/1"},
		"e":  {"e/1"},
	}
	for prefix, want := range cases {
		wantKeys(t, fmt.Sprintf("list %q", prefix), list(t, s, prefix, store.ListOptions{}), want...)
	}
}

// testListPrefixByteEdges uses prefixes ending in the largest one-byte and
// the largest Unicode code point, whose byte-wise successors are not valid
// UTF-8.
func testListPrefixByteEdges(t *testing.T, s store.Store) {
	putAll(t, s, "x\u007f", "x\u007f1", "x\u0080", "y\U0010FFFF", "y\U0010FFFF/1", "y\U0010FFFE", "z")
	wantKeys(t, "list x\\u007f", list(t, s, "x\u007f", store.ListOptions{}), "x\u007f", "x\u007f1")
	wantKeys(t, "list y\\U0010FFFF", list(t, s, "y\U0010FFFF", store.ListOptions{}), "y\U0010FFFF", "y\U0010FFFF/1")
	wantKeys(t, "list \\U0010FFFF", list(t, s, "\U0010FFFF", store.ListOptions{}))
}

func testListPagination(t *testing.T, s store.Store) {
	var all []string
	for i := range 25 {
		all = append(all, fmt.Sprintf("k/%02d", i))
	}
	putAll(t, s, append([]string{"j", "k", "k0", "l/1"}, all...)...)

	wantKeys(t, "limit 0", list(t, s, "k/", store.ListOptions{Limit: 0}), all...)
	wantKeys(t, "limit 100", list(t, s, "k/", store.ListOptions{Limit: 100}), all...)
	wantKeys(t, "limit 1", list(t, s, "k/", store.ListOptions{Limit: 1}), all[0])
	wantKeys(t, "after k/04 limit 3", list(t, s, "k/", store.ListOptions{After: "k/04", Limit: 3}), all[5:8]...)
	wantKeys(t, "after k/04x", list(t, s, "k/", store.ListOptions{After: "k/04x"}), all[5:]...)
	wantKeys(t, "after last", list(t, s, "k/", store.ListOptions{After: all[24]}))

	for _, limit := range []int{1, 7, 25} {
		var got []string
		after := ""
		for pages := 0; ; pages++ {
			if pages > 30 {
				t.Fatalf("limit %d: pagination does not end", limit)
			}
			page := list(t, s, "k/", store.ListOptions{After: after, Limit: limit})
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d items", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			got = append(got, keys(page)...)
			after = page[len(page)-1].Key
		}
		if !slices.Equal(got, all) {
			t.Fatalf("limit %d: paged keys %q, want %q", limit, got, all)
		}
	}
}

func testListAfterOutsidePrefix(t *testing.T, s store.Store) {
	putAll(t, s, "a", "k/1", "k/2", "z")
	wantKeys(t, "after before the prefix", list(t, s, "k/", store.ListOptions{After: "a"}), "k/1", "k/2")
	wantKeys(t, "after equal to the prefix", list(t, s, "k/", store.ListOptions{After: "k/"}), "k/1", "k/2")
	wantKeys(t, "after beyond the prefix", list(t, s, "k/", store.ListOptions{After: "l"}))
	wantKeys(t, "empty prefix with after", list(t, s, "", store.ListOptions{After: "k/1"}), "k/2", "z")
}

func testListNegativeLimit(t *testing.T, s store.Store) {
	putAll(t, s, "a")
	err := s.View(t.Context(), func(r store.Reader) error {
		_, err := r.List(t.Context(), "", store.ListOptions{Limit: -1})
		return err
	})
	if err == nil {
		t.Fatalf("List with a negative limit succeeded")
	}
}
