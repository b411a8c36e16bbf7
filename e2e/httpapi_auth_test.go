package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// route creates a route to integration with the AWS CLI (extra: further
// create-route arguments) and returns its id.
func (h *httpAPI) route(t *testing.T, key, integration string, extra ...string) string {
	t.Helper()
	args := append([]string{"create-route", "--api-id", h.ID, "--route-key", key, "--target", "integrations/" + integration}, extra...)
	return h.cli.obj(args...)["RouteId"].(string)
}

// lambdaIntegration creates an AWS_PROXY integration to a local function.
func (h *httpAPI) lambdaIntegration(t *testing.T, fn, version string) string {
	t.Helper()
	return h.cli.obj("create-integration", "--api-id", h.ID, "--integration-type", "AWS_PROXY",
		"--integration-uri", "arn:aws:lambda:us-east-1:000000000000:function:"+fn,
		"--payload-format-version", version)["IntegrationId"].(string)
}

// autoDeploy creates the auto-deploying $default stage.
func (h *httpAPI) autoDeploy(t *testing.T) {
	t.Helper()
	h.cli.obj("create-stage", "--api-id", h.ID, "--stage-name", "$default", "--auto-deploy")
}

// event decodes the httpv2 function's answer: the 2.0 event as
// aws-lambda-go's types hold it.
func event(t *testing.T, r result) map[string]any {
	t.Helper()
	var ev map[string]any
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &ev) != nil {
		t.Fatalf("not an event: %s", r)
	}
	return ev
}

// authorizerOf returns requestContext.authorizer of an event.
func authorizerOf(ev map[string]any) map[string]any {
	a, _ := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)
	return a
}

