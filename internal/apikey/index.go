// Package apikey is the data plane's view of API keys and usage plans: an
// Index, built from the store at start and kept current from its change
// feed, that answers "may the key with this value call this API stage, and
// under which usage plan?" with map lookups on an immutable snapshot (no
// locks, no allocations). Key values are decrypted once, when a key is
// loaded, with the secret.Box the management API sealed them with.
package apikey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
)

// Key is what the data plane knows about one API key.
type Key struct {
	ID      string
	Value   string
	Enabled bool
	// Plans are the usage plans the key belongs to, ordered by plan id.
	// Each plan's Stages are the API stages it is bound to.
	Plans []*Plan
}

// Plan is a usage plan: the throttle and quota a key gets on the API
// stages the plan is bound to.
type Plan struct {
	ID   string
	Name string
	// Throttle is the plan-wide per-key limit; nil means none.
	Throttle *Throttle
	// Quota is the per-key request quota; nil means none.
	Quota *Quota
	// Stages are the API stages the plan is bound to.
	Stages []Stage
}

// Stage is one API stage a plan is bound to.
type Stage struct {
	APIID string
	Stage string
	// Methods are per-method throttles keyed "{resourcePath}/{VERB}"
	// ("/pets/GET", "//GET" for the root resource); nil when none.
	Methods map[string]Throttle
}

// Throttle is a token bucket: BurstLimit tokens, refilled at RateLimit per
// second.
type Throttle struct {
	BurstLimit int64
	RateLimit  float64
}

// Quota is a number of requests per period (DAY, WEEK or MONTH), Offset of
// them already used in the first period.
type Quota struct {
	Limit  int64
	Offset int64
	Period string
}

// Index answers key lookups for the data plane. Lookup may be called from
// any number of goroutines; Run is called once, by one goroutine.
type Index struct {
	st   store.Store
	box  *secret.Box
	log  *slog.Logger
	snap atomic.Pointer[snapshot]
	rev  atomic.Int64 // store revision the snapshot reflects

	state state // owned by NewIndex, then by Run
}

// stageRef names one API stage; a struct (not "api/stage") so that looking
// it up allocates nothing.
type stageRef struct{ api, stage string }

// entry is one key in a snapshot.
type entry struct {
	key     Key
	byStage map[stageRef]*Plan
}

// snapshot is an immutable view, replaced whole on every change.
type snapshot struct {
	byValue map[string]*entry
}

// NewIndex loads every API key, usage plan and membership from st and
// returns an Index serving them. Call Run to keep it current. log may be
// nil.
func NewIndex(ctx context.Context, st store.Store, box *secret.Box, log *slog.Logger) (*Index, error) {
	if box == nil {
		return nil, errors.New("apikey: a secret box is required to read key values")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ix := &Index{st: st, box: box, log: log}
	if err := ix.reload(ctx); err != nil {
		return nil, err
	}
	return ix, nil
}

// Lookup finds the key with this value and reports whether it may call
// apiID/stage: it must be enabled and belong to a usage plan whose API
// stages include that stage. The plan is returned with it (throttle, quota
// and per-method throttles). A key that exists but may not call the stage
// (disabled, or in no plan bound to it) is returned with a nil plan and
// false, so that callers can still name it; an unknown value returns the
// zero Key. Lookup takes no lock and allocates nothing.
func (ix *Index) Lookup(value, apiID, stage string) (Key, *Plan, bool) {
	e := ix.snap.Load().byValue[value]
	if e == nil {
		return Key{}, nil, false
	}
	if !e.key.Enabled {
		return e.key, nil, false
	}
	p := e.byStage[stageRef{apiID, stage}]
	return e.key, p, p != nil
}

// Revision returns the store revision the index reflects: every change
// committed at or before it is visible to Lookup.
func (ix *Index) Revision() int64 { return ix.rev.Load() }

// Run follows the store's change feed until ctx ends, then returns nil. If
// it falls so far behind that the feed was compacted, it reloads
// everything. It returns an error only if the feed or the store fails;
// changes it could not apply are not counted in Revision, so that calling
// Run again resumes without a gap.
func (ix *Index) Run(ctx context.Context) error {
	for {
		err := ix.followFeed(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, store.ErrCompacted):
			ix.log.Warn("api key index fell behind the change feed; reloading")
			if err := ix.reload(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		case err != nil:
			return fmt.Errorf("apikey: %w", err)
		default:
			return errors.New("apikey: the change feed ended")
		}
	}
}

// followFeed follows the feed from Revision until it fails.
func (ix *Index) followFeed(ctx context.Context) error {
	// Cancelled on return, so that the feed stops if we stop reading it.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := ix.st.Watch(ctx, ix.rev.Load())
	if err != nil {
		return err
	}
	return ix.follow(ctx, w)
}
