package deploy

import (
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
)

// execLog compiles a stage's execution logging: for each route of the
// deployment (and of the canary's), the loggingLevel and dataTraceEnabled
// of the method's own setting ("{resourcePath}/{VERB}", without the
// leading slash) when it sets a level, else of "*/*" [U: the most specific
// setting wins]. It is nil when no method logs or the gateway has no log
// groups.
func (c *Compiler) execLog(st *model.Stage, d, canary *rest.Deployment) *rest.ExecLog {
	if c.Logs == nil || c.Logs.Groups == nil || len(st.MethodSettings) == 0 {
		return nil
	}
	routes, on := execSettings(st, d)
	var canaryRoutes []rest.ExecSetting
	if canary != nil {
		var canaryOn bool
		canaryRoutes, canaryOn = execSettings(st, canary)
		on = on || canaryOn
	}
	if !on {
		return nil
	}
	return &rest.ExecLog{Writer: c.Logs.Groups, Group: rest.ExecLogGroup(d.APIID, st.StageName), Stream: observe.ProcessStream(),
		Routes: routes, CanaryRoutes: canaryRoutes}
}

// execSettings resolves every route's setting; on reports whether any
// route logs.
func execSettings(st *model.Stage, d *rest.Deployment) (out []rest.ExecSetting, on bool) {
	all := st.MethodSettings["*/*"]
	out = make([]rest.ExecSetting, len(d.RouteList))
	for i, r := range d.RouteList {
		ms := st.MethodSettings[strings.TrimPrefix(r.ResourcePath, "/")+"/"+r.HTTPMethod]
		if ms == nil || ms.LoggingLevel == nil {
			ms = all
		}
		if ms == nil || ms.LoggingLevel == nil {
			continue
		}
		mock := r.Mock
		switch *ms.LoggingLevel {
		case "INFO":
			out[i] = rest.ExecSetting{Level: rest.ExecInfo, DataTrace: ms.DataTraceEnabled, Mock: mock}
		case "ERROR":
			out[i] = rest.ExecSetting{Level: rest.ExecError, DataTrace: ms.DataTraceEnabled, Mock: mock}
		default:
			continue
		}
		on = true
	}
	return out, on
}
