package wsapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/connreg"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// Hub holds a node's open connections. Connections outlive the stage
// versions that accepted them: each message is served by the stage
// published when it arrives.
type Hub struct {
	node     string
	registry connreg.Registry
	relay    connreg.Relay // nil: the connections are this node's alone
	failOpen bool
	lookup   func(apiID, stage string) pipeline.Target
	users    *authz.Users
	log      *slog.Logger
	idle     time.Duration
	maxDur   time.Duration

	mu    sync.Mutex
	conns map[string]*conn

	draining atomic.Bool
	done     sync.WaitGroup // connections running

	// touched holds the lastActiveAt a shared registry is owed (written
	// once a second by Run).
	touchMu sync.Mutex
	touched map[string]time.Time
}

// HubConfig configures a Hub.
type HubConfig struct {
	// Node names this node in the registry's records.
	Node string
	// Registry records the connections (nil: in memory).
	Registry connreg.Registry
	// Relay carries @connections calls to the node holding a connection
	// (a cluster's; nil: every connection is this node's). Run serves it.
	Relay connreg.Relay
	// FailOpen says what @connections calls for connections this node
	// does not hold answer while the shared registry does not: 410
	// GoneException, as a node on its own would (true), or 503 (false).
	FailOpen bool
	// Lookup returns the target published for a stage (the front door's
	// Lookup): each message is served by the stage's current version.
	Lookup func(apiID, stage string) pipeline.Target
	// Users authenticate @connections calls the hub answers itself (for
	// connections that are gone, on a bare host).
	Users *authz.Users
	Log   *slog.Logger
	// IdleTimeout and MaxDuration override API Gateway's 10 minutes and
	// 2 hours (tests).
	IdleTimeout, MaxDuration time.Duration
}

// NewHub returns an empty hub.
func NewHub(cfg HubConfig) *Hub {
	h := &Hub{node: cfg.Node, registry: cfg.Registry, relay: cfg.Relay, failOpen: cfg.FailOpen, lookup: cfg.Lookup,
		users: cfg.Users, log: cfg.Log, idle: cfg.IdleTimeout, maxDur: cfg.MaxDuration, conns: map[string]*conn{},
		touched: map[string]time.Time{}}
	if h.registry == nil {
		h.registry = connreg.NewMemory()
	}
	if h.log == nil {
		h.log = discardLog
	}
	if h.lookup == nil {
		h.lookup = func(string, string) pipeline.Target { return nil }
	}
	return h
}

func (h *Hub) idleTimeout() time.Duration {
	if h.idle > 0 {
		return h.idle
	}
	return IdleTimeout
}

func (h *Hub) maxDuration() time.Duration {
	if h.maxDur > 0 {
		return h.maxDur
	}
	return MaxDuration
}

// Registry returns the registry the hub records connections in.
func (h *Hub) Registry() connreg.Registry { return h.registry }

// Len is the number of open connections of this node.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// newConn makes the connection a handshake would open.
func (h *Hub) newConn(hs *handshake) *conn {
	// The request's strings alias the engine's buffers, which are reused
	// once the handshake is answered: what the connection keeps is copied.
	c := &conn{id: newID(), hub: h, apiID: hs.stage.APIID, stage: hs.stage.Name, domainName: strings.Clone(hs.at.DomainName),
		connectedAt: hs.start, attached: make(chan struct{})}
	c.identity.UserAgent = strings.Clone(hs.req.Header("User-Agent"))
	if a := hs.req.RemoteAddr(); a.IsValid() {
		c.identity.SourceIP = a.Addr().Unmap().String()
	}
	return c
}

// register records an accepted connection, before its 101 is sent, so
// that @connections reaches it as soon as the client has it.
//
// A shared registry that does not answer does not refuse the connection:
// this node serves it, and the registry records it once it answers again
// (meanwhile other nodes' calls for it get what cannotTell says).
func (h *Hub) register(ctx context.Context, c *conn) error {
	if err := h.registry.Add(ctx, c.record()); err != nil {
		if !errors.Is(err, connreg.ErrUnavailable) {
			return err
		}
		h.log.Warn("websocket connection accepted while the connection registry does not answer; it is recorded once it does",
			"connectionId", c.id, "err", err)
	}
	h.mu.Lock()
	if h.draining.Load() {
		// Shutdown began after the handshake's check: done.Add must not
		// race its Wait.
		h.mu.Unlock()
		_ = h.registry.Remove(context.Background(), c.id)
		return errDraining
	}
	h.conns[c.id] = c
	h.done.Add(1)
	h.mu.Unlock()
	return nil
}

// errDraining refuses a handshake that completes while the node drains.
var errDraining = errors.New("the node is shutting down")

// unregister forgets a connection that ended (or was never handed over).
func (h *Hub) unregister(c *conn) {
	h.mu.Lock()
	_, ok := h.conns[c.id]
	delete(h.conns, c.id)
	c.mu.Lock()
	c.gone = true
	c.mu.Unlock()
	h.mu.Unlock()
	if ok {
		_ = h.registry.Remove(context.Background(), c.id)
	}
}

// local returns this node's connection id, or nil.
func (h *Hub) local(id string) *conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conns[id]
}

// ConnectionAPI returns the API a connection belongs to ("" when it is
// not open, or the shared registry cannot tell): the front door routes a
// bare host's /{stage}/@connections/{id} with it.
func (h *Hub) ConnectionAPI(ctx context.Context, id string) string {
	if c := h.local(id); c != nil {
		return c.apiID
	}
	r, err := h.registry.Get(ctx, id)
	if err != nil {
		return ""
	}
	return r.APIID
}

