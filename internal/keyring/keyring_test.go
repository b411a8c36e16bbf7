package keyring

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func seedOf(id string) func() (Secrets, error) {
	return func() (Secrets, error) {
		return Secrets{AccessKeyID: id, SecretAccessKey: "secret-" + id,
			CACert: []byte("-----BEGIN CERTIFICATE-----\n" + id + "\n"), CAKey: []byte("ca-private-key-" + id)}, nil
	}
}

// TestFirstNodeSeedsOthersOpen: the first Open stores its seed (with a
// random data key); later Opens with the same cluster key get exactly
// those secrets and never call their seed.
func TestFirstNodeSeedsOthersOpen(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	first, created, err := Open(ctx, st, key(1), seedOf("AKIAFIRST"))
	if err != nil || !created {
		t.Fatalf("first open: created %v, %v", created, err)
	}
	if len(first.DataKey) != 32 || bytes.Equal(first.DataKey, make([]byte, 32)) {
		t.Fatalf("data key %x", first.DataKey)
	}
	second, created, err := Open(ctx, st, key(1), func() (Secrets, error) {
		t.Fatal("seed called although the store holds secrets")
		return Secrets{}, nil
	})
	if err != nil || created {
		t.Fatalf("second open: created %v, %v", created, err)
	}
	if len(first.ClusterID) != 12 || second.ClusterID != first.ClusterID {
		t.Errorf("cluster ids %q %q", first.ClusterID, second.ClusterID)
	}
	if !bytes.Equal(first.DataKey, second.DataKey) || second.AccessKeyID != "AKIAFIRST" || second.SecretAccessKey != "secret-AKIAFIRST" ||
		string(second.CAKey) != "ca-private-key-AKIAFIRST" || !bytes.Equal(first.CACert, second.CACert) {
		t.Fatalf("second node got %+v, want %+v", second, first)
	}
	b1, _ := first.Box()
	b2, _ := second.Box()
	sealed, _ := b1.Seal([]byte("an API key value"))
	if v, err := b2.Open(sealed); err != nil || string(v) != "an API key value" {
		t.Fatalf("a value sealed on one node does not open on another: %q %v", v, err)
	}
}

// TestWrongKeyRefused: another cluster key opens nothing, and the error
// names both keys' ids, not the keys.
func TestWrongKeyRefused(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if _, _, err := Open(ctx, st, key(1), seedOf("A")); err != nil {
		t.Fatal(err)
	}
	_, _, err := Open(ctx, st, key(2), seedOf("B"))
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("wrong key: %v", err)
	}
	for _, want := range []string{"sealed with cluster key " + KeyID(key(1)), "this node has cluster key " + KeyID(key(2))} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if KeyID(key(1)) == KeyID(key(2)) || len(KeyID(key(1))) != 8 {
		t.Errorf("key ids %q %q", KeyID(key(1)), KeyID(key(2)))
	}
	if _, _, err := Open(ctx, st, key(1)[:16], seedOf("C")); err == nil {
		t.Error("a short cluster key was accepted")
	}
}

// TestNothingInTheClear: the stored document holds the secrets sealed,
// not in the clear, and not the cluster key.
func TestNothingInTheClear(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	s, _, err := Open(ctx, st, key(7), seedOf("AKIACLEAR"))
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	_ = st.View(ctx, func(r store.Reader) error {
		it, err := r.Get(ctx, StoreKey)
		raw = it.Value
		return err
	})
	for _, secret := range [][]byte{[]byte("secret-AKIACLEAR"), []byte("ca-private-key"), s.DataKey, key(7)} {
		if bytes.Contains(raw, secret) {
			t.Errorf("the stored document holds %q in the clear", secret)
		}
	}
	if !bytes.Contains(raw, []byte("AKIACLEAR")) {
		t.Errorf("the access key id (not a secret) is missing: %s", raw)
	}
}

// TestConcurrentFirstNodes: nodes starting together on an empty store
// all end up with the one set of secrets that was stored.
func TestConcurrentFirstNodes(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	const n = 6
	got := make([]Secrets, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _, errs[i] = Open(ctx, st, key(3), seedOf(string(rune('A'+i))))
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		if got[i].AccessKeyID != got[0].AccessKeyID || !bytes.Equal(got[i].DataKey, got[0].DataKey) {
			t.Fatalf("node %d got %q, node 0 %q", i, got[i].AccessKeyID, got[0].AccessKeyID)
		}
	}
}

// TestStoreID: a store's id is made once and read back after.
func TestStoreID(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	a, err := StoreID(ctx, st)
	if err != nil || len(a) != 12 {
		t.Fatalf("first: %q %v", a, err)
	}
	if b, err := StoreID(ctx, st); err != nil || b != a {
		t.Fatalf("second: %q %v, want %q", b, err, a)
	}
}
