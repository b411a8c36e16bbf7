package testinvoke_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/tollgate/tollgate/internal/deploy"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/testinvoke"
)

// TestInvokeMethodClientCertificate: with clientCertificateId, an HTTP
// integration presents that client certificate to its backend; without,
// none; an unknown id is NotFoundException.
func TestInvokeMethodClientCertificate(t *testing.T) {
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cn := "none"
		if len(r.TLS.PeerCertificates) > 0 {
			cn = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		_, _ = w.Write([]byte(`{"cert":"` + cn + `"}`))
	}))
	backend.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	backend.StartTLS()
	defer backend.Close()

	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	box, err := secret.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := &deploy.Compiler{Clients: upstream.NewClients(), Secrets: box}
	tester := &testinvoke.Tester{Watcher: &deploy.Watcher{Store: st, Compiler: c}}
	api := apigw.New(apigw.Config{Store: st, Region: "us-east-1", AccountID: "111111111111", Tester: tester, Secrets: box})
	s := &server{t: t, h: mgmt.New(mgmt.Config{Services: []mgmt.Registrar{api}})}

	certID := s.ok("POST", "/clientcertificates", map[string]any{"description": "backend"})["clientCertificateId"].(string)
	rest := s.ok("POST", "/restapis", map[string]any{"name": "mtls"})
	apiID, root := rest["id"].(string), rest["rootResourceId"].(string)
	m := "/restapis/" + apiID + "/resources/" + root + "/methods/GET"
	s.ok("PUT", m, map[string]any{"authorizationType": "NONE"})
	s.ok("PUT", m+"/integration", map[string]any{"type": "HTTP_PROXY", "httpMethod": "GET", "uri": backend.URL + "/",
		"tlsConfig": map[string]any{"insecureSkipVerification": true}})
	if out := s.ok("POST", m, map[string]any{"clientCertificateId": certID}); out["body"] != `{"cert":"`+certID+`"}` {
		t.Errorf("with the client certificate: %v", out)
	}
	if out := s.ok("POST", m, map[string]any{}); out["body"] != `{"cert":"none"}` {
		t.Errorf("without: %v", out)
	}
	if code, out := s.call("POST", m, map[string]any{"clientCertificateId": "nope"}); code != 404 ||
		out["message"] != "Invalid Client Certificate identifier specified" {
		t.Errorf("unknown certificate: %d %v", code, out)
	}
}
