// Command wsecho is the reference of the WebSocket benchmarks
// (bench/wsbench): a bare WebSocket echo server on the engine Tollgate's
// data plane uses — fasthttp, the upgrade handed over as
// internal/gateway/engine does, frames read and written by
// internal/gateway/websocket — with nothing of the gateway in between.
//
//	wsecho --addr 127.0.0.1:9001
package main

import (
	"flag"
	"fmt"
	"log"
	"net"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "listen address")
	flag.Parse()
	srv := &fasthttp.Server{
		KeepHijackedConns: true,
		Handler: func(ctx *fasthttp.RequestCtx) {
			key := string(ctx.Request.Header.Peek("Sec-WebSocket-Key"))
			if !websocket.ValidKey(key) {
				ctx.Error("not a WebSocket handshake", fasthttp.StatusBadRequest)
				return
			}
			ctx.SetStatusCode(fasthttp.StatusSwitchingProtocols)
			ctx.Response.Header.Set("Upgrade", "websocket")
			ctx.Response.Header.Set("Connection", "Upgrade")
			ctx.Response.Header.Set("Sec-WebSocket-Accept", websocket.AcceptKey(key))
			raw := ctx.Conn()
			ctx.Hijack(func(net.Conn) { go echo(raw) })
		},
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	log.Fatal(srv.Serve(ln))
}

// echo sends every message back until the connection ends.
func echo(nc net.Conn) {
	c := websocket.NewConn(nc, websocket.Limits{MaxFrame: 32 << 10, MaxMessage: 128 << 10})
	defer nc.Close()
	for {
		msg, err := c.ReadMessage()
		if err != nil {
			return
		}
		if err := c.WriteText(msg); err != nil {
			return
		}
	}
}
