package wsapi_test

import (
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

// TestMessageThrottles: a stage's route throttle (routeSettings, else
// defaultRouteSettings) applies to messages: a message over it gets the
// Too Many Requests frame and reaches no integration; other routes keep
// their own buckets [D].
func TestMessageThrottles(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	st := &modelv2.Stage{StageName: stageName, RouteSettings: map[string]modelv2.RouteSettings{
		"slow": {ThrottlingRateLimit: model.Ptr(model.Double(0.001)), ThrottlingBurstLimit: model.Ptr(int64(2))}}}
	g.deploy(t, snapshot(map[string]string{"slow": "slow", "$default": "default"}, lambdaIntegration("slow"), lambdaIntegration("default")), st)
	c := g.mustDial(t)
	for range 2 {
		write(t, c, `{"action":"slow"}`)
		fl.next(t, "slow")
	}
	write(t, c, `{"action":"slow"}`)
	m := frameRE.FindStringSubmatch(read(t, c))
	if m == nil || m[1] != "Too Many Requests" {
		t.Fatalf("the third message over a burst of 2: %v", m)
	}
	write(t, c, `{"action":"other"}`)
	if ev := fl.next(t, "default"); ev["body"] != `{"action":"other"}` {
		t.Fatalf("another route: %v", ev)
	}
}

// TestConnectionRate: new connections beyond the account's rate are
// refused with 429 before $connect runs.
func TestConnectionRate(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	g.env.ConnectLimit = ratelimit.Limit{Rate: 0.001, Burst: 2}
	g.deploy(t, snapshot(map[string]string{"$connect": "connect"}, lambdaIntegration("connect")), nil)
	g.mustDial(t)
	g.mustDial(t)
	if _, resp, _ := g.dial(t, g.url(), nil); resp == nil || resp.StatusCode != 429 {
		t.Fatalf("a third connection: %v", resp)
	}
	fl.next(t, "connect")
	fl.next(t, "connect")
	select {
	case ev := <-fl.events:
		t.Fatalf("$connect ran for a refused connection: %v", ev)
	default:
	}
}
