package wafapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// step is one call of the golden scenario: op's answer to body (with
// {{var}} placeholders) is compared with testdata/golden/{n}-{name}.json,
// and capture stores members of the answer as variables.
type step struct {
	name, op string
	body     string
	capture  map[string]string
}

// goldenScenario calls every operation once, and the main error shapes,
// building IP sets, a regex pattern set and a web ACL that protects a
// stage.
func goldenScenario() []step {
	ipRef := `"Name":"office","Scope":"REGIONAL","Id":"{{ip}}"`
	aclRef := `"Name":"shield","Scope":"REGIONAL","Id":"{{acl}}"`
	rules := `[
	 {"Name":"allow-office","Priority":0,"Action":{"Allow":{}},
	  "Statement":{"IPSetReferenceStatement":{"ARN":"{{ipArn}}"}},
	  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"allow-office"}},
	 {"Name":"bad-agents","Priority":1,"Action":{"Block":{"CustomResponse":{"ResponseCode":429,"CustomResponseBodyKey":"slow","ResponseHeaders":[{"Name":"Retry-After","Value":"60"}]}}},
	  "RuleLabels":[{"Name":"agents:bad"}],
	  "Statement":{"OrStatement":{"Statements":[
	    {"RegexPatternSetReferenceStatement":{"ARN":"{{reArn}}","FieldToMatch":{"SingleHeader":{"Name":"user-agent"}},"TextTransformations":[{"Priority":0,"Type":"LOWERCASE"}]}},
	    {"ByteMatchStatement":{"SearchString":"YWRtaW4=","FieldToMatch":{"UriPath":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"}],"PositionalConstraint":"CONTAINS"}}]}},
	  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"bad-agents"}},
	 {"Name":"per-ip","Priority":2,"Action":{"Block":{}},
	  "Statement":{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"IP"}},
	  "VisibilityConfig":{"SampledRequestsEnabled":false,"CloudWatchMetricsEnabled":true,"MetricName":"per-ip"}},
	 {"Name":"sqli","Priority":3,"OverrideAction":{"None":{}},
	  "Statement":{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet","RuleActionOverrides":[{"Name":"SQLi_URIPATH","ActionToUse":{"Count":{}}}]}},
	  "VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"sqli"}}]`
	acl := `"DefaultAction":{"Allow":{}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"shield"},` +
		`"CustomResponseBodies":{"slow":{"ContentType":"APPLICATION_JSON","Content":"{\"message\":\"slow down\"}"}},"Rules":` + rules
	stage := `arn:aws:apigateway:us-east-1::/restapis/{{api}}/stages/prod`
	return []step{
		{"CreateIPSet", "CreateIPSet", `{"Name":"office","Scope":"REGIONAL","IPAddressVersion":"IPV4","Addresses":["192.0.2.0/24","198.51.100.7/32"],"Description":"The office","Tags":[{"Key":"team","Value":"web"}]}`,
			map[string]string{"ip": "Summary.Id", "ipArn": "Summary.ARN", "ipToken": "Summary.LockToken"}},
		{"GetIPSet", "GetIPSet", `{` + ipRef + `}`, nil},
		{"UpdateIPSet", "UpdateIPSet", `{` + ipRef + `,"Addresses":["192.0.2.0/24"],"LockToken":"{{ipToken}}"}`, map[string]string{"ipToken2": "NextLockToken"}},
		{"CreateIPSet-v6", "CreateIPSet", `{"Name":"v6","Scope":"REGIONAL","IPAddressVersion":"IPV6","Addresses":["2001:db8::/32"]}`, nil},
		{"ListIPSets", "ListIPSets", `{"Scope":"REGIONAL","Limit":1}`, nil},
		{"ListIPSets-next", "ListIPSets", `{"Scope":"REGIONAL","NextMarker":"office"}`, nil},
		{"CreateRegexPatternSet", "CreateRegexPatternSet", `{"Name":"agents","Scope":"REGIONAL","RegularExpressionList":[{"RegexString":"^sqlmap"},{"RegexString":"nikto"}]}`,
			map[string]string{"re": "Summary.Id", "reArn": "Summary.ARN", "reToken": "Summary.LockToken"}},
		{"GetRegexPatternSet", "GetRegexPatternSet", `{"Name":"agents","Scope":"REGIONAL","Id":"{{re}}"}`, nil},
		{"UpdateRegexPatternSet", "UpdateRegexPatternSet", `{"Name":"agents","Scope":"REGIONAL","Id":"{{re}}","LockToken":"{{reToken}}","Description":"Scanners","RegularExpressionList":[{"RegexString":"^sqlmap"},{"RegexString":"nikto|nmap"}]}`, map[string]string{"reTokenNext": "NextLockToken"}},
		{"ListRegexPatternSets", "ListRegexPatternSets", `{"Scope":"REGIONAL"}`, nil},
		{"CheckCapacity", "CheckCapacity", `{"Scope":"REGIONAL","Rules":[{"Name":"basic-rule","Priority":0,"Action":{"Allow":{}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"basic-rule"},
			"Statement":{"AndStatement":{"Statements":[{"ByteMatchStatement":{"SearchString":"ZXhhbXBsZS5jb20=","FieldToMatch":{"SingleHeader":{"Name":"host"}},"TextTransformations":[{"Priority":0,"Type":"LOWERCASE"}],"PositionalConstraint":"EXACTLY"}},
			{"GeoMatchStatement":{"CountryCodes":["US","IN"]}}]}}},
			{"Name":"rate-control","Priority":1,"Action":{"Block":{}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"rate-control"},
			"Statement":{"RateBasedStatement":{"Limit":1000,"AggregateKeyType":"IP"}}}]}`, nil},
		{"CreateWebACL", "CreateWebACL", `{"Name":"shield","Scope":"REGIONAL",` + acl + `}`,
			map[string]string{"acl": "Summary.Id", "aclArn": "Summary.ARN", "aclToken": "Summary.LockToken"}},
		{"GetWebACL", "GetWebACL", `{` + aclRef + `}`, nil},
		{"GetWebACL-arn", "GetWebACL", `{"ARN":"{{aclArn}}"}`, nil},
		{"UpdateWebACL", "UpdateWebACL", `{` + aclRef + `,"LockToken":"{{aclToken}}","Description":"Protects pets",` + acl + `}`, map[string]string{"aclToken2": "NextLockToken"}},
		{"ListWebACLs", "ListWebACLs", `{"Scope":"REGIONAL"}`, nil},
		{"ListAvailableManagedRuleGroups", "ListAvailableManagedRuleGroups", `{"Scope":"REGIONAL"}`, nil},
		{"DescribeManagedRuleGroup", "DescribeManagedRuleGroup", `{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet","Scope":"REGIONAL"}`, nil},
		{"ListAvailableManagedRuleGroupVersions", "ListAvailableManagedRuleGroupVersions", `{"VendorName":"AWS","Name":"AWSManagedRulesCommonRuleSet","Scope":"REGIONAL"}`, nil},
		{"AssociateWebACL", "AssociateWebACL", `{"WebACLArn":"{{aclArn}}","ResourceArn":"` + stage + `"}`, nil},
		{"GetWebACLForResource", "GetWebACLForResource", `{"ResourceArn":"` + stage + `"}`, nil},
		{"ListResourcesForWebACL", "ListResourcesForWebACL", `{"WebACLArn":"{{aclArn}}","ResourceType":"API_GATEWAY"}`, nil},
		{"ListResourcesForWebACL-default", "ListResourcesForWebACL", `{"WebACLArn":"{{aclArn}}"}`, nil},
		{"TagResource", "TagResource", `{"ResourceARN":"{{aclArn}}","Tags":[{"Key":"env","Value":"dev"}]}`, nil},
		{"ListTagsForResource", "ListTagsForResource", `{"ResourceARN":"{{aclArn}}"}`, nil},
		{"UntagResource", "UntagResource", `{"ResourceARN":"{{aclArn}}","TagKeys":["env"]}`, nil},
		{"GetSampledRequests", "GetSampledRequests", `{"WebAclArn":"{{aclArn}}","RuleMetricName":"bad-agents","Scope":"REGIONAL","TimeWindow":{"StartTime":1795521600,"EndTime":1795528800},"MaxItems":100}`, nil},

		{"Error-OptimisticLock", "UpdateIPSet", `{` + ipRef + `,"Addresses":[],"LockToken":"{{ipToken}}"}`, nil},
		{"Error-Nonexistent", "GetIPSet", `{"Name":"office","Scope":"REGIONAL","Id":"00000000-0000-4000-8000-999999999999"}`, nil},
		{"Error-Duplicate", "CreateIPSet", `{"Name":"office","Scope":"REGIONAL","IPAddressVersion":"IPV4","Addresses":[]}`, nil},
		{"Error-IPAddress", "CreateIPSet", `{"Name":"bad","Scope":"REGIONAL","IPAddressVersion":"IPV4","Addresses":["10.0.0.1"]}`, nil},
		{"Error-Validation", "CreateIPSet", `{"Name":"bad name","Scope":"GLOBAL","IPAddressVersion":"IPV4","Addresses":[]}`, nil},
		{"Error-Serialization", "CreateIPSet", `{"Name":true}`, nil},
		{"Error-ExactlyOne", "CreateWebACL", `{"Name":"two","Scope":"REGIONAL","DefaultAction":{"Allow":{},"Block":{}},"VisibilityConfig":{"SampledRequestsEnabled":false,"CloudWatchMetricsEnabled":false,"MetricName":"two"}}`, nil},
		{"Error-BadReference", "CheckCapacity", `{"Scope":"REGIONAL","Rules":[{"Name":"r","Priority":0,"Action":{"Block":{}},"VisibilityConfig":{"SampledRequestsEnabled":false,"CloudWatchMetricsEnabled":false,"MetricName":"r"},"Statement":{"IPSetReferenceStatement":{"ARN":"arn:aws:wafv2:us-east-1:000000000000:regional/ipset/nope/00000000-0000-4000-8000-999999999999"}}}]}`, nil},
		{"Error-Threshold", "CheckCapacity", `{"Scope":"REGIONAL","Rules":[{"Name":"r","Priority":0,"Action":{"Block":{}},"VisibilityConfig":{"SampledRequestsEnabled":false,"CloudWatchMetricsEnabled":false,"MetricName":"r"},"Statement":{"OrStatement":{"Statements":[{"LabelMatchStatement":{"Scope":"LABEL","Key":"a"}}]}}}]}`, nil},
		{"Error-AssociatedWebACL", "DeleteWebACL", `{` + aclRef + `,"LockToken":"{{aclToken2}}"}`, nil},
		{"Error-AssociatedIPSet", "DeleteIPSet", `{` + ipRef + `,"LockToken":"{{ipToken2}}"}`, nil},
		{"Error-HTTPAPIStage", "AssociateWebACL", `{"WebACLArn":"{{aclArn}}","ResourceArn":"arn:aws:apigateway:us-east-1::/apis/abc123/stages/$default"}`, nil},
		{"Error-NoStage", "AssociateWebACL", `{"WebACLArn":"{{aclArn}}","ResourceArn":"arn:aws:apigateway:us-east-1::/restapis/{{api}}/stages/nope"}`, nil},
		{"Error-Unsupported", "CreateRuleGroup", `{}`, nil},
		{"Error-UnknownOperation", "NoSuchOperation", `{}`, nil},

		{"DisassociateWebACL", "DisassociateWebACL", `{"ResourceArn":"` + stage + `"}`, nil},
		{"GetWebACLForResource-none", "GetWebACLForResource", `{"ResourceArn":"` + stage + `"}`, nil},
		{"DeleteWebACL", "DeleteWebACL", `{` + aclRef + `,"LockToken":"{{aclToken2}}"}`, nil},
		{"DeleteRegexPatternSet", "DeleteRegexPatternSet", `{"Name":"agents","Scope":"REGIONAL","Id":"{{re}}","LockToken":"{{reTokenNext}}"}`, nil},
		{"DeleteIPSet", "DeleteIPSet", `{` + ipRef + `,"LockToken":"{{ipToken2}}"}`, nil},
	}
}

