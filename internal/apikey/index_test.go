package apikey_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/apikey"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/faultstore"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// env is a management API over a SQLite store, driven in-process.
type env struct {
	t   *testing.T
	st  *sqlite.Store
	box *secret.Box
	srv *mgmt.Server
	api string // a REST API with stages "dev" (and "prod" once made)
}

func newEnv(t *testing.T, opts ...sqlite.Option) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "store.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	box, err := secret.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := apigw.New(apigw.Config{Store: st, Region: "us-east-1", AccountID: "000000000000", Secrets: box})
	e := &env{t: t, st: st, box: box, srv: mgmt.New(mgmt.Config{Services: []mgmt.Registrar{a}})}
	var api struct{ ID, RootResourceID string }
	e.call("POST", "/restapis", `{"name":"keys"}`, 201, &api)
	e.api = api.ID
	e.call("PUT", "/restapis/"+e.api+"/resources/"+api.RootResourceID+"/methods/GET", `{"authorizationType":"NONE","apiKeyRequired":true}`, 201, nil)
	e.call("PUT", "/restapis/"+e.api+"/resources/"+api.RootResourceID+"/methods/GET/integration", `{"type":"MOCK"}`, 201, nil)
	e.call("POST", "/restapis/"+e.api+"/deployments", `{"stageName":"dev"}`, 201, nil)
	return e
}

// call sends a management request and decodes the answer into out.
func (e *env) call(method, path, body string, want int, out any) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, httptest.NewRequest(method, path, rd))
	if rec.Code != want {
		e.t.Fatalf("%s %s: %d %s (want %d)", method, path, rec.Code, rec.Body, want)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			e.t.Fatal(err)
		}
	}
}

// newKey creates a key and returns its id and value.
func (e *env) newKey(enabled bool) (string, string) {
	var k struct{ ID, Value string }
	body := `{"name":"k","enabled":false}`
	if enabled {
		body = `{"name":"k","enabled":true}`
	}
	e.call("POST", "/apikeys", body, 201, &k)
	return k.ID, k.Value
}

func (e *env) newPlan(body string) string {
	var p struct{ ID string }
	e.call("POST", "/usageplans", body, 201, &p)
	return p.ID
}

func (e *env) patch(path string, triples ...string) {
	e.t.Helper()
	var ops []map[string]string
	for i := 0; i+2 < len(triples); i += 3 {
		ops = append(ops, map[string]string{"op": triples[i], "path": triples[i+1], "value": triples[i+2]})
	}
	b, _ := json.Marshal(map[string]any{"patchOperations": ops})
	e.call("PATCH", path, string(b), 200, nil)
}

