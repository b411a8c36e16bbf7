package deploy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// WebSocket APIs (apigatewayv2, protocol type WEBSOCKET) are stored like
// HTTP APIs: each "v2stage/" key names a deployment whose "v2snapshot/" is
// compiled (wsapi.Compile) and published. Connections belong to the
// node's wsapi.Hub, not to a stage version: republishing a stage keeps
// them; unpublishing it closes them.

// CompileWebSocketStage compiles a WebSocket API deployment's snapshot
// (nil: the stage has none) and combines it with the stage's settings.
func (c *Compiler) CompileWebSocketStage(apiID, depID string, snap *modelv2.Snapshot, st *modelv2.Stage) (*wsapi.Stage, error) {
	var d *wsapi.Deployment
	if snap != nil {
		var err error
		if d, err = wsapi.Compile(c.WebSocket, depID, snap); err != nil {
			return nil, err
		}
	}
	return wsapi.NewStage(c.WebSocket, st, d, apiID)
}

// applyWSStage (re)compiles the WebSocket API stage apiID/name and
// publishes it; a failed compile keeps the previous version serving. It
// returns an error only when the store cannot be read.
func (w *Watcher) applyWSStage(ctx context.Context, apiID, name string) error {
	start := time.Now()
	var stage modelv2.Stage
	var api modelv2.Api
	var snap *modelv2.Snapshot
	depID := ""
	err := w.Store.View(ctx, func(r store.Reader) error {
		if err := getRecord(ctx, r, modelv2.ChildKey(modelv2.KindStage, apiID, name), &stage); err != nil {
			return err
		}
		if err := getRecord(ctx, r, modelv2.KeyApi(apiID), &api); err != nil {
			return err
		}
		if api.ProtocolType != modelv2.ProtocolWebSocket {
			return errNotServed
		}
		if stage.DeploymentID == nil || *stage.DeploymentID == "" {
			return nil
		}
		depID = *stage.DeploymentID
		snap = &modelv2.Snapshot{}
		if err := getRecord(ctx, r, modelv2.ChildKey(modelv2.KindSnapshot, apiID, depID), snap); err != nil {
			return fmt.Errorf("deployment %s: %w", depID, err)
		}
		return nil
	})
	id := apiID + "/" + name
	var bad *badRecordError
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound) && depID != "":
		err = fmt.Errorf("deployment %s: snapshot missing", depID)
	case errors.Is(err, store.ErrNotFound), errors.Is(err, errNotServed):
		if _, ok := w.Front.Lookup(apiID, name).(*wsapi.Stage); ok || errors.Is(err, store.ErrNotFound) {
			w.Front.Set(apiID, name, nil)
		}
		w.setFailure(id, "")
		return nil
	case errors.As(err, &bad):
	default:
		return fmt.Errorf("reading stage %s: %w", id, err)
	}
	var st *wsapi.Stage
	if err == nil {
		st, err = w.Compiler.CompileWebSocketStage(apiID, depID, snap, &stage)
	}
	if err != nil {
		w.setFailure(id, err.Error())
		w.log().Error("stage compile failed; the previous version keeps serving", "api", apiID, "stage", name, "err", err)
		return nil
	}
	// The authorizer cache survives recompiles of the same deployment.
	if prev := w.wsStage(apiID, name); prev != nil && prev.Deployment != nil && st.Deployment != nil &&
		prev.Deployment.ID == st.Deployment.ID {
		st.AuthorizerCache = prev.AuthorizerCache
	}
	w.Front.Set(apiID, name, st)
	w.setFailure(id, "")
	routes := 0
	if st.Deployment != nil {
		routes = len(st.Deployment.RouteList)
	}
	w.log().Info("stage deployed", "api", apiID, "stage", name, "deployment", depID,
		"routes", routes, "compileMs", time.Since(start).Milliseconds())
	return nil
}

// wsStage returns the WebSocket API stage published for apiID/name, or
// nil.
func (w *Watcher) wsStage(apiID, name string) *wsapi.Stage {
	st, _ := w.Front.Lookup(apiID, name).(*wsapi.Stage)
	return st
}
