package httpapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/jwtauth"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got (JSON) with testdata/name, canonicalised
// (members sorted, indented), or rewrites the file with -update.
func checkGolden(t *testing.T, name string, got []byte, scrub map[string]string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", name, err, got)
	}
	v = scrubValue(v, "", scrub)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	canon := buf.Bytes()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, canon, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(canon, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, canon, want)
	}
}

// scrubValue replaces the values that change per run: members named in
// scrub (by dotted path suffix) get the fixed text; strings have the
// issuer's URL replaced.
func scrubValue(v any, path string, scrub map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if fixed, ok := scrub[k]; ok {
				x[k] = fixed
				continue
			}
			x[k] = scrubValue(c, p, scrub)
		}
	case []any:
		for i := range x {
			x[i] = scrubValue(x[i], path, scrub)
		}
	case string:
		for from, to := range scrub {
			if strings.HasPrefix(from, "http") {
				x = strings.ReplaceAll(x, from, to)
			}
		}
		return x
	}
	return v
}

// perRun are the members whose values differ on every request.
var perRun = map[string]string{"requestId": "<requestId>", "extendedRequestId": "<requestId>", "time": "<time>",
	"requestTime": "<time>", "timeEpoch": "<timeEpoch>", "requestTimeEpoch": "<timeEpoch>", "x-amzn-trace-id": "<trace>",
	"X-Amzn-Trace-Id": "<trace>", "integrationLatency": "<latency>"}

