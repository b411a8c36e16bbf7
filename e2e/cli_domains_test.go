package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// service returns a cliRunner for `aws {name}`.
func (c *cliRunner) service(name string) *cliRunner {
	d := *c
	d.svc = name
	return &d
}

// testCertFiles writes a self-signed RSA-2048 certificate for names and its
// key to dir and returns their paths and the key's PEM.
func testCertFiles(t *testing.T, dir string, names ...string) (certPath, keyPath string, keyPEM []byte) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1001), Subject: pkix.Name{Organization: []string{"Example"}, CommonName: names[0]},
		DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath, keyPEM
}

var (
	acmARNRE = regexp.MustCompile(`^arn:aws:acm:us-east-1:000000000000:certificate/[0-9a-f-]{36}$`)
	id10RE   = regexp.MustCompile(`^[a-z0-9]{10}$`)
)

// TestAWSCLIDomains drives the ACM stand-in, custom domain names, base
// path and API mappings and client certificates with the AWS CLI v2, as a
// developer would: certificates from files or requested from the local CA,
// a regional domain with a TLS policy, a multi-level base path, mutual TLS
// with a truststore in the S3 stand-in. Throughout, no private key reaches
// a response, the log or the store's files.
func TestAWSCLIDomains(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	g := startClientGateway(t)
	t.Cleanup(func() { checkGatewayLog(t, g) })
	c := newCLI(t, g)
	acm, v2 := c.service("acm"), c.v2()

	// ACM: import from files, describe, request from the local CA.
	certPath, keyPath, keyPEM := testCertFiles(t, c.dir, "api.example.test", "*.example.test")
	imported := acm.obj("import-certificate", "--certificate", "fileb://"+certPath, "--private-key", "fileb://"+keyPath,
		"--tags", "Key=team,Value=edge")
	arn, _ := imported["CertificateArn"].(string)
	if !acmARNRE.MatchString(arn) {
		t.Fatalf("import-certificate: %v", imported)
	}
	d := acm.obj("describe-certificate", "--certificate-arn", arn)["Certificate"].(obj)
	if d["Type"] != "IMPORTED" || d["Status"] != "ISSUED" || d["DomainName"] != "api.example.test" || d["KeyAlgorithm"] != "RSA-2048" ||
		d["Serial"] != "03:e9" || d["Subject"] != "O=Example,CN=api.example.test" ||
		!reflect.DeepEqual(d["SubjectAlternativeNames"], []any{"api.example.test", "*.example.test"}) {
		t.Errorf("describe-certificate: %v", d)
	}
	isoNow(t, "describe-certificate ImportedAt", d["ImportedAt"])
	requested := acm.obj("request-certificate", "--domain-name", "mtls.example.test", "--validation-method", "DNS")["CertificateArn"].(string)
	r := acm.obj("describe-certificate", "--certificate-arn", requested)["Certificate"].(obj)
	if r["Type"] != "AMAZON_ISSUED" || r["Status"] != "ISSUED" || r["Issuer"] != "Tollgate" {
		t.Errorf("requested certificate: %v", r)
	}
	got := acm.obj("get-certificate", "--certificate-arn", requested)
	checkIssued(t, g, got["Certificate"].(string), "mtls.example.test")
	var list struct {
		CertificateSummaryList []obj
		NextToken              string
	}
	acm.ok(&list, "list-certificates", "--certificate-statuses", "ISSUED")
	if len(list.CertificateSummaryList) != 2 {
		t.Errorf("list-certificates: %v", list)
	}
	acm.ok(&list, "list-certificates", "--max-items", "1")
	if len(list.CertificateSummaryList) != 1 || list.NextToken == "" {
		t.Errorf("list-certificates --max-items 1: %+v", list)
	}
	acm.ok(&list, "list-certificates", "--max-items", "1", "--starting-token", list.NextToken)
	if len(list.CertificateSummaryList) != 1 || list.CertificateSummaryList[0]["CertificateArn"] != requested {
		t.Errorf("second page: %+v", list)
	}
	acm.fails("ValidationException", "ImportCertificate", "The certificate is not PEM-encoded or is not valid.",
		"import-certificate", "--certificate", "fileb://"+keyPath, "--private-key", "fileb://"+keyPath)
	// An ARN of no certificate: arn with its last hex digit changed (to
	// "0", or to "1" when it is "0" already, one time in sixteen).
	missing := arn[:len(arn)-1] + "0"
	if missing == arn {
		missing = arn[:len(arn)-1] + "1"
	}
	acm.fails("ResourceNotFoundException", "DescribeCertificate", "Could not find certificate "+missing+".",
		"describe-certificate", "--certificate-arn", missing)

	// A REST API with a prod stage to map.
	var api cliRestAPI
	c.ok(&api, "create-rest-api", "--name", "shop")
	var res cliResources
	c.ok(&res, "get-resources", "--rest-api-id", api.ID)
	root := []string{"--rest-api-id", api.ID, "--resource-id", res.Items[0].ID, "--http-method", "GET"}
	c.ok(nil, append([]string{"put-method", "--authorization-type", "NONE"}, root...)...)
	c.ok(nil, append([]string{"put-integration", "--type", "MOCK"}, root...)...)
	c.ok(nil, "create-deployment", "--rest-api-id", api.ID, "--stage-name", "prod")

	// Domain name through apigateway, read through apigatewayv2.
	dn := c.obj("create-domain-name", "--domain-name", "api.example.test", "--regional-certificate-arn", arn,
		"--endpoint-configuration", "types=REGIONAL", "--security-policy", "TLS_1_2", "--tags", "env=dev")
	// [X] create-domain-name (regional); the CLI's 2023 model drops the
	// later domainNameArn and routingMode (the JavaScript suite sees them).
	wantKeys(t, "create-domain-name", dn, "domainName", "certificateUploadDate", "regionalDomainName", "regionalHostedZoneId",
		"regionalCertificateArn", "endpointConfiguration", "domainNameStatus", "securityPolicy", "tags")
	if dn["domainNameStatus"] != "AVAILABLE" || dn["securityPolicy"] != "TLS_1_2" || dn["regionalHostedZoneId"] != "Z1UJRXOUMOOFQ8" ||
		!regexp.MustCompile(`^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$`).MatchString(dn["regionalDomainName"].(string)) {
		t.Errorf("create-domain-name: %v", dn)
	}
	c.fails("BadRequestException", "CreateDomainName", "The domain name you provided already exists.",
		"create-domain-name", "--domain-name", "api.example.test", "--regional-certificate-arn", arn, "--endpoint-configuration", "types=REGIONAL")
	c.fails("BadRequestException", "CreateDomainName", "A certificate was not provided for the endpoint type EDGE.",
		"create-domain-name", "--domain-name", "edge.example.test")
	dn2 := v2.obj("get-domain-name", "--domain-name", "api.example.test")
	cfg := dn2["DomainNameConfigurations"].([]any)[0].(obj)
	if dn2["ApiMappingSelectionExpression"] != "$request.basepath" || cfg["CertificateArn"] != arn || cfg["EndpointType"] != "REGIONAL" ||
		cfg["ApiGatewayDomainName"] != dn["regionalDomainName"] || !reflect.DeepEqual(dn2["Tags"], obj{"env": "dev"}) {
		t.Errorf("apigatewayv2 get-domain-name: %v", dn2)
	}

	// Mappings: a single-level base path through v1, a multi-level one
	// through v2 (v1 refuses the slash), each seen through the other.
	bpm := c.obj("create-base-path-mapping", "--domain-name", "api.example.test", "--base-path", "v1", "--rest-api-id", api.ID, "--stage", "prod")
	if !reflect.DeepEqual(bpm, obj{"basePath": "v1", "restApiId": api.ID, "stage": "prod"}) {
		t.Errorf("create-base-path-mapping: %v", bpm)
	}
	c.fails("BadRequestException", "CreateBasePathMapping", "API Gateway V1 doesn't support the slash character (/) in base path mappings. To create a multi-level base path mapping, use API Gateway V2.",
		"create-base-path-mapping", "--domain-name", "api.example.test", "--base-path", "v1/orders", "--rest-api-id", api.ID, "--stage", "prod")
	m := v2.obj("create-api-mapping", "--domain-name", "api.example.test", "--api-mapping-key", "v1/orders", "--api-id", api.ID, "--stage", "prod")
	if !id10RE.MatchString(m["ApiMappingId"].(string)) || m["ApiMappingKey"] != "v1/orders" || m["ApiId"] != api.ID || m["Stage"] != "prod" {
		t.Errorf("create-api-mapping: %v", m)
	}
	if got := c.obj("get-base-path-mapping", "--domain-name", "api.example.test", "--base-path", "v1/orders"); got["basePath"] != "v1/orders" {
		t.Errorf("get-base-path-mapping v1/orders: %v", got)
	}
	var bpms struct{ Items []obj }
	c.ok(&bpms, "get-base-path-mappings", "--domain-name", "api.example.test")
	if len(bpms.Items) != 2 {
		t.Errorf("get-base-path-mappings: %v", bpms)
	}
	var maps items
	v2.ok(&maps, "get-api-mappings", "--domain-name", "api.example.test")
	if len(maps.Items) != 2 || maps.Items[0]["ApiMappingKey"] != "v1" {
		t.Errorf("get-api-mappings: %v", maps)
	}
	c.fails("BadRequestException", "DeleteRestApi", "Deleting RestApi "+api.ID+" failed. Please remove all base path mappings related to the RestApi in your domains.",
		"delete-rest-api", "--rest-api-id", api.ID)
	acm.fails("ResourceInUseException", "DeleteCertificate", "Certificate "+arn+" in account 000000000000 is in use.", "delete-certificate", "--certificate-arn", arn)

	// Mutual TLS: the truststore is read from the S3 stand-in in the data
	// dir; the imported serving certificate needs an ownership certificate.
	writeTruststore(t, filepath.Join(g.DataDir, "s3", "truststores", "clients.pem"))
	mtlsArgs := []string{"create-domain-name", "--domain-name", "mtls.example.test",
		"--mutual-tls-authentication", "TruststoreUri=s3://truststores/clients.pem,TruststoreVersion=1"}
	v2.fails("BadRequestException", "CreateDomainName", "Missing ownershipVerificationCertificate.",
		append(mtlsArgs, "--domain-name-configurations", "CertificateArn="+arn+",EndpointType=REGIONAL,SecurityPolicy=TLS_1_2")...)
	mt := v2.obj(append(mtlsArgs, "--domain-name-configurations", "CertificateArn="+arn+",EndpointType=REGIONAL,SecurityPolicy=TLS_1_2,OwnershipVerificationCertificateArn="+requested)...)
	if !reflect.DeepEqual(mt["MutualTlsAuthentication"], obj{"TruststoreUri": "s3://truststores/clients.pem", "TruststoreVersion": "1"}) {
		t.Errorf("mTLS domain: %v", mt)
	}
	if v1 := c.obj("get-domain-name", "--domain-name", "mtls.example.test"); v1["ownershipVerificationCertificateArn"] != requested {
		t.Errorf("apigateway get-domain-name of the mTLS domain: %v", v1)
	}
	v2.fails("BadRequestException", "UpdateDomainName", "Unable to read truststore at s3://truststores/none.pem: the object does not exist (Tollgate reads s3://truststores/none.pem from "+
		filepath.Join(g.DataDir, "s3", "truststores", "none.pem")+")",
		"update-domain-name", "--domain-name", "mtls.example.test", "--mutual-tls-authentication", "TruststoreUri=s3://truststores/none.pem")

	// Client certificates and a stage presenting one.
	cc := c.obj("generate-client-certificate", "--description", "orders backend")
	ccID, _ := cc["clientCertificateId"].(string)
	wantKeys(t, "generate-client-certificate", cc, "clientCertificateId", "description", "pemEncodedCertificate", "createdDate", "expirationDate")
	if !id6RE.MatchString(ccID) || !strings.HasPrefix(cc["pemEncodedCertificate"].(string), "-----BEGIN CERTIFICATE-----") {
		t.Errorf("generate-client-certificate: %v", cc)
	}
	st := c.obj("update-stage", "--rest-api-id", api.ID, "--stage-name", "prod", "--patch-operations", "op=replace,path=/clientCertificateId,value="+ccID)
	if st["clientCertificateId"] != ccID {
		t.Errorf("update-stage clientCertificateId: %v", st)
	}
	c.fails("ConflictException", "DeleteClientCertificate", "Cannot delete client certificate "+ccID+" because it is in use by a stage.",
		"delete-client-certificate", "--client-certificate-id", ccID)
	c.fails("NotFoundException", "GetClientCertificate", "Invalid Client Certificate identifier specified", "get-client-certificate", "--client-certificate-id", "nope00")

	// Clean-up in dependency order.
	v2.ok(nil, "delete-api-mapping", "--domain-name", "api.example.test", "--api-mapping-id", m["ApiMappingId"].(string))
	c.ok(nil, "delete-base-path-mapping", "--domain-name", "api.example.test", "--base-path", "v1")
	c.ok(nil, "delete-domain-name", "--domain-name", "api.example.test")
	v2.ok(nil, "delete-domain-name", "--domain-name", "mtls.example.test")
	acm.ok(nil, "delete-certificate", "--certificate-arn", arn)
	c.fails("NotFoundException", "GetDomainName", "Invalid domain name identifier specified", "get-domain-name", "--domain-name", "api.example.test")

	checkNoPrivateKey(t, g, keyPEM)
}

