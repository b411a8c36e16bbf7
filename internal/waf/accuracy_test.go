package waf

import (
	"bufio"
	"context"
	"encoding/json"

	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// The managed rule groups' accuracy: attack strings (testdata/attacks.txt)
// sent the ways an attacker sends them must be blocked, and a corpus of
// ordinary API requests (testdata/benign.json: JSON and form bodies,
// query strings, browsers', SDKs' and tools' headers, cookies, tokens)
// must pass, with the groups at their default actions. The test reports
// the rates it measures (go test -v -run TestManagedAccuracy).

// managedACL is a web ACL running the Core, SQL database and Known bad
// inputs groups at their default actions.
func managedACL(t *testing.T) *ACL {
	t.Helper()
	group := func(name string, prio int) string {
		return r(name, prio, `"OverrideAction":{"None":{}}`, `{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"`+name+`"}}`)
	}
	return build(t, `{"Allow":{}}`, `[`+group("AWSManagedRulesCommonRuleSet", 0)+`,`+group("AWSManagedRulesSQLiRuleSet", 1)+`,`+
		group("AWSManagedRulesKnownBadInputsRuleSet", 2)+`]`, Options{})
}

// attack is one line of attacks.txt.
type attack struct{ category, payload string }

func loadAttacks(t *testing.T) []attack {
	t.Helper()
	f, err := os.Open("testdata/attacks.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []attack
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cat, payload, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("attacks.txt: %q has no tab", line)
		}
		out = append(out, attack{cat, payload})
	}
	return out
}

// placements are the ways an attack reaches the API: a query argument, a
// JSON body value, a form field, the path (traversal), a header
// (known bad inputs).
func placements(a attack) map[string]*req {
	ua := [][2]string{{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0"}}
	json := append([][2]string{{"Content-Type", "application/json"}}, ua...)
	form := append([][2]string{{"Content-Type", "application/x-www-form-urlencoded"}}, ua...)
	body, _ := jsonMarshal(map[string]string{"comment": a.payload})
	out := map[string]*req{
		"query": {uri: "/prod/items", query: "id=" + url.QueryEscape(a.payload), headers: ua},
		"json":  {method: "POST", uri: "/prod/items", headers: json, body: body},
		"form":  {method: "POST", uri: "/prod/items", headers: form, body: "comment=" + url.QueryEscape(a.payload)},
	}
	switch a.category {
	case "traversal":
		out["path"] = &req{uri: "/prod/files/" + strings.TrimPrefix(a.payload, "/"), headers: ua}
	case "badinput":
		out["header"] = &req{uri: "/prod/items", headers: append([][2]string{{"X-Api-Version", a.payload}}, ua...)}
	}
	return out
}

func jsonMarshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// benign is one request of benign.json.
type benign struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Headers map[string]string `json:"headers"`
	CT      string            `json:"ct"`
	Body    json.RawMessage   `json:"body"`
	Raw     string            `json:"raw"`
}

func (b benign) request() *req {
	rq := &req{method: b.Method, uri: b.Path, query: b.Query, body: b.Raw}
	keys := make([]string, 0, len(b.Headers))
	for k := range b.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if b.Headers["User-Agent"] == "" {
		rq.headers = append(rq.headers, [2]string{"User-Agent", "curl/8.5.0"})
	}
	for _, k := range keys {
		rq.headers = append(rq.headers, [2]string{k, b.Headers[k]})
	}
	if b.CT != "" {
		rq.headers = append(rq.headers, [2]string{"Content-Type", b.CT})
	}
	if len(b.Body) > 0 {
		rq.body = string(b.Body)
	}
	return rq
}

// TestManagedAccuracy measures detection per attack category and the
// false-positive rate on the benign corpus: no benign request may be
// blocked, and each category's detection must stay at or above what it
// was measured at.
func TestManagedAccuracy(t *testing.T) {
	acl := managedACL(t)
	attacks := loadAttacks(t)
	type tally struct{ detected, total int }
	byCat := map[string]*tally{}
	byPlace := map[string]*tally{}
	var missed []string
	for _, a := range attacks {
		if byCat[a.category] == nil {
			byCat[a.category] = &tally{}
		}
		c := byCat[a.category]
		c.total++
		any := false
		for place, rq := range placements(a) {
			res := acl.Evaluate(context.Background(), rq, t0)
			key := a.category + "/" + place
			if byPlace[key] == nil {
				byPlace[key] = &tally{}
			}
			byPlace[key].total++
			if res.Action == ActionBlock {
				byPlace[key].detected++
				any = true
			}
		}
		if any {
			c.detected++
		} else {
			missed = append(missed, a.category+": "+a.payload)
		}
	}
	// The bars are what this corpus measured (any placement detected).
	floors := map[string]float64{"sqli": 0.95, "xss": 0.95, "traversal": 0.9, "badinput": 0.8}
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		tl := byCat[c]
		rate := float64(tl.detected) / float64(tl.total)
		t.Logf("detection %-9s %3d/%-3d = %5.1f%%", c, tl.detected, tl.total, 100*rate)
		if rate < floors[c] {
			t.Errorf("%s detection %.1f%% is under %.0f%%", c, 100*rate, 100*floors[c])
		}
	}
	places := make([]string, 0, len(byPlace))
	for p := range byPlace {
		places = append(places, p)
	}
	sort.Strings(places)
	for _, p := range places {
		tl := byPlace[p]
		t.Logf("  by placement %-16s %3d/%-3d = %5.1f%%", p, tl.detected, tl.total, 100*float64(tl.detected)/float64(tl.total))
	}
	for _, m := range missed {
		t.Logf("  missed %s", m)
	}

	b, err := os.ReadFile("testdata/benign.json")
	if err != nil {
		t.Fatal(err)
	}
	var corpus []benign
	if err := json.Unmarshal(b, &corpus); err != nil {
		t.Fatal(err)
	}
	blocked := 0
	for _, bn := range corpus {
		rq := bn.request()
		res := acl.Evaluate(context.Background(), rq, t0)
		if res.Action != ActionAllow {
			blocked++
			t.Errorf("benign request blocked by %s (labels %v): %s %s?%s %v %s", res.Rule, res.Labels, rq.Method(), rq.uri, rq.query, rq.headers, rq.body)
		}
	}
	t.Logf("false positives on the benign corpus: %d/%d = %.1f%%", blocked, len(corpus), 100*float64(blocked)/float64(len(corpus)))
}

