// Package cors is the built-in CORS of Amazon API Gateway HTTP APIs
// (corsConfiguration): [Compile] turns a configuration into an immutable
// [Policy] once per deployment; per request, [Policy.Preflight] answers a
// preflight and [Policy.Actual] gives the headers added to any other
// response. Nothing is parsed or allocated on the request path.
//
// What AWS documents [D: "Configure CORS for HTTP APIs in API Gateway"]:
//
//   - with CORS configured, API Gateway answers preflight requests (OPTIONS
//     with Origin and Access-Control-Request-Method) itself, without an
//     OPTIONS route, integration or authorizer — unless a route matches
//     the OPTIONS request first (an OPTIONS, ANY or greedy route, or
//     $default), which then handles it like any request. The caller
//     decides which happens: route matching is not this package's job;
//   - on other requests with an Origin header the configured headers are
//     added to the integration's response, and any access-control-*
//     headers the backend sent are ignored ([IsCORSHeader]); without an
//     Origin header no CORS headers are sent;
//   - allowOrigins holds exact origins, "*", or "https://*" / "http://*"
//     (any origin of that scheme); only the request's origin is echoed,
//     never the list [C: aws-sam-cli#3719 contrasting SAM local with AWS].
//
// Header names are lower case, as HTTP APIs send them.
package cors

import (
	"strconv"
	"strings"
)

// PreflightStatus is the status of a preflight answer, allowed or not [U:
// a 204 with no body is what AWS's answers are reported to be; a refused
// preflight still gets it, without CORS headers].
const PreflightStatus = 204

// Header names.
const (
	HeaderAllowOrigin      = "access-control-allow-origin"
	HeaderAllowCredentials = "access-control-allow-credentials"
	HeaderAllowMethods     = "access-control-allow-methods"
	HeaderAllowHeaders     = "access-control-allow-headers"
	HeaderExposeHeaders    = "access-control-expose-headers"
	HeaderMaxAge           = "access-control-max-age"
	HeaderVary             = "vary"
)

// Config is an API's corsConfiguration.
type Config struct {
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	MaxAge           *int // nil: not set (no access-control-max-age)
	AllowCredentials bool
}

// Header is one response header.
type Header struct{ Name, Value string }

// Policy is a compiled corsConfiguration. Immutable; safe for concurrent
// use.
type Policy struct {
	anyOrigin         bool
	anyHTTPS, anyHTTP bool
	origins           []string // exact origins
	anyMethod         bool
	methods           []string
	methodsText       string // allowMethods joined with ","
	anyHeader         bool
	headers           []string
	headersText       string
	credentials       bool
	preflightStar     []Header // credentials, max-age (allow-origin "*")
	preflightEcho     []Header // the same plus vary: origin
	actualStar        []Header // credentials, expose-headers
	actualEcho        []Header // the same plus vary: origin
}

// Compile validates c (see [Validate]) and compiles it.
func Compile(c Config) (*Policy, error) {
	if err := Validate(c); err != nil {
		return nil, err
	}
	p := &Policy{credentials: c.AllowCredentials}
	for _, o := range c.AllowOrigins {
		switch {
		case o == "*":
			p.anyOrigin = true
		case strings.EqualFold(o, "https://*"):
			p.anyHTTPS = true
		case strings.EqualFold(o, "http://*"):
			p.anyHTTP = true
		default:
			p.origins = append(p.origins, o)
		}
	}
	for _, m := range c.AllowMethods {
		if m == "*" {
			p.anyMethod = true
			continue
		}
		p.methods = append(p.methods, m)
	}
	p.methodsText = strings.Join(c.AllowMethods, ",")
	for _, h := range c.AllowHeaders {
		if h == "*" {
			p.anyHeader = true
			continue
		}
		p.headers = append(p.headers, h)
	}
	p.headersText = strings.Join(c.AllowHeaders, ",")

	var common []Header
	if c.AllowCredentials {
		common = append(common, Header{HeaderAllowCredentials, "true"})
	}
	p.preflightStar = append([]Header(nil), common...)
	if c.MaxAge != nil {
		p.preflightStar = append(p.preflightStar, Header{HeaderMaxAge, strconv.Itoa(*c.MaxAge)})
	}
	p.actualStar = append([]Header(nil), common...)
	if len(c.ExposeHeaders) > 0 {
		p.actualStar = append(p.actualStar, Header{HeaderExposeHeaders, strings.Join(c.ExposeHeaders, ",")})
	}
	// An answer that echoes the request's origin depends on it: caches
	// must key on Origin [U: AWS does not document a Vary header; the
	// Fetch standard ("CORS protocol and HTTP caches") requires it].
	vary := Header{HeaderVary, "origin"}
	p.preflightEcho = append(append([]Header(nil), p.preflightStar...), vary)
	p.actualEcho = append(append([]Header(nil), p.actualStar...), vary)
	return p, nil
}

