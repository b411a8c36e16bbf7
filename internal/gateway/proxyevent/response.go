package proxyevent

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// ErrMalformedResponse is wrapped by every decoding error of a function's
// answer. API Gateway answers all of them with 500
// {"message":"Internal Server Error"} [D].
var ErrMalformedResponse = errors.New("malformed Lambda proxy response")

// Header is one response header line.
type Header struct{ Name, Value string }

// Response is a function's answer as the client will see it.
type Response struct {
	StatusCode int
	// Headers in the function's order and casing; repeated names (and
	// set-cookie lines made from 2.0 cookies) are separate entries. Always
	// holds a content-type. Content-Length, Transfer-Encoding and
	// Connection are never included: the gateway frames the body itself.
	Headers []Header
	// Body is the body to send, base64-decoded when the answer said so.
	Body []byte
	// Inferred reports a 2.0 answer without statusCode, sent as a 200 JSON
	// body.
	Inferred bool
}

// defaultContentType is what a structured answer without content-type
// is sent with [C: fujiwara/ridge#9, aws-powertools/powertools-lambda-python#2464].
const defaultContentType = "text/plain; charset=utf-8"

var parsers fastjson.ParserPool

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedResponse, fmt.Sprintf(format, args...))
}

// DecodeResponseV2 decodes a payload format 2.0 answer [D: "Create AWS
// Lambda proxy integrations for HTTP APIs", format 2.0 response]:
//
//   - valid JSON without a statusCode member (or not an object at all) is
//     inferred: status 200, content-type application/json, and the whole
//     value as the body — a JSON string's contents, any other value's JSON
//     text as the function returned it;
//   - otherwise statusCode (an integer 100–599, or a string holding one
//     [U]), headers (string values; numbers and booleans as their text
//     [U]), cookies (each becomes its own set-cookie header), body (a
//     string) and isBase64Encoded (a boolean; the body is then decoded).
//     multiValueHeaders and unknown members are ignored; a null member is
//     absent. A structured answer without content-type is sent as
//     "text/plain; charset=utf-8";
//   - anything else — not JSON, a member of the wrong type, bad base64 —
//     is an error wrapping [ErrMalformedResponse].
func DecodeResponseV2(payload []byte) (*Response, error) {
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(payload)
	if err != nil {
		return nil, malformed("not JSON")
	}
	var status *fastjson.Value
	if v.Type() == fastjson.TypeObject {
		status = v.Get("statusCode")
	}
	if !present(status) {
		out := &Response{StatusCode: 200, Inferred: true,
			Headers: []Header{{"content-type", "application/json"}}}
		if v.Type() == fastjson.TypeString {
			b, _ := v.StringBytes()
			out.Body = bytes.Clone(b)
		} else {
			out.Body = bytes.Clone(bytes.TrimSpace(payload))
		}
		return out, nil
	}
	out := &Response{}
	if out.StatusCode, err = statusOf(status); err != nil {
		return nil, err
	}
	o := v.GetObject()
	var b64 bool
	var bad error
	o.Visit(func(k []byte, m *fastjson.Value) {
		if bad != nil || !present(m) {
			return
		}
		switch string(k) {
		case "headers":
			bad = out.addHeaderObject(m, "headers")
		case "cookies":
			arr, err := m.Array()
			if err != nil {
				bad = malformed("cookies is not a list")
				return
			}
			for _, c := range arr {
				s, err := c.StringBytes()
				if err != nil {
					bad = malformed("cookies has a non-string element")
					return
				}
				out.Headers = append(out.Headers, Header{"set-cookie", string(s)})
			}
		case "body":
			bad = out.setBody(m)
		case "isBase64Encoded":
			b64, bad = boolOf(m, "isBase64Encoded")
		}
	})
	if bad != nil {
		return nil, bad
	}
	return out.finish(b64)
}

