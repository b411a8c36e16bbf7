package waf

import (
	"context"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// req is a test request.
type req struct {
	method, uri, query, proto string
	headers                   [][2]string
	ip                        string
	body                      string
	byHost                    bool
}

func (r *req) Method() string {
	if r.method == "" {
		return "GET"
	}
	return r.method
}
func (r *req) URI() string      { return r.uri }
func (r *req) RawQuery() string { return r.query }
func (r *req) Protocol() string { return "HTTP/1.1" }
func (r *req) ByHost() bool     { return r.byHost }
func (r *req) Header(name string) string {
	for _, h := range r.headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}
func (r *req) VisitHeaders(fn func(name, value []byte)) {
	for _, h := range r.headers {
		fn([]byte(h[0]), []byte(h[1]))
	}
}
func (r *req) ClientIP() netip.Addr {
	if r.ip == "" {
		return netip.MustParseAddr("127.0.0.1")
	}
	return netip.MustParseAddr(r.ip)
}
func (r *req) Body(limit int) ([]byte, bool, error) {
	b := []byte(r.body)
	if len(b) > limit {
		return b[:limit], true, nil
	}
	return b, false, nil
}

const (
	testAccount = "000000000000"
	ipSetARN    = "arn:aws:wafv2:us-east-1:000000000000:regional/ipset/bad/11111111-1111-4111-8111-111111111111"
	regexARN    = "arn:aws:wafv2:us-east-1:000000000000:regional/regexpatternset/agents/22222222-2222-4222-8222-222222222222"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// build compiles a web ACL named "acl" from its default action and rules
// (JSON), with an IP set (198.51.100.0/24, 2001:db8::/32) and a regex
// set (^sqlmap, nikto).
func build(t *testing.T, def, rules string, opt Options) *ACL {
	t.Helper()
	doc := &wafmodel.WebACL{}
	doc.Name, doc.ID, doc.ARN = "acl", "33333333-3333-4333-8333-333333333333", "arn:aws:wafv2:us-east-1:000000000000:regional/webacl/acl/33333333-3333-4333-8333-333333333333"
	doc.LabelNamespace = wafmodel.LabelNamespaceOf(testAccount, "acl")
	raw := `{"DefaultAction":` + def + `,"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"acl"},` +
		`"CustomResponseBodies":{"slow":{"ContentType":"APPLICATION_JSON","Content":"{\"slow\":true}"}},"Rules":` + rules + `}`
	if err := json.Unmarshal([]byte(raw), doc); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	var c wafmodel.Checks
	c.CheckACL(&wafmodel.ACLSpec{Scope: "REGIONAL", DefaultAction: doc.DefaultAction, Rules: doc.Rules, VisibilityConfig: doc.VisibilityConfig,
		CustomResponseBodies: doc.CustomResponseBodies}, "us-east-1", testAccount, func(wafmodel.ParsedARN) bool { return true }, false)
	if err := c.Err(); err != nil {
		t.Fatalf("the management API refuses this web ACL: %v", err)
	}
	ip := &wafmodel.IPSet{Addresses: []string{"198.51.100.0/24", "2001:db8::/32", "203.0.113.7/32"}}
	re := &wafmodel.RegexPatternSet{RegularExpressionList: []wafmodel.Regex{{RegexString: "^sqlmap"}, {RegexString: "nikto"}}}
	if opt.Account == "" {
		opt.Account = testAccount
	}
	if opt.Rates == nil {
		opt.Rates = ratelimit.NewMemoryWindows()
	}
	acl, err := Compile(doc, Sets{IPSets: map[string]*wafmodel.IPSet{ipSetARN: ip}, RegexSets: map[string]*wafmodel.RegexPatternSet{regexARN: re}}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return acl
}

const vis = `"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"%s"}`

// r is a rule named name at priority prio.
func r(name string, prio int, action, st string) string {
	return `{"Name":"` + name + `","Priority":` + itoa(prio) + `,` + action + `,"Statement":` + st + `,` + strings.Replace(vis, "%s", name, 1) + `}`
}

func itoa(i int) string { return strconv.Itoa(i) }

const (
	allow = `"Action":{"Allow":{}}`
	block = `"Action":{"Block":{}}`
	count = `"Action":{"Count":{}}`
	none  = `"TextTransformations":[{"Priority":0,"Type":"NONE"}]`
)

func eval1(acl *ACL, rq *req) Result { return acl.Evaluate(context.Background(), rq, t0) }

func expect(t *testing.T, acl *ACL, rq *req, act Action, rule string) Result {
	t.Helper()
	res := eval1(acl, rq)
	if res.Err != nil {
		t.Fatalf("%+v: %v", rq, res.Err)
	}
	if res.Action != act || res.Rule != rule {
		t.Errorf("%+v: %s by %s, want %s by %s", rq, res.Action, res.Rule, act, rule)
	}
	return res
}

func TestIPSets(t *testing.T) {
	acl := build(t, `{"Allow":{}}`, `[`+
		r("direct", 0, block, `{"IPSetReferenceStatement":{"ARN":"`+ipSetARN+`"}}`)+`,`+
		r("first", 1, block, `{"IPSetReferenceStatement":{"ARN":"`+ipSetARN+`","IPSetForwardedIPConfig":{"HeaderName":"X-Forwarded-For","FallbackBehavior":"MATCH","Position":"FIRST"}}}`)+`,`+
		r("any", 2, block, `{"IPSetReferenceStatement":{"ARN":"`+ipSetARN+`","IPSetForwardedIPConfig":{"HeaderName":"X-Client","FallbackBehavior":"NO_MATCH","Position":"ANY"}}}`)+`]`, Options{})
	expect(t, acl, &req{ip: "198.51.100.20"}, ActionBlock, "direct")
	expect(t, acl, &req{ip: "203.0.113.7"}, ActionBlock, "direct")
	expect(t, acl, &req{ip: "203.0.113.8"}, ActionAllow, DefaultActionRule)
	expect(t, acl, &req{ip: "2001:db8::1"}, ActionBlock, "direct")
	expect(t, acl, &req{ip: "::ffff:198.51.100.1"}, ActionBlock, "direct")
	expect(t, acl, &req{headers: [][2]string{{"X-Forwarded-For", "198.51.100.9, 10.0.0.1"}}}, ActionBlock, "first")
	expect(t, acl, &req{headers: [][2]string{{"x-forwarded-for", "10.0.0.1, 198.51.100.9"}}}, ActionAllow, DefaultActionRule)
	expect(t, acl, &req{headers: [][2]string{{"X-Forwarded-For", "not-an-ip"}}}, ActionBlock, "first")
	expect(t, acl, &req{headers: [][2]string{{"X-Client", "10.0.0.1, 198.51.100.9"}}}, ActionBlock, "any")
	expect(t, acl, &req{headers: [][2]string{{"X-Client", "garbage"}}}, ActionAllow, DefaultActionRule)
}

func TestMatchStatements(t *testing.T) {
	acl := build(t, `{"Allow":{}}`, `[`+
		r("admin", 0, block, `{"ByteMatchStatement":{"SearchString":"L2FkbWlu","FieldToMatch":{"UriPath":{}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE"},{"Priority":1,"Type":"LOWERCASE"}],"PositionalConstraint":"STARTS_WITH"}}`)+`,`+
		r("agents", 1, block, `{"RegexPatternSetReferenceStatement":{"ARN":"`+regexARN+`","FieldToMatch":{"SingleHeader":{"Name":"User-Agent"}},"TextTransformations":[{"Priority":0,"Type":"LOWERCASE"}]}}`)+`,`+
		r("debug-arg", 2, block, `{"ByteMatchStatement":{"SearchString":"dHJ1ZQ==","FieldToMatch":{"SingleQueryArgument":{"Name":"Debug"}},`+none+`,"PositionalConstraint":"EXACTLY"}}`)+`,`+
		r("word", 3, block, `{"ByteMatchStatement":{"SearchString":"ZHJvcA==","FieldToMatch":{"AllQueryArguments":{}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE"}],"PositionalConstraint":"CONTAINS_WORD"}}`)+`,`+
		r("big-body", 4, block, `{"SizeConstraintStatement":{"FieldToMatch":{"Body":{"OversizeHandling":"MATCH"}},"ComparisonOperator":"GT","Size":100,`+none+`}}`)+`,`+
		r("post-json", 5, block, `{"AndStatement":{"Statements":[{"ByteMatchStatement":{"SearchString":"UE9TVA==","FieldToMatch":{"Method":{}},`+none+`,"PositionalConstraint":"EXACTLY"}},`+
			`{"NotStatement":{"Statement":{"RegexMatchStatement":{"RegexString":"^application/json","FieldToMatch":{"SingleHeader":{"Name":"content-type"}},`+none+`}}}}]}}`)+`,`+
		r("json-role", 6, block, `{"ByteMatchStatement":{"SearchString":"YWRtaW4=","FieldToMatch":{"JsonBody":{"MatchPattern":{"IncludedPaths":["/user/role"]},"MatchScope":"VALUE","InvalidFallbackBehavior":"EVALUATE_AS_STRING"}},`+none+`,"PositionalConstraint":"EXACTLY"}}`)+`,`+
		r("cookie", 7, block, `{"ByteMatchStatement":{"SearchString":"MQ==","FieldToMatch":{"Cookies":{"MatchPattern":{"IncludedCookies":["Debug"]},"MatchScope":"VALUE","OversizeHandling":"CONTINUE"}},`+none+`,"PositionalConstraint":"EXACTLY"}}`)+`,`+
		r("header-key", 8, block, `{"ByteMatchStatement":{"SearchString":"eC1ldmls","FieldToMatch":{"Headers":{"MatchPattern":{"All":{}},"MatchScope":"KEY","OversizeHandling":"CONTINUE"}},"TextTransformations":[{"Priority":0,"Type":"LOWERCASE"}],"PositionalConstraint":"EXACTLY"}}`)+`,`+
		r("sqli", 9, block, `{"SqliMatchStatement":{"FieldToMatch":{"QueryString":{}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE"}]}}`)+`,`+
		r("xss", 10, block, `{"XssMatchStatement":{"FieldToMatch":{"Body":{}},"TextTransformations":[{"Priority":0,"Type":"HTML_ENTITY_DECODE"}]}}`)+`]`, Options{})
	json := [][2]string{{"Content-Type", "application/json"}}
	expect(t, acl, &req{uri: "/prod/pets"}, ActionAllow, DefaultActionRule)
	expect(t, acl, &req{uri: "/%41dmin/x"}, ActionBlock, "admin")
	expect(t, acl, &req{uri: "/x", headers: [][2]string{{"User-Agent", "SQLMap/1.7"}}}, ActionBlock, "agents")
	expect(t, acl, &req{uri: "/x", headers: [][2]string{{"user-agent", "curl/8"}}}, ActionAllow, DefaultActionRule)
	expect(t, acl, &req{uri: "/x", query: "a=1&DEBUG=true"}, ActionBlock, "debug-arg")
	expect(t, acl, &req{uri: "/x", query: "debug=truee"}, ActionAllow, DefaultActionRule)
	expect(t, acl, &req{uri: "/x", query: "q=please%20drop%20it"}, ActionBlock, "word")
	expect(t, acl, &req{uri: "/x", query: "q=dropped"}, ActionAllow, DefaultActionRule)
	expect(t, acl, &req{uri: "/x", method: "PUT", body: strings.Repeat("a", 101)}, ActionBlock, "big-body")
	expect(t, acl, &req{uri: "/x", method: "POST", body: "{}"}, ActionBlock, "post-json")
	expect(t, acl, &req{uri: "/x", method: "POST", headers: json, body: `{"user":{"role":"admin"}}`}, ActionBlock, "json-role")
	expect(t, acl, &req{uri: "/x", method: "POST", headers: json, body: `{"user":{"name":"admin","role":"reader"}}`}, ActionAllow, DefaultActionRule)
	expect(t, acl, &req{uri: "/x", method: "POST", headers: json, body: `{"user": "role admin`}, ActionAllow, DefaultActionRule)
	expect(t, acl, &req{uri: "/x", headers: [][2]string{{"Cookie", "a=b; Debug=1"}}}, ActionBlock, "cookie")
	expect(t, acl, &req{uri: "/x", headers: [][2]string{{"Cookie", "debug=1"}}}, ActionAllow, DefaultActionRule)
	expect(t, acl, &req{uri: "/x", headers: [][2]string{{"X-Evil", "1"}}}, ActionBlock, "header-key")
	expect(t, acl, &req{uri: "/x", query: "id=1%27%20OR%20%271%27%3D%271"}, ActionBlock, "sqli")
	expect(t, acl, &req{uri: "/x", query: "name=O%27Brien&city=Dublin"}, ActionAllow, DefaultActionRule)
	expect(t, acl, &req{uri: "/x", method: "PUT", headers: json, body: `&lt;script&gt;alert(1)&lt;/script&gt;`}, ActionBlock, "xss")
}

// TestLabelsAndCount: Count rules add their labels and go on; a later
// rule matches the label; the first terminating rule wins.
func TestLabelsAndCount(t *testing.T) {
	acl := build(t, `{"Block":{}}`, `[`+
		strings.Replace(r("tag", 0, count, `{"IPSetReferenceStatement":{"ARN":"`+ipSetARN+`"}}`), `"Statement"`, `"RuleLabels":[{"Name":"suspect:ip"}],"Statement"`, 1)+`,`+
		r("by-label", 1, `"Action":{"Block":{"CustomResponse":{"ResponseCode":429,"CustomResponseBodyKey":"slow","ResponseHeaders":[{"Name":"Retry-After","Value":"30"}]}}}`,
			`{"AndStatement":{"Statements":[{"LabelMatchStatement":{"Scope":"LABEL","Key":"ip"}},{"LabelMatchStatement":{"Scope":"NAMESPACE","Key":"suspect:"}}]}}`)+`,`+
		r("ok", 2, `"Action":{"Allow":{"CustomRequestHandling":{"InsertHeaders":[{"Name":"checked","Value":"yes"}]}}}`, `{"ByteMatchStatement":{"SearchString":"L29r","FieldToMatch":{"UriPath":{}},`+none+`,"PositionalConstraint":"STARTS_WITH"}}`)+`]`, Options{})
	res := expect(t, acl, &req{ip: "198.51.100.1", uri: "/ok"}, ActionBlock, "by-label")
	if res.Response == nil || res.Response.Status != 429 || string(res.Response.Body) != `{"slow":true}` || res.Response.ContentType != "application/json" ||
		len(res.Response.Headers) != 1 || res.Response.Headers[0] != (Header{"Retry-After", "30"}) {
		t.Errorf("custom response %+v", res.Response)
	}
	if len(res.Labels) != 1 || res.Labels[0] != "awswaf:000000000000:webacl:acl:suspect:ip" {
		t.Errorf("labels %v", res.Labels)
	}
	res = expect(t, acl, &req{ip: "10.0.0.1", uri: "/ok"}, ActionAllow, "ok")
	if len(res.Insert) != 1 || res.Insert[0] != (Header{"x-amzn-waf-checked", "yes"}) {
		t.Errorf("inserted headers %v", res.Insert)
	}
	if res := expect(t, acl, &req{ip: "10.0.0.1", uri: "/no"}, ActionBlock, DefaultActionRule); res.Response != nil {
		t.Errorf("the default Block has a custom response %+v", res.Response)
	}
}

// TestRateBased: the limit's next request is limited and stays limited
// while the client keeps sending; other clients and requests outside the
// scope-down statement are not counted.
func TestRateBased(t *testing.T) {
	windows := ratelimit.NewMemoryWindows()
	acl := build(t, `{"Allow":{}}`, `[`+
		r("per-ip", 0, block, `{"RateBasedStatement":{"Limit":10,"EvaluationWindowSec":60,"AggregateKeyType":"IP","ScopeDownStatement":{"ByteMatchStatement":{"SearchString":"L2FwaQ==","FieldToMatch":{"UriPath":{}},`+none+`,"PositionalConstraint":"STARTS_WITH"}}}}`)+`,`+
		r("per-key", 1, block, `{"RateBasedStatement":{"Limit":10,"EvaluationWindowSec":60,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"Header":{"Name":"x-api-key","TextTransformations":[{"Priority":0,"Type":"NONE"}]}},{"HTTPMethod":{}}]}}`)+`]`,
		Options{Rates: windows})
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * 100 * time.Millisecond) }
	for i := range 10 {
		if res := acl.Evaluate(context.Background(), &req{ip: "10.0.0.1", uri: "/api/x"}, at(i)); res.Action != ActionAllow {
			t.Fatalf("request %d: %s by %s", i+1, res.Action, res.Rule)
		}
	}
	for i := 10; i < 15; i++ {
		if res := acl.Evaluate(context.Background(), &req{ip: "10.0.0.1", uri: "/api/x"}, at(i)); res.Action != ActionBlock || res.Rule != "per-ip" {
			t.Fatalf("request %d: %s by %s", i+1, res.Action, res.Rule)
		}
	}
	if res := acl.Evaluate(context.Background(), &req{ip: "10.0.0.2", uri: "/api/x"}, at(16)); res.Action != ActionAllow {
		t.Fatalf("another client: %s by %s", res.Action, res.Rule)
	}
	for i := range 20 {
		if res := acl.Evaluate(context.Background(), &req{ip: "10.0.0.1", uri: "/other"}, at(17+i)); res.Action != ActionAllow {
			t.Fatalf("outside the scope-down statement, request %d: %s by %s", i+1, res.Action, res.Rule)
		}
	}
	// Two windows later the client is counted afresh.
	if res := acl.Evaluate(context.Background(), &req{ip: "10.0.0.1", uri: "/api/x"}, t0.Add(3*time.Minute)); res.Action != ActionAllow {
		t.Fatalf("later: %s by %s", res.Action, res.Rule)
	}
	// Custom keys: by API key and method; requests without the header are not counted.
	key := [][2]string{{"X-Api-Key", "k1"}}
	for i := range 11 {
		res := acl.Evaluate(context.Background(), &req{uri: "/x", headers: key}, at(40+i))
		if want := i == 10; (res.Action == ActionBlock) != want {
			t.Fatalf("custom keys, request %d: %s by %s", i+1, res.Action, res.Rule)
		}
	}
	if res := acl.Evaluate(context.Background(), &req{uri: "/x", method: "POST", headers: key}, at(52)); res.Action != ActionAllow {
		t.Fatalf("another method: %s", res.Action)
	}
}

// TestMetricsAndSamples: rule matches and default actions count per rule
// and in ALL; sampled requests keep what GetSampledRequests shows.
func TestMetricsAndSamples(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	s := NewSamples()
	acl := build(t, `{"Allow":{}}`, `[`+r("bad-ip", 0, `"Action":{"Block":{"CustomResponse":{"ResponseCode":503}}}`, `{"IPSetReferenceStatement":{"ARN":"`+ipSetARN+`"}}`)+`]`,
		Options{Metrics: m, Samples: s})
	eval1(acl, &req{ip: "198.51.100.1", uri: "/prod/x", headers: [][2]string{{"Host", "api.example"}, {"User-Agent", "curl/8"}}})
	eval1(acl, &req{ip: "10.0.0.1", uri: "/prod/y"})
	eval1(acl, &req{ip: "10.0.0.1", uri: "/prod/z"})
	for _, tc := range []struct {
		vec       int
		acl, rule string
		want      float64
	}{
		{int(ActionBlock), "acl", "bad-ip", 1}, {int(ActionAllow), "acl", "Default_Action", 2},
		{int(ActionAllow), "acl", "ALL", 2}, {int(ActionBlock), "acl", "ALL", 1},
	} {
		if got := testutil.ToFloat64(m.by[tc.vec].WithLabelValues(tc.acl, tc.rule)); got != tc.want {
			t.Errorf("%s{rule=%s} = %v, want %v", Action(tc.vec), tc.rule, got, tc.want)
		}
	}
	got, pop := s.Sampled(acl.ARN, "bad-ip", t0.Add(-time.Minute), t0.Add(time.Minute), 10)
	if pop != 1 || len(got) != 1 {
		t.Fatalf("samples %+v, population %d", got, pop)
	}
	g := got[0]
	if g.Action != "BLOCK" || g.ResponseCodeSent != 503 || g.Request.ClientIP != "198.51.100.1" || g.Request.URI != "/prod/x" ||
		g.Request.Method != "GET" || len(g.Request.Headers) != 2 || g.Request.Headers[1].Value != "curl/8" || g.Weight != 1 {
		t.Errorf("sample %+v", g)
	}
	if _, pop := s.Sampled(acl.ARN, "acl", t0.Add(-time.Minute), t0.Add(time.Minute), 10); pop != 2 {
		t.Errorf("default action population %d", pop)
	}
	if got, _ := s.Sampled(acl.ARN, "bad-ip", t0.Add(time.Minute), t0.Add(2*time.Minute), 10); len(got) != 0 {
		t.Errorf("samples outside the window: %+v", got)
	}
}

func TestIPSetRanges(t *testing.T) {
	s, err := compileIPSet([]string{"10.0.0.0/8", "10.1.0.0/16", "192.168.1.7/32", "192.168.1.8/31", "::/1", "fe80::/10", "0.0.0.0/1"})
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]bool{
		"10.255.255.255": true, "11.0.0.0": true, "127.255.255.255": true, "128.0.0.0": false, "192.168.1.6": false,
		"192.168.1.7": true, "192.168.1.9": true, "192.168.1.10": false, "::1": true, "7fff::1": true, "8000::": false,
		"fe80::1": true, "fec0::1": false,
	} {
		if got := s.contains(netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s: %v, want %v", ip, got, want)
		}
	}
}

