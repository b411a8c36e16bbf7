package wsapi

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/connreg"
	"github.com/tollgate/tollgate/internal/gateway/websocket"
)

// conn is an open connection of this node.
type conn struct {
	id           string
	hub          *Hub
	apiID, stage string
	domainName   string
	connectedAt  time.Time
	identity     identity
	// authorizer is requestContext.authorizer for every event (nil: none).
	authorizer []byte

	ws       *websocket.Conn
	attached chan struct{} // closed once ws is set
	// claimed is set by whichever comes first: the hand-over (run) or
	// giving up on it (expireUnattached).
	claimed atomic.Bool
	// lastActive is when the client last sent a message (unix ns).
	lastActive atomic.Int64

	mu sync.Mutex
	// closeCode and closeReason are set when the server closes the
	// connection (DeleteConnection, idle, drain): $disconnect reports them.
	closeCode   int
	closeReason string
	gone        bool
}

// touchEvery is how often, at most, a connection's activity is written to
// the registry.
const touchEvery = time.Second

// attachTimeout bounds the wait for fasthttp to hand over a connection
// that was accepted: one whose 101 could not be sent is never handed over.
const attachTimeout = 10 * time.Second

// record is the connection's registry record.
func (c *conn) record() *connreg.Record {
	return &connreg.Record{ID: c.id, APIID: c.apiID, Stage: c.stage, Node: c.hub.node,
		ConnectedAt: c.connectedAt, LastActiveAt: c.connectedAt, SourceIP: c.identity.SourceIP,
		UserAgent: c.identity.UserAgent, Authorizer: c.authorizer}
}

// context is the requestContext of one of the connection's events.
func (c *conn) context(routeKey, eventType, requestID string, now time.Time) eventContext {
	return eventContext{
		RouteKey: routeKey, EventType: eventType, ExtendedRequestID: requestID, RequestTime: requestTime(now),
		MessageDirection: "IN", Stage: c.stage, ConnectedAt: c.connectedAt.UnixMilli(),
		RequestTimeEpoch: now.UnixMilli(), Identity: c.identity, RequestID: requestID,
		DomainName: c.domainName, ConnectionID: c.id, APIID: c.apiID, Authorizer: c.authorizer,
	}
}

// expireUnattached forgets a connection fasthttp never handed over.
func (c *conn) expireUnattached() {
	t := time.NewTimer(attachTimeout)
	defer t.Stop()
	select {
	case <-c.attached:
	case <-t.C:
		if c.claimed.CompareAndSwap(false, true) {
			c.hub.unregister(c)
			c.hub.done.Done()
		}
	}
}

// maxInFlight bounds the messages of one connection served at once: API
// Gateway invokes an integration per message, without waiting for the
// previous one [U: the bound]. Past it, the connection is not read until
// one finishes.
const maxInFlight = 16

// run serves the connection once the 101 is sent, on its own goroutine:
// it reads messages and serves each on a goroutine of its own (at most
// maxInFlight at once) until the connection ends, then waits for them and
// runs $disconnect.
func (c *conn) run(nc net.Conn) {
	if !c.claimed.CompareAndSwap(false, true) {
		_ = nc.Close()
		return
	}
	c.ws = websocket.NewConn(nc, websocket.Limits{MaxFrame: MaxFrame, MaxMessage: MaxMessage})
	c.lastActive.Store(c.connectedAt.UnixNano())
	close(c.attached)
	h := c.hub
	defer h.done.Done()
	var (
		end      *websocket.CloseError
		inFlight sync.WaitGroup
		slots    = make(chan struct{}, maxInFlight)
	)
	goAway := func() {
		// Messages being served finish first: their answers still reach
		// the client; then the close.
		inFlight.Wait()
		c.closeWith(websocket.CloseGoingAway, "Going away")
	}
	for {
		deadline := c.deadline()
		_ = c.ws.SetReadDeadline(deadline)
		if h.draining.Load() {
			goAway()
		}
		msg, err := c.ws.ReadMessage()
		if errors.Is(err, websocket.ErrTimeout) {
			if h.draining.Load() || !time.Now().Before(deadline) {
				// Idle for 10 minutes, connected for 2 hours, or the node
				// is draining: closed with 1001 [D][U: the code and reason].
				goAway()
			}
			continue
		}
		if err != nil {
			if !errors.As(err, &end) {
				end = &websocket.CloseError{Code: websocket.CloseAbnormal, Err: err}
			}
			break
		}
		now := time.Now()
		if last := c.lastActive.Swap(now.UnixNano()); now.UnixNano()-last >= int64(touchEvery) {
			// The registry's lastActiveAt is kept to the second (a shared
			// registry is not written per message); GetConnection on this
			// node reads the exact time.
			h.touch(c.id, now)
		}
		slots <- struct{}{}
		inFlight.Add(1)
		go func() {
			defer func() { <-slots; inFlight.Done() }()
			c.message(msg, now)
		}()
	}
	inFlight.Wait()
	h.unregister(c)
	code, reason := end.Code, end.Reason
	c.mu.Lock()
	if c.closeCode != 0 {
		code, reason = c.closeCode, c.closeReason
	}
	c.mu.Unlock()
	c.disconnect(code, reason)
}

// deadline is when the connection times out if the client sends nothing:
// 10 minutes after its last message, and never past 2 hours [D].
func (c *conn) deadline() time.Time {
	idle := time.Unix(0, c.lastActive.Load()).Add(c.hub.idleTimeout())
	if max := c.connectedAt.Add(c.hub.maxDuration()); max.Before(idle) {
		return max
	}
	return idle
}

// closeWith starts the closing handshake with code and reason (once),
// which $disconnect then reports.
func (c *conn) closeWith(code int, reason string) {
	c.mu.Lock()
	if c.closeCode == 0 {
		c.closeCode, c.closeReason = code, reason
	}
	c.mu.Unlock()
	select {
	case <-c.attached:
		c.ws.Close(code, reason)
	default:
	}
}

// send delivers data to the client as a text message (@connections,
// two-way answers, error frames).
func (c *conn) send(data []byte) error {
	select {
	case <-c.attached:
	default:
		t := time.NewTimer(attachTimeout)
		defer t.Stop()
		select {
		case <-c.attached:
		case <-t.C:
			return errGone
		}
	}
	return c.ws.WriteText(data)
}

// errGone: the connection is closed, or closing.
var errGone = errors.New("connection gone")
