package mgmt_test

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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/acmapi"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/mgmt/apigwv2"
	"github.com/tollgate/tollgate/internal/mgmt/domains"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/tlscert"
)

// harness is an in-process management server on a fresh SQLite store, with
// a fixed clock and deterministic identifiers so that responses are
// reproducible.
type harness struct {
	t       testing.TB
	handler http.Handler
	logs    *syncBuffer
	store   *sqlite.Store
	// box seals the secrets the operations store (API key values,
	// private keys).
	box *secret.Box
}

// seqIDs hands out deterministic identifiers: "id0001", "id0002", ... padded
// or cut to the requested length.
type seqIDs struct{ n atomic.Int64 }

func (s *seqIDs) ID(n int) string {
	v := strconv.FormatInt(s.n.Add(1), 36)
	id := string(bytes.Repeat([]byte("a"), 16)) + v
	return id[len(id)-n:]
}

var fixedNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func newHarness(t testing.TB, account string) *harness {
	t.Helper()
	services, st, box := newTestServices(t, account)
	h := &harness{t: t, logs: &syncBuffer{}, store: st, box: box}
	h.handler = mgmt.New(mgmt.Config{Services: services, Logger: slog.New(slog.NewTextHandler(h.logs, nil))})
	return h
}

// newTestAPI returns the apigateway and apigatewayv2 operations on a fresh SQLite store,
// with a fixed clock and deterministic identifiers.
func newTestAPI(t testing.TB, account string) ([]mgmt.Registrar, *sqlite.Store) {
	t.Helper()
	services, st, _ := newTestServices(t, account)
	return services, st
}

// newTestServices is newTestAPI that also returns the secret box.
func newTestServices(t testing.TB, account string) ([]mgmt.Registrar, *sqlite.Store, *secret.Box) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	box, err := secret.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatalf("secret box: %v", err)
	}
	var values atomic.Int64
	ids := &seqIDs{}
	api := apigw.New(apigw.Config{
		Store: st, Region: "us-east-1", AccountID: account,
		Now: func() time.Time { return fixedNow }, IDs: ids,
		Secrets: box,
		// Deterministic 40-character key values: "GeneratedKeyValue" + counter.
		NewKeyValue: func() string { return fmt.Sprintf("GeneratedKeyValue%023d", values.Add(1)) },
	})
	v2 := apigwv2.New(apigwv2.Config{Store: st, Region: "us-east-1", AccountID: account,
		Now: func() time.Time { return fixedNow }, IDs: ids})
	ca, err := tlscert.LoadCA(t.TempDir())
	if err != nil {
		t.Fatalf("local CA: %v", err)
	}
	var certs atomic.Int64
	acm := acmapi.New(acmapi.Config{Store: st, Region: "us-east-1", AccountID: account, Secrets: box, CA: ca,
		Now:   func() time.Time { return fixedNow },
		NewID: func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", certs.Add(1)) }})
	dn := domains.New(domains.Config{Store: st, Region: "us-east-1", AccountID: account, S3Dir: filepath.Join("testdata", "s3"),
		Now: func() time.Time { return fixedNow }, IDs: ids})
	return []mgmt.Registrar{api, v2, acm, dn}, st, box
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// response is one recorded exchange.
type response struct {
	Status    int
	ErrorType string
	Header    http.Header
	Body      []byte
}

func (h *harness) do(method, path string, body any) response {
	h.t.Helper()
	return h.doT(h.t, method, path, body)
}

// doT is do reporting failures on t (fuzz targets must use their own t).
func (h *harness) doT(t testing.TB, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(enc)
	}
	target := ""
	if method == "ACM" {
		// An ACM call (AWS JSON 1.1): "ACM DescribeCertificate".
		method, path, target = "POST", "/", "CertificateManager."+path
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	if target != "" {
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
	}
	// botocore adds Accept: application/json to every apigateway call
	// (handlers.add_accept_header); the recorded scenarios were made so.
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	res := rec.Result()
	out, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, ErrorType: headerFold(res.Header, "x-amzn-ErrorType"), Header: res.Header, Body: out}
}

// headerFold reads a header whose key may not be in canonical form (the
// server keeps AWS's spelling, and the recorder does not canonicalise).
func headerFold(h http.Header, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
}

// request is one call of a table-driven test; an empty body sends none.
type request = struct{ method, path, body string }

// mustReject sends each request and requires AWS's answer to a client
// mistake: a 4xx with an error type and a message.
func (h *harness) mustReject(t *testing.T, cases []request) {
	t.Helper()
	for _, c := range cases {
		var body any
		if c.body != "" {
			body = c.body
		}
		res := h.do(c.method, c.path, body)
		var e struct{ Message string }
		if res.Status < 400 || res.Status >= 500 || res.ErrorType == "" || json.Unmarshal(res.Body, &e) != nil || e.Message == "" {
			t.Errorf("%s %s %.200s: want an AWS 4xx with a message, got %d %q %s", c.method, c.path, c.body, res.Status, res.ErrorType, res.Body)
		}
	}
}