// TestGolden runs the golden scenario and compares every answer (status,
// error type, body) with its golden file; -update rewrites them.
func TestGolden(t *testing.T) {
	e := newEnv(t, nil)
	vars := map[string]string{"api": e.restAPI("pets", "prod")}
	dir := filepath.Join("testdata", "golden")
	if *update {
		_ = os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range goldenScenario() {
		body := s.body
		for k, v := range vars {
			body = strings.ReplaceAll(body, "{{"+k+"}}", v)
		}
		a := e.call(s.op, body)
		for k, path := range s.capture {
			vars[k] = str(a.body, path)
		}
		if s.op == "GetSampledRequests" || strings.HasPrefix(s.name, "Error-") || a.status == 200 {
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, a.raw, "", "  "); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			got := fmt.Sprintf("%d %s\n%s\n", a.status, strings.Join(a.header["x-amzn-ErrorType"], ","), pretty.Bytes())
			file := filepath.Join(dir, fmt.Sprintf("%03d-%s.json", i, s.name))
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%s: %v (run with -update)", s.name, err)
			}
			if got != string(want) {
				t.Errorf("%s: answer differs from %s\n--- got\n%s--- want\n%s", s.name, file, got, want)
			}
		}
		if !strings.HasPrefix(s.name, "Error-") && a.status != 200 {
			t.Fatalf("%s: %d %s", s.name, a.status, a.raw)
		}
		if strings.HasPrefix(s.name, "Error-") && a.status == 200 {
			t.Errorf("%s: succeeded: %s", s.name, a.raw)
		}
	}
}
