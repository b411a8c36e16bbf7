package proxyevent

import (
	"bytes"
	"encoding/base64"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/jsonw"
)

// IsTextual reports whether a request body of this Content-Type is sent to
// Lambda as text; otherwise it is base64-encoded (isBase64Encoded true).
// Textual: text/*, application/json, application/xml,
// application/javascript and any */*+json or */*+xml, with a UTF-8 or
// unspecified charset. Anything else — form posts
// (application/x-www-form-urlencoded), multipart, octet streams, another
// charset — is binary, and so is a body without a Content-Type [U: the
// missing-header case is what a third-party emulator measured; AWS
// documents only that "the body is base64-encoded" for binary content].
func IsTextual(contentType []byte) bool {
	mt, params, _ := bytes.Cut(contentType, []byte{';'})
	mt = bytes.TrimSpace(mt)
	if len(mt) == 0 {
		return false
	}
	if !textualType(mt) {
		return false
	}
	for len(params) > 0 {
		var p []byte
		p, params, _ = bytes.Cut(params, []byte{';'})
		k, v, ok := bytes.Cut(p, []byte{'='})
		if !ok || !bytes.EqualFold(bytes.TrimSpace(k), []byte("charset")) {
			continue
		}
		v = bytes.Trim(bytes.TrimSpace(v), `"`)
		if !bytes.EqualFold(v, []byte("utf-8")) && !bytes.EqualFold(v, []byte("utf8")) {
			return false
		}
	}
	return true
}

func textualType(mt []byte) bool {
	if hasPrefixFold(mt, "text/") {
		return true
	}
	for _, t := range [...]string{"application/json", "application/xml", "application/javascript"} {
		if bytes.EqualFold(mt, []byte(t)) {
			return true
		}
	}
	return hasSuffixFold(mt, "+json") || hasSuffixFold(mt, "+xml")
}

func hasPrefixFold(b []byte, p string) bool {
	return len(b) >= len(p) && bytes.EqualFold(b[:len(p)], []byte(p))
}

func hasSuffixFold(b []byte, p string) bool {
	return len(b) >= len(p) && bytes.EqualFold(b[len(b)-len(p):], []byte(p))
}

// appendBody appends `"body":"…","isBase64Encoded":…` (only the latter when
// the body is empty and omit is set; `"body":null` when not omit).
func (s *scratch) appendBody(dst []byte, body []byte, omitEmpty bool) []byte {
	if len(body) == 0 {
		if !omitEmpty {
			dst = append(dst, `"body":null,`...)
		}
		return append(dst, `"isBase64Encoded":false`...)
	}
	var ct []byte
	if s.hasCT {
		ct = s.bytes(s.contentType)
	}
	// A "textual" body that is not valid UTF-8 cannot travel as a JSON
	// string without loss; it is sent base64-encoded [U].
	if IsTextual(ct) && utf8.Valid(body) {
		dst = append(dst, `"body":`...)
		dst = jsonw.Bytes(dst, body)
		return append(dst, `,"isBase64Encoded":false`...)
	}
	dst = append(dst, `"body":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, body)
	return append(dst, `","isBase64Encoded":true`...)
}
