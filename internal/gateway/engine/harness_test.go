package engine_test

import (
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/deploy"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/tracing"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
)

// newHandler compiles snap into stage st of its API, as a deployment does,
// and returns a handler serving it. Integrations reach backends through
// dial; access logs go nowhere.
func newHandler(tb testing.TB, snap *model.Snapshot, st *model.Stage, dial fasthttp.DialFunc) *front.Door {
	return newTracedHandler(tb, snap, st, dial, nil)
}

// newTracedHandler is newHandler with spans recorded by tr (for stages
// with tracingEnabled).
func newTracedHandler(tb testing.TB, snap *model.Snapshot, st *model.Stage, dial fasthttp.DialFunc, tr *tracing.Tracer) *front.Door {
	tb.Helper()
	logs := &observe.LogSinks{Stdout: discard{}}
	tb.Cleanup(func() { logs.Close() })
	c := &deploy.Compiler{Clients: upstream.NewClientsWithDial(dial), Logs: logs, Tracer: tr}
	d, err := c.CompileDeployment("d", snap)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := c.CompileStage(st, d, nil)
	if err != nil {
		tb.Fatal(err)
	}
	door := &front.Door{}
	door.Set(snap.API.ID, st.StageName, s)
	return door
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
