package restjson

import (
	"context"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
)

// Handler runs one operation. It returns the output (marshalled as JSON;
// nil sends no body) or an error (mapped by awserr at the boundary).
type Handler func(ctx context.Context, r *Request) (any, error)

// Raw is an output sent as-is instead of being marshalled.
type Raw struct {
	ContentType string
	Header      http.Header
	Body        []byte
	// Status, when non-zero, replaces the operation's success status
	// (Lambda's Invoke answers 200, 202 or 204 by invocation type).
	Status int
	// Stream, when set, writes the body instead of Body, after the
	// header: each Write reaches the client at once, and a client that
	// stops reading for longer than the server's write timeout is cut off
	// (Lambda's InvokeWithResponseStream).
	Stream func(w io.Writer)
}

// Op is a routed operation.
type Op struct {
	// Name is the AWS operation name, for logs and metrics.
	Name string
	// Service is the SigV4 service name the operation is signed for.
	Service string
	// Status is the success status code.
	Status  int
	Handler Handler
	// MaxBody, when positive, replaces the server's request body limit for
	// this operation (Lambda's CreateFunction carries zips of up to 50 MB
	// in base64); TooLarge is then the error for a larger body (nil: the
	// server's generic 413).
	MaxBody  int64
	TooLarge error
	// WriteError, when set, sends the operation's errors (authentication
	// failures included) in its protocol's shape; nil means awserr.Write,
	// the REST-JSON shape.
	WriteError func(w http.ResponseWriter, err error) *awserr.Error
	// Params are the names of the pattern's path parameters, in order
	// (set by Handle).
	Params []string
}

// Router maps "METHOD /path/{param}" patterns to operations. It is built
// once at start-up and read-only afterwards.
type Router struct {
	mux     *http.ServeMux
	ops     map[string]*Op
	targets map[string]*targetService
}

// targetService is the operations of one AWS JSON service, by name.
type targetService struct {
	ops     map[string]*Op
	unknown *Op
}

// NewRouter returns an empty router.
func NewRouter() *Router {
	return &Router{mux: http.NewServeMux(), ops: map[string]*Op{}, targets: map[string]*targetService{}}
}

// TargetHeader names the operation of an AWS JSON 1.0/1.1 call.
const TargetHeader = "X-Amz-Target"

// HandleTargets registers the operations of an AWS JSON 1.0/1.1 service:
// calls are POST / with the header "X-Amz-Target: {prefix}.{name}" (the
// prefix may itself hold dots, as CloudTrail's does, so the name is what
// follows the last one). unknown answers a target with this prefix and a
// name not in ops. It panics on a prefix registered twice: routes are
// program constants.
func (rt *Router) HandleTargets(prefix string, ops map[string]Op, unknown Op) {
	if _, dup := rt.targets[prefix]; dup {
		panic("restjson: target prefix registered twice: " + prefix)
	}
	svc := &targetService{ops: make(map[string]*Op, len(ops)), unknown: &unknown}
	for name, op := range ops {
		o := op
		svc.ops[name] = &o
	}
	rt.targets[prefix] = svc
}

// matchTarget finds the AWS JSON operation r names, or nil.
func (rt *Router) matchTarget(r *http.Request) *Op {
	target := r.Header.Get(TargetHeader)
	if target == "" || r.Method != http.MethodPost || r.URL.EscapedPath() != "/" {
		return nil
	}
	i := strings.LastIndexByte(target, '.')
	if i < 0 {
		return nil
	}
	svc := rt.targets[target[:i]]
	if svc == nil {
		return nil
	}
	if op := svc.ops[target[i+1:]]; op != nil {
		return op
	}
	return svc.unknown
}

// Handle registers op under pattern (net/http ServeMux syntax, with a
// method). It panics on a duplicate or malformed pattern: routes are
// program constants.
func (rt *Router) Handle(pattern string, op Op) {
	o := op
	o.Params = patternParams(pattern)
	rt.ops[pattern] = &o
	// The mux is used for matching only: serving through it binds the path
	// values onto the request (ServeMux sets them on the *Request it is given).
	rt.mux.Handle(pattern, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
}

// Match finds the operation for r and binds its path parameters into r.
// It returns nil if no operation matches the path and method, and for a
// path not in canonical form (an empty segment, "." or ".."): AWS's
// management APIs do not normalise request paths, and the mux, which
// would, is used for matching only.
func (rt *Router) Match(r *http.Request) *Op {
	if op := rt.matchTarget(r); op != nil {
		return op
	}
	if p := r.URL.EscapedPath(); cleanPath(p) != p {
		return nil
	}
	_, pattern := rt.mux.Handler(r)
	op := rt.ops[pattern]
	if op == nil {
		return nil
	}
	// ServeMux.Handler does not populate PathValue; serving through the mux
	// does, on r itself.
	rt.mux.ServeHTTP(discard{}, r)
	return op
}

// Ops returns every registered pattern and its operation; AWS JSON
// operations are listed as "POST / {TargetHeader}: {prefix}.{name}".
func (rt *Router) Ops() map[string]Op {
	out := make(map[string]Op, len(rt.ops))
	for p, o := range rt.ops {
		out[p] = *o
	}
	for prefix, svc := range rt.targets {
		for name, o := range svc.ops {
			out["POST / "+TargetHeader+": "+prefix+"."+name] = *o
		}
	}
	return out
}

// patternParams lists the wildcard names of a ServeMux pattern
// ("{restapi_id}", "{resource_arn...}"; "{$}" is not one).
func patternParams(pattern string) []string {
	var names []string
	for {
		i := strings.IndexByte(pattern, '{')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(pattern[i:], '}')
		if j < 0 {
			return names
		}
		if name := strings.TrimSuffix(pattern[i+1:i+j], "..."); name != "$" {
			names = append(names, name)
		}
		pattern = pattern[i+j+1:]
	}
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// cleanPath is the canonical form ServeMux matches (and redirects other
// paths to): path.Clean, keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// Route is one entry of a service's route table.
type Route struct {
	Pattern string
	Name    string
	Status  int
	Handler Handler
}

// HandleAll registers a service's route table, every operation signed for
// service.
func (rt *Router) HandleAll(service string, routes []Route) {
	for _, r := range routes {
		rt.Handle(r.Pattern, Op{Name: r.Name, Service: service, Status: r.Status, Handler: r.Handler})
	}
}

// Output turns a typed result into a Handler's (any, error), never a typed
// nil inside a non-nil interface.
func Output[T any](v T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}
