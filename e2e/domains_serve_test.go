package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// curlResult runs curl with args (the URL last) and returns its answer; curl
// failing to get one (a refused handshake, say) fails the test.
func curlResult(t testing.TB, args ...string) result {
	t.Helper()
	r, err := tryCurl(args...)
	if err != nil {
		t.Fatalf("curl %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// tryCurl is curl that returns curl's failure.
func tryCurl(args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "curl", append([]string{"-sS", "-i", "--max-time", "20"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, &curlError{err: err, stderr: stderr.String()}
	}
	res, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(out))), nil)
	if err != nil {
		return result{}, &curlError{err: err, stderr: string(out)}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{Status: res.StatusCode, Header: res.Header, Body: string(b)}, nil
}

type curlError struct {
	err    error
	stderr string
}

func (e *curlError) Error() string { return e.err.Error() + ": " + strings.TrimSpace(e.stderr) }

// domainClient calls a gateway listener by domain name, as a client whose
// DNS points the name at it would (curl --resolve).
type domainClient struct {
	t     testing.TB
	base  string // http://127.0.0.1:port or https://…
	extra []string
}

func (dp *dataPlane) byName(t testing.TB, base string, extra ...string) *domainClient {
	return &domainClient{t: t, base: base, extra: extra}
}

// get sends GET https?://host:port/path with --resolve host:port:127.0.0.1.
func (c *domainClient) get(host, path string, args ...string) result {
	c.t.Helper()
	u, err := url.Parse(c.base)
	if err != nil {
		c.t.Fatal(err)
	}
	port := u.Port()
	all := append([]string{"--resolve", host + ":" + port + ":127.0.0.1"}, c.extra...)
	all = append(all, args...)
	return curlResult(c.t, append(all, u.Scheme+"://"+host+":"+port+path)...)
}

// waitGet repeats get until it answers status and body.
func (c *domainClient) waitGet(host, path string, status int, body string, args ...string) {
	c.t.Helper()
	var r result
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if r = c.get(host, path, args...); r.Status == status && r.Body == body {
			return
		}
	}
	c.t.Fatalf("GET %s%s: %s, want %d %q", host, path, r, status, body)
}

// echoEvent decodes the Lambda proxy event the echo function answered.
func echoEvent(t testing.TB, what string, r result) map[string]any {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("%s: %s", what, r)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(r.Body), &ev); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, r.Body)
	}
	return ev
}

