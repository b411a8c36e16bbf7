package sigv4

import (
	"sort"
	"strings"
)

// queryPair is one query parameter, decoded (or encoded, in canonical form).
type queryPair struct{ key, value string }

// parseQuery decodes a raw query string into its parameters, in order.
// Parameters are separated by '&' only (empty ones are skipped, as
// url.ParseQuery does), a parameter without '=' has an empty value, and '+'
// decodes to a space. Invalid percent-escapes are an error rather than being
// passed through, so that no two distinct query strings share a canonical
// form unless they decode to the same parameters.
func parseQuery(raw string) ([]queryPair, *Error) {
	var pairs []queryPair
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		dk, err := unescapeQuery(k)
		if err != nil {
			return nil, err
		}
		dv, err := unescapeQuery(v)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, queryPair{key: dk, value: dv})
	}
	return pairs, nil
}

func unescapeQuery(s string) (string, *Error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", &Error{Code: CodeMalformedQueryString, Message: "Incomplete trailing escape % sequence"}
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", newError(CodeMalformedQueryString,
					"Illegal hex character in escape %% pattern: %s", s[i:i+3])
			}
			b = append(b, hi<<4|lo)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// canonicalQuery renders the canonical query string: every parameter
// URI-encoded (RFC 3986, only A-Za-z0-9-_.~ left as is, upper-case hex),
// "key=value" (an empty value keeps its '='), sorted by encoded key and then
// encoded value, joined with '&'. With skipSignature, X-Amz-Signature is
// left out, as presigned URLs require.
func canonicalQuery(pairs []queryPair, skipSignature bool) string {
	enc := make([]queryPair, 0, len(pairs))
	for _, p := range pairs {
		if skipSignature && p.key == querySignature {
			continue
		}
		enc = append(enc, queryPair{key: uriEncode(p.key, false), value: uriEncode(p.value, false)})
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].key != enc[j].key {
			return enc[i].key < enc[j].key
		}
		return enc[i].value < enc[j].value
	})
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// canonicalQueries returns the canonical query string candidates: the
// SigV4 canonical form first and, for Authorization-header requests whose
// raw query differs from it, the raw query string verbatim, which is what
// curl --aws-sigv4 (7.x) signs: no decoding, re-encoding or sorting.
//
// Accepting the raw form does not widen what a signature authorises beyond
// requests with the same decoded parameters: the canonical form never
// contains '+', lower-case hex or unsorted pairs, so a raw query that equals
// another request's canonical form is itself in canonical form and decodes
// to the same parameters (up to the order of repeated keys, which SigV4
// never protects).
func canonicalQueries(pairs []queryPair, rawQuery string, presigned bool) []string {
	canon := canonicalQuery(pairs, presigned)
	if presigned || rawQuery == canon {
		return []string{canon}
	}
	return []string{canon, rawQuery}
}