// TestHTTPAPIAuthorizers: JWT authorizers against a local OIDC issuer
// signing real tokens (scopes per route, 401/403 and www-authenticate,
// claims in the event), Lambda REQUEST authorizers of payload 2.0 (simple
// and policy answers) and 1.0 written with aws-lambda-go (identity
// sources, caching, context in the event), and AWS_IAM routes called with
// aws-sdk-go-v2's SigV4 signer; all set up with the AWS CLI v2.
func TestHTTPAPIAuthorizers(t *testing.T) {
	requireAWSCLI(t)
	iss := newOIDCIssuer(t)
	flags := append(functionFlag(t, "fn", "httpv2"), functionFlag(t, "auth", "httpauth")...)
	dp := startDataPlane(t, "", append(flags, "--config", iamConfig(t))...)
	c := newCLI(t, dp.Gateway).v2()
	api := dp.newHTTPAPI(t, c, "guarded")
	fn := api.lambdaIntegration(t, "fn", "2.0")

	jwtID := c.obj("create-authorizer", "--api-id", api.ID, "--name", "jwt", "--authorizer-type", "JWT",
		"--identity-source", "$request.header.Authorization",
		"--jwt-configuration", "Audience=app,Issuer="+iss.URL)["AuthorizerId"].(string)
	api.route(t, "GET /me", fn, "--authorization-type", "JWT", "--authorizer-id", jwtID)
	api.route(t, "DELETE /me", fn, "--authorization-type", "JWT", "--authorizer-id", jwtID, "--authorization-scopes", "admin")

	authURI := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"
	simpleID := c.obj("create-authorizer", "--api-id", api.ID, "--name", "simple", "--authorizer-type", "REQUEST",
		"--authorizer-uri", authURI, "--authorizer-payload-format-version", "2.0", "--enable-simple-responses",
		"--identity-source", "$request.header.X-Token", "--authorizer-result-ttl-in-seconds", "300")["AuthorizerId"].(string)
	api.route(t, "GET /simple/{id}", fn, "--authorization-type", "CUSTOM", "--authorizer-id", simpleID)
	api.route(t, "POST /simple", fn, "--authorization-type", "CUSTOM", "--authorizer-id", simpleID)
	policyID := c.obj("create-authorizer", "--api-id", api.ID, "--name", "policy", "--authorizer-type", "REQUEST",
		"--authorizer-uri", authURI, "--authorizer-payload-format-version", "1.0",
		"--identity-source", "$request.querystring.token", "--authorizer-result-ttl-in-seconds", "0")["AuthorizerId"].(string)
	api.route(t, "GET /policy", fn, "--authorization-type", "CUSTOM", "--authorizer-id", policyID)
	api.route(t, "GET /iam/{id}", fn, "--authorization-type", "AWS_IAM")
	api.autoDeploy(t)
	api.waitFor(t, "/me", nil, 401)

	t.Run("jwt", func(t *testing.T) {
		bearer := func(claims map[string]any) http.Header {
			return http.Header{"Authorization": {"Bearer " + iss.token(t, claims)}}
		}
		r := api.send(t, "GET", "/me", nil, "")
		expect(t, "no token", r, 401, `{"message":"Unauthorized"}`)
		if r.Header.Get("Www-Authenticate") != "Bearer" || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Apigw-Requestid") == "" {
			t.Errorf("no token: headers %v", r.Header)
		}
		r = api.send(t, "GET", "/me", bearer(map[string]any{"aud": "web"}), "")
		expect(t, "wrong audience", r, 401, `{"message":"Unauthorized"}`)
		if want := `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`; r.Header.Get("Www-Authenticate") != want {
			t.Errorf("wrong audience: www-authenticate %q", r.Header.Get("Www-Authenticate"))
		}
		expect(t, "expired", api.send(t, "GET", "/me", bearer(map[string]any{"aud": "app", "exp": time.Now().Unix() - 60}), ""), 401, `{"message":"Unauthorized"}`)
		expect(t, "missing scope", api.send(t, "DELETE", "/me", bearer(map[string]any{"aud": "app", "scope": "read"}), ""), 403, `{"message":"Forbidden"}`)
		if r := api.send(t, "DELETE", "/me", bearer(map[string]any{"aud": "app", "scope": "read admin"}), ""); r.Status != 200 {
			t.Errorf("with scope: %s", r)
		}
		ev := event(t, api.send(t, "GET", "/me", bearer(map[string]any{"aud": "app", "sub": "u-1", "cognito:groups": []string{"admin", "dev"}}), ""))
		jwt := authorizerOf(ev)["jwt"].(map[string]any)
		claims := jwt["claims"].(map[string]any)
		if claims["sub"] != "u-1" || claims["cognito:groups"] != "[admin dev]" || claims["aud"] != "app" || claims["iss"] != iss.URL {
			t.Errorf("jwt claims: %v", jwt)
		}
	})

	t.Run("lambda 2.0 simple", func(t *testing.T) {
		expect(t, "no identity", api.send(t, "GET", "/simple/1", nil, ""), 401, `{"message":"Unauthorized"}`)
		expect(t, "deny", api.send(t, "GET", "/simple/1", http.Header{"X-Token": {"deny"}}, ""), 403, `{"message":"Forbidden"}`)
		expect(t, "unauthorized", api.send(t, "GET", "/simple/1", http.Header{"X-Token": {"unauthorized"}}, ""), 401, `{"message":"Unauthorized"}`)
		ev := event(t, api.send(t, "GET", "/simple/1", http.Header{"X-Token": {"allow"}}, ""))
		lam := authorizerOf(ev)["lambda"].(map[string]any)
		if lam["user"] != "alice" || lam["level"] != float64(7) || lam["admin"] != true {
			t.Errorf("authorizer.lambda: %v", lam)
		}
		first := lam["calls"]
		// Cached by the identity value, for every route of the authorizer.
		ev = event(t, api.send(t, "POST", "/simple", http.Header{"X-Token": {"allow"}}, "{}"))
		if got := authorizerOf(ev)["lambda"].(map[string]any)["calls"]; got != first {
			t.Errorf("cached answer: calls %v, want %v", got, first)
		}
		// Reset the stage's authorizer cache: the next request invokes again.
		c.ok(nil, "reset-authorizers-cache", "--api-id", api.ID, "--stage-name", "$default")
		eventually(t, "authorizer cache reset", func() error {
			ev := event(t, api.send(t, "GET", "/simple/2", http.Header{"X-Token": {"allow"}}, ""))
			if authorizerOf(ev)["lambda"].(map[string]any)["calls"] == first {
				return errString("still cached")
			}
			return nil
		})
	})

	t.Run("lambda 1.0 policy", func(t *testing.T) {
		expect(t, "no identity", api.send(t, "GET", "/policy", nil, ""), 401, `{"message":"Unauthorized"}`)
		expect(t, "deny", api.send(t, "GET", "/policy?token=deny", nil, ""), 403, `{"message":"Forbidden"}`)
		ev := event(t, api.send(t, "GET", "/policy?token=allow", nil, ""))
		lam := authorizerOf(ev)["lambda"].(map[string]any)
		if lam["user"] != "alice" || lam["level"] != float64(7) {
			t.Errorf("authorizer.lambda from a 1.0 authorizer: %v", lam)
		}
	})

	t.Run("iam", func(t *testing.T) {
		signed := func(path, key, secret string) result {
			req, _ := http.NewRequest("GET", dp.HTTP+path, nil)
			req.Host = api.host()
			sum := sha256.Sum256(nil)
			if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
				req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			res, err := dp.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return result{Status: res.StatusCode, Header: res.Header, Body: string(b)}
		}
		expect(t, "unsigned", api.send(t, "GET", "/iam/1", nil, ""), 403, `{"message":"Forbidden"}`)
		expect(t, "no policy", signed("/iam/1", "AKIABOBEXAMPLE000001", "bob-secret"), 403, `{"message":"Forbidden"}`)
		expect(t, "bad signature", signed("/iam/1", "AKIAALICEEXAMPLE0001", "wrong"), 403, `{"message":"Forbidden"}`)
		expect(t, "other account", signed("/iam/1", "AKIACAROLEXAMPLE0001", "carol-secret"), 403, `{"message":"Forbidden"}`)
		ev := event(t, signed("/iam/1", "AKIAALICEEXAMPLE0001", "alice-secret"))
		iam := authorizerOf(ev)["iam"].(map[string]any)
		if iam["accessKey"] != "AKIAALICEEXAMPLE0001" || !strings.HasSuffix(iam["userArn"].(string), ":user/alice") {
			t.Errorf("authorizer.iam: %v", iam)
		}
	})
	checkGatewayLog(t, dp.Gateway)
}

type errString string

func (e errString) Error() string { return string(e) }
