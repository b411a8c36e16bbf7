package docstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

type doc struct {
	Name string            `json:"name"`
	Tags map[string]string `json:"tags,omitempty"`
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestListsInCreationOrder: List orders by creation stamp, not by key.
func TestListsInCreationOrder(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	var seq docstore.Sequence
	_, err := st.Update(ctx, func(tx store.Tx) error {
		for _, name := range []string{"c", "a", "b"} {
			if err := docstore.Put(ctx, tx, "d/"+name, seq.Next(), doc{Name: name}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.View(ctx, func(r store.Reader) error {
		docs, err := docstore.List[doc](ctx, r, "d/")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, d := range docs {
			names = append(names, d.Name)
		}
		if !reflect.DeepEqual(names, []string{"c", "a", "b"}) {
			t.Errorf("List order %v, want creation order [c a b]", names)
		}
		if _, _, err := docstore.Get[doc](ctx, r, "d/zz"); !docstore.IsNotFound(err) {
			t.Errorf("Get of a missing key: %v", err)
		}
		missing := awserr.NotFound("gone")
		if _, _, err := docstore.Get[doc](ctx, r, "d/zz"); docstore.NotFound(err, missing) != missing {
			t.Errorf("NotFound does not map store.ErrNotFound")
		}
		return nil
	})
}

// TestTags: Tag merges and checks the merged set, Untag removes keys, and a
// rejected tag set changes nothing.
func TestTags(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	missing := awserr.NotFound("no such doc")
	tags := docstore.TagsOf("d/x", func(d *doc) *map[string]string { return &d.Tags }, missing)
	lim := docstore.TagLimits{MaxTags: 2, MaxValue: 3}
	check := func(m map[string]string) error { return docstore.CheckTags(m, lim) }
	update := func(fn func(store.Tx) error) error { _, err := st.Update(ctx, fn); return err }

	if err := update(func(tx store.Tx) error { return tags.Tag(ctx, tx, map[string]string{"a": "1"}, check) }); !errors.Is(err, missing) {
		t.Fatalf("tagging a missing document: %v", err)
	}
	if err := update(func(tx store.Tx) error { return docstore.Put(ctx, tx, "d/x", 1, doc{Name: "x"}) }); err != nil {
		t.Fatal(err)
	}
	if err := update(func(tx store.Tx) error { return tags.Tag(ctx, tx, map[string]string{"a": "1", "b": "2"}, check) }); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []map[string]string{{"c": "3"}, {"a": "long"}, {"aws:x": "1"}, {"": "1"}} {
		err := update(func(tx store.Tx) error { return tags.Tag(ctx, tx, bad, check) })
		if e, ok := awserr.As(err); !ok || e.Status != 400 {
			t.Errorf("Tag %v: %v, want a 400", bad, err)
		}
	}
	if err := update(func(tx store.Tx) error { return tags.Untag(ctx, tx, []string{"a", "nope"}) }); err != nil {
		t.Fatal(err)
	}
	_ = st.View(ctx, func(r store.Reader) error {
		got, err := tags.Get(ctx, r)
		if err != nil || !reflect.DeepEqual(got, map[string]string{"b": "2"}) {
			t.Errorf("tags %v %v, want {b:2}", got, err)
		}
		return nil
	})
	if err := update(func(tx store.Tx) error { return tags.Untag(ctx, tx, []string{"b"}) }); err != nil {
		t.Fatal(err)
	}
	_ = st.View(ctx, func(r store.Reader) error {
		if got, err := tags.Get(ctx, r); err != nil || got == nil || len(got) != 0 {
			t.Errorf("tags of an untagged document: %#v %v, want an empty map", got, err)
		}
		d, _, _ := docstore.Get[doc](ctx, r, "d/x")
		if d.Tags != nil {
			t.Errorf("an empty tag set is stored as %#v, want nil", d.Tags)
		}
		return nil
	})
}
