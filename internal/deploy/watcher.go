package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/httpapi"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/sni"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/store"
)

// Watcher keeps the gateway's front door in step with the store: it compiles
// every stage at start-up, then recompiles a stage whenever its document
// changes (a new deployment, new stage variables, …) and drops APIs that
// are deleted.
type Watcher struct {
	Store    store.Store
	Front    *front.Door
	Compiler *Compiler
	Log      *slog.Logger
	// Throttling, when set, follows the account's throttle settings
	// (UpdateAccount).
	Throttling *throttle.Throttling
	// TLS, when set, receives the custom domains' certificates and
	// policies for the HTTPS listener (domaintls.go).
	TLS *sni.Table

	// rev is the store revision whose changes are all applied.
	rev atomic.Int64

	mu            sync.Mutex
	deployments   map[string]*rest.Deployment    // "{api}/{deploymentId}"
	v2deployments map[string]*httpapi.Deployment // "{api}/{deploymentId}" of HTTP APIs
	failures      map[string]string              // "{api}/{stage}" → last compile error
	domainCerts   map[string]string              // custom domain → the id of the certificate it serves
	clientCerts   map[string]*stageClients       // by client certificate id (clientcerts.go)
}

// Sync compiles and publishes every stage and returns the store revision
// it reflects. It fails if the store cannot be read (a stage that does not
// compile is a compile failure, not an error: see Failures).
func (w *Watcher) Sync(ctx context.Context) (int64, error) {
	rev, err := w.Store.Revision(ctx)
	if err != nil {
		return 0, err
	}
	var keys []string
	err = w.Store.View(ctx, func(r store.Reader) error {
		for _, prefix := range []string{model.KindStage + "/", modelv2.KindStage + "/"} {
			items, err := r.List(ctx, prefix, store.ListOptions{})
			if err != nil {
				return err
			}
			for _, it := range items {
				keys = append(keys, it.Key)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		apply := w.applyStage
		if strings.HasPrefix(k, modelv2.KindStage+"/") {
			apply = w.applyV2Stage
		}
		if err := apply(ctx, k); err != nil {
			return 0, err
		}
	}
	if err := w.applyAccount(ctx); err != nil {
		return 0, err
	}
	if err := w.syncDomains(ctx); err != nil {
		return 0, err
	}
	w.rev.Store(rev)
	return rev, nil
}

// Revision returns the store revision the published stages reflect: every
// change committed at or before it has been applied.
func (w *Watcher) Revision() int64 { return w.rev.Load() }

// applyAccount loads the account's throttle into Throttling.
func (w *Watcher) applyAccount(ctx context.Context) error {
	if w.Throttling == nil {
		return nil
	}
	var acct model.Account
	err := w.Store.View(ctx, func(r store.Reader) error { return getRecord(ctx, r, model.KeyAccount, &acct) })
	var bad *badRecordError
	switch {
	case errors.Is(err, store.ErrNotFound):
		w.Throttling.SetAccountLimit(throttle.DefaultAccountLimit)
	case errors.As(err, &bad):
		w.log().Error("the account settings do not decode; the previous ones stay in force", "err", err)
	case err != nil:
		return fmt.Errorf("reading the account settings: %w", err)
	default:
		ts := acct.ThrottleSettings
		w.Throttling.SetAccountLimit(ratelimit.Limit{Rate: float64(ts.RateLimit), Burst: int(ts.BurstLimit)})
	}
	return nil
}

// Run follows the change feed from revision from until ctx ends, then
// returns nil. It applies each revision whole (Revision is never half a
// revision), and returns an error when the feed or a read of the store
// fails, Revision then being the last revision applied, so that Run(ctx,
// w.Revision()) resumes without a gap. If the feed was compacted past
// from, it resyncs everything.
func (w *Watcher) Run(ctx context.Context, from int64) error {
	w.rev.Store(from)
	for {
		err := w.follow(ctx, from)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, store.ErrCompacted):
			// We fell behind the feed: resynchronise everything.
			w.log().Warn("deploy watcher fell behind the change feed; resyncing")
			if from, err = w.Sync(ctx); err != nil {
				return fmt.Errorf("deploy watcher: resync: %w", err)
			}
		case err != nil:
			return fmt.Errorf("deploy watcher: %w", err)
		default:
			return errors.New("deploy watcher: the change feed ended")
		}
	}
}

// follow applies the feed after from until it ends or a change cannot be
// applied.
func (w *Watcher) follow(ctx context.Context, from int64) error {
	// Cancelled on return, so that the feed stops if we stop reading it.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watch, err := w.Store.Watch(ctx, from)
	if err != nil {
		return err
	}
	applied := from
	for ch := range watch.C() {
		if ch.Revision <= applied {
			continue // applied with the rest of its revision
		}
		changes, err := store.RevisionChanges(ctx, w.Store, ch.Revision)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if err := w.apply(ctx, c); err != nil {
				return err
			}
		}
		applied = ch.Revision
		w.rev.Store(applied)
	}
	return watch.Err()
}

