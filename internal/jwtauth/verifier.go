package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Defaults applied by [New] to zero-valued [Config] fields, and limits.
const (
	// DefaultFetchTimeout bounds one key fetch (discovery plus JWKS).
	DefaultFetchTimeout = 5 * time.Second
	// DefaultRefreshInterval is the age after which cached keys are
	// refreshed in the background.
	DefaultRefreshInterval = 15 * time.Minute
	// DefaultRefetchInterval is the minimum time between two unknown-kid
	// refetches of one issuer's JWKS.
	DefaultRefetchInterval = 30 * time.Second
	// MaxClockSkew is the largest accepted [Config.ClockSkew].
	MaxClockSkew = 60 * time.Second
)

// Config configures a [Verifier]. The zero value is usable.
type Config struct {
	// HTTPClient fetches discovery documents and JWKS. Nil means a private
	// &http.Client{}.
	HTTPClient *http.Client
	// FetchTimeout bounds one key fetch (discovery plus JWKS). Zero means
	// DefaultFetchTimeout.
	FetchTimeout time.Duration
	// RefreshInterval is the age after which a cached key set is refreshed
	// in the background on its next use (the stale set keeps serving). Zero
	// means DefaultRefreshInterval.
	RefreshInterval time.Duration
	// RefetchInterval is the minimum time between two refetches of one
	// issuer's JWKS triggered by tokens naming an unknown key id, and between
	// retries of a failed background refresh. Zero means
	// DefaultRefetchInterval.
	RefetchInterval time.Duration
	// ClockSkew is the leeway applied to exp, nbf and iat, from 0 (none, the
	// zero value) to MaxClockSkew.
	ClockSkew time.Duration
	// Now is the clock; nil means time.Now. Tests inject a fake clock.
	Now func() time.Time
	// Logger receives key-fetch failures (never tokens). Nil disables
	// logging.
	Logger *slog.Logger
}

// Verifier verifies JWTs against OIDC issuers, caching their signing keys.
// It is safe for concurrent use. Call [Verifier.Close] to stop background
// key refreshes.
type Verifier struct {
	cfg    Config
	client *http.Client
	now    func() time.Time
	log    *slog.Logger

	// validateOpts are the jwt.Validate options (clock, skew, exp required).
	validateOpts []jwt.ValidateOption

	states   sync.Map // issuer string -> *issuerState
	audRes   regexpCache
	verified verifiedCache
	digest   tokenDigest // keys of verified

	baseCtx context.Context
	cancel  context.CancelFunc
	lifeMu  sync.Mutex // guards closed and wg.Add
	closed  bool
	wg      sync.WaitGroup
}

// New returns a Verifier for cfg. It fails on negative durations or a
// ClockSkew above MaxClockSkew.
func New(cfg Config) (*Verifier, error) {
	if cfg.FetchTimeout < 0 || cfg.RefreshInterval < 0 || cfg.RefetchInterval < 0 {
		return nil, errors.New("jwtauth: negative interval in config")
	}
	if cfg.ClockSkew < 0 || cfg.ClockSkew > MaxClockSkew {
		return nil, fmt.Errorf("jwtauth: clock skew %s outside [0, %s]", cfg.ClockSkew, MaxClockSkew)
	}
	if cfg.FetchTimeout == 0 {
		cfg.FetchTimeout = DefaultFetchTimeout
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if cfg.RefetchInterval == 0 {
		cfg.RefetchInterval = DefaultRefetchInterval
	}
	v := &Verifier{cfg: cfg, client: cfg.HTTPClient, now: cfg.Now, log: cfg.Logger, digest: newTokenDigest()}
	if v.client == nil {
		v.client = &http.Client{}
	}
	if v.now == nil {
		v.now = time.Now
	}
	v.validateOpts = []jwt.ValidateOption{
		jwt.WithClock(jwt.ClockFunc(v.now)),
		jwt.WithAcceptableSkew(cfg.ClockSkew),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
	}
	v.baseCtx, v.cancel = context.WithCancel(context.Background())
	return v, nil
}

// Close cancels in-flight key fetches and waits for background goroutines
// to finish. Cached keys stay usable; fetches after Close fail.
func (v *Verifier) Close() error {
	v.lifeMu.Lock()
	v.closed = true
	v.lifeMu.Unlock()
	v.cancel()
	v.wg.Wait()
	return nil
}

// goFetch runs f in a tracked goroutine unless the verifier is closed.
func (v *Verifier) goFetch(f func()) bool {
	v.lifeMu.Lock()
	defer v.lifeMu.Unlock()
	if v.closed {
		return false
	}
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		f()
	}()
	return true
}

// state returns the key cache entry of issuer, creating it on first use.
func (v *Verifier) state(issuer string) *issuerState {
	if s, ok := v.states.Load(issuer); ok {
		return s.(*issuerState)
	}
	s, _ := v.states.LoadOrStore(issuer, &issuerState{issuer: issuer})
	return s.(*issuerState)
}
