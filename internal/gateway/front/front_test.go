package front_test

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// target records the address of the last request it served and what
// retired it.
type target struct {
	name    string
	at      pipeline.Address
	served  int
	retired []pipeline.Target // Retire's argument, per call
}

func (t *target) Serve(_ context.Context, _ pipeline.Request, resp pipeline.Response, at pipeline.Address) {
	t.at = at
	t.served++
	resp.SetStatus(200)
	resp.SetBody([]byte(t.name))
}

func (t *target) Retire(next pipeline.Target) { t.retired = append(t.retired, next) }

func serve(d *front.Door, host, path string) *gatewaytest.Response {
	resp := gatewaytest.NewResponse()
	d.Serve(context.Background(), gatewaytest.NewRequest("GET", host, path, nil), resp)
	return resp
}

// TestAddressing: the three execute-api forms reach a stage with the path
// after it; repeated leading slashes fold in the stage path the API routes
// but stay in the raw one; an API's $default stage serves at the root of
// its host, and under its name in the path forms.
func TestAddressing(t *testing.T) {
	d := &front.Door{}
	dev, prod, def := &target{name: "dev"}, &target{name: "prod"}, &target{name: "default"}
	d.Set("rest1", "dev", dev)
	d.Set("http1", "prod", prod)
	d.Set("http1", front.DefaultStage, def)
	for _, c := range []struct {
		host, path string
		want       *target
		at         pipeline.Address
	}{
		{"rest1.execute-api.localhost", "/dev/pets/1", dev, pipeline.Address{APIID: "rest1", StageName: "dev", StagePath: "/pets/1", RawStagePath: "/pets/1"}},
		{"rest1.execute-api.localhost", "/dev", dev, pipeline.Address{APIID: "rest1", StageName: "dev"}},
		{"rest1.execute-api.localhost", "//dev//pets", dev, pipeline.Address{APIID: "rest1", StageName: "dev", StagePath: "/pets", RawStagePath: "//pets"}},
		{"localhost", "/_aws/execute-api/rest1/dev/pets", dev, pipeline.Address{APIID: "rest1", StageName: "dev", StagePath: "/pets", RawStagePath: "/pets"}},
		{"localhost", "/restapis/rest1/dev/_user_request_/pets", dev, pipeline.Address{APIID: "rest1", StageName: "dev", StagePath: "/pets", RawStagePath: "/pets"}},
		{"localhost", "/restapis/rest1/dev/_user_request_", dev, pipeline.Address{APIID: "rest1", StageName: "dev"}},
		{"http1.execute-api.localhost", "/prod/orders", prod, pipeline.Address{APIID: "http1", StageName: "prod", StagePath: "/orders", RawStagePath: "/orders"}},
		{"http1.execute-api.localhost", "/orders/7", def, pipeline.Address{APIID: "http1", StageName: "$default", StagePath: "/orders/7", RawStagePath: "/orders/7"}},
		{"http1.execute-api.localhost", "/", def, pipeline.Address{APIID: "http1", StageName: "$default", StagePath: "/", RawStagePath: "/"}},
		{"localhost", "/_aws/execute-api/http1/$default/orders", def, pipeline.Address{APIID: "http1", StageName: "$default", StagePath: "/orders", RawStagePath: "/orders"}},
		{"localhost", "/_aws/execute-api/http1/%24default/orders", def, pipeline.Address{APIID: "http1", StageName: "$default", StagePath: "/orders", RawStagePath: "/orders"}},
	} {
		c.at.DomainName = c.host
		r := serve(d, c.host, c.path)
		if r.Code != 200 || string(r.Body()) != c.want.name || c.want.at != c.at {
			t.Errorf("%s %s: %d %q at %+v, want %s at %+v", c.host, c.path, r.Code, r.Body(), c.want.at, c.want.name, c.at)
		}
	}
}

// TestMisses: what reaches no target gets 403 {"message":"Forbidden"}, a
// path with a dot-segment 400 before any lookup; both carry the request
// ids every response has.
func TestMisses(t *testing.T) {
	d := &front.Door{}
	dev := &target{name: "dev"}
	d.Set("rest1", "dev", dev)
	for _, c := range []struct {
		host, path string
		status     int
		body       string
	}{
		{"rest1.execute-api.localhost", "/prod/pets", 403, `{"message":"Forbidden"}`},
		{"rest1.execute-api.localhost", "/", 403, `{"message":"Forbidden"}`},
		{"other.execute-api.localhost", "/dev/pets", 403, `{"message":"Forbidden"}`},
		{"localhost", "/dev/pets", 403, `{"message":"Forbidden"}`},
		{"localhost", "/_aws/execute-api/rest1", 403, `{"message":"Forbidden"}`},
		{"localhost", "/restapis/rest1/dev/_user_request_x", 403, `{"message":"Forbidden"}`},
		{"rest1.execute-api.localhost", "/dev/a/../b", 400, `{"message":"Bad Request"}`},
		{"rest1.execute-api.localhost", "/dev/%2e%2e/b", 400, `{"message":"Bad Request"}`},
	} {
		r := serve(d, c.host, c.path)
		if r.Code != c.status || string(r.Body()) != c.body || len(r.Headers.Get("x-amzn-RequestId")) != 36 || r.Headers.Get("x-amz-apigw-id") == "" {
			t.Errorf("%s %s: %d %s %v, want %d %s", c.host, c.path, r.Code, r.Body(), r.Headers, c.status, c.body)
		}
		if c.status == 403 && r.Headers.Get("x-amzn-ErrorType") != "ForbiddenException" {
			t.Errorf("%s %s: x-amzn-ErrorType %q", c.host, c.path, r.Headers.Get("x-amzn-ErrorType"))
		}
	}
	if dev.served != 0 {
		t.Errorf("the stage served %d misses", dev.served)
	}
}

// TestSwapRetires: a replaced target is retired with its successor, a
// removed one with nil, once each and only after the new table serves; a
// target set again in its own place is not retired.
func TestSwapRetires(t *testing.T) {
	d := &front.Door{}
	v1, v2, other := &target{name: "v1"}, &target{name: "v2"}, &target{name: "other"}
	d.Set("a", "s", v1)
	d.Set("a", "t", other)
	d.Set("a", "s", v1)
	if len(v1.retired) != 0 {
		t.Fatalf("re-setting a target retired it: %v", v1.retired)
	}
	d.Set("a", "s", v2)
	if len(v1.retired) != 1 || v1.retired[0] != v2 {
		t.Fatalf("v1 retired with %v, want [v2]", v1.retired)
	}
	if got := string(serve(d, "a.execute-api.x", "/s/p").Body()); got != "v2" || d.Lookup("a", "s") != v2 {
		t.Errorf("after the swap: %q", got)
	}
	d.Set("a", "s", nil)
	if len(v2.retired) != 1 || v2.retired[0] != nil || d.Lookup("a", "s") != nil {
		t.Errorf("removed: v2 retired with %v", v2.retired)
	}
	d.RemoveAPI("a")
	if len(other.retired) != 1 || other.retired[0] != nil {
		t.Errorf("API removed: other retired with %v", other.retired)
	}
	n := 0
	d.Each(func(string, string, pipeline.Target) { n++ })
	if n != 0 || serve(d, "a.execute-api.x", "/t/p").Code != 403 {
		t.Errorf("after RemoveAPI: %d targets", n)
	}
	d.RemoveAPI("a") // nothing left: no panic, nothing retired again
	if len(other.retired) != 1 {
		t.Errorf("retired twice: %v", other.retired)
	}
}
