// Package redisclient is the connection to Redis shared by a gateway's
// cluster state: the throttle buckets and quota counters
// (ratelimit/redis) and the stage response caches (respcache/redis) of
// one node all use one Client.
//
// It is built on github.com/redis/rueidis rather than go-redis: rueidis
// pipelines the commands of concurrent callers onto a few connections
// automatically (auto-pipelining), so a throttle check is one EVALSHA
// sharing a write and a read with the other requests in flight, instead
// of one pooled connection held per request; and its Lua helper sends
// EVALSHA and falls back to EVAL only when the server lost the script.
//
// Every call is bounded by a short timeout (Options.Timeout), and a
// breaker keeps a Redis that stopped answering from adding that timeout
// to every request: after a connection failure, calls fail at once with
// ErrUnavailable for Options.Cooldown, then try Redis again. Recovery
// needs no restart.
package redisclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/rueidis"
)

// ErrUnavailable is wrapped by the errors of calls that Redis did not
// answer in time, or that the breaker refused while Redis is down.
var ErrUnavailable = errors.New("redis unavailable")

// Defaults for Options.
const (
	DefaultTimeout     = 100 * time.Millisecond
	DefaultDialTimeout = 2 * time.Second
	DefaultCooldown    = time.Second
)

// Options tune a Client. Zero fields take the defaults.
type Options struct {
	// Timeout bounds each call (DefaultTimeout): the latency a Redis
	// that does not answer adds to a request.
	Timeout time.Duration
	// DialTimeout bounds connecting, at Open and when reconnecting
	// (DefaultDialTimeout).
	DialTimeout time.Duration
	// Cooldown is how long calls fail at once after a connection failure
	// before Redis is tried again (DefaultCooldown).
	Cooldown time.Duration
}

// FailMode says what shared state does with a request when Redis is
// unavailable (the call timed out, or the breaker is open).
type FailMode uint8

const (
	// FailClosed returns an error wrapping ErrUnavailable (and
	// ratelimit.ErrUnavailable for limits and quotas): the gateway
	// answers 503.
	FailClosed FailMode = iota
	// FailOpen falls back to node-local state: throttles and quotas are
	// enforced by each node on its own (a cluster of n nodes admits up
	// to n times a limit while Redis is down, and quota counts taken
	// meanwhile are not added to Redis's); the response cache misses.
	FailOpen
)

// ParseFailMode parses "open" or "closed".
func ParseFailMode(s string) (FailMode, error) {
	switch s {
	case "closed":
		return FailClosed, nil
	case "open":
		return FailOpen, nil
	}
	return 0, fmt.Errorf("redis fail mode %q: want open or closed", s)
}

// String returns "open" or "closed".
func (m FailMode) String() string {
	if m == FailOpen {
		return "open"
	}
	return "closed"
}

// Client is a connection to one Redis server (or cluster), safe for
// concurrent use.
type Client struct {
	rc   rueidis.Client
	desc string // host:port, for errors
	opts Options

	downUntil atomic.Int64 // unix ns until which calls fail at once
}

// Open connects to the Redis at url (redis://[user:password@]host:port[/db],
// rediss:// for TLS, or unix:///path) and checks that it answers. An
// unreachable server fails within the dial timeout, with an error naming
// host and port.
func Open(ctx context.Context, rawURL string, o Options) (*Client, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.Cooldown <= 0 {
		o.Cooldown = DefaultCooldown
	}
	copt, err := rueidis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis: %s: %w", redact(rawURL), err)
	}
	desc := strings.Join(copt.InitAddress, ",")
	copt.Dialer.Timeout = o.DialTimeout
	// A connection that stops answering is dropped after this, so that
	// the next call dials again.
	copt.ConnWriteTimeout = max(10*o.Timeout, time.Second)
	copt.DisableCache = true // no client-side caching: every read is Redis's
	rc, err := newClient(ctx, copt, o.DialTimeout)
	if err != nil {
		return nil, fmt.Errorf("redis: connect to %s: %w", desc, err)
	}
	c := &Client{rc: rc, desc: desc, opts: o}
	if err := c.Ping(ctx); err != nil {
		rc.Close()
		return nil, fmt.Errorf("redis: connect to %s: %w", desc, err)
	}
	return c, nil
}

