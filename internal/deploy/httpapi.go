package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/httpapi"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// HTTP APIs (apigatewayv2, protocol type HTTP) are compiled and published
// like REST APIs, from their own documents (see package modelv2): each
// "v2stage/" key names a deployment whose "v2snapshot/" is compiled once
// (auto-deploying stages are pointed at new deployments by the management
// API itself); a deleted "v2api/" key unpublishes every stage of the API;
// "v2flush/{api}/{stage}/authorizers" empties a stage's authorizer cache.

// CompileHTTPDeployment compiles an HTTP API deployment's snapshot.
func (c *Compiler) CompileHTTPDeployment(id string, snap *modelv2.Snapshot) (*httpapi.Deployment, error) {
	return httpapi.Compile(c.HTTP, id, snap)
}

// CompileHTTPStage combines a compiled HTTP API deployment (nil: the stage
// has none) with a stage's settings. Its Lambda authorizer results are
// kept where REST stages keep theirs (AuthCaches: in a cluster, shared by
// every node).
func (c *Compiler) CompileHTTPStage(apiID string, st *modelv2.Stage, d *httpapi.Deployment) (*httpapi.Stage, error) {
	out, err := httpapi.NewStage(c.HTTP, st, d, apiID)
	if err != nil {
		return nil, err
	}
	if c.AuthCaches != nil {
		out.AuthCache = c.AuthCaches(apiID, st.StageName, c.Secrets)
	}
	return out, nil
}

