package access_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate/tollgate/internal/deploy"
	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/rest/access"
	"github.com/tollgate/tollgate/internal/model"
)

const (
	region  = "us-east-1"
	account = "123456789012"
	apiID   = "abc123defg"
	host    = apiID + ".execute-api.localhost"
)

// fakeAuthorizer answers as a Lambda authorizer whose policy effect is the
// token: "Allow", "Deny" or "neither" (a statement for another resource).
type fakeAuthorizer struct{ calls int }

func (f *fakeAuthorizer) Invoke(_ context.Context, _ string, payload []byte) (invoker.Result, error) {
	f.calls++
	var ev struct {
		AuthorizationToken string `json:"authorizationToken"`
		MethodArn          string `json:"methodArn"`
	}
	_ = json.Unmarshal(payload, &ev)
	effect, resource := ev.AuthorizationToken, ev.MethodArn
	if effect == "neither" {
		effect, resource = "Allow", "arn:aws:execute-api:"+region+":"+account+":"+apiID+"/other/GET/x"
	}
	out, _ := json.Marshal(map[string]any{
		"principalId": "p",
		"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}}},
	})
	return invoker.Result{Payload: out}, nil
}

// resourcePolicy returns a resource policy whose decision for
// GET /dev/pets is want ("Allow", "Deny", "neither", "" for none).
func resourcePolicy(want string) *string {
	var stmt string
	switch want {
	case "":
		return nil
	case "Allow":
		stmt = `{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}`
	case "Deny":
		stmt = `{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}`
	case "neither":
		stmt = `{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/other/*"}`
	}
	s := `{"Version":"2012-10-17","Statement":[` + stmt + `]}`
	return &s
}

// identityPolicy is an IAM user's policy with decision want.
func identityPolicy(want string) []string {
	switch want {
	case "Allow":
		return []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*"}]}`}
	case "Deny":
		return []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:*","Resource":"*"}]}`}
	}
	return nil
}

