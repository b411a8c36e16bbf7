package httpapi

import (
	"net/url"
	"strings"
	"unsafe"

	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/gateway/pathsafe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/proxyevent"
)

// Request parameter mappings change the request "before it reaches the
// backend integration" [D: "Transform API requests and responses for
// HTTP APIs"], whatever the integration: an HTTP_PROXY integration's
// backend request (requestEditor, httpproxy.go), or what a Lambda proxy
// integration's event describes (eventEditor) — AWS's console and its CDK
// (HttpLambdaIntegrationProps.parameterMapping) configure them on Lambda
// integrations too [C: aws-cdk#17255]. Private (VPC link) integrations
// take them as well but are not served; AWS service integrations read
// their requestParameters as the action's parameters instead (see
// compileIntegration).

// queryEdits is a query string being rewritten by mappings: parsed on the
// first query mapping, encoded again once every mapping has run.
type queryEdits struct {
	raw             func() string // the query string before mapping
	params          []queryParam
	parsed, changed bool
}

type queryParam struct{ name, value string }

func (q *queryEdits) parse() {
	if q.parsed {
		return
	}
	q.parsed, q.changed = true, true
	raw := q.raw()
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			dk, dv = k, v
		}
		q.params = append(q.params, queryParam{dk, dv})
	}
}

func (q *queryEdits) SetQuery(name, value string) {
	q.DelQuery(name)
	q.params = append(q.params, queryParam{name, value})
}

func (q *queryEdits) AddQuery(name, value string) {
	q.parse()
	q.params = append(q.params, queryParam{name, value})
}

func (q *queryEdits) DelQuery(name string) {
	q.parse()
	kept := q.params[:0]
	for _, p := range q.params {
		if p.name != name {
			kept = append(kept, p)
		}
	}
	q.params = kept
}

// encoded returns the mapped query string, or false when no mapping
// touched it.
func (q *queryEdits) encoded() (string, bool) {
	if !q.changed {
		return "", false
	}
	var b strings.Builder
	for i, p := range q.params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.value))
	}
	return b.String(), true
}

// mappedPath is an overwrite:path value as a request path: rooted,
// escaped (see escapePath), and refused (400) with a dot-segment, as
// request paths are (see package pathsafe).
func mappedPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if pathsafe.HasDotSegment(p) {
		return "", pipeline.ErrBadRequest
	}
	return escapePath(p), nil
}

// eventEditor applies request parameter mappings to a Lambda proxy
// integration's event: the headers (and so cookies) it lists, its query
// string (rawQueryString and queryStringParameters) and its path
// (rawPath and requestContext.http.path [U: which fields overwrite:path
// changes in the event]).
type eventEditor struct {
	x       *Exchange
	headers []headerLine // the client's, copied on the first header mapping
	copied  bool
	queryEdits
	path    string
	pathSet bool
}

type headerLine struct{ name, value string }

// s2b is b's bytes without a copy, for visitors that only read them.
func s2b(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func newEventEditor(x *Exchange) *eventEditor {
	e := &eventEditor{x: x}
	e.queryEdits.raw = x.Req.RawQuery
	return e
}

// VisitHeaders implements proxyevent.HeaderSource: the mapped headers.
func (e *eventEditor) VisitHeaders(fn func(name, value []byte)) {
	if !e.copied {
		e.x.Req.VisitHeaders(fn)
		return
	}
	for _, h := range e.headers {
		fn(s2b(h.name), s2b(h.value))
	}
}

func (e *eventEditor) copyHeaders() {
	if e.copied {
		return
	}
	e.copied = true
	e.x.Req.VisitHeaders(func(k, v []byte) { e.headers = append(e.headers, headerLine{string(k), string(v)}) })
}

func (e *eventEditor) SetHeader(name, value string) {
	e.DelHeader(name)
	e.headers = append(e.headers, headerLine{name, value})
}

// AddHeader adds a header line, named as the request's existing lines of
// that header are, so that a 1.0 event's multiValueHeaders lists the
// values under one name [U].
func (e *eventEditor) AddHeader(name, value string) {
	e.copyHeaders()
	for _, h := range e.headers {
		if len(h.name) == len(name) && equalFold(h.name, name) {
			name = h.name
			break
		}
	}
	e.headers = append(e.headers, headerLine{name, value})
}

func (e *eventEditor) DelHeader(name string) {
	e.copyHeaders()
	kept := e.headers[:0]
	for _, h := range e.headers {
		if !(len(h.name) == len(name) && equalFold(h.name, name)) {
			kept = append(kept, h)
		}
	}
	e.headers = kept
}

// SetPath replaces the path the event describes (overwrite:path).
func (e *eventEditor) SetPath(path string) { e.path, e.pathSet = path, true }

var (
	_ parammap.RequestEditor  = (*eventEditor)(nil)
	_ proxyevent.HeaderSource = (*eventEditor)(nil)
)

// finish writes the mappings into ev.
func (e *eventEditor) finish(ev *proxyevent.Request) error {
	if e.copied {
		ev.Headers = e
	}
	if q, ok := e.encoded(); ok {
		ev.RawQuery = q
	}
	if e.pathSet {
		p, err := mappedPath(e.path)
		if err != nil {
			return err
		}
		ev.RawPath = p
	}
	return nil
}

// escapePath percent-encodes what may not appear in a request path as
// sent (spaces, controls, '?', '#', non-ASCII bytes), and keeps '%': a
// mapped value taken from the request path ($request.path.id) is already
// escaped.
func escapePath(p string) string {
	const hexDigits = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c > ' ' && c < 0x7f && c != '?' && c != '#' {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(p)+8), p[:i]...)
		}
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	if b == nil {
		return p
	}
	return string(b)
}