// applyV2 applies a change to an HTTP API document other than a stage.
func (w *Watcher) applyV2(ctx context.Context, ch store.Change) error {
	switch {
	case strings.HasPrefix(ch.Key, modelv2.PrefixApis):
		if ch.Op != store.OpDelete {
			return nil // served from snapshots: only a redeploy changes a stage
		}
		apiID := strings.TrimPrefix(ch.Key, modelv2.PrefixApis)
		w.Front.RemoveAPI(apiID)
		w.mu.Lock()
		for k := range w.v2deployments {
			if strings.HasPrefix(k, apiID+"/") {
				delete(w.v2deployments, k)
			}
		}
		for k := range w.failures {
			if strings.HasPrefix(k, apiID+"/") {
				delete(w.failures, k)
			}
		}
		w.mu.Unlock()
	case strings.HasPrefix(ch.Key, modelv2.KindFlush+"/"):
		// "v2flush/{api}/{stage}/authorizers": ResetAuthorizersCache.
		tail := strings.TrimPrefix(ch.Key, modelv2.KindFlush+"/")
		apiID, tail, _ := strings.Cut(tail, "/")
		if name, ok := strings.CutSuffix(tail, "/authorizers"); ok {
			if st := w.httpStage(apiID, name); st != nil && st.AuthCache != nil {
				if err := st.AuthCache.Flush(ctx); err != nil {
					w.log().Error("flushing the authorizer cache", "api", apiID, "stage", name, "err", err)
				}
			}
			if st := w.wsStage(apiID, name); st != nil {
				st.AuthorizerCache.Flush()
			}
		}
	case strings.HasPrefix(ch.Key, modelv2.KindSnapshot+"/") && ch.Op != store.OpDelete:
		// A snapshot written after the stage that names it (never by the
		// management API, which writes both at once): retry the API's
		// stages that failed to compile.
		apiID, _, _ := strings.Cut(strings.TrimPrefix(ch.Key, modelv2.KindSnapshot+"/"), "/")
		for id := range w.Failures() {
			if name, ok := strings.CutPrefix(id, apiID+"/"); ok {
				if err := w.applyV2Stage(ctx, modelv2.ChildKey(modelv2.KindStage, apiID, name)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// errNotServed marks a stage of an API type this watcher does not serve
// (WebSocket APIs).
var errNotServed = errors.New("not served")

// applyV2Stage (re)compiles the HTTP API stage stored at key and
// publishes it; a deleted stage is unpublished; a failed compile keeps the
// previous one. It returns an error only when the store cannot be read.
func (w *Watcher) applyV2Stage(ctx context.Context, key string) error {
	tail := strings.TrimPrefix(key, modelv2.KindStage+"/")
	apiID, name, ok := strings.Cut(tail, "/")
	if !ok {
		return nil
	}
	start := time.Now()
	st, err := w.compileV2Stage(ctx, apiID, name)
	id := apiID + "/" + name
	var readErr *readError
	switch {
	case errors.Is(err, errNotServed):
		return w.applyWSStage(ctx, apiID, name) // a WebSocket API's (wsapi.go)
	case errors.Is(err, store.ErrNotFound):
		if _, ok := w.Front.Lookup(apiID, name).(*httpapi.Stage); ok || errors.Is(err, store.ErrNotFound) {
			w.Front.Set(apiID, name, nil)
		}
		w.setFailure(id, "")
	case errors.As(err, &readErr):
		return fmt.Errorf("reading stage %s: %w", id, readErr.err)
	case err != nil:
		w.setFailure(id, err.Error())
		w.log().Error("stage compile failed; the previous version keeps serving", "api", apiID, "stage", name, "err", err)
	default:
		// The authorizer cache survives recompiles of the same deployment
		// (new stage variables, settings) but not a redeploy, whose
		// authorizers may differ [U: AWS's behaviour on redeploy].
		if prev := w.httpStage(apiID, name); prev != nil && prev.Deployment != nil && st.Deployment != nil &&
			prev.Deployment.ID == st.Deployment.ID && prev.AuthCache != nil {
			st.AuthCache = prev.AuthCache
		}
		w.Front.Set(apiID, name, st)
		w.setFailure(id, "")
		dep, routes := "", 0
		if st.Deployment != nil {
			dep, routes = st.Deployment.ID, len(st.Deployment.RouteList)
		}
		w.log().Info("stage deployed", "api", apiID, "stage", name, "deployment", dep,
			"routes", routes, "compileMs", time.Since(start).Milliseconds())
	}
	w.sweepV2()
	return nil
}

// httpStage returns the HTTP API stage published for apiID/name, or nil.
func (w *Watcher) httpStage(apiID, name string) *httpapi.Stage {
	st, _ := w.Front.Lookup(apiID, name).(*httpapi.Stage)
	return st
}

func (w *Watcher) compileV2Stage(ctx context.Context, apiID, name string) (*httpapi.Stage, error) {
	var stage modelv2.Stage
	var snap *modelv2.Snapshot
	var depID string
	var api modelv2.Api
	err := w.Store.View(ctx, func(r store.Reader) error {
		if err := getRecord(ctx, r, modelv2.ChildKey(modelv2.KindStage, apiID, name), &stage); err != nil {
			return err
		}
		if err := getRecord(ctx, r, modelv2.KeyApi(apiID), &api); err != nil {
			return err
		}
		if api.ProtocolType != modelv2.ProtocolHTTP {
			return errNotServed
		}
		if stage.DeploymentID == nil || *stage.DeploymentID == "" {
			return nil
		}
		depID = *stage.DeploymentID
		w.mu.Lock()
		_, cached := w.v2deployments[apiID+"/"+depID]
		w.mu.Unlock()
		if cached {
			return nil
		}
		snap = &modelv2.Snapshot{}
		if err := getRecord(ctx, r, modelv2.ChildKey(modelv2.KindSnapshot, apiID, depID), snap); err != nil {
			return fmt.Errorf("deployment %s: %w", depID, err)
		}
		return nil
	})
	var bad *badRecordError
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound) && depID != "":
		// The stage names a deployment whose snapshot is missing: a compile
		// failure, not a deleted stage.
		return nil, fmt.Errorf("deployment %s: snapshot missing", depID)
	case errors.Is(err, store.ErrNotFound), errors.Is(err, errNotServed), errors.As(err, &bad):
		return nil, err
	default:
		return nil, &readError{err}
	}
	var d *httpapi.Deployment
	if depID != "" {
		if d, err = w.v2deployment(apiID, depID, snap); err != nil {
			return nil, err
		}
	}
	return w.Compiler.CompileHTTPStage(apiID, &stage, d)
}

// v2deployment returns the compiled HTTP API deployment, compiling snap on
// a miss.
func (w *Watcher) v2deployment(apiID, depID string, snap *modelv2.Snapshot) (*httpapi.Deployment, error) {
	key := apiID + "/" + depID
	w.mu.Lock()
	d := w.v2deployments[key]
	w.mu.Unlock()
	if d != nil {
		return d, nil
	}
	if snap == nil {
		return nil, fmt.Errorf("deployment %s: snapshot missing", depID)
	}
	d, err := w.Compiler.CompileHTTPDeployment(depID, snap)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	if w.v2deployments == nil {
		w.v2deployments = map[string]*httpapi.Deployment{}
	}
	w.v2deployments[key] = d
	w.mu.Unlock()
	return d, nil
}

// sweepV2 forgets compiled HTTP API deployments no published stage uses.
func (w *Watcher) sweepV2() {
	used := map[*httpapi.Deployment]bool{}
	w.Front.Each(func(_, _ string, t pipeline.Target) {
		if st, ok := t.(*httpapi.Stage); ok && st.Deployment != nil {
			used[st.Deployment] = true
		}
	})
	w.mu.Lock()
	for k, d := range w.v2deployments {
		if !used[d] {
			delete(w.v2deployments, k)
		}
	}
	w.mu.Unlock()
}