func BenchmarkEvaluateIPSetAndRate(b *testing.B) {
	acl := build(&testing.T{}, `{"Allow":{}}`, `[`+
		r("bad", 0, block, `{"IPSetReferenceStatement":{"ARN":"`+ipSetARN+`"}}`)+`,`+
		r("rate", 1, block, `{"RateBasedStatement":{"Limit":2000000000,"AggregateKeyType":"IP"}}`)+`]`, Options{})
	rq := &req{ip: "10.0.0.1", uri: "/bench/hello", headers: [][2]string{{"Host", "x"}}}
	b.ReportAllocs()
	for b.Loop() {
		acl.Evaluate(context.Background(), rq, t0)
	}
}

// benchRequest is the harness's request: GET /bench/hello with wrk's Host
// and a User-Agent.
var benchRequest = &req{ip: "127.0.0.1", uri: "/bench/hello", headers: [][2]string{{"Host", "abc123.execute-api.localhost:8080"}, {"User-Agent", "wrk"}}}

func benchGroups(b *testing.B, groups ...string) {
	rules := `{"Name":"bad","Priority":0,"Action":{"Block":{}},"Statement":{"IPSetReferenceStatement":{"ARN":"` + ipSetARN + `"}},` + strings.Replace(vis, "%s", "bad", 1) + `},` +
		`{"Name":"rate","Priority":1,"Action":{"Block":{}},"Statement":{"RateBasedStatement":{"Limit":2000000000,"AggregateKeyType":"IP"}},` + strings.Replace(vis, "%s", "rate", 1) + `}`
	for i, g := range groups {
		rules += `,` + r(g, 2+i, `"OverrideAction":{"None":{}}`, `{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"`+g+`"}}`)
	}
	acl := build(&testing.T{}, `{"Allow":{}}`, `[`+rules+`]`, Options{})
	b.ReportAllocs()
	for b.Loop() {
		if res := acl.Evaluate(context.Background(), benchRequest, t0); res.Action != ActionAllow {
			b.Fatalf("%s by %s", res.Action, res.Rule)
		}
	}
}

func BenchmarkEvaluateSQLiGroup(b *testing.B) { benchGroups(b, "AWSManagedRulesSQLiRuleSet") }

func BenchmarkEvaluateCommonGroup(b *testing.B) {
	benchGroups(b, "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesCommonRuleSet")
}
