package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// failureBackoff is how long a failed first fetch (no key set cached yet)
// is answered from memory before the issuer is asked again. Concurrent
// callers already share one fetch; this only stops back-to-back retries.
const failureBackoff = time.Second

// issuerState caches one issuer's keys. cur is read lock-free on the hot
// path; everything else is guarded by mu.
type issuerState struct {
	issuer string
	cur    atomic.Pointer[keyset]

	mu              sync.Mutex
	inflight        *fetchCall // at most one fetch per issuer
	jwksURI         string     // discovered JWKS location, "" = rediscover
	lastAttempt     time.Time  // start of the last fetch of any kind
	lastMissRefetch time.Time  // start of the last unknown-kid refetch
	lastErr         error      // outcome of the last fetch if it failed
	lastErrAt       time.Time
}

// fetchCall is a singleflight slot: done is closed once ks/err are set.
type fetchCall struct {
	done chan struct{}
	ks   *keyset
	err  error
}

// keys returns the issuer's cached key set, fetching it if none is cached.
// fresh reports that this call waited for that fetch. A set older than
// RefreshInterval is returned as is while a background refresh starts.
func (v *Verifier) keys(ctx context.Context, st *issuerState) (ks *keyset, fresh bool, err error) {
	now := v.now()
	if ks = st.cur.Load(); ks != nil {
		if now.Sub(ks.fetchedAt) >= v.cfg.RefreshInterval {
			v.refreshLazily(st, now)
		}
		return ks, false, nil
	}

	st.mu.Lock()
	if ks = st.cur.Load(); ks != nil { // filled while we waited for mu
		st.mu.Unlock()
		return ks, false, nil
	}
	call := st.inflight
	if call == nil {
		if st.lastErr != nil && now.Sub(st.lastErrAt) < min(failureBackoff, v.cfg.RefetchInterval) {
			err := st.lastErr
			st.mu.Unlock()
			return nil, false, err
		}
		call = v.startFetchLocked(st, now)
	}
	st.mu.Unlock()
	ks, err = wait(ctx, call)
	return ks, true, err
}

// refreshLazily starts a background refresh of a stale set unless one is
// running or the last attempt was less than RefetchInterval ago.
func (v *Verifier) refreshLazily(st *issuerState, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.inflight != nil || now.Sub(st.lastAttempt) < v.cfg.RefetchInterval {
		return
	}
	if ks := st.cur.Load(); ks != nil && now.Sub(ks.fetchedAt) < v.cfg.RefreshInterval {
		return // refreshed meanwhile
	}
	v.startFetchLocked(st, now)
}

// refetchForMiss is called when seen (the set the caller used) has no key
// for a token. It returns a newer set: one published since seen, the result
// of a fetch already in flight, or of a new fetch if the issuer's last
// unknown-kid refetch is at least RefetchInterval old.
func (v *Verifier) refetchForMiss(ctx context.Context, st *issuerState, seen *keyset) (*keyset, error) {
	now := v.now()
	st.mu.Lock()
	if cur := st.cur.Load(); cur != nil && cur != seen {
		st.mu.Unlock()
		return cur, nil
	}
	call := st.inflight
	if call == nil {
		if last := st.lastMissRefetch; !last.IsZero() && now.Sub(last) < v.cfg.RefetchInterval {
			st.mu.Unlock()
			return nil, fmt.Errorf("key refetch rate-limited (last %s ago)", now.Sub(last).Round(time.Millisecond))
		}
		st.lastMissRefetch = now
		call = v.startFetchLocked(st, now)
	}
	st.mu.Unlock()
	return wait(ctx, call)
}

// startFetchLocked starts a fetch in the background and registers it as the
// issuer's in-flight call. st.mu must be held.
func (v *Verifier) startFetchLocked(st *issuerState, now time.Time) *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
	st.inflight = call
	st.lastAttempt = now
	jwksURI := st.jwksURI
	started := v.goFetch(func() {
		ctx, cancel := context.WithTimeout(v.baseCtx, v.cfg.FetchTimeout)
		defer cancel()
		ks, uri, err := v.loadKeys(ctx, st.issuer, jwksURI)
		v.finishFetch(st, call, ks, uri, err)
	})
	if !started {
		st.inflight = nil
		call.err = errors.New("verifier closed")
		close(call.done)
	}
	return call
}

// finishFetch publishes a fetch outcome and releases its waiters.
func (v *Verifier) finishFetch(st *issuerState, call *fetchCall, ks *keyset, uri string, err error) {
	now := v.now()
	st.mu.Lock()
	if err == nil {
		ks.fetchedAt = now
		st.cur.Store(ks)
		st.jwksURI = uri
		st.lastErr = nil
	} else {
		st.jwksURI = "" // rediscover next time
		st.lastErr = err
		st.lastErrAt = now
	}
	st.inflight = nil
	st.mu.Unlock()

	if v.log != nil {
		if err != nil {
			v.log.Warn("jwtauth: fetching signing keys failed", "issuer", st.issuer, "error", err)
		} else {
			v.log.Debug("jwtauth: fetched signing keys", "issuer", st.issuer, "keys", len(ks.all), "jwks_uri", uri)
		}
	}
	call.ks, call.err = ks, err
	close(call.done)
}

// wait blocks until call completes or ctx ends. Abandoning the wait does not
// cancel the shared fetch.
func wait(ctx context.Context, call *fetchCall) (*keyset, error) {
	select {
	case <-call.done:
		return call.ks, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
