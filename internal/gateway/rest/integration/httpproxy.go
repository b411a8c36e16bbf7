package integration

import (
	"net/url"
	"sync"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
)

// HTTPProxy forwards the whole request to an HTTP backend and streams the
// backend's response back unchanged (HTTP_PROXY).
type HTTPProxy struct {
	clients  *upstream.Clients
	insecure bool
	method   string // "" = the client's method (integration httpMethod ANY)
	uri      *upstream.URITemplate
	mappings []requestMapping
	timeout  time.Duration
	// stream: responseTransferMode STREAM.
	stream bool
	limits upstream.StreamLimits
}

// NewHTTPProxy compiles an HTTP_PROXY integration.
func NewHTTPProxy(in *model.Integration, clients *upstream.Clients) (*HTTPProxy, error) {
	uri, err := upstream.ParseURI(model.Deref(in.URI))
	if err != nil {
		return nil, err
	}
	maps, err := parseRequestMappings(in.RequestParameters)
	if err != nil {
		return nil, err
	}
	p := &HTTPProxy{clients: clients, uri: uri, mappings: maps, timeout: timeoutOf(in),
		stream: streams(in), limits: upstream.DefaultStreamLimits}
	if m := model.Deref(in.HTTPMethod); m != "ANY" {
		p.method = m
	}
	if in.TLSConfig != nil {
		p.insecure = in.TLSConfig.InsecureSkipVerification
	}
	return p, nil
}

func timeoutOf(in *model.Integration) time.Duration {
	ms := in.TimeoutInMillis
	if ms <= 0 {
		ms = 29000
	}
	return time.Duration(ms) * time.Millisecond
}

func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

var uriBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func appendQuery(q []byte, part string) []byte {
	if len(q) > 0 {
		q = append(q, '&')
	}
	return append(q, part...)
}

// Invoke implements rest.Integration.
func (p *HTTPProxy) Invoke(x *rest.Exchange) error {
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	req.Header.DisableNormalizing()

	method := p.method
	if method == "" {
		method = x.Req.Method()
	}
	req.Header.SetMethod(method)

	// The hot path allocates little: the URI and query are built in a
	// pooled buffer (fasthttp copies them), headers are copied as bytes.
	bp := uriBufs.Get().(*[]byte)
	defer uriBufs.Put(bp)
	buf := p.uri.AppendTo((*bp)[:0], func(name string) (string, bool) { return p.pathParam(x, name) }, x.Variables())
	if err := p.uri.CheckTarget(b2s(buf), x.Variables()); err != nil {
		return err
	}
	req.SetRequestURIBytes(buf)
	u := req.URI()
	u.DisablePathNormalizing = true

	// Query: the URI's own, then the client's (raw, as sent), then mapped
	// parameters. QueryArgs is never touched: parsing it would make fasthttp
	// re-encode the client's bytes.
	q := append(buf[:0], u.QueryString()...)
	if raw := x.Req.RawQuery(); raw != "" {
		q = appendQuery(q, raw)
	}
	upstream.ForwardHeaders(&x.Exchange, req)
	for _, m := range p.mappings {
		if m.target == "path" {
			continue
		}
		v, ok := m.src.Resolve(x)
		if !ok {
			continue
		}
		switch m.target {
		case "querystring":
			q = appendQuery(q, url.QueryEscape(m.name)+"="+url.QueryEscape(v))
		case "header":
			req.Header.Set(m.name, v)
		}
	}
	if len(q) > 0 {
		u.SetQueryStringBytes(q)
	}
	*bp = q[:0]
	if tr := x.EndpointTrace(); tr != nil {
		body, _ := x.ReadBody()
		tr.Request(string(req.URI().FullURI()), requestHeaderText(req), body)
	}

	if p.stream {
		// The backend's answer goes to the client as it comes, within
		// the integration timeout (up to 15 minutes).
		return upstream.ForwardStream(&x.Exchange, x.HTTPClients(p.clients).StreamClient(p.insecure), req,
			time.Now().Add(p.timeout), p.limits)
	}
	return upstream.Forward(&x.Exchange, x.HTTPClients(p.clients).Client(p.insecure), req, p.timeout)
}

// Streams implements rest.StreamingIntegration.
func (p *HTTPProxy) Streams() bool { return p.stream }

// pathParam resolves a {placeholder}: a mapped integration.request.path
// value, else the method's path parameter of the same name.
func (p *HTTPProxy) pathParam(x *rest.Exchange, name string) (string, bool) {
	for _, m := range p.mappings {
		if m.target == "path" && m.name == name {
			v, ok := m.src.Resolve(x)
			return pathValue(m.src, v), ok
		}
	}
	return x.Match.Params.Get(name)
}

// pathValue returns a mapped value ready to be placed in the integration
// URI's path. Method path parameters are already in their escaped form
// (they are taken from the request path undecoded), so they go in as they
// are: escaping them again sent "a%2Fb" as "a%252Fb", and a greedy
// "a/b" as "a%2Fb". Other sources (headers, query strings, literals,
// stage and context variables) are plain text and are escaped.
func pathValue(src rest.Source, v string) string {
	if src.Kind == rest.SrcPath {
		return v
	}
	return url.PathEscape(v)
}
