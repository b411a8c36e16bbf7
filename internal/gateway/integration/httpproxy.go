package integration

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/model"
)

// HTTPProxy forwards the whole request to an HTTP backend and streams the
// backend's response back unchanged (HTTP_PROXY).
type HTTPProxy struct {
	clients  *Clients
	insecure bool
	method   string // "" = the client's method (integration httpMethod ANY)
	uri      *uriTemplate
	mappings []requestMapping
	timeout  time.Duration
}

// NewHTTPProxy compiles an HTTP_PROXY integration.
func NewHTTPProxy(in *model.Integration, clients *Clients) (*HTTPProxy, error) {
	uri, err := parseURI(model.Deref(in.URI))
	if err != nil {
		return nil, err
	}
	maps, err := parseRequestMappings(in.RequestParameters)
	if err != nil {
		return nil, err
	}
	p := &HTTPProxy{clients: clients, uri: uri, mappings: maps, timeout: timeoutOf(in)}
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

// hopByHop headers never cross the gateway, in either direction; the
// request side also drops the headers API Gateway never forwards [V][L].
var hopByHop = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-authenticate": true, "proxy-authorization": true,
	"te": true, "trailer": true, "trailers": true, "transfer-encoding": true, "upgrade": true,
}

// ownHeaders are set by the gateway on every response; a backend's values
// do not replace them.
var ownHeaders = map[string]bool{"x-amzn-requestid": true, "x-amz-apigw-id": true}

var notForwarded = map[string]bool{
	"host": true, "content-length": true, "expect": true, "max-forwards": true, "content-md5": true,
}

// Invoke implements gateway.Integration.
func (p *HTTPProxy) Invoke(x *gateway.Exchange) error {
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	req.Header.DisableNormalizing()

	method := p.method
	if method == "" {
		method = x.Req.Method()
	}
	req.Header.SetMethod(method)

	mapped := p.pathParams(x)
	target := p.uri.render(mapped, x.Variables())
	req.SetRequestURI(target)
	u := req.URI()
	u.DisablePathNormalizing = true
	host := string(u.Host())

	// Query: the URI's own, then the client's (raw, as sent), then mapped
	// parameters. QueryArgs is never touched: parsing it would make fasthttp
	// re-encode the client's bytes.
	query := string(u.QueryString())
	if raw := x.Req.RawQuery(); raw != "" {
		query = joinQuery(query, raw)
	}
	conn := connectionTokens(x.Req.Header("Connection"))
	x.Req.VisitHeaders(func(k, v []byte) {
		lk := strings.ToLower(string(k))
		if hopByHop[lk] || notForwarded[lk] || conn[lk] {
			return
		}
		req.Header.AddBytesKV(k, v)
	})
	req.Header.SetHost(host)
	if ip := x.Req.RemoteAddr(); ip.IsValid() {
		xff := x.Req.Header("X-Forwarded-For")
		if xff != "" {
			xff += ", "
		}
		req.Header.Set("X-Forwarded-For", xff+ip.Addr().Unmap().String())
	}
	for _, m := range p.mappings {
		v, ok := m.src.Resolve(x)
		if !ok {
			continue
		}
		switch m.target {
		case "querystring":
			query = joinQuery(query, url.QueryEscape(m.name)+"="+url.QueryEscape(v))
		case "header":
			req.Header.Set(m.name, v)
		}
	}
	if query != "" {
		u.SetQueryString(query)
	}

	body := &limitedBody{r: x.Req.Body()}
	if n := x.Req.ContentLength(); n > 0 || n < 0 {
		req.SetBodyStream(body, int(n))
	}

	resp := fasthttp.AcquireResponse()
	err := p.clients.pick(p.insecure).DoDeadline(req, resp, time.Now().Add(p.timeout))
	if err != nil {
		fasthttp.ReleaseResponse(resp)
		if body.tooLarge {
			return gateway.ErrTooLarge
		}
		return upstreamFailure(err)
	}
	x.IntegrationStatus = resp.StatusCode()
	out := x.Resp
	out.SetStatus(resp.StatusCode())
	rconn := connectionTokens(string(resp.Header.Peek("Connection")))
	resp.Header.VisitAll(func(k, v []byte) {
		lk := strings.ToLower(string(k))
		if hopByHop[lk] || lk == "content-length" || rconn[lk] || ownHeaders[lk] {
			return
		}
		out.AddHeader(string(k), string(v))
	})
	size := resp.Header.ContentLength()
	if method == "HEAD" || size == 0 {
		fasthttp.ReleaseResponse(resp)
		out.SetBody(nil)
		if method == "HEAD" && size > 0 {
			// A HEAD answer keeps the backend's Content-Length (the size a
			// GET would return); without this the client saw none.
			out.SetHeader("Content-Length", strconv.Itoa(size))
		}
		return nil
	}
	if stream := resp.BodyStream(); stream != nil {
		x.StreamBody(&upstreamBody{r: stream, resp: resp}, size)
		return nil
	}
	out.SetBody(resp.Body())
	fasthttp.ReleaseResponse(resp)
	return nil
}

// pathParams resolves {placeholders}: a mapped integration.request.path
// value, else the method's path parameter of the same name.
func (p *HTTPProxy) pathParams(x *gateway.Exchange) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for _, m := range p.mappings {
			if m.target == "path" && m.name == name {
				v, ok := m.src.Resolve(x)
				return pathValue(m.src, v), ok
			}
		}
		return x.Match.Params.Get(name)
	}
}

// pathValue returns a mapped value ready to be placed in the integration
// URI's path. Method path parameters are already in their escaped form
// (they are taken from the request path undecoded), so they go in as they
// are: escaping them again sent "a%2Fb" as "a%252Fb", and a greedy
// "a/b" as "a%2Fb". Other sources (headers, query strings, literals,
// stage and context variables) are plain text and are escaped.
func pathValue(src gateway.Source, v string) string {
	if src.Kind == gateway.SrcPath {
		return v
	}
	return url.PathEscape(v)
}

func joinQuery(a, b string) string {
	if a == "" {
		return b
	}
	return a + "&" + b
}

func connectionTokens(v string) map[string]bool {
	if v == "" {
		return nil
	}
	out := map[string]bool{}
	for _, t := range strings.Split(v, ",") {
		out[strings.ToLower(strings.TrimSpace(t))] = true
	}
	return out
}

// upstreamFailure maps a backend error to API Gateway's answer: a timeout
// is INTEGRATION_TIMEOUT (504 "Endpoint request timed out"); a backend that
// cannot be reached is API_CONFIGURATION_ERROR (500 "Internal server
// error") [V/L].
func upstreamFailure(err error) error {
	var ne net.Error
	if errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return gateway.Fail(gateway.IntegrationTimeout, err)
	}
	return gateway.Fail(gateway.APIConfigurationError, fmt.Errorf("network error communicating with endpoint: %w", err))
}

// limitedBody streams the request body to the backend and stops at
// MaxBody bytes.
type limitedBody struct {
	r        io.Reader
	n        int64
	tooLarge bool
}

var errBodyTooLarge = errors.New("request body exceeds 10485760 bytes")

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > gateway.MaxBody {
		b.tooLarge = true
		return 0, errBodyTooLarge
	}
	return n, err
}

// upstreamBody streams a backend response body to the client and releases
// the backend response once done.
type upstreamBody struct {
	r    io.Reader
	resp *fasthttp.Response
}

func (u *upstreamBody) Read(p []byte) (int, error) { return u.r.Read(p) }

func (u *upstreamBody) Close() error {
	err := u.resp.CloseBodyStream()
	fasthttp.ReleaseResponse(u.resp)
	return err
}
