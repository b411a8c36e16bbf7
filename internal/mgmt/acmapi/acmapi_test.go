package acmapi_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/acmapi"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/tlscert"
)

// env is an in-process management server with the ACM operations.
type env struct {
	t     *testing.T
	h     http.Handler
	store *sqlite.Store
	ca    *tlscert.CA
	logs  *syncBuffer
	mu    sync.Mutex
	// bodies holds every response body, for the key-leak checks.
	bodies [][]byte
}

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

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	box, err := secret.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ca, err := tlscert.LoadCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, ca: ca, logs: &syncBuffer{}}
	api := acmapi.New(acmapi.Config{Store: st, Region: "us-east-1", AccountID: "000000000000", Secrets: box, CA: ca})
	e.h = mgmt.New(mgmt.Config{Services: []mgmt.Registrar{api}, Logger: slog.New(slog.NewTextHandler(e.logs, nil))})
	return e
}

type answer struct {
	status int
	typ    string
	body   map[string]any
	raw    []byte
}

// call sends CertificateManager.{op} with body (marshalled).
func (e *env) call(op string, body any) answer {
	e.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "CertificateManager."+op)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Result().Body)
	e.mu.Lock()
	e.bodies = append(e.bodies, raw)
	e.mu.Unlock()
	a := answer{status: rec.Code, raw: raw}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		e.t.Fatalf("%s: body is not JSON: %q", op, raw)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		e.t.Errorf("%s: Content-Type %q", op, ct)
	}
	if a.status != 200 {
		a.typ, _ = a.body["__type"].(string)
	}
	return a
}

// ok calls op and requires a 200.
func (e *env) ok(op string, body any) map[string]any {
	e.t.Helper()
	a := e.call(op, body)
	if a.status != 200 {
		e.t.Fatalf("%s: %d %s", op, a.status, a.raw)
	}
	return a.body
}

// fails calls op and requires a 400 of type typ whose message contains
// msg.
func (e *env) fails(typ, msg, op string, body any) {
	e.t.Helper()
	a := e.call(op, body)
	m, _ := a.body["message"].(string)
	if a.status != 400 || a.typ != typ || !strings.Contains(m, msg) {
		e.t.Errorf("%s %v: got %d %s %q, want 400 %s containing %q", op, trim(body), a.status, a.typ, m, typ, msg)
	}
}

func trim(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		b = append(b[:200], "…"...)
	}
	return string(b)
}

// storeDump returns every stored value.
func (e *env) storeDump() string {
	var b strings.Builder
	err := e.store.View(context.Background(), func(rd store.Reader) error {
		items, err := rd.List(context.Background(), "", store.ListOptions{})
		for _, it := range items {
			b.WriteString(it.Key + "=" + string(it.Value) + "\n")
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return b.String()
}

func (e *env) count() int {
	return len(e.ok("ListCertificates", map[string]any{"Includes": map[string]any{"keyTypes": []string{"RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"}}})["CertificateSummaryList"].([]any))
}

// pair is a certificate with its key, PEM-encoded.
type pair struct {
	cert, key []byte
	leaf      *x509.Certificate
	signer    crypto.Signer
}

type certSpec struct {
	subject   pkix.Name
	dns       []string
	serial    int64
	notBefore time.Time
	notAfter  time.Time
	ku        x509.KeyUsage
	eku       []x509.ExtKeyUsage
	isCA      bool
	ec        bool
	parent    *pair // nil: self-signed
}

func makePair(t *testing.T, s certSpec) *pair {
	t.Helper()
	var key crypto.Signer
	var err error
	if s.ec {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	if s.serial == 0 {
		s.serial = 1001
	}
	if s.notBefore.IsZero() {
		s.notBefore = time.Now().Add(-time.Hour)
	}
	if s.notAfter.IsZero() {
		s.notAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(s.serial), Subject: s.subject, DNSNames: s.dns,
		NotBefore: s.notBefore, NotAfter: s.notAfter, KeyUsage: s.ku, ExtKeyUsage: s.eku,
		BasicConstraintsValid: s.isCA, IsCA: s.isCA}
	parent, signer := tmpl, key
	if s.parent != nil {
		parent, signer = s.parent.leaf, s.parent.signer
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pk, _ := x509.MarshalPKCS8PrivateKey(key)
	return &pair{
		cert:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:    pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}),
		leaf:   leaf,
		signer: key,
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func wantKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	sort.Strings(want)
	if got := keysOf(m); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: members %v, want %v", what, got, want)
	}
}

// b64 is how the SDKs send blob members.
func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