// run starts ix.Run and stops it at the end of the test.
func run(t *testing.T, ix *apikey.Index) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ix.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// synced waits until the index reflects everything committed so far.
func (e *env) synced(ix *apikey.Index) {
	e.t.Helper()
	rev, err := e.st.Revision(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for ix.Revision() < rev {
		if time.Now().After(deadline) {
			e.t.Fatalf("index at revision %d, store at %d", ix.Revision(), rev)
		}
		time.Sleep(time.Millisecond)
	}
}

func allowed(t *testing.T, ix *apikey.Index, value, api, stage string, want bool) *apikey.Plan {
	t.Helper()
	_, p, ok := ix.Lookup(value, api, stage)
	if ok != want {
		t.Fatalf("Lookup(%s/%s) = %v, want %v", api, stage, ok, want)
	}
	if ok != (p != nil) {
		t.Fatalf("Lookup returned ok=%v with plan %v", ok, p)
	}
	return p
}

// TestIndexFollowsManagementAPI drives every change that matters through
// the management API and checks the index after each.
func TestIndexFollowsManagementAPI(t *testing.T) {
	e := newEnv(t)
	keyA, valueA := e.newKey(true)
	plan := e.newPlan(`{"name":"gold","throttle":{"burstLimit":10,"rateLimit":5},"quota":{"limit":100,"period":"DAY"},
		"apiStages":[{"apiId":"` + e.api + `","stage":"dev","throttle":{"/pets/GET":{"burstLimit":2,"rateLimit":1}}}]}`)
	e.call("POST", "/usageplans/"+plan+"/keys", `{"keyId":"`+keyA+`","keyType":"API_KEY"}`, 201, nil)

	// Built from the store at start.
	ix, err := apikey.NewIndex(context.Background(), e.st, e.box, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := allowed(t, ix, valueA, e.api, "dev", true)
	if p.ID != plan || p.Throttle == nil || p.Throttle.RateLimit != 5 || p.Quota == nil || p.Quota.Limit != 100 ||
		p.Stages[0].Methods["/pets/GET"] != (apikey.Throttle{BurstLimit: 2, RateLimit: 1}) {
		t.Fatalf("plan %+v", p)
	}
	k, _, _ := ix.Lookup(valueA, e.api, "dev")
	if k.ID != keyA || k.Value != valueA || !k.Enabled || len(k.Plans) != 1 {
		t.Fatalf("key %+v", k)
	}
	allowed(t, ix, valueA, e.api, "prod", false)
	allowed(t, ix, valueA, "otherapi00", "dev", false)
	if k, p, ok := ix.Lookup("no-such-value-00000000", e.api, "dev"); ok || p != nil || k.ID != "" {
		t.Fatalf("unknown value found: %+v", k)
	}
	run(t, ix)

	// A disabled key joins the plan: known, not allowed; enabling it allows it.
	keyB, valueB := e.newKey(false)
	e.call("POST", "/usageplans/"+plan+"/keys", `{"keyId":"`+keyB+`","keyType":"API_KEY"}`, 201, nil)
	e.synced(ix)
	if k, _, ok := ix.Lookup(valueB, e.api, "dev"); ok || k.ID != keyB || k.Enabled {
		t.Fatalf("disabled key: %+v ok=%v", k, ok)
	}
	e.patch("/apikeys/"+keyB, "replace", "/enabled", "true")
	e.synced(ix)
	allowed(t, ix, valueB, e.api, "dev", true)

	// Disabling A.
	e.patch("/apikeys/"+keyA, "replace", "/enabled", "false")
	e.synced(ix)
	allowed(t, ix, valueA, e.api, "dev", false)

	// A new stage bound to the plan, then unbound.
	e.call("POST", "/restapis/"+e.api+"/deployments", `{"stageName":"prod"}`, 201, nil)
	e.patch("/usageplans/"+plan, "add", "/apiStages", e.api+":prod")
	e.synced(ix)
	allowed(t, ix, valueB, e.api, "prod", true)
	e.patch("/usageplans/"+plan, "remove", "/apiStages", e.api+":prod")
	e.synced(ix)
	allowed(t, ix, valueB, e.api, "prod", false)

	// Plan limits change.
	e.patch("/usageplans/"+plan, "replace", "/throttle/rateLimit", "50")
	e.synced(ix)
	if p := allowed(t, ix, valueB, e.api, "dev", true); p.Throttle.RateLimit != 50 {
		t.Fatalf("throttle not updated: %+v", p.Throttle)
	}

	// B leaves the plan.
	e.call("DELETE", "/usageplans/"+plan+"/keys/"+keyB, "", 202, nil)
	e.synced(ix)
	allowed(t, ix, valueB, e.api, "dev", false)
	e.call("POST", "/usageplans/"+plan+"/keys", `{"keyId":"`+keyB+`","keyType":"API_KEY"}`, 201, nil)
	e.synced(ix)
	allowed(t, ix, valueB, e.api, "dev", true)

	// Deleting the stage detaches it from the plan.
	e.call("DELETE", "/restapis/"+e.api+"/stages/dev", "", 202, nil)
	e.synced(ix)
	allowed(t, ix, valueB, e.api, "dev", false)

	// Deleted keys are gone entirely.
	e.call("DELETE", "/apikeys/"+keyA, "", 202, nil)
	e.synced(ix)
	if k, _, _ := ix.Lookup(valueA, e.api, "dev"); k.ID != "" {
		t.Fatalf("deleted key still known: %+v", k)
	}
}

// TestIndexFollowsStoreWrites changes documents directly in the store (as
// another process sharing it would) rather than through the API.
func TestIndexFollowsStoreWrites(t *testing.T) {
	e := newEnv(t)
	key, value := e.newKey(true)
	plan := e.newPlan(`{"name":"p","apiStages":[{"apiId":"` + e.api + `","stage":"dev"}]}`)
	e.call("POST", "/usageplans/"+plan+"/keys", `{"keyId":"`+key+`","keyType":"API_KEY"}`, 201, nil)
	ix, err := apikey.NewIndex(context.Background(), e.st, e.box, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	run(t, ix)
	allowed(t, ix, value, e.api, "dev", true)

	ctx := context.Background()
	if _, err := e.st.Update(ctx, func(tx store.Tx) error {
		return tx.Delete(ctx, model.KeyUsagePlanKey(plan, key))
	}); err != nil {
		t.Fatal(err)
	}
	e.synced(ix)
	allowed(t, ix, value, e.api, "dev", false)

	if _, err := e.st.Update(ctx, func(tx store.Tx) error {
		return tx.Put(ctx, model.KeyUsagePlanKey(plan, key), []byte(`{"seq":1,"v":{"usagePlanId":"`+plan+`","keyId":"`+key+`"}}`))
	}); err != nil {
		t.Fatal(err)
	}
	e.synced(ix)
	allowed(t, ix, value, e.api, "dev", true)

	// The plan document disappears: no plan, no access.
	if _, err := e.st.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, model.KeyUsagePlan(plan)) }); err != nil {
		t.Fatal(err)
	}
	e.synced(ix)
	allowed(t, ix, value, e.api, "dev", false)
}

