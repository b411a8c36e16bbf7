// Command fhproxy is the benchmark's third reference point: the fastest Go
// proxy we know how to write, a fasthttp server forwarding through a
// fasthttp HostClient, configured as Tollgate's engine is (read, write
// and idle timeouts, a deadline per upstream call). Tollgate's data plane
// runs on the same library, so this is the floor its pipeline adds to.
package main

import (
	"flag"
	"log"
	"time"

	"github.com/valyala/fasthttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8083", "listen address")
	upstream := flag.String("upstream", "127.0.0.1:8081", "backend host:port")
	flag.Parse()
	client := &fasthttp.HostClient{Addr: *upstream, MaxConns: 4096, MaxIdleConnDuration: 90 * time.Second}
	handler := func(ctx *fasthttp.RequestCtx) {
		ctx.Request.SetHost(*upstream)
		if err := client.DoDeadline(&ctx.Request, &ctx.Response, time.Now().Add(29*time.Second)); err != nil {
			ctx.Error(err.Error(), fasthttp.StatusBadGateway)
		}
	}
	srv := &fasthttp.Server{
		Handler:      handler,
		ReadTimeout:  60 * time.Second,
		WriteTimeout: 60 * time.Second,
		IdleTimeout:  120 * time.Second,
	}
	log.Fatal(srv.ListenAndServe(*addr))
}
