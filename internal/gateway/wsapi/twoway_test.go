package wsapi_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// twoWay makes the route with key two-way: routeResponseSelectionExpression
// $default and a $default route response [D].
func twoWay(s *modelv2.Snapshot, key string) {
	for i := range s.Routes {
		if s.Routes[i].RouteKey == key {
			s.Routes[i].RouteResponseSelectionExpression = modelv2.Ptr("$default")
			if s.RouteResponses == nil {
				s.RouteResponses = map[string][]modelv2.RouteResponse{}
			}
			s.RouteResponses[s.Routes[i].RouteID] = []modelv2.RouteResponse{{RouteResponseID: "rr" + key, RouteResponseKey: "$default"}}
		}
	}
}

// TestTwoWayLambda: a two-way route sends the function's body back as one
// message; the same function on a one-way route sends nothing [D].
func TestTwoWayLambda(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	snap := snapshot(map[string]string{"ask": "fn", "tell": "fn"}, lambdaIntegration("fn"))
	for i := range snap.Routes {
		if snap.Routes[i].RouteKey == "tell" {
			// A selection expression without a route response: one-way.
			snap.Routes[i].RouteResponseSelectionExpression = modelv2.Ptr("$default")
		}
	}
	twoWay(snap, "ask")
	g.deploy(t, snap, nil)
	fl.on("fn", func(ev map[string]any) (any, string) {
		return map[string]any{"statusCode": 200, "body": "answer to " + ev["body"].(string)}, ""
	})
	c := g.mustDial(t)
	write(t, c, `{"action":"tell"}`)
	fl.next(t, "fn")
	write(t, c, `{"action":"ask"}`)
	if got := read(t, c); got != `answer to {"action":"ask"}` {
		t.Fatalf("two-way answer %q (a one-way route answered first?)", got)
	}
}

// TestTwoWayMock: MOCK integrations take their status from the request
// template the templateSelectionExpression picks, and their answer from
// the integration response matching it, rendered with $context [D].
func TestTwoWayMock(t *testing.T) {
	g := startGateway(t, newFakeLambda(), wsapi.HubConfig{})
	mock := modelv2.Integration{IntegrationID: "mock", IntegrationType: modelv2.IntegrationMock,
		TemplateSelectionExpression: modelv2.Ptr("${request.body.kind}"),
		RequestTemplates: map[string]string{"$default": `{"statusCode": 200}`, "missing": `{"statusCode": 404}`,
			"broken": `{"nothing": 1}`}}
	snap := snapshot(map[string]string{"$default": "mock"}, mock)
	twoWay(snap, "$default")
	snap.IntegrationResponses = map[string][]modelv2.IntegrationResponse{"mock": {
		{IntegrationResponseID: "ir1", IntegrationResponseKey: "$default", ResponseTemplates: map[string]string{
			"$default": `{"route":"$context.routeKey","connectionId":"$context.connectionId","echo":$input.json('$')}`}},
		{IntegrationResponseID: "ir2", IntegrationResponseKey: `/4\d\d/`, TemplateSelectionExpression: modelv2.Ptr("${integration.response.statuscode}"),
			ResponseTemplates: map[string]string{"404": `not found`, "$default": `other 4xx`}},
	}}
	g.deploy(t, snap, nil)
	c := g.mustDial(t)
	write(t, c, `{"kind":"normal"}`)
	var got map[string]any
	if err := json.Unmarshal([]byte(read(t, c)), &got); err != nil || got["route"] != "$default" || !awsID.MatchString(got["connectionId"].(string)) {
		t.Fatalf("the $default integration response: %v %v", got, err)
	}
	write(t, c, `{"kind":"missing"}`)
	if got := read(t, c); got != "not found" {
		t.Fatalf("a 404 from the request template: %q", got)
	}
	write(t, c, `{"kind":"broken"}`)
	if got := read(t, c); !frameRE.MatchString(got) || frameRE.FindStringSubmatch(got)[1] != "Internal server error" {
		t.Fatalf("a request template without statusCode: %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, b, err := c.Read(ctx); err == nil {
		t.Fatalf("an extra message: %s", b)
	}
}

// TestMockTemplateVariables: templates read $context (identity, the
// message's ids), $stageVariables (read-only) and $input; a request
// template's statusCode may be computed.
func TestMockTemplateVariables(t *testing.T) {
	g := startGateway(t, newFakeLambda(), wsapi.HubConfig{})
	mock := modelv2.Integration{IntegrationID: "mock", IntegrationType: modelv2.IntegrationMock,
		RequestTemplates: map[string]string{"$default": `#set($s = 200){"statusCode": $s}`}}
	snap := snapshot(map[string]string{"$default": "mock"}, mock)
	twoWay(snap, "$default")
	snap.IntegrationResponses = map[string][]modelv2.IntegrationResponse{"mock": {{IntegrationResponseID: "ir1",
		IntegrationResponseKey: "$default", ResponseTemplates: map[string]string{"$default": `{"ip":"$context.identity.sourceIp",` +
			`"greeting":"$stageVariables.greeting","has":$stageVariables.containsKey('greeting'),"event":"$context.eventType",` +
			`"message":"$context.messageId","route":"$context.routeKey"}`}}}}
	g.deploy(t, snap, &modelv2.Stage{StageName: stageName, StageVariables: map[string]string{"greeting": "hi"}})
	c := g.mustDial(t)
	write(t, c, `{"a":1}`)
	var got map[string]any
	if err := json.Unmarshal([]byte(read(t, c)), &got); err != nil {
		t.Fatal(err)
	}
	if got["ip"] != "127.0.0.1" || got["greeting"] != "hi" || got["has"] != true || got["event"] != "MESSAGE" ||
		!awsID.MatchString(got["message"].(string)) || got["route"] != "$default" {
		t.Fatalf("rendered: %v", got)
	}
}

// TestMessagesConcurrent: a connection's messages are served without
// waiting for the ones before them: a slow integration does not hold up
// the next message.
func TestMessagesConcurrent(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	snap := snapshot(map[string]string{"slow": "slow", "fast": "fast"}, lambdaIntegration("slow"), lambdaIntegration("fast"))
	twoWay(snap, "slow")
	twoWay(snap, "fast")
	g.deploy(t, snap, nil)
	release := make(chan struct{})
	fl.on("slow", func(map[string]any) (any, string) {
		<-release
		return map[string]any{"statusCode": 200, "body": "slow"}, ""
	})
	fl.on("fast", func(map[string]any) (any, string) { return map[string]any{"statusCode": 200, "body": "fast"}, "" })
	c := g.mustDial(t)
	write(t, c, `{"action":"slow"}`)
	fl.next(t, "slow")
	write(t, c, `{"action":"fast"}`)
	if got := read(t, c); got != "fast" {
		t.Fatalf("first answer %q, want the fast one", got)
	}
	close(release)
	if got := read(t, c); got != "slow" {
		t.Fatalf("second answer %q", got)
	}
}
