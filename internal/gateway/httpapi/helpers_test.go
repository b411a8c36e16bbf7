package httpapi

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
)

const (
	testAPI  = "a1b2c3d4e5"
	testHost = testAPI + ".execute-api.localhost"
	account  = "123456789012"
	region   = "us-east-1"
)

// fakeLambda is an invoker.Lambda whose functions are Go funcs, recording
// each call's event.
type fakeLambda struct {
	mu     sync.Mutex
	fns    map[string]func(event []byte) (invoker.Result, error)
	events map[string][][]byte
}

func newFakeLambda() *fakeLambda {
	return &fakeLambda{fns: map[string]func([]byte) (invoker.Result, error){}, events: map[string][][]byte{}}
}

// handle registers fn under name, answering with payload (and funcErr as
// the function error, "" for none).
func (f *fakeLambda) handle(name string, fn func(event []byte) (invoker.Result, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fns[name] = fn
}

// answer registers a function that always answers payload.
func (f *fakeLambda) answer(name, payload string) {
	f.handle(name, func([]byte) (invoker.Result, error) { return invoker.Result{Payload: []byte(payload)}, nil })
}

func (f *fakeLambda) Invoke(_ context.Context, name string, payload []byte) (invoker.Result, error) {
	f.mu.Lock()
	fn := f.fns[name]
	f.events[name] = append(f.events[name], append([]byte(nil), payload...))
	f.mu.Unlock()
	if fn == nil {
		return invoker.Result{}, invoker.ErrFunctionNotFound
	}
	return fn(payload)
}

// calls is how many times name was invoked.
func (f *fakeLambda) calls(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events[name])
}

// lastEvent decodes name's latest event.
func (f *fakeLambda) lastEvent(t *testing.T, name string) map[string]any {
	t.Helper()
	f.mu.Lock()
	evs := f.events[name]
	f.mu.Unlock()
	if len(evs) == 0 {
		t.Fatalf("%s was not invoked", name)
	}
	var m map[string]any
	if err := json.Unmarshal(evs[len(evs)-1], &m); err != nil {
		t.Fatalf("%s's event is not JSON: %v\n%s", name, err, evs[len(evs)-1])
	}
	return m
}

var _ invoker.Lambda = (*fakeLambda)(nil)

// api is a snapshot under construction.
type api struct {
	snap modelv2.Snapshot
	n    int
}

func newAPI() *api {
	return &api{snap: modelv2.Snapshot{API: modelv2.Api{ApiID: testAPI, Name: "test", ProtocolType: modelv2.ProtocolHTTP,
		RouteSelectionExpression: modelv2.HTTPRouteSelection}}}
}

func (a *api) id(prefix string) string {
	a.n++
	return prefix + string(rune('a'+a.n))
}

// integration adds an integration and returns its id.
func (a *api) integration(in modelv2.Integration) string {
	in.IntegrationID = a.id("int")
	if in.ConnectionType == "" {
		in.ConnectionType = modelv2.ConnectionInternet
	}
	if in.PayloadFormatVersion == "" {
		in.PayloadFormatVersion = "1.0"
	}
	if in.TimeoutInMillis == 0 {
		in.TimeoutInMillis = modelv2.DefaultTimeoutHTTP
	}
	a.snap.Integrations = append(a.snap.Integrations, in)
	return in.IntegrationID
}

// httpProxy adds an HTTP_PROXY integration (integrationMethod ANY).
func (a *api) httpProxy(uri string, mod ...func(*modelv2.Integration)) string {
	in := modelv2.Integration{IntegrationType: modelv2.IntegrationHTTPProxy, IntegrationURI: model.Ptr(uri),
		IntegrationMethod: model.Ptr("ANY")}
	for _, m := range mod {
		m(&in)
	}
	return a.integration(in)
}

// lambda adds a Lambda proxy integration of payload format version.
func (a *api) lambda(fn, version string) string {
	return a.integration(modelv2.Integration{IntegrationType: modelv2.IntegrationAWSProxy,
		IntegrationURI:    model.Ptr("arn:aws:lambda:us-east-1:" + account + ":function:" + fn),
		IntegrationMethod: model.Ptr("POST"), PayloadFormatVersion: version})
}

// route adds a route to integration (none when "").
func (a *api) route(key, integration string, mod ...func(*modelv2.Route)) {
	r := modelv2.Route{RouteID: a.id("r"), RouteKey: key, AuthorizationType: modelv2.AuthNone}
	if integration != "" {
		r.Target = model.Ptr(modelv2.TargetPrefix + integration)
	}
	for _, m := range mod {
		m(&r)
	}
	a.snap.Routes = append(a.snap.Routes, r)
}

// authorizer adds an authorizer and returns its id.
func (a *api) authorizer(au modelv2.Authorizer) string {
	au.AuthorizerID = a.id("au")
	a.snap.Authorizers = append(a.snap.Authorizers, au)
	return au.AuthorizerID
}

// stage compiles the API and publishes it as stage name through a front
// door.
func (a *api) stage(t testing.TB, env *Env, name string, mod ...func(*modelv2.Stage)) *front.Door {
	t.Helper()
	d, err := Compile(env, "dep1", &a.snap)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	st := &modelv2.Stage{StageName: name, RouteSettings: map[string]modelv2.RouteSettings{}}
	for _, m := range mod {
		m(st)
	}
	s, err := NewStage(env, st, d, testAPI)
	if err != nil {
		t.Fatalf("NewStage: %v", err)
	}
	door := &front.Door{}
	door.Set(testAPI, name, s)
	return door
}

// do sends one request through door (host form) and returns the response,
// its body read.
func do(door *front.Door, method, target string, body []byte, headers ...string) *gatewaytest.Response {
	req := gatewaytest.NewRequest(method, testHost, target, body, headers...)
	resp := gatewaytest.NewResponse()
	door.Serve(context.Background(), req, resp)
	resp.Body()
	return resp
}

// expect checks a response's status and body.
func expect(t *testing.T, what string, r *gatewaytest.Response, status int, body string) {
	t.Helper()
	if r.Code != status || string(r.BodyBuf) != body {
		t.Errorf("%s: %d %s, want %d %s", what, r.Code, r.BodyBuf, status, body)
	}
}

// decode decodes a JSON body.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return m
}
