package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrInvalidLimit is wrapped by the error Allow returns for a Limit with a
// negative or NaN Rate or a negative Burst.
var ErrInvalidLimit = errors.New("invalid throttle limit")

// ErrUnavailable is wrapped by the errors of a Limiter or Counter whose
// shared store (Redis) did not answer in time, when it is set to fail
// closed: the gateway answers such requests 503 rather than let them
// through unlimited.
var ErrUnavailable = errors.New("ratelimit: shared limit store unavailable")

// Limit is a token bucket: capacity Burst, refilled at Rate tokens per
// second. Rate 0 and Burst 0 block everything; Rate 0 with a positive Burst
// admits Burst requests in all (the bucket never refills). Rate may be
// +Inf (an empty bucket refills completely as soon as time advances).
type Limit struct {
	// Rate is the refill rate in tokens (requests) per second.
	Rate float64
	// Burst is the bucket's capacity in tokens; a full bucket admits Burst
	// requests at once.
	Burst int
}

// Validate reports, wrapping ErrInvalidLimit, whether l is unusable.
func (l Limit) Validate() error {
	if l.Rate < 0 || math.IsNaN(l.Rate) || l.Burst < 0 {
		return fmt.Errorf("ratelimit: rate %v, burst %d: %w", l.Rate, l.Burst, ErrInvalidLimit)
	}
	return nil
}

// Limiter takes tokens from named buckets. Implementations must be safe
// for concurrent use.
type Limiter interface {
	// Allow takes one token from bucket key (created full on first use)
	// and reports whether one was available.
	//
	// now is passed in (not read from a clock) so that implementations are
	// deterministic and a shared store gets the caller's time. Tokens accrue
	// at the Rate of the current call for the time since the bucket's latest
	// now; a now earlier than that adds nothing (and does not move the
	// bucket's clock back). A bucket whose Limit changed keeps its tokens,
	// capped at the new Burst. An invalid Limit is an error wrapping
	// ErrInvalidLimit.
	Allow(ctx context.Context, key string, l Limit, now time.Time) (bool, error)
}
