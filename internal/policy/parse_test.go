package policy

import (
	"errors"
	"strings"
	"testing"
)

const okStmt = `"Effect":"Allow","Action":"*","Resource":"*"`

var parseErrorCases = []struct {
	name, doc, want string
}{
	{"not JSON", `not json`, "malformed JSON"},
	{"truncated JSON", `{"Statement":[`, "malformed JSON"},
	{"trailing data", `{"Statement":[]} x`, "malformed JSON"},
	{"array document", `[]`, "expected a JSON object"},
	{"null document", `null`, "expected a JSON object"},
	{"empty document", ``, "malformed JSON"},
	{"missing Statement", `{"Version":"2012-10-17"}`, "missing Statement"},
	{"unknown top-level element", `{"Statement":[],"Foo":1}`, `unknown top-level element "Foo"`},
	{"unsupported Version", `{"Version":"2020-01-01","Statement":[]}`, "unsupported Version"},
	{"Version not a string", `{"Version":2012,"Statement":[]}`, "Version: expected a string"},
	{"Id not a string", `{"Id":1,"Statement":[]}`, "Id: expected a string"},
	{"Statement string", `{"Statement":"x"}`, "Statement must be an object or an array"},
	{"Statement null", `{"Statement":null}`, "Statement must be an object or an array"},
	{"statement not an object", `{"Statement":[1]}`, "statement 0: expected a JSON object"},
	{"missing Effect", `{"Statement":{"Action":"*","Resource":"*"}}`, "missing Effect"},
	{"bad Effect", `{"Statement":{"Effect":"allow","Action":"*","Resource":"*"}}`, `bad Effect "allow"`},
	{"Effect not a string", `{"Statement":{"Effect":true,"Action":"*","Resource":"*"}}`, "Effect: expected a string"},
	{"missing Action", `{"Statement":{"Effect":"Allow","Resource":"*"}}`, "missing Action"},
	{"Action and NotAction", `{"Statement":{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}}`, "both Action and NotAction"},
	{"Action without service", `{"Statement":{"Effect":"Allow","Action":"Invoke","Resource":"*"}}`, "not of the form service:action"},
	{"empty Action list", `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, "Action: empty list"},
	{"Action number", `{"Statement":{"Effect":"Allow","Action":5,"Resource":"*"}}`, "Action: expected a string"},
	{"Action list with number", `{"Statement":{"Effect":"Allow","Action":["s3:x",5],"Resource":"*"}}`, "Action: expected a string"},
	{"missing Resource", `{"Statement":{"Effect":"Allow","Action":"*"}}`, "missing Resource"},
	{"Resource and NotResource", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}}`, "both Resource and NotResource"},
	{"empty Resource", `{"Statement":{"Effect":"Allow","Action":"*","Resource":""}}`, "empty resource"},
	{"Resource object", `{"Statement":{"Effect":"Allow","Action":"*","Resource":{}}}`, "Resource: expected a string"},
	{"Principal string", `{"Statement":{` + okStmt + `,"Principal":"someone"}}`, `Principal: a string principal must be "*"`},
	{"Principal number", `{"Statement":{` + okStmt + `,"Principal":1}}`, `Principal: must be "*" or an object`},
	{"Principal unknown type", `{"Statement":{` + okStmt + `,"Principal":{"Foo":"x"}}}`, `unknown principal type "Foo"`},
	{"Principal empty AWS", `{"Statement":{` + okStmt + `,"Principal":{"AWS":""}}}`, "empty AWS principal"},
	{"Principal bad ARN", `{"Statement":{` + okStmt + `,"Principal":{"AWS":"arn:aws:iam"}}}`, "invalid AWS principal"},
	{"Principal and NotPrincipal", `{"Statement":{` + okStmt + `,"Principal":"*","NotPrincipal":"*"}}`, "both Principal and NotPrincipal"},
	{"unknown statement element", `{"Statement":{` + okStmt + `,"Actions":"*"}}`, `unknown element "Actions"`},
	{"element names are case-sensitive", `{"Statement":{"effect":"Allow","Action":"*","Resource":"*"}}`, `unknown element "effect"`},
	{"Sid not a string", `{"Statement":{` + okStmt + `,"Sid":1}}`, "Sid: expected a string"},
	{"Sid named in errors", `{"Statement":[{` + okStmt + `},{"Sid":"Second","Effect":"Maybe","Action":"*","Resource":"*"}]}`, `statement 1 (Sid "Second"): bad Effect`},
	{"Condition not an object", `{"Statement":{` + okStmt + `,"Condition":[]}}`, "Condition: expected a JSON object"},
	{"unknown operator", `{"Statement":{` + okStmt + `,"Condition":{"StringEqual":{"k":"v"}}}}`, `unknown condition operator "StringEqual"`},
	{"unknown qualifier", `{"Statement":{` + okStmt + `,"Condition":{"ForSomeValues:StringEquals":{"k":"v"}}}}`, `unknown set qualifier "ForSomeValues"`},
	{"NullIfExists", `{"Statement":{` + okStmt + `,"Condition":{"NullIfExists":{"k":"true"}}}}`, "unknown condition operator"},
	{"operator value not an object", `{"Statement":{` + okStmt + `,"Condition":{"StringEquals":"x"}}}`, "StringEquals: expected a JSON object"},
	{"empty condition key", `{"Statement":{` + okStmt + `,"Condition":{"StringEquals":{"":"x"}}}}`, "empty condition key"},
	{"condition value object", `{"Statement":{` + okStmt + `,"Condition":{"StringEquals":{"k":{"a":1}}}}}`, "condition values must be strings, numbers or booleans"},
	{"condition value null", `{"Statement":{` + okStmt + `,"Condition":{"StringEquals":{"k":null}}}}`, "condition values must be strings, numbers or booleans"},
	{"condition value nested list", `{"Statement":{` + okStmt + `,"Condition":{"StringEquals":{"k":[["a"]]}}}}`, "condition values must be strings, numbers or booleans"},
	{"bad CIDR", `{"Statement":{` + okStmt + `,"Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}}}`, `invalid IP address or CIDR "300.1.1.1/8"`},
	{"bad prefix length", `{"Statement":{` + okStmt + `,"Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","10.0.0.0/33"]}}}}`, "invalid IP address or CIDR"},
	{"bad IP", `{"Statement":{` + okStmt + `,"Condition":{"IpAddress":{"aws:SourceIp":"localhost"}}}}`, "invalid IP address or CIDR"},
	{"bad date", `{"Statement":{` + okStmt + `,"Condition":{"DateLessThan":{"aws:CurrentTime":"yesterday"}}}}`, `invalid date "yesterday"`},
	{"bad number", `{"Statement":{` + okStmt + `,"Condition":{"NumericLessThan":{"n":"ten"}}}}`, `invalid number "ten"`},
	{"hex number", `{"Statement":{` + okStmt + `,"Condition":{"NumericLessThan":{"n":"0x10"}}}}`, `invalid number "0x10"`},
	{"NaN number", `{"Statement":{` + okStmt + `,"Condition":{"NumericLessThan":{"n":"NaN"}}}}`, `invalid number "NaN"`},
	{"bad bool", `{"Statement":{` + okStmt + `,"Condition":{"Bool":{"aws:SecureTransport":"yes"}}}}`, `invalid boolean "yes"`},
	{"bad Null value", `{"Statement":{` + okStmt + `,"Condition":{"Null":{"k":1}}}}`, `invalid boolean "1"`},
	{"bad base64", `{"Statement":{` + okStmt + `,"Condition":{"BinaryEquals":{"k":"!!!"}}}}`, `invalid base64 value "!!!"`},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range parseErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("Parse(%s) succeeded, want error containing %q", tc.doc, tc.want)
			}
			if p != nil {
				t.Errorf("Parse returned a policy with an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for _, doc := range []string{
		`{"Statement":[]}`,
		` { "Version" : "2008-10-17" , "Statement" : { "Effect" : "Deny" , "Action" : [ "*" ] , "Resource" : [ "*" ] } } `,
		`{"Statement":{` + okStmt + `,"Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:root","AIDAEXAMPLEUNIQUEID"],"Service":"apigateway.amazonaws.com","Federated":["cognito-identity.amazonaws.com"],"CanonicalUser":"abc"}}}`,
		`{"Statement":{` + okStmt + `,"Condition":{}}}`,
		`{"Statement":{` + okStmt + `,"Condition":{"StringEquals":{"k":[]}}}}`,
		`{"Statement":{` + okStmt + `,"Condition":{"DateLessThan":{"t":["2024-01-01","2024-01-01T10:00Z","2024-01-01T10:00:00","20240101T100000Z","1700000000","1700000000.25","-1"]}}}}`,
		`{"Statement":{` + okStmt + `,"Condition":{"NumericEquals":{"n":[1,-2.5,1e3,"+7","1E-2"]}}}}`,
		`{"Statement":{` + okStmt + `,"Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1","fe80::1%eth0","2001:db8::/32"]}}}}`,
		`{"Statement":{"Sid":"","Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:s3:::*"}}`,
	} {
		if _, err := Parse([]byte(doc)); err != nil {
			t.Errorf("Parse(%s): %v", doc, err)
		}
	}
}
