// Package pathsafe decides whether a request path is one the data plane
// may route and forward: a path with a dot-segment is not.
//
// A gateway that routes and authorises a path as written, then forwards it
// unchanged, is bypassed by any backend that resolves dot-segments (RFC 3986
// §5.2.4; nginx, most web servers and frameworks do): "/public/../admin"
// matches an open "/public/{proxy+}" route while the backend serves
// "/admin", whose own route needs an API key. Backends do not agree on which
// bytes make a dot-segment either: nginx decodes "%2F" and "%2E" before it
// resolves, IIS and Windows servers take '\' for '/', servlet containers
// strip ";parameters" first ("..;" is ".." to Tomcat), some decode twice.
//
// Normalising in the gateway cannot make routing and every such backend
// agree (the gateway would have to forward its own reading, changing what
// backends that do not decode receive, "a%2Fb" for instance), so the data
// plane refuses these paths instead, under the most permissive reading any
// of those servers gives them, with 400 {"message":"Bad Request"}. See
// HasDotSegment.
//
// [U] AWS does not document what API Gateway does with dot-segments. What
// is public points away from normalising at AWS's edge: AWS WAF inspects
// the URI path as received unless a rule applies the NORMALIZE_PATH text
// transformation ("Using text transformations in AWS WAF", AWS WAF
// Developer Guide), and CloudFront matches cache behaviours on the
// RFC 3986-normalised path but forwards the original one (AWS re:Post,
// "CloudFront behaviour path pattern matching", answer from AWS Support).
// Refusing is the choice under which no backend can be reached past
// another route's checks, whatever AWS itself does.
package pathsafe

import "unsafe"

// HasDotSegment reports whether the raw (still percent-encoded) path p has
// a segment that some server could read as "." or "..":
//
//   - written plainly ("/a/../b", "/a/./b", a trailing "/.."),
//   - percent-encoded in either case ("%2e%2e", "%2E.", ".%2e"), also
//     encoded several times ("%252e%252e") or with IIS's "%u002e",
//   - between separators that are encoded ("..%2f", "%2f..") or are
//     backslashes, plain or encoded ("..\", "..%5c"),
//   - followed by path parameters (";jsessionid=1"),
//   - spelled with the overlong UTF-8 forms of '.', '/' and '\' (%c0%ae,
//     %c0%af, %c1%9c) or their fullwidth forms (U+FF0E, U+FF0F, U+FF3C).
//
// Ordinary paths cost one pass over their bytes: only a '.', '%', '\' or a
// non-ASCII byte starts the closer look, and that look allocates nothing
// for paths up to 512 bytes.
func HasDotSegment(p string) bool {
	for i := 0; i < len(p); i++ {
		if suspect[p[i]] {
			return closerLook(p[i:], p)
		}
	}
	return false
}

// suspect marks the bytes without which no reading of a path has a
// dot-segment.
var suspect = func() (t [256]bool) {
	t['.'], t['%'], t['\\'] = true, true, true
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// closerLook checks p, whose first suspect byte starts from.
func closerLook(from, p string) bool {
	decode := false
	for i := 0; i < len(from); i++ {
		if c := from[i]; c == '%' || c >= 0x80 {
			decode = true
			break
		}
	}
	if !decode {
		return hasDotSegment(p)
	}
	var stack [512]byte
	b := append(stack[:0], p...)
	// Decode until nothing changes: each round that changes something
	// shortens b, so this ends.
	for {
		n := decodeOnce(b)
		if n == len(b) {
			break
		}
		b = b[:n]
	}
	b = fold(b)
	return hasDotSegment(unsafe.String(unsafe.SliceData(b), len(b)))
}

// hasDotSegment reports whether p, split at '/' and '\', has a segment
// that is "." or ".." once its ";parameters" are cut off: a '.' starting a
// segment, followed by at most one more '.', then the segment's end or ';'.
func hasDotSegment(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != '.' || (i > 0 && p[i-1] != '/' && p[i-1] != '\\') {
			continue
		}
		j := i + 1
		if j < len(p) && p[j] == '.' {
			j++
		}
		if j == len(p) || p[j] == '/' || p[j] == '\\' || p[j] == ';' {
			return true
		}
	}
	return false
}

// decodeOnce percent-decodes b in place ("%XX", and IIS's "%uXXXX" when it
// names an ASCII character) and returns the decoded length. Malformed
// escapes stay as they are.
func decodeOnce(b []byte) int {
	w := 0
	for r := 0; r < len(b); r++ {
		c := b[r]
		if c == '%' {
			if r+2 < len(b) && ishex(b[r+1]) && ishex(b[r+2]) {
				b[w] = unhex(b[r+1])<<4 | unhex(b[r+2])
				w++
				r += 2
				continue
			}
			if r+5 < len(b) && (b[r+1] == 'u' || b[r+1] == 'U') && b[r+2] == '0' && b[r+3] == '0' &&
				ishex(b[r+4]) && ishex(b[r+5]) && unhex(b[r+4]) < 8 {
				b[w] = unhex(b[r+4])<<4 | unhex(b[r+5])
				w++
				r += 5
				continue
			}
		}
		b[w] = c
		w++
	}
	return w
}

// fold replaces, in place, the overlong UTF-8 forms and the fullwidth forms
// of '.', '/' and '\' by the ASCII characters some servers take them for.
func fold(b []byte) []byte {
	w := 0
	for r := 0; r < len(b); r++ {
		c := b[r]
		switch {
		case c == 0xC0 && r+1 < len(b) && (b[r+1] == 0xAE || b[r+1] == 0xAF):
			c = b[r+1] - 0xAE + '.' // 0xAE → '.', 0xAF → '/'
			r++
		case c == 0xC1 && r+1 < len(b) && b[r+1] == 0x9C:
			c = '\\'
			r++
		case c == 0xEF && r+2 < len(b) && b[r+1] == 0xBC && (b[r+2] == 0x8E || b[r+2] == 0x8F || b[r+2] == 0xBC):
			switch b[r+2] {
			case 0x8E:
				c = '.'
			case 0x8F:
				c = '/'
			default:
				c = '\\'
			}
			r += 2
		}
		b[w] = c
		w++
	}
	return b[:w]
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
