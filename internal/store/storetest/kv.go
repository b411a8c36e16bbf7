package storetest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

var kvTests = []testCase{
	{"EmptyStore", testEmptyStore},
	{"GetMissing", testGetMissing},
	{"PutGet", testPutGet},
	{"PutReplaces", testPutReplaces},
	{"ValuesVerbatim", testValuesVerbatim},
	{"ValuesCopied", testValuesCopied},
	{"Create", testCreate},
	{"CreateConflict", testCreateConflict},
	{"Delete", testDelete},
	{"DeleteMissing", testDeleteMissing},
	{"DeletePrefix", testDeletePrefix},
	{"DeletePrefixNoMatch", testDeletePrefixNoMatch},
	{"InvalidKeys", testInvalidKeys},
	{"UnicodeKeys", testUnicodeKeys},
	{"ItemRevision", testItemRevision},
}

func testEmptyStore(t *testing.T, s store.Store) {
	wantRevision(t, s, 0)
	wantKeys(t, "list", list(t, s, "", store.ListOptions{}))
	wantChanges(t, "changes", changes(t, s, 0), nil)
}

func testGetMissing(t *testing.T, s store.Store) {
	mustNotExist(t, s, "restapi/missing")
	put(t, s, "restapi/a", `{}`)
	mustNotExist(t, s, "restapi/missing")
	mustNotExist(t, s, "restapi/") // a prefix of a key is not a key
	mustNotExist(t, s, "restapi/a/")
	_, err := s.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.Get(t.Context(), "restapi/missing")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get in Update: %v, want ErrNotFound", err)
	}
}

func testPutGet(t *testing.T, s store.Store) {
	rev := put(t, s, "restapi/a", `{"name":"a"}`)
	if rev != 1 {
		t.Fatalf("first Update returned revision %d, want 1", rev)
	}
	it := get(t, s, "restapi/a")
	if it.Key != "restapi/a" || string(it.Value) != `{"name":"a"}` || it.Revision != rev {
		t.Fatalf("get = %+v, want key restapi/a, value {\"name\":\"a\"}, revision %d", it, rev)
	}
}

func testPutReplaces(t *testing.T, s store.Store) {
	put(t, s, "k", `{"v":1}`)
	rev := put(t, s, "k", `{"v":2}`)
	it := get(t, s, "k")
	if string(it.Value) != `{"v":2}` || it.Revision != rev {
		t.Fatalf("get = %s@%d, want {\"v\":2}@%d", it.Value, it.Revision, rev)
	}
	wantKeys(t, "list", list(t, s, "", store.ListOptions{}), "k")
}

func testValuesVerbatim(t *testing.T, s store.Store) {
	values := map[string][]byte{
		"spaces":  []byte(`{ "b" : [true, null],  "a": 1.50 }`),
		"unicode": []byte(`{"name":"café 😀 \u00e9"}`),
		"big":     []byte(`{"blob":"` + strings.Repeat("x", 256<<10) + `"}`),
		"scalar":  []byte(`42`),
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for k, v := range values {
			if err := tx.Put(ctx, "v/"+k, v); err != nil {
				return err
			}
		}
		return nil
	})
	for k, v := range values {
		if got := get(t, s, "v/"+k).Value; !bytes.Equal(got, v) {
			t.Errorf("value of %q changed: got %d bytes %.60q, want %d bytes %.60q", k, len(got), got, len(v), v)
		}
	}
}

func testValuesCopied(t *testing.T, s store.Store) {
	v := []byte(`{"n":1}`)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Put(ctx, "k", v) })
	v[6] = '9'
	got := get(t, s, "k").Value
	if string(got) != `{"n":1}` {
		t.Fatalf("store kept the caller's slice: %s", got)
	}
	got[6] = '9'
	if again := get(t, s, "k").Value; string(again) != `{"n":1}` {
		t.Fatalf("store handed out its own slice: %s", again)
	}
}

func testCreate(t *testing.T, s store.Store) {
	rev := update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Create(ctx, "k", doc(1)) })
	it := get(t, s, "k")
	if string(it.Value) != string(doc(1)) || it.Revision != rev {
		t.Fatalf("get = %s@%d, want %s@%d", it.Value, it.Revision, doc(1), rev)
	}
	// Create after a Delete in the same transaction succeeds.
	rev = update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.Delete(ctx, "k"); err != nil {
			return err
		}
		return tx.Create(ctx, "k", doc(2))
	})
	if it := get(t, s, "k"); string(it.Value) != string(doc(2)) || it.Revision != rev {
		t.Fatalf("get after delete+create = %s@%d, want %s@%d", it.Value, it.Revision, doc(2), rev)
	}
}

func testCreateConflict(t *testing.T, s store.Store) {
	rev := put(t, s, "k", `{"v":1}`)
	got, err := s.Update(t.Context(), func(tx store.Tx) error { return tx.Create(t.Context(), "k", doc(2)) })
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Create of existing key: rev %d, err %v; want ErrConflict", got, err)
	}
	if it := get(t, s, "k"); string(it.Value) != `{"v":1}` || it.Revision != rev {
		t.Fatalf("after failed Create: %s@%d, want {\"v\":1}@%d", it.Value, it.Revision, rev)
	}
	// A key created earlier in the same transaction conflicts too.
	_, err = s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.Create(t.Context(), "new", doc(1)); err != nil {
			return err
		}
		return tx.Create(t.Context(), "new", doc(2))
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second Create in one transaction: %v, want ErrConflict", err)
	}
	mustNotExist(t, s, "new")
	wantRevision(t, s, rev)
}

