package wafapi_test

import (
	"fmt"
	"strings"
	"testing"
)

const visibility = `"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"m"}`

// rule is a rule named name at priority prio with statement st and
// action (a JSON member such as "Action":{"Block":{}}).
func rule(name string, prio int, action, st string) string {
	return fmt.Sprintf(`{"Name":%q,"Priority":%d,%s,"Statement":%s,%s}`, name, prio, action, st, visibility)
}

// populated is an env holding an IP set, a regex pattern set, a web ACL
// using both and a stage it protects.
type populated struct {
	*env
	api, ipArn, reArn, aclArn, aclID, aclToken, ipID, ipToken string
}

func populate(t *testing.T) *populated {
	e := newEnv(t, nil)
	p := &populated{env: e, api: e.restAPI("pets", "prod")}
	ip := e.ok("CreateIPSet", `{"Name":"office","Scope":"REGIONAL","IPAddressVersion":"IPV4","Addresses":["192.0.2.0/24"]}`)
	p.ipArn, p.ipID, p.ipToken = str(ip, "Summary.ARN"), str(ip, "Summary.Id"), str(ip, "Summary.LockToken")
	re := e.ok("CreateRegexPatternSet", `{"Name":"agents","Scope":"REGIONAL","RegularExpressionList":[{"RegexString":"^curl"}]}`)
	p.reArn = str(re, "Summary.ARN")
	acl := e.ok("CreateWebACL", `{"Name":"shield","Scope":"REGIONAL","DefaultAction":{"Allow":{}},`+visibility+`,"Rules":[`+
		rule("office", 0, `"Action":{"Block":{}}`, `{"IPSetReferenceStatement":{"ARN":"`+p.ipArn+`"}}`)+`,`+
		rule("agents", 1, `"Action":{"Count":{}}`, `{"RegexPatternSetReferenceStatement":{"ARN":"`+p.reArn+`","FieldToMatch":{"SingleHeader":{"Name":"user-agent"}},"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`)+`]}`)
	p.aclArn, p.aclID, p.aclToken = str(acl, "Summary.ARN"), str(acl, "Summary.Id"), str(acl, "Summary.LockToken")
	e.ok("AssociateWebACL", map[string]string{"WebACLArn": p.aclArn, "ResourceArn": p.stageARN("prod")})
	return p
}

func (p *populated) stageARN(stage string) string {
	return "arn:aws:apigateway:us-east-1::/restapis/" + p.api + "/stages/" + stage
}

