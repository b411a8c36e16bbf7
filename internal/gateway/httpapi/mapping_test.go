package httpapi

import (
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// TestRequestParameterMapping: requestParameters rewrite the headers,
// query string and path an HTTP backend receives, from the request, the
// stage and $context; a mapped path with a dot-segment is refused [D].
func TestRequestParameterMapping(t *testing.T) {
	srv := echoBackend(t)
	a := newAPI()
	a.route("POST /users/{id}", a.httpProxy(srv.URL+"/base", func(in *modelv2.Integration) {
		in.RequestParameters = map[string]string{
			"append:header.x-user":        "$request.path.id",
			"overwrite:header.x-tier":     "$stageVariables.tier",
			"remove:header.x-secret":      "''",
			"overwrite:header.x-route":    "$context.routeKey",
			"append:querystring.from":     "$request.header.x-from",
			"overwrite:querystring.limit": "10",
			"remove:querystring.debug":    "''",
			"overwrite:path":              "/v2/users/${request.path.id}/${request.body.kind}",
		}
	}))
	a.route("GET /evil/{p}", a.httpProxy(srv.URL+"/base", func(in *modelv2.Integration) {
		in.RequestParameters = map[string]string{"overwrite:path": "/files/$request.header.x-name"}
	}))
	door := a.stage(t, &Env{Clients: upstream.NewClients()}, "prod", func(s *modelv2.Stage) { s.StageVariables = map[string]string{"tier": "gold"} })
	r := do(door, "POST", "/prod/users/42?limit=1&debug=1&keep=a%20b", []byte(`{"kind":"admin"}`),
		"Content-Type", "application/json", "X-Secret", "s", "X-From", "web", "X-User", "client")
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.BodyBuf)
	}
	s := decodeSeen(t, r.BodyBuf)
	if s.URI != "/v2/users/42/admin?limit=10&keep=a+b&from=web" && s.URI != "/v2/users/42/admin?keep=a+b&limit=10&from=web" {
		t.Errorf("backend URI %q", s.URI)
	}
	if got := s.Header.Values("X-User"); len(got) != 2 || got[0] != "client" || got[1] != "42" {
		t.Errorf("append:header: %v", got)
	}
	if s.Header.Get("X-Tier") != "gold" || s.Header.Get("X-Secret") != "" || s.Header.Get("X-Route") != "POST /users/{id}" {
		t.Errorf("headers %v", s.Header)
	}
	expect(t, "dot-segment in a mapped path", do(door, "GET", "/prod/evil/x", nil, "X-Name", ".."), 400, `{"message":"Bad Request"}`)
}

// TestResponseParameterMapping: responseParameters for the status the
// integration answered rewrite headers and the status code, reading the
// backend's headers (and a Lambda answer's body) [D].
func TestResponseParameterMapping(t *testing.T) {
	srv := echoBackend(t)
	env, _ := echoEnv()
	env.Clients = upstream.NewClients()
	a := newAPI()
	a.route("GET /http", a.httpProxy(srv.URL+"/x", func(in *modelv2.Integration) {
		in.ResponseParameters = map[string]map[string]string{
			"200": {"overwrite:header.x-backend": "seen-$response.header.x-backend", "append:header.x-req": "$context.requestId",
				"remove:header.content-type": "''"},
			"201": {"overwrite:statuscode": "202"},
		}
	}))
	in := a.lambda("echo", "2.0")
	for i := range a.snap.Integrations {
		if a.snap.Integrations[i].IntegrationID == in {
			a.snap.Integrations[i].ResponseParameters = map[string]map[string]string{
				"200": {"overwrite:header.x-route": "$response.body.routeKey", "overwrite:statuscode": "299"}}
		}
	}
	a.route("GET /fn", in)
	door := a.stage(t, env, "$default")
	r := do(door, "GET", "/http", nil)
	if r.Code != 200 || r.Headers.Get("X-Backend") != "seen-yes" || r.Headers.Get("X-Req") != r.Headers.Get("apigw-requestid") ||
		r.Headers.Get("Content-Type") != "" {
		t.Errorf("200 mapping: %d %v", r.Code, r.Headers)
	}
	if r := do(door, "GET", "/http?status=201", nil); r.Code != 202 {
		t.Errorf("overwrite:statuscode: %d", r.Code)
	}
	if r := do(door, "GET", "/fn", nil); r.Code != 299 || r.Headers.Get("X-Route") != "GET /fn" {
		t.Errorf("Lambda mapping: %d %v", r.Code, r.Headers)
	}
}
