package waf

import (
	"bytes"
	"context"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/waf/transform"
)

// Request is what a web ACL inspects of a request. The data plane adapts
// its own request to it; strings and slices may alias its buffers and are
// only read during Evaluate.
type Request interface {
	Method() string
	// URI is the request path as AWS WAF sees it behind API Gateway:
	// "/{stage}/{path}", still escaped.
	URI() string
	// RawQuery is the query string without '?'.
	RawQuery() string
	// Header returns the first value of a header (case-insensitive), or "".
	Header(name string) string
	// VisitHeaders calls fn for every header line in order; the slices
	// are only valid during the call.
	VisitHeaders(fn func(name, value []byte))
	// ClientIP is the address of the TCP peer.
	ClientIP() netip.Addr
	// Body returns the body's first limit bytes, and whether it is
	// longer than that.
	Body(limit int) (body []byte, oversize bool, err error)
	// Protocol is e.g. "HTTP/1.1".
	Protocol() string
	// ByHost reports whether the request reached the stage by its host
	// name ({api}.execute-api…, a custom domain) rather than path-style.
	ByHost() bool
}

// kv is a name and value of a multi-valued component.
type kv struct{ name, value []byte }

// eval is one evaluation's state: what earlier rules added (labels) and
// the request's components, parsed once on first use. Pooled.
type eval struct {
	ctx context.Context
	acl *ACL
	req Request
	now time.Time

	labels  []string
	inserts []Header
	// bufs are the transformations' scratch space (crsBufs the CRS
	// rules', which run on values bufs may hold); arena holds copies of
	// headers (the request's slices only live during VisitHeaders) and
	// decoded arguments.
	bufs    [2][]byte
	crsBufs [2][]byte
	arena   []byte
	// dargs are the query arguments URL-decoded; bargs the body's
	// (form fields, or JSON keys and values), structured false when the
	// body is neither.
	dargs, bargs []kv
	structured   bool
	pathB        []byte

	args, cookies, headers []kv
	parsed                 uint16 // bits: parsedArgs, parsedCookies, parsedHeaders, parsedBody
	headerOversize         bool
	cookieOversize         bool
	body                   []byte
	bodyOversize           bool
	err                    error
}

const (
	parsedArgs = 1 << iota
	parsedCookies
	parsedHeaders
	parsedBody
	parsedDecoded
	parsedBodyArgs
	parsedPath
)

var evalPool = sync.Pool{New: func() any { return new(eval) }}

func (e *eval) reset() {
	bufs, crsBufs, arena := e.bufs, e.crsBufs, e.arena[:0]
	labels, inserts := e.labels[:0], e.inserts[:0]
	args, cookies, headers, dargs, bargs := e.args[:0], e.cookies[:0], e.headers[:0], e.dargs[:0], e.bargs[:0]
	*e = eval{bufs: bufs, crsBufs: crsBufs, arena: arena, labels: labels, inserts: inserts, args: args, cookies: cookies,
		headers: headers, dargs: dargs, bargs: bargs}
}

// path is the URI path WAF inspects.
func (e *eval) path() string { return e.req.URI() }

// pathBytes is path as bytes, copied once.
func (e *eval) pathBytes() []byte {
	if e.parsed&parsedPath == 0 {
		e.parsed |= parsedPath
		start := len(e.arena)
		e.arena = append(e.arena, e.req.URI()...)
		e.pathB = e.arena[start:len(e.arena):len(e.arena)]
	}
	return e.pathB
}

// decode appends the URL-decoded form of s to the arena and returns it.
func (e *eval) decode(s []byte) []byte {
	var buf []byte
	d := transform.URLDecode(&buf, s)
	start := len(e.arena)
	e.arena = append(e.arena, d...)
	return e.arena[start:len(e.arena):len(e.arena)]
}

// decodedArgs returns the query arguments, names and values decoded.
func (e *eval) decodedArgs() []kv {
	if e.parsed&parsedDecoded == 0 {
		e.parsed |= parsedDecoded
		for _, a := range e.queryArgs() {
			e.dargs = append(e.dargs, kv{e.decode(a.name), e.decode(a.value)})
		}
	}
	return e.dargs
}