// apply applies one change; it fails only if the store cannot be read.
func (w *Watcher) apply(ctx context.Context, ch store.Change) error {
	if handled, err := w.applyDomainChange(ctx, ch.Key); handled { // domains.go
		return err
	}
	if handled, err := w.applyWAFChange(ctx, ch.Key); handled { // waf.go
		return err
	}
	switch {
	case strings.HasPrefix(ch.Key, model.KindStage+"/"):
		return w.applyStage(ctx, ch.Key)
	case strings.HasPrefix(ch.Key, modelv2.KindStage+"/"):
		return w.applyV2Stage(ctx, ch.Key)
	case strings.HasPrefix(ch.Key, modelv2.PrefixApis), strings.HasPrefix(ch.Key, modelv2.KindFlush+"/"),
		strings.HasPrefix(ch.Key, modelv2.KindSnapshot+"/"):
		return w.applyV2(ctx, ch)
	case ch.Key == model.KeyAccount:
		return w.applyAccount(ctx)
	case strings.HasPrefix(ch.Key, model.KindFlush+"/"):
		// "flush/{api}/{stage}/authorizers": FlushStageAuthorizersCache.
		tail := strings.TrimPrefix(ch.Key, model.KindFlush+"/")
		apiID, tail, _ := strings.Cut(tail, "/")
		// "flush/{api}/{stage}/data": FlushStageCache.
		if name, ok := strings.CutSuffix(tail, "/authorizers"); ok {
			if st := w.stage(apiID, name); st != nil && st.AuthorizerCache != nil {
				st.AuthorizerCache.Flush()
			}
			if st := w.stage(apiID, name); st != nil {
				w.flushAuthCache(ctx, st.AuthCache, apiID, name)
			}
		}
		if name, ok := strings.CutSuffix(tail, "/data"); ok {
			if st := w.stage(apiID, name); st != nil && st.Cache != nil {
				if err := st.Cache.Store.Flush(ctx); err != nil {
					w.log().Error("flushing the stage cache", "api", apiID, "stage", name, "err", err)
				}
			}
		}
	case strings.HasPrefix(ch.Key, model.PrefixRestApis) && ch.Op == store.OpDelete:
		apiID := strings.TrimPrefix(ch.Key, model.PrefixRestApis)
		w.Front.RemoveAPI(apiID)
		w.mu.Lock()
		forgetAPI(w.deployments, apiID)
		w.mu.Unlock()
	}
	return nil
}

// applyStage (re)compiles the stage stored at key and publishes it; a
// deleted stage is unpublished; a failed compile keeps the previous one.
// It returns an error only when the store cannot be read, leaving the
// stage as it was.
func (w *Watcher) applyStage(ctx context.Context, key string) error {
	tail := strings.TrimPrefix(key, model.KindStage+"/")
	apiID, name, ok := strings.Cut(tail, "/")
	if !ok {
		return nil
	}
	start := time.Now()
	st, err := w.compileStage(ctx, apiID, name)
	err = w.publishStage(apiID, name, start, err, func() (pipeline.Target, string, int) {
		// The authorizer cache survives recompiles of the same deployment
		// (new stage variables, settings) but not a redeploy, whose
		// authorizers may differ [U: AWS's behaviour on redeploy].
		prev := w.stage(apiID, name)
		if prev != nil && prev.Deployment.ID == st.Deployment.ID && prev.AuthorizerCache != nil {
			st.AuthorizerCache = prev.AuthorizerCache
		}
		if prev != nil && prev.Deployment.ID == st.Deployment.ID && prev.AuthCache != nil {
			st.AuthCache = prev.AuthCache
		}
		keepCache(prev, st)
		return st, st.Deployment.ID, st.Deployment.NumRoutes
	})
	if err != nil {
		return err
	}
	w.sweep()
	return nil
}

