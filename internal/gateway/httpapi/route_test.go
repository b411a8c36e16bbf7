package httpapi

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// echoEnv is an Env whose function "echo" answers its event (a 2.0
// answer without statusCode: the event is the 200 body).
func echoEnv() (*Env, *fakeLambda) {
	fl := newFakeLambda()
	fl.handle("arn:aws:lambda:us-east-1:"+account+":function:echo", func(ev []byte) (invoker.Result, error) {
		return invoker.Result{Payload: ev}, nil
	})
	return &Env{Region: region, AccountID: account, Lambda: fl}, fl
}

// routedAPI has a route per key, each to the echoing function.
func routedAPI(keys ...string) *api {
	a := newAPI()
	in := a.lambda("echo", "2.0")
	for _, k := range keys {
		a.route(k, in)
	}
	return a
}

// TestRouteSelection: most specific route first, literal before variable,
// exact method before ANY, greedy routes after full matches and only with
// at least one segment, $default last; other methods' routes are 404
// [D: the documented example; E: greedy and 404 details].
func TestRouteSelection(t *testing.T) {
	env, _ := echoEnv()
	a := routedAPI("GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}",
		"POST /orders", "ANY /items/{id}", "GET /items/{id}", "GET /files/{proxy+}", "GET /{a}/deep",
		"GET /", "$default")
	door := a.stage(t, env, "$default")
	for _, c := range []struct {
		method, path, key string
		params            map[string]any
	}{
		{"GET", "/pets/dog/1", "GET /pets/dog/1", nil},
		{"GET", "/pets/dog/2", "GET /pets/dog/{id}", map[string]any{"id": "2"}},
		{"GET", "/pets/cat/1", "GET /pets/{proxy+}", map[string]any{"proxy": "cat/1"}},
		{"POST", "/test/5", "ANY /{proxy+}", map[string]any{"proxy": "test/5"}},
		{"GET", "/items/7", "GET /items/{id}", map[string]any{"id": "7"}},
		{"DELETE", "/items/7", "ANY /items/{id}", map[string]any{"id": "7"}},
		// A full match beats a greedy route whose literal prefix is longer.
		{"GET", "/files/deep", "GET /{a}/deep", map[string]any{"a": "files"}},
		{"GET", "/files/x/y", "GET /files/{proxy+}", map[string]any{"proxy": "x/y"}},
		// GET /pets/{proxy+} needs a segment after /pets.
		{"GET", "/pets", "ANY /{proxy+}", map[string]any{"proxy": "pets"}},
		{"GET", "/", "GET /", nil},
		{"PUT", "/", "$default", nil},
		// A method no route key names reaches ANY routes.
		{"TRACE", "/items/3", "ANY /items/{id}", map[string]any{"id": "3"}},
	} {
		r := do(door, c.method, c.path, nil)
		if r.Code != 200 {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.Code, r.BodyBuf)
			continue
		}
		ev := decode(t, r.BodyBuf)
		if ev["routeKey"] != c.key {
			t.Errorf("%s %s: route %v, want %s", c.method, c.path, ev["routeKey"], c.key)
		}
		got, _ := ev["pathParameters"].(map[string]any)
		if len(got) != len(c.params) {
			t.Errorf("%s %s: pathParameters %v, want %v", c.method, c.path, got, c.params)
		}
		for k, v := range c.params {
			if got[k] != v {
				t.Errorf("%s %s: pathParameters %v, want %v", c.method, c.path, got, c.params)
			}
		}
	}
}

// TestNotFound: no route (and no $default) is 404 {"message":"Not Found"}
// with content-type application/json and apigw-requestid; a path that
// only another method's route matches is 404 too, not 405 [D][L].
func TestNotFound(t *testing.T) {
	env, _ := echoEnv()
	door := routedAPI("POST /orders", "GET /pets/{proxy+}").stage(t, env, "$default")
	for _, c := range []struct{ method, path string }{
		{"GET", "/nothing"}, {"GET", "/orders"}, {"GET", "/pets"}, {"GET", "/"},
	} {
		r := do(door, c.method, c.path, nil)
		expect(t, c.method+" "+c.path, r, 404, `{"message":"Not Found"}`)
		if ct := r.Headers.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: content-type %q", c.method, c.path, ct)
		}
		if id := r.Headers.Get("apigw-requestid"); len(id) != 16 || id[15] != '=' {
			t.Errorf("%s %s: apigw-requestid %q", c.method, c.path, id)
		}
		if r.Headers.Get("x-amzn-ErrorType") != "" {
			t.Errorf("%s %s: x-amzn-ErrorType %q (HTTP APIs send none)", c.method, c.path, r.Headers.Get("x-amzn-ErrorType"))
		}
	}
}

