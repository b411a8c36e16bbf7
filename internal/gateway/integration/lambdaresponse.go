package integration

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway"
)

// errMalformedProxyResponse is the cause logged for a function result that
// is not a valid payload 1.0 response.
var errMalformedProxyResponse = errors.New("execution failed due to configuration error: Malformed Lambda proxy response")

// malformed answers 502 {"message": "Internal server error"} [V].
func malformed(detail string) error {
	return &gateway.Failure{Type: gateway.Default5XX, Message: "Internal server error", Status: 502,
		ErrorType: "InternalServerErrorException", Cause: fmt.Errorf("%w: %s", errMalformedProxyResponse, detail)}
}

// proxyResponse is a parsed payload 1.0 function response.
type proxyResponse struct {
	status  int
	headers [][2]string // merged, in order
	body    []byte
	base64  bool
}

// parseProxyResponseV1 validates a function's result by AWS's rules
// (reference §3.2): a JSON object with only statusCode, headers,
// multiValueHeaders, body and isBase64Encoded, each of the right type.
func parseProxyResponseV1(payload []byte) (*proxyResponse, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, malformed("result is not a JSON object")
	}
	out := &proxyResponse{status: 200}
	var single map[string]json.RawMessage
	var multi map[string]json.RawMessage
	var multiOrder, singleOrder []string
	for k, raw := range obj {
		if isNull(raw) {
			continue
		}
		switch k {
		case "statusCode":
			n, ok := parseStatus(raw)
			if !ok {
				return nil, malformed("statusCode is not an integer")
			}
			out.status = n
		case "headers":
			if err := json.Unmarshal(raw, &single); err != nil {
				return nil, malformed("headers is not an object")
			}
			singleOrder = objectKeys(raw)
		case "multiValueHeaders":
			if err := json.Unmarshal(raw, &multi); err != nil {
				return nil, malformed("multiValueHeaders is not an object")
			}
			multiOrder = objectKeys(raw)
		case "body":
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, malformed("body is not a string")
			}
			out.body = []byte(s)
		case "isBase64Encoded":
			if err := json.Unmarshal(raw, &out.base64); err != nil {
				return nil, malformed("isBase64Encoded is not a boolean")
			}
		default:
			return nil, malformed("unexpected member " + strconv.Quote(k))
		}
	}
	// multiValueHeaders first, then headers; a name in both is combined
	// and keeps the multiValueHeaders casing [V].
	index := map[string]int{}
	for _, name := range multiOrder {
		var vals []any
		if err := json.Unmarshal(multi[name], &vals); err != nil {
			return nil, malformed("multiValueHeaders." + name + " is not a list")
		}
		for _, v := range vals {
			s, ok := headerString(v)
			if !ok {
				return nil, malformed("multiValueHeaders." + name + " has a non-string value")
			}
			out.add(index, name, s)
		}
	}
	for _, name := range singleOrder {
		var v any
		if err := json.Unmarshal(single[name], &v); err != nil {
			return nil, malformed("headers." + name)
		}
		if v == nil {
			continue
		}
		s, ok := headerString(v)
		if !ok {
			return nil, malformed("headers." + name + " is not a string")
		}
		out.add(index, name, s)
	}
	return out, nil
}

// add appends a header value, folding values of one name (any casing) into
// one comma-separated header.
func (r *proxyResponse) add(index map[string]int, name, value string) {
	key := strings.ToLower(name)
	if i, ok := index[key]; ok {
		r.headers[i][1] += ", " + value
		return
	}
	index[key] = len(r.headers)
	r.headers = append(r.headers, [2]string{name, value})
}

func headerString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

func parseStatus(raw json.RawMessage) (int, bool) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, false
	}
	var s string
	switch t := v.(type) {
	case float64:
		if t != float64(int(t)) {
			return 0, false
		}
		return validStatus(int(t))
	case string:
		s = strings.TrimSpace(t)
	default:
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	return validStatus(n)
}

func validStatus(n int) (int, bool) { return n, n >= 100 && n <= 599 }

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// objectKeys returns an object's keys in document order.
func objectKeys(raw json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		if k, ok := t.(string); ok {
			keys = append(keys, k)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// writeProxyResponse sends a parsed function response. A base64 body is
// decoded only when the client accepts a binary media type; otherwise the
// base64 text is returned as it is [V][D].
func writeProxyResponse(x *gateway.Exchange, r *proxyResponse) {
	resp := x.Resp
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
	if !hasCT {
		resp.SetHeader("Content-Type", "application/json")
	}
	body := r.body
	if r.base64 && acceptsBinary(x) {
		if dec, err := base64.StdEncoding.DecodeString(string(body)); err == nil {
			body = dec
		}
	}
	resp.SetBody(body)
}

// acceptsBinary: the first media type of Accept matches a binary media type.
func acceptsBinary(x *gateway.Exchange) bool {
	accept := x.Req.Header("Accept")
	if accept == "" {
		return false
	}
	first, _, _ := strings.Cut(accept, ",")
	return isBinary(x, first)
}
