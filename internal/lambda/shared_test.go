package lambda

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// twoNodes returns two Services sharing one store (a cluster's), each
// with its own code dir.
func twoNodes(t *testing.T) (*Service, *Service, store.Store) {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	var nodes [2]*Service
	for i := range nodes {
		nodes[i] = New(Config{Store: st, CodeDir: filepath.Join(dir, "node"+string(rune('a'+i)), "lambda"),
			Region: "us-east-1", AccountID: "000000000000", ShareCode: true})
	}
	t.Cleanup(func() {
		_ = nodes[0].Close()
		_ = nodes[1].Close()
		_ = st.Close()
	})
	return nodes[0], nodes[1], st
}

// TestSharedCode: a function created through one node runs on another,
// which unpacks the package from the store into its own code dir; new
// code uploaded through the second runs on the first; published versions
// keep their code; deleting the function removes its packages from the
// store.
func TestSharedCode(t *testing.T) {
	a, b, st := twoNodes(t)
	ctx := context.Background()
	code := func(v string) []byte {
		return pythonZip(t, "def handler(event, context):\n    return '"+v+"'\n")
	}
	if _, err := a.Create(ctx, Function{FunctionName: "f", Runtime: "python3.11", Handler: "app.handler", Timeout: 30}, code("one"), nil); err != nil {
		t.Fatal(err)
	}
	invoke := func(s *Service, ref, want string) {
		t.Helper()
		res, err := s.InvokeFunction(ctx, ref, []byte(`{}`), Invocation{})
		if err != nil || string(res.Payload) != `"`+want+`"` {
			t.Fatalf("invoke %s: %s %v, want %q", ref, res.Payload, err, want)
		}
	}
	invoke(b, "f", "one")
	fnB, err := b.Get(ctx, "f")
	if err != nil || !strings.HasPrefix(fnB.CodeDir, b.cfg.CodeDir+string(filepath.Separator)) {
		t.Fatalf("B runs the code from %q, want its own code dir %s (%v)", fnB.CodeDir, b.cfg.CodeDir, err)
	}
	if _, err := os.Stat(fnB.CodeDir + ".zip"); err != nil {
		t.Errorf("B keeps no package beside the code: %v", err)
	}
	if _, err := a.PublishVersion(ctx, "f", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Update(ctx, "f", code("two"), nil); err != nil {
		t.Fatal(err)
	}
	invoke(a, "f", "two")
	invoke(a, "f:1", "one")
	invoke(b, "f:1", "one")
	if err := b.Delete(ctx, "f"); err != nil {
		t.Fatal(err)
	}
	_ = st.View(ctx, func(r store.Reader) error {
		items, err := r.List(ctx, codePrefix("f"), store.ListOptions{})
		if err != nil || len(items) != 0 {
			t.Errorf("after DeleteFunction the store holds %d packages (%v)", len(items), err)
		}
		return nil
	})
}