// newClient dials, within timeout (rueidis dials at creation).
func newClient(ctx context.Context, copt rueidis.ClientOption, timeout time.Duration) (rueidis.Client, error) {
	type result struct {
		c   rueidis.Client
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := rueidis.NewClient(copt)
		ch <- result{c, err}
	}()
	t := time.NewTimer(timeout + time.Second)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-ctx.Done():
	case <-t.C:
	}
	go func() { // close it if it connects after all
		if r := <-ch; r.err == nil {
			r.c.Close()
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("no answer within %v: %w", timeout, ErrUnavailable)
}

// redact removes the password from a URL for error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the URL"
	}
	return u.Redacted()
}

// Close closes the connections.
func (c *Client) Close() { c.rc.Close() }

// String names the server (host:port).
func (c *Client) String() string { return "redis " + c.desc }

// Timeout returns the bound of each call.
func (c *Client) Timeout() time.Duration { return c.opts.Timeout }

// Ping checks that Redis answers within the call timeout, for health
// checks. Unlike other calls it ignores the breaker (it is how a caller
// can see Redis is back) but a failure does trip it.
func (c *Client) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	err := c.rc.Do(ctx, c.rc.B().Ping().Build()).Error()
	return c.result(ctx, "ping", err)
}

// Rueidis returns the underlying client, for commands the helpers here
// do not cover. Calls made through it are not bounded or guarded: wrap
// them in Do.
func (c *Client) Rueidis() rueidis.Client { return c.rc }

// Do runs fn with a context bounded by the call timeout, unless the
// breaker is open (then it fails at once with ErrUnavailable). A
// connection failure or timeout opens the breaker for the cooldown; an
// error Redis answered (a script error, a wrong type) does not. The
// returned error wraps ErrUnavailable when Redis did not answer.
func (c *Client) Do(ctx context.Context, what string, fn func(ctx context.Context, rc rueidis.Client) error) error {
	if until := c.downUntil.Load(); until != 0 && time.Now().UnixNano() < until {
		return fmt.Errorf("redis %s: %s: %w (breaker open after a failure)", c.desc, what, ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	err := fn(ctx, c.rc)
	if staleConn(err) && ctx.Err() == nil {
		// rueidis keeps several pipelined connections; after Redis
		// restarts (or a proxy drops idle connections) each of them
		// fails once with EOF or a reset before it is dialled again.
		// One retry on the next connection keeps a restart from
		// becoming a burst of failures (and an open breaker). The cost,
		// chosen knowingly: if the first attempt did reach Redis before
		// the connection broke, a rate-limit take or quota count is
		// applied twice for that request, which errs towards limiting.
		err = fn(ctx, c.rc)
	}
	return c.result(ctx, what, err)
}

// staleConn reports whether err is a connection that broke under a call
// (closed by the peer or reset), as opposed to a timeout, a refused dial or
// an error Redis answered.
func staleConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed)
}

// result classifies err: nil and Redis's own errors (nil replies
// included) pass through; anything else is a failure to reach Redis,
// which opens the breaker and is wrapped with ErrUnavailable. A caller's
// own cancellation passes through without tripping it.
func (c *Client) result(ctx context.Context, what string, err error) error {
	if err == nil {
		c.downUntil.Store(0)
		return nil
	}
	if _, ok := rueidis.IsRedisErr(err); ok {
		c.downUntil.Store(0)
		return err
	}
	if errors.Is(err, context.Canceled) && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return err
	}
	c.downUntil.Store(time.Now().Add(c.opts.Cooldown).UnixNano())
	return fmt.Errorf("redis %s: %s: %w: %w", c.desc, what, ErrUnavailable, err)
}
