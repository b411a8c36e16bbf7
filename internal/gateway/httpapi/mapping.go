package httpapi

import (
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// Lookup implements parammap.Resolver: the values parameter mappings and
// Lambda authorizers' identity sources read, from the request and, once
// an integration has answered, its response.
func (x *Exchange) Lookup(src parammap.Source, name string) (string, bool) {
	switch src {
	case parammap.SrcRequestHeader:
		return x.requestHeader(name)
	case parammap.SrcRequestQuery:
		vs, ok := x.Query()[name]
		return strings.Join(vs, ","), ok
	case parammap.SrcRequestPath:
		if x.StagePath == "" {
			return "/", true
		}
		return x.StagePath, true
	case parammap.SrcRequestPathParam:
		return x.Match.Params.Get(name)
	case parammap.SrcContext:
		v := pipeline.ParseHTTPContextVar(name)
		if v == pipeline.CtxUnknown || v == pipeline.CtxNull {
			return "", false
		}
		b, ok := x.AppendContextName(nil, v, name)
		return string(b), ok
	case parammap.SrcStageVariable:
		v, ok := x.Variables()[name]
		return v, ok
	case parammap.SrcResponseHeader:
		return x.responseHeader(name)
	}
	return "", false
}

// Body implements parammap.Resolver: the request body (read whole, and
// kept for the integration), or the integration's response body: a
// Lambda answer's, or as much of an HTTP backend's as the mappings need
// (read only for integrations whose mappings read it; the rest of a
// longer body is streamed).
func (x *Exchange) Body(src parammap.Source) []byte {
	switch src {
	case parammap.SrcRequestBody:
		b, err := x.ReadBody()
		if err != nil {
			return nil
		}
		return b
	case parammap.SrcResponseBody:
		if x.response != nil {
			return x.response.Body
		}
		return x.backendBody
	}
	return nil
}

var _ parammap.Resolver = (*Exchange)(nil)

// requestHeader returns every value of a request header joined with ","
// (names compare ignoring case) [D], as a string of its own.
func (x *Exchange) requestHeader(name string) (string, bool) {
	v, ok := x.requestHeaderView(name)
	if x.headers.n == 1 {
		// One value (the usual case, an Authorization header say) is
		// copied once; a joined value is already a copy.
		v = strings.Clone(v)
	}
	return v, ok
}

// requestHeaderView is requestHeader for a caller that keeps nothing of
// the value once the exchange ends: a header sent once is not copied.
func (x *Exchange) requestHeaderView(name string) (string, bool) {
	f := &x.headers
	if f.visit == nil {
		// Made once per pooled exchange, so that looking a header up
		// allocates nothing (a closure per call escapes through the
		// Request interface).
		f.visit = f.add
	}
	f.name, f.n, f.joined = name, 0, f.joined[:0]
	x.Req.VisitHeaders(f.visit)
	f.first = nil
	switch f.n {
	case 0:
		return "", false
	case 1:
		// The engine's own string, valid until the exchange ends (the
		// visitor's slices are only valid during the visit).
		return x.Req.Header(name), true
	}
	return string(f.joined), true
}

// headerFinder collects the values of one request header for
// requestHeaderView; its visitor and buffer outlive the exchange's reuse.
type headerFinder struct {
	name   string
	n      int    // values seen
	joined []byte // the values joined with ",", once there are two
	first  []byte // the first value, during the visit only
	visit  func(name, value []byte)
}

func (f *headerFinder) add(k, v []byte) {
	if len(k) != len(f.name) || !strings.EqualFold(b2s(k), f.name) {
		return
	}
	switch f.n++; f.n {
	case 1:
		f.first = v
	case 2:
		f.joined = append(append(append(f.joined, f.first...), ','), v...)
	default:
		f.joined = append(append(f.joined, ','), v...)
	}
}

// responseHeader returns a header of the integration's response: a Lambda
// answer's (every value joined with ","), or the HTTP backend's as the
// response holds it.
func (x *Exchange) responseHeader(name string) (string, bool) {
	if r := x.response; r != nil {
		var vals []string
		for _, h := range r.Headers {
			if strings.EqualFold(h.Name, name) {
				vals = append(vals, h.Value)
			}
		}
		return strings.Join(vals, ","), vals != nil
	}
	if rh, ok := x.Resp.(pipeline.ResponseHeaders); ok {
		v := rh.ResponseHeader(name)
		return v, v != ""
	}
	return "", false
}

// mapResponse applies the integration's responseParameters for the status
// it answered: headers, and overwrite:statuscode [D].
func (x *Exchange) mapResponse(m *parammap.ResponseMapping) {
	status := x.Resp.Status()
	if !m.Has(status) {
		return
	}
	if out := m.Apply(status, x, responseEditor{x.Resp}); out != status {
		x.Resp.SetStatus(out)
	}
}

// responseEditor applies response mappings: overwrite replaces every line
// of the header, whatever casing the backend gave it.
type responseEditor struct{ pipeline.Response }

func (e responseEditor) SetHeader(name, value string) {
	e.Response.DelHeader(name)
	e.Response.SetHeader(name, value)
}

var _ parammap.ResponseEditor = responseEditor{}
