// Package wsapi is the data plane of WebSocket APIs (API Gateway v2,
// protocol type WEBSOCKET): compiled deployments and stages (Compile,
// NewStage), the opening handshake that waits for the $connect route
// (authorizer, then integration), message routing by the API's
// routeSelectionExpression with the $default fallback, $disconnect, the
// Lambda proxy events (CONNECT, MESSAGE, DISCONNECT), the AWS_PROXY,
// MOCK and HTTP_PROXY integrations, the limits and throttles, and the
// @connections management API (PostToConnection, GetConnection,
// DeleteConnection) on the data-plane listeners.
//
// A connection outlives the stage version that accepted it: it belongs to
// the node's Hub, and every message is routed by the stage published at
// the time (a redeploy keeps connections open; new messages use the new
// deployment). Where connections are, and what they carry for their whole
// life (identity, the $connect authorizer's context), is kept in a
// connreg.Registry: in memory on one node; in a cluster, in Redis
// (connreg/redis), with a connreg.Relay that carries PostToConnection and
// DeleteConnection to the node holding the socket, so an @connections
// call works on any node and $disconnect runs once, on that node. A call
// for a connection of the node it reaches never waits for Redis.
//
// # The upgrade hand-off
//
// The data plane runs on fasthttp. The handshake is an ordinary request
// through the front door until $connect has decided; the Stage then sets
// the 101 answer and hands the connection over through
// pipeline.Upgrader (fasthttp's hijacking, internal/gateway/engine), and
// internal/gateway/websocket speaks the protocol on the raw connection.
// That was chosen over github.com/coder/websocket (or gorilla/websocket)
// behind a fake net/http ResponseWriter because API Gateway's limits are
// per frame (32 KB) as well as per message (128 KB), which those libraries
// do not expose, and because an idle connection should hold no buffers.
// Measured with `go run ./bench/wsbench -idle 3000` (bench/README.md,
// "WebSocket"): reading through the connection fasthttp's hijack handler
// gets (its 16 KB read buffer kept for the connection's life) cost 14.1 KB
// of RSS per idle connection; handing the raw connection to a goroutine of
// its own, as engine.Upgrade does, 5.8 KB (a bare echo server on the same
// engine: 4.6 KB). Through a two-way MOCK route, a message costs 0.85× the
// CPU of that bare echo server's.
//
// AWS facts are cited as elsewhere in Tollgate: [D] the developer guide,
// [M] the service model, [G] aws-lambda-go's event types and captured test
// data, [C] community captures of real behaviour, [U] unverified (the
// most plausible behaviour, chosen here).
package wsapi