// TestRejectedRequestsChangeNothing sends bad input to every changing
// operation: each is answered 400 with a WAF, validation or
// serialization error, and the store's revision does not move.
func TestRejectedRequestsChangeNothing(t *testing.T) {
	p := populate(t)
	aclRef := `"Name":"shield","Scope":"REGIONAL","Id":"` + p.aclID + `"`
	ipRef := `"Name":"office","Scope":"REGIONAL","Id":"` + p.ipID + `"`
	ok := `"DefaultAction":{"Allow":{}},` + visibility
	block := `"Action":{"Block":{}}`
	bad := []struct{ op, body, want string }{
		{"CreateIPSet", `{"Name":"x","Scope":"REGIONAL","IPAddressVersion":"IPV4","Addresses":["0.0.0.0/0"]}`, "WAFInvalidParameterException"},
		{"CreateIPSet", `{"Name":"x","Scope":"REGIONAL","IPAddressVersion":"IPV6","Addresses":["10.0.0.0/8"]}`, "WAFInvalidParameterException"},
		{"CreateIPSet", `{"Name":"x","Scope":"REGIONAL","IPAddressVersion":"IPV4"}`, "ValidationException"},
		{"CreateIPSet", `{"Name":"x","Scope":"REGIONAL","IPAddressVersion":"IPV5","Addresses":[]}`, "ValidationException"},
		{"CreateIPSet", `{"Name":"x","Scope":"REGIONAL","IPAddressVersion":"IPV4","Addresses":[],"Description":" lead"}`, "ValidationException"},
		{"CreateIPSet", `[]`, "SerializationException"},
		{"UpdateIPSet", `{` + ipRef + `,"Addresses":["bad"],"LockToken":"` + p.ipToken + `"}`, "WAFInvalidParameterException"},
		{"UpdateIPSet", `{` + ipRef + `,"Addresses":[],"LockToken":"00000000-0000-4000-8000-999999999999"}`, "WAFOptimisticLockException"},
		{"UpdateIPSet", `{` + ipRef + `,"Addresses":[]}`, "ValidationException"},
		{"DeleteIPSet", `{` + ipRef + `,"LockToken":"` + p.ipToken + `"}`, "WAFAssociatedItemException"},
		{"CreateRegexPatternSet", `{"Name":"y","Scope":"REGIONAL","RegularExpressionList":[{"RegexString":"(?<=a)b"}]}`, "WAFInvalidParameterException"},
		{"CreateRegexPatternSet", `{"Name":"y","Scope":"REGIONAL","RegularExpressionList":[{"RegexString":""}]}`, "ValidationException"},
		{"CreateWebACL", `{"Name":"shield","Scope":"REGIONAL",` + ok + `}`, "WAFDuplicateItemException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL","DefaultAction":{},` + visibility + `}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, `"Action":{"Block":{},"Count":{}}`, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"x"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"x"},"NotStatement":{}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"x"}}`) + `,` + rule("a", 1, block, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"y"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"x"}}`) + `,` + rule("b", 0, block, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"y"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, `"Action":{"Allow":{}}`, `{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"IP"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"RateBasedStatement":{"Limit":5,"AggregateKeyType":"IP"}}`) + `]}`, "ValidationException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"CONSTANT"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"NotStatement":{"Statement":{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"IP"}}}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, `"OverrideAction":{"None":{}}`, `{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"NoSuchGroup"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"ByteMatchStatement":{"SearchString":"eA==","FieldToMatch":{"UriPath":{}},"TextTransformations":[],"PositionalConstraint":"CONTAINS"}}`) + `]}`, "ValidationException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"ByteMatchStatement":{"SearchString":"eA==","FieldToMatch":{"UriPath":{},"Method":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"}],"PositionalConstraint":"CONTAINS"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"ByteMatchStatement":{"SearchString":"eA==","FieldToMatch":{"UriPath":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"},{"Priority":0,"Type":"LOWERCASE"}],"PositionalConstraint":"CONTAINS"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"RegexMatchStatement":{"RegexString":"(a","FieldToMatch":{"UriPath":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, `"Action":{"Block":{"CustomResponse":{"ResponseCode":418}}}`, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"x"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, `"Action":{"Block":{"CustomResponse":{"ResponseCode":403,"CustomResponseBodyKey":"none"}}}`, `{"LabelMatchStatement":{"Scope":"LABEL","Key":"x"}}`) + `]}`, "WAFInvalidParameterException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"AsnMatchStatement":{"AsnList":[1]}}`) + `]}`, "WAFInvalidOperationException"},
		{"CreateWebACL", `{"Name":"n","Scope":"REGIONAL",` + ok + `,"Rules":[` + rule("a", 0, block, `{"IPSetReferenceStatement":{"ARN":"`+p.reArn+`"}}`) + `]}`, "WAFInvalidParameterException"},
		{"UpdateWebACL", `{` + aclRef + `,` + ok + `,"LockToken":"` + p.aclToken + `","Rules":[` + rule("a", 0, block, `{"OrStatement":{"Statements":[]}}`) + `]}`, "WAFInvalidParameterException"},
		{"UpdateWebACL", `{"Name":"shield","Scope":"REGIONAL","Id":"00000000-0000-4000-8000-999999999999",` + ok + `,"LockToken":"` + p.aclToken + `"}`, "WAFNonexistentItemException"},
		{"DeleteWebACL", `{` + aclRef + `,"LockToken":"` + p.aclToken + `"}`, "WAFAssociatedItemException"},
		{"AssociateWebACL", `{"WebACLArn":"` + p.aclArn + `","ResourceArn":"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/x/1"}`, "WAFInvalidParameterException"},
		{"AssociateWebACL", `{"WebACLArn":"` + p.aclArn + `","ResourceArn":"` + p.stageARN("nope") + `"}`, "WAFNonexistentItemException"},
		{"AssociateWebACL", `{"WebACLArn":"` + strings.Replace(p.aclArn, "shield", "other", 1) + `","ResourceArn":"` + p.stageARN("prod") + `"}`, "WAFNonexistentItemException"},
		{"AssociateWebACL", `{"WebACLArn":"` + p.aclArn + `","ResourceArn":"arn:aws:apigateway:us-east-1::/apis/abc/stages/dev"}`, "WAFInvalidParameterException"},
		{"DisassociateWebACL", `{"ResourceArn":"` + p.stageARN("nope") + `"}`, "WAFNonexistentItemException"},
		{"TagResource", `{"ResourceARN":"` + p.aclArn + `","Tags":[{"Key":"aws:x","Value":"y"}]}`, "WAFTagOperationException"},
		{"TagResource", `{"ResourceARN":"` + p.aclArn + `","Tags":[]}`, "ValidationException"},
		{"UntagResource", `{"ResourceARN":"arn:aws:wafv2:us-east-1:000000000000:regional/webacl/x/00000000-0000-4000-8000-999999999999","TagKeys":["a"]}`, "WAFNonexistentItemException"},
	}
	for _, b := range bad {
		before := p.revision()
		a := p.call(b.op, b.body)
		if a.status != 400 {
			t.Errorf("%s %s: status %d %s", b.op, b.body, a.status, a.raw)
			continue
		}
		if b.want != "" && a.typ != b.want {
			t.Errorf("%s %s: %s %s, want %s", b.op, b.body, a.typ, a.raw, b.want)
		}
		if after := p.revision(); after != before {
			t.Errorf("%s %s: the store changed (revision %d -> %d)", b.op, b.body, before, after)
		}
	}
}

