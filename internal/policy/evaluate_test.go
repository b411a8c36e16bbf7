package policy

import (
	"fmt"
	"sync"
	"testing"
)

// Reference §8.1: allow everyone, deny callers outside two IP ranges
// (shorthand resources, expanded as API Gateway does on save).
const ipRangePolicy = `{ "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*" },
    { "Effect": "Deny",  "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
      "Condition": { "NotIpAddress": { "aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"] } } } ] }`

// Reference §4.3: a Lambda authorizer's policyDocument.
const authorizerGetPolicy = `{ "Version": "2012-10-17",
  "Statement": [ { "Action": "execute-api:Invoke", "Effect": "Allow",
                   "Resource": "arn:aws:execute-api:*:*:abc123/*/GET/*" } ] }`

const authorizerMixedPolicy = `{ "Version": "2012-10-17",
  "Statement": [
    { "Action": "execute-api:*", "Effect": "Allow", "Resource": ["arn:aws:execute-api:us-east-1:123456789012:abc123/*"] },
    { "Action": "*", "Effect": "Deny", "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/DELETE/*" } ] }`

type evalCase struct {
	name   string
	doc    string
	expand bool // run the document through ExpandExecuteAPI first
	req    Request
	want   Decision
}

var evalCases = []evalCase{
	// §8.1 IP-range deny.
	{"ip/allowed range 1", ipRangePolicy, true, anon(testBase+"/prod/GET/pets/1", ctx("aws:SourceIp", "192.0.2.7")), Allow},
	{"ip/allowed range 2", ipRangePolicy, true, anon(testBase+"/dev/POST/", ctx("aws:SourceIp", "198.51.100.255")), Allow},
	{"ip/outside ranges", ipRangePolicy, true, anon(testBase+"/prod/GET/pets/1", ctx("aws:SourceIp", "203.0.113.9")), Deny},
	{"ip/ipv6 caller", ipRangePolicy, true, anon(testBase+"/prod/GET/pets/1", ctx("aws:SourceIp", "2001:db8::1")), Deny},
	{"ip/ipv4-mapped ipv6 caller", ipRangePolicy, true, anon(testBase+"/prod/GET/pets/1", ctx("aws:SourceIp", "::ffff:192.0.2.9")), Allow},
	{"ip/no source ip: NotIpAddress on missing key is true", ipRangePolicy, true, anon(testBase+"/prod/GET/pets/1", nil), Deny},
	{"ip/other api", ipRangePolicy, true, anon("arn:aws:execute-api:us-east-1:123456789012:zzz999/prod/GET/pets/1", ctx("aws:SourceIp", "192.0.2.7")), NotApplicable},
	{"ip/not expanded: shorthand matches nothing", ipRangePolicy, false, anon(testBase+"/prod/GET/pets/1", ctx("aws:SourceIp", "192.0.2.7")), NotApplicable},

	// §4.3 authorizer policies.
	{"authz/GET allowed", authorizerGetPolicy, false, as(aliceARN, testBase+"/prod/GET/pets/1", nil), Allow},
	{"authz/anonymous (no Principal element)", authorizerGetPolicy, false, anon(testBase+"/prod/GET/pets/1", nil), Allow},
	{"authz/GET root resource", authorizerGetPolicy, false, anon(testBase+"/prod/GET/", nil), Allow},
	{"authz/POST not allowed", authorizerGetPolicy, false, anon(testBase+"/prod/POST/pets", nil), NotApplicable},
	{"authz/other region and account", authorizerGetPolicy, false, anon("arn:aws:execute-api:eu-west-1:999999999999:abc123/dev/GET/x", nil), Allow},
	{"authz/other api", authorizerGetPolicy, false, anon("arn:aws:execute-api:us-east-1:123456789012:abc1234/prod/GET/x", nil), NotApplicable},
	{"authz/resource is case-sensitive", authorizerGetPolicy, false, anon(testBase+"/prod/get/pets", nil), NotApplicable},
	{"authz/action is case-insensitive", authorizerGetPolicy, false, withAction(anon(testBase+"/prod/GET/pets", nil), "EXECUTE-API:invoke"), Allow},
	{"authz/other action", authorizerGetPolicy, false, withAction(anon(testBase+"/prod/GET/pets", nil), "execute-api:InvalidateCache"), NotApplicable},
	{"authz/execute-api:* allows", authorizerMixedPolicy, false, anon(testBase+"/prod/PUT/pets/1", nil), Allow},
	{"authz/execute-api:* covers InvalidateCache", authorizerMixedPolicy, false, withAction(anon(testBase+"/prod/GET/pets", nil), "execute-api:InvalidateCache"), Allow},
	{"authz/deny DELETE wins", authorizerMixedPolicy, false, anon(testBase+"/prod/DELETE/pets/1", nil), Deny},
	{"authz/deny does not cover dev", authorizerMixedPolicy, false, anon(testBase+"/dev/DELETE/pets/1", nil), Allow},

	// Wildcards.
	{"wild/* crosses / and :", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*"}}`, false, anon(testBase+"/prod/GET/a/b/c", nil), Allow},
	{"wild/all three segments", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*:*:*"}}`, false, anon(testBase+"/prod/GET/", nil), Allow},
	{"wild/? is one char", `{"Statement":{"Effect":"Allow","Action":"execute-api:Inv?ke","Resource":"` + testBase + `/prod/GET/pets/?"}}`, false, anon(testBase+"/prod/GET/pets/7", nil), Allow},
	{"wild/? is not two chars", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/prod/GET/pets/?"}}`, false, anon(testBase+"/prod/GET/pets/17", nil), NotApplicable},
	{"wild/? is not zero chars", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/prod/GET/pets/?"}}`, false, anon(testBase+"/prod/GET/pets/", nil), NotApplicable},
	{"wild/? matches a multi-byte char", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/prod/GET/?"}}`, false, anon(testBase+"/prod/GET/é", nil), Allow},
	{"wild/middle star backtracks", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/*/GET/*/items/*"}}`, false, anon(testBase+"/prod/GET/GET/x/items/y/items/z", nil), Allow},
	{"wild/suffix", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*/admin"}}`, false, anon(testBase+"/prod/GET/admin", nil), Allow},
	{"wild/suffix miss", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*/admin"}}`, false, anon(testBase+"/prod/GET/admin/x", nil), NotApplicable},
	{"wild/action list", `{"Statement":{"Effect":"Allow","Action":["s3:GetObject","execute-api:Inv*"],"Resource":"*"}}`, false, anon(testBase+"/prod/GET/", nil), Allow},
	{"wild/resource list", `{"Statement":{"Effect":"Allow","Action":"*","Resource":["` + testBase + `/dev/*","` + testBase + `/prod/GET/*"]}}`, false, anon(testBase+"/prod/GET/x", nil), Allow},

	// Principal.
	{"principal/* anonymous", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, false, anon(testBase+"/p/GET/", nil), Allow},
	{"principal/AWS * anonymous", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}}`, false, anon(testBase+"/p/GET/", nil), Allow},
	{"principal/AWS list with * ", `{"Statement":{"Effect":"Allow","Principal":{"AWS":["999999999999","*"]},"Action":"*","Resource":"*"}}`, false, anon(testBase+"/p/GET/", nil), Allow},
	{"principal/account id anonymous", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}}`, false, anon(testBase+"/p/GET/", nil), NotApplicable},
	{"principal/account id user", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}}`, false, as(aliceARN, testBase+"/p/GET/", nil), Allow},
	{"principal/account id other account", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}}`, false, as(otherARN, testBase+"/p/GET/", nil), NotApplicable},
	{"principal/account from Account field", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}}`, false, Request{Action: "execute-api:Invoke", Resource: testBase + "/p/GET/", Principal: Principal{Account: testAccount}}, Allow},
	{"principal/root ARN matches account", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*","Resource":"*"}}`, false, as("arn:aws:sts::123456789012:assumed-role/Dev/s1", testBase+"/p/GET/", nil), Allow},
	{"principal/root ARN other account", `{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"Action":"*","Resource":"*"}}`, false, as(otherARN, testBase+"/p/GET/", nil), NotApplicable},
	{"principal/user ARN", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"` + aliceARN + `"},"Action":"*","Resource":"*"}}`, false, as(aliceARN, testBase+"/p/GET/", nil), Allow},
	{"principal/user ARN other user", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"` + aliceARN + `"},"Action":"*","Resource":"*"}}`, false, as("arn:aws:iam::123456789012:user/bob", testBase+"/p/GET/", nil), NotApplicable},
	{"principal/role ARN matches session", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/team/Deployer"},"Action":"*","Resource":"*"}}`, false, as("arn:aws:sts::123456789012:assumed-role/Deployer/ci-42", testBase+"/p/GET/", nil), Allow},
	{"principal/role ARN other role session", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/Deployer"},"Action":"*","Resource":"*"}}`, false, as("arn:aws:sts::123456789012:assumed-role/Reader/ci-42", testBase+"/p/GET/", nil), NotApplicable},
	{"principal/service never matches", `{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"*","Resource":"*"}}`, false, as(aliceARN, testBase+"/p/GET/", nil), NotApplicable},
	{"principal/no element matches anonymous", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, false, anon(testBase+"/p/GET/", nil), Allow},

	// NotPrincipal: deny everyone except the account.
	{"notprincipal/anonymous denied", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}]}`, false, anon(testBase+"/p/GET/", nil), Deny},
	{"notprincipal/other account denied", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}]}`, false, as(otherARN, testBase+"/p/GET/", nil), Deny},
	{"notprincipal/listed account passes", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}]}`, false, as(aliceARN, testBase+"/p/GET/", nil), Allow},
	{"notprincipal/* excludes everyone", `{"Statement":{"Effect":"Allow","NotPrincipal":"*","Action":"*","Resource":"*"}}`, false, anon(testBase+"/p/GET/", nil), NotApplicable},

	// NotAction.
	{"notaction/other action allowed", `{"Statement":{"Effect":"Allow","NotAction":"execute-api:InvalidateCache","Resource":"*"}}`, false, anon(testBase+"/p/GET/", nil), Allow},
	{"notaction/listed action excluded", `{"Statement":{"Effect":"Allow","NotAction":["execute-api:invalidate*"],"Resource":"*"}}`, false, withAction(anon(testBase+"/p/GET/", nil), "execute-api:InvalidateCache"), NotApplicable},
	{"notaction/deny everything but invoke", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"execute-api:Invoke","Resource":"*"}]}`, false, withAction(anon(testBase+"/p/GET/", nil), "execute-api:InvalidateCache"), Deny},

	// NotResource.
	{"notresource/deny outside prod", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","NotResource":"` + testBase + `/prod/*"}]}`, false, anon(testBase+"/dev/GET/x", nil), Deny},
	{"notresource/prod passes", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","NotResource":"` + testBase + `/prod/*"}]}`, false, anon(testBase+"/prod/GET/x", nil), Allow},
	{"notresource/list", `{"Statement":{"Effect":"Allow","Action":"*","NotResource":["` + testBase + `/prod/*","` + testBase + `/beta/*"]}}`, false, anon(testBase+"/dev/GET/x", nil), Allow},
	{"notresource/list excluded", `{"Statement":{"Effect":"Allow","Action":"*","NotResource":["` + testBase + `/prod/*","` + testBase + `/beta/*"]}}`, false, anon(testBase+"/beta/GET/x", nil), NotApplicable},
	{"notresource/shorthand expanded", `{"Statement":{"Effect":"Allow","Action":"*","NotResource":"execute-api:/prod/*"}}`, true, anon(testBase+"/prod/GET/x", nil), NotApplicable},

	// Policy variables in Resource.
	{"vars/resource username", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/*/GET/users/${aws:username}"}}`, false, as(aliceARN, testBase+"/prod/GET/users/alice", ctx("aws:username", "alice")), Allow},
	{"vars/resource other user", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/*/GET/users/${aws:username}"}}`, false, as(aliceARN, testBase+"/prod/GET/users/bob", ctx("aws:username", "alice")), NotApplicable},
	{"vars/resource key case-insensitive", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/*/GET/users/${AWS:UserName}"}}`, false, as(aliceARN, testBase+"/prod/GET/users/alice", ctx("aws:username", "alice")), Allow},
	{"vars/resource missing key does not match", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/*/GET/users/${aws:username}"}}`, false, anon(testBase+"/prod/GET/users/", nil), NotApplicable},
	{"vars/resource multi-valued key does not match", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/*/GET/users/${aws:username}"}}`, false, anon(testBase+"/prod/GET/users/a", ctx("aws:username", "a", "aws:username", "b")), NotApplicable},
	{"vars/resource default value", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/*/GET/users/${aws:username, 'guest'}"}}`, false, anon(testBase+"/prod/GET/users/guest", nil), Allow},
	{"vars/variable value is literal, not a wildcard", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/*/GET/users/${aws:username}"}}`, false, anon(testBase+"/prod/GET/users/alice", ctx("aws:username", "*")), NotApplicable},
	{"vars/variable value * matches literally", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/*/GET/users/${aws:username}"}}`, false, anon(testBase+"/prod/GET/users/*", ctx("aws:username", "*")), Allow},
	{"vars/escape ${*} is a literal star", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/prod/GET/${*}"}}`, false, anon(testBase+"/prod/GET/x", nil), NotApplicable},
	{"vars/escape ${*} matches star", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/prod/GET/${*}${?}${$}"}}`, false, anon(testBase+"/prod/GET/*?$", nil), Allow},
	{"vars/2008 version keeps ${...} literal", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/prod/GET/${aws:username}"}}`, false, anon(testBase+"/prod/GET/${aws:username}", ctx("aws:username", "alice")), Allow},
	{"vars/no version keeps ${...} literal", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/prod/GET/${aws:username}"}}`, false, anon(testBase+"/prod/GET/alice", ctx("aws:username", "alice")), NotApplicable},
	{"vars/any context key", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"` + testBase + `/prod/GET/vpce/${aws:SourceVpce}"}}`, false, anon(testBase+"/prod/GET/vpce/vpce-1a2b", ctx("aws:sourcevpce", "vpce-1a2b")), Allow},
	{"vars/NotResource with unresolved variable does not match", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","NotResource":"` + testBase + `/*/users/${aws:username}"}}`, false, anon(testBase+"/prod/GET/users/x", nil), NotApplicable},
	{"vars/NotResource with resolved variable", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","NotResource":"` + testBase + `/*/users/${aws:username}"}}`, false, anon(testBase+"/prod/GET/users/x", ctx("aws:username", "y")), Deny},

	// Evaluation order: explicit deny wins wherever it is.
	{"eval/deny first", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`, false, anon(testBase+"/p/GET/", nil), Deny},
	{"eval/deny last", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}`, false, anon(testBase+"/p/GET/", nil), Deny},
	{"eval/empty statement list", `{"Version":"2012-10-17","Statement":[]}`, false, anon(testBase+"/p/GET/", nil), NotApplicable},
	{"eval/deny with failing condition", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, false, anon(testBase+"/p/GET/", ctx("aws:SecureTransport", "true")), Allow},
	{"eval/deny with matching condition", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, false, anon(testBase+"/p/GET/", ctx("aws:SecureTransport", "false")), Deny},
	{"eval/Id and Sid", `{"Version":"2012-10-17","Id":"p1","Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"}]}`, false, anon(testBase+"/p/GET/", nil), Allow},
	{"eval/vpce private api", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}},
		{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}]}`, true, anon(testBase+"/prod/GET/", ctx("aws:SourceVpce", "vpce-1a2b3c4d")), Allow},
	{"eval/vpce private api wrong endpoint", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}},
		{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}]}`, true, anon(testBase+"/prod/GET/", ctx("aws:SourceVpce", "vpce-ffff")), Deny},
}

func TestEvaluate(t *testing.T) {
	for _, tc := range evalCases {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc
			if tc.expand {
				doc = mustExpand(t, doc)
			}
			p := mustParse(t, doc)
			r := tc.req
			if got := p.Evaluate(&r); got != tc.want {
				t.Errorf("Evaluate = %v, want %v\npolicy: %s\nrequest: %+v", got, tc.want, doc, r)
			}
		})
	}
}

func TestEvaluateNil(t *testing.T) {
	var p *Policy
	if got := p.Evaluate(&Request{}); got != NotApplicable {
		t.Errorf("nil policy: %v", got)
	}
	p = mustParse(t, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	if got := p.Evaluate(nil); got != NotApplicable {
		t.Errorf("nil request: %v", got)
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{NotApplicable: "NotApplicable", Allow: "Allow", Deny: "Deny", 7: "Decision(7)"} {
		if got := d.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", d, got, want)
		}
	}
}

func TestPolicyAccessors(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Id":"my-policy","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
	if p.Version() != Version2012 || p.ID() != "my-policy" || p.Len() != 2 {
		t.Errorf("Version=%q ID=%q Len=%d", p.Version(), p.ID(), p.Len())
	}
	p = mustParse(t, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	if p.Version() != Version2008 || p.ID() != "" || p.Len() != 1 {
		t.Errorf("Version=%q ID=%q Len=%d", p.Version(), p.ID(), p.Len())
	}
}

// TestConcurrentEvaluate shares one Policy between goroutines (run with
// -race).
func TestConcurrentEvaluate(t *testing.T) {
	p := mustParse(t, mustExpand(t, ipRangePolicy))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				ip := fmt.Sprintf("192.0.%d.%d", 2+i%2, i%256)
				want := Allow
				if i%2 == 1 {
					want = Deny
				}
				r := anon(testBase+"/prod/GET/pets", ctx("aws:SourceIp", ip))
				if got := p.Evaluate(&r); got != want {
					t.Errorf("%s: %v, want %v", ip, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