// TestDomainsRouting serves REST APIs through custom domain names set up
// with the AWS CLI v2, called by name with curl --resolve: base path and
// multi-level API mappings (the base path is stripped from what the API
// routes and kept in the proxy event's path), unmapped paths (403
// Forbidden) and unknown resources (Missing Authentication Token), a
// disabled execute-api endpoint with the domain still serving, routing
// rules and routing modes, a wildcard domain, and every change live
// without a restart.
func TestDomainsRouting(t *testing.T) {
	requireAWSCLI(t)
	dp := startDataPlane(t, "", functionFlag(t, "echo", "echo")...)
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	c := newCLI(t, dp.Gateway)
	acm, v2 := c.service("acm"), c.v2()

	shop := dp.newAPI(t, "shop")
	shop.lambdaProxy(t, "/pets/{id}", "GET", "echo", nil)
	shop.echoMock(t, "/", "GET")
	shop.deploy(t, "prod")
	orders := dp.newAPI(t, "orders")
	orders.mock(t, "/{id}", "GET", `{"order":"$input.params('id')","path":"$context.path","base":"$!context.customDomain.basePathMatched","rule":"$!context.customDomain.routingRuleIdMatched"}`)
	orders.deploy(t, "live")

	arn := acm.obj("request-certificate", "--domain-name", "api.example.test", "--subject-alternative-names", "*.example.test")["CertificateArn"].(string)
	c.obj("create-domain-name", "--domain-name", "api.example.test", "--regional-certificate-arn", arn,
		"--endpoint-configuration", "types=REGIONAL", "--security-policy", "TLS_1_2")
	c.obj("create-base-path-mapping", "--domain-name", "api.example.test", "--base-path", "v1", "--rest-api-id", shop.ID, "--stage", "prod")
	v2.obj("create-api-mapping", "--domain-name", "api.example.test", "--api-mapping-key", "v1/orders", "--api-id", orders.ID, "--stage", "live")

	web := dp.byName(t, dp.HTTP)
	web.waitGet("api.example.test", "/v1", 200, `{"resource":"/","method":"GET"}`)
	ev := echoEvent(t, "proxy event", web.get("api.example.test", "/v1/pets/7?x=1"))
	rc := ev["requestContext"].(map[string]any)
	if ev["path"] != "/v1/pets/7" || ev["resource"] != "/pets/{id}" || !reflect.DeepEqual(ev["pathParameters"], map[string]any{"id": "7"}) ||
		rc["path"] != "/v1/pets/7" || rc["resourcePath"] != "/pets/{id}" || rc["stage"] != "prod" || rc["apiId"] != shop.ID ||
		rc["domainName"] != "api.example.test" || rc["domainPrefix"] != "api" ||
		// The domain has a multi-level mapping (v1/orders): header names arrive in lower case.
		!strings.HasPrefix(fmt.Sprint(ev["headers"].(map[string]any)["host"]), "api.example.test:") {
		t.Errorf("proxy event through the domain: path %v resource %v pathParameters %v requestContext %v headers %v",
			ev["path"], ev["resource"], ev["pathParameters"], rc, ev["headers"])
	}
	expect(t, "multi-level mapping", web.get("api.example.test", "/v1/orders/42"), 200, `{"order":"42","path":"/v1/orders/42","base":"v1/orders","rule":""}`)
	expect(t, "upper-case Host", web.get("API.Example.Test", "/v1/orders/42"), 200, `{"order":"42","path":"/v1/orders/42","base":"v1/orders","rule":""}`)
	unmapped := web.get("api.example.test", "/v2/pets")
	expect(t, "unmapped base path", unmapped, 403, bodyForbidden)
	if unmapped.Header.Get("x-amzn-ErrorType") != "ForbiddenException" || len(unmapped.Header.Get("x-amzn-RequestId")) != 36 {
		t.Errorf("unmapped base path headers: %v", unmapped.Header)
	}
	expectMAT(t, "unknown resource of a mapped API", web.get("api.example.test", "/v1/nothing/here"))
	expect(t, "reserved health check", web.get("api.example.test", "/ping"), 200, "")

	// The execute-api endpoint disabled (and redeployed): it answers 403,
	// the domain keeps serving.
	c.ok(nil, "update-rest-api", "--rest-api-id", shop.ID, "--patch-operations", "op=replace,path=/disableExecuteApiEndpoint,value=true")
	c.ok(nil, "create-deployment", "--rest-api-id", shop.ID, "--stage-name", "prod")
	dp.waitFor(t, shop.url("prod", "/"), 403, bodyForbidden)
	expect(t, "domain of a disabled endpoint", web.get("api.example.test", "/v1"), 200, `{"resource":"/","method":"GET"}`)

	// Routing rules, consulted once the routing mode says so; the
	// mappings take what no rule matches.
	c.ok(nil, "update-domain-name", "--domain-name", "api.example.test", "--patch-operations", "op=replace,path=/routingMode,value=ROUTING_RULE_THEN_BASE_PATH_MAPPING")
	rule := dp.call(t, "POST", "/v2/domainnames/api.example.test/routingrules", map[string]any{
		"priority":   10,
		"conditions": []any{map[string]any{"matchHeaders": map[string]any{"anyOf": []any{map[string]any{"header": "x-version", "valueGlob": "beta*"}}}}, map[string]any{"matchBasePaths": map[string]any{"anyOf": []any{"v1"}}}},
		"actions":    []any{map[string]any{"invokeApi": map[string]any{"apiId": orders.ID, "stage": "live", "stripBasePath": true}}},
	})
	ruleID := rule["routingRuleId"].(string)
	web.waitGet("api.example.test", "/v1/9", 200, `{"order":"9","path":"/v1/9","base":"","rule":"`+ruleID+`"}`, "-H", "X-Version: beta-2")
	expectMAT(t, "no rule matching: the mappings", web.get("api.example.test", "/v1/9", "-H", "X-Version: gamma"))
	c.ok(nil, "update-domain-name", "--domain-name", "api.example.test", "--patch-operations", "op=replace,path=/routingMode,value=ROUTING_RULE_ONLY")
	web.waitGet("api.example.test", "/v1/9", 403, bodyForbidden)
	expect(t, "rules only, rule matching", web.get("api.example.test", "/v1/9", "-H", "X-Version: beta"), 200, `{"order":"9","path":"/v1/9","base":"","rule":"`+ruleID+`"}`)

	// A wildcard domain for the other names under example.test.
	c.obj("create-domain-name", "--domain-name", "*.example.test", "--regional-certificate-arn", arn,
		"--endpoint-configuration", "types=REGIONAL", "--security-policy", "TLS_1_2")
	c.obj("create-base-path-mapping", "--domain-name", "*.example.test", "--rest-api-id", orders.ID, "--stage", "live")
	web.waitGet("shop.example.test", "/5", 200, `{"order":"5","path":"/5","base":"(none)","rule":""}`)
	expect(t, "a deeper name", web.get("a.shop.example.test", "/5"), 403, bodyForbidden)
	expect(t, "the exact domain beside the wildcard", web.get("api.example.test", "/v1/9", "-H", "X-Version: beta"), 200, `{"order":"9","path":"/v1/9","base":"","rule":"`+ruleID+`"}`)

	// Deleting a mapping and a domain takes them off at once.
	c.ok(nil, "delete-base-path-mapping", "--domain-name", "*.example.test", "--base-path", "(none)")
	web.waitGet("shop.example.test", "/5", 403, bodyForbidden)
	c.ok(nil, "delete-domain-name", "--domain-name", "*.example.test")
	dp.call(t, "DELETE", "/v2/domainnames/api.example.test/routingrules/"+ruleID, nil) // the CLI 2.9 lacks routing rules
	web.waitGet("api.example.test", "/v1/9", 403, bodyForbidden, "-H", "X-Version: beta")
}