// TestLockTokens: each change hands out a new token and makes the old one
// stale; a failed update leaves the token as it was; Get and List report
// the current one.
func TestLockTokens(t *testing.T) {
	e := newEnv(t, nil)
	ip := e.ok("CreateIPSet", `{"Name":"a","Scope":"REGIONAL","IPAddressVersion":"IPV4","Addresses":[]}`)
	ref := `"Name":"a","Scope":"REGIONAL","Id":"` + str(ip, "Summary.Id") + `"`
	t1 := str(ip, "Summary.LockToken")
	t2 := str(e.ok("UpdateIPSet", `{`+ref+`,"Addresses":["10.0.0.0/8"],"LockToken":"`+t1+`"}`), "NextLockToken")
	if t2 == t1 || t2 == "" {
		t.Fatalf("NextLockToken %q after %q", t2, t1)
	}
	if a := e.call("UpdateIPSet", `{`+ref+`,"Addresses":[],"LockToken":"`+t1+`"}`); a.typ != "WAFOptimisticLockException" {
		t.Fatalf("stale token: %s", a.raw)
	}
	if a := e.call("UpdateIPSet", `{`+ref+`,"Addresses":["x"],"LockToken":"`+t2+`"}`); a.typ != "WAFInvalidParameterException" {
		t.Fatalf("bad address: %s", a.raw)
	}
	got := e.ok("GetIPSet", `{`+ref+`}`)
	if str(got, "LockToken") != t2 {
		t.Fatalf("GetIPSet LockToken %q, want %q", str(got, "LockToken"), t2)
	}
	if addrs := got["IPSet"].(map[string]any)["Addresses"].([]any); len(addrs) != 1 || addrs[0] != "10.0.0.0/8" {
		t.Fatalf("Addresses %v", addrs)
	}
	list := e.ok("ListIPSets", `{"Scope":"REGIONAL"}`)
	if tok := list["IPSets"].([]any)[0].(map[string]any)["LockToken"]; tok != t2 {
		t.Fatalf("ListIPSets LockToken %v, want %s", tok, t2)
	}
	if a := e.call("DeleteIPSet", `{`+ref+`,"LockToken":"`+t1+`"}`); a.typ != "WAFOptimisticLockException" {
		t.Fatalf("delete with a stale token: %s", a.raw)
	}
	e.ok("DeleteIPSet", `{`+ref+`,"LockToken":"`+t2+`"}`)
	if a := e.call("GetIPSet", `{`+ref+`}`); a.typ != "WAFNonexistentItemException" {
		t.Fatalf("deleted set: %s", a.raw)
	}
}