// publishStage acts on the outcome of compiling stage apiID/name (begun
// at start), for every API type: a missing stage (store.ErrNotFound) is
// unpublished; a readError is returned; another error is a compile
// failure, recorded and logged, the previous version serving on;
// otherwise compiled gives the new target, published, with its
// deployment's id and route count for the log.
func (w *Watcher) publishStage(apiID, name string, start time.Time, err error,
	compiled func() (t pipeline.Target, depID string, routes int)) error {
	id := apiID + "/" + name
	var readErr *readError
	switch {
	case errors.Is(err, store.ErrNotFound):
		w.Front.Set(apiID, name, nil)
		w.setFailure(id, "")
	case errors.As(err, &readErr):
		return fmt.Errorf("reading stage %s: %w", id, readErr.err)
	case err != nil:
		w.setFailure(id, err.Error())
		w.log().Error("stage compile failed; the previous version keeps serving", "api", apiID, "stage", name, "err", err)
	default:
		t, depID, routes := compiled()
		w.Front.Set(apiID, name, t)
		w.setFailure(id, "")
		w.log().Info("stage deployed", "api", apiID, "stage", name, "deployment", depID,
			"routes", routes, "compileMs", time.Since(start).Milliseconds())
	}
	return nil
}

// stage returns the REST stage published for apiID/name, or nil.
func (w *Watcher) stage(apiID, name string) *rest.Stage {
	st, _ := w.Front.Lookup(apiID, name).(*rest.Stage)
	return st
}

// readError is a failure to read the store (not a missing or malformed
// document): the change is retried rather than reported as a compile
// failure.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }

// badRecordError is a stored document that does not decode.
type badRecordError struct{ err error }

func (e *badRecordError) Error() string { return e.err.Error() }
func (e *badRecordError) Unwrap() error { return e.err }

// readFailure sorts an error reading a stage's documents: a missing
// document (store.ErrNotFound), one that does not decode
// (badRecordError) and a stage of an API type not served (errNotServed)
// are returned as they are; any other error is a readError.
func readFailure(err error) error {
	var bad *badRecordError
	if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, errNotServed) || errors.As(err, &bad) {
		return err
	}
	return &readError{err}
}

