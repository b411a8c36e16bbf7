package upstream

import (
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// StreamLimits are API Gateway's limits on a streamed integration response
// (responseTransferMode STREAM): "Streams are subject to an idle timeout.
// For Regional or private endpoints, the timeout is 5 minutes", and "for
// each streamed response, the first 10 MB of response payload is not
// subject to any bandwidth restrictions. Response payload data exceeding
// 10 MB is restricted to 2 MB/s" (API Gateway Developer Guide, "Stream the
// integration response for your proxy integrations in API Gateway"). The
// stream's whole duration is bounded by the integration timeout (up to 15
// minutes) [U: AWS says "the maximum duration of response streaming is 15
// minutes" without saying which clock the integration timeout starts].
type StreamLimits struct {
	// Idle ends a stream whose backend sends nothing for this long.
	Idle time.Duration
	// Unthrottled bytes go out at full speed; the rest at Rate bytes per
	// second.
	Unthrottled, Rate int64
	// Now and Sleep are the clock; nil means time.Now and time.Sleep.
	Now   func() time.Time
	Sleep func(time.Duration)
}

// DefaultStreamLimits are API Gateway's, for Regional endpoints.
var DefaultStreamLimits = StreamLimits{Idle: 5 * time.Minute, Unthrottled: 10 << 20, Rate: 2 << 20}

func (l StreamLimits) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l StreamLimits) sleep(d time.Duration) {
	if l.Sleep != nil {
		l.Sleep(d)
		return
	}
	time.Sleep(d)
}

// ReadDeadliner is a stream source whose reads can be bounded in time.
type ReadDeadliner interface {
	SetReadDeadline(t time.Time) error
}

// LimitStream applies lim to a streamed body that must end by deadline:
// it paces the bytes after the unthrottled ones, and when r can bound its
// reads (ReadDeadliner) it ends a read at the deadline or after Idle. A
// read that times out fails with INTEGRATION_TIMEOUT; other read errors
// pass through. Close closes r when it can be closed.
func LimitStream(r io.Reader, deadline time.Time, lim StreamLimits) io.ReadCloser {
	s := &limitedStream{r: r, deadline: deadline, lim: lim}
	s.deadliner, _ = r.(ReadDeadliner)
	return s
}

type limitedStream struct {
	r         io.Reader
	deadliner ReadDeadliner
	deadline  time.Time
	lim       StreamLimits
	sent      int64
	throttled time.Time // when the unthrottled bytes were out
}

func (s *limitedStream) Read(p []byte) (int, error) {
	if s.lim.Rate > 0 && s.sent >= s.lim.Unthrottled {
		now := s.lim.now()
		if s.throttled.IsZero() {
			s.throttled = now
		}
		over := s.sent - s.lim.Unthrottled
		due := s.throttled.Add(time.Duration(float64(over) / float64(s.lim.Rate) * float64(time.Second)))
		if wait := due.Sub(now); wait > 0 {
			s.lim.sleep(wait)
		}
		// A tenth of a second's worth at most per read, so that the
		// pace stays even.
		if most := s.lim.Rate / 10; most > 0 && int64(len(p)) > most {
			p = p[:most]
		}
	}
	if s.deadliner != nil {
		d := s.lim.now().Add(s.lim.Idle)
		if s.lim.Idle <= 0 || (!s.deadline.IsZero() && s.deadline.Before(d)) {
			d = s.deadline
		}
		_ = s.deadliner.SetReadDeadline(d)
	}
	n, err := s.r.Read(p)
	s.sent += int64(n)
	if err != nil && err != io.EOF && isTimeout(err) {
		err = pipeline.Fail(pipeline.IntegrationTimeout, err)
	}
	return n, err
}

func (s *limitedStream) Close() error {
	if c, ok := s.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// idleConn is a backend connection of a streaming client: each read ends
// after Idle without data, or at the deadline fasthttp set, whichever is
// first.
type idleConn struct {
	net.Conn
	idle     time.Duration
	deadline atomic.Int64 // fasthttp's read deadline, Unix ns (0: none)
}

func (c *idleConn) Read(p []byte) (int, error) {
	d := time.Now().Add(c.idle)
	if abs := c.deadline.Load(); abs != 0 && abs < d.UnixNano() {
		d = time.Unix(0, abs)
	}
	_ = c.Conn.SetReadDeadline(d)
	return c.Conn.Read(p)
}

func (c *idleConn) setDeadline(t time.Time) {
	if t.IsZero() {
		c.deadline.Store(0)
	} else {
		c.deadline.Store(t.UnixNano())
	}
}

func (c *idleConn) SetReadDeadline(t time.Time) error {
	c.setDeadline(t)
	return c.Conn.SetReadDeadline(t)
}

func (c *idleConn) SetDeadline(t time.Time) error {
	c.setDeadline(t)
	return c.Conn.SetDeadline(t)
}