// TestGoldenEvents pins the events a function receives through the whole
// pipeline — payload 2.0 and 1.0, with no authorizer, a JWT, a Lambda and
// an IAM authorizer — and the authorizer events of both payload versions.
func TestGoldenEvents(t *testing.T) {
	iss := newIssuer(t)
	tokens, err := jwtauth.NewHTTPAPI(jwtauth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tokens.Close() })
	users, err := authz.NewUsers(region, account, []authz.User{{Name: "alice", AccessKeyID: "AKIAALICE", SecretAccessKey: "s",
		Policies: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`}}})
	if err != nil {
		t.Fatal(err)
	}
	fl := newFakeLambda()
	env := &Env{Region: region, AccountID: account, Lambda: fl, Tokens: tokens, Users: users}
	fn := func(name string) string { return "arn:aws:lambda:us-east-1:" + account + ":function:" + name }
	for _, name := range []string{"v2", "v1"} {
		fl.answer(fn(name), `{"statusCode":200,"body":"ok"}`)
	}
	for _, v := range []string{"authv2", "authv1"} {
		fl.answer(v, `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},"context":{"tier":"gold","level":3,"admin":true}}`)
	}
	a := newAPI()
	v2, v1 := a.lambda("v2", "2.0"), a.lambda("v1", "1.0")
	jwt := a.authorizer(modelv2.Authorizer{Name: "jwt", AuthorizerType: modelv2.AuthorizerJWT, IdentitySource: []string{"$request.header.Authorization"},
		JWTConfiguration: &modelv2.JWTConfiguration{Issuer: model.Ptr(iss.url), Audience: []string{"app"}}})
	lam := func(name, version string) string {
		return a.authorizer(modelv2.Authorizer{Name: name, AuthorizerType: modelv2.AuthorizerRequest,
			AuthorizerURI:                  model.Ptr("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + name + "/invocations"),
			AuthorizerPayloadFormatVersion: model.Ptr(version), IdentitySource: []string{"$request.header.X-Token", "$request.querystring.q"},
			AuthorizerResultTTLInSeconds: model.Ptr(int64(0))})
	}
	authV2, authV1 := lam("authv2", "2.0"), lam("authv1", "1.0")
	withAuth := func(typ, id string) func(*modelv2.Route) {
		return func(r *modelv2.Route) { r.AuthorizationType, r.AuthorizerID = typ, model.Ptr(id) }
	}
	a.route("POST /v2/{id}", v2)
	a.route("POST /v1/{id}", v1)
	a.route("GET /v2/jwt", v2, withAuth(modelv2.AuthJWT, jwt), func(r *modelv2.Route) { r.AuthorizationScopes = []string{"read"} })
	a.route("GET /v1/jwt", v1, withAuth(modelv2.AuthJWT, jwt))
	a.route("GET /v2/lambda/{id}", v2, withAuth(modelv2.AuthCustom, authV2))
	a.route("GET /v1/lambda/{id}", v1, withAuth(modelv2.AuthCustom, authV1))
	a.route("GET /v2/iam", v2, func(r *modelv2.Route) { r.AuthorizationType = modelv2.AuthIAM })
	a.route("$default", v2)
	door := a.stage(t, env, "dev", func(s *modelv2.Stage) { s.StageVariables = map[string]string{"backend": "blue"} })

	token := iss.token(t, map[string]any{"aud": "app", "sub": "8f2c", "scope": "read write", "cognito:groups": []string{"admin", "dev"},
		"email_verified": true, "iat": 1700000000, "exp": 4102444800, "auth_time": 1700000000})
	body := []byte(`{"name":"Rex"}`)
	common := []string{"User-Agent", "curl/8.5.0", "Accept", "*/*"}
	// Tokens are signed with a key made for the run.
	scrub := map[string]string{iss.url: "https://issuer.example/pool", "authorization": "<token>", "Authorization": "<token>"}
	for k, v := range perRun {
		scrub[k] = v
	}
	for _, c := range []struct {
		golden, fn, method, target string
		body                       []byte
		headers                    []string
	}{
		{"event-v2.json", fn("v2"), "POST", "/dev/v2/7?a=1&a=2&b=x%20y", body,
			[]string{"Content-Type", "application/json", "Cookie", "s=1; t=2", "X-Multi", "a", "X-Multi", "b"}},
		{"event-v2-binary.json", fn("v2"), "POST", "/dev/v2/8", []byte{0, 1, 2, 0xff}, []string{"Content-Type", "application/octet-stream"}},
		{"event-v2-default-route.json", fn("v2"), "GET", "/dev/anything/else", nil, nil},
		{"event-v1.json", fn("v1"), "POST", "/dev/v1/7?a=1&a=2&b=x%20y", body,
			[]string{"Content-Type", "application/json", "Cookie", "s=1; t=2", "X-Multi", "a", "X-Multi", "b"}},
		{"event-v2-jwt.json", fn("v2"), "GET", "/dev/v2/jwt", nil, []string{"Authorization", "Bearer " + token}},
		{"event-v1-jwt.json", fn("v1"), "GET", "/dev/v1/jwt", nil, []string{"Authorization", token}},
		{"event-v2-lambda-authorizer.json", fn("v2"), "GET", "/dev/v2/lambda/5?q=x", nil, []string{"X-Token", "tok"}},
		{"authorizer-event-v2.json", "authv2", "GET", "/dev/v2/lambda/5?q=x", nil, []string{"X-Token", "tok"}},
		{"event-v1-lambda-authorizer.json", fn("v1"), "GET", "/dev/v1/lambda/6?q=x", nil, []string{"X-Token", "tok"}},
		{"authorizer-event-v1.json", "authv1", "GET", "/dev/v1/lambda/6?q=x", nil, []string{"X-Token", "tok"}},
	} {
		r := do(door, c.method, c.target, c.body, append(append([]string(nil), common...), c.headers...)...)
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", c.golden, r.Code, r.BodyBuf)
		}
		fl.mu.Lock()
		evs := fl.events[c.fn]
		ev := evs[len(evs)-1]
		fl.mu.Unlock()
		checkGolden(t, c.golden, ev, scrub)
	}
	// The IAM caller: signed for execute-api with alice's key.
	r := do(door, "GET", "/dev/v2/iam", nil, signedHeaders(t, "GET", "/dev/v2/iam", "AKIAALICE", "s")...)
	if r.Code != 200 {
		t.Fatalf("iam: %d %s", r.Code, r.BodyBuf)
	}
	fl.mu.Lock()
	ev := fl.events[fn("v2")][len(fl.events[fn("v2")])-1]
	fl.mu.Unlock()
	iamScrub := map[string]string{"x-amz-date": "<date>", "x-amz-content-sha256": "<sha>"}
	for k, v := range scrub {
		iamScrub[k] = v
	}
	iamScrub["authorization"] = "<sigv4>"
	checkGolden(t, "event-v2-iam.json", ev, iamScrub)
}

// TestGoldenEventsMatchAWSCaptures: the 2.0 events the pipeline sends have
// the members of aws-lambda-go's captured events (testdata of
// github.com/aws/aws-lambda-go/events), authorizer by authorizer; member
// names inside data maps (headers, claims, context) are not compared.
func TestGoldenEventsMatchAWSCaptures(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Fatalf("locating aws-lambda-go in the module cache: %v", err)
	}
	data := map[string]bool{"headers": true, "queryStringParameters": true, "pathParameters": true, "stageVariables": true,
		"requestContext.authorizer.jwt.claims": true, "requestContext.authorizer.lambda": true, "cookies": true}
	// Members a capture may lack because its request had none, and members
	// only some requests have: a client certificate (mutual TLS), a
	// Cognito identity behind IAM credentials.
	optionalSet := map[string]bool{"body": true, "cookies": true, "queryStringParameters": true, "pathParameters": true,
		"stageVariables": true, "requestContext.authorizer.jwt.scopes": true}
	optional := func(p string) bool {
		return optionalSet[p] || strings.HasPrefix(p, "requestContext.authentication") ||
			strings.HasPrefix(p, "requestContext.authorizer.iam.cognitoIdentity.")
	}
	for _, c := range []struct{ golden, capture string }{
		{"event-v2.json", "apigw-v2-request-no-authorizer.json"},
		{"event-v2-jwt.json", "apigw-v2-request-jwt-authorizer.json"},
		{"event-v2-lambda-authorizer.json", "apigw-v2-request-lambda-authorizer.json"},
		{"event-v2-iam.json", "apigw-v2-request-iam.json"},
		{"authorizer-event-v2.json", "apigw-v2-custom-authorizer-v2-request.json"},
	} {
		var ours, theirs map[string]any
		b, err := os.ReadFile(filepath.Join("testdata", c.golden))
		if err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(b, &ours)
		b, err = os.ReadFile(filepath.Join(dir, "events", "testdata", c.capture))
		if err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(b, &theirs)
		got, want := map[string]bool{}, map[string]bool{}
		paths(ours, "", data, got)
		paths(theirs, "", data, want)
		var missing, extra []string
		for p := range want {
			if !got[p] && !optional(p) {
				missing = append(missing, p)
			}
		}
		for p := range got {
			if !want[p] && !optional(p) {
				extra = append(extra, p)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing)+len(extra) > 0 {
			t.Errorf("%s vs %s: missing %v, extra %v", c.golden, c.capture, missing, extra)
		}
	}
}

// paths lists every object member path of v; data maps are not
// descended into.
func paths(v any, prefix string, data map[string]bool, out map[string]bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, c := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		out[p] = true
		if !data[p] {
			paths(c, p, data, out)
		}
	}
}

// TestGoldenAnswers pins the gateway's own answers: status, content-type
// and body of each [D][C].
func TestGoldenAnswers(t *testing.T) {
	fl := newFakeLambda()
	fl.answer("arn:aws:lambda:us-east-1:"+account+":function:bad", `not json`)
	env := &Env{Lambda: fl, Throttling: &throttle.Throttling{Limiter: ratelimit.NewMemory()}}
	a := newAPI()
	in := a.lambda("bad", "2.0")
	a.route("GET /bad", in)
	a.route("GET /jwt", in, func(r *modelv2.Route) {
		r.AuthorizationType, r.AuthorizerID = modelv2.AuthJWT, model.Ptr(a.authorizer(modelv2.Authorizer{Name: "j",
			AuthorizerType: modelv2.AuthorizerJWT, IdentitySource: []string{"$request.header.Authorization"},
			JWTConfiguration: &modelv2.JWTConfiguration{Issuer: model.Ptr("https://issuer.example"), Audience: []string{"a"}}}))
	})
	a.route("GET /iam", in, func(r *modelv2.Route) { r.AuthorizationType = modelv2.AuthIAM })
	a.route("GET /throttled", in)
	slow := model.Double(0.001)
	door := a.stage(t, env, "$default", func(s *modelv2.Stage) {
		s.RouteSettings["GET /throttled"] = modelv2.RouteSettings{ThrottlingBurstLimit: model.Ptr(int64(0)), ThrottlingRateLimit: &slow}
	})
	type answer struct {
		Status      int               `json:"status"`
		Headers     map[string]string `json:"headers"`
		Body        string            `json:"body"`
		Description string            `json:"case"`
	}
	var answers []answer
	for _, c := range []struct{ what, method, target string }{
		{"no route", "GET", "/nothing"},
		{"missing JWT", "GET", "/jwt"},
		{"unsigned IAM route", "GET", "/iam"},
		{"throttled", "GET", "/throttled"},
		{"unreadable Lambda answer", "GET", "/bad"},
	} {
		r := do(door, c.method, c.target, nil)
		h := map[string]string{}
		for k := range r.Headers {
			switch strings.ToLower(k) {
			case "apigw-requestid", "x-amzn-requestid":
				if r.Headers.Get(k) != r.Headers.Get("apigw-requestid") {
					t.Errorf("%s: %s %q differs from apigw-requestid %q", c.what, k, r.Headers.Get(k), r.Headers.Get("apigw-requestid"))
				}
				h[strings.ToLower(k)] = "<requestId>"
			default:
				h[strings.ToLower(k)] = r.Headers.Get(k)
			}
		}
		answers = append(answers, answer{r.Code, h, string(r.BodyBuf), c.what})
	}
	b, _ := json.Marshal(answers)
	checkGolden(t, "answers.json", b, nil)
}

// signedHeaders are the headers of a request signed for execute-api.
func signedHeaders(t *testing.T, method, path, key, secret string) []string {
	t.Helper()
	r := signedRequest(t, method, path, key, secret)
	var out []string
	for k, vs := range r.Header {
		for _, v := range vs {
			out = append(out, k, v)
		}
	}
	return out
}

var _ invoker.Lambda = (*fakeLambda)(nil)
