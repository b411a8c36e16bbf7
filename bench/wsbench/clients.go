package main

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// dial opens n connections to s, at most rate per second (Tollgate admits
// 500 new connections per second, as AWS does).
func dial(ctx context.Context, s *server, n int, rate int) ([]*websocket.Conn, error) {
	conns := make([]*websocket.Conn, n)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := range n {
		<-tick.C
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			c, _, err := websocket.Dial(ctx, s.url, nil)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	if firstErr != nil {
		closeAll(conns)
		return nil, firstErr
	}
	return conns, nil
}

func closeAll(conns []*websocket.Conn) {
	for _, c := range conns {
		if c != nil {
			c.CloseNow()
		}
	}
}

// idleCost opens n idle connections and returns the server's RSS growth
// per connection, in bytes.
func idleCost(ctx context.Context, s *server, n int) (float64, error) {
	warm, err := dial(ctx, s, 200, 450)
	if err != nil {
		return 0, err
	}
	closeAll(warm)
	time.Sleep(2 * time.Second)
	before := rss(s.pid())
	conns, err := dial(ctx, s, n, 480)
	if err != nil {
		return 0, err
	}
	defer closeAll(conns)
	// Keep every client reading, as a client does, so that the harness's
	// side stays cheap and honest; the server sees idle connections.
	time.Sleep(3 * time.Second)
	after := rss(s.pid())
	return float64(after-before) / float64(n), nil
}

// echoRun keeps conns clients sending a 100-byte message and waiting for
// the answer for d, and returns the round trips made and the server's CPU
// time meanwhile.
func echoRun(ctx context.Context, s *server, conns int, d time.Duration) (int64, time.Duration, error) {
	cs, err := dial(ctx, s, conns, 450)
	if err != nil {
		return 0, 0, err
	}
	defer closeAll(cs)
	msg := []byte(`{"action":"echo","pad":"` + strings.Repeat("y", 100-25) + `"}`)
	// Warm up.
	for _, c := range cs {
		if err := roundTrip(ctx, c, msg); err != nil {
			return 0, 0, err
		}
	}
	var total atomic.Int64
	var failed atomic.Value
	cpu0 := cpuTime(s.pid())
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				if err := roundTrip(ctx, c, msg); err != nil {
					failed.Store(err)
					return
				}
				total.Add(1)
			}
		}()
	}
	wg.Wait()
	cpu := cpuTime(s.pid()) - cpu0
	if err, _ := failed.Load().(error); err != nil {
		return 0, 0, err
	}
	return total.Load(), cpu, nil
}

func roundTrip(ctx context.Context, c *websocket.Conn, msg []byte) error {
	if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
		return err
	}
	_, _, err := c.Read(ctx)
	return err
}

// broadcast opens n connections to Tollgate, learns their ids (GetConnection
// is not needed: each client asks the route for its own id), posts one
// message to each through @connections, and returns the time from the
// first POST to the last delivery.
func broadcast(ctx context.Context, t *tollgate, n int) (time.Duration, error) {
	conns, err := dial(ctx, t.server, n, 450)
	if err != nil {
		return 0, err
	}
	defer closeAll(conns)
	ids, err := connectionIDs(ctx, t, conns)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	var failed atomic.Value
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, b, err := c.Read(ctx); err != nil || string(b) != "broadcast" {
				failed.Store(fmt.Errorf("a client read %q, %v", b, err))
			}
		}()
	}
	start := time.Now()
	endpoint := "http://" + t.data + "/_aws/execute-api/" + t.apiID + "/bench/@connections/"
	sem := make(chan struct{}, 2*runtime.NumCPU()+8)
	var posts sync.WaitGroup
	for _, id := range ids {
		sem <- struct{}{}
		posts.Add(1)
		go func() {
			defer func() { <-sem; posts.Done() }()
			status, b, err := signed(ctx, "POST", endpoint+url.PathEscape(id), []byte("broadcast"), "execute-api", opsKey, opsSecret)
			if err != nil || status != 200 {
				failed.Store(fmt.Errorf("PostToConnection: %d %s %v", status, b, err))
			}
		}()
	}
	posts.Wait()
	wg.Wait()
	d := time.Since(start)
	if err, _ := failed.Load().(error); err != nil {
		return 0, err
	}
	return d, nil
}

// connectionIDs asks each connection for its id (the "whoami" route).
func connectionIDs(ctx context.Context, t *tollgate, conns []*websocket.Conn) ([]string, error) {
	ids := make([]string, len(conns))
	for i, c := range conns {
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"whoami"}`)); err != nil {
			return nil, err
		}
		_, b, err := c.Read(ctx)
		if err != nil {
			return nil, err
		}
		ids[i] = string(b)
	}
	return ids, nil
}
