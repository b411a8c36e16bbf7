package wsapi_test

import (
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// TestMessageValidation: a route's request model (picked by its
// modelSelectionExpression) validates messages: an invalid one gets the
// Bad request body frame and reaches no integration [D].
func TestMessageValidation(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	snap := snapshot(map[string]string{"join": "join"}, lambdaIntegration("join"))
	snap.Models = []modelv2.Model{
		{ModelID: "m1", Name: "Join", Schema: modelv2.Ptr(`{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["room"],"properties":{"room":{"$ref":"https://apigateway.amazonaws.com/restapis/` + apiID + `/models/Room"}}}`)},
		{ModelID: "m2", Name: "Room", Schema: modelv2.Ptr(`{"type":"string","minLength":2}`)},
	}
	for i := range snap.Routes {
		snap.Routes[i].ModelSelectionExpression = modelv2.Ptr("$default")
		snap.Routes[i].RequestModels = map[string]string{"$default": "Join"}
	}
	g.deploy(t, snap, nil)
	c := g.mustDial(t)
	for _, bad := range []string{`{"action":"join"}`, `{"action":"join","room":"x"}`, `{"action":"join","room":7}`} {
		write(t, c, bad)
		got := read(t, c)
		if !badBodyRE.MatchString(got) {
			t.Fatalf("%s: %s", bad, got)
		}
	}
	write(t, c, `{"action":"join","room":"lobby"}`)
	if ev := fl.next(t, "join"); ev["body"] != `{"action":"join","room":"lobby"}` {
		t.Fatalf("the valid message: %v", ev)
	}
	select {
	case ev := <-fl.events:
		t.Fatalf("an invalid message reached the function: %v", ev)
	default:
	}
}

// TestConnectRequiredParameters: $connect's required request parameters
// must be in the handshake, else it is refused with 400 [U].
func TestConnectRequiredParameters(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	snap := snapshot(map[string]string{"$connect": "connect"}, lambdaIntegration("connect"))
	snap.Routes[0].RequestParameters = map[string]modelv2.ParameterConstraints{
		"route.request.querystring.name": {Required: true}, "route.request.header.X-Team": {Required: true},
		"route.request.header.X-Optional": {Required: false}}
	g.deploy(t, snap, nil)
	if _, resp, _ := g.dial(t, g.url()+"?name=ada", nil); resp == nil || resp.StatusCode != 400 {
		t.Fatalf("without X-Team: %v", resp)
	}
	if _, _, err := g.dial(t, g.url()+"?name=ada", withHeader("X-Team", "core")); err != nil {
		t.Fatalf("with both: %v", err)
	}
	fl.next(t, "connect")
}
