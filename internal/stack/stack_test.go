package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/cfn"
)

// fakeGateway answers the calls Apply makes, records them, and fails the
// ones fail names ("METHOD path-prefix").
type fakeGateway struct {
	calls []string
	fail  string
}

type statusErr struct{ status int }

func (e statusErr) Error() string   { return fmt.Sprintf("HTTP %d", e.status) }
func (e statusErr) HTTPStatus() int { return e.status }

func (f *fakeGateway) Call(_ context.Context, service, method, path string, in, out any) error {
	call := method + " " + path
	f.calls = append(f.calls, call)
	if f.fail != "" && strings.HasPrefix(call, f.fail) {
		return errors.New("BadRequestException (400): Invalid integration type")
	}
	answer := `{}`
	switch {
	case method == "GET" && (path == "/restapis?limit=500" || path == "/apikeys?limit=500" || path == "/usageplans?limit=500"):
		answer = `{"item": []}`
	case method == "GET" && strings.HasPrefix(path, "/v2/apis?"):
		answer = `{"items": []}`
	case method == "GET" && strings.HasPrefix(path, "/2015-03-31/functions?"):
		answer = `{"Functions": []}`
	case method == "GET" && strings.HasPrefix(path, "/2015-03-31/functions/"):
		return statusErr{404}
	case method == "POST" && path == "/restapis":
		answer = `{"id": "api1"}`
	case method == "GET" && strings.HasPrefix(path, "/restapis/api1/resources"):
		answer = `{"item": [{"id": "root1", "path": "/"}]}`
	case method == "GET" && path == "/restapis/api1":
		answer = `{"name": "half"}`
	}
	if out != nil {
		return json.Unmarshal([]byte(answer), out)
	}
	return nil
}

func buildStack(t *testing.T, src string) *cfn.Stack {
	t.Helper()
	doc, err := cfn.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	st, err := cfn.Build(doc, cfn.Options{StackName: "demo", Region: "us-east-1", AccountID: "000000000000", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

const halfTemplate = `{"Resources": {
  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "nodejs20.x", "Handler": "index.handler",
    "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": "exports.handler = async () => ({})"}}},
  "Role": {"Type": "AWS::IAM::Role"},
  "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "half"}},
  "Bad": {"Type": "AWS::ApiGateway::Method", "Properties": {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
    "HttpMethod": "GET", "Integration": {"Type": "BOGUS", "Uri": {"Fn::GetAtt": ["Fn", "Arn"]}}}}
}}`

// TestApplyRollsBack: when a call fails, what the run created is deleted,
// newest first, and the error names the resource and property.
func TestApplyRollsBack(t *testing.T) {
	f := &fakeGateway{fail: "PUT /restapis/api1/resources/root1/methods/GET/integration"}
	_, err := Apply(context.Background(), f, buildStack(t, halfTemplate), Options{Region: "us-east-1", AccountID: "000000000000"})
	if err == nil || !strings.HasPrefix(err.Error(), "resource Bad (AWS::ApiGateway::Method) property Integration: ") {
		t.Fatalf("error %v", err)
	}
	var deletes []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, "DELETE ") {
			deletes = append(deletes, c)
		}
	}
	fn := (&applier{st: &cfn.Stack{Name: "demo"}, stackID: cfn.String(cfn.Pseudo("demo", "us-east-1", "000000000000")["AWS::StackId"])}).physName("Fn", 64)
	// Api was created before Fn (independent resources go in logical-id
	// order), so Fn goes first.
	want := []string{"DELETE /2015-03-31/functions/" + fn, "DELETE /restapis/api1"}
	if !reflect.DeepEqual(deletes, want) {
		t.Errorf("rollback %v, want %v", deletes, want)
	}
}

// TestApplySkipsAndPlaceholders: types Tollgate does not serve are listed
// once; their GetAtt gives a plausible ARN (here the function's role).
func TestApplySkipsAndPlaceholders(t *testing.T) {
	f := &fakeGateway{}
	st := buildStack(t, strings.Replace(halfTemplate, `"Type": "BOGUS"`, `"Type": "AWS_PROXY"`, 1))
	res, err := Apply(context.Background(), f, st, Options{Region: "us-east-1", AccountID: "000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Skipped, map[string][]string{"AWS::IAM::Role": {"Role"}}) || res.Created != 3 {
		t.Errorf("result %+v", res)
	}
	var create string
	for _, c := range f.calls {
		if c == "POST /2015-03-31/functions" {
			create = c
		}
	}
	if create == "" {
		t.Errorf("no CreateFunction in %v", f.calls)
	}
}

// TestPhysicalNames: generated names are stable per stack and logical id,
// within Lambda's 64 characters, of letters, digits and hyphens.
func TestPhysicalNames(t *testing.T) {
	a := &applier{st: &cfn.Stack{Name: strings.Repeat("s", 60)}, stackID: "x"}
	n1, n2 := a.physName("HelloWorldFunction", 64), a.physName("HelloWorldFunction", 64)
	if n1 != n2 || len(n1) > 64 || !regexp.MustCompile(`^[A-Za-z][-A-Za-z0-9]*-[A-Za-z0-9]{12}$`).MatchString(n1) {
		t.Errorf("name %q (%d)", n1, len(n1))
	}
	if a.physName("Other", 64) == n1 {
		t.Error("two logical ids, one name")
	}
}

// TestCamel: CloudFormation members become the management API's, map keys
// that are data stay as written.
func TestCamel(t *testing.T) {
	in := map[string]any{"IntegrationHttpMethod": "POST", "RequestParameters": map[string]any{"integration.request.header.X": "'a'"},
		"IntegrationResponses": []any{map[string]any{"StatusCode": "200", "ResponseTemplates": map[string]any{"application/json": "{}"}}}}
	want := map[string]any{"integrationHttpMethod": "POST", "requestParameters": map[string]any{"integration.request.header.X": "'a'"},
		"integrationResponses": []any{map[string]any{"statusCode": "200", "responseTemplates": map[string]any{"application/json": "{}"}}}}
	if got := camel(in); !reflect.DeepEqual(got, want) {
		t.Errorf("camel %v", got)
	}
}
