package engine

import (
	"net"

	"github.com/valyala/fasthttp"
)

// Upgrade implements pipeline.Upgrader through fasthttp's hijacking:
// fasthttp sends the response, then calls the hijack handler. The
// connection handed on is the one fasthttp served (TLS included), not
// fasthttp's wrapper around it, and fn runs on a goroutine of its own, so
// that the 16 KB read buffer fasthttp gives a hijacked connection is
// released at once instead of living as long as the WebSocket (a client
// sends nothing more before it has the 101, RFC 6455 §4.1, so nothing is
// left in that buffer). The server keeps hijacked connections open
// (KeepHijackedConns): fn closes its connection.
func (w *response) Upgrade(fn func(net.Conn)) {
	ctx := w.ctx()
	raw := ctx.Conn()
	ctx.Hijack(func(net.Conn) { go fn(raw) })
}

// hijackClose runs a hijack handler that does not keep its connection:
// with KeepHijackedConns, fasthttp leaves the closing to the handler.
func hijackClose(ctx *fasthttp.RequestCtx, fn func(c net.Conn)) {
	ctx.Hijack(func(c net.Conn) {
		fn(c)
		_ = c.Close()
	})
}
