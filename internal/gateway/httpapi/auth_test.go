package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/jwtauth"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// issuer is a local OIDC issuer: discovery, JWKS, RS256 tokens.
type issuer struct {
	url string
	key *rsa.PrivateKey
}

func newIssuer(t testing.TB) *issuer {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := jwk.Import(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	_ = pub.Set(jwk.KeyIDKey, "k1")
	_ = pub.Set(jwk.AlgorithmKey, jwa.RS256())
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	jwks, _ := json.Marshal(set)
	iss := &issuer{key: priv}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss.url = srv.URL + "/pool"
	mux.HandleFunc("/pool/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss.url, "jwks_uri": iss.url + "/jwks"})
	})
	mux.HandleFunc("/pool/jwks", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(jwks) })
	return iss
}

// token signs claims, adding iss, iat and exp unless given.
func (i *issuer) token(t testing.TB, claims map[string]any) string {
	t.Helper()
	now := time.Now().Unix()
	full := map[string]any{"iss": i.url, "iat": now - 10, "exp": now + 3600}
	for k, v := range claims {
		if v == nil {
			delete(full, k)
			continue
		}
		full[k] = v
	}
	payload, _ := json.Marshal(full)
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.KeyIDKey, "k1")
	out, err := jws.Sign(payload, jws.WithKey(jwa.RS256(), i.key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestJWTAuthorizer: the identity source's token (bare or "Bearer") is
// verified against the issuer; a missing, expired, foreign-audience or
// badly signed token is 401 with www-authenticate; a valid token without
// one of the route's scopes is 403; the claims, stringified, reach the
// 2.0 event (authorizer.jwt) and $context.authorizer.claims.* [D].
func TestJWTAuthorizer(t *testing.T) {
	iss := newIssuer(t)
	tokens, err := jwtauth.NewHTTPAPI(jwtauth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tokens.Close() })
	env, fl := echoEnv()
	env.Tokens = tokens
	a := newAPI()
	in := a.lambda("echo", "2.0")
	au := a.authorizer(modelv2.Authorizer{Name: "jwt", AuthorizerType: modelv2.AuthorizerJWT,
		IdentitySource:   []string{"$request.header.Authorization"},
		JWTConfiguration: &modelv2.JWTConfiguration{Issuer: model.Ptr(iss.url), Audience: []string{"app"}}})
	jwtRoute := func(r *modelv2.Route) { r.AuthorizationType, r.AuthorizerID = modelv2.AuthJWT, model.Ptr(au) }
	a.route("GET /open", in, jwtRoute)
	a.route("GET /admin", in, jwtRoute, func(r *modelv2.Route) { r.AuthorizationScopes = []string{"admin", "root"} })
	qa := a.authorizer(modelv2.Authorizer{Name: "q", AuthorizerType: modelv2.AuthorizerJWT,
		IdentitySource:   []string{"$request.querystring.token"},
		JWTConfiguration: &modelv2.JWTConfiguration{Issuer: model.Ptr(iss.url), Audience: []string{"app"}}})
	a.route("GET /q", in, func(r *modelv2.Route) { r.AuthorizationType, r.AuthorizerID = modelv2.AuthJWT, model.Ptr(qa) })
	door := a.stage(t, env, "$default")
	fn := "arn:aws:lambda:us-east-1:" + account + ":function:echo"

	good := iss.token(t, map[string]any{"aud": "app", "sub": "u1", "scope": "read admin", "groups": []string{"a", "b"}, "n": 3})
	for _, c := range []struct {
		what, path, auth string
		status           int
		body, www        string
	}{
		{"no token", "/open", "", 401, `{"message":"Unauthorized"}`, "Bearer"},
		{"garbage", "/open", "Bearer x.y.z", 401, `{"message":"Unauthorized"}`, `Bearer scope="" error="invalid_token" error_description="the token is malformed"`},
		{"other audience", "/open", iss.token(t, map[string]any{"aud": "other"}), 401, `{"message":"Unauthorized"}`,
			`Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`},
		{"expired", "/open", iss.token(t, map[string]any{"aud": "app", "exp": time.Now().Unix() - 5}), 401, `{"message":"Unauthorized"}`, ""},
		{"client_id without aud", "/open", "Bearer " + iss.token(t, map[string]any{"client_id": "app"}), 200, "", ""},
		{"no scope", "/admin", iss.token(t, map[string]any{"aud": "app", "scope": "read"}), 403, `{"message":"Forbidden"}`, ""},
		{"scope", "/admin", "Bearer " + good, 200, "", ""},
	} {
		var hdrs []string
		if c.auth != "" {
			hdrs = []string{"Authorization", c.auth}
		}
		r := do(door, "GET", c.path, nil, hdrs...)
		if r.Code != c.status || (c.body != "" && string(r.BodyBuf) != c.body) {
			t.Errorf("%s: %d %s, want %d %s", c.what, r.Code, r.BodyBuf, c.status, c.body)
		}
		if c.www != "" && r.Headers.Get("www-authenticate") != c.www {
			t.Errorf("%s: www-authenticate %q, want %q", c.what, r.Headers.Get("www-authenticate"), c.www)
		}
	}
	// The identity source reads the header as mappings do: any case, and
	// a header sent twice is its values joined with "," (not a token).
	if r := do(door, "GET", "/admin", nil, "aUTHORIZATION", "Bearer "+good); r.Code != 200 {
		t.Errorf("header name in another case: %d %s", r.Code, r.BodyBuf)
	}
	if r := do(door, "GET", "/admin", nil, "Authorization", good, "Authorization", good); r.Code != 401 ||
		!strings.Contains(r.Headers.Get("www-authenticate"), "malformed") {
		t.Errorf("token sent twice: %d %s %q", r.Code, r.BodyBuf, r.Headers.Get("www-authenticate"))
	}
	n := fl.calls(fn)
	do(door, "GET", "/q?token="+good, nil)
	if fl.calls(fn) != n+1 {
		t.Error("a token in the query string was refused")
	}
	ev := fl.lastEvent(t, fn)
	jwt := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["jwt"].(map[string]any)
	claims := jwt["claims"].(map[string]any)
	if claims["sub"] != "u1" || claims["n"] != "3" || claims["groups"] != "[a b]" || claims["aud"] != "app" ||
		strings.Join(toStrings(jwt["scopes"]), " ") != "read admin" {
		t.Errorf("authorizer.jwt: %v", jwt)
	}
}

func toStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// lambdaAuthAPI is an API whose routes are guarded by a Lambda authorizer
// of the given configuration; the function "auth" decides by the
// "x-token" header value (allow, deny, unauthorized, error, garbage).
func lambdaAuthAPI(t *testing.T, au modelv2.Authorizer) (*api, *fakeLambda, *Env) {
	env, fl := echoEnv()
	fl.handle("auth", func(ev []byte) (invoker.Result, error) {
		var e struct {
			Version  string            `json:"version"`
			Headers  map[string]string `json:"headers"`
			RouteArn string            `json:"routeArn"`
			Method   string            `json:"methodArn"`
		}
		_ = json.Unmarshal(ev, &e)
		tok := e.Headers["x-token"]
		if tok == "" {
			tok = e.Headers["X-Token"]
		}
		arn := e.RouteArn + e.Method
		ctx := `{"user":"u1","n":1,"ok":true}`
		switch tok {
		case "allow":
			if au.EnableSimpleResponses != nil && *au.EnableSimpleResponses {
				return invoker.Result{Payload: []byte(`{"isAuthorized":true,"context":` + ctx + `}`)}, nil
			}
			return invoker.Result{Payload: []byte(`{"principalId":"p1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + arn + `"}]},"context":` + ctx + `}`)}, nil
		case "deny":
			if au.EnableSimpleResponses != nil && *au.EnableSimpleResponses {
				return invoker.Result{Payload: []byte(`{"isAuthorized":false}`)}, nil
			}
			return invoker.Result{Payload: []byte(`{"principalId":"p1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"*"}]}}`)}, nil
		case "unauthorized":
			return invoker.Result{Payload: []byte(`{"errorMessage":"Unauthorized"}`), FunctionError: "Unhandled"}, nil
		case "error":
			return invoker.Result{Payload: []byte(`{"errorMessage":"boom"}`), FunctionError: "Unhandled"}, nil
		}
		return invoker.Result{Payload: []byte(`{"nonsense":1}`)}, nil
	})
	a := newAPI()
	in := a.lambda("echo", "2.0")
	au.Name, au.AuthorizerType, au.AuthorizerURI = "l", modelv2.AuthorizerRequest,
		model.Ptr("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/auth/invocations")
	id := a.authorizer(au)
	guarded := func(r *modelv2.Route) { r.AuthorizationType, r.AuthorizerID = modelv2.AuthCustom, model.Ptr(id) }
	a.route("GET /pets/{id}", in, guarded)
	a.route("POST /pets", in, guarded)
	return a, fl, env
}

// TestLambdaAuthorizer: simple and IAM-policy answers, payload 2.0 and
// 1.0; a missing identity source is 401 without invoking; "Unauthorized"
// is 401, a denial 403, other failures 500; the context reaches the 2.0
// event as authorizer.lambda with its types; results are cached by the
// identity sources' values for every route [D][L].
func TestLambdaAuthorizer(t *testing.T) {
	for _, c := range []struct {
		name    string
		version string
		simple  bool
	}{{"2.0 simple", "2.0", true}, {"2.0 policy", "2.0", false}, {"1.0 policy", "1.0", false}} {
		t.Run(c.name, func(t *testing.T) {
			a, fl, env := lambdaAuthAPI(t, modelv2.Authorizer{AuthorizerPayloadFormatVersion: model.Ptr(c.version),
				EnableSimpleResponses: model.Ptr(c.simple), IdentitySource: []string{"$request.header.X-Token"},
				AuthorizerResultTTLInSeconds: model.Ptr(int64(0))})
			door := a.stage(t, env, "$default")
			expect(t, "missing identity", do(door, "GET", "/pets/1", nil), 401, `{"message":"Unauthorized"}`)
			if fl.calls("auth") != 0 {
				t.Errorf("the authorizer ran without its identity source")
			}
			expect(t, "deny", do(door, "GET", "/pets/1", nil, "X-Token", "deny"), 403, `{"message":"Forbidden"}`)
			expect(t, "unauthorized", do(door, "GET", "/pets/1", nil, "X-Token", "unauthorized"), 401, `{"message":"Unauthorized"}`)
			expect(t, "error", do(door, "GET", "/pets/1", nil, "X-Token", "error"), 500, `{"message":"Internal Server Error"}`)
			expect(t, "garbage", do(door, "GET", "/pets/1", nil, "X-Token", "garbage"), 500, `{"message":"Internal Server Error"}`)
			r := do(door, "GET", "/pets/1", nil, "X-Token", "allow")
			if r.Code != 200 {
				t.Fatalf("allow: %d %s", r.Code, r.BodyBuf)
			}
			ev := fl.lastEvent(t, "auth")
			if c.version == "2.0" {
				if ev["type"] != "REQUEST" || ev["routeArn"] != "arn:aws:execute-api:us-east-1:"+account+":"+testAPI+"/$default/GET/pets/1" ||
					strings.Join(toStrings(ev["identitySource"]), ",") != "allow" || ev["routeKey"] != "GET /pets/{id}" {
					t.Errorf("2.0 authorizer event: %v", ev)
				}
			} else if ev["version"] != "1.0" || ev["methodArn"] != "arn:aws:execute-api:us-east-1:"+account+":"+testAPI+"/$default/GET/pets/1" ||
				ev["identitySource"] != "allow" || ev["authorizationToken"] != "allow" || ev["resource"] != "/pets/{id}" {
				t.Errorf("1.0 authorizer event: %v", ev)
			}
			integ := fl.lastEvent(t, "arn:aws:lambda:us-east-1:"+account+":function:echo")
			lam := integ["requestContext"].(map[string]any)["authorizer"].(map[string]any)["lambda"].(map[string]any)
			if lam["user"] != "u1" || lam["n"] != float64(1) || lam["ok"] != true {
				t.Errorf("authorizer.lambda: %v", lam)
			}
		})
	}
}

// TestLambdaAuthorizerCache: with a TTL, one invocation serves every
// route for the same identity values (a policy answer is evaluated against
// each request's ARN, so one allowing a single route denies the next);
// other values invoke again; the stage's cache can be flushed.
func TestLambdaAuthorizerCache(t *testing.T) {
	a, fl, env := lambdaAuthAPI(t, modelv2.Authorizer{AuthorizerPayloadFormatVersion: model.Ptr("2.0"),
		EnableSimpleResponses: model.Ptr(true), IdentitySource: []string{"$request.header.X-Token", "$request.querystring.q"},
		AuthorizerResultTTLInSeconds: model.Ptr(int64(300))})
	door := a.stage(t, env, "$default")
	for i, p := range []string{"/pets/1?q=a", "/pets/2?q=a", "/pets/3?q=a"} {
		if r := do(door, "GET", p, nil, "X-Token", "allow"); r.Code != 200 {
			t.Fatalf("%s: %d", p, r.Code)
		}
		if fl.calls("auth") != 1 {
			t.Fatalf("request %d: %d invocations, want 1 (cached)", i, fl.calls("auth"))
		}
	}
	if do(door, "POST", "/pets?q=b", nil, "X-Token", "allow"); fl.calls("auth") != 2 {
		t.Errorf("other identity values: %d invocations, want 2", fl.calls("auth"))
	}
	expect(t, "missing query source", do(door, "GET", "/pets/1", nil, "X-Token", "allow"), 401, `{"message":"Unauthorized"}`)
	if err := door.Lookup(testAPI, "$default").(*Stage).AuthCache.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if do(door, "GET", "/pets/1?q=a", nil, "X-Token", "allow"); fl.calls("auth") != 3 {
		t.Errorf("after a flush: %d invocations, want 3", fl.calls("auth"))
	}

	// Policy answers are cached too, and evaluated per request.
	a, fl, env = lambdaAuthAPI(t, modelv2.Authorizer{AuthorizerPayloadFormatVersion: model.Ptr("2.0"),
		IdentitySource: []string{"$request.header.X-Token"}, AuthorizerResultTTLInSeconds: model.Ptr(int64(300))})
	door = a.stage(t, env, "$default")
	if r := do(door, "GET", "/pets/1", nil, "X-Token", "allow"); r.Code != 200 {
		t.Fatalf("first route: %d %s", r.Code, r.BodyBuf)
	}
	expect(t, "another route, cached policy", do(door, "GET", "/pets/2", nil, "X-Token", "allow"), 403, `{"message":"Forbidden"}`)
	if fl.calls("auth") != 1 {
		t.Errorf("policy cache: %d invocations, want 1", fl.calls("auth"))
	}
}

// TestIAMAuthorizer: AWS_IAM routes need a SigV4 signature (execute-api)
// of a known user whose policies allow the request's ARN; anything else
// is 403; the caller reaches the 2.0 event as authorizer.iam [D][L].
func TestIAMAuthorizer(t *testing.T) {
	users, err := authz.NewUsers(region, account, []authz.User{
		{Name: "alice", AccessKeyID: "AKIAALICE", SecretAccessKey: "secret-a", Policies: []string{
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:` + account + `:` + testAPI + `/*/GET/pets/*"}]}`}},
		{Name: "bob", AccessKeyID: "AKIABOB", SecretAccessKey: "secret-b", AccountID: "999999999999", Policies: []string{
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`}},
	})
	if err != nil {
		t.Fatal(err)
	}
	env, fl := echoEnv()
	env.Users = users
	a := newAPI()
	in := a.lambda("echo", "2.0")
	iam := func(r *modelv2.Route) { r.AuthorizationType = modelv2.AuthIAM }
	a.route("GET /pets/{id}", in, iam)
	a.route("GET /admin", in, iam)
	door := a.stage(t, env, "$default")
	signedDo := func(path, key, secret string) *gatewaytest.Response {
		return do(door, "GET", path, nil, signedHeaders(t, "GET", path, key, secret)...)
	}
	expect(t, "unsigned", do(door, "GET", "/pets/1", nil), 403, `{"message":"Forbidden"}`)
	expect(t, "wrong secret", signedDo("/pets/1", "AKIAALICE", "nope"), 403, `{"message":"Forbidden"}`)
	expect(t, "unknown key", signedDo("/pets/1", "AKIANOBODY", "x"), 403, `{"message":"Forbidden"}`)
	expect(t, "not allowed", signedDo("/admin", "AKIAALICE", "secret-a"), 403, `{"message":"Forbidden"}`)
	expect(t, "other account", signedDo("/pets/1", "AKIABOB", "secret-b"), 403, `{"message":"Forbidden"}`)
	if r := signedDo("/pets/1", "AKIAALICE", "secret-a"); r.Code != 200 {
		t.Fatalf("allowed: %d %s", r.Code, r.BodyBuf)
	}
	ev := fl.lastEvent(t, "arn:aws:lambda:us-east-1:"+account+":function:echo")
	iamCtx := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["iam"].(map[string]any)
	if iamCtx["accessKey"] != "AKIAALICE" || iamCtx["accountId"] != account || iamCtx["userArn"] != "arn:aws:iam::"+account+":user/alice" {
		t.Errorf("authorizer.iam: %v", iamCtx)
	}
}

// signedRequest is a request to the test host signed (SigV4, execute-api)
// with aws-sdk-go-v2's signer.
func signedRequest(t *testing.T, method, path, key, secret string) *http.Request {
	t.Helper()
	hr, _ := http.NewRequest(method, "http://"+testHost+path, nil)
	sum := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		hr, hex.EncodeToString(sum[:]), "execute-api", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return hr
}

// TestCacheKey: identity values cannot be chosen to spell another set's
// cache key.
func TestCacheKey(t *testing.T) {
	seen := map[string][]string{}
	for _, vs := range [][]string{{"a\x00b", "c"}, {"a", "b\x00c"}, {"ab", "c"}, {"a", "bc"}, {"1:a", ""}, {"", "1:a"}} {
		k := cacheKey("au1", vs)
		if prev, dup := seen[k]; dup {
			t.Errorf("%q and %q share the key %q", prev, vs, k)
		}
		seen[k] = vs
	}
}
