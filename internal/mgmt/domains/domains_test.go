package domains_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/acmapi"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/mgmt/apigwv2"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/domains"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/tlscert"
)

// env is the management API with the domain, ACM, apigateway and
// apigatewayv2 operations over one store, its S3 stand-in in a temporary
// directory.
type env struct {
	t     *testing.T
	h     http.Handler
	store *sqlite.Store
	s3    string
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
	s3 := t.TempDir()
	const region, account = "us-east-1", "000000000000"
	h := mgmt.New(mgmt.Config{Logger: slog.New(slog.DiscardHandler), Services: []mgmt.Registrar{
		apigw.New(apigw.Config{Store: st, Region: region, AccountID: account, Secrets: box}),
		apigwv2.New(apigwv2.Config{Store: st, Region: region, AccountID: account}),
		acmapi.New(acmapi.Config{Store: st, Region: region, AccountID: account, Secrets: box, CA: ca}),
		domains.New(domains.Config{Store: st, Region: region, AccountID: account, S3Dir: s3}),
	}})
	return &env{t: t, h: h, store: st, s3: s3}
}

// call sends a request ("ACM Op" methods are ACM calls) and decodes the
// JSON answer.
func (e *env) call(method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string: // sent as is
		rd = strings.NewReader(b)
	default:
		enc, _ := json.Marshal(b)
		rd = bytes.NewReader(enc)
	}
	target := ""
	if op, ok := strings.CutPrefix(method, "ACM "); ok {
		method, target = "POST", "CertificateManager."+op
		path = "/"
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	out := map[string]any{}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			e.t.Fatalf("%s %s: %q is not JSON", method, path, rec.Body)
		}
	}
	return rec.Code, out
}

func (e *env) ok(method, path string, body any) map[string]any {
	e.t.Helper()
	status, out := e.call(method, path, body)
	if status >= 300 {
		e.t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	return out
}

// certificate requests an ACM certificate for names (issued at once).
func (e *env) certificate(names ...string) string {
	e.t.Helper()
	in := map[string]any{"DomainName": names[0], "KeyAlgorithm": "EC_prime256v1"}
	if len(names) > 1 {
		in["SubjectAlternativeNames"] = names[1:]
	}
	return e.ok("ACM RequestCertificate", "", in)["CertificateArn"].(string)
}

// restAPI creates a REST API with a deployed stage prod and returns its id.
func (e *env) restAPI(name string, endpoint string) string {
	e.t.Helper()
	api := e.ok("POST", "/restapis", map[string]any{"name": name, "endpointConfiguration": map[string]any{"types": []string{endpoint}}})
	id, root := api["id"].(string), api["rootResourceId"].(string)
	e.ok("PUT", "/restapis/"+id+"/resources/"+root+"/methods/GET", map[string]any{"authorizationType": "NONE"})
	e.ok("PUT", "/restapis/"+id+"/resources/"+root+"/methods/GET/integration", map[string]any{"type": "MOCK"})
	e.ok("POST", "/restapis/"+id+"/deployments", map[string]any{"stageName": "prod"})
	return id
}

// httpAPI quick-creates an HTTP API (stage $default).
func (e *env) httpAPI() string {
	e.t.Helper()
	return e.ok("POST", "/v2/apis", map[string]any{"name": "h", "protocolType": "HTTP", "target": "https://example.com"})["apiId"].(string)
}

func (e *env) revision() int64 {
	e.t.Helper()
	rev, err := e.store.Revision(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return rev
}

// stored reads the domain document a data-plane compiler reads.
func (e *env) stored(name string) domain.Domain {
	e.t.Helper()
	var d domain.Domain
	err := e.store.View(context.Background(), func(rd store.Reader) error {
		var err error
		d, _, err = docstore.Get[domain.Domain](context.Background(), rd, domain.Key(name))
		return err
	})
	if err != nil {
		e.t.Fatalf("domain %s: %v", name, err)
	}
	return d
}

// writeCA writes a truststore holding one new CA certificate named cn to
// <s3>/bucket/key and returns its PEM.
func (e *env) writeCA(key, cn string) string {
	e.t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		e.t.Fatal(err)
	}
	p := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	path := filepath.Join(e.s3, "bucket", key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(p), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}