// Answer is the CORS part of one response. The zero Answer adds nothing.
type Answer struct {
	// AllowOrigin is access-control-allow-origin; "" means the response
	// gets no CORS headers at all.
	AllowOrigin string
	// AllowMethods and AllowHeaders are set on preflight answers only.
	AllowMethods, AllowHeaders string
	// Headers are the other headers (shared, read-only).
	Headers []Header
}

// OK reports whether the answer grants the request (has CORS headers).
func (a *Answer) OK() bool { return a.AllowOrigin != "" }

// AppendTo appends every header of the answer to dst (a caller's stack
// array keeps this allocation-free). A vary header is to be added to, not
// to replace, one the backend sent.
func (a *Answer) AppendTo(dst []Header) []Header {
	if a.AllowOrigin == "" {
		return dst
	}
	dst = append(dst, Header{HeaderAllowOrigin, a.AllowOrigin})
	if a.AllowMethods != "" {
		dst = append(dst, Header{HeaderAllowMethods, a.AllowMethods})
	}
	if a.AllowHeaders != "" {
		dst = append(dst, Header{HeaderAllowHeaders, a.AllowHeaders})
	}
	return append(dst, a.Headers...)
}

// IsPreflight reports whether a request is a CORS preflight: OPTIONS with
// both Origin and Access-Control-Request-Method [D].
func IsPreflight(method, origin, requestMethod string) bool {
	return method == "OPTIONS" && origin != "" && requestMethod != ""
}

// IsCORSHeader reports whether a backend response header is one API
// Gateway ignores when CORS is configured (access-control-*) [D].
func IsCORSHeader(name string) bool {
	const p = "access-control-"
	return len(name) >= len(p) && strings.EqualFold(name[:len(p)], p)
}

// allowOrigin returns the access-control-allow-origin value for origin,
// or "" when the origin is not allowed. "*" is answered with "*"; an exact
// or scheme-wildcard match echoes the request's origin. Origins compare
// ignoring ASCII case [U: scheme and host are case-insensitive; browsers
// send them in lower case].
func (p *Policy) allowOrigin(origin string) (value string, echoed bool) {
	if origin == "" {
		return "", false
	}
	if p.anyOrigin {
		return "*", false
	}
	for _, o := range p.origins {
		if strings.EqualFold(o, origin) {
			return origin, true
		}
	}
	if p.anyHTTPS && hasPrefixFold(origin, "https://") && len(origin) > len("https://") ||
		p.anyHTTP && hasPrefixFold(origin, "http://") && len(origin) > len("http://") {
		return origin, true
	}
	return "", false
}

// Actual returns the headers to add to a non-preflight response for a
// request with this Origin header ("" when the request had none). A
// missing or disallowed origin gets the zero Answer [D: no CORS headers
// without Origin; U: none for a disallowed origin either].
func (p *Policy) Actual(origin string) Answer {
	v, echoed := p.allowOrigin(origin)
	switch {
	case v == "":
		return Answer{}
	case echoed:
		return Answer{AllowOrigin: v, Headers: p.actualEcho}
	}
	return Answer{AllowOrigin: v, Headers: p.actualStar}
}

// Preflight answers a preflight request (see [IsPreflight]) with its
// Origin, Access-Control-Request-Method and Access-Control-Request-Headers.
// The request is granted when the origin is allowed, the method is one of
// allowMethods (or "*", or a CORS-safelisted GET/HEAD/POST) and every
// requested header is one of allowHeaders (or "*"), ignoring case; a
// refused preflight gets the zero Answer, still with [PreflightStatus]
// [U: AWS does not document how it answers a refused preflight].
//
// The granted answer lists the configured methods and headers; where the
// configuration says "*" it echoes what was requested, which browsers
// honour also for credentialed requests [U].
func (p *Policy) Preflight(origin, requestMethod, requestHeaders string) Answer {
	v, echoed := p.allowOrigin(origin)
	if v == "" || !p.methodAllowed(requestMethod) || !p.headersAllowed(requestHeaders) {
		return Answer{}
	}
	a := Answer{AllowOrigin: v, Headers: p.preflightStar}
	if echoed {
		a.Headers = p.preflightEcho
	}
	switch {
	case p.anyMethod:
		a.AllowMethods = requestMethod
	default:
		a.AllowMethods = p.methodsText
	}
	switch {
	case p.anyHeader:
		a.AllowHeaders = strings.TrimSpace(requestHeaders)
	default:
		a.AllowHeaders = p.headersText
	}
	return a
}

func (p *Policy) methodAllowed(m string) bool {
	if p.anyMethod {
		return true
	}
	for _, a := range p.methods {
		if strings.EqualFold(a, m) {
			return true
		}
	}
	switch m {
	case "GET", "HEAD", "POST":
		return true
	}
	return false
}

// headersAllowed checks a comma-separated Access-Control-Request-Headers
// list.
func (p *Policy) headersAllowed(list string) bool {
	if p.anyHeader {
		return true
	}
	for list != "" {
		var h string
		h, list, _ = strings.Cut(list, ",")
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		found := false
		for _, a := range p.headers {
			if strings.EqualFold(a, h) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