// opensslHandshake runs `openssl s_client` against addr asking for
// serverName with args (-tls1_1, -cipher …) and returns the protocol and
// cipher it negotiated, or its failure.
func opensslHandshake(addr, serverName string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	all := append([]string{"s_client", "-connect", addr, "-servername", serverName, "-brief"}, args...)
	cmd := exec.CommandContext(ctx, "openssl", all...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	var proto, suite string
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "Protocol version: "); ok {
			proto = v
		}
		if v, ok := strings.CutPrefix(l, "Ciphersuite: "); ok {
			suite = v
		}
	}
	if err != nil || proto == "" {
		return "", &curlError{err: errors.New("handshake failed"), stderr: string(out)}
	}
	return proto + " " + suite, nil
}

// TestDomainsTLS: the HTTPS listener presents each custom domain's ACM
// certificate by SNI (the local CA's for other names and for clients
// without SNI) and enforces the domain's security policy: TLS_1_0 takes
// TLS 1.1 with the CBC-SHA suites, TLS_1_2 refuses them, a TLS 1.3-only
// policy refuses TLS 1.2 (openssl s_client, curl and Go). A re-imported
// certificate serves the next handshake while an open connection keeps
// working.
func TestDomainsTLS(t *testing.T) {
	requireAWSCLI(t)
	dp := startDataPlane(t, "")
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	c := newCLI(t, dp.Gateway)
	acm := c.service("acm")
	a := dp.newAPI(t, "tls")
	a.mock(t, "/", "GET", `$context.domainName`)
	a.deploy(t, "prod")

	// One certificate from the local CA for *.example.test, three domains
	// with three policies (the enhanced one through a signed call: the
	// CLI 2.9 lacks endpointAccessMode).
	arn := acm.obj("request-certificate", "--domain-name", "*.example.test")["CertificateArn"].(string)
	for _, p := range []string{"TLS_1_0", "TLS_1_2"} {
		name := strings.ToLower(strings.ReplaceAll(p, "_", "")) + ".example.test" // tls10.example.test, tls12.…
		c.obj("create-domain-name", "--domain-name", name, "--regional-certificate-arn", arn, "--endpoint-configuration", "types=REGIONAL", "--security-policy", p)
		c.obj("create-base-path-mapping", "--domain-name", name, "--rest-api-id", a.ID, "--stage", "prod")
	}
	dp.call(t, "POST", "/domainnames", map[string]any{"domainName": "tls13.example.test", "regionalCertificateArn": arn,
		"endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}, "securityPolicy": "SecurityPolicy_TLS13_1_3_2025_09", "endpointAccessMode": "BASIC"})
	c.obj("create-base-path-mapping", "--domain-name", "tls13.example.test", "--rest-api-id", a.ID, "--stage", "prod")

	secure := dp.byName(t, dp.HTTPS, "--cacert", dp.CAPath)
	for _, name := range []string{"tls10.example.test", "tls12.example.test", "tls13.example.test"} {
		secure.waitGet(name, "/", 200, name)
	}
	addr := hostOf(dp.HTTPS)
	for _, c := range []struct {
		name string
		args []string
		want string // "" = refused
	}{
		{"tls10.example.test", []string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}, "TLSv1.1"},
		{"tls10.example.test", []string{"-tls1_2", "-cipher", "AES128-SHA"}, "TLSv1.2 AES128-SHA"},
		{"tls10.example.test", []string{"-tls1_3"}, "TLSv1.3"},
		{"tls12.example.test", []string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}, ""},
		{"tls12.example.test", []string{"-tls1_2", "-cipher", "AES128-SHA"}, ""},
		{"tls12.example.test", []string{"-tls1_2", "-cipher", "AES128-GCM-SHA256"}, "TLSv1.2 AES128-GCM-SHA256"},
		{"tls12.example.test", []string{"-tls1_2"}, "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"},
		{"tls12.example.test", []string{"-tls1_3"}, "TLSv1.3"},
		{"tls13.example.test", []string{"-tls1_2"}, ""},
		{"tls13.example.test", []string{"-tls1_3"}, "TLSv1.3"},
	} {
		got, err := opensslHandshake(addr, c.name, c.args...)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("openssl %s %v: negotiated %s, want a refusal", c.name, c.args, got)
		case c.want != "" && (err != nil || !strings.HasPrefix(got, c.want)):
			t.Errorf("openssl %s %v: %q %v, want %s", c.name, c.args, got, err, c.want)
		}
	}
	// curl refused by a TLS 1.3-only domain when it caps itself at 1.2.
	if _, err := tryCurl("--cacert", dp.CAPath, "--tls-max", "1.2", "--resolve", "tls13.example.test:"+portOf(dp.HTTPS)+":127.0.0.1",
		"https://tls13.example.test:"+portOf(dp.HTTPS)+"/"); err == nil {
		t.Error("curl --tls-max 1.2 reached a TLS 1.3-only domain")
	}
	// Other names, and clients without SNI, get the local CA's certificate.
	for _, sniName := range []string{"", "localhost", "other.test"} {
		conn, err := tls.Dial("tcp", addr, &tls.Config{ServerName: sniName, InsecureSkipVerify: true})
		if err != nil {
			t.Fatalf("SNI %q: %v", sniName, err)
		}
		if names := conn.ConnectionState().PeerCertificates[0].DNSNames; !slices.Contains(names, "localhost") {
			t.Errorf("SNI %q: certificate for %v, want the local CA's server certificate", sniName, names)
		}
		conn.Close()
	}

	// An imported certificate, re-imported under the same ARN.
	dir1, dir2 := t.TempDir(), t.TempDir()
	cert1, key1, _ := testCertFiles(t, dir1, "rotate.example.test")
	cert2, key2, _ := testCertFiles(t, dir2, "rotate.example.test")
	imported := acm.obj("import-certificate", "--certificate", "fileb://"+cert1, "--private-key", "fileb://"+key1)["CertificateArn"].(string)
	c.obj("create-domain-name", "--domain-name", "rotate.example.test", "--regional-certificate-arn", imported, "--endpoint-configuration", "types=REGIONAL")
	c.obj("create-base-path-mapping", "--domain-name", "rotate.example.test", "--rest-api-id", a.ID, "--stage", "prod")
	dp.byName(t, dp.HTTPS, "--cacert", cert1).waitGet("rotate.example.test", "/", 200, "rotate.example.test")
	pool := x509.NewCertPool()
	pem1, _ := os.ReadFile(cert1)
	pool.AppendCertsFromPEM(pem1)
	open, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "rotate.example.test", RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	rd := bufio.NewReader(open)
	ask := func() result {
		t.Helper()
		if _, err := io.WriteString(open, "GET / HTTP/1.1\r\nHost: rotate.example.test\r\n\r\n"); err != nil {
			t.Fatalf("the open connection: %v", err)
		}
		res, err := http.ReadResponse(rd, nil)
		if err != nil {
			t.Fatalf("the open connection: %v", err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return result{Status: res.StatusCode, Body: string(b)}
	}
	expect(t, "open connection", ask(), 200, "rotate.example.test")
	acm.ok(nil, "import-certificate", "--certificate-arn", imported, "--certificate", "fileb://"+cert2, "--private-key", "fileb://"+key2)
	dp.byName(t, dp.HTTPS, "--cacert", cert2).waitGet("rotate.example.test", "/", 200, "rotate.example.test")
	if _, err := tryCurl("--cacert", cert1, "--resolve", "rotate.example.test:"+portOf(dp.HTTPS)+":127.0.0.1", "https://rotate.example.test:"+portOf(dp.HTTPS)+"/"); err == nil {
		t.Error("a new handshake still got the replaced certificate")
	}
	expect(t, "the connection made before the re-import", ask(), 200, "rotate.example.test")
}

// TestDomainsCORS: a REST API's OPTIONS MOCK preflight (the console's
// "Enable CORS" shape) answers browsers' preflights through a custom
// domain over HTTPS, and the actual request carries its CORS header; the
// routing is the same for every API type (front.Domain resolves to the
// stage's Target).
func TestDomainsCORS(t *testing.T) {
	requireAWSCLI(t)
	dp := startDataPlane(t, "")
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	c := newCLI(t, dp.Gateway)
	a := dp.newAPI(t, "cors")
	const origin = "https://app.example.test"
	a.method(t, "/items", "OPTIONS", nil)
	a.integration(t, "/items", "OPTIONS", map[string]any{"type": "MOCK", "requestTemplates": map[string]any{"application/json": `{"statusCode": 200}`}})
	a.methodResponse(t, "/items", "OPTIONS", "200", map[string]any{"responseParameters": map[string]any{
		"method.response.header.Access-Control-Allow-Origin": true, "method.response.header.Access-Control-Allow-Methods": true,
		"method.response.header.Access-Control-Allow-Headers": true}})
	a.integrationResponse(t, "/items", "OPTIONS", "200", map[string]any{"responseParameters": map[string]any{
		"method.response.header.Access-Control-Allow-Origin":  "'" + origin + "'",
		"method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
		"method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Api-Key'"}})
	a.method(t, "/items", "GET", nil)
	a.integration(t, "/items", "GET", map[string]any{"type": "MOCK", "requestTemplates": map[string]any{"application/json": `{"statusCode": 200}`}})
	a.methodResponse(t, "/items", "GET", "200", map[string]any{"responseParameters": map[string]any{"method.response.header.Access-Control-Allow-Origin": true}})
	a.integrationResponse(t, "/items", "GET", "200", map[string]any{
		"responseParameters": map[string]any{"method.response.header.Access-Control-Allow-Origin": "'" + origin + "'"},
		"responseTemplates":  map[string]any{"application/json": `[{"id":1}]`}})
	a.deploy(t, "prod")

	arn := c.service("acm").obj("request-certificate", "--domain-name", "api.example.test")["CertificateArn"].(string)
	c.obj("create-domain-name", "--domain-name", "api.example.test", "--regional-certificate-arn", arn, "--endpoint-configuration", "types=REGIONAL")
	c.obj("create-base-path-mapping", "--domain-name", "api.example.test", "--base-path", "v1", "--rest-api-id", a.ID, "--stage", "prod")

	secure := dp.byName(t, dp.HTTPS, "--cacert", dp.CAPath)
	preflight := []string{"-X", "OPTIONS", "-H", "Origin: " + origin, "-H", "Access-Control-Request-Method: GET",
		"-H", "Access-Control-Request-Headers: content-type"}
	secure.waitGet("api.example.test", "/v1/items", 200, "", preflight...)
	r := secure.get("api.example.test", "/v1/items", preflight...)
	if r.Header.Get("Access-Control-Allow-Origin") != origin || r.Header.Get("Access-Control-Allow-Methods") != "GET,OPTIONS" ||
		r.Header.Get("Access-Control-Allow-Headers") != "Content-Type,X-Api-Key" {
		t.Errorf("preflight through the domain: %v", r.Header)
	}
	r = secure.get("api.example.test", "/v1/items", "-H", "Origin: "+origin)
	expect(t, "actual request", r, 200, `[{"id":1}]`)
	if r.Header.Get("Access-Control-Allow-Origin") != origin {
		t.Errorf("actual request: %v", r.Header)
	}
	expect(t, "preflight to an unmapped base path", secure.get("api.example.test", "/v2/items", preflight...), 403, bodyForbidden)
}

// TestDomainsHTTPAPI: an HTTP API (quick create with a Lambda function)
// and a REST API behind one custom domain, mapped with the AWS CLI v2:
// the HTTP API's $default stage routes the path after its mapping key and
// its function sees the whole path, base path included, in rawPath and
// requestContext.http.path, the domain in domainName [D][L]; with its
// execute-api endpoint disabled the domain keeps serving it.
func TestDomainsHTTPAPI(t *testing.T) {
	requireAWSCLI(t)
	dp := startDataPlane(t, "", functionFlag(t, "hello", "httpv2")...)
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	c := newCLI(t, dp.Gateway)
	v2 := c.v2()
	api := dp.newHTTPAPI(t, v2, "orders", "--target", "arn:aws:lambda:us-east-1:000000000000:function:hello")
	api.waitFor(t, "/x", nil, 200)
	rest := dp.newAPI(t, "shop")
	rest.echoMock(t, "/pets", "GET")
	rest.deploy(t, "prod")

	arn := c.service("acm").obj("request-certificate", "--domain-name", "mix.example.test")["CertificateArn"].(string)
	v2.obj("create-domain-name", "--domain-name", "mix.example.test", "--domain-name-configurations", "CertificateArn="+arn+",EndpointType=REGIONAL,SecurityPolicy=TLS_1_2")
	v2.obj("create-api-mapping", "--domain-name", "mix.example.test", "--api-mapping-key", "orders", "--api-id", api.ID, "--stage", "$default")
	v2.obj("create-api-mapping", "--domain-name", "mix.example.test", "--api-mapping-key", "shop", "--api-id", rest.ID, "--stage", "prod")

	secure := dp.byName(t, dp.HTTPS, "--cacert", dp.CAPath)
	secure.waitGet("mix.example.test", "/shop/pets", 200, `{"resource":"/pets","method":"GET"}`)
	check := func(what string) {
		t.Helper()
		r := secure.get("mix.example.test", "/orders/9?q=1")
		var ev map[string]any
		if err := json.Unmarshal([]byte(r.Body), &ev); err != nil || r.Status != 200 {
			t.Fatalf("%s: %s", what, r)
		}
		rc := ev["requestContext"].(map[string]any)
		if ev["rawPath"] != "/orders/9" || rc["http"].(map[string]any)["path"] != "/orders/9" || ev["rawQueryString"] != "q=1" ||
			rc["domainName"] != "mix.example.test" || rc["domainPrefix"] != "mix" || rc["stage"] != "$default" || rc["apiId"] != api.ID {
			t.Errorf("%s: the function saw %s", what, r.Body)
		}
	}
	check("HTTP API through the domain")
	v2.obj("update-api", "--api-id", api.ID, "--disable-execute-api-endpoint")
	api.waitFor(t, "/x", nil, 403)
	check("with the execute-api endpoint disabled")
}
