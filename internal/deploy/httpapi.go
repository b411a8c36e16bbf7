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
		forgetAPI(w.v2deployments, apiID)
		forgetAPI(w.failures, apiID)
		w.mu.Unlock()
	case strings.HasPrefix(ch.Key, modelv2.KindFlush+"/"):
		// "v2flush/{api}/{stage}/authorizers": ResetAuthorizersCache.
		tail := strings.TrimPrefix(ch.Key, modelv2.KindFlush+"/")
		apiID, tail, _ := strings.Cut(tail, "/")
		if name, ok := strings.CutSuffix(tail, "/authorizers"); ok {
			if st := w.httpStage(apiID, name); st != nil {
				w.flushAuthCache(ctx, st.AuthCache, apiID, name)
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
	if errors.Is(err, errNotServed) {
		return w.applyWSStage(ctx, apiID, name) // a WebSocket API's (wsapi.go)
	}
	err = w.publishStage(apiID, name, start, err, func() (pipeline.Target, string, int) {
		// The authorizer cache survives recompiles of the same deployment
		// (new stage variables, settings) but not a redeploy, whose
		// authorizers may differ [U: AWS's behaviour on redeploy].
		if prev := w.httpStage(apiID, name); prev != nil && prev.Deployment != nil && st.Deployment != nil &&
			prev.Deployment.ID == st.Deployment.ID && prev.AuthCache != nil {
			st.AuthCache = prev.AuthCache
		}
		if st.Deployment == nil {
			return st, "", 0
		}
		return st, st.Deployment.ID, len(st.Deployment.RouteList)
	})
	if err != nil {
		return err
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
	stage, depID, snap, err := w.readV2Stage(ctx, apiID, name, modelv2.ProtocolHTTP, func(depID string) bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		_, cached := w.v2deployments[apiID+"/"+depID]
		return cached
	})
	if err != nil {
		return nil, err
	}
	var d *httpapi.Deployment
	if depID != "" {
		if d, err = w.v2deployment(apiID, depID, snap); err != nil {
			return nil, err
		}
	}
	return w.Compiler.CompileHTTPStage(apiID, &stage, d)
}

// readV2Stage reads the stage apiID/name of an HTTP or WebSocket API
// (errNotServed when the API's protocol type is not protocol) and the
// snapshot of the deployment it names (depID; "" when none), unless
// compiled (nil: never) reports that deployment compiled already, snap
// then being nil. Its error is store.ErrNotFound for a missing stage or
// API, a compile failure for a missing snapshot or a document that does
// not decode, and a readError when the store cannot be read.
func (w *Watcher) readV2Stage(ctx context.Context, apiID, name, protocol string,
	compiled func(depID string) bool) (stage modelv2.Stage, depID string, snap *modelv2.Snapshot, err error) {
	var api modelv2.Api
	err = w.Store.View(ctx, func(r store.Reader) error {
		if err := getRecord(ctx, r, modelv2.ChildKey(modelv2.KindStage, apiID, name), &stage); err != nil {
			return err
		}
		if err := getRecord(ctx, r, modelv2.KeyApi(apiID), &api); err != nil {
			return err
		}
		if api.ProtocolType != protocol {
			return errNotServed
		}
		if stage.DeploymentID == nil || *stage.DeploymentID == "" {
			return nil
		}
		depID = *stage.DeploymentID
		if compiled != nil && compiled(depID) {
			return nil
		}
		snap = &modelv2.Snapshot{}
		if err := getRecord(ctx, r, modelv2.ChildKey(modelv2.KindSnapshot, apiID, depID), snap); err != nil {
			return fmt.Errorf("deployment %s: %w", depID, err)
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) && depID != "" {
		// The stage names a deployment whose snapshot is missing: a compile
		// failure, not a deleted stage.
		return stage, depID, snap, fmt.Errorf("deployment %s: snapshot missing", depID)
	}
	return stage, depID, snap, readFailure(err)
}

// v2deployment returns the compiled HTTP API deployment, compiling snap on
// a miss.
func (w *Watcher) v2deployment(apiID, depID string, snap *modelv2.Snapshot) (*httpapi.Deployment, error) {
	return compiledDeployment(w, &w.v2deployments, apiID, depID, snap, w.Compiler.CompileHTTPDeployment)
}

// sweepV2 forgets compiled HTTP API deployments no published stage uses.
func (w *Watcher) sweepV2() {
	used := map[*httpapi.Deployment]bool{}
	w.Front.Each(func(_, _ string, t pipeline.Target) {
		if st, ok := t.(*httpapi.Stage); ok && st.Deployment != nil {
			used[st.Deployment] = true
		}
	})
	sweepDeployments(w, &w.v2deployments, used)
}
