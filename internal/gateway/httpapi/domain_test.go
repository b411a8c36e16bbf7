package httpapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// tlsRequest is a request that came over TLS for serverName.
type tlsRequest struct {
	*gatewaytest.Request
	state *tls.ConnectionState
}

func (r tlsRequest) TLSState() *tls.ConnectionState { return r.state }

// trustAll accepts any client certificate.
type trustAll struct{}

func (trustAll) Verify([]*x509.Certificate) (*pipeline.ClientCert, error) {
	return &pipeline.ClientCert{PEM: "-----BEGIN CERTIFICATE-----", SubjectDN: "CN=alice", IssuerDN: "CN=CA", SerialNumber: "03:e9",
		NotBefore: "May 28 12:30:02 2030 GMT", NotAfter: "Aug  5 09:36:04 2030 GMT"}, nil
}

// TestCustomDomain: through a custom domain (mutual TLS) the function sees
// the base path in rawPath and http.path, the domain, and the client
// certificate in requestContext.authentication.clientCert [D]; a disabled
// execute-api endpoint does not close the domain.
func TestCustomDomain(t *testing.T) {
	fl := newFakeLambda()
	fl.answer("arn:aws:lambda:us-east-1:"+account+":function:fn", `{"statusCode":200,"body":"ok"}`)
	a := newAPI()
	a.route("GET /pets/{id}", a.lambda("fn", "2.0"))
	a.snap.API.DisableExecuteApiEndpoint = true
	door := a.stage(t, &Env{Region: region, AccountID: account, Lambda: fl}, "$default")
	door.SetDomain(&front.Domain{Name: "api.example.test", UseMappings: true, ClientAuth: trustAll{},
		Mappings: []front.Mapping{{Key: "shop", APIID: testAPI, Stage: "$default"}}})

	if r := do(door, "GET", "/pets/7", nil); r.Code != 403 {
		t.Errorf("execute-api endpoint: %d %s", r.Code, r.BodyBuf)
	}
	req := tlsRequest{gatewaytest.NewRequest("GET", "api.example.test", "/shop/pets/7", nil),
		&tls.ConnectionState{ServerName: "api.example.test", PeerCertificates: []*x509.Certificate{{}}}}
	resp := gatewaytest.NewResponse()
	door.Serve(context.Background(), req, resp)
	if resp.Code != 200 {
		t.Fatalf("through the domain: %d %s", resp.Code, resp.Body())
	}
	ev := fl.lastEvent(t, "arn:aws:lambda:us-east-1:"+account+":function:fn")
	rc := ev["requestContext"].(map[string]any)
	cc, _ := rc["authentication"].(map[string]any)["clientCert"].(map[string]any)
	if ev["rawPath"] != "/shop/pets/7" || rc["http"].(map[string]any)["path"] != "/shop/pets/7" || ev["routeKey"] != "GET /pets/{id}" ||
		rc["domainName"] != "api.example.test" || rc["domainPrefix"] != "api" ||
		cc["subjectDN"] != "CN=alice" || cc["serialNumber"] != "03:e9" || cc["validity"].(map[string]any)["notAfter"] != "Aug  5 09:36:04 2030 GMT" {
		t.Errorf("event through the domain: %v", ev)
	}
}
