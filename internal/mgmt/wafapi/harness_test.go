package wafapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/mgmt/wafapi"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

const (
	region  = "us-east-1"
	account = "000000000000"
)

var fixedNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// env is an in-process management server with the wafv2 and apigateway
// operations on a fresh store, with deterministic ids and a fixed clock.
type env struct {
	t     *testing.T
	h     http.Handler
	store *sqlite.Store
	logs  bytes.Buffer
}

type seqIDs struct{ n atomic.Int64 }

func (s *seqIDs) ID(n int) string {
	id := fmt.Sprintf("%020d", s.n.Add(1))
	return id[len(id)-n:]
}

func newEnv(t *testing.T, samples wafapi.Samples) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := &env{t: t, store: st}
	var ids atomic.Int64
	waf := wafapi.New(wafapi.Config{Store: st, Region: region, AccountID: account, Samples: samples,
		Now:   func() time.Time { return fixedNow },
		NewID: func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", ids.Add(1)) }})
	api := apigw.New(apigw.Config{Store: st, Region: region, AccountID: account, Now: func() time.Time { return fixedNow }, IDs: &seqIDs{}})
	e.h = mgmt.New(mgmt.Config{Services: []mgmt.Registrar{waf, api}, Logger: slog.New(slog.NewTextHandler(&e.logs, nil))})
	return e
}

// answer is one wafv2 response.
type answer struct {
	status int
	header http.Header
	typ    string
	body   map[string]any
	raw    []byte
}

// call sends AWSWAF_20190729.{op} with body (marshalled unless a string).
func (e *env) call(op string, body any) answer {
	e.t.Helper()
	var b []byte
	if s, ok := body.(string); ok {
		b = []byte(s)
	} else {
		var err error
		if b, err = json.Marshal(body); err != nil {
			e.t.Fatal(err)
		}
	}
	req := httptest.NewRequest("POST", "/", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSWAF_20190729."+op)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Result().Body)
	a := answer{status: rec.Code, header: rec.Header(), raw: raw}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		e.t.Fatalf("%s: body is not JSON: %q", op, raw)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		e.t.Errorf("%s: Content-Type %q", op, ct)
	}
	if a.status != 200 {
		a.typ, _ = a.body["__type"].(string)
	}
	if a.status >= 500 {
		e.t.Errorf("%s: %d %s\n%s", op, a.status, raw, e.logs.String())
	}
	return a
}

// ok calls op and fails unless it answers 200.
func (e *env) ok(op string, body any) map[string]any {
	e.t.Helper()
	a := e.call(op, body)
	if a.status != 200 {
		e.t.Fatalf("%s: %d %s", op, a.status, a.raw)
	}
	return a.body
}

// rest sends an apigateway REST-JSON call.
func (e *env) rest(method, path string, body any) map[string]any {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code >= 300 {
		e.t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body.String())
	}
	out := map[string]any{}
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// restAPI creates a REST API with a MOCK ANY method on / deployed to
// stage, and returns its id.
func (e *env) restAPI(name, stage string) string {
	e.t.Helper()
	api := e.rest("POST", "/restapis", map[string]any{"name": name})["id"].(string)
	res := e.rest("GET", "/restapis/"+api+"/resources", nil)
	root := res["item"].([]any)[0].(map[string]any)["id"].(string)
	e.rest("PUT", "/restapis/"+api+"/resources/"+root+"/methods/ANY", map[string]any{"authorizationType": "NONE"})
	e.rest("PUT", "/restapis/"+api+"/resources/"+root+"/methods/ANY/integration", map[string]any{"type": "MOCK",
		"requestTemplates": map[string]string{"application/json": `{"statusCode": 200}`}})
	e.rest("POST", "/restapis/"+api+"/deployments", map[string]any{"stageName": stage})
	return api
}

// revision is the store's revision, to show that a call changed nothing.
func (e *env) revision() int64 {
	e.t.Helper()
	rev, err := e.store.Revision(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return rev
}

// str digs a string out of a decoded body by member path.
func str(m map[string]any, path string) string {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		mm, _ := cur.(map[string]any)
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}