func testDelete(t *testing.T, s store.Store) {
	put(t, s, "a", `1`, "b", `2`)
	rev := update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Delete(ctx, "a") })
	if rev != 2 {
		t.Fatalf("delete revision = %d, want 2", rev)
	}
	mustNotExist(t, s, "a")
	wantKeys(t, "list", list(t, s, "", store.ListOptions{}), "b")
}

func testDeleteMissing(t *testing.T, s store.Store) {
	put(t, s, "a", `1`)
	_, err := s.Update(t.Context(), func(tx store.Tx) error { return tx.Delete(t.Context(), "b") })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Delete of missing key: %v, want ErrNotFound", err)
	}
	// Deleting twice in one transaction: the second finds nothing.
	_, err = s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.Delete(t.Context(), "a"); err != nil {
			return err
		}
		return tx.Delete(t.Context(), "a")
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second Delete in one transaction: %v, want ErrNotFound", err)
	}
	get(t, s, "a")
	wantRevision(t, s, 1)
}

func testDeletePrefix(t *testing.T, s store.Store) {
	put(t, s,
		"a", `1`, "a/", `1`, "a/1", `1`, "a/2/x", `1`, "a0", `1`, "ab/1", `1`, "a.", `1`, "b/1", `1`,
		"%/1", `1`, "%x", `1`, "_/1", `1`, "x/1", `1`)
	var n int
	rev := update(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		n, err = tx.DeletePrefix(ctx, "a/")
		return err
	})
	if n != 3 || rev != 2 {
		t.Fatalf("DeletePrefix(a/) = %d at revision %d, want 3 at 2", n, rev)
	}
	wantKeys(t, "after DeletePrefix(a/)", list(t, s, "a", store.ListOptions{}), "a", "a.", "a0", "ab/1")

	update(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		if n, err = tx.DeletePrefix(ctx, "%/"); err != nil || n != 1 {
			t.Errorf("DeletePrefix(%%/) = %d, %v; want 1", n, err)
		}
		if n, err = tx.DeletePrefix(ctx, "_/"); err != nil || n != 1 {
			t.Errorf("DeletePrefix(_/) = %d, %v; want 1", n, err)
		}
		return nil
	})
	wantKeys(t, "after DeletePrefix(%/, _/)", list(t, s, "", store.ListOptions{}),
		"%x", "a", "a.", "a0", "ab/1", "b/1", "x/1")
}

func testDeletePrefixNoMatch(t *testing.T, s store.Store) {
	put(t, s, "a/1", `1`)
	var n int
	rev := update(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		n, err = tx.DeletePrefix(ctx, "b/")
		return err
	})
	if n != 0 || rev != 1 {
		t.Fatalf("DeletePrefix with no match = %d at revision %d, want 0 at 1 (no new revision)", n, rev)
	}
	wantRevision(t, s, 1)
}

func testInvalidKeys(t *testing.T, s store.Store) {
	bad := []string{"", "\xff", "a/\xc3", "a\x00b"}
	for _, key := range bad {
		ops := map[string]func(ctx context.Context, tx store.Tx) error{
			"Put":    func(ctx context.Context, tx store.Tx) error { return tx.Put(ctx, key, doc(1)) },
			"Create": func(ctx context.Context, tx store.Tx) error { return tx.Create(ctx, key, doc(1)) },
			"Delete": func(ctx context.Context, tx store.Tx) error { return tx.Delete(ctx, key) },
		}
		for name, op := range ops {
			_, err := s.Update(t.Context(), func(tx store.Tx) error { return op(t.Context(), tx) })
			if !errors.Is(err, store.ErrInvalidKey) {
				t.Errorf("%s(%q): %v, want ErrInvalidKey", name, key, err)
			}
		}
	}
	wantRevision(t, s, 0)
	wantKeys(t, "list", list(t, s, "", store.ListOptions{}))
}

func testUnicodeKeys(t *testing.T, s store.Store) {
	ks := []string{"café/1", "日本/語", "😀", "a/é/😀/ü"}
	for i, k := range ks {
		put(t, s, k, string(doc(i)))
	}
	for i, k := range ks {
		if it := get(t, s, k); it.Key != k || string(it.Value) != string(doc(i)) {
			t.Errorf("get %q = %+v", k, it)
		}
	}
}

func testItemRevision(t *testing.T, s store.Store) {
	r1 := put(t, s, "a", `1`, "b", `1`)
	r2 := put(t, s, "b", `2`, "c", `2`)
	r3 := put(t, s, "d", `3`)
	if r1 != 1 || r2 != 2 || r3 != 3 {
		t.Fatalf("revisions %d, %d, %d; want 1, 2, 3", r1, r2, r3)
	}
	want := map[string]int64{"a": r1, "b": r2, "c": r2, "d": r3}
	for _, it := range list(t, s, "", store.ListOptions{}) {
		if it.Revision != want[it.Key] {
			t.Errorf("%s: revision %d, want %d", it.Key, it.Revision, want[it.Key])
		}
	}
	for k, rev := range want {
		if it := get(t, s, k); it.Revision != rev {
			t.Errorf("get %s: revision %d, want %d", k, it.Revision, rev)
		}
	}
}