// serve builds a one-method API (GET /pets, MOCK 200) with the given
// authorization and resource policy and answers one request.
func serve(t *testing.T, authType string, rp *string, users []authz.User, req *gatewaytest.Request) *gatewaytest.Response {
	t.Helper()
	mock := &model.Integration{Type: "MOCK", RequestTemplates: map[string]*string{"application/json": model.Ptr(`{"statusCode": 200}`)},
		IntegrationResponses: map[string]*model.IntegrationResponse{"200": {StatusCode: "200",
			ResponseTemplates: map[string]*string{"application/json": model.Ptr(`{"ok":true}`)}}}}
	m := &model.Method{HTTPMethod: "GET", AuthorizationType: authType, MethodIntegration: mock}
	snap := &model.Snapshot{API: model.RestApi{ID: apiID, Name: "t", Policy: rp, ApiKeySource: "HEADER"}}
	if authType == "CUSTOM" {
		m.AuthorizerID = model.Ptr("auth1")
		snap.Authorizers = []model.Authorizer{{ID: "auth1", Name: "a", Type: "TOKEN",
			AuthorizerURI:                model.Ptr("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"),
			IdentitySource:               model.Ptr("method.request.header.Authorization"),
			AuthorizerResultTTLInSeconds: model.Ptr[int64](0)}}
	}
	snap.Resources = []model.Resource{
		{ID: "root", Path: "/"},
		{ID: "pets", Path: "/pets", ParentID: "root", PathPart: "pets", ResourceMethods: map[string]*model.Method{"GET": m}},
	}
	iam, err := authz.NewUsers(region, account, users)
	if err != nil {
		t.Fatal(err)
	}
	c := &deploy.Compiler{Env: &rest.Env{AccountID: account}, Lambda: &fakeAuthorizer{}, Access: &access.Compiler{Region: region, AccountID: account, Lambda: &fakeAuthorizer{}, Users: iam}}
	d, err := c.CompileDeployment("dep1", snap)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.CompileStage(&model.Stage{StageName: "dev"}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	door := &front.Door{}
	door.Set(apiID, "dev", st)
	h := door
	resp := gatewaytest.NewResponse()
	h.Serve(context.Background(), req, resp)
	return resp
}

const (
	explicitAuthorizer = `{"Message":"User is not authorized to access this resource with an explicit deny"}`
	implicitAuthorizer = `{"Message":"User is not authorized to access this resource"}`
	arnMasked          = "arn:aws:execute-api:us-east-1:********9012:" + apiID + "/dev/GET/pets"
	explicitAnonymous  = `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: ` + arnMasked + ` with an explicit deny"}`
	implicitAnonymous  = `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: ` + arnMasked + `"}`
)

func check(t *testing.T, name string, resp *gatewaytest.Response, status int, body string) {
	t.Helper()
	if resp.Code != status || string(resp.Body()) != body {
		t.Errorf("%s: got %d %s, want %d %s", name, resp.Code, resp.Body(), status, body)
	}
	if status == 403 && resp.Headers.Get("x-amzn-ErrorType") != "AccessDeniedException" {
		t.Errorf("%s: x-amzn-ErrorType %q", name, resp.Headers.Get("x-amzn-ErrorType"))
	}
}

// TestOutcomeNoAuthorization: with authorizationType NONE a resource
// policy must allow explicitly (reference §8.2).
func TestOutcomeNoAuthorization(t *testing.T) {
	for _, c := range []struct {
		rp     string
		status int
		body   string
	}{
		{"", 200, `{"ok":true}`},
		{"Allow", 200, `{"ok":true}`},
		{"neither", 403, implicitAnonymous},
		{"Deny", 403, explicitAnonymous},
	} {
		resp := serve(t, "NONE", resourcePolicy(c.rp), nil, gatewaytest.NewRequest("GET", host, "/dev/pets", nil))
		check(t, "NONE × resource policy "+c.rp, resp, c.status, c.body)
	}
}

// TestOutcomeLambdaAuthorizer is Table A for a Lambda authorizer: a
// resource-policy Deny answers before the authorizer runs.
func TestOutcomeLambdaAuthorizer(t *testing.T) {
	for _, c := range []struct {
		identity, rp string
		status       int
		body         string
	}{
		{"Allow", "", 200, `{"ok":true}`},
		{"neither", "", 403, implicitAuthorizer},
		{"Deny", "", 403, explicitAuthorizer},
		{"Allow", "Allow", 200, `{"ok":true}`},
		{"Allow", "neither", 200, `{"ok":true}`},
		{"Allow", "Deny", 403, explicitAnonymous},
		{"neither", "Allow", 200, `{"ok":true}`},
		{"neither", "neither", 403, implicitAuthorizer},
		{"neither", "Deny", 403, explicitAnonymous},
		{"Deny", "Allow", 403, explicitAuthorizer},
		{"Deny", "neither", 403, explicitAuthorizer},
		{"Deny", "Deny", 403, explicitAnonymous},
	} {
		req := gatewaytest.NewRequest("GET", host, "/dev/pets", nil, "Authorization", c.identity)
		resp := serve(t, "CUSTOM", resourcePolicy(c.rp), nil, req)
		check(t, "authorizer "+c.identity+" × resource policy "+c.rp, resp, c.status, c.body)
	}
}

// signed returns GET /dev/pets signed (SigV4, execute-api) with key/secret.
func signed(t *testing.T, key, secret string) *gatewaytest.Request {
	t.Helper()
	hr, _ := http.NewRequest("GET", "http://"+host+"/dev/pets", nil)
	sum := sha256.Sum256(nil)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		hr, hex.EncodeToString(sum[:]), "execute-api", region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var hdrs []string
	for k, vs := range hr.Header {
		for _, v := range vs {
			hdrs = append(hdrs, k, v)
		}
	}
	return gatewaytest.NewRequest("GET", host, "/dev/pets", nil, hdrs...)
}

// TestOutcomeIAM is Table A (same account) and Table B (cross account) for
// AWS_IAM methods, plus the authentication failures.
func TestOutcomeIAM(t *testing.T) {
	userARN := func(acct string) string { return "arn:aws:iam::" + acct + ":user/alice" }
	msg := func(acct string, explicit bool) string {
		m := `{"Message":"User: ` + userARN(acct) + ` is not authorized to perform: execute-api:Invoke on resource: ` + arnMasked
		if explicit {
			m += ` with an explicit deny`
		}
		return m + `"}`
	}
	for _, c := range []struct {
		acct, identity, rp string
		status             int
		explicit           bool
	}{
		{account, "Allow", "", 200, false},
		{account, "neither", "", 403, false},
		{account, "Deny", "", 403, true},
		// Table A.
		{account, "Allow", "Allow", 200, false},
		{account, "Allow", "neither", 200, false},
		{account, "Allow", "Deny", 403, true},
		{account, "neither", "Allow", 200, false},
		{account, "neither", "neither", 403, false},
		{account, "neither", "Deny", 403, true},
		{account, "Deny", "Allow", 403, true},
		{account, "Deny", "neither", 403, true},
		{account, "Deny", "Deny", 403, true},
		// Table B.
		{"999999999999", "Allow", "Allow", 200, false},
		{"999999999999", "Allow", "neither", 403, false},
		{"999999999999", "neither", "Allow", 403, false},
		{"999999999999", "neither", "neither", 403, false},
		{"999999999999", "Deny", "Allow", 403, true},
		{"999999999999", "Allow", "Deny", 403, true},
	} {
		users := []authz.User{{Name: "alice", AccountID: c.acct, AccessKeyID: "AKIDALICE", SecretAccessKey: "secret", Policies: identityPolicy(c.identity)}}
		resp := serve(t, "AWS_IAM", resourcePolicy(c.rp), users, signed(t, "AKIDALICE", "secret"))
		body := `{"ok":true}`
		if c.status == 403 {
			body = msg(c.acct, c.explicit)
		}
		check(t, "IAM "+c.acct+" "+c.identity+" × resource policy "+c.rp, resp, c.status, body)
	}

	users := []authz.User{{Name: "alice", AccessKeyID: "AKIDALICE", SecretAccessKey: "secret", Policies: identityPolicy("Allow")}}
	resp := serve(t, "AWS_IAM", nil, users, gatewaytest.NewRequest("GET", host, "/dev/pets", nil))
	if resp.Code != 403 || string(resp.Body()) != `{"message":"Missing Authentication Token"}` {
		t.Errorf("unsigned: %d %s", resp.Code, resp.Body())
	}
	resp = serve(t, "AWS_IAM", nil, users, signed(t, "AKIDALICE", "wrong"))
	if resp.Code != 403 || !strings.Contains(string(resp.Body()), "The request signature we calculated does not match") ||
		resp.Headers.Get("x-amzn-ErrorType") != "InvalidSignatureException" {
		t.Errorf("bad secret: %d %s %v", resp.Code, resp.Body(), resp.Headers)
	}
	resp = serve(t, "AWS_IAM", nil, users, signed(t, "AKIDUNKNOWN", "secret"))
	if resp.Code != 403 || string(resp.Body()) != `{"message":"The security token included in the request is invalid."}` {
		t.Errorf("unknown key: %d %s", resp.Code, resp.Body())
	}
}
