package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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

// TestRequestParameterMappingRepeatedHeader: a header sent more than once
// maps as its values joined with "," (in the order received), names
// compared ignoring case; sent once, as itself; absent, not at all [D].
func TestRequestParameterMappingRepeatedHeader(t *testing.T) {
	srv := echoBackend(t)
	a := newAPI()
	a.route("GET /h", a.httpProxy(srv.URL+"/base", func(in *modelv2.Integration) {
		in.RequestParameters = map[string]string{"overwrite:header.x-got": "$request.header.x-from"}
	}))
	door := a.stage(t, &Env{Clients: upstream.NewClients()}, "prod")
	for _, c := range []struct {
		headers []string
		want    []string
	}{
		{[]string{"X-From", "web", "x-from", "app", "X-FROM", "cli"}, []string{"web,app,cli"}},
		{[]string{"X-From", "web"}, []string{"web"}},
		{[]string{"X-Other", "web"}, nil},
	} {
		r := do(door, "GET", "/prod/h", nil, c.headers...)
		if r.Code != 200 {
			t.Fatalf("%v: %d %s", c.headers, r.Code, r.BodyBuf)
		}
		if got := decodeSeen(t, r.BodyBuf).Header.Values("X-Got"); !slices.Equal(got, c.want) {
			t.Errorf("%v: x-got %q, want %q", c.headers, got, c.want)
		}
	}
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

// TestRequestParameterMappingLambda: requestParameters of a Lambda proxy
// integration change what its event describes, in payload 2.0 and 1.0:
// headers (a mapped cookie header included), the query string and the
// path; a mapped path with a dot-segment is refused [D][C: aws-cdk#17255].
func TestRequestParameterMappingLambda(t *testing.T) {
	for _, version := range []string{"2.0", "1.0"} {
		t.Run(version, func(t *testing.T) {
			env, fl := echoEnv()
			// A 1.0 answer needs a statusCode: the function answers one
			// and the test reads the event it was given.
			fn := "arn:aws:lambda:us-east-1:" + account + ":function:ok"
			fl.answer(fn, `{"statusCode":200,"body":"ok"}`)
			a := newAPI()
			in := a.lambda("ok", version)
			for i := range a.snap.Integrations {
				if a.snap.Integrations[i].IntegrationID == in {
					a.snap.Integrations[i].RequestParameters = map[string]string{
						"append:header.x-user":        "$request.path.id",
						"overwrite:header.x-tier":     "$stageVariables.tier",
						"remove:header.x-secret":      "''",
						"overwrite:header.cookie":     "mapped=1",
						"append:querystring.from":     "$request.header.x-from",
						"overwrite:querystring.limit": "10",
						"remove:querystring.debug":    "''",
						"overwrite:path":              "/v2/users/${request.path.id}/${request.body.kind}",
					}
				}
			}
			a.route("POST /users/{id}", in)
			plain := a.lambda("ok", version)
			a.route("GET /plain", plain)
			door := a.stage(t, env, "prod", func(s *modelv2.Stage) { s.StageVariables = map[string]string{"tier": "gold"} })
			r := do(door, "POST", "/prod/users/42?limit=1&debug=1&keep=a%20b", []byte(`{"kind":"admin"}`),
				"Content-Type", "application/json", "X-Secret", "s", "X-From", "web", "X-User", "client", "Cookie", "c=1")
			if r.Code != 200 {
				t.Fatalf("%d %s", r.Code, r.BodyBuf)
			}
			ev := fl.lastEvent(t, fn)
			headers := ev["headers"].(map[string]any)
			if version == "2.0" {
				if headers["x-user"] != "client,42" || headers["x-tier"] != "gold" || headers["x-secret"] != nil || headers["x-from"] != "web" {
					t.Errorf("headers %v", headers)
				}
				if ev["rawPath"] != "/v2/users/42/admin" || ev["requestContext"].(map[string]any)["http"].(map[string]any)["path"] != "/v2/users/42/admin" {
					t.Errorf("rawPath %v, http.path %v", ev["rawPath"], ev["requestContext"].(map[string]any)["http"])
				}
				if q := ev["rawQueryString"]; q != "limit=10&keep=a+b&from=web" && q != "keep=a+b&limit=10&from=web" {
					t.Errorf("rawQueryString %v", q)
				}
				qs := ev["queryStringParameters"].(map[string]any)
				if qs["limit"] != "10" || qs["from"] != "web" || qs["keep"] != "a b" || qs["debug"] != nil {
					t.Errorf("queryStringParameters %v", qs)
				}
				if c := toStrings(ev["cookies"]); len(c) != 1 || c[0] != "mapped=1" {
					t.Errorf("cookies %v", ev["cookies"])
				}
				if pp := ev["pathParameters"].(map[string]any); pp["id"] != "42" {
					t.Errorf("pathParameters %v", pp)
				}
			} else {
				mv := ev["multiValueHeaders"].(map[string]any)
				if u := toStrings(mv["X-User"]); len(u) != 2 || u[0] != "client" || u[1] != "42" {
					t.Errorf("multiValueHeaders %v", mv)
				}
				if headers["x-tier"] != "gold" || headers["X-Secret"] != nil {
					t.Errorf("headers %v", headers)
				}
				if ev["path"] != "/v2/users/42/admin" {
					t.Errorf("path %v", ev["path"])
				}
				qs := ev["queryStringParameters"].(map[string]any)
				if qs["limit"] != "10" || qs["from"] != "web" || qs["keep"] != "a b" || qs["debug"] != nil {
					t.Errorf("queryStringParameters %v", qs)
				}
			}
			if r := do(door, "GET", "/prod/plain?debug=1", nil, "X-Secret", "s"); r.Code != 200 {
				t.Fatalf("unmapped: %d", r.Code)
			}
			ev = fl.lastEvent(t, fn)
			if ev["queryStringParameters"].(map[string]any)["debug"] != "1" {
				t.Errorf("an integration without mappings sees the query changed: %v", ev["queryStringParameters"])
			}
			bad := newAPI()
			bin := bad.lambda("ok", version)
			bad.snap.Integrations[0].RequestParameters = map[string]string{"overwrite:path": "/files/$request.header.x-name"}
			bad.route("GET /evil", bin)
			expect(t, "dot-segment in a mapped path", do(bad.stage(t, env, "$default"), "GET", "/evil", nil, "X-Name", ".."), 400, `{"message":"Bad Request"}`)
		})
	}
}

// TestResponseBodyMappingHTTPProxy: response mappings of an HTTP_PROXY
// integration read $response.body (whole) and $response.body.{path}
// (the first 100 KB: a longer JSON document is cut and selects nothing
// [D]), from bodies of known length and chunked ones; the client gets
// the backend's whole body either way, also for a status without
// mappings that read the body.
func TestResponseBodyMappingHTTPProxy(t *testing.T) {
	big := `{"id":"big","pad":"` + strings.Repeat("x", 300<<10) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := `{"id":"o-1","nested":{"n":2}}`
		if r.URL.Query().Get("big") != "" {
			body = big
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("status") == "201" {
			w.WriteHeader(201)
		}
		if r.URL.Query().Get("chunked") != "" {
			half := len(body) / 2
			_, _ = io.WriteString(w, body[:half])
			w.(http.Flusher).Flush()
			body = body[half:]
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	a := newAPI()
	a.route("GET /order", a.httpProxy(srv.URL+"/order", func(in *modelv2.Integration) {
		in.ResponseParameters = map[string]map[string]string{
			"200": {"overwrite:header.x-order": "$response.body.id", "append:header.x-n": "n=${response.body.nested.n}"},
			"201": {"overwrite:header.x-all": "$response.body"},
		}
	}))
	door := a.stage(t, &Env{Clients: upstream.NewClients()}, "$default")
	for _, q := range []string{"", "&chunked=1"} {
		r := do(door, "GET", "/order?x=1"+q, nil)
		if r.Code != 200 || r.Headers.Get("X-Order") != "o-1" || r.Headers.Get("X-N") != "n=2" || string(r.BodyBuf) != `{"id":"o-1","nested":{"n":2}}` {
			t.Errorf("JSONPath%s: %d %v %s", q, r.Code, r.Headers, r.BodyBuf)
		}
		r = do(door, "GET", "/order?status=201"+q, nil)
		if r.Code != 201 || r.Headers.Get("X-All") != `{"id":"o-1","nested":{"n":2}}` {
			t.Errorf("whole body%s: %d %v", q, r.Code, r.Headers)
		}
		r = do(door, "GET", "/order?big=1"+q, nil)
		if r.Code != 200 || string(r.BodyBuf) != big {
			t.Errorf("big body%s: %d, %d bytes", q, r.Code, len(r.BodyBuf))
		}
		if v := r.Headers.Get("X-Order"); v != "" {
			t.Errorf("big body%s: a JSONPath selected %q from a document cut at 100 KB", q, v)
		}
	}
}
