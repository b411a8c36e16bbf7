package deploy

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// clientCertificate is a stored client certificate as GenerateClientCertificate
// makes one (self-signed, CN = id, clientAuth) and its parsed form.
func clientCertificate(t *testing.T, box *secret.Box, id string) (model.StoredClientCertificate, *x509.Certificate) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: id}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	sealed, err := box.Seal(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return model.StoredClientCertificate{ClientCertificate: model.ClientCertificate{ID: id,
		PemEncodedCertificate: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}, SealedKey: sealed}, c
}

// TestWatcherClientCertificates: a stage naming a client certificate
// presents it to an HTTP_PROXY backend that requires and verifies one
// (trusting the certificate itself, as AWS tells backends to); a stage of
// the same deployment without one is refused by the backend and answers
// 500 Internal server error; naming the certificate later applies at once.
func TestWatcherClientCertificates(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	box, err := secret.New(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	stored, cert := clientCertificate(t, box, "abc123")
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("hello " + r.TLS.PeerCertificates[0].Subject.CommonName))
	}))
	backend.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	backend.StartTLS()
	defer backend.Close()

	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap := snapshot("api1", nil)
	snap.Resources[0].ResourceMethods = map[string]*model.Method{"GET": {HTTPMethod: "GET", AuthorizationType: "NONE",
		MethodIntegration: &model.Integration{Type: "HTTP_PROXY", HTTPMethod: model.Ptr("GET"), URI: model.Ptr(backend.URL + "/"),
			TimeoutInMillis: 29000, TLSConfig: &model.TLSConfig{InsecureSkipVerification: true}}}}
	put(t, st, model.ChildKey(model.KindSnapshot, "api1", "d1"), snap)
	put(t, st, model.KeyClientCertificate("abc123"), stored)
	put(t, st, model.ChildKey(model.KindStage, "api1", "with"), model.Stage{StageName: "with", DeploymentID: "d1", ClientCertificateID: model.Ptr("abc123")})
	put(t, st, model.ChildKey(model.KindStage, "api1", "without"), model.Stage{StageName: "without", DeploymentID: "d1"})
	door := &front.Door{}
	w := &Watcher{Store: st, Front: door, Compiler: &Compiler{Clients: upstream.NewClients(), Secrets: box}}
	rev, err := w.Sync(ctx)
	if err != nil || len(w.Failures()) != 0 {
		t.Fatalf("Sync: %v %v", err, w.Failures())
	}
	get := func(stage string) (int, string) {
		r := serve(door, "GET", "x", "/_aws/execute-api/api1/"+stage+"/")
		return r.Code, string(r.Body())
	}
	if code, body := get("with"); code != 200 || body != "hello abc123" {
		t.Errorf("stage with the certificate: %d %q", code, body)
	}
	if code, body := get("without"); code != 500 || body != `{"message": "Internal server error"}` {
		t.Errorf("stage without a certificate: %d %q", code, body)
	}
	go func() { _ = w.Run(ctx, rev) }()
	put(t, st, model.ChildKey(model.KindStage, "api1", "without"), model.Stage{StageName: "without", DeploymentID: "d1", ClientCertificateID: model.Ptr("abc123")})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if code, body := get("without"); code == 200 && body == "hello abc123" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("update-stage /clientCertificateId did not apply: %v", w.Failures())
		}
	}
	// One certificate, one set of clients (and connection pools).
	with, without := w.stage("api1", "with"), w.stage("api1", "without")
	if with.Clients == nil || with.Clients != without.Clients {
		t.Errorf("stages presenting the same certificate have clients %p and %p", with.Clients, without.Clients)
	}
}
