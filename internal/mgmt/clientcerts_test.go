package mgmt_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// goldenClientCertScenario pins the client certificate operations and the
// stage binding.
func goldenClientCertScenario() []goldenStep {
	api := "/restapis/{{api}}"
	arn := "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fclientcertificates%2F{{cc}}"
	return []goldenStep{
		{"GenerateClientCertificate", "POST", "/clientcertificates", map[string]any{"description": "backend", "tags": map[string]string{"team": "a"}}, map[string]string{"cc": "clientCertificateId"}},
		{"GenerateClientCertificate-bare", "POST", "/clientcertificates", nil, map[string]string{"cc2": "clientCertificateId"}},
		{"GetClientCertificates", "GET", "/clientcertificates?limit=1", nil, nil},
		{"GetClientCertificate", "GET", "/clientcertificates/{{cc}}", nil, nil},
		{"UpdateClientCertificate", "PATCH", "/clientcertificates/{{cc}}", patchOps("replace", "/description", "orders backend"), nil},
		{"Error-UpdateClientCertificate-path", "PATCH", "/clientcertificates/{{cc}}", patchOps("replace", "/pemEncodedCertificate", "x"), nil},
		{"Error-GetClientCertificate", "GET", "/clientcertificates/nope00", nil, nil},
		{"GetTags-clientCertificate", "GET", arn, nil, nil},
		{"CreateRestApi", "POST", "/restapis", map[string]any{"name": "shop"}, map[string]string{"api": "id", "root": "rootResourceId"}},
		{"PutMethod", "PUT", api + "/resources/{{root}}/methods/GET", map[string]any{"authorizationType": "NONE"}, nil},
		{"PutIntegration", "PUT", api + "/resources/{{root}}/methods/GET/integration", map[string]any{"type": "MOCK"}, nil},
		{"CreateDeployment", "POST", api + "/deployments", map[string]any{"stageName": "prod"}, nil},
		{"Error-UpdateStage-unknownCertificate", "PATCH", api + "/stages/prod", patchOps("replace", "/clientCertificateId", "nope00"), nil},
		{"UpdateStage-clientCertificate", "PATCH", api + "/stages/prod", patchOps("replace", "/clientCertificateId", "{{cc}}"), nil},
		{"Error-DeleteClientCertificate-inUse", "DELETE", "/clientcertificates/{{cc}}", nil, nil},
		{"UpdateStage-detach", "PATCH", api + "/stages/prod", patchOps("replace", "/clientCertificateId", ""), nil},
		{"DeleteClientCertificate", "DELETE", "/clientcertificates/{{cc}}", nil, nil},
		{"Error-DeleteClientCertificate", "DELETE", "/clientcertificates/{{cc}}", nil, nil},
		{"CreateApi-websocket", "POST", "/v2/apis", map[string]any{"name": "ws", "protocolType": "WEBSOCKET", "routeSelectionExpression": "$request.body.action"}, map[string]string{"ws": "apiId"}},
		{"Error-CreateStage-websocketCertificate", "POST", "/v2/apis/{{ws}}/stages", map[string]any{"stageName": "live", "clientCertificateId": "nope00"}, nil},
		{"CreateStage-websocketCertificate", "POST", "/v2/apis/{{ws}}/stages", map[string]any{"stageName": "live", "clientCertificateId": "{{cc2}}"}, nil},
	}
}

// TestGoldenClientCertificates pins the wire shapes in
// testdata/golden-clientcerts.
func TestGoldenClientCertificates(t *testing.T) {
	runGolden(t, filepath.Join("testdata", "golden-clientcerts"), goldenClientCertScenario())
}

// TestClientCertificateWorks: a generated client certificate is what a
// backend that trusts pemEncodedCertificate accepts (the set-up AWS's
// guide describes), its private key is in the store only sealed, and no
// response or log line carries it.
func TestClientCertificateWorks(t *testing.T) {
	h := newHarness(t, "000000000000")
	res := h.do("POST", "/clientcertificates", map[string]any{"description": "backend"})
	if res.Status != 201 {
		t.Fatalf("generate: %d %s", res.Status, res.Body)
	}
	var cc model.ClientCertificate
	mustUnmarshal(t, res.Body, &cc)
	block, _ := pem.Decode([]byte(cc.PemEncodedCertificate))
	if block == nil {
		t.Fatalf("pemEncodedCertificate is not PEM: %q", cc.PemEncodedCertificate)
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if leaf.Subject.CommonName != cc.ID || leaf.IsCA || leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) != nil ||
		len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
		t.Errorf("certificate: CN %q, CA %v, EKU %v", leaf.Subject.CommonName, leaf.IsCA, leaf.ExtKeyUsage)
	}
	if got := time.Duration(cc.ExpirationDate-cc.CreatedDate) * time.Second; got != 365*24*time.Hour || leaf.NotAfter.Unix() != int64(cc.ExpirationDate) {
		t.Errorf("valid for %v (NotAfter %v, expirationDate %d)", got, leaf.NotAfter, cc.ExpirationDate)
	}

	// The stored document holds the key sealed; the box opens it.
	var stored model.StoredClientCertificate
	dump := storeDump(t, h)
	err = h.store.View(context.Background(), func(rd store.Reader) error {
		it, err := rd.Get(context.Background(), model.KeyClientCertificate(cc.ID))
		if err != nil {
			return err
		}
		var rec model.Record[model.StoredClientCertificate]
		mustUnmarshal(t, it.Value, &rec)
		stored = rec.V
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored.SealedKey, "v1:") {
		t.Fatalf("sealed key %.20q…", stored.SealedKey)
	}
	keyPEM, err := h.box.Open(stored.SealedKey)
	if err != nil {
		t.Fatal(err)
	}
	for where, text := range map[string]string{"store": dump, "log": h.logs.String(), "response": string(res.Body)} {
		if strings.Contains(text, "PRIVATE KEY") || strings.Contains(text, string(keyPEM[30:80])) {
			t.Errorf("the %s holds the private key", where)
		}
	}
	for _, path := range []string{"/clientcertificates", "/clientcertificates/" + cc.ID} {
		if body := h.do("GET", path, nil).Body; strings.Contains(string(body), "PRIVATE KEY") || strings.Contains(string(body), "sealedKey") {
			t.Errorf("GET %s returns the key: %s", path, body)
		}
	}

	// A backend trusting the certificate accepts it as a client
	// certificate, and refuses a client without it.
	pair, err := tls.X509KeyPair([]byte(cc.PemEncodedCertificate), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(cc.PemEncodedCertificate))
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	backend.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	backend.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	backend.StartTLS()
	defer backend.Close()
	call := func(certs []tls.Certificate) (string, error) {
		tr := backend.Client().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.Certificates = certs
		resp, err := (&http.Client{Transport: tr}).Get(backend.URL)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), nil
	}
	if got, err := call([]tls.Certificate{pair}); err != nil || got != cc.ID {
		t.Errorf("backend with the client certificate: %q, %v", got, err)
	}
	if _, err := call(nil); err == nil {
		t.Error("backend accepted a client without a certificate")
	}
}

// storeDump returns every key and value in the harness's store.
func storeDump(t *testing.T, h *harness) string {
	t.Helper()
	var b strings.Builder
	err := h.store.View(context.Background(), func(rd store.Reader) error {
		items, err := rd.List(context.Background(), "", store.ListOptions{})
		for _, it := range items {
			b.WriteString(it.Key + "=" + string(it.Value) + "\n")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
