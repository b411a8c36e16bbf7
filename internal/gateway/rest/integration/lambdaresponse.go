package integration

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
)

// errMalformedProxyResponse is the cause logged for a function result that
// is not a valid payload 1.0 response.
var errMalformedProxyResponse = errors.New("execution failed due to configuration error: Malformed Lambda proxy response")

// malformed answers 502 {"message": "Internal server error"} [V].
func malformed(detail string) error {
	return &pipeline.Failure{Type: pipeline.Default5XX, Message: "Internal server error", Status: 502,
		ErrorType: "InternalServerErrorException", Cause: fmt.Errorf("%w: %s", errMalformedProxyResponse, detail)}
}

// proxyResponse is a parsed payload 1.0 function response, or the prelude
// of a streamed one.
type proxyResponse struct {
	status  int
	headers [][2]string // merged, in order
	body    []byte
	base64  bool
	cookies []string // a prelude's, each a Set-Cookie header
}

// parseProxyResponseV1 validates a function's result by AWS's rules
// (reference §3.2): a JSON object with only statusCode, headers,
// multiValueHeaders, body and isBase64Encoded, each of the right type.
// Members that are null count as absent; a member given twice counts once,
// with its last value. Anything after the object makes the result malformed
// [U].
func parseProxyResponseV1(payload []byte) (*proxyResponse, error) {
	return parseProxyResponse(payload, false)
}

// parseStreamPrelude validates the prelude of a streamed response
// (application/vnd.awslambda.http-integration-response): statusCode,
// headers, multiValueHeaders as in payload 1.0, and cookies, a list of
// Set-Cookie values; other members are ignored [U: AWS documents only
// these four].
func parseStreamPrelude(prelude []byte) (*proxyResponse, error) {
	return parseProxyResponse(prelude, true)
}

func parseProxyResponse(payload []byte, prelude bool) (*proxyResponse, error) {
	p := responseParsers.Get()
	defer responseParsers.Put(p)
	doc, err := p.ParseBytes(payload)
	if err != nil || doc.Type() != fastjson.TypeObject {
		return nil, malformed("result is not a JSON object")
	}
	out := &proxyResponse{status: 200}
	var single, multi, status, body, b64, cookies *fastjson.Value
	var bad string
	doc.GetObject().Visit(func(k []byte, v *fastjson.Value) {
		switch string(k) {
		case "statusCode":
			status = v
		case "headers":
			single = v
		case "multiValueHeaders":
			multi = v
		case "body":
			body = v
		case "isBase64Encoded":
			b64 = v
		case "cookies":
			cookies = v
		default:
			if bad == "" && v.Type() != fastjson.TypeNull {
				bad = string(k)
			}
		}
	})
	if prelude {
		body, b64, bad = nil, nil, ""
		if present(cookies) {
			list, err := cookies.Array()
			if err != nil {
				return nil, malformed("cookies is not a list")
			}
			for _, c := range list {
				s, err := c.StringBytes()
				if err != nil {
					return nil, malformed("cookies has a non-string value")
				}
				out.cookies = append(out.cookies, string(s))
			}
		}
	} else if present(cookies) && bad == "" {
		bad = "cookies"
	}
	if bad != "" {
		return nil, malformed("unexpected member " + strconv.Quote(bad))
	}
	if present(status) {
		n, ok := parseStatus(status)
		if !ok {
			return nil, malformed("statusCode is not an integer")
		}
		out.status = n
	}
	if present(body) {
		b, err := body.StringBytes()
		if err != nil {
			return nil, malformed("body is not a string")
		}
		out.body = bytes.Clone(b)
		if out.body == nil {
			out.body = []byte{}
		}
	}
	if present(b64) {
		if b64.Type() != fastjson.TypeTrue && b64.Type() != fastjson.TypeFalse {
			return nil, malformed("isBase64Encoded is not a boolean")
		}
		out.base64 = b64.Type() == fastjson.TypeTrue
	}
	// multiValueHeaders first, then headers; a name in both is combined
	// and keeps the multiValueHeaders casing [V].
	var index map[string]int
	if present(multi) {
		o, err := multi.Object()
		if err != nil {
			return nil, malformed("multiValueHeaders is not an object")
		}
		o.Visit(func(k []byte, v *fastjson.Value) {
			if bad != "" || v.Type() == fastjson.TypeNull {
				return
			}
			vals, err := v.Array()
			if err != nil {
				bad = "multiValueHeaders." + string(k) + " is not a list"
				return
			}
			for _, e := range vals {
				s, ok := headerString(e)
				if !ok {
					bad = "multiValueHeaders." + string(k) + " has a non-string value"
					return
				}
				index = out.add(index, string(k), s)
			}
		})
	}
	if bad == "" && present(single) {
		o, err := single.Object()
		if err != nil {
			return nil, malformed("headers is not an object")
		}
		o.Visit(func(k []byte, v *fastjson.Value) {
			if bad != "" || v.Type() == fastjson.TypeNull {
				return
			}
			s, ok := headerString(v)
			if !ok {
				bad = "headers." + string(k) + " is not a string"
				return
			}
			index = out.add(index, string(k), s)
		})
	}
	if bad != "" {
		return nil, malformed(bad)
	}
	return out, nil
}

