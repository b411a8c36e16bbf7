// Package supervise runs the gateway's followers: the background tasks
// that keep an in-memory view (the compiled stages, the API-key index, …)
// in step with the store's change feed. A follower that stops on an error
// is restarted, with exponential backoff, from the revision it reached;
// Health tells whether every follower serves what the store holds, for
// /healthz.
package supervise

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Defaults for the Supervisor's settings.
const (
	DefaultMinBackoff = 100 * time.Millisecond
	DefaultMaxBackoff = 30 * time.Second
	// DefaultMaxLag is how long a running follower may stay behind a store
	// revision before Health reports it: well above the time a change takes
	// to reach a follower (at once in-process, a poll interval — a second —
	// from another process sharing the store) plus a large compile.
	DefaultMaxLag = 10 * time.Second
)

// Follower is one follower of the store.
type Follower struct {
	// Name names it in logs and in Health's reason ("change feed").
	Name string
	// Run follows the store until ctx ends, then returns nil. When it
	// returns an error it is called again, after a backoff, and must resume
	// from where it stopped (Revision).
	Run func(ctx context.Context) error
	// Revision is the store revision up to which its view is current.
	Revision func() int64
}

// RevisionReader reads the store's latest revision (a store.Store).
type RevisionReader interface {
	Revision(ctx context.Context) (int64, error)
}

// Supervisor runs followers and reports their health. Set its fields
// before the first Start.
type Supervisor struct {
	Store RevisionReader
	Log   *slog.Logger
	// MinBackoff and MaxBackoff bound the wait before a restart: it doubles
	// after each failure, from MinBackoff up to MaxBackoff, and starts again
	// from MinBackoff after a run that lasted MaxBackoff or longer. Zero
	// means the default.
	MinBackoff, MaxBackoff time.Duration
	// MaxLag: see DefaultMaxLag. Zero means the default.
	MaxLag time.Duration
	// Now is the clock Health uses; nil means time.Now.
	Now func() time.Time

	mu        sync.Mutex
	followers []*follower
	wg        sync.WaitGroup
}

// follower is a Follower and what the Supervisor knows of it (guarded by
// Supervisor.mu).
type follower struct {
	Follower
	restarts int
	// err is the last failure; it is kept after the restart until the
	// follower has caught up with the store.
	err error
	// down: waiting for retryAt to restart.
	down    bool
	retryAt time.Time
	// target is a store revision the follower must reach: since `since`
	// when it lags while healthy; at once when it recovers from err.
	target int64
	since  time.Time
}

// Start runs f in a goroutine until ctx ends, restarting it whenever it
// fails.
func (s *Supervisor) Start(ctx context.Context, f Follower) {
	fl := &follower{Follower: f}
	s.mu.Lock()
	s.followers = append(s.followers, fl)
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.supervise(ctx, fl)
	}()
}

// Wait waits for every follower to return (after their context ended).
func (s *Supervisor) Wait() { s.wg.Wait() }

func (s *Supervisor) supervise(ctx context.Context, f *follower) {
	backoff := s.minBackoff()
	for {
		started := time.Now()
		err := f.Run(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("stopped")
		}
		if time.Since(started) >= s.maxBackoff() {
			backoff = s.minBackoff() // it had been running well
		}
		// Equal jitter: [backoff/2, backoff), so that followers failing
		// together do not retry together.
		wait := backoff/2 + rand.N(backoff/2+1)
		s.mu.Lock()
		f.restarts++
		f.err, f.down, f.retryAt, f.target = err, true, s.now().Add(wait), 0
		n := f.restarts
		s.mu.Unlock()
		s.log().Error("follower stopped; the gateway keeps serving what it has until it catches up",
			"follower", f.Name, "err", err, "restart", n, "in", wait.Round(time.Millisecond), "revision", f.Revision())
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		s.mu.Lock()
		f.down = false
		s.mu.Unlock()
		s.log().Info("restarting follower", "follower", f.Name, "restart", n, "from", f.Revision())
		backoff = min(2*backoff, s.maxBackoff())
	}
}

// Health is whether the gateway serves what the store holds.
type Health struct {
	Ready bool
	// Reason says why not, one clause per follower that lags, e.g.
	// "change feed: sqlite: watch: disk I/O error (restart 3 in 1.6s),
	// serving revision 41, store at 57".
	Reason string
	// Revision is the store's latest revision (0 if it could not be read).
	Revision int64
	// Serving is the revision every follower has reached (the lowest of
	// theirs); Revision - Serving is how far this node lags the store.
	Serving int64
}

// Lag is how many store revisions the slowest follower has yet to apply
// (0 when the store could not be read).
func (h Health) Lag() int64 {
	if h.Revision == 0 || h.Serving >= h.Revision {
		return 0
	}
	return h.Revision - h.Serving
}

// Health reads the store's revision (bounded by ctx) and compares every
// follower with it. The gateway is not ready while a follower is down,
// while one that failed has not yet caught up with the store, while one
// has stayed behind a revision for longer than MaxLag, or while the store
// cannot be read.
func (s *Supervisor) Health(ctx context.Context) Health {
	storeRev, err := s.Store.Revision(ctx)
	if err != nil {
		return Health{Reason: "store: " + err.Error()}
	}
	now := s.now()
	var reasons []string
	serving := storeRev
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.followers {
		if r := s.check(f, storeRev, now); r != "" {
			reasons = append(reasons, r)
		}
		serving = min(serving, f.Revision())
	}
	return Health{Ready: len(reasons) == 0, Reason: strings.Join(reasons, "; "), Revision: storeRev, Serving: serving}
}

// check returns why f does not serve revision storeRev, or "".
func (s *Supervisor) check(f *follower, storeRev int64, now time.Time) string {
	rev := f.Revision()
	revs := fmt.Sprintf("serving revision %d, store at %d", rev, storeRev)
	switch {
	case f.down:
		return fmt.Sprintf("%s: %v (restart %d in %s), %s", f.Name, f.err, f.restarts,
			max(f.retryAt.Sub(now), 0).Round(time.Millisecond), revs)
	case f.err != nil:
		// Restarted: ready again once it reaches the store's revision of
		// the first check after the restart.
		if f.target == 0 {
			f.target = storeRev
		}
		if rev < f.target {
			return fmt.Sprintf("%s: catching up after %v, %s", f.Name, f.err, revs)
		}
		s.log().Info("follower caught up", "follower", f.Name, "revision", rev)
		f.err, f.target = nil, 0
	case rev >= storeRev:
		f.target = 0
	default:
		// Behind, as every follower is for a moment after each commit:
		// not ready only if it has not reached, in MaxLag, a revision the
		// store had then.
		if f.target == 0 || rev >= f.target {
			f.target, f.since = storeRev, now
		}
		if lag := now.Sub(f.since); lag > s.maxLag() {
			return fmt.Sprintf("%s: behind for %s, %s", f.Name, lag.Round(time.Second), revs)
		}
	}
	return ""
}

func (s *Supervisor) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Supervisor) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Supervisor) minBackoff() time.Duration {
	if s.MinBackoff > 0 {
		return s.MinBackoff
	}
	return DefaultMinBackoff
}

func (s *Supervisor) maxBackoff() time.Duration {
	if s.MaxBackoff > 0 {
		return max(s.MaxBackoff, s.minBackoff())
	}
	return max(DefaultMaxBackoff, s.minBackoff())
}

func (s *Supervisor) maxLag() time.Duration {
	if s.MaxLag > 0 {
		return s.MaxLag
	}
	return DefaultMaxLag
}
