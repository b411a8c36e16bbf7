package policy

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestExpandExecuteAPI(t *testing.T) {
	cases := []struct {
		name, region, in, want string
	}{
		{
			"reference example",
			"us-east-1",
			ipRangePolicy,
			`{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/*"},` +
				`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/*",` +
				`"Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","198.51.100.0/24"]}}}]}`,
		},
		{
			"list, NotResource, full ARNs kept, single statement object",
			"us-east-1",
			`{"Statement":{"Effect":"Deny","Action":"*","NotResource":["execute-api:/prod/GET/pets/*","execute-api:/*/POST/","arn:aws:execute-api:us-east-1:123456789012:other/*","*"]}}`,
			`{"Statement":{"Effect":"Deny","Action":"*","NotResource":["arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/*","arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/","arn:aws:execute-api:us-east-1:123456789012:other/*","*"]}}`,
		},
		{
			"member order, numbers, escapes and unknown content kept",
			"us-east-1",
			`{"Id":"x<y>","Statement":[{"Sid":"s\u00e9","Resource":"execute-api:/*","Condition":{"NumericLessThan":{"n":1.50}},"Effect":"Allow","Action":"*","X":{"b":1,"a":[true,null]}}],"Version":"2012-10-17"}`,
			`{"Id":"x<y>","Statement":[{"Sid":"s\u00e9","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/*","Condition":{"NumericLessThan":{"n":1.50}},"Effect":"Allow","Action":"*","X":{"b":1,"a":[true,null]}}],"Version":"2012-10-17"}`,
		},
		{
			"China partition",
			"cn-north-1",
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"execute-api:/*"}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/*"}]}`,
		},
		{
			"GovCloud partition",
			"us-gov-west-1",
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"execute-api:/*"}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:abc123/*"}]}`,
		},
		{
			"only the execute-api:/ prefix is shorthand",
			"us-east-1",
			`{"Statement":[{"Effect":"Allow","Action":"execute-api:/*","Resource":["execute-api:*","xexecute-api:/*"]}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"execute-api:/*","Resource":["execute-api:*","xexecute-api:/*"]}]}`,
		},
		{
			"no Statement",
			"us-east-1",
			` { "Version" : "2012-10-17" } `,
			`{"Version":"2012-10-17"}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ExpandExecuteAPI([]byte(tc.in), tc.region, testAccount, "abc123")
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got  %s\nwant %s", out, tc.want)
			}
			// Semantically the input with only the resources changed.
			var got, want any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("output is not JSON: %v", err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("semantic mismatch")
			}
			// Expanding twice is a no-op.
			again, err := ExpandExecuteAPI(out, tc.region, testAccount, "abc123")
			if err != nil || string(again) != string(out) {
				t.Errorf("second expansion changed the document: %s, %v", again, err)
			}
		})
	}
}

func TestExpandExecuteAPIErrors(t *testing.T) {
	for _, doc := range []string{
		``,
		`nope`,
		`[]`,
		`"x"`,
		`{"Statement":[]} {}`,
		`{"Statement":[`,
		`{"Statement":"x"}`,
		`{"Statement":[1]}`,
		`{"Statement":[{"Resource":5}]}`,
		`{"Statement":{"NotResource":[1]}}`,
		`{"Statement":{"Resource":{"a":"b"}}}`,
	} {
		out, err := ExpandExecuteAPI([]byte(doc), "us-east-1", testAccount, "abc123")
		if err == nil {
			t.Errorf("ExpandExecuteAPI(%s) = %s, want error", doc, out)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("ExpandExecuteAPI(%s): %v does not wrap ErrInvalid", doc, err)
		}
	}
}

func TestExecuteAPIARN(t *testing.T) {
	for _, tc := range []struct{ region, path, want string }{
		{"us-east-1", "/pets/1", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/1"},
		{"us-east-1", "/", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/"},
		{"us-east-1", "", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/"},
		{"cn-northwest-1", "/a", "arn:aws-cn:execute-api:cn-northwest-1:123456789012:abc123/prod/GET/a"},
	} {
		if got := ExecuteAPIARN(tc.region, testAccount, "abc123", "prod", "GET", tc.path); got != tc.want {
			t.Errorf("ExecuteAPIARN(%q, %q) = %q, want %q", tc.region, tc.path, got, tc.want)
		}
	}
	for region, want := range map[string]string{"us-east-1": "aws", "cn-north-1": "aws-cn", "us-gov-east-1": "aws-us-gov", "us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "": "aws"} {
		if got := Partition(region); got != want {
			t.Errorf("Partition(%q) = %q, want %q", region, got, want)
		}
	}
}