// bodyArgs returns the body's fields: a form's (decoded), or a JSON
// document's keys and values; structured is false for other bodies.
func (e *eval) bodyArgs() ([]kv, bool) {
	if e.parsed&parsedBodyArgs == 0 {
		e.parsed |= parsedBodyArgs
		body, _ := e.requestBody()
		ct, _ := e.header("content-type")
		ct = bytes.ToLower(ct)
		switch {
		case len(body) == 0:
		case bytes.Contains(ct, []byte("json")):
			e.structured = true
			walkJSON(body, func(_ string, key bool, v []byte) bool {
				start := len(e.arena)
				e.arena = append(e.arena, v...)
				c := e.arena[start:len(e.arena):len(e.arena)]
				if key {
					e.bargs = append(e.bargs, kv{name: c})
				} else {
					e.bargs = append(e.bargs, kv{value: c})
				}
				return false
			})
		case bytes.HasPrefix(ct, []byte("application/x-www-form-urlencoded")):
			e.structured = true
			for _, part := range bytes.Split(body, []byte{'&'}) {
				if len(part) == 0 {
					continue
				}
				name, value, _ := bytes.Cut(part, []byte{'='})
				e.bargs = append(e.bargs, kv{e.decode(name), e.decode(value)})
			}
		}
	}
	return e.bargs, e.structured
}

// Limits AWS WAF inspects of headers and cookies [D]: the first 8 KB and
// 200 of them; the rest is "oversize".
const (
	maxMapBytes   = 8 * 1024
	maxMapEntries = 200
)

// queryArgs returns the query arguments, names and values raw (still
// URL-encoded: transformations decode them) [U: AWS documents no
// decoding before transformations].
func (e *eval) queryArgs() []kv {
	if e.parsed&parsedArgs == 0 {
		e.parsed |= parsedArgs
		q := e.req.RawQuery()
		start := len(e.arena)
		e.arena = append(e.arena, q...)
		raw := e.arena[start:]
		for len(raw) > 0 {
			var part []byte
			if i := bytes.IndexByte(raw, '&'); i >= 0 {
				part, raw = raw[:i], raw[i+1:]
			} else {
				part, raw = raw, nil
			}
			if len(part) == 0 {
				continue
			}
			name, value := part, part[len(part):]
			if i := bytes.IndexByte(part, '='); i >= 0 {
				name, value = part[:i], part[i+1:]
			}
			e.args = append(e.args, kv{name, value})
		}
	}
	return e.args
}

// argNameEqual compares a raw argument name with a wanted one (lower
// case), decoding the raw name and ignoring case [D: case-insensitive].
func argNameEqual(raw []byte, want string) bool {
	if bytes.IndexByte(raw, '%') < 0 && bytes.IndexByte(raw, '+') < 0 {
		return len(raw) == len(want) && bytes.EqualFold(raw, []byte(want))
	}
	dec, err := url.QueryUnescape(string(raw))
	return err == nil && len(dec) == len(want) && bytes.EqualFold([]byte(dec), []byte(want))
}

// headerList returns the headers in order, with copies of their names
// and values, and notes whether there were more than AWS inspects.
func (e *eval) headerList() []kv {
	if e.parsed&parsedHeaders == 0 {
		e.parsed |= parsedHeaders
		size := 0
		e.req.VisitHeaders(func(name, value []byte) {
			size += len(name) + len(value)
			if len(e.headers) >= maxMapEntries || size > maxMapBytes {
				e.headerOversize = true
				return
			}
			start := len(e.arena)
			e.arena = append(e.arena, name...)
			e.arena = append(e.arena, value...)
			e.headers = append(e.headers, kv{e.arena[start : start+len(name) : start+len(name)], e.arena[start+len(name) : len(e.arena) : len(e.arena)]})
		})
		// An append that moved the arena leaves earlier entries on the old
		// array, which stays valid.
	}
	return e.headers
}

// cookieList returns the cookies of the Cookie headers, in order.
func (e *eval) cookieList() []kv {
	if e.parsed&parsedCookies == 0 {
		e.parsed |= parsedCookies
		size := 0
		for _, h := range e.headerList() {
			if !bytes.EqualFold(h.name, []byte("cookie")) {
				continue
			}
			for _, part := range bytes.Split(h.value, []byte{';'}) {
				part = bytes.TrimSpace(part)
				if len(part) == 0 {
					continue
				}
				size += len(part)
				if len(e.cookies) >= maxMapEntries || size > maxMapBytes {
					e.cookieOversize = true
					break
				}
				name, value := part, part[len(part):]
				if i := bytes.IndexByte(part, '='); i >= 0 {
					name, value = part[:i], part[i+1:]
				}
				e.cookies = append(e.cookies, kv{name, value})
			}
		}
	}
	return e.cookies
}

// requestBody returns the inspected part of the body.
func (e *eval) requestBody() ([]byte, bool) {
	if e.parsed&parsedBody == 0 {
		e.parsed |= parsedBody
		e.body, e.bodyOversize, e.err = e.req.Body(e.acl.bodyLimit)
	}
	return e.body, e.bodyOversize
}

// header returns the first value of the header named name (lower case).
func (e *eval) header(name string) ([]byte, bool) {
	for _, h := range e.headerList() {
		if len(h.name) == len(name) && bytes.EqualFold(h.name, []byte(name)) {
			return h.value, true
		}
	}
	return nil, false
}
