package deploy

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/faultstore"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// TestWatcherStopsOnStoreErrorAndResumes: when a stage change arrives but
// the store cannot be read, Run returns the error (it does not skip the
// change, nor report it as a compile failure), the previous version keeps
// serving, and Revision stays before the change, so that Run(ctx,
// w.Revision()) after the store heals applies it.
func TestWatcherStopsOnStoreErrorAndResumes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	real, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer real.Close()
	st := faultstore.Wrap(real)
	put(t, st, model.ChildKey(model.KindSnapshot, "api1", "d1"), snapshot("api1", map[string]string{"/a": "one"}))
	put(t, st, model.ChildKey(model.KindStage, "api1", "dev"), model.Stage{StageName: "dev", DeploymentID: "d1"})
	door := &front.Door{}
	w := &Watcher{Store: st, Front: door, Compiler: &Compiler{Clients: upstream.NewClients()}}
	rev, err := w.Sync(ctx)
	if err != nil || w.Revision() != rev || rev != 2 {
		t.Fatalf("Sync: %d %v, Revision %d", rev, err, w.Revision())
	}
	h := door
	body := func() string { return string(serve(h, "GET", "x", "/_aws/execute-api/api1/dev/a").Body()) }

	errDisk := errors.New("disk I/O error")
	st.Fail(faultstore.View, errDisk)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, rev) }()
	put(t, st, model.ChildKey(model.KindSnapshot, "api1", "d2"), snapshot("api1", map[string]string{"/a": "two"}))
	put(t, st, model.ChildKey(model.KindStage, "api1", "dev"), model.Stage{StageName: "dev", DeploymentID: "d2"})
	select {
	case err := <-done:
		if !errors.Is(err, errDisk) {
			t.Fatalf("Run: %v, want the store error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run kept going past a change it could not read")
	}
	// The snapshot (rev 3) needs no read; the stage change (rev 4) does.
	if w.Revision() != 3 || body() != "one" || len(w.Failures()) != 0 {
		t.Fatalf("after the failure: Revision %d, body %q, failures %v", w.Revision(), body(), w.Failures())
	}

	st.Heal()
	go func() { done <- w.Run(ctx, w.Revision()) }()
	deadline := time.Now().Add(30 * time.Second)
	for body() != "two" || w.Revision() != 4 {
		if time.Now().After(deadline) {
			t.Fatalf("not resumed: Revision %d, body %q", w.Revision(), body())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after ctx ended: %v", err)
	}
}

// TestWatcherRetiresMetrics: a stage's metric series count on across
// recompiles and redeploys, a redeploy that drops a resource drops its
// series, and deleting the stage takes the rest off /metrics.
func TestWatcherRetiresMetrics(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	put(t, st, model.ChildKey(model.KindSnapshot, "api1", "d1"), snapshot("api1", map[string]string{"/a": "one", "/b": "b"}))
	put(t, st, model.ChildKey(model.KindStage, "api1", "dev"), model.Stage{StageName: "dev", DeploymentID: "d1"})
	reg := prometheus.NewRegistry()
	door := &front.Door{}
	w := &Watcher{Store: st, Front: door, Compiler: &Compiler{Clients: upstream.NewClients(), Metrics: observe.NewMetrics(reg)}}
	rev, err := w.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.Run(ctx, rev) }()
	sent := 0 // requests to /a
	get := func(path, want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			if path == "/a" {
				sent++
			}
			if got := string(serve(door, "GET", "x", "/_aws/execute-api/api1/dev"+path).Body()); got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: never %q", path, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	count := func() map[string]float64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				if mf.GetName() != "apigateway_Count" {
					continue
				}
				for _, l := range m.GetLabel() {
					if l.GetName() == "resource" {
						out[l.GetValue()] = m.GetCounter().GetValue()
					}
				}
			}
		}
		return out
	}
	get("/a", "one")
	get("/b", "b")

	// New stage variables (same deployment), then a redeploy without /b.
	put(t, st, model.ChildKey(model.KindStage, "api1", "dev"), model.Stage{StageName: "dev", DeploymentID: "d1", Variables: map[string]string{"v": "1"}})
	put(t, st, model.ChildKey(model.KindSnapshot, "api1", "d2"), snapshot("api1", map[string]string{"/a": "two"}))
	put(t, st, model.ChildKey(model.KindStage, "api1", "dev"), model.Stage{StageName: "dev", DeploymentID: "d2"})
	get("/a", "two")
	if got := count(); len(got) != 2 || got["/a"] != float64(sent) || got["-"] != 0 {
		t.Errorf("after the redeploy: %v, want /a counting on (%d) and /b gone", got, sent)
	}

	if _, err := st.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, model.ChildKey(model.KindStage, "api1", "dev")) }); err != nil {
		t.Fatal(err)
	}
	get("/a", `{"message":"Forbidden"}`)
	if got := count(); len(got) != 0 {
		t.Errorf("a deleted stage's series stay: %v", got)
	}
}