// TestStageSelection: a named stage serves paths under its name, the
// $default stage everything else; an unknown stage of an API without
// $default, and a stage without a deployment, are 404 [D][U].
func TestStageSelection(t *testing.T) {
	env, _ := echoEnv()
	a := routedAPI("ANY /{proxy+}")
	d, err := Compile(env, "dep1", &a.snap)
	if err != nil {
		t.Fatal(err)
	}
	newStage := func(name string, d *Deployment) *Stage {
		s, err := NewStage(env, &modelv2.Stage{StageName: name}, d, testAPI)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	door := a.stage(t, env, "dev")
	door.Set(testAPI, "empty", newStage("empty", nil))

	ev := decode(t, do(door, "GET", "/dev/pets/6", nil).BodyBuf)
	if ev["rawPath"] != "/dev/pets/6" || ev["pathParameters"].(map[string]any)["proxy"] != "pets/6" ||
		ev["requestContext"].(map[string]any)["stage"] != "dev" {
		t.Errorf("named stage: rawPath %v, params %v, context %v", ev["rawPath"], ev["pathParameters"], ev["requestContext"])
	}
	expect(t, "unknown stage", do(door, "GET", "/prod/pets", nil), 404, `{"message":"Not Found"}`)
	expect(t, "stage without deployment", do(door, "GET", "/empty/pets", nil), 404, `{"message":"Not Found"}`)

	door.Set(testAPI, "$default", newStage("$default", d))
	ev = decode(t, do(door, "GET", "/prod/pets", nil).BodyBuf)
	if ev["rawPath"] != "/prod/pets" || ev["requestContext"].(map[string]any)["stage"] != "$default" {
		t.Errorf("$default stage: %v", ev)
	}
	// An explicit stage wins over $default.
	ev = decode(t, do(door, "GET", "/dev/x", nil).BodyBuf)
	if ev["requestContext"].(map[string]any)["stage"] != "dev" {
		t.Errorf("dev stage through $default's API: %v", ev["requestContext"])
	}
}

// TestRouteWithoutIntegration: a route with no target is 404 [U].
func TestRouteWithoutIntegration(t *testing.T) {
	a := newAPI()
	a.route("GET /empty", "")
	expect(t, "no target", do(a.stage(t, nil, "$default"), "GET", "/empty", nil), 404, `{"message":"Not Found"}`)
}

// TestDisabledEndpoint: disableExecuteApiEndpoint answers 403 [L][U].
func TestDisabledEndpoint(t *testing.T) {
	env, _ := echoEnv()
	a := routedAPI("$default")
	a.snap.API.DisableExecuteApiEndpoint = true
	expect(t, "disabled", do(a.stage(t, env, "$default"), "GET", "/", nil), 403, `{"message":"Forbidden"}`)
}

// TestCustomDomainMapping: through a custom domain's API mapping the mapping
// picks the API and stage; routes see the path after the base path, and
// rawPath keeps the matched base path [D][L].
func TestCustomDomainMapping(t *testing.T) {
	env, _ := echoEnv()
	door := routedAPI("GET /pets/{id}").stage(t, env, "$default")
	door.SetDomain(&front.Domain{Name: "api.example.com", UseMappings: true,
		Mappings: []front.Mapping{{Key: "v1/shop", APIID: testAPI, Stage: "$default"}}})
	req := gatewaytest.NewRequest("GET", "api.example.com", "/v1/shop/pets/3", nil)
	resp := gatewaytest.NewResponse()
	door.Serve(context.Background(), req, resp)
	if resp.Code != 200 {
		t.Fatalf("%d %s", resp.Code, resp.Body())
	}
	ev := decode(t, resp.Body())
	rc := ev["requestContext"].(map[string]any)
	if ev["routeKey"] != "GET /pets/{id}" || ev["rawPath"] != "/v1/shop/pets/3" || rc["domainName"] != "api.example.com" ||
		rc["domainPrefix"] != "api" || rc["stage"] != "$default" {
		t.Errorf("event through a custom domain: %v", ev)
	}
}