// TestManagedGroups: a group's rules block with their labels; rule
// action overrides, excluded rules and OverrideAction Count change what
// a match does (labels stay); a scope-down statement limits the group;
// samples name the group's rule.
func TestManagedGroups(t *testing.T) {
	sqli := `{"id":"1' OR '1'='1"}`
	jsonHdr := [][2]string{{"Content-Type", "application/json"}, {"User-Agent", "curl/8"}}
	attackq := &req{uri: "/prod/x", query: "id=1%27%20OR%20%271%27%3D%271", headers: jsonHdr[1:]}

	s := NewSamples()
	acl := build(t, `{"Allow":{}}`, `[`+r("sqli", 0, `"OverrideAction":{"None":{}}`,
		`{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet","RuleActionOverrides":[{"Name":"SQLi_BODY","ActionToUse":{"Count":{}}}]}}`)+`,`+
		r("after", 1, block, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"awswaf:managed:aws:sql-database:SQLi_Body"}}`)+`]`, Options{Samples: s})
	res := expect(t, acl, attackq, ActionBlock, "sqli")
	if len(res.Labels) == 0 || res.Labels[0] != "awswaf:managed:aws:sql-database:SQLi_QueryArguments" {
		t.Errorf("labels %v", res.Labels)
	}
	// SQLi_BODY is overridden to Count: its label lets the next rule decide.
	expect(t, acl, &req{method: "POST", uri: "/prod/x", headers: jsonHdr, body: sqli}, ActionBlock, "after")
	got, _ := s.Sampled(acl.ARN, "sqli", t0.Add(-time.Minute), t0.Add(time.Minute), 10)
	names := map[string]string{}
	for _, g := range got {
		names[g.RuleNameWithinRuleGroup] = g.Action
	}
	if names["AWS#AWSManagedRulesSQLiRuleSet#SQLi_QUERYARGUMENTS"] != "BLOCK" || names["AWS#AWSManagedRulesSQLiRuleSet#SQLi_BODY"] != "COUNT" {
		t.Errorf("samples name %v", names)
	}

	// OverrideAction Count: the whole group only counts and labels.
	acl = build(t, `{"Allow":{}}`, `[`+r("sqli", 0, `"OverrideAction":{"Count":{}}`,
		`{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet"}}`)+`]`, Options{})
	if res := expect(t, acl, attackq, ActionAllow, DefaultActionRule); len(res.Labels) == 0 {
		t.Errorf("a counted group added no label")
	}

	// ExcludedRules and a scope-down statement.
	acl = build(t, `{"Allow":{}}`, `[`+r("sqli", 0, `"OverrideAction":{"None":{}}`,
		`{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet","ExcludedRules":[{"Name":"SQLi_QUERYARGUMENTS"}],`+
			`"ScopeDownStatement":{"NotStatement":{"Statement":{"ByteMatchStatement":{"SearchString":"L3Byb2QvcHVibGlj","FieldToMatch":{"UriPath":{}},`+none+`,"PositionalConstraint":"STARTS_WITH"}}}}}}`)+`]`, Options{})
	expect(t, acl, &req{uri: "/prod/x", query: "id=1%27%20OR%20%271%27%3D%271%20union%20select%20a%20from%20b", headers: jsonHdr[1:]}, ActionBlock, "sqli")
	expect(t, acl, attackq, ActionAllow, DefaultActionRule) // libinjection's rule is excluded
	expect(t, acl, &req{uri: "/prod/public/x", query: "id=1%20union%20select%20a%20from%20b", headers: jsonHdr[1:]}, ActionAllow, DefaultActionRule)

	// Known bad inputs: Host localhost only counts for requests addressed by host.
	acl = build(t, `{"Allow":{}}`, `[`+r("bad", 0, `"OverrideAction":{"None":{}}`,
		`{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesKnownBadInputsRuleSet"}}`)+`]`, Options{})
	local := [][2]string{{"Host", "localhost:8080"}, {"User-Agent", "curl/8"}}
	expect(t, acl, &req{uri: "/prod/x", headers: local}, ActionAllow, DefaultActionRule)
	res = expect(t, acl, &req{uri: "/prod/x", headers: local, byHost: true}, ActionBlock, "bad")
	if len(res.Labels) != 1 || res.Labels[0] != "awswaf:managed:aws:known-bad-inputs:Host_Localhost_Header" {
		t.Errorf("labels %v", res.Labels)
	}
	expect(t, acl, &req{method: "PROPFIND", uri: "/prod/x", headers: local[1:]}, ActionBlock, "bad")
	expect(t, acl, &req{uri: "/prod/.git/config", headers: local[1:]}, ActionBlock, "bad")

	// Common: a request without a User-Agent, an oversize query string.
	acl = build(t, `{"Allow":{}}`, `[`+r("core", 0, `"OverrideAction":{"None":{}}`,
		`{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesCommonRuleSet","RuleActionOverrides":[{"Name":"SizeRestrictions_QUERYSTRING","ActionToUse":{"Block":{"CustomResponse":{"ResponseCode":414}}}}]}}`)+`]`, Options{})
	if res := expect(t, acl, &req{uri: "/prod/x"}, ActionBlock, "core"); res.Labels[0] != "awswaf:managed:aws:core-rule-set:NoUserAgent_Header" {
		t.Errorf("labels %v", res.Labels)
	}
	res = expect(t, acl, &req{uri: "/prod/x", query: "q=" + strings.Repeat("a", 2050), headers: jsonHdr[1:]}, ActionBlock, "core")
	if res.Response == nil || res.Response.Status != 414 {
		t.Errorf("override's custom response: %+v", res.Response)
	}
}
