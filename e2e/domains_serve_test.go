package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

// curl runs curl with args (the URL last) and returns its answer; curl
// failing to get one (a refused handshake, say) fails the test.
func curl(t testing.TB, args ...string) result {
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
	return curl(c.t, append(all, u.Scheme+"://"+host+":"+port+path)...)
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
		!strings.HasPrefix(ev["headers"].(map[string]any)["Host"].(string), "api.example.test:") {
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
