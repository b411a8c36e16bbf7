package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pkiNode is a certificate, its key and the files holding them.
type pkiNode struct {
	cert              *x509.Certificate
	key               *ecdsa.PrivateKey
	certPath, keyPath string
	tls               tls.Certificate
}

// newPKINode issues a certificate for cn (a CA when ca) signed by parent
// (self-signed when nil), valid from..until, a client certificate unless
// mod changes the template, and writes it with its key to dir/{name}.pem
// and dir/{name}-key.pem.
func newPKINode(t *testing.T, dir, name string, parent *pkiNode, cn string, ca bool, serial int64, from, until time.Time, mod ...func(*x509.Certificate)) *pkiNode {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Organization: []string{"Example"}},
		NotBefore: from, NotAfter: until, BasicConstraintsValid: true, IsCA: ca,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	for _, m := range mod {
		m(tmpl)
	}
	issuer, signer := tmpl, k
	if parent != nil {
		issuer, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &k.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	n := &pkiNode{key: k, certPath: filepath.Join(dir, name+".pem"), keyPath: filepath.Join(dir, name+"-key.pem")}
	n.cert, _ = x509.ParseCertificate(der)
	kb, _ := x509.MarshalECPrivateKey(k)
	certPEM, keyPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	if err := os.WriteFile(n.certPath, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(n.keyPath, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if n.tls, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDomainsMutualTLS: a custom domain with mutual TLS (truststore in the
// S3 stand-in) serves only clients presenting a certificate its
// truststore vouches for: a missing, untrusted or expired certificate,
// plain HTTP and a connection made for another name are answered 403
// Forbidden and nothing behind the domain runs. The verified certificate
// reaches mapping templates, the access log, the Lambda proxy event and
// a REQUEST authorizer's event as identity.clientCert (curl --cert/--key
// and Go's crypto/tls).
func TestDomainsMutualTLS(t *testing.T) {
	requireAWSCLI(t)
	flags := append(functionFlag(t, "echo", "echo"), functionFlag(t, "auth", "authorizer")...)
	dp := startDataPlane(t, "", flags...)
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	c := newCLI(t, dp.Gateway)

	dir := t.TempDir()
	now := time.Now()
	ca := newPKINode(t, dir, "ca", nil, "Clients CA", true, 1, now.Add(-time.Hour), now.Add(48*time.Hour))
	alice := newPKINode(t, dir, "alice", ca, "alice", false, 1001, now.Add(-time.Hour), now.Add(24*time.Hour))
	expired := newPKINode(t, dir, "expired", ca, "expired", false, 1002, now.Add(-2*time.Hour), now.Add(-time.Hour))
	other := newPKINode(t, dir, "other-ca", nil, "Other CA", true, 3, now.Add(-time.Hour), now.Add(48*time.Hour))
	mallory := newPKINode(t, dir, "mallory", other, "mallory", false, 4, now.Add(-time.Hour), now.Add(24*time.Hour))
	caPEM, _ := os.ReadFile(ca.certPath)
	store := filepath.Join(dp.DataDir, "s3", "truststores", "clients.pem")
	if err := os.MkdirAll(filepath.Dir(store), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(store, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	a := dp.newAPI(t, "mtls")
	a.mock(t, "/who", "GET", `{"subject":"$context.identity.clientCert.subjectDN","issuer":"$context.identity.clientCert.issuerDN",`+
		`"serial":"$context.identity.clientCert.serialNumber","notAfter":"$context.identity.clientCert.validity.notAfter",`+
		`"pemStart":"$context.identity.clientCert.clientCertPem.substring(0, 27)"}`)
	a.lambdaProxy(t, "/echo", "GET", "echo", nil)
	authID := a.authorizer(t, "req", "REQUEST", "auth", map[string]any{"identitySource": "method.request.header.x-token"})
	a.mockWith(t, "/auth", "GET", map[string]any{"authorizationType": "CUSTOM", "authorizerId": authID}, `$context.authorizer.clientSubject`)
	a.deploy(t, "prod")
	logPath := filepath.Join(t.TempDir(), "access.log")
	a.patchStage(t, "prod", replaceOp("/accessLogSettings/destinationArn", logPath), replaceOp("/accessLogSettings/format",
		`{"path":"$context.path","status":"$context.status","subject":"$context.identity.clientCert.subjectDN","base":"$context.customDomain.basePathMatched"}`))

	arn := c.service("acm").obj("request-certificate", "--domain-name", "mtls.example.test")["CertificateArn"].(string)
	c.v2().obj("create-domain-name", "--domain-name", "mtls.example.test",
		"--domain-name-configurations", "CertificateArn="+arn+",EndpointType=REGIONAL,SecurityPolicy=TLS_1_2",
		"--mutual-tls-authentication", "TruststoreUri=s3://truststores/clients.pem")
	c.obj("create-base-path-mapping", "--domain-name", "mtls.example.test", "--base-path", "shop", "--rest-api-id", a.ID, "--stage", "prod")

	secure := dp.byName(t, dp.HTTPS, "--cacert", dp.CAPath)
	withAlice := []string{"--cert", alice.certPath, "--key", alice.keyPath}
	secure.waitGet("mtls.example.test", "/shop/auth", 200, "CN=alice,O=Example", append(withAlice, "-H", "x-token: allow")...)
	expectJSON(t, "template", secure.get("mtls.example.test", "/shop/who", withAlice...), 200, map[string]any{
		"subject": "CN=alice,O=Example", "issuer": "CN=Clients CA,O=Example", "serial": "03:e9",
		"notAfter": alice.cert.NotAfter.UTC().Format("Jan _2 15:04:05 2006 GMT"), "pemStart": "-----BEGIN CERTIFICATE-----"})
	ev := echoEvent(t, "proxy event", secure.get("mtls.example.test", "/shop/echo", withAlice...))
	cc, _ := ev["requestContext"].(map[string]any)["identity"].(map[string]any)["clientCert"].(map[string]any)
	alicePEM, _ := os.ReadFile(alice.certPath)
	if cc == nil || cc["subjectDN"] != "CN=alice,O=Example" || cc["issuerDN"] != "CN=Clients CA,O=Example" || cc["serialNumber"] != "03:e9" ||
		cc["clientCertPem"] != strings.TrimSpace(string(alicePEM)) ||
		cc["validity"].(map[string]any)["notBefore"] != alice.cert.NotBefore.UTC().Format("Jan _2 15:04:05 2006 GMT") {
		t.Errorf("requestContext.identity.clientCert: %v", cc)
	}

	// Refusals: 403 Forbidden after the handshake, nothing behind runs.
	before := len(readAccessLog(t, logPath))
	for what, args := range map[string][]string{
		"no client certificate":    nil,
		"an untrusted certificate": {"--cert", mallory.certPath, "--key", mallory.keyPath},
		"an expired certificate":   {"--cert", expired.certPath, "--key", expired.keyPath},
	} {
		r := secure.get("mtls.example.test", "/shop/auth", append(args, "-H", "x-token: allow")...)
		expect(t, what, r, 403, bodyForbidden)
		if r.Header.Get("x-amzn-ErrorType") != "ForbiddenException" {
			t.Errorf("%s: x-amzn-ErrorType %q", what, r.Header.Get("x-amzn-ErrorType"))
		}
	}
	expect(t, "plain HTTP", dp.byName(t, dp.HTTP).get("mtls.example.test", "/shop/who"), 403, bodyForbidden)
	// A certificate presented on a connection made for another name (no
	// client certificate was asked for there) does not open the domain.
	pool := x509.NewCertPool()
	localCA, _ := os.ReadFile(dp.CAPath)
	pool.AppendCertsFromPEM(localCA)
	tr := &http.Transport{TLSClientConfig: &tls.Config{ServerName: "localhost", RootCAs: pool, Certificates: []tls.Certificate{alice.tls}}}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("GET", dp.HTTPS+"/shop/who", nil)
	req.Host = "mtls.example.test"
	res, err := (&http.Client{Transport: tr, Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Errorf("SNI localhost, Host of the mTLS domain: %d, want 403", res.StatusCode)
	}
	// Go's client with the certificate, on a connection made for the domain.
	tr2 := &http.Transport{TLSClientConfig: &tls.Config{ServerName: "mtls.example.test", RootCAs: pool, Certificates: []tls.Certificate{alice.tls}}}
	defer tr2.CloseIdleConnections()
	for i := 0; i < 3; i++ { // keep-alive requests on one connection
		req, _ := http.NewRequest("GET", dp.HTTPS+"/shop/auth", nil)
		req.Host = "mtls.example.test"
		req.Header.Set("x-token", "allow")
		res, err := (&http.Client{Transport: tr2, Timeout: 20 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 64)
		n, _ := res.Body.Read(b)
		res.Body.Close()
		if res.StatusCode != 200 || string(b[:n]) != "CN=alice,O=Example" {
			t.Errorf("Go client, request %d: %d %q", i, res.StatusCode, b[:n])
		}
	}

	// The access log: the verified subject and the base path of the
	// requests that reached the stage; the refused ones never did.
	var lines []map[string]string
	eventually(t, "access log", func() error {
		if lines = readAccessLog(t, logPath); len(lines) < before+3 {
			return fmt.Errorf("%d lines", len(lines))
		}
		return nil
	})
	for _, l := range lines {
		if l["subject"] != "CN=alice,O=Example" || l["base"] != "shop" || l["status"] != "200" || !strings.HasPrefix(l["path"], "/shop/") {
			t.Errorf("access log line: %v", l)
		}
	}
}

// TestClientCertificateBackends: a stage's client certificate (generated
// and attached with the AWS CLI v2) is presented to HTTP_PROXY and HTTP
// backends that require one and trust its pemEncodedCertificate, as AWS
// tells backends to; before it is attached, and after it is detached, the
// backend refuses the handshake and the gateway answers 500.
func TestClientCertificateBackends(t *testing.T) {
	requireAWSCLI(t)
	dp := startDataPlane(t, "")
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	c := newCLI(t, dp.Gateway)
	cc := c.obj("generate-client-certificate", "--description", "backend")
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(cc["pemEncodedCertificate"].(string))) {
		t.Fatalf("pemEncodedCertificate: %v", cc)
	}
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, "%s %s", r.URL.Path, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	backend.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	backend.StartTLS()
	defer backend.Close()

	a := dp.newAPI(t, "client-cert")
	insecure := map[string]any{"tlsConfig": map[string]any{"insecureSkipVerification": true}}
	a.proxy(t, "/proxy", "GET", backend.URL+"/proxied", insecure)
	a.method(t, "/http", "GET", nil)
	a.integration(t, "/http", "GET", map[string]any{"type": "HTTP", "httpMethod": "GET", "uri": backend.URL + "/mapped",
		"tlsConfig": map[string]any{"insecureSkipVerification": true}})
	a.methodResponse(t, "/http", "GET", "200", nil)
	a.integrationResponse(t, "/http", "GET", "200", nil)
	a.deploy(t, "prod")
	dp.waitFor(t, a.url("prod", "/proxy"), 500, `{"message": "Internal server error"}`)

	id := cc["clientCertificateId"].(string)
	c.ok(nil, "update-stage", "--rest-api-id", a.ID, "--stage-name", "prod", "--patch-operations", "op=replace,path=/clientCertificateId,value="+id)
	dp.waitFor(t, a.url("prod", "/proxy"), 200, "/proxied "+id)
	expect(t, "HTTP integration", dp.do(t, "GET", a.url("prod", "/http"), nil, nil), 200, "/mapped "+id)

	c.ok(nil, "update-stage", "--rest-api-id", a.ID, "--stage-name", "prod", "--patch-operations", "op=replace,path=/clientCertificateId,value=")
	dp.waitFor(t, a.url("prod", "/http"), 500, `{"message": "Internal server error"}`)
}
