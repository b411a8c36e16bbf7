package cfn

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func build(t *testing.T, src string, overrides map[string]string) (*Stack, error) {
	t.Helper()
	doc, err := Parse([]byte(src))
	if err != nil {
		return nil, err
	}
	return Build(doc, Options{StackName: "demo", Region: "us-east-1", AccountID: "000000000000", Overrides: overrides, Dir: t.TempDir()})
}

func mustBuild(t *testing.T, src string, overrides map[string]string) *Stack {
	t.Helper()
	st, err := build(t, src, overrides)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func resource(st *Stack, id string) *Resource {
	for _, r := range st.Resources {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func ids(st *Stack) []string {
	var out []string
	for _, r := range st.Resources {
		out = append(out, r.ID+" "+r.Type)
	}
	sort.Strings(out)
	return out
}

// TestParseShortForms: YAML short forms become Fn:: maps; !GetAtt splits
// at the first dot; YAML 1.1 scalars read as CloudFormation reads them.
func TestParseShortForms(t *testing.T) {
	doc, err := Parse([]byte(`
AWSTemplateFormatVersion: 2010-09-09
A: !Ref X
B: !GetAtt Res.Attr.Deep
C: !Sub "x-${AWS::Region}"
D: !Join [",", [a, !Ref P]]
E: yes
F: 1.0
G: "1.0"
H: !If [Cond, !Ref AWS::NoValue, 3]
I: !GetAZs ""
`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"A":                        map[string]any{"Ref": "X"},
		"B":                        map[string]any{"Fn::GetAtt": []any{"Res", "Attr.Deep"}},
		"C":                        map[string]any{"Fn::Sub": "x-${AWS::Region}"},
		"D":                        map[string]any{"Fn::Join": []any{",", []any{"a", map[string]any{"Ref": "P"}}}},
		"E":                        true,
		"F":                        json.Number("1.0"),
		"G":                        "1.0",
		"H":                        map[string]any{"Fn::If": []any{"Cond", map[string]any{"Ref": "AWS::NoValue"}, json.Number("3")}},
		"I":                        map[string]any{"Fn::GetAZs": ""},
	}
	if !reflect.DeepEqual(doc, want) {
		got, _ := json.Marshal(doc)
		t.Errorf("parsed %s", got)
	}
	if _, err := Parse([]byte("Resources: [unclosed")); err == nil || !strings.Contains(err.Error(), "Template format error: YAML not well-formed.") {
		t.Errorf("bad YAML: %v", err)
	}
	if _, err := Parse([]byte(`{"Resources": `)); err == nil || !strings.Contains(err.Error(), "Template format error") {
		t.Errorf("bad JSON: %v", err)
	}
	bomb := "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nResources: {T: {Type: AWS::SNS::Topic, Properties: {P: *c}}}\n"
	if _, err := Parse([]byte(bomb)); err == nil || !strings.Contains(err.Error(), "anchors and aliases are not supported") {
		t.Errorf("aliases: %v", err)
	}
}

// TestIntrinsics evaluates each function and CloudFormation's errors.
func TestIntrinsics(t *testing.T) {
	ev := &Evaluator{
		Params:     map[string]any{"Env": "dev", "Subnets": []any{"a", "b"}},
		Pseudo:     Pseudo("demo", "eu-west-1", "123456789012"),
		Mappings:   map[string]any{"M": map[string]any{"dev": map[string]any{"Size": "small"}}},
		Conditions: map[string]bool{"IsDev": true},
		Resources:  map[string]string{"Fn": "AWS::Lambda::Function"},
		Exports: func(name string) (string, bool) {
			return "vpc-1", name == "shared-vpc"
		},
	}
	cases := []struct {
		in   string
		want any
	}{
		{`{"Fn::Sub": "${Env}-${AWS::Region}-${!Literal}-$context.stage"}`, "dev-eu-west-1-${Literal}-$context.stage"},
		{`{"Fn::Sub": ["${A}/${Fn.Arn}", {"A": {"Ref": "Env"}}]}`, "dev/${Fn.Arn}"},
		{`{"Fn::Join": ["-", ["x", {"Ref": "Env"}, 3]]}`, "x-dev-3"},
		{`{"Fn::Join": [",", {"Ref": "Subnets"}]}`, "a,b"},
		{`{"Fn::Select": ["1", {"Ref": "Subnets"}]}`, "b"},
		{`{"Fn::Split": ["|", "a||c|"]}`, []any{"a", "", "c", ""}},
		{`{"Fn::FindInMap": ["M", {"Ref": "Env"}, "Size"]}`, "small"},
		{`{"Fn::Base64": "tollgate"}`, "dG9sbGdhdGU="},
		{`{"Fn::If": ["IsDev", "d", "p"]}`, "d"},
		{`{"k": {"Fn::If": ["IsDev", {"Ref": "AWS::NoValue"}, 1]}, "l": [1, {"Ref": "AWS::NoValue"}]}`, map[string]any{"l": []any{json.Number("1")}}},
		{`{"Fn::GetAZs": ""}`, []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
		{`{"Ref": "AWS::Partition"}`, "aws"},
		{`{"Fn::Cidr": ["10.0.0.0/16", 2, 8]}`, []any{"10.0.0.0/24", "10.0.1.0/24"}},
		{`{"Fn::GetAtt": ["Fn", "Arn"]}`, "${Fn.Arn}"},
		{`{"Fn::ImportValue": {"Fn::Join": ["-", ["shared", "vpc"]]}}`, "vpc-1"},
	}
	for _, c := range cases {
		v, err := parseJSON([]byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ev.Eval(v)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.in, got, c.want)
		}
	}
	errs := []struct{ in, want string }{
		{`{"Ref": "Nope"}`, "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{`{"Fn::Sub": "${Nope}"}`, "Unresolved resource dependencies [Nope]"},
		{`{"Fn::GetAtt": ["Nope", "Arn"]}`, "Template error: instance of Fn::GetAtt references undefined resource Nope"},
		{`{"Fn::GetAtt": ["Fn"]}`, "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute"},
		{`{"Fn::Select": [5, {"Ref": "Subnets"}]}`, "Template error: Fn::Select cannot select nonexistent value at index 5"},
		{`{"Fn::FindInMap": ["M", "prod", "Size"]}`, "Template error: Unable to get mapping for M::prod::Size"},
		{`{"Fn::FindInMap": ["M", "prod"]}`, "Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value"},
		{`{"Fn::ImportValue": "shared-id"}`, "No export named shared-id found."},
	}
	for _, c := range errs {
		v, _ := parseJSON([]byte(c.in))
		if _, err := ev.Eval(v); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.in, err, c.want)
		}
	}
}

const paramTemplate = `
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Name:
    Type: String
    AllowedPattern: "[a-z]+"
    ConstraintDescription: lower-case letters only
    Default: abc
  Ids:
    Type: CommaDelimitedList
    Default: "a, b ,c"
  Size:
    Type: Number
    Default: 3
    MaxValue: 10
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
Resources:
  Only:
    Type: AWS::SNS::Topic
    Condition: IsProd
  Always:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !If [IsProd, !Select [1, !Ref Ids], !Sub "${Stage}-${Size}"]
Outputs:
  Name:
    Value: !Ref Always
  ProdOnly:
    Condition: IsProd
    Value: x
`

// TestParameters: defaults, overrides, CloudFormation's constraint errors,
// conditions dropping resources and outputs.
func TestParameters(t *testing.T) {
	st := mustBuild(t, paramTemplate, nil)
	if got := ids(st); !reflect.DeepEqual(got, []string{"Always AWS::SNS::Topic"}) {
		t.Errorf("resources with Stage=dev: %v", got)
	}
	if len(st.Outputs) != 1 || st.Outputs[0].Key != "Name" {
		t.Errorf("outputs: %+v", st.Outputs)
	}
	if !reflect.DeepEqual(st.Params["Ids"], []any{"a", "b", "c"}) {
		t.Errorf("CommaDelimitedList: %#v", st.Params["Ids"])
	}
	v, _ := st.Eval.Eval(resource(st, "Always").Properties["TopicName"])
	if v != "dev-3" {
		t.Errorf("TopicName = %v", v)
	}
	st = mustBuild(t, paramTemplate, map[string]string{"Stage": "prod"})
	if len(st.Resources) != 2 || len(st.Outputs) != 2 {
		t.Errorf("Stage=prod: %v %+v", ids(st), st.Outputs)
	}
	for _, c := range []struct {
		over map[string]string
		want string
	}{
		{map[string]string{"Stage": "test"}, "Parameter 'Stage' must be one of AllowedValues"},
		{map[string]string{"Name": "ABC"}, "Parameter Name failed to satisfy constraint: lower-case letters only"},
		{map[string]string{"Size": "11"}, "Malformed input-Parameter Size must be a number not greater than 10"},
		{map[string]string{"Size": "x"}, "Parameter 'Size' must be a number."},
	} {
		if _, err := build(t, paramTemplate, c.over); err == nil || err.Error() != c.want {
			t.Errorf("%v: %v, want %q", c.over, err, c.want)
		}
	}
	_, err := build(t, "Parameters:\n  A: {Type: String}\n  B: {Type: String}\nResources:\n  T: {Type: AWS::SNS::Topic}\n", nil)
	if err == nil || err.Error() != "Parameters: [A, B] must have values" {
		t.Errorf("missing values: %v", err)
	}
	_, err = build(t, "Resources: {}\n", nil)
	if err == nil || err.Error() != "Template format error: At least one Resources member must be defined." {
		t.Errorf("no resources: %v", err)
	}
}

// TestOverridesAndSAMConfig reads --parameter-overrides in SAM CLI's
// spellings and samconfig.toml's parameter_overrides.
func TestOverridesAndSAMConfig(t *testing.T) {
	got, err := ParseOverrides([]string{`Stage=prod Name="a b"`, "ParameterKey=Size,ParameterValue=4", "Other='x'"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Stage": "prod", "Name": "a b", "Size": "4", "Other": "x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("overrides %v", got)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "samconfig.toml")
	os.WriteFile(path, []byte(`version = 0.1
[default.deploy.parameters]
stack_name = "sam-app"
parameter_overrides = "Stage=\"prod\" Size=5"
[default.local_start_api.parameters]
parameter_overrides = ["Size=6"]
`), 0o644)
	cfg, err := LoadSAMConfig(path, "default")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StackName != "sam-app" || !reflect.DeepEqual(cfg.Parameters, map[string]string{"Stage": "prod", "Size": "6"}) {
		t.Errorf("samconfig: %+v", cfg)
	}
}

// TestOrderAndCycles: resources come after what they reference; a cycle
// is CloudFormation's error.
func TestOrderAndCycles(t *testing.T) {
	st := mustBuild(t, `
Resources:
  C: {Type: AWS::X::Y, Properties: {P: !Sub "${B.Arn}"}}
  B: {Type: AWS::X::Y, Properties: {P: !Ref A}}
  A: {Type: AWS::X::Y, DependsOn: Z}
  Z: {Type: AWS::X::Y}
`, nil)
	var order []string
	for _, r := range st.Resources {
		order = append(order, r.ID)
	}
	if !reflect.DeepEqual(order, []string{"Z", "A", "B", "C"}) {
		t.Errorf("order %v", order)
	}
	_, err := build(t, "Resources:\n  A: {Type: AWS::X::Y, Properties: {P: !Ref B}}\n  B: {Type: AWS::X::Y, Properties: {P: !GetAtt A.Arn}}\n", nil)
	if err == nil || err.Error() != "Circular dependency between resources: [A, B]" {
		t.Errorf("cycle: %v", err)
	}
	_, err = build(t, "Resources:\n  A: {Type: AWS::X::Y, Properties: {P: !Ref Missing}}\n", nil)
	if err == nil || err.Error() != "resource A (AWS::X::Y) property P: Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template" {
		t.Errorf("unresolved: %v", err)
	}
}

func load(t *testing.T, path string) (*Stack, []string) {
	t.Helper()
	doc, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(path, "testdata/sam/") {
		doc["Transform"] = SAMTransform // the translator's fixtures leave it out
	}
	var warnings []string
	st, err := Build(doc, Options{StackName: "sam-app", Region: "us-east-1", AccountID: "000000000000",
		Dir: filepath.Dir(path), Warn: func(w string) { warnings = append(warnings, w) }})
	if err != nil {
		t.Fatal(err)
	}
	return st, warnings
}

// TestSAMImplicitHTTPAPI expands SAM's fixture implicit_http_api: the same
// logical ids as tests/translator/output/implicit_http_api.json, the
// $default route and the permissions' source ARNs.
func TestSAMImplicitHTTPAPI(t *testing.T) {
	st, _ := load(t, "testdata/sam/implicit_http_api.yaml")
	want := []string{
		"HttpApiFunction AWS::Lambda::Function", "HttpApiFunction2 AWS::Lambda::Function",
		"HttpApiFunction2Basic2Permission AWS::Lambda::Permission", "HttpApiFunction2Role AWS::IAM::Role",
		"HttpApiFunctionBasicPermission AWS::Lambda::Permission", "HttpApiFunctionRole AWS::IAM::Role",
		"HttpApiFunctionSimpleCasePermission AWS::Lambda::Permission", "ServerlessHttpApi AWS::ApiGatewayV2::Api",
		"ServerlessHttpApiApiGatewayDefaultStage AWS::ApiGatewayV2::Stage",
	}
	if got := ids(st); !reflect.DeepEqual(got, want) {
		t.Errorf("resources:\n%v\nwant\n%v", got, want)
	}
	body := resource(st, "ServerlessHttpApi").Properties["Body"].(map[string]any)
	def := body["paths"].(map[string]any)["$default"].(map[string]any)["x-amazon-apigateway-any-method"].(map[string]any)
	if def["isDefaultRoute"] != true {
		t.Errorf("$default route: %v", def)
	}
	integ := def["x-amazon-apigateway-integration"].(map[string]any)
	if integ["payloadFormatVersion"] != "2.0" || !reflect.DeepEqual(integ["uri"], map[string]any{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${HttpApiFunction.Arn}/invocations"}) {
		t.Errorf("integration: %v", integ)
	}
	src, _ := st.Eval.Eval(resource(st, "HttpApiFunction2Basic2Permission").Properties["SourceArn"])
	if src != "arn:aws:execute-api:us-east-1:000000000000:${ServerlessHttpApi}/*/POST/basic2" {
		t.Errorf("SourceArn %v", src)
	}
	src, _ = st.Eval.Eval(resource(st, "HttpApiFunctionSimpleCasePermission").Properties["SourceArn"])
	if src != "arn:aws:execute-api:us-east-1:000000000000:${ServerlessHttpApi}/*/*" {
		t.Errorf("SourceArn of $default %v", src)
	}
	stage := resource(st, "ServerlessHttpApiApiGatewayDefaultStage").Properties
	if stage["StageName"] != "$default" || stage["AutoDeploy"] != true {
		t.Errorf("stage %v", stage)
	}
}

// TestSAMRealRESTAuthCors expands SAM's example api_lambda_auth_cors: a
// TOKEN authorizer as default, CORS preflight without it, stages Prod and
// "Stage".
func TestSAMRealRESTAuthCors(t *testing.T) {
	st, _ := load(t, "testdata/real/api_lambda_auth_cors/template.yaml")
	var dep, stage string
	for _, r := range st.Resources {
		switch {
		case strings.HasPrefix(r.ID, "MyApiDeployment"):
			dep = r.ID
		case r.Type == "AWS::ApiGateway::Stage":
			stage = r.ID
		}
	}
	if len(dep) != len("MyApiDeployment")+10 || stage != "MyApiProdStage" {
		t.Errorf("deployment %q stage %q: %v", dep, stage, ids(st))
	}
	if resource(st, dep).Properties["StageName"] != "Stage" {
		t.Errorf("deployment without OpenApiVersion makes stage \"Stage\": %v", resource(st, dep).Properties)
	}
	body := resource(st, "MyApi").Properties["Body"].(map[string]any)
	root := body["paths"].(map[string]any)["/"].(map[string]any)
	if !reflect.DeepEqual(root["get"].(map[string]any)["security"], []any{map[string]any{"MyAuthorizer": []any{}}}) {
		t.Errorf("GET / security: %v", root["get"])
	}
	opts := root["options"].(map[string]any)
	if _, ok := opts["security"]; ok {
		t.Errorf("OPTIONS / has security despite AddDefaultAuthorizerToCorsPreflight: false: %v", opts)
	}
	rp := opts["x-amazon-apigateway-integration"].(map[string]any)["responses"].(map[string]any)["default"].(map[string]any)["responseParameters"].(map[string]any)
	want := map[string]any{
		"method.response.header.Access-Control-Allow-Origin":  "'http://localhost:8080'",
		"method.response.header.Access-Control-Allow-Headers": "'Authorization'",
		"method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
	}
	if !reflect.DeepEqual(rp, want) {
		t.Errorf("CORS response parameters %v", rp)
	}
	sd := body["securityDefinitions"].(map[string]any)["MyAuthorizer"].(map[string]any)
	if sd["name"] != "Authorization" || sd["x-amazon-apigateway-authtype"] != "custom" || sd["x-amazon-apigateway-authorizer"].(map[string]any)["type"] != "token" {
		t.Errorf("authorizer %v", sd)
	}
	fn := resource(st, "HelloWorldFunction")
	if fn.Code != filepath.Join("testdata/real/api_lambda_auth_cors", "src") || fn.Properties["Runtime"] != "nodejs20.x" {
		t.Errorf("function %+v", fn)
	}
}

// TestSAMRealHTTPCors expands serverless-patterns' apigw-http-api-cors-sam.
func TestSAMRealHTTPCors(t *testing.T) {
	st, _ := load(t, "testdata/real/apigw-http-api-cors-sam/template.yaml")
	body := resource(st, "HttpApi").Properties["Body"].(map[string]any)
	want := map[string]any{"allowOrigins": []any{"*"}, "allowHeaders": []any{"*"}, "allowMethods": []any{"*"}}
	if !reflect.DeepEqual(body["x-amazon-apigateway-cors"], want) {
		t.Errorf("cors %v", body["x-amazon-apigateway-cors"])
	}
	if _, ok := body["paths"].(map[string]any)["/test"].(map[string]any)["x-amazon-apigateway-any-method"]; !ok {
		t.Errorf("paths %v", body["paths"])
	}
	if resource(st, "HttpApiApiGatewayDefaultStage") == nil {
		t.Errorf("resources %v", ids(st))
	}
}

// TestSAMGlobalsAndErrors: Globals merge as SAM merges them; SAM's errors
// name the resource.
func TestSAMGlobalsAndErrors(t *testing.T) {
	st := mustBuild(t, `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Timeout: 10
    Environment: {Variables: {A: "1", B: "2"}}
    Layers: [g]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Timeout: 20
      Environment: {Variables: {B: "3"}}
      Layers: [r]
`, nil)
	p := resource(st, "Fn").Properties
	if p["Timeout"] != json.Number("20") || p["Runtime"] != "provided.al2023" ||
		!reflect.DeepEqual(p["Environment"], map[string]any{"Variables": map[string]any{"A": "1", "B": "3"}}) ||
		!reflect.DeepEqual(p["Layers"], []any{"g", "r"}) {
		t.Errorf("merged %v", p)
	}
	for _, c := range []struct{ src, want string }{
		{"Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Api:\n    StageName: x\nResources:\n  T: {Type: AWS::SNS::Topic}\n",
			"'Globals' section is invalid. 'StageName' is not a supported property of 'Api'."},
		{"Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: ., Runtime: nodejs20.x}\n",
			"Resource with id [Fn] is invalid. Runtime and Handler needs to be present when PackageType is of type `Zip`"},
		{"Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      {CodeUri: ., Runtime: nodejs20.x, Handler: i.h, Events: {E: {Type: Api, Properties: {Path: /x, Method: get, RestApiId: Nope}}}}\n",
			"Resource with id [Fn] is invalid. Event with id [E] is invalid. RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template."},
	} {
		if _, err := build(t, c.src, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}

// TestAssembly reads a CDK cloud assembly: stacks in dependency order, and
// asset metadata pointing a function at its asset directory.
func TestAssembly(t *testing.T) {
	stacks, err := LoadAssembly("../../e2e/testdata/cdk.out", func(w string) { t.Log(w) })
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range stacks {
		names = append(names, s.StackName)
	}
	if !reflect.DeepEqual(names, []string{"LambdaApiIntegrationOptionsStack", "integ-lambda-proxy"}) {
		t.Errorf("stacks %v", names)
	}
	doc, err := LoadFile(stacks[0].Template)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Build(doc, Options{StackName: "s", Region: "us-east-1", AccountID: "000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range st.Resources {
		order = append(order, r.ID)
	}
	dep, stage := -1, -1
	for i, id := range order {
		switch id {
		case "lambdarestapiDeployment2E401BD85ca559db3bb9b4a52bf7250ba64df032":
			dep = i
		case "lambdarestapiDeploymentStageprodA05F84EA":
			stage = i
		}
	}
	if dep < 0 || stage < dep {
		t.Errorf("order %v", order)
	}
	dir := t.TempDir()
	st, err = build(t, `{"Resources": {"Fn": {"Type": "AWS::Lambda::Function",
  "Properties": {"Code": {"S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": "abc.zip"}, "Handler": "bootstrap", "Runtime": "provided.al2023"},
  "Metadata": {"aws:asset:path": "asset.abc", "aws:asset:is-bundled": false, "aws:asset:property": "Code"}}}}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = st
	doc, _ = Parse([]byte(`{"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {},
  "Metadata": {"aws:asset:path": "asset.abc", "aws:asset:property": "Code"}}}}`))
	st, err = Build(doc, Options{StackName: "s", Region: "us-east-1", AccountID: "000000000000", AssetDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Resources[0].Code; got != filepath.Join(dir, "asset.abc") {
		t.Errorf("asset code %q", got)
	}
}

// TestSAMFixtureHTTPLambdaAuth expands SAM's fixture http_api_lambda_auth
// and compares the HTTP API, its stage, a function and a permission with
// the translator's output: the same documents.
func TestSAMFixtureHTTPLambdaAuth(t *testing.T) {
	doc, err := LoadFile("testdata/sam/http_api_lambda_auth.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc["Transform"] = SAMTransform
	res, _ := doc["Resources"].(map[string]any)
	ev := &Evaluator{Pseudo: Pseudo("s", "us-east-1", "000000000000")}
	if err := expandSAM(doc, ev, t.TempDir(), func(string) {}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/sam/http_api_lambda_auth.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	delete(want, "_source")
	for id, w := range want {
		got := res[id].(map[string]any)
		g := map[string]any{"Type": got["Type"], "Properties": got["Properties"]}
		gb, _ := json.Marshal(g)
		var gn any
		_ = json.Unmarshal(gb, &gn)
		if !reflect.DeepEqual(gn, w) {
			wb, _ := json.Marshal(w)
			t.Errorf("%s:\n got %s\nwant %s", id, gb, wb)
		}
	}
}

// TestSAMFixtureRESTAuth expands SAM's fixture api_with_auth_all_minimum
// and checks what its output (tests/translator/output/
// api_with_auth_all_minimum.json) shows: Cognito, TOKEN and REQUEST
// security definitions, the default authorizer on each method, the
// authorizer permissions and the stages.
func TestSAMFixtureRESTAuth(t *testing.T) {
	st, _ := load(t, "testdata/sam/api_with_auth_all_minimum.yaml")
	body := func(api string) map[string]any {
		return resource(st, api).Properties["Body"].(map[string]any)
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	cases := []struct{ api, scheme, want string }{
		{"MyApiWithCognitoAuth", "MyCognitoAuth", `{"in":"header","name":"Authorization","type":"apiKey","x-amazon-apigateway-authorizer":{"providerARNs":[{"Fn::GetAtt":["MyUserPool","Arn"]}],"type":"cognito_user_pools"},"x-amazon-apigateway-authtype":"cognito_user_pools"}`},
		{"MyApiWithLambdaTokenAuth", "MyLambdaTokenAuth", `{"in":"header","name":"Authorization","type":"apiKey","x-amazon-apigateway-authorizer":{"authorizerUri":{"Fn::Sub":["arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",{"__FunctionArn__":{"Fn::GetAtt":["MyAuthFn","Arn"]}}]},"type":"token"},"x-amazon-apigateway-authtype":"custom"}`},
		{"MyApiWithLambdaRequestAuth", "MyLambdaRequestAuth", `{"in":"header","name":"Unused","type":"apiKey","x-amazon-apigateway-authorizer":{"authorizerUri":{"Fn::Sub":["arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",{"__FunctionArn__":{"Fn::GetAtt":["MyAuthFn","Arn"]}}]},"identitySource":"method.request.header.Authorization1","type":"request"},"x-amazon-apigateway-authtype":"custom"}`},
	}
	for _, c := range cases {
		got := js(body(c.api)["securityDefinitions"].(map[string]any)[c.scheme])
		if got != c.want {
			t.Errorf("%s %s:\n got %s\nwant %s", c.api, c.scheme, got, c.want)
		}
	}
	get := body("MyApiWithCognitoAuth")["paths"].(map[string]any)["/cognito"].(map[string]any)["get"].(map[string]any)
	if js(get["security"]) != `[{"MyCognitoAuth":[]}]` || js(get["x-amazon-apigateway-integration"]) !=
		`{"httpMethod":"POST","type":"aws_proxy","uri":{"Fn::Sub":"arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${MyFn.Arn}/invocations"}}` {
		t.Errorf("GET /cognito: %s", js(get))
	}
	ttl := body("MyApiWithNotCachedLambdaRequestAuth")["securityDefinitions"].(map[string]any)["MyLambdaRequestAuth"].(map[string]any)["x-amazon-apigateway-authorizer"].(map[string]any)
	if js(ttl["authorizerResultTtlInSeconds"]) != "0" {
		t.Errorf("ReauthorizeEvery 0: %s", js(ttl))
	}
	for _, id := range []string{"MyApiWithLambdaTokenAuthMyLambdaTokenAuthAuthorizerPermission", "MyApiWithLambdaRequestAuthMyLambdaRequestAuthAuthorizerPermission",
		"MyApiWithCognitoAuthProdStage", "MyFnCognitoPermissionProd", "MyFnLambdaTokenPermissionProd"} {
		if resource(st, id) == nil {
			t.Errorf("no %s in %v", id, ids(st))
		}
	}
}

// TestSAMConditionalFunction: a function dropped by its Condition takes its
// routes on the implicit API with it (SAM wraps them in Fn::If).
func TestSAMConditionalFunction(t *testing.T) {
	src := `
Transform: AWS::Serverless-2016-10-31
Parameters:
  WithBeta: {Type: String, Default: "no", AllowedValues: ["yes", "no"]}
Conditions:
  Beta: !Equals [!Ref WithBeta, "yes"]
Globals:
  Function: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: .}
Resources:
  Main:
    Type: AWS::Serverless::Function
    Properties:
      Events: {Get: {Type: Api, Properties: {Path: /main, Method: get}}}
  BetaFn:
    Type: AWS::Serverless::Function
    Condition: Beta
    Properties:
      Events: {Get: {Type: Api, Properties: {Path: /beta, Method: get}}}
`
	for _, c := range []struct {
		with  string
		paths string
	}{{"no", `{"/beta":{},"/main":{"get"`}, {"yes", `{"/beta":{"get"`}} {
		st := mustBuild(t, src, map[string]string{"WithBeta": c.with})
		body, err := st.Eval.Eval(resource(st, "ServerlessRestApi").Properties["Body"])
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(body.(map[string]any)["paths"])
		if !strings.HasPrefix(string(b), c.paths) {
			t.Errorf("WithBeta=%s: paths %s", c.with, b)
		}
		if (resource(st, "BetaFn") != nil) != (c.with == "yes") {
			t.Errorf("WithBeta=%s: resources %v", c.with, ids(st))
		}
	}
}

// TestSAMDefinitions: DefinitionUri reads a local file; a user
// DefinitionBody keeps its own integrations (an Api event adds only its
// permission); AWS::Include pulls a local snippet in.
func TestSAMDefinitions(t *testing.T) {
	dir := t.TempDir()
	api := `{"swagger": "2.0", "info": {"title": "from-file", "version": "1"}, "paths": {"/f": {"get": {
  "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}}}}}}`
	if err := os.WriteFile(filepath.Join(dir, "api.json"), []byte(api), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "paths.yaml"), []byte("/inc:\n  get:\n    x-amazon-apigateway-integration: {type: mock}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `
Transform: AWS::Serverless-2016-10-31
Resources:
  FromFile:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1, DefinitionUri: api.json}
  Inline:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        swagger: "2.0"
        info: {title: inline, version: "1"}
        paths:
          Fn::Transform: {Name: AWS::Include, Parameters: {Location: paths.yaml}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: .
      Events:
        E: {Type: Api, Properties: {RestApiId: !Ref Inline, Path: /mine, Method: get}}
`
	doc, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	st, err := Build(doc, Options{StackName: "defs", Region: "us-east-1", AccountID: "000000000000", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	fromFile := resource(st, "FromFile").Properties["Body"].(map[string]any)
	if fromFile["info"].(map[string]any)["title"] != "from-file" {
		t.Errorf("DefinitionUri body %v", fromFile)
	}
	paths := resource(st, "Inline").Properties["Body"].(map[string]any)["paths"].(map[string]any)
	if _, ok := paths["/inc"]; !ok || len(paths) != 1 {
		t.Errorf("inline paths %v: want the included /inc only (a user definition carries its integrations)", paths)
	}
	if resource(st, "FnEPermissionv1") == nil {
		t.Errorf("no permission for the event: %v", ids(st))
	}
	_, err = build(t, "Transform: AWS::Serverless-2016-10-31\nResources:\n  A:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: x, DefinitionUri: s3://b/k}\n", nil)
	if err == nil || !strings.Contains(err.Error(), "Resource with id [A] is invalid.") {
		t.Errorf("S3 DefinitionUri: %v", err)
	}
}