func (w *Watcher) compileStage(ctx context.Context, apiID, name string) (*rest.Stage, error) {
	var stage model.Stage
	var snap, canarySnap *model.Snapshot
	var canaryID string
	var clientCert *model.StoredClientCertificate
	var webACL *webACLDocs
	err := w.Store.View(ctx, func(r store.Reader) error {
		if err := getRecord(ctx, r, model.ChildKey(model.KindStage, apiID, name), &stage); err != nil {
			return err
		}
		var err error
		if stage.WebACLArn != nil {
			if webACL, err = readWebACL(ctx, r, *stage.WebACLArn); err != nil { // waf.go
				return err
			}
		}
		if clientCert, err = readClientCertificate(ctx, r, &stage); err != nil {
			return err
		}
		if snap, err = w.snapshot(ctx, r, apiID, stage.DeploymentID); err != nil {
			return fmt.Errorf("deployment %s: %w", stage.DeploymentID, err)
		}
		if cs := stage.CanarySettings; cs != nil && cs.DeploymentID != nil && *cs.DeploymentID != stage.DeploymentID {
			canaryID = *cs.DeploymentID
			if canarySnap, err = w.snapshot(ctx, r, apiID, canaryID); err != nil {
				return fmt.Errorf("canary deployment %s: %w", canaryID, err)
			}
		}
		return nil
	})
	if err = readFailure(err); err != nil {
		return nil, err
	}
	d, err := w.deployment(apiID, stage.DeploymentID, snap)
	if err != nil {
		return nil, err
	}
	var canary *rest.Deployment
	switch {
	case canarySnap != nil:
		if canary, err = w.deployment(apiID, canaryID, canarySnap); err != nil {
			return nil, err
		}
	case stage.CanarySettings != nil:
		canary = d // a canary on the stage's own deployment: only its variables differ
	}
	st, err := w.Compiler.CompileStage(&stage, d, canary)
	if err != nil {
		return nil, err
	}
	if st.Clients, err = w.clientsFor(clientCert); err != nil {
		return nil, err
	}
	if webACL != nil {
		if st.WAF, err = w.Compiler.compileWAF(webACL); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// snapshot reads a deployment's snapshot unless it is already compiled.
func (w *Watcher) snapshot(ctx context.Context, r store.Reader, apiID, depID string) (*model.Snapshot, error) {
	w.mu.Lock()
	_, cached := w.deployments[apiID+"/"+depID]
	w.mu.Unlock()
	if cached {
		return nil, nil
	}
	var snap model.Snapshot
	if err := getRecord(ctx, r, model.ChildKey(model.KindSnapshot, apiID, depID), &snap); err != nil {
		return nil, err
	}
	return &snap, nil
}

// deployment returns the compiled deployment, compiling snap on a miss.
func (w *Watcher) deployment(apiID, depID string, snap *model.Snapshot) (*rest.Deployment, error) {
	return compiledDeployment(w, &w.deployments, apiID, depID, snap, w.Compiler.CompileDeployment)
}

// compiledDeployment returns the deployment apiID/depID from *cache (one
// of the Watcher's caches, by API type), compiling snap on a miss and
// keeping the result there.
func compiledDeployment[S, D any](w *Watcher, cache *map[string]*D, apiID, depID string, snap *S,
	compile func(id string, snap *S) (*D, error)) (*D, error) {
	key := apiID + "/" + depID
	w.mu.Lock()
	d := (*cache)[key]
	w.mu.Unlock()
	if d != nil {
		return d, nil
	}
	if snap == nil {
		return nil, fmt.Errorf("deployment %s: snapshot missing", depID)
	}
	d, err := compile(depID, snap)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	if *cache == nil {
		*cache = map[string]*D{}
	}
	(*cache)[key] = d
	w.mu.Unlock()
	return d, nil
}

// sweep forgets compiled deployments no published stage uses.
func (w *Watcher) sweep() {
	used := map[*rest.Deployment]bool{}
	w.Front.Each(func(_, _ string, t pipeline.Target) {
		if st, ok := t.(*rest.Stage); ok {
			used[st.Deployment] = true
			if st.Canary != nil {
				used[st.Canary] = true
			}
		}
	})
	sweepDeployments(w, &w.deployments, used)
}

// sweepDeployments forgets the compiled deployments of *cache that used
// does not hold.
func sweepDeployments[D any](w *Watcher, cache *map[string]*D, used map[*D]bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, d := range *cache {
		if !used[d] {
			delete(*cache, k)
		}
	}
}

// forgetAPI deletes the entries of m (keyed "{api}/…") that belong to
// apiID. The caller holds w.mu.
func forgetAPI[V any](m map[string]V, apiID string) {
	for k := range m {
		if strings.HasPrefix(k, apiID+"/") {
			delete(m, k)
		}
	}
}

// flushAuthCache empties a stage's authorizer result cache (nil: none),
// logging a failure.
func (w *Watcher) flushAuthCache(ctx context.Context, c pipeline.AuthCache, apiID, name string) {
	if c == nil {
		return
	}
	if err := c.Flush(ctx); err != nil {
		w.log().Error("flushing the authorizer cache", "api", apiID, "stage", name, "err", err)
	}
}

func (w *Watcher) setFailure(id, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failures == nil {
		w.failures = map[string]string{}
	}
	if msg == "" {
		delete(w.failures, id)
	} else {
		w.failures[id] = msg
	}
}

// Failures returns the stages whose latest compile failed, with the error.
func (w *Watcher) Failures() map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]string, len(w.failures))
	for k, v := range w.failures {
		out[k] = v
	}
	return out
}

func (w *Watcher) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// getRecord decodes a document stored by the management API (model.Record).
func getRecord[T any](ctx context.Context, r store.Reader, key string, v *T) error {
	it, err := r.Get(ctx, key)
	if err != nil {
		return err
	}
	rec := model.Record[*T]{V: v}
	if err := json.Unmarshal(it.Value, &rec); err != nil {
		return &badRecordError{fmt.Errorf("decode %s: %w", key, err)}
	}
	return nil
}
