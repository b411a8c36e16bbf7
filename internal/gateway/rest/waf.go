package rest

import (
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/waf"
)

// AWS WAF on REST stages: the stage's web ACL (Stage.WAF) runs after the
// request is admitted and before routing, so a blocked client is refused
// before any access control, throttle or usage plan sees it, even on an
// unknown route [D: "AWS WAF rules are evaluated before other access
// control features"; reference order §2.3 step 3].

// filter evaluates the stage's web ACL. It returns answered when the web
// ACL answered the request itself (a custom response, CAPTCHA or
// challenge), or the failure a block answers with (WAF_FILTERED).
func (st *Stage) filter(x *Exchange) (answered bool, err error) {
	acl := st.WAF
	x.wafReq = wafRequest{x: x}
	start := time.Now()
	res := acl.Evaluate(x.Ctx, &x.wafReq, start)
	w := &x.WAF
	w.ACLArn, w.Latency = acl.ARN, time.Since(start)
	if res.Err != nil {
		// The web ACL could not be evaluated (the body could not be read,
		// the cluster's rate counters did not answer): the request is not
		// let through unevaluated [T].
		w.Error = res.Err.Error()
		if errors.Is(res.Err, ratelimit.ErrUnavailable) {
			return false, throttle.LimitFailure(res.Err) // 503, as throttles answer
		}
		return false, res.Err
	}
	if res.Action == waf.ActionAllow {
		w.ResponseCode, w.Status = "WAF_ALLOW", 200
		if len(res.Insert) > 0 {
			x.Req = insertHeaders(x.Req, res.Insert)
		}
		return false, nil
	}
	w.ResponseCode = "WAF_BLOCK"
	x.ErrorType = pipeline.WAFFiltered
	resp := x.Resp
	switch res.Action {
	case waf.ActionCaptcha, waf.ActionChallenge:
		// Tollgate has no token service: every request lacks a valid
		// token, which AWS answers 405 (CAPTCHA) or 202 (challenge) with
		// x-amzn-waf-action [D] [T].
		w.Status = 405
		kind := "captcha"
		if res.Action == waf.ActionChallenge {
			w.Status, kind = 202, "challenge"
		}
		resp.SetStatus(w.Status)
		resp.SetHeader("x-amzn-waf-action", kind)
		resp.SetBody(nil)
		return true, nil
	}
	if r := res.Response; r != nil {
		// A custom response replaces the gateway response [D].
		w.Status = r.Status
		resp.SetStatus(r.Status)
		for _, h := range r.Headers {
			resp.SetHeader(h.Name, h.Value)
		}
		if r.ContentType != "" {
			resp.SetHeader("Content-Type", r.ContentType)
		}
		resp.SetBody(r.Body)
		return true, nil
	}
	w.Status = x.gatewayResponses().status(pipeline.WAFFiltered, 0)
	return false, pipeline.Fail(pipeline.WAFFiltered, nil)
}

// wafRequest is what the web ACL sees of a REST request.
type wafRequest struct {
	x   *Exchange
	uri string
}

var _ waf.Request = (*wafRequest)(nil)

func (r *wafRequest) Method() string   { return r.x.Req.Method() }
func (r *wafRequest) RawQuery() string { return r.x.Req.RawQuery() }
func (r *wafRequest) Protocol() string { return r.x.Req.Protocol() }
func (r *wafRequest) Header(name string) string {
	return r.x.Req.Header(name)
}
func (r *wafRequest) VisitHeaders(fn func(name, value []byte)) { r.x.Req.VisitHeaders(fn) }
func (r *wafRequest) ClientIP() netip.Addr                     { return r.x.Req.RemoteAddr().Addr() }

// ByHost reports whether the request named the API by its host: an
// {api}.execute-api host or a custom domain, not a path-style address.
func (r *wafRequest) ByHost() bool {
	return r.x.Domain != nil || strings.Contains(r.x.Req.Host(), ".execute-api.")
}

// URI is the path AWS WAF inspects: the stage's path with the stage
// ("/prod/pets") as on {api}.execute-api hosts, whatever address form
// reached Tollgate, or the client's path through a custom domain [T].
func (r *wafRequest) URI() string {
	if r.uri == "" {
		buf, _ := r.x.AppendContext(make([]byte, 0, 64), pipeline.CtxPath)
		r.uri = string(buf)
	}
	return r.uri
}

// Body reads the body whole (the integration gets the same bytes) and
// returns the part the web ACL inspects.
func (r *wafRequest) Body(limit int) ([]byte, bool, error) {
	b, err := r.x.ReadBody()
	if err != nil {
		return nil, false, err
	}
	if len(b) > limit {
		return b[:limit], true, nil
	}
	return b, false, nil
}

// headerOverlay is the request with the headers the web ACL inserted
// (x-amzn-waf-*): they replace headers of the same name [D].
type headerOverlay struct {
	pipeline.Request
	add []waf.Header
}

// insertHeaders returns req with add inserted; a later header of a name
// replaces an earlier one [D].
func insertHeaders(req pipeline.Request, add []waf.Header) pipeline.Request {
	var out []waf.Header
	for i, h := range add {
		later := false
		for _, g := range add[i+1:] {
			if strings.EqualFold(g.Name, h.Name) {
				later = true
			}
		}
		if !later {
			out = append(out, h)
		}
	}
	return &headerOverlay{Request: req, add: out}
}

func (r *headerOverlay) Header(name string) string {
	for _, h := range r.add {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return r.Request.Header(name)
}

func (r *headerOverlay) VisitHeaders(fn func(name, value []byte)) {
	r.Request.VisitHeaders(func(name, value []byte) {
		for _, h := range r.add {
			if strings.EqualFold(h.Name, string(name)) {
				return
			}
		}
		fn(name, value)
	})
	for _, h := range r.add {
		fn([]byte(h.Name), []byte(h.Value))
	}
}
