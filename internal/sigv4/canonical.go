package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// requestTarget returns the path and raw query exactly as the client sent
// them. For server requests r.RequestURI is the request-target verbatim and
// is preferred, so that middleware rewriting r.URL (stage prefixes,
// http.StripPrefix) cannot change what is verified; otherwise (client-side
// requests, absolute-form targets) r.URL.EscapedPath / RawQuery are used. An
// empty path is "/".
func requestTarget(r *http.Request) (path, query string) {
	if ru := r.RequestURI; strings.HasPrefix(ru, "/") {
		path, query, _ = strings.Cut(ru, "?")
		return path, query
	}
	if r.URL == nil {
		return "/", ""
	}
	if op := r.URL.Opaque; op != "" {
		// "//host/path" form, as the AWS SDKs handle it.
		op = strings.TrimPrefix(op, "//")
		if i := strings.IndexByte(op, '/'); i >= 0 {
			path = op[i:]
		}
	} else {
		path = r.URL.EscapedPath()
	}
	if path == "" {
		path = "/"
	}
	return path, r.URL.RawQuery
}

// canonicalURIs returns the canonical URI candidates for a raw request path.
//
// Every AWS service except S3 signs the path URI-encoded once more by the
// SDKs and botocore ("double encoding": %2F becomes %252F, a raw ':' becomes
// %3A), and normalises nothing else; that form is always first. curl
// --aws-sigv4 signs the path exactly as sent; that form is accepted too,
// except when the path contains "%25" followed by two hex digits. Such a
// path P is the double encoding of another valid path P' = decode(P) (P =
// encode(P')), so accepting P as-is would let a signature over P' (whose
// canonical URI is encode(P')) authorise the different path P. Without such
// a sequence, decode(P) is either P itself or holds an invalid
// percent-escape that no HTTP server accepts, so every path accepted under
// one signature decodes to the same path.
func canonicalURIs(rawPath string) []string {
	double := uriEncode(rawPath, true)
	if double == rawPath || hasEncodedEscape(rawPath) {
		return []string{double}
	}
	return []string{double, rawPath}
}

// hasEncodedEscape reports whether s contains "%25" followed by two hex
// digits, i.e. decodes to a string that itself holds a percent-escape.
func hasEncodedEscape(s string) bool {
	for i := 0; i+4 < len(s); i++ {
		if s[i] == '%' && s[i+1] == '2' && s[i+2] == '5' {
			if _, ok := unhex(s[i+3]); ok {
				if _, ok := unhex(s[i+4]); ok {
					return true
				}
			}
		}
	}
	return false
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// uriEncode percent-encodes every byte except the RFC 3986 unreserved
// characters (and '/', when keepSlash), with upper-case hex digits.
func uriEncode(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isUnreserved(c) && !(keepSlash && c == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexUpper = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || keepSlash && c == '/' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexUpper[c>>4], hexUpper[c&0xF])
	}
	return string(b)
}

// canonicalRequestPrefix joins the first five parts of the canonical
// request, each followed by its newline; the sixth, the payload hash, is
// appended once the body has been read.
func canonicalRequestPrefix(method, uri, query, headers, signedHeaders string) string {
	return method + "\n" + uri + "\n" + query + "\n" + headers + "\n" + signedHeaders + "\n"
}

// stringToSign builds the SigV4 string to sign for a canonical request.
func stringToSign(t time.Time, scope, canonical string) string {
	return algorithmHMAC + "\n" + t.UTC().Format(isoBasic) + "\n" + scope + "\n" + sha256Hex([]byte(canonical))
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
