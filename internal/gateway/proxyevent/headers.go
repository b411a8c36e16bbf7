package proxyevent

import (
	"strconv"

	"github.com/tollgate/tollgate/internal/jsonw"
)

// headerMode selects how the client's headers are prepared.
type headerMode uint8

const (
	// modeV2: names lower-cased, cookie headers split into the cookies
	// list (2.0 events).
	modeV2 headerMode = iota
	// modeV1: the client's casing, cookie kept as a header (1.0 events).
	modeV1
)

// Header classes recognised by their lower-cased name.
const (
	hOther = iota
	hCookie
	hContentLength
	hContentType
	hUserAgent
	hHost
	hForwardedFor
	hForwardedProto
	hForwardedPort
	hTraceID
	hHopByHop
)

func classify(lname []byte) int {
	switch string(lname) { // no allocation: the compiler switches on the bytes
	case "cookie":
		return hCookie
	case "content-length":
		return hContentLength
	case "content-type":
		return hContentType
	case "user-agent":
		return hUserAgent
	case "host":
		return hHost
	case "x-forwarded-for":
		return hForwardedFor
	case "x-forwarded-proto":
		return hForwardedProto
	case "x-forwarded-port":
		return hForwardedPort
	case "x-amzn-trace-id":
		return hTraceID
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade":
		// Hop-by-hop headers end at the gateway [U: AWS's captured events
		// never show them].
		return hHopByHop
	}
	return hOther
}

// canonical1 is the casing 1.0 events use for the headers API Gateway
// itself sets or normalises [C: a captured HTTP API 1.0 event shows
// "Content-Length", "Host", "User-Agent", "X-Amzn-Trace-Id" and
// "X-Forwarded-*" while the client's other headers keep their (lower)
// case].
var canonical1 = [...]string{
	hContentLength:  "Content-Length",
	hUserAgent:      "User-Agent",
	hHost:           "Host",
	hForwardedFor:   "X-Forwarded-For",
	hForwardedProto: "X-Forwarded-Proto",
	hForwardedPort:  "X-Forwarded-Port",
	hTraceID:        "X-Amzn-Trace-Id",
}

// collectHeaders copies the client's headers into s and adds the ones API
// Gateway sets:
//   - content-length: the body's length, always (a captured GET shows
//     "content-length": "0");
//   - x-forwarded-for: the client's value followed by ", " and the source
//     IP, or the source IP alone [D: the header carries the client IP;
//     U: that a client-sent value is kept in front];
//   - x-forwarded-proto, x-forwarded-port and x-amzn-trace-id when the
//     Request sets them, replacing the client's.
func (s *scratch) collectHeaders(r *Request, mode headerMode) {
	if r.Headers != nil {
		s.req, s.mode = r, mode
		r.Headers.VisitHeaders(s.visit)
		s.req = nil
	}
	s.set(mode, hContentLength, "content-length", "")
	s.buf = strconv.AppendInt(s.buf, int64(len(r.Body)), 10)
	s.headers[len(s.headers)-1].value.end = int32(len(s.buf))
	if r.SourceIP != "" {
		if s.hasXFF {
			s.set(mode, hForwardedFor, "x-forwarded-for", "")
			s.buf = append(s.buf, s.bytes(s.forwarded)...)
			s.buf = append(s.buf, ", "...)
			s.buf = append(s.buf, r.SourceIP...)
			s.headers[len(s.headers)-1].value.end = int32(len(s.buf))
		} else {
			s.set(mode, hForwardedFor, "x-forwarded-for", r.SourceIP)
		}
	}
	if r.ForwardedPort != "" {
		s.set(mode, hForwardedPort, "x-forwarded-port", r.ForwardedPort)
	}
	if r.ForwardedProto != "" {
		s.set(mode, hForwardedProto, "x-forwarded-proto", r.ForwardedProto)
	}
	if r.TraceID != "" {
		s.set(mode, hTraceID, "x-amzn-trace-id", r.TraceID)
	}
}

// visitHeader takes one client header line (s.visit, made once per pooled
// scratch so that visiting allocates nothing).
func (s *scratch) visitHeader(k, v []byte) {
	r, mode := s.req, s.mode
	class := hOther
	if len(k) <= len(s.lower) {
		lname := s.lower[:0]
		for _, c := range k {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			lname = append(lname, c)
		}
		class = classify(lname)
	}
	switch class {
	case hContentLength, hHopByHop:
		return
	case hForwardedProto:
		if r.ForwardedProto != "" {
			return
		}
	case hForwardedPort:
		if r.ForwardedPort != "" {
			return
		}
	case hTraceID:
		if r.TraceID != "" {
			return
		}
	case hForwardedFor:
		if r.SourceIP != "" {
			if !s.hasXFF {
				s.forwarded, s.hasXFF = s.add(v), true
			} else {
				s.buf = append(s.buf, ", "...)
				s.buf = append(s.buf, v...)
				s.forwarded.end = int32(len(s.buf))
			}
			return
		}
	case hCookie:
		if mode == modeV2 {
			s.splitCookies(v)
			return
		}
	}
	var e entry
	switch {
	case mode == modeV2:
		e.name = s.addLower(k)
	case class != hOther && class != hCookie && class != hContentType:
		e.name = s.addString(canonical1[class])
	default:
		e.name = s.add(k)
	}
	e.value = s.add(v)
	switch class {
	case hContentType:
		if !s.hasCT {
			s.contentType, s.hasCT = e.value, true
		}
	case hUserAgent:
		if !s.hasUA {
			s.userAgent, s.hasUA = e.value, true
		}
	}
	s.headers = append(s.headers, e)
}

// set appends a gateway-set header whose value starts as value (callers may
// extend it in place).
func (s *scratch) set(mode headerMode, class int, lname, value string) {
	var e entry
	if mode == modeV2 {
		e.name = s.addString(lname)
	} else {
		e.name = s.addString(canonical1[class])
	}
	e.value = s.addString(value)
	s.headers = append(s.headers, e)
}

// splitCookies adds the cookies of one cookie header: the value split on
// "; " as browsers send it [D: "cookie headers ... added to the cookies
// field"; U: other separators are kept inside a cookie]. Empty pieces are
// dropped.
func (s *scratch) splitCookies(v []byte) {
	for len(v) > 0 {
		i := indexSemiSpace(v)
		piece := v
		if i >= 0 {
			piece, v = v[:i], v[i+2:]
		} else {
			v = nil
		}
		if len(piece) > 0 {
			s.cookies = append(s.cookies, s.add(piece))
		}
	}
}

func indexSemiSpace(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == ';' && b[i+1] == ' ' {
			return i
		}
	}
	return -1
}

// appendUserAgent appends http.userAgent: the Request's override or the
// header's value, as a JSON string.
func (s *scratch) appendUserAgent(dst []byte, r *Request) []byte {
	if r.UserAgent != "" {
		return jsonw.String(dst, r.UserAgent)
	}
	if s.hasUA {
		return jsonw.Bytes(dst, s.bytes(s.userAgent))
	}
	return append(dst, `""`...)
}
