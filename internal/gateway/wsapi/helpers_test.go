package wsapi_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/engine"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

const (
	apiID     = "wsapi12345"
	stageName = "prod"
	region    = "us-east-1"
	account   = "000000000000"
)

// fakeLambda runs functions in process: each name has a handler; every
// event is recorded.
type fakeLambda struct {
	mu       sync.Mutex
	handlers map[string]func(ev map[string]any) (any, string)
	events   chan map[string]any
}

func newFakeLambda() *fakeLambda {
	return &fakeLambda{handlers: map[string]func(map[string]any) (any, string){}, events: make(chan map[string]any, 100)}
}

// on sets function fn's handler: it returns the answer and a function
// error ("" for none).
func (f *fakeLambda) on(fn string, h func(ev map[string]any) (any, string)) {
	f.mu.Lock()
	f.handlers[fn] = h
	f.mu.Unlock()
}

func (f *fakeLambda) Invoke(_ context.Context, fn string, payload []byte) (invoker.Result, error) {
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		return invoker.Result{}, err
	}
	if i := strings.LastIndex(fn, ":function:"); i >= 0 {
		fn = fn[i+len(":function:"):]
	}
	ev["_function"] = fn
	f.mu.Lock()
	h := f.handlers[fn]
	f.mu.Unlock()
	f.events <- ev
	if h == nil {
		return invoker.Result{Payload: []byte(`{"statusCode":200}`)}, nil
	}
	out, fnErr := h(ev)
	b, _ := json.Marshal(out)
	if fnErr != "" {
		return invoker.Result{Payload: []byte(`{"errorMessage":"` + fnErr + `","errorType":"Error"}`), FunctionError: "Unhandled"}, nil
	}
	return invoker.Result{Payload: b}, nil
}

// next returns the next event of a function, skipping others.
func (f *fakeLambda) next(t *testing.T, fn string) map[string]any {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-f.events:
			if ev["_function"] == fn {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event for function %s", fn)
			return nil
		}
	}
}

// gateway is a data plane with WebSocket APIs on a real listener.
type gateway struct {
	door *front.Door
	hub  *wsapi.Hub
	env  *wsapi.Env
	addr string
	srv  *engine.Server
}

const (
	testKeyID  = "AKIDEXAMPLEWS0000001"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func startGateway(t *testing.T, lambda invoker.Lambda, hubCfg wsapi.HubConfig) *gateway {
	t.Helper()
	door := &front.Door{}
	users, err := authz.NewUsers(region, account, []authz.User{{Name: "ops", AccessKeyID: testKeyID, SecretAccessKey: testSecret,
		Policies: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["execute-api:ManageConnections","execute-api:Invoke"],"Resource":"arn:aws:execute-api:*:*:*"}]}`}}})
	if err != nil {
		t.Fatal(err)
	}
	hubCfg.Lookup, hubCfg.Users = door.Lookup, users
	hub := wsapi.NewHub(hubCfg)
	door.Connections = hub
	env := &wsapi.Env{Region: region, AccountID: account, Lambda: lambda, Hub: hub, Users: users,
		Clients:    upstream.NewClients(),
		Throttling: &throttle.Throttling{Limiter: ratelimit.NewMemory()}}
	srv := engine.New(door, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	g := &gateway{door: door, hub: hub, env: env, addr: ln.Addr().String(), srv: srv}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hub.Shutdown(ctx)
		srv.Shutdown(ctx)
	})
	return g
}

// deploy compiles snap and publishes it as the test stage.
func (g *gateway) deploy(t *testing.T, snap *modelv2.Snapshot, st *modelv2.Stage) *wsapi.Stage {
	t.Helper()
	d, err := wsapi.Compile(g.env, "dep"+time.Now().Format("150405.000000"), snap)
	if err != nil {
		t.Fatal(err)
	}
	if st == nil {
		st = &modelv2.Stage{StageName: stageName}
	}
	s, err := wsapi.NewStage(g.env, st, d, apiID)
	if err != nil {
		t.Fatal(err)
	}
	g.door.Set(apiID, st.StageName, s)
	return s
}

// url is the stage's path-style ws:// URL.
func (g *gateway) url() string {
	return "ws://" + g.addr + "/_aws/execute-api/" + apiID + "/" + stageName
}

// dial opens a connection (coder/websocket as the client).
func (g *gateway) dial(t *testing.T, u string, opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, u, opts)
	if c != nil {
		t.Cleanup(func() { c.CloseNow() })
	}
	return c, resp, err
}

func (g *gateway) mustDial(t *testing.T) *websocket.Conn {
	t.Helper()
	c, _, err := g.dial(t, g.url(), nil)
	if err != nil {
		t.Fatalf("dial %s: %v", g.url(), err)
	}
	return c
}

func read(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("a %v message", typ)
	}
	return string(b)
}

func write(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// snapshot is a WebSocket API with routes (key → integration id) and
// Lambda integrations named after their function.
func snapshot(routes map[string]string, integrations ...modelv2.Integration) *modelv2.Snapshot {
	s := &modelv2.Snapshot{API: modelv2.Api{ApiID: apiID, Name: "chat", ProtocolType: modelv2.ProtocolWebSocket,
		RouteSelectionExpression: "$request.body.action"}, Integrations: integrations}
	i := 0
	for key, target := range routes {
		i++
		r := modelv2.Route{RouteID: "r" + strings.Repeat("x", i), RouteKey: key, AuthorizationType: modelv2.AuthNone}
		if target != "" {
			r.Target = modelv2.Ptr(modelv2.TargetPrefix + target)
		}
		s.Routes = append(s.Routes, r)
	}
	return s
}

func lambdaIntegration(fn string) modelv2.Integration {
	return modelv2.Integration{IntegrationID: fn, IntegrationType: modelv2.IntegrationAWSProxy,
		IntegrationURI: modelv2.Ptr("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations")}
}

func get(m map[string]any, path string) any {
	var v any = m
	for _, p := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[p]
	}
	return v
}

// withHeader is dial options with one header.
func withHeader(name, value string) *websocket.DialOptions {
	return &websocket.DialOptions{HTTPHeader: http.Header{name: {value}}}
}
