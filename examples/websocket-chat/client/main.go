// Command client is the chat example's client: it connects to a WebSocket
// API, sends each --send message once the previous one has been answered,
// and prints every message it receives, until it has received --expect
// messages (then it closes the connection) or is interrupted.
//
//	go run ./examples/websocket-chat/client --ca tollgate-data/tls/ca.pem \
//	  --send '{"action":"join","room":"lobby"}' 'wss://127.0.0.1:8443/_aws/execute-api/API/prod?name=ada'
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/coder/websocket"
)

type list []string

func (l *list) String() string     { return fmt.Sprint(*l) }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	var sends list
	flag.Var(&sends, "send", "a message to send (repeatable; each after an answer to the previous)")
	ca := flag.String("ca", "", "PEM file of the CA to trust for wss:// (the gateway's local CA)")
	expect := flag.Int("expect", 0, "close after receiving this many messages (0: never)")
	timeout := flag.Duration("timeout", 30*time.Second, "give up after this long")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: client [--ca FILE] [--send MSG]… [--expect N] ws(s)://…")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	opts := &websocket.DialOptions{}
	if *ca != "" {
		pem, err := os.ReadFile(*ca)
		if err != nil {
			fail(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		opts.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	}
	c, _, err := websocket.Dial(ctx, flag.Arg(0), opts)
	if err != nil {
		fail(err)
	}
	defer c.CloseNow()
	for i, received := 0, 0; ; {
		if i < len(sends) && i <= received {
			if err := c.Write(ctx, websocket.MessageText, []byte(sends[i])); err != nil {
				fail(err)
			}
			i++
		}
		_, b, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			fail(err)
		}
		fmt.Println(string(b))
		received++
		if *expect > 0 && received >= *expect {
			c.Close(websocket.StatusNormalClosure, "")
			return
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "client:", err)
	os.Exit(1)
}
