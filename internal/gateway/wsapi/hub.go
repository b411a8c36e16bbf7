package wsapi

import (
	"context"
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
	lookup   func(apiID, stage string) pipeline.Target
	users    *authz.Users
	log      *slog.Logger
	idle     time.Duration
	maxDur   time.Duration

	mu    sync.Mutex
	conns map[string]*conn

	draining atomic.Bool
	done     sync.WaitGroup // connections running
}

// HubConfig configures a Hub.
type HubConfig struct {
	// Node names this node in the registry's records.
	Node string
	// Registry records the connections (nil: in memory).
	Registry connreg.Registry
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
	h := &Hub{node: cfg.Node, registry: cfg.Registry, lookup: cfg.Lookup, users: cfg.Users, log: cfg.Log,
		idle: cfg.IdleTimeout, maxDur: cfg.MaxDuration, conns: map[string]*conn{}}
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
func (h *Hub) register(ctx context.Context, c *conn) error {
	if err := h.registry.Add(ctx, c.record()); err != nil {
		return err
	}
	h.mu.Lock()
	h.conns[c.id] = c
	h.mu.Unlock()
	h.done.Add(1)
	return nil
}

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
// not open): the front door routes a bare host's
// /{stage}/@connections/{id} with it.
func (h *Hub) ConnectionAPI(ctx context.Context, id string) string {
	r, err := h.registry.Get(ctx, id)
	if err != nil {
		return ""
	}
	return r.APIID
}

// ServeGone answers an @connections call on a host that names no API for
// a connection that is not open: 410 GoneException to a caller whose
// signature verifies [M], 403 ForbiddenException to others (implements
// front.ConnectionLocator).
func (h *Hub) ServeGone(ctx context.Context, req pipeline.Request, resp pipeline.Response) {
	x := &pipeline.Exchange{Ctx: ctx, Req: req, Resp: resp, Start: time.Now()}
	if _, err := h.users.Authenticate(x); err != nil {
		mgmtError(resp, 403, "ForbiddenException", "Forbidden")
		return
	}
	mgmtError(resp, 410, "GoneException", "")
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
	h.draining.Store(true)
	h.mu.Lock()
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
