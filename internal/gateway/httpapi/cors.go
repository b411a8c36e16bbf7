package httpapi

import (
	"github.com/tollgate/tollgate/internal/gateway/cors"
)

// backendCORSHeaders are the access-control-* headers a backend may send,
// which API Gateway drops when the API has a CORS configuration [D].
var backendCORSHeaders = []string{
	cors.HeaderAllowOrigin, cors.HeaderAllowCredentials, cors.HeaderAllowMethods,
	cors.HeaderAllowHeaders, cors.HeaderExposeHeaders, cors.HeaderMaxAge,
}

// answerPreflight answers a CORS preflight (OPTIONS with Origin and
// Access-Control-Request-Method) itself when the API has a CORS
// configuration and no route claims the request: an OPTIONS, ANY or greedy
// route, or $default, matching it handles it like any request, authorizer
// included [D: "Configuring CORS for an HTTP API"]. It reports whether it
// answered.
func (x *Exchange) answerPreflight() bool {
	p := x.Deployment.CORS
	if p == nil || x.Req.Method() != "OPTIONS" {
		return false
	}
	origin, method := x.Req.Header("Origin"), x.Req.Header("Access-Control-Request-Method")
	if !cors.IsPreflight("OPTIONS", origin, method) {
		return false
	}
	x.routed = true
	if x.Deployment.Routes.Lookup("OPTIONS", x.StagePath, &x.Match) {
		return false
	}
	x.Match.Route = nil
	x.preflight = true
	a := p.Preflight(origin, method, x.Req.Header("Access-Control-Request-Headers"))
	var buf [8]cors.Header
	for _, h := range a.AppendTo(buf[:0]) {
		x.Resp.SetHeader(h.Name, h.Value)
	}
	x.Resp.SetStatus(cors.PreflightStatus)
	x.Resp.SetBody(nil)
	return true
}

// corsHeaders applies the API's CORS configuration to a response other
// than a preflight answer: the backend's access-control-* headers are
// dropped, and for a request whose Origin is allowed the configured
// headers are added [D]. The gateway's own answers (401, 404, …) get them
// too, so that browsers can read them [U].
func (x *Exchange) corsHeaders() {
	if x.preflight || x.Deployment == nil || x.Deployment.CORS == nil {
		return
	}
	for _, n := range backendCORSHeaders {
		x.Resp.DelHeader(n)
	}
	a := x.Deployment.CORS.Actual(x.Req.Header("Origin"))
	var buf [8]cors.Header
	for _, h := range a.AppendTo(buf[:0]) {
		if h.Name == cors.HeaderVary {
			x.Resp.AddHeader(h.Name, h.Value)
			continue
		}
		x.Resp.SetHeader(h.Name, h.Value)
	}
}