// TestAssociations: GetStage shows the stage's web ACL; associating
// another web ACL replaces it; deleting the stage drops it, after which
// the web ACL can be deleted.
func TestAssociations(t *testing.T) {
	p := populate(t)
	stage := p.rest("GET", "/restapis/"+p.api+"/stages/prod", nil)
	if stage["webAclArn"] != p.aclArn {
		t.Fatalf("GetStage webAclArn = %v, want %s", stage["webAclArn"], p.aclArn)
	}
	other := p.ok("CreateWebACL", `{"Name":"other","Scope":"REGIONAL","DefaultAction":{"Block":{}},`+visibility+`}`)
	otherArn := str(other, "Summary.ARN")
	p.ok("AssociateWebACL", map[string]string{"WebACLArn": otherArn, "ResourceArn": p.stageARN("prod")})
	if got := str(p.ok("GetWebACLForResource", map[string]string{"ResourceArn": p.stageARN("prod")}), "WebACL.Name"); got != "other" {
		t.Fatalf("after re-association the stage has %q", got)
	}
	if arns := p.ok("ListResourcesForWebACL", map[string]string{"WebACLArn": p.aclArn, "ResourceType": "API_GATEWAY"})["ResourceArns"].([]any); len(arns) != 0 {
		t.Fatalf("the replaced web ACL still lists %v", arns)
	}
	arns := p.ok("ListResourcesForWebACL", map[string]string{"WebACLArn": otherArn, "ResourceType": "API_GATEWAY"})["ResourceArns"].([]any)
	if len(arns) != 1 || arns[0] != p.stageARN("prod") {
		t.Fatalf("ResourceArns %v", arns)
	}
	// The first ACL is free now.
	p.ok("DeleteWebACL", `{"Name":"shield","Scope":"REGIONAL","Id":"`+p.aclID+`","LockToken":"`+p.aclToken+`"}`)
	// A deleted stage takes its association with it.
	p.rest("DELETE", "/restapis/"+p.api+"/stages/prod", nil)
	p.ok("DeleteWebACL", `{"Name":"other","Scope":"REGIONAL","Id":"`+str(other, "Summary.Id")+`","LockToken":"`+str(other, "Summary.LockToken")+`"}`)
}

// TestCapacity checks capacities AWS documents: its CLI examples (3 and
// 15) and an IP set, the SQLi group and a rate-based rule (203).
func TestCapacity(t *testing.T) {
	p := populate(t)
	block := `"Action":{"Block":{}}`
	none := `"TextTransformations":[{"Priority":0,"Type":"NONE"}]`
	for _, tc := range []struct {
		rules string
		want  float64
	}{
		{rule("a", 0, block, `{"AndStatement":{"Statements":[{"ByteMatchStatement":{"SearchString":"dGVzdA==","FieldToMatch":{"UriPath":{}},`+none+`,"PositionalConstraint":"EXACTLY"}},{"SizeConstraintStatement":{"FieldToMatch":{"QueryString":{}},"ComparisonOperator":"EQ","Size":0,`+none+`}}]}}`), 3},
		{rule("ip", 0, block, `{"IPSetReferenceStatement":{"ARN":"`+p.ipArn+`"}}`) + `,` +
			rule("sqli", 1, `"OverrideAction":{"None":{}}`, `{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet"}}`) + `,` +
			rule("rate", 2, block, `{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"IP"}}`), 203},
		{rule("x", 0, block, `{"XssMatchStatement":{"FieldToMatch":{"AllQueryArguments":{}},`+none+`}}`), 50},
		{rule("j", 0, block, `{"SqliMatchStatement":{"FieldToMatch":{"JsonBody":{"MatchPattern":{"All":{}},"MatchScope":"VALUE"}},"TextTransformations":[{"Priority":0,"Type":"URL_DECODE"}]}}`), 50},
	} {
		got := p.ok("CheckCapacity", `{"Scope":"REGIONAL","Rules":[`+tc.rules+`]}`)["Capacity"]
		if got != tc.want {
			t.Errorf("capacity %v, want %v for %s", got, tc.want, tc.rules)
		}
	}
}
