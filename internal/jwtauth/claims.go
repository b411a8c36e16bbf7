package jwtauth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
)

// tokenParts is a compact JWS split and pre-decoded before verification.
// Nothing in it is trusted until the signature has been verified.
type tokenParts struct {
	alg, kid string
	claims   map[string]json.RawMessage
}

// splitToken decodes the header and payload of a compact JWS.
func splitToken(tok string) (*tokenParts, error) {
	hdrB64, rest, ok := strings.Cut(tok, ".")
	if !ok {
		return nil, errors.New("not a compact JWS")
	}
	payloadB64, sigB64, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(sigB64, '.') >= 0 {
		return nil, errors.New("not a compact JWS (need three segments; JWE tokens are not supported)")
	}
	hdrJSON, err := b64(hdrB64)
	if err != nil {
		return nil, errors.New("header is not base64url")
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(hdrJSON, &hdr); err != nil {
		return nil, errors.New("header is not a JSON object with string alg/kid")
	}
	payload, err := b64(payloadB64)
	if err != nil {
		return nil, errors.New("payload is not base64url")
	}
	p := &tokenParts{alg: hdr.Alg, kid: hdr.Kid}
	if err := json.Unmarshal(payload, &p.claims); err != nil || p.claims == nil {
		return nil, errors.New("payload is not a JSON object")
	}
	return p, nil
}

// b64 decodes unpadded base64url, tolerating trailing padding.
func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// stringClaim returns claim name when it is a JSON string. present reports
// that the claim exists at all (whatever its type).
func (p *tokenParts) stringClaim(name string) (s string, present, isString bool) {
	raw, ok := p.claims[name]
	if !ok {
		return "", false, false
	}
	if len(raw) == 0 || raw[0] != '"' {
		return "", true, false
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, false
	}
	return s, true, true
}

// stringsClaim returns claim name as a list: a JSON string yields one
// element (split on spaces when split is set), an array yields its string
// elements. Other types yield nil.
func (p *tokenParts) stringsClaim(name string, split bool) []string {
	raw, ok := p.claims[name]
	if !ok || len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		if split {
			return strings.Fields(s)
		}
		return []string{s}
	case '[':
		var arr []any
		if json.Unmarshal(raw, &arr) != nil {
			return nil
		}
		out := make([]string, 0, len(arr))
		for _, e := range arr {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// stringifyClaims renders every claim the way this package exposes them in
// requestContext.authorizer.claims: strings as is, numbers as decimal text
// without exponent ("exp" -> "1700000000"), booleans "true"/"false", and
// arrays, objects and null as their compact JSON text.
//
// [U] Public reports of real API Gateway show Java-style renderings for some
// claims (exp/iat as "Tue Apr 04 18:39:39 UTC 2023", a one-element
// cognito:groups as its bare string); this package follows the Tollgate
// specification above instead.
func stringifyClaims(claims map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(claims))
	for k, raw := range claims {
		out[k] = stringifyClaim(raw)
	}
	return out
}

func stringifyClaim(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch c := raw[0]; {
	case c == '"':
		if bytes.IndexByte(raw, '\\') < 0 && len(raw) >= 2 {
			return string(raw[1 : len(raw)-1])
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw)
	case c == '-' || (c >= '0' && c <= '9'):
		return plainNumber(string(raw))
	case c == '[' || c == '{':
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil {
			return buf.String()
		}
		return string(raw)
	default: // true, false, null
		return string(raw)
	}
}

// plainNumber rewrites a JSON number in exponent form ("1.7e9") as plain
// decimal ("1700000000"); other numbers are returned verbatim, so large
// integers keep every digit.
func plainNumber(s string) string {
	if !strings.ContainsAny(s, "eE") {
		return s
	}
	f, _, err := big.ParseFloat(s, 10, 256, big.ToNearestEven)
	if err != nil {
		return s
	}
	return f.Text('f', -1)
}