// TestIndexResyncsAfterCompaction: an index that falls behind a compacted
// change feed reloads everything instead of failing.
func TestIndexResyncsAfterCompaction(t *testing.T) {
	e := newEnv(t, sqlite.WithKeepRevisions(1))
	logs := &lockedBuffer{}
	ix, err := apikey.NewIndex(context.Background(), e.st, e.box, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// Changes made before Run: the feed the index needs is compacted away.
	key, value := e.newKey(true)
	plan := e.newPlan(`{"name":"p","apiStages":[{"apiId":"` + e.api + `","stage":"dev"}]}`)
	e.call("POST", "/usageplans/"+plan+"/keys", `{"keyId":"`+key+`","keyType":"API_KEY"}`, 201, nil)
	run(t, ix)
	e.synced(ix)
	allowed(t, ix, value, e.api, "dev", true)
	if !strings.Contains(logs.String(), "reloading") {
		t.Errorf("the index did not go through a reload: %s", logs.String())
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestIndexUnreadableValue: a key sealed with another secret key (say,
// secret.key was replaced) is unusable and logged by id, never by value.
func TestIndexUnreadableValue(t *testing.T) {
	e := newEnv(t)
	_, value := e.newKey(true)
	other, err := secret.New(bytes.Repeat([]byte{1}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ix, err := apikey.NewIndex(context.Background(), e.st, other, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if k, _, _ := ix.Lookup(value, e.api, "dev"); k.ID != "" {
		t.Fatal("undecryptable key is known")
	}
	if !strings.Contains(logs.String(), "cannot be decrypted") || strings.Contains(logs.String(), value) {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestLookupAllocatesNothing pins the hot path: no allocation, hit or miss.
func TestLookupAllocatesNothing(t *testing.T) {
	e := newEnv(t)
	key, value := e.newKey(true)
	plan := e.newPlan(`{"name":"p","apiStages":[{"apiId":"` + e.api + `","stage":"dev"}]}`)
	e.call("POST", "/usageplans/"+plan+"/keys", `{"keyId":"`+key+`","keyType":"API_KEY"}`, 201, nil)
	ix, err := apikey.NewIndex(context.Background(), e.st, e.box, nil)
	if err != nil {
		t.Fatal(err)
	}
	api := e.api
	if n := testing.AllocsPerRun(1000, func() {
		_, _, _ = ix.Lookup(value, api, "dev")
		_, _, _ = ix.Lookup(value, api, "prod")
		_, _, _ = ix.Lookup("nope", api, "dev")
	}); n != 0 {
		t.Fatalf("Lookup allocates %v times per run", n)
	}
}

// TestLookupDuringChanges reads while the index is being rebuilt (run with
// -race).
func TestLookupDuringChanges(t *testing.T) {
	e := newEnv(t)
	key, value := e.newKey(true)
	plan := e.newPlan(`{"name":"p","apiStages":[{"apiId":"` + e.api + `","stage":"dev"}]}`)
	e.call("POST", "/usageplans/"+plan+"/keys", `{"keyId":"`+key+`","keyType":"API_KEY"}`, 201, nil)
	ix, err := apikey.NewIndex(context.Background(), e.st, e.box, nil)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ix)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if k, p, ok := ix.Lookup(value, e.api, "dev"); ok && (p == nil || k.ID != key) {
					t.Error("inconsistent lookup")
					return
				}
			}
		}()
	}
	for i := range 20 {
		e.patch("/usageplans/"+plan, "replace", "/name", "p"+string(rune('a'+i)))
		e.patch("/apikeys/"+key, "replace", "/enabled", []string{"false", "true"}[i%2])
	}
	close(stop)
	wg.Wait()
	e.synced(ix)
	allowed(t, ix, value, e.api, "dev", true)
}

// BenchmarkLookup measures the data plane's per-request cost.
func BenchmarkLookup(b *testing.B) {
	dir := b.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "store.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	box, _ := secret.LoadOrCreate(dir)
	ix, err := apikey.NewIndex(context.Background(), st, box, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_, _, _ = ix.Lookup("some-key-value-0123456789", "api0000000", "dev")
	}
}

// TestIndexStopsOnStoreErrorAndResumes: a change the index cannot read
// makes Run return the error without counting the change in Revision;
// after the store heals, Run resumes from Revision and applies it.
func TestIndexStopsOnStoreErrorAndResumes(t *testing.T) {
	e := newEnv(t)
	fs := faultstore.Wrap(e.st)
	ix, err := apikey.NewIndex(context.Background(), fs, e.box, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := ix.Revision()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	errDisk := errors.New("disk I/O error")
	fs.Fail(faultstore.View, errDisk)
	go func() { done <- ix.Run(ctx) }()
	key, value := e.newKey(true)
	plan := e.newPlan(`{"name":"p","apiStages":[{"apiId":"` + e.api + `","stage":"dev"}]}`)
	e.call("POST", "/usageplans/"+plan+"/keys", `{"keyId":"`+key+`","keyType":"API_KEY"}`, 201, nil)
	select {
	case err := <-done:
		if !errors.Is(err, errDisk) {
			t.Fatalf("Run: %v, want the store error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run kept going past changes it could not read")
	}
	if ix.Revision() != before {
		t.Fatalf("Revision moved from %d to %d over unapplied changes", before, ix.Revision())
	}
	allowed(t, ix, value, e.api, "dev", false)

	fs.Heal()
	go func() { done <- ix.Run(ctx) }()
	e.synced(ix)
	allowed(t, ix, value, e.api, "dev", true)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after ctx ended: %v", err)
	}
}
