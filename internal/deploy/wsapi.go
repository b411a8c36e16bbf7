package deploy

import (
	"context"
	"errors"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/modelv2"
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
	stage, depID, snap, err := w.readV2Stage(ctx, apiID, name, modelv2.ProtocolWebSocket, nil) // httpapi.go
	if errors.Is(err, errNotServed) {
		if _, ok := w.Front.Lookup(apiID, name).(*wsapi.Stage); ok {
			w.Front.Set(apiID, name, nil)
		}
		w.setFailure(apiID+"/"+name, "")
		return nil
	}
	var st *wsapi.Stage
	if err == nil {
		st, err = w.Compiler.CompileWebSocketStage(apiID, depID, snap, &stage)
	}
	return w.publishStage(apiID, name, start, err, func() (pipeline.Target, string, int) {
		// The authorizer cache survives recompiles of the same deployment.
		if prev := w.wsStage(apiID, name); prev != nil && prev.Deployment != nil && st.Deployment != nil &&
			prev.Deployment.ID == st.Deployment.ID {
			st.AuthorizerCache = prev.AuthorizerCache
		}
		if st.Deployment == nil {
			return st, depID, 0
		}
		return st, depID, len(st.Deployment.RouteList)
	})
}

// wsStage returns the WebSocket API stage published for apiID/name, or
// nil.
func (w *Watcher) wsStage(apiID, name string) *wsapi.Stage {
	st, _ := w.Front.Lookup(apiID, name).(*wsapi.Stage)
	return st
}
