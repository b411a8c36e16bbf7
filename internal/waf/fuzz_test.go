package waf

import (
	"context"
	"testing"
)

// FuzzEvaluate sends arbitrary paths, query strings, header values and
// bodies (as JSON, form and text) through a web ACL with every statement
// type and the managed groups: no input panics, and every evaluation ends
// in an action.
func FuzzEvaluate(f *testing.F) {
	for _, s := range [][4]string{
		{"/prod/x", "a=1&b", "curl/8", `{"a":[1,{"b":"c"}]}`},
		{"/%zz/..//", "%u00", "", `{"a":`},
		{"/prod/x", "id=1%27%20OR%20%271%27%3D%271", "${jndi:x}", "a=%3Cscript%3E&b"},
		{"", "&&==&", "\x00\xff", "\x00"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	group := func(name string, prio int) string {
		return r(name, prio, `"OverrideAction":{"None":{}}`, `{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"`+name+`"}}`)
	}
	acl := build(&testing.T{}, `{"Allow":{}}`, `[`+
		r("json", 0, count, `{"ByteMatchStatement":{"SearchString":"eA==","FieldToMatch":{"JsonBody":{"MatchPattern":{"IncludedPaths":["/a/1/b"]},"MatchScope":"ALL","InvalidFallbackBehavior":"EVALUATE_AS_STRING"}},"TextTransformations":[{"Priority":0,"Type":"JS_DECODE"},{"Priority":1,"Type":"CSS_DECODE"}],"PositionalConstraint":"CONTAINS_WORD"}}`)+`,`+
		r("hdr", 1, count, `{"SqliMatchStatement":{"FieldToMatch":{"Headers":{"MatchPattern":{"All":{}},"MatchScope":"ALL","OversizeHandling":"MATCH"}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE_UNI"}],"SensitivityLevel":"HIGH"}}`)+`,`+
		r("ck", 2, count, `{"XssMatchStatement":{"FieldToMatch":{"Cookies":{"MatchPattern":{"All":{}},"MatchScope":"KEY","OversizeHandling":"NO_MATCH"}},"TextTransformations":[{"Priority":0,"Type":"HTML_ENTITY_DECODE"}]}}`)+`,`+
		r("rate", 3, count, `{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"CUSTOM_KEYS","CustomKeys":[{"QueryArgument":{"Name":"a","TextTransformations":[{"Priority":0,"Type":"NONE"}]}},{"UriPath":{"TextTransformations":[{"Priority":0,"Type":"NORMALIZE_PATH"}]}}]}}`)+`,`+
		group("AWSManagedRulesCommonRuleSet", 4)+`,`+group("AWSManagedRulesSQLiRuleSet", 5)+`,`+group("AWSManagedRulesKnownBadInputsRuleSet", 6)+`]`, Options{})
	f.Fuzz(func(t *testing.T, path, query, header, body string) {
		for _, ct := range []string{"application/json", "application/x-www-form-urlencoded", "text/plain"} {
			rq := &req{method: "POST", uri: path, query: query, body: body,
				headers: [][2]string{{"User-Agent", header}, {"Cookie", header}, {"Content-Type", ct}, {"X-Forwarded-For", header}}}
			res := acl.Evaluate(context.Background(), rq, t0)
			if res.Action != ActionAllow && res.Action != ActionBlock {
				t.Fatalf("action %v", res.Action)
			}
		}
	})
}