// ServeGone answers an @connections call on a host that names no API for
// a connection ConnectionAPI did not find: 410 GoneException to a caller
// whose signature verifies [M] (503 when the shared registry does not
// answer and the cluster fails closed), 403 ForbiddenException to others
// (implements front.ConnectionLocator).
func (h *Hub) ServeGone(ctx context.Context, req pipeline.Request, resp pipeline.Response, id string) {
	x := &pipeline.Exchange{Ctx: ctx, Req: req, Resp: resp, Start: time.Now()}
	if _, err := h.users.Authenticate(x); err != nil {
		mgmtError(resp, 403, "ForbiddenException", "Forbidden")
		return
	}
	if _, err := h.registry.Get(ctx, id); err != nil && !errors.Is(err, connreg.ErrNotFound) {
		h.cannotTell(resp, id, err)
		return
	}
	mgmtError(resp, 410, "GoneException", "")
}

// cannotTell answers an @connections call for a connection of no known
// node while the shared registry or the relay does not answer: 410
// GoneException when the cluster fails open (each node on its own
// answers for its connections only), else 503 [U: AWS has no such state;
// SDKs retry a 503].
func (h *Hub) cannotTell(resp pipeline.Response, id string, err error) {
	h.log.Warn("websocket connection registry unavailable", "connectionId", id, "err", err)
	if h.failOpen && !errors.Is(err, connreg.ErrNoAnswer) {
		mgmtError(resp, 410, "GoneException", "")
		return
	}
	mgmtError(resp, 503, "ServiceUnavailableException", "Service Unavailable")
	resp.SetHeader("Retry-After", "1")
}

// touch records that a connection's client sent a message at at: in the
// registry at once when it is in memory; for a shared registry, with the
// others in the next second's write (Run).
func (h *Hub) touch(id string, at time.Time) {
	if h.relay == nil {
		_ = h.registry.Touch(context.Background(), id, at)
		return
	}
	h.touchMu.Lock()
	h.touched[id] = at
	h.touchMu.Unlock()
}

// Run serves the calls the relay brings to this node's connections and
// writes their activity to the shared registry once a second, until ctx
// ends (nothing to do without a relay). Stop it after Shutdown: the
// connections draining still get calls.
func (h *Hub) Run(ctx context.Context) error {
	if h.relay == nil {
		return nil
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(touchEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				h.flushTouches(ctx)
			}
		}
	}()
	err := h.relay.Serve(ctx, h)
	wg.Wait()
	return err
}

// flushTouches writes the activity of the last second.
func (h *Hub) flushTouches(ctx context.Context) {
	h.touchMu.Lock()
	batch := h.touched
	if len(batch) == 0 {
		h.touchMu.Unlock()
		return
	}
	h.touched = make(map[string]time.Time, len(batch))
	h.touchMu.Unlock()
	if m, ok := h.registry.(interface {
		TouchMany(context.Context, map[string]time.Time) error
	}); ok {
		_ = m.TouchMany(ctx, batch)
		return
	}
	for id, at := range batch {
		_ = h.registry.Touch(ctx, id, at)
	}
}

// Handle performs a relayed @connections call on one of this node's
// connections (implements connreg.Holder).
func (h *Hub) Handle(_ context.Context, call connreg.Call) error {
	c := h.local(call.ID)
	if c == nil {
		return connreg.ErrNotFound
	}
	switch call.Op {
	case connreg.OpPost:
		if c.send(call.Data) != nil {
			return connreg.ErrNotFound
		}
		return nil
	case connreg.OpDelete:
		c.closeWith(1000, "Connection Closed Normally")
		return nil
	}
	return fmt.Errorf("wsapi: relayed call %q", call.Op)
}

// Records returns this node's open connections (implements
// connreg.Holder).
func (h *Hub) Records() []*connreg.Record {
	h.mu.Lock()
	list := make([]*conn, 0, len(h.conns))
	for _, c := range h.conns {
		list = append(list, c)
	}
	h.mu.Unlock()
	out := make([]*connreg.Record, 0, len(list))
	for _, c := range list {
		r := c.record()
		if ns := c.lastActive.Load(); ns != 0 {
			r.LastActiveAt = time.Unix(0, ns)
		}
		out = append(out, r)
	}
	return out
}

// closeStage closes the connections of a stage that is gone.
func (h *Hub) closeStage(apiID, stage string) {
	h.mu.Lock()
	var list []*conn
	for _, c := range h.conns {
		if c.apiID == apiID && c.stage == stage {
			list = append(list, c)
		}
	}
	h.mu.Unlock()
	for _, c := range list {
		c.closeWith(1001, "Going away")
	}
}

// Shutdown drains the hub: no new connection is accepted; each open one
// finishes the message it is serving, is closed with 1001 Going away, and
// runs $disconnect. It returns when all have ended, or with ctx's error.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.draining.Store(true) // under mu: no register adds to done after this
	list := make([]*conn, 0, len(h.conns))
	for _, c := range h.conns {
		list = append(list, c)
	}
	h.mu.Unlock()
	for _, c := range list {
		select {
		case <-c.attached:
			// Wake a reader waiting for the next message; one serving a
			// message sees the drain when it is done.
			_ = c.ws.SetReadDeadline(time.Now())
		default:
		}
	}
	done := make(chan struct{})
	go func() { h.done.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
