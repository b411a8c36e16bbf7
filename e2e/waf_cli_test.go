package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wafRules is a rule list for `aws wafv2 create-web-acl --rules
// file://…`: an IP set, a regex pattern set on the User-Agent, a
// rate-based rule and the SQLi managed group. SearchString is a blob:
// the CLI v2 wants it base64-encoded ("YWRtaW4=" is "admin").
const wafRules = `[
 {"Name":"blocked-ips","Priority":0,"Action":{"Block":{}},
  "Statement":{"IPSetReferenceStatement":{"ARN":"IPSET_ARN"}},
  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"blocked-ips"}},
 {"Name":"scanners","Priority":1,"Action":{"Block":{}},
  "Statement":{"OrStatement":{"Statements":[
   {"RegexPatternSetReferenceStatement":{"ARN":"REGEX_ARN","FieldToMatch":{"SingleHeader":{"Name":"user-agent"}},"TextTransformations":[{"Priority":0,"Type":"LOWERCASE"}]}},
   {"ByteMatchStatement":{"SearchString":"YWRtaW4=","FieldToMatch":{"UriPath":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"}],"PositionalConstraint":"CONTAINS"}}]}},
  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"scanners"}},
 {"Name":"per-ip","Priority":2,"Action":{"Block":{}},
  "Statement":{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"IP"}},
  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"per-ip"}},
 {"Name":"sqli","Priority":3,"OverrideAction":{"None":{}},
  "Statement":{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet"}},
  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"sqli"}}
]`

