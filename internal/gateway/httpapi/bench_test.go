package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/jwtauth"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
)

const benchFormat = `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","len":"$context.responseLength","time":"$context.requestTime","lat":"$context.integrationLatency"}`

// BenchmarkServeHTTPProxy measures the pipeline for a $default route to
// a loopback HTTP backend, with an access log (no client engine).
func BenchmarkServeHTTPProxy(b *testing.B) {
	backend := hundredBytes(b)
	logs := &observe.LogSinks{Stdout: io.Discard}
	defer logs.Close()
	env := &Env{Clients: upstream.NewClients(), Logs: logs}
	a := newAPI()
	a.route("$default", a.httpProxy(backend.URL))
	door := a.stage(b, env, "$default", func(s *modelv2.Stage) {
		s.AccessLogSettings = &modelv2.AccessLogSettings{Format: model.Ptr(benchFormat), DestinationArn: model.Ptr("-")}
	})
	req := gatewaytest.NewRequest("GET", testHost, "/hello", nil, "Accept", "*/*", "User-Agent", "bench")
	serveBench(b, door, req)
}

// BenchmarkServeLambda measures the pipeline for a Lambda proxy route
// (payload 2.0) to a function that answers at once: the event, the
// answer's decoding, the response.
func BenchmarkServeLambda(b *testing.B) {
	fl := newFakeLambda()
	answer := []byte(`{"statusCode":200,"headers":{"content-type":"text/plain"},"body":"` + strings.Repeat("x", 100) + `"}`)
	fn := "arn:aws:lambda:us-east-1:" + account + ":function:f"
	fl.handle(fn, func([]byte) (invoker.Result, error) { return invoker.Result{Payload: answer}, nil })
	a := newAPI()
	a.route("GET /pets/{id}", a.lambda("f", "2.0"))
	door := a.stage(b, &Env{Lambda: discardEvents{fl}}, "$default")
	req := gatewaytest.NewRequest("GET", testHost, "/pets/7?a=1", nil, "Accept", "*/*", "User-Agent", "bench")
	serveBench(b, door, req)
}

// BenchmarkServeJWT measures BenchmarkServeHTTPProxy's route behind a
// JWT authorizer with a token it has verified before (a cache hit, as
// every request of a client but its first): finding the token, its
// digest, the checks of iss, aud and expiry.
func BenchmarkServeJWT(b *testing.B) {
	backend := hundredBytes(b)
	iss := newIssuer(b)
	tokens, err := jwtauth.NewHTTPAPI(jwtauth.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer tokens.Close()
	env := &Env{Clients: upstream.NewClients(), Tokens: tokens}
	a := newAPI()
	au := a.authorizer(modelv2.Authorizer{Name: "jwt", AuthorizerType: modelv2.AuthorizerJWT,
		IdentitySource:   []string{"$request.header.Authorization"},
		JWTConfiguration: &modelv2.JWTConfiguration{Issuer: model.Ptr(iss.url), Audience: []string{"app"}}})
	a.route("ANY /{proxy+}", a.httpProxy(backend.URL+"/{proxy}"), func(r *modelv2.Route) {
		r.AuthorizationType, r.AuthorizerID = modelv2.AuthJWT, model.Ptr(au)
	})
	door := a.stage(b, env, "$default")
	tok := iss.token(b, map[string]any{"aud": "app", "sub": "bench-user", "email": "bench@example.com"})
	req := gatewaytest.NewRequest("GET", testHost, "/hello", nil, "Accept", "*/*", "User-Agent", "bench", "Authorization", "Bearer "+tok)
	serveBench(b, door, req)
}

// hundredBytes is a loopback backend answering 100 bytes, closed with b.
func hundredBytes(b *testing.B) *httptest.Server {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 100)))
	}))
	b.Cleanup(backend.Close)
	return backend
}

// serveBench serves req through door for every iteration of b, failing
// on any answer but a 200.
func serveBench(b *testing.B, door *front.Door, req *gatewaytest.Request) {
	resp := gatewaytest.NewResponse()
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		door.Serve(context.Background(), req, resp)
		if resp.Code != 200 {
			b.Fatalf("status %d %s", resp.Code, resp.Body())
		}
	}
}

// discardEvents invokes a fake function without recording its events.
type discardEvents struct{ f *fakeLambda }

func (d discardEvents) Invoke(_ context.Context, name string, payload []byte) (invoker.Result, error) {
	d.f.mu.Lock()
	fn := d.f.fns[name]
	d.f.mu.Unlock()
	return fn(payload)
}
