package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"
)

// startRedis starts a private redis-server (no persistence) on a free
// loopback port, pinned with the proxies (its CPU is the target's, as a
// cluster node's Redis would cost), and waits until it answers PING.
func startRedis(ctx context.Context, e *env, name string) (string, *proc, error) {
	bin := findTool("redis-server")
	if bin == "" {
		return "", nil, fmt.Errorf("redis-server is not installed (Debian: apt-get install redis-server)")
	}
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	p, err := e.start(name, e.cfg.proxyCPU, nil, bin, "--bind", "127.0.0.1", "--port", port,
		"--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", e.dir)
	if err != nil {
		return "", nil, err
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := pingRedis(addr); err == nil {
			return addr, p, nil
		} else if time.Now().After(deadline) {
			return "", p, fmt.Errorf("%s: no PONG from %s: %v: %s", name, addr, err, p.logTail(300))
		}
		if ok, why := p.exited(); ok {
			return "", p, fmt.Errorf("%s", why)
		}
		select {
		case <-ctx.Done():
			return "", p, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// pingRedis sends PING and expects +PONG.
func pingRedis(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("answer %q", line)
	}
	return nil
}
