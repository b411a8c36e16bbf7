package integration

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
)

// HTTP calls an HTTP backend with a request built from parameter mappings
// and the request template, and maps the backend response through the
// integration responses (non-proxy HTTP).
type HTTP struct {
	clients   *upstream.Clients
	insecure  bool
	method    string
	uri       *upstream.URITemplate
	mappings  []requestMapping
	requests  *RequestTemplates
	responses *Responses
	timeout   time.Duration
}

// NewHTTP compiles an HTTP integration.
func NewHTTP(in *model.Integration, clients *upstream.Clients) (*HTTP, error) {
	uri, err := upstream.ParseURI(model.Deref(in.URI))
	if err != nil {
		return nil, err
	}
	maps, err := parseRequestMappings(in.RequestParameters)
	if err != nil {
		return nil, err
	}
	rt, err := NewRequestTemplates(in)
	if err != nil {
		return nil, err
	}
	rs, err := NewResponses(in.IntegrationResponses)
	if err != nil {
		return nil, err
	}
	h := &HTTP{clients: clients, uri: uri, mappings: maps, requests: rt, responses: rs, timeout: timeoutOf(in), method: model.Deref(in.HTTPMethod)}
	if in.TLSConfig != nil {
		h.insecure = in.TLSConfig.InsecureSkipVerification
	}
	return h, nil
}

// Invoke implements rest.Integration.
func (h *HTTP) Invoke(x *rest.Exchange) error {
	outBody, t, err := h.requests.Transform(x)
	if err != nil {
		return err
	}
	// Parameter mappings from method.request.body read the client's body.
	body, err := x.ReadBody()
	if err != nil {
		return err
	}

	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	req.Header.DisableNormalizing()
	method := h.method
	if method == "" || method == "ANY" {
		method = x.Req.Method()
	}
	req.Header.SetMethod(method)
	params := map[string]string{}
	query := url.Values{}
	for _, m := range h.mappings {
		var v string
		var ok bool
		if m.src.Kind == rest.SrcBody {
			v, ok = bodyValue(body, m.src.Name)
		} else {
			v, ok = m.src.Resolve(x)
		}
		if !ok {
			continue // unresolvable sources are omitted [L]
		}
		switch m.target {
		case "path":
			params[m.name] = pathValue(m.src, v)
		case "querystring":
			query.Add(m.name, v)
		case "header":
			req.Header.Set(m.name, v)
		}
	}
	// $context.requestOverride.* set by the request template win over
	// parameter mappings (reference §6.2).
	x.RequestOverrides("path", func(k, v string) { params[k] = url.PathEscape(v) })
	x.RequestOverrides("querystring", func(k, v string) { query.Set(k, v) })
	x.RequestOverrides("header", func(k, v string) { req.Header.Set(k, v) })
	target := h.uri.Render(func(n string) (string, bool) { v, ok := params[n]; return v, ok }, x.Variables())
	if err := h.uri.CheckTarget(target, x.Variables()); err != nil {
		return err
	}
	req.SetRequestURI(target)
	if len(query) > 0 {
		qs := query.Encode()
		if existing := req.URI().QueryString(); len(existing) > 0 {
			qs = string(existing) + "&" + qs
		}
		req.URI().SetQueryString(qs)
	}
	// API Gateway's own request headers (reference §2.5).
	if len(req.Header.Peek("User-Agent")) == 0 {
		req.Header.Set("User-Agent", "AmazonAPIGateway_"+x.APIID)
	}
	if len(req.Header.Peek("Accept")) == 0 {
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("X-Amzn-Apigateway-Api-Id", x.APIID)
	upstream.TraceHeaders(&x.Exchange, req)
	if len(outBody) > 0 {
		if len(req.Header.ContentType()) == 0 {
			ct := x.Req.Header("Content-Type")
			if ct == "" || t != nil {
				ct = "application/json"
			}
			req.Header.SetContentType(ct)
		}
		req.SetBody(outBody)
	}

	tr := x.EndpointTrace()
	if tr != nil {
		tr.Request(string(req.URI().FullURI()), requestHeaderText(req), outBody)
	}
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	if err := x.HTTPClients(h.clients).Client(h.insecure).DoDeadline(req, resp, time.Now().Add(h.timeout)); err != nil {
		return upstream.Failure(err)
	}
	// The client reads answers whole, refusing those over API Gateway's
	// 10 MB payload limit (upstream.Failure).
	respBody := append([]byte(nil), resp.Body()...)
	status := resp.StatusCode()
	x.IntegrationStatus = status
	if tr != nil {
		tr.Response(rest.HeaderText(func(fn func(n, v string)) {
			resp.Header.VisitAll(func(k, v []byte) { fn(string(k), string(v)) })
		}), respBody)
	}
	r, err := h.responses.Select(strconv.Itoa(status))
	if err != nil {
		return err
	}
	return r.write(x, backendResult{header: headerValues(&resp.Header), body: respBody})
}

// requestHeaderText renders an endpoint request's headers for a test
// invocation's log.
func requestHeaderText(req *fasthttp.Request) string {
	return rest.HeaderText(func(fn func(n, v string)) {
		req.Header.VisitAll(func(k, v []byte) { fn(string(k), string(v)) })
	})
}

// headerValues returns a lookup of every value of a backend header.
func headerValues(h *fasthttp.ResponseHeader) func(string) []string {
	return func(name string) []string {
		var out []string
		h.VisitAll(func(k, v []byte) {
			if strings.EqualFold(string(k), name) {
				out = append(out, string(v))
			}
		})
		return out
	}
}

// bodyValue resolves method.request.body[.path].
func bodyValue(body []byte, path string) (string, bool) {
	if path == "" {
		return string(body), len(body) > 0
	}
	return jsonPath(body, path)
}
