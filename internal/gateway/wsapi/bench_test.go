package wsapi

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/websocket"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

// discardConn is a net.Conn whose writes go nowhere.
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error)      { return len(p), nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }
func (discardConn) Close() error                     { return nil }

// countConn counts the frames written to it and keeps the last.
type countConn struct {
	discardConn
	n    int
	last []byte
}

func (c *countConn) Write(p []byte) (int, error) {
	c.n++
	c.last = append(c.last[:0], p...)
	return len(p), nil
}

// BenchmarkMessageTwoWayMock is one message through a two-way MOCK route
// (route selection, throttles, templates, the answer's frame): what the
// echo benchmark (bench/wsbench) measures, without the network.
func BenchmarkMessageTwoWayMock(b *testing.B) {
	for _, tc := range []struct{ name, reply string }{
		{"static", `{"pong":true}`},
		{"context", `{"route":"$context.routeKey","id":"$context.connectionId"}`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			snap := &modelv2.Snapshot{API: modelv2.Api{ApiID: "a", ProtocolType: modelv2.ProtocolWebSocket, RouteSelectionExpression: "$request.body.action"},
				Integrations: []modelv2.Integration{{IntegrationID: "m", IntegrationType: modelv2.IntegrationMock,
					TemplateSelectionExpression: modelv2.Ptr(`\$default`), RequestTemplates: map[string]string{"$default": `{"statusCode": 200}`}}},
				Routes: []modelv2.Route{{RouteID: "r", RouteKey: "$default", Target: modelv2.Ptr("integrations/m"),
					RouteResponseSelectionExpression: modelv2.Ptr("$default")}},
				RouteResponses:       map[string][]modelv2.RouteResponse{"r": {{RouteResponseKey: "$default"}}},
				IntegrationResponses: map[string][]modelv2.IntegrationResponse{"m": {{IntegrationResponseKey: "$default", ResponseTemplates: map[string]string{"$default": tc.reply}}}},
			}
			env := &Env{Throttling: &throttle.Throttling{Limiter: ratelimit.NewMemory()}}
			env.Throttling.SetAccountLimit(ratelimit.Limit{Rate: 1e9, Burst: 1e9})
			d, err := Compile(env, "d", snap)
			if err != nil {
				b.Fatal(err)
			}
			st, _ := NewStage(env, &modelv2.Stage{StageName: "s"}, d, "a")
			hub := NewHub(HubConfig{Lookup: func(string, string) pipeline.Target { return st }})
			env.Hub = hub
			c := &conn{id: newID(), hub: hub, apiID: "a", stage: "s", connectedAt: time.Now(), attached: make(chan struct{})}
			c.ws = websocket.NewConn(discardConn{}, websocket.Limits{})
			close(c.attached)
			msg := []byte(`{"action":"echo","pad":"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"}`)
			var sent countConn
			c.ws = websocket.NewConn(&sent, websocket.Limits{})
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				c.message(msg, time.Now())
			}
			b.StopTimer()
			if sent.n != b.N || bytes.Contains(sent.last, []byte(`{"message": `)) {
				b.Fatalf("%d answers for %d messages, the last %q", sent.n, b.N, sent.last)
			}
		})
	}
}