// TestWAFCLI manages web ACLs, IP sets and regex pattern sets with the AWS
// CLI v2 (`aws wafv2 … --endpoint-url`), associates a web ACL with a REST
// API stage (GetStage shows it), and checks the CLI's report of the WAF
// exceptions.
func TestWAFCLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	g := startClientGateway(t)
	c := newCLI(t, g)
	waf := c.service("wafv2")

	ip := waf.obj("create-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--ip-address-version", "IPV4",
		"--addresses", "198.51.100.0/24", "203.0.113.9/32", "--description", "Known bad", "--tags", "Key=team,Value=web")
	ipSum := ip["Summary"].(obj)
	ipID, ipArn, ipToken := ipSum["Id"].(string), ipSum["ARN"].(string), ipSum["LockToken"].(string)
	if !strings.HasPrefix(ipArn, "arn:aws:wafv2:us-east-1:000000000000:regional/ipset/blocked/") || ipSum["Description"] != "Known bad" {
		t.Fatalf("create-ip-set: %v", ip)
	}
	got := waf.obj("get-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--id", ipID)
	if set := got["IPSet"].(obj); len(set["Addresses"].([]any)) != 2 || set["IPAddressVersion"] != "IPV4" || got["LockToken"] != ipToken {
		t.Fatalf("get-ip-set: %v", got)
	}
	next := waf.obj("update-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--id", ipID, "--lock-token", ipToken,
		"--addresses", "198.51.100.0/24")["NextLockToken"].(string)
	waf.fails("WAFOptimisticLockException", "UpdateIPSet",
		"AWS WAF couldn’t save your changes because someone changed the resource after you started to edit it. Reapply your changes.",
		"update-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--id", ipID, "--lock-token", ipToken, "--addresses", "10.0.0.0/8")
	waf.fails("WAFInvalidParameterException", "CreateIPSet",
		"Error reason: The parameter contains formatting that's not valid., field: IP_ADDRESS, parameter: 10.0.0.1",
		"create-ip-set", "--name", "bad", "--scope", "REGIONAL", "--ip-address-version", "IPV4", "--addresses", "10.0.0.1")
	if sets := waf.obj("list-ip-sets", "--scope", "REGIONAL")["IPSets"].([]any); len(sets) != 1 || sets[0].(obj)["LockToken"] != next {
		t.Fatalf("list-ip-sets: %v", sets)
	}

	re := waf.obj("create-regex-pattern-set", "--name", "scanners", "--scope", "REGIONAL",
		"--regular-expression-list", "RegexString=^sqlmap", "RegexString=nikto")["Summary"].(obj)
	if got := waf.obj("get-regex-pattern-set", "--name", "scanners", "--scope", "REGIONAL", "--id", re["Id"].(string)); len(got["RegexPatternSet"].(obj)["RegularExpressionList"].([]any)) != 2 {
		t.Fatalf("get-regex-pattern-set: %v", got)
	}

	rules := strings.NewReplacer("IPSET_ARN", ipArn, "REGEX_ARN", re["ARN"].(string)).Replace(wafRules)
	rulesFile := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rulesFile, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	if capacity := waf.obj("check-capacity", "--scope", "REGIONAL", "--rules", "file://"+rulesFile)["Capacity"]; capacity != float64(1+25+10+10+2+200) {
		t.Errorf("check-capacity: %v", capacity)
	}
	acl := waf.obj("create-web-acl", "--name", "shield", "--scope", "REGIONAL", "--default-action", "Allow={}",
		"--visibility-config", "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=shield",
		"--rules", "file://"+rulesFile)["Summary"].(obj)
	aclID, aclArn := acl["Id"].(string), acl["ARN"].(string)
	full := waf.obj("get-web-acl", "--name", "shield", "--scope", "REGIONAL", "--id", aclID)
	w := full["WebACL"].(obj)
	if w["Capacity"] != float64(248) || len(w["Rules"].([]any)) != 4 || w["LabelNamespace"] != "awswaf:000000000000:webacl:shield:" {
		t.Fatalf("get-web-acl: %v", full)
	}
	bm := w["Rules"].([]any)[1].(obj)["Statement"].(obj)["OrStatement"].(obj)["Statements"].([]any)[1].(obj)["ByteMatchStatement"].(obj)
	if bm["SearchString"] != "YWRtaW4=" {
		t.Errorf("SearchString comes back %v, want the base64 the CLI sent", bm["SearchString"])
	}

	// A REST API stage to protect.
	api := c.obj("create-rest-api", "--name", "waf-pets")["id"].(string)
	root := c.obj("get-resources", "--rest-api-id", api)["items"].([]any)[0].(obj)["id"].(string)
	c.ok(nil, "put-method", "--rest-api-id", api, "--resource-id", root, "--http-method", "GET", "--authorization-type", "NONE")
	c.ok(nil, "put-integration", "--rest-api-id", api, "--resource-id", root, "--http-method", "GET", "--type", "MOCK",
		"--request-templates", `{"application/json":"{\"statusCode\": 200}"}`)
	c.ok(nil, "create-deployment", "--rest-api-id", api, "--stage-name", "prod")
	stageArn := "arn:aws:apigateway:us-east-1::/restapis/" + api + "/stages/prod"

	waf.ok(nil, "associate-web-acl", "--web-acl-arn", aclArn, "--resource-arn", stageArn)
	if st := c.obj("get-stage", "--rest-api-id", api, "--stage-name", "prod"); st["webAclArn"] != aclArn {
		t.Fatalf("get-stage webAclArn: %v", st["webAclArn"])
	}
	if fr := waf.obj("get-web-acl-for-resource", "--resource-arn", stageArn); fr["WebACL"].(obj)["ARN"] != aclArn {
		t.Fatalf("get-web-acl-for-resource: %v", fr)
	}
	if rs := waf.obj("list-resources-for-web-acl", "--web-acl-arn", aclArn, "--resource-type", "API_GATEWAY")["ResourceArns"].([]any); len(rs) != 1 || rs[0] != stageArn {
		t.Fatalf("list-resources-for-web-acl: %v", rs)
	}
	waf.fails("WAFAssociatedItemException", "DeleteWebACL",
		"AWS WAF couldn’t perform the operation because your resource is being used by another resource or it’s associated with another resource.",
		"delete-web-acl", "--name", "shield", "--scope", "REGIONAL", "--id", aclID, "--lock-token", full["LockToken"].(string))
	waf.fails("WAFInvalidParameterException", "AssociateWebACL",
		"Error reason: Your request contains a value that is not valid for this field in this context., field: RESOURCE_ARN, parameter: arn:aws:apigateway:us-east-1::/apis/abc123/stages/dev",
		"associate-web-acl", "--web-acl-arn", aclArn, "--resource-arn", "arn:aws:apigateway:us-east-1::/apis/abc123/stages/dev")

	groups := waf.obj("list-available-managed-rule-groups", "--scope", "REGIONAL")["ManagedRuleGroups"].([]any)
	if len(groups) < 4 || groups[0].(obj)["Name"] != "AWSManagedRulesCommonRuleSet" {
		t.Errorf("list-available-managed-rule-groups: %v", groups)
	}
	desc := waf.obj("describe-managed-rule-group", "--vendor-name", "AWS", "--name", "AWSManagedRulesCommonRuleSet", "--scope", "REGIONAL")
	if desc["Capacity"] != float64(700) || desc["Rules"].([]any)[0].(obj)["Name"] != "NoUserAgent_HEADER" {
		t.Errorf("describe-managed-rule-group: %v", desc)
	}

	waf.ok(nil, "disassociate-web-acl", "--resource-arn", stageArn)
	if st := c.obj("get-stage", "--rest-api-id", api, "--stage-name", "prod"); st["webAclArn"] != nil {
		t.Fatalf("get-stage after disassociate-web-acl: webAclArn %v", st["webAclArn"])
	}
	waf.ok(nil, "delete-web-acl", "--name", "shield", "--scope", "REGIONAL", "--id", aclID, "--lock-token", full["LockToken"].(string))
	waf.ok(nil, "delete-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--id", ipID, "--lock-token", next)
	if sets := waf.obj("list-web-acls", "--scope", "REGIONAL")["WebACLs"].([]any); len(sets) != 0 {
		t.Fatalf("list-web-acls after delete: %v", sets)
	}
	checkGatewayLog(t, g)
}
