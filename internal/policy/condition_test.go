package policy

import (
	"strings"
	"testing"
)

type condCase struct {
	name    string
	cond    string // the Condition element
	ctx     map[string][]string
	want    bool
	version string // "" means 2012-10-17
}

// condDoc wraps a Condition element in an Allow-everything statement.
func condDoc(cond, version string) string {
	if version == "" {
		version = Version2012
	}
	return `{"Version":"` + version + `","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":` + cond + `}}`
}

func empty(key string) map[string][]string { return map[string][]string{key: {}} }

var condCases = []condCase{
	// String operators.
	{"StringEquals match", `{"StringEquals":{"aws:username":"alice"}}`, ctx("aws:username", "alice"), true, ""},
	{"StringEquals is case-sensitive", `{"StringEquals":{"aws:username":"alice"}}`, ctx("aws:username", "Alice"), false, ""},
	{"StringEquals missing key", `{"StringEquals":{"aws:username":"alice"}}`, nil, false, ""},
	{"StringEquals empty value list is missing", `{"StringEquals":{"aws:username":"alice"}}`, empty("aws:username"), false, ""},
	{"StringEquals policy key case-insensitive", `{"StringEquals":{"AWS:USERNAME":"alice"}}`, ctx("aws:username", "alice"), true, ""},
	{"StringEquals context key case-insensitive", `{"StringEquals":{"aws:username":"alice"}}`, ctx("Aws:UserName", "alice"), true, ""},
	{"StringEquals values ORed", `{"StringEquals":{"aws:username":["bob","alice"]}}`, ctx("aws:username", "alice"), true, ""},
	{"StringEquals keys ANDed, one missing", `{"StringEquals":{"aws:username":"alice","aws:PrincipalAccount":"123456789012"}}`, ctx("aws:username", "alice"), false, ""},
	{"StringEquals keys ANDed, both", `{"StringEquals":{"aws:username":"alice","aws:PrincipalAccount":"123456789012"}}`, ctx("aws:username", "alice", "aws:PrincipalAccount", "123456789012"), true, ""},
	{"operators ANDed, one false", `{"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:username", "alice", "aws:SecureTransport", "false"), false, ""},
	{"operators ANDed, both true", `{"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:username", "alice", "aws:SecureTransport", "true"), true, ""},
	{"StringEquals star is literal", `{"StringEquals":{"aws:username":"a*"}}`, ctx("aws:username", "abc"), false, ""},
	{"StringEquals star literal match", `{"StringEquals":{"aws:username":"a*"}}`, ctx("aws:username", "a*"), true, ""},
	{"StringEquals JSON number", `{"StringEquals":{"k":1}}`, ctx("k", "1"), true, ""},
	{"StringEquals JSON bool", `{"StringEquals":{"k":[false, true]}}`, ctx("k", "true"), true, ""},
	{"StringEquals multi-valued request matches any", `{"StringEquals":{"k":"b"}}`, ctx("k", "a", "k", "b"), true, ""},
	{"operator name case-insensitive", `{"stringequals":{"k":"v"}}`, ctx("k", "v"), true, ""},
	{"StringNotEquals different", `{"StringNotEquals":{"aws:username":"alice"}}`, ctx("aws:username", "bob"), true, ""},
	{"StringNotEquals same", `{"StringNotEquals":{"aws:username":"alice"}}`, ctx("aws:username", "alice"), false, ""},
	{"StringNotEquals missing key is true", `{"StringNotEquals":{"aws:username":"alice"}}`, nil, true, ""},
	{"StringNotEquals value list", `{"StringNotEquals":{"aws:username":["alice","bob"]}}`, ctx("aws:username", "bob"), false, ""},
	{"StringNotEquals multi-valued request needs all to differ", `{"StringNotEquals":{"k":"b"}}`, ctx("k", "a", "k", "b"), false, ""},
	{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:username":"alice"}}`, ctx("aws:username", "ALICE"), true, ""},
	{"StringEqualsIgnoreCase miss", `{"StringEqualsIgnoreCase":{"aws:username":"alice"}}`, ctx("aws:username", "alicia"), false, ""},
	{"StringNotEqualsIgnoreCase same", `{"StringNotEqualsIgnoreCase":{"aws:username":"alice"}}`, ctx("aws:username", "ALICE"), false, ""},
	{"StringNotEqualsIgnoreCase different", `{"StringNotEqualsIgnoreCase":{"aws:username":"alice"}}`, ctx("aws:username", "bob"), true, ""},
	{"StringNotEqualsIgnoreCase missing", `{"StringNotEqualsIgnoreCase":{"aws:username":"alice"}}`, nil, true, ""},
	{"StringLike star", `{"StringLike":{"aws:Referer":"https://*.example.com/*"}}`, ctx("aws:Referer", "https://www.example.com/a/b"), true, ""},
	{"StringLike star miss", `{"StringLike":{"aws:Referer":"https://*.example.com/*"}}`, ctx("aws:Referer", "https://example.org/"), false, ""},
	{"StringLike question mark", `{"StringLike":{"k":"a?c"}}`, ctx("k", "abc"), true, ""},
	{"StringLike question mark is one char", `{"StringLike":{"k":"a?c"}}`, ctx("k", "abbc"), false, ""},
	{"StringLike is case-sensitive", `{"StringLike":{"k":"a*"}}`, ctx("k", "Abc"), false, ""},
	{"StringLike missing", `{"StringLike":{"k":"*"}}`, nil, false, ""},
	{"StringNotLike match", `{"StringNotLike":{"aws:Referer":"*.example.com"}}`, ctx("aws:Referer", "x.example.com"), false, ""},
	{"StringNotLike no match", `{"StringNotLike":{"aws:Referer":"*.example.com"}}`, ctx("aws:Referer", "evil.test"), true, ""},
	{"StringNotLike missing", `{"StringNotLike":{"aws:Referer":"*.example.com"}}`, nil, true, ""},

	// Numeric.
	{"NumericEquals", `{"NumericEquals":{"n":10}}`, ctx("n", "10"), true, ""},
	{"NumericEquals float form", `{"NumericEquals":{"n":"10"}}`, ctx("n", "10.0"), true, ""},
	{"NumericEquals differs", `{"NumericEquals":{"n":10}}`, ctx("n", "11"), false, ""},
	{"NumericEquals not a number", `{"NumericEquals":{"n":10}}`, ctx("n", "ten"), false, ""},
	{"NumericEquals missing", `{"NumericEquals":{"n":10}}`, nil, false, ""},
	{"NumericNotEquals", `{"NumericNotEquals":{"n":10}}`, ctx("n", "11"), true, ""},
	{"NumericNotEquals same", `{"NumericNotEquals":{"n":10}}`, ctx("n", "10"), false, ""},
	{"NumericNotEquals missing", `{"NumericNotEquals":{"n":10}}`, nil, true, ""},
	{"NumericLessThan true", `{"NumericLessThan":{"n":10}}`, ctx("n", "9.5"), true, ""},
	{"NumericLessThan equal", `{"NumericLessThan":{"n":10}}`, ctx("n", "10"), false, ""},
	{"NumericLessThanEquals equal", `{"NumericLessThanEquals":{"n":10}}`, ctx("n", "10"), true, ""},
	{"NumericLessThanEquals greater", `{"NumericLessThanEquals":{"n":10}}`, ctx("n", "11"), false, ""},
	{"NumericGreaterThan true", `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctx("aws:MultiFactorAuthAge", "7200"), true, ""},
	{"NumericGreaterThan equal", `{"NumericGreaterThan":{"n":10}}`, ctx("n", "10"), false, ""},
	{"NumericGreaterThanEquals equal", `{"NumericGreaterThanEquals":{"n":10}}`, ctx("n", "10"), true, ""},
	{"NumericGreaterThanEquals less", `{"NumericGreaterThanEquals":{"n":10}}`, ctx("n", "-3"), false, ""},
	{"Numeric values ORed", `{"NumericEquals":{"n":[1,2,3]}}`, ctx("n", "2"), true, ""},

	// Dates.
	{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2024-05-01T12:00:00Z"), true, ""},
	{"DateLessThan after", `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2031-05-01T12:00:00Z"), false, ""},
	{"DateLessThan missing", `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, nil, false, ""},
	{"DateLessThan unparsable request", `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "soon"), false, ""},
	{"DateLessThan epoch policy value", `{"DateLessThan":{"aws:CurrentTime":1700000000}}`, ctx("aws:CurrentTime", "2023-11-14T22:13:19Z"), true, ""},
	{"DateLessThan epoch boundary", `{"DateLessThan":{"aws:CurrentTime":"1700000000"}}`, ctx("aws:CurrentTime", "2023-11-14T22:13:20Z"), false, ""},
	{"DateGreaterThan epoch request value", `{"DateGreaterThan":{"aws:EpochTime":"2020-01-01"}}`, ctx("aws:EpochTime", "1600000000"), true, ""},
	{"DateGreaterThan false", `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2019-12-31T23:59:59Z"), false, ""},
	{"DateEquals across zones", `{"DateEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2024-01-01T01:00:00+01:00"), true, ""},
	{"DateEquals fractional seconds", `{"DateEquals":{"aws:CurrentTime":"2024-01-01T00:00:00.500Z"}}`, ctx("aws:CurrentTime", "1704067200.5"), true, ""},
	{"DateEquals basic format", `{"DateEquals":{"aws:CurrentTime":"20240101T000000Z"}}`, ctx("aws:CurrentTime", "2024-01-01"), true, ""},
	{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2024-01-02T00:00:00Z"), true, ""},
	{"DateNotEquals same", `{"DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2024-01-01T00:00:00Z"), false, ""},
	{"DateNotEquals missing", `{"DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, nil, true, ""},
	{"DateLessThanEquals equal", `{"DateLessThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2024-01-01T00:00:00Z"), true, ""},
	{"DateLessThanEquals after", `{"DateLessThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2024-01-01T00:00:01Z"), false, ""},
	{"DateGreaterThanEquals equal", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2024-01-01T00:00:00Z"), true, ""},
	{"DateGreaterThanEquals before", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2023-12-31T23:59:59Z"), false, ""},

	// Bool.
	{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:SecureTransport", "true"), true, ""},
	{"Bool case-insensitive request", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:SecureTransport", "TRUE"), true, ""},
	{"Bool JSON boolean", `{"Bool":{"aws:SecureTransport":false}}`, ctx("aws:SecureTransport", "false"), true, ""},
	{"Bool mismatch", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:SecureTransport", "false"), false, ""},
	{"Bool missing", `{"Bool":{"aws:SecureTransport":"true"}}`, nil, false, ""},
	{"Bool garbage request value", `{"Bool":{"aws:SecureTransport":"false"}}`, ctx("aws:SecureTransport", "nope"), false, ""},

	// BinaryEquals.
	{"BinaryEquals raw bytes", `{"BinaryEquals":{"k":"aGVsbG8="}}`, ctx("k", "hello"), true, ""},
	{"BinaryEquals base64 request", `{"BinaryEquals":{"k":"aGVsbG8="}}`, ctx("k", "aGVsbG8="), true, ""},
	{"BinaryEquals unpadded policy value", `{"BinaryEquals":{"k":"aGVsbG8"}}`, ctx("k", "hello"), true, ""},
	{"BinaryEquals mismatch", `{"BinaryEquals":{"k":"aGVsbG8="}}`, ctx("k", "bye"), false, ""},

	// IP addresses.
	{"IpAddress in range", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:SourceIp", "192.0.2.5"), true, ""},
	{"IpAddress out of range", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:SourceIp", "192.0.3.1"), false, ""},
	{"IpAddress unmasked CIDR", `{"IpAddress":{"aws:SourceIp":"192.0.2.77/24"}}`, ctx("aws:SourceIp", "192.0.2.5"), true, ""},
	{"IpAddress single address", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ctx("aws:SourceIp", "203.0.113.7"), true, ""},
	{"IpAddress single address miss", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ctx("aws:SourceIp", "203.0.113.8"), false, ""},
	{"IpAddress /32", `{"IpAddress":{"aws:SourceIp":"203.0.113.7/32"}}`, ctx("aws:SourceIp", "203.0.113.7"), true, ""},
	{"IpAddress IPv6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx("aws:SourceIp", "2001:db8:1::1"), true, ""},
	{"IpAddress IPv6 miss", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx("aws:SourceIp", "2001:db9::1"), false, ""},
	{"IpAddress IPv6 single", `{"IpAddress":{"aws:SourceIp":"2001:db8::5"}}`, ctx("aws:SourceIp", "2001:db8::5"), true, ""},
	{"IpAddress IPv4-mapped request", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:SourceIp", "::ffff:192.0.2.5"), true, ""},
	{"IpAddress IPv4-mapped policy", `{"IpAddress":{"aws:SourceIp":"::ffff:192.0.2.0/120"}}`, ctx("aws:SourceIp", "192.0.2.5"), true, ""},
	{"IpAddress v4 range, v6 caller", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, ctx("aws:SourceIp", "2001:db8::1"), false, ""},
	{"IpAddress list", `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}`, ctx("aws:SourceIp", "2001:db8::1"), true, ""},
	{"IpAddress invalid request value", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, ctx("aws:SourceIp", "bogus"), false, ""},
	{"IpAddress missing", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, nil, false, ""},
	{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:SourceIp", "10.1.1.1"), true, ""},
	{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:SourceIp", "192.0.2.1"), false, ""},
	{"NotIpAddress missing", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, nil, true, ""},
	{"NotIpAddress invalid request value", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:SourceIp", "bogus"), true, ""},
	{"IpAddress VpcSourceIp", `{"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/16"}}`, ctx("aws:VpcSourceIp", "10.0.3.4"), true, ""},

	// ARNs.
	{"ArnLike", `{"ArnLike":{"aws:SourceArn":"arn:aws:execute-api:*:123456789012:*"}}`, ctx("aws:SourceArn", "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/"), true, ""},
	{"ArnLike account mismatch", `{"ArnLike":{"aws:SourceArn":"arn:aws:execute-api:*:123456789012:*"}}`, ctx("aws:SourceArn", "arn:aws:execute-api:us-east-1:999999999999:abc/prod/GET/"), false, ""},
	{"ArnLike wildcard does not cross ':'", `{"ArnLike":{"aws:SourceArn":"arn:aws:*:us-east-1:123456789012:x"}}`, ctx("aws:SourceArn", "arn:aws:s3:extra:us-east-1:123456789012:x"), false, ""},
	{"ArnLike resource part may contain ':'", `{"ArnLike":{"aws:SourceArn":"arn:aws:lambda:*:123456789012:function:*"}}`, ctx("aws:SourceArn", "arn:aws:lambda:us-east-1:123456789012:function:f:1"), true, ""},
	{"ArnLike not an ARN", `{"ArnLike":{"aws:SourceArn":"arn:aws:*:*:*:*"}}`, ctx("aws:SourceArn", "nope"), false, ""},
	{"ArnLike short pattern is a whole-string glob", `{"ArnLike":{"aws:SourceArn":"arn:aws:*"}}`, ctx("aws:SourceArn", "arn:aws:s3:::bucket"), true, ""},
	{"ArnEquals supports wildcards like ArnLike", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/*"}}`, ctx("aws:PrincipalArn", aliceARN), true, ""},
	{"ArnEquals exact", `{"ArnEquals":{"aws:PrincipalArn":"` + aliceARN + `"}}`, ctx("aws:PrincipalArn", aliceARN), true, ""},
	{"ArnEquals case-sensitive", `{"ArnEquals":{"aws:PrincipalArn":"` + aliceARN + `"}}`, ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:user/Alice"), false, ""},
	{"ArnNotEquals", `{"ArnNotEquals":{"aws:PrincipalArn":"` + aliceARN + `"}}`, ctx("aws:PrincipalArn", otherARN), true, ""},
	{"ArnNotLike match", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:*"}}`, ctx("aws:PrincipalArn", aliceARN), false, ""},
	{"ArnNotLike missing", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:*"}}`, nil, true, ""},

	// Null.
	{"Null true, key absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true, ""},
	{"Null true, key present", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx("aws:TokenIssueTime", "2024-01-01T00:00:00Z"), false, ""},
	{"Null false, key present", `{"Null":{"aws:TokenIssueTime":"false"}}`, ctx("aws:TokenIssueTime", "2024-01-01T00:00:00Z"), true, ""},
	{"Null false, key absent", `{"Null":{"aws:TokenIssueTime":false}}`, nil, false, ""},
	{"Null empty value list is absent", `{"Null":{"aws:TokenIssueTime":true}}`, empty("aws:TokenIssueTime"), true, ""},
	{"Null ignores set qualifier", `{"ForAnyValue:Null":{"aws:TagKeys":"true"}}`, nil, true, ""},

	// IfExists.
	{"StringEqualsIfExists missing", `{"StringEqualsIfExists":{"aws:Referer":"x"}}`, nil, true, ""},
	{"StringEqualsIfExists present match", `{"StringEqualsIfExists":{"aws:Referer":"x"}}`, ctx("aws:Referer", "x"), true, ""},
	{"StringEqualsIfExists present mismatch", `{"StringEqualsIfExists":{"aws:Referer":"x"}}`, ctx("aws:Referer", "y"), false, ""},
	{"StringNotEqualsIfExists present same", `{"StringNotEqualsIfExists":{"aws:Referer":"x"}}`, ctx("aws:Referer", "x"), false, ""},
	{"StringNotEqualsIfExists missing", `{"StringNotEqualsIfExists":{"aws:Referer":"x"}}`, nil, true, ""},
	{"IpAddressIfExists missing", `{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true, ""},
	{"IpAddressIfExists present miss", `{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("aws:SourceIp", "11.0.0.1"), false, ""},
	{"NumericLessThanIfExists missing", `{"NumericLessThanIfExists":{"n":"5"}}`, nil, true, ""},
	{"DateGreaterThanIfExists missing", `{"DateGreaterThanIfExists":{"aws:TokenIssueTime":"2024-01-01T00:00:00Z"}}`, nil, true, ""},
	{"BoolIfExists missing", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, nil, true, ""},
	{"BoolIfExists present mismatch", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, ctx("aws:MultiFactorAuthPresent", "true"), false, ""},
	{"ArnLikeIfExists missing", `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:*:*:*:*"}}`, nil, true, ""},
	{"BinaryEqualsIfExists missing", `{"BinaryEqualsIfExists":{"k":"aGk="}}`, nil, true, ""},
	{"IfExists suffix case-insensitive", `{"StringEqualsifexists":{"k":"x"}}`, nil, true, ""},

	// Set qualifiers.
	{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, ctx("aws:TagKeys", "c", "aws:TagKeys", "a"), true, ""},
	{"ForAnyValue none matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, ctx("aws:TagKeys", "c"), false, ""},
	{"ForAnyValue missing is false", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, nil, false, ""},
	{"ForAnyValue empty is false", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, empty("aws:TagKeys"), false, ""},
	{"ForAnyValue IfExists missing", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"}}`, nil, true, ""},
	{"ForAnyValue StringLike", `{"ForAnyValue:StringLike":{"aws:TagKeys":"team-*"}}`, ctx("aws:TagKeys", "env", "aws:TagKeys", "team-x"), true, ""},
	{"ForAnyValue StringNotEquals some differ", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"x"}}`, ctx("aws:TagKeys", "x", "aws:TagKeys", "a"), true, ""},
	{"ForAnyValue StringNotEquals all equal", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"x"}}`, ctx("aws:TagKeys", "x"), false, ""},
	{"ForAnyValue StringNotEquals missing", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"x"}}`, nil, false, ""},
	{"ForAnyValue IpAddress", `{"ForAnyValue:IpAddress":{"ips":"10.0.0.0/8"}}`, ctx("ips", "1.1.1.1", "ips", "10.2.3.4"), true, ""},
	{"ForAllValues all match", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, ctx("aws:TagKeys", "a", "aws:TagKeys", "b"), true, ""},
	{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, ctx("aws:TagKeys", "b"), true, ""},
	{"ForAllValues one outside", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, ctx("aws:TagKeys", "a", "aws:TagKeys", "c"), false, ""},
	{"ForAllValues missing is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, nil, true, ""},
	{"ForAllValues empty is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, empty("aws:TagKeys"), true, ""},
	{"ForAllValues StringNotEquals none equal", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":"x"}}`, ctx("aws:TagKeys", "a", "aws:TagKeys", "b"), true, ""},
	{"ForAllValues StringNotEquals one equal", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":"x"}}`, ctx("aws:TagKeys", "a", "aws:TagKeys", "x"), false, ""},
	{"ForAllValues StringLike", `{"ForAllValues:StringLike":{"aws:TagKeys":["team-*","env"]}}`, ctx("aws:TagKeys", "env", "aws:TagKeys", "team-x"), true, ""},
	{"ForAllValues NumericLessThan", `{"ForAllValues:NumericLessThan":{"n":"10"}}`, ctx("n", "1", "n", "12"), false, ""},
	{"qualifier case-insensitive", `{"forallvalues:StringEquals":{"k":"a"}}`, ctx("k", "a"), true, ""},

	// Policy variables in condition values.
	{"var StringEquals", `{"StringEquals":{"k":"${aws:username}"}}`, ctx("k", "alice", "aws:username", "alice"), true, ""},
	{"var StringEquals mismatch", `{"StringEquals":{"k":"${aws:username}"}}`, ctx("k", "alice", "aws:username", "bob"), false, ""},
	{"var StringEquals unresolved", `{"StringEquals":{"k":"${aws:username}"}}`, ctx("k", "alice"), false, ""},
	{"var StringEquals with text around", `{"StringEquals":{"k":"home/${aws:username}/x"}}`, ctx("k", "home/alice/x", "aws:username", "alice"), true, ""},
	{"var StringNotEquals resolved", `{"StringNotEquals":{"k":"${aws:username}"}}`, ctx("k", "alice", "aws:username", "bob"), true, ""},
	{"var StringNotEquals unresolved is false", `{"StringNotEquals":{"k":"${aws:username}"}}`, ctx("k", "alice"), false, ""},
	{"var StringNotEquals one unresolved value", `{"StringNotEquals":{"k":["x","${aws:username}"]}}`, ctx("k", "alice"), false, ""},
	{"var default value", `{"StringEquals":{"k":"${aws:username, 'nobody'}"}}`, ctx("k", "nobody"), true, ""},
	{"var default value with quote", `{"StringEquals":{"k":"${aws:username,'it''s'}"}}`, ctx("k", "it's"), true, ""},
	{"var default ignored when key present", `{"StringEquals":{"k":"${aws:username, 'nobody'}"}}`, ctx("k", "nobody", "aws:username", "alice"), false, ""},
	{"var multi-valued key is unresolved", `{"StringEquals":{"k":"${aws:TagKeys}"}}`, ctx("k", "a", "aws:TagKeys", "a", "aws:TagKeys", "b"), false, ""},
	{"var malformed is unresolved", `{"StringEquals":{"k":"${aws:username, nobody}"}}`, ctx("k", "nobody", "aws:username", "nobody"), false, ""},
	{"var unterminated is literal", `{"StringEquals":{"k":"${aws:username"}}`, ctx("k", "${aws:username"), true, ""},
	{"var StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"k":"${aws:username}"}}`, ctx("k", "ALICE", "aws:username", "alice"), true, ""},
	{"var StringEqualsIgnoreCase unresolved", `{"StringEqualsIgnoreCase":{"k":"${aws:username}"}}`, ctx("k", "ALICE"), false, ""},
	{"var StringLike", `{"StringLike":{"k":"${aws:username}/*"}}`, ctx("k", "alice/x/y", "aws:username", "alice"), true, ""},
	{"var StringLike value is literal", `{"StringLike":{"k":"${aws:username}"}}`, ctx("k", "abc", "aws:username", "a*"), false, ""},
	{"var StringLike value literal star", `{"StringLike":{"k":"${aws:username}"}}`, ctx("k", "a*", "aws:username", "a*"), true, ""},
	{"var escape ${*} in StringLike", `{"StringLike":{"k":"a${*}"}}`, ctx("k", "ab"), false, ""},
	{"var escape ${*} in StringLike match", `{"StringLike":{"k":"a${*}"}}`, ctx("k", "a*"), true, ""},
	{"var escape ${$} in StringEquals", `{"StringEquals":{"k":"${$}{x}"}}`, ctx("k", "${x}"), true, ""},
	{"var ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/${aws:username}"}}`, ctx("aws:PrincipalArn", aliceARN, "aws:username", "alice"), true, ""},
	{"var ArnLike unresolved", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/${aws:username}"}}`, ctx("aws:PrincipalArn", aliceARN), false, ""},
	{"var ArnNotLike unresolved is false", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/${aws:username}"}}`, ctx("aws:PrincipalArn", aliceARN), false, ""},
	{"var ArnLike with ':' in variable key", `{"ArnLike":{"aws:SourceArn":"arn:aws:execute-api:${aws:RequestedRegion}:*:*"}}`, ctx("aws:SourceArn", "arn:aws:execute-api:eu-west-1:1:a", "aws:RequestedRegion", "eu-west-1"), true, ""},
	{"var in 2008-10-17 is literal", `{"StringEquals":{"k":"${aws:username}"}}`, ctx("k", "${aws:username}", "aws:username", "alice"), true, Version2008},
	{"var not in Numeric values", `{"StringEquals":{"k":"${aws:username}"},"NumericEquals":{"n":"1"}}`, ctx("k", "a", "aws:username", "a", "n", "1"), true, ""},
}

func TestConditions(t *testing.T) {
	for _, tc := range condCases {
		t.Run(tc.name, func(t *testing.T) {
			doc := condDoc(tc.cond, tc.version)
			p := mustParse(t, doc)
			r := anon(testBase+"/prod/GET/", tc.ctx)
			want := NotApplicable
			if tc.want {
				want = Allow
			}
			if got := p.Evaluate(&r); got != want {
				t.Errorf("Condition %s with context %v: got %v, want %v", tc.cond, tc.ctx, got, want)
			}
		})
	}
}

// TestEveryOperatorIsCovered checks that condCases uses every operator.
func TestEveryOperatorIsCovered(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range condCases {
		c := strings.ToLower(tc.cond)
		for name := range operators {
			for _, form := range []string{`"` + name + `"`, `"` + name + `ifexists"`, `:` + name + `"`, `:` + name + `ifexists"`} {
				if strings.Contains(c, form) {
					seen[name] = true
				}
			}
		}
	}
	for name := range operators {
		if !seen[name] {
			t.Errorf("operator %s has no test case", name)
		}
	}
}