// DecodeResponseV1 decodes a payload format 1.0 answer of an HTTP API:
// statusCode is required (no inference); headers and multiValueHeaders are
// merged — every multiValueHeaders value is its own header line, and a
// headers entry is added unless multiValueHeaders has that name [U];
// unknown members are ignored (REST APIs reject them) [E: aws-sam-cli's
// HTTP API emulation]; isBase64Encoded alone decides decoding. Errors
// wrap [ErrMalformedResponse].
func DecodeResponseV1(payload []byte) (*Response, error) {
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(payload)
	if err != nil {
		return nil, malformed("not JSON")
	}
	o, err := v.Object()
	if err != nil {
		return nil, malformed("not a JSON object")
	}
	status := v.Get("statusCode")
	if !present(status) {
		return nil, malformed("no statusCode")
	}
	out := &Response{}
	if out.StatusCode, err = statusOf(status); err != nil {
		return nil, err
	}
	var b64 bool
	var bad error
	if m := v.Get("multiValueHeaders"); present(m) {
		mo, err := m.Object()
		if err != nil {
			return nil, malformed("multiValueHeaders is not an object")
		}
		mo.Visit(func(k []byte, list *fastjson.Value) {
			if bad != nil || !present(list) {
				return
			}
			arr, err := list.Array()
			if err != nil {
				bad = malformed("multiValueHeaders.%s is not a list", clip(k))
				return
			}
			for _, e := range arr {
				s, ok := headerValue(e)
				if !ok {
					bad = malformed("multiValueHeaders.%s has a non-string value", clip(k))
					return
				}
				out.Headers = append(out.Headers, Header{string(k), s})
			}
		})
	}
	multi := len(out.Headers)
	o.Visit(func(k []byte, m *fastjson.Value) {
		if bad != nil || !present(m) {
			return
		}
		switch string(k) {
		case "headers":
			mo, err := m.Object()
			if err != nil {
				bad = malformed("headers is not an object")
				return
			}
			mo.Visit(func(name []byte, hv *fastjson.Value) {
				if bad != nil || !present(hv) {
					return
				}
				s, ok := headerValue(hv)
				if !ok {
					bad = malformed("headers.%s is not a string", clip(name))
					return
				}
				for _, h := range out.Headers[:multi] {
					if strings.EqualFold(h.Name, string(name)) {
						return
					}
				}
				out.Headers = append(out.Headers, Header{string(name), s})
			})
		case "body":
			bad = out.setBody(m)
		case "isBase64Encoded":
			b64, bad = boolOf(m, "isBase64Encoded")
		}
	})
	if bad != nil {
		return nil, bad
	}
	return out.finish(b64)
}

// finish decodes a base64 body, drops framing headers and supplies the
// default content type.
func (r *Response) finish(b64 bool) (*Response, error) {
	if b64 && len(r.Body) > 0 {
		dec, err := base64.StdEncoding.AppendDecode(nil, r.Body)
		if err != nil {
			// Unpadded base64 is accepted too [U].
			if dec, err = base64.RawStdEncoding.AppendDecode(nil, r.Body); err != nil {
				return nil, malformed("body is not valid base64")
			}
		}
		r.Body = dec
	}
	hasCT := false
	kept := r.Headers[:0]
	for _, h := range r.Headers {
		switch {
		case strings.EqualFold(h.Name, "content-length"), strings.EqualFold(h.Name, "transfer-encoding"),
			strings.EqualFold(h.Name, "connection"):
			continue
		case strings.EqualFold(h.Name, "content-type"):
			hasCT = true
		}
		kept = append(kept, h)
	}
	r.Headers = kept
	if !hasCT {
		r.Headers = append(r.Headers, Header{"content-type", defaultContentType})
	}
	return r, nil
}

func (r *Response) addHeaderObject(m *fastjson.Value, what string) error {
	o, err := m.Object()
	if err != nil {
		return malformed("%s is not an object", what)
	}
	var bad error
	o.Visit(func(k []byte, v *fastjson.Value) {
		if bad != nil || !present(v) {
			return
		}
		s, ok := headerValue(v)
		if !ok {
			bad = malformed("%s.%s is not a string", what, clip(k))
			return
		}
		r.Headers = append(r.Headers, Header{string(k), s})
	})
	return bad
}

func (r *Response) setBody(m *fastjson.Value) error {
	b, err := m.StringBytes()
	if err != nil {
		return malformed("body is not a string")
	}
	r.Body = bytes.Clone(b)
	return nil
}

func present(v *fastjson.Value) bool { return v != nil && v.Type() != fastjson.TypeNull }

func boolOf(v *fastjson.Value, what string) (bool, error) {
	switch v.Type() {
	case fastjson.TypeTrue:
		return true, nil
	case fastjson.TypeFalse:
		return false, nil
	}
	return false, malformed("%s is not a boolean", what)
}

// headerValue accepts a string, or a number or boolean as its JSON text
// [U: JavaScript functions often return numbers here].
func headerValue(v *fastjson.Value) (string, bool) {
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return string(b), true
	case fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse:
		return string(v.MarshalTo(nil)), true
	}
	return "", false
}

// statusOf reads statusCode: an integral number, or a string holding an
// integer [U], between 100 and 599.
func statusOf(v *fastjson.Value) (int, error) {
	var n int
	switch v.Type() {
	case fastjson.TypeNumber:
		f, err := v.Float64()
		if err != nil || f != float64(int(f)) {
			return 0, malformed("statusCode is not an integer")
		}
		n = int(f)
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		i, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return 0, malformed("statusCode is not an integer")
		}
		n = i
	default:
		return 0, malformed("statusCode is not an integer")
	}
	if n < 100 || n > 599 {
		return 0, malformed("statusCode %d is out of range", n)
	}
	return n, nil
}

// clip shortens function-controlled text for error messages.
func clip(b []byte) string {
	if len(b) > 64 {
		return strconv.Quote(string(b[:64])) + "…"
	}
	return strconv.Quote(string(b))
}