// checkIssued verifies a certificate the local CA issued against the CA
// file clients trust (<data-dir>/tls/ca.pem).
func checkIssued(t *testing.T, g *Gateway, certPEM, name string) {
	t.Helper()
	caPEM, err := os.ReadFile(filepath.Join(g.DataDir, "tls", "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil {
		t.Fatalf("issued certificate is not PEM: %q", certPEM)
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
		t.Errorf("the issued certificate does not verify against ca.pem for %s: %v", name, err)
	}
}

// writeTruststore writes a truststore with one CA certificate to path.
func writeTruststore(t *testing.T, path string) {
	t.Helper()
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Clients CA"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkNoPrivateKey: the key imported (keyPEM) appears nowhere in the
// gateway's log or its data dir's files (the store, its journal), and no
// file but the local CA's and the server's own keys holds a PEM private
// key.
func checkNoPrivateKey(t *testing.T, g *Gateway, keyPEM []byte) {
	t.Helper()
	block, _ := pem.Decode(keyPEM)
	probes := [][]byte{keyPEM[40:90], block.Bytes[20:80]} // within one PEM line; raw DER
	if strings.Contains(g.Logs(), string(keyPEM[40:90])) || strings.Contains(g.Logs(), "PRIVATE KEY") {
		t.Error("the gateway log holds a private key")
	}
	own := map[string]bool{"secret.key": true, filepath.Join("tls", "ca-key.pem"): true, filepath.Join("tls", "server-key.pem"): true}
	err := filepath.WalkDir(g.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(g.DataDir, path)
		if own[rel] {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("PRIVATE KEY")) {
			t.Errorf("%s holds a PEM private key", rel)
		}
		for _, p := range probes {
			if bytes.Contains(b, p) {
				t.Errorf("%s holds the imported private key", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