var responseParsers fastjson.ParserPool

func present(v *fastjson.Value) bool { return v != nil && v.Type() != fastjson.TypeNull }

// add appends a header value, folding values of one name (any casing) into
// one comma-separated header. The index of names is made on first use.
func (r *proxyResponse) add(index map[string]int, name, value string) map[string]int {
	if len(r.headers) == 0 {
		r.headers = append(r.headers, [2]string{name, value})
		return index
	}
	if index == nil {
		index = make(map[string]int, 8)
		index[strings.ToLower(r.headers[0][0])] = 0
	}
	key := strings.ToLower(name)
	if i, ok := index[key]; ok {
		r.headers[i][1] += ", " + value
		return index
	}
	index[key] = len(r.headers)
	r.headers = append(r.headers, [2]string{name, value})
	return index
}

// headerString returns a header value: a string, or a boolean as its text.
func headerString(v *fastjson.Value) (string, bool) {
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return string(b), true
	case fastjson.TypeTrue:
		return "true", true
	case fastjson.TypeFalse:
		return "false", true
	}
	return "", false
}

// parseStatus accepts an integral number or a string holding an integer,
// between 100 and 599.
func parseStatus(v *fastjson.Value) (int, bool) {
	switch v.Type() {
	case fastjson.TypeNumber:
		f, err := v.Float64()
		if err != nil || f != float64(int(f)) {
			return 0, false
		}
		return validStatus(int(f))
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return 0, false
		}
		return validStatus(n)
	}
	return 0, false
}

func validStatus(n int) (int, bool) { return n, n >= 100 && n <= 599 }

// writeProxyResponse sends a parsed function response. A base64 body is
// decoded only when the client accepts a binary media type; otherwise the
// base64 text is returned as it is [V][D].
func writeProxyResponse(x *rest.Exchange, r *proxyResponse) {
	resp := x.Resp
	writeProxyHeader(resp, r)
	body := r.body
	if r.base64 && acceptsBinary(x) {
		if dec, err := base64.StdEncoding.DecodeString(string(body)); err == nil {
			body = dec
		}
	}
	resp.SetBody(body)
}

// writeProxyHeader sends a function response's status and headers
// (application/json when it names no content type).
func writeProxyHeader(resp pipeline.Response, r *proxyResponse) {
	resp.SetStatus(r.status)
	hasCT := false
	for _, h := range r.headers {
		if strings.EqualFold(h[0], "Content-Type") {
			hasCT = true
		}
		if strings.EqualFold(h[0], "Content-Length") || strings.EqualFold(h[0], "Transfer-Encoding") {
			continue
		}
		resp.SetHeader(h[0], h[1])
	}
	for _, c := range r.cookies {
		resp.AddHeader("Set-Cookie", c)
	}
	if !hasCT {
		resp.SetHeader("Content-Type", "application/json")
	}
}

// acceptsBinary: the first media type of Accept matches a binary media type.
func acceptsBinary(x *rest.Exchange) bool {
	accept := x.Req.Header("Accept")
	if accept == "" {
		return false
	}
	first, _, _ := strings.Cut(accept, ",")
	return isBinary(x, first)
}
