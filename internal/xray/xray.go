// Package xray reads and writes trace headers: AWS X-Ray's
// X-Amzn-Trace-Id (Root=1-{8 hex: epoch seconds}-{24 hex};Parent={16
// hex};Sampled={0|1|?}) and W3C Trace Context's traceparent
// (00-{32 hex trace id}-{16 hex parent id}-{2 hex flags}), and maps one to
// the other as the OpenTelemetry X-Ray propagator does: the X-Ray Root's
// two hex groups joined are the W3C trace id, Parent is the span id,
// Sampled=1 is the sampled flag [D: xray-concepts#xray-concepts-tracingheader;
// M: opentelemetry-go-contrib propagators/aws/xray].
package xray

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"time"
)

// TraceID is a 128-bit trace id: in X-Ray's form, the first 4 bytes are
// the trace's start in epoch seconds, the other 12 are random.
type TraceID [16]byte

// SpanID is a 64-bit span (X-Ray: segment) id.
type SpanID [8]byte

// IsValid reports whether id is not all zero.
func (id TraceID) IsValid() bool { return id != TraceID{} }

// IsValid reports whether id is not all zero.
func (id SpanID) IsValid() bool { return id != SpanID{} }

// Sampling is a header's sampling decision.
type Sampling uint8

// Sampling decisions: absent (no decision), Sampled=0, Sampled=1, and
// Sampled=? ("decide downstream").
const (
	SamplingUnknown Sampling = iota
	SamplingNo
	SamplingYes
	SamplingRequested
)

// Header is a parsed X-Amzn-Trace-Id.
type Header struct {
	Root TraceID
	// Parent is the caller's segment id (invalid: the header has none).
	Parent  SpanID
	Sampled Sampling
}

// RootLen is the length of a Root value ("1-5759e988-bd862e3fe1be46a994272793").
const RootLen = 35

// ParseHeader reads an X-Amzn-Trace-Id value: ";"-separated key=value
// pairs, keys in any case [C: Lambda answers root=…;parent=…;sampled=0],
// spaces around them tolerated [U]. ok is false when the header has no
// valid Root (version 1, 35 characters, hex groups).
func ParseHeader(s string) (h Header, ok bool) {
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, ";")
		k, v, found := strings.Cut(part, "=")
		if !found {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case strings.EqualFold(k, "Root"):
			h.Root, ok = parseRoot(v)
		case strings.EqualFold(k, "Parent"):
			if len(v) == 16 {
				if _, err := hex.Decode(h.Parent[:], []byte(v)); err != nil {
					h.Parent = SpanID{}
				}
			}
		case strings.EqualFold(k, "Sampled"):
			switch v {
			case "1":
				h.Sampled = SamplingYes
			case "0":
				h.Sampled = SamplingNo
			case "?":
				h.Sampled = SamplingRequested
			}
		}
	}
	return h, ok && h.Root.IsValid()
}

// parseRoot reads "1-{8 hex}-{24 hex}".
func parseRoot(v string) (id TraceID, ok bool) {
	if len(v) != RootLen || v[0] != '1' || v[1] != '-' || v[10] != '-' {
		return TraceID{}, false
	}
	if _, err := hex.Decode(id[:4], []byte(v[2:10])); err != nil {
		return TraceID{}, false
	}
	if _, err := hex.Decode(id[4:], []byte(v[11:])); err != nil {
		return TraceID{}, false
	}
	return id, true
}

// NewTraceID returns a trace id for a trace that starts at t: its epoch
// seconds, then 96 random bits, so that X-Ray accepts it.
func NewTraceID(t time.Time) TraceID {
	var id TraceID
	binary.BigEndian.PutUint32(id[:4], uint32(t.Unix()))
	binary.LittleEndian.PutUint64(id[4:12], rand.Uint64())
	binary.LittleEndian.PutUint32(id[12:], rand.Uint32())
	return id
}

// NewSpanID returns a random, valid span id.
func NewSpanID() SpanID {
	var id SpanID
	for !id.IsValid() {
		binary.LittleEndian.PutUint64(id[:], rand.Uint64())
	}
	return id
}

// AppendRoot appends id in X-Ray's form: "1-{8 hex}-{24 hex}".
func AppendRoot(dst []byte, id TraceID) []byte {
	dst = append(dst, '1', '-')
	dst = hex.AppendEncode(dst, id[:4])
	dst = append(dst, '-')
	return hex.AppendEncode(dst, id[4:])
}

// AppendRootHeader appends an X-Amzn-Trace-Id that carries only a Root,
// as API Gateway adds one to requests that came without [C].
func AppendRootHeader(dst []byte, id TraceID) []byte {
	return AppendRoot(append(dst, "Root="...), id)
}

// AppendHeader appends a complete X-Amzn-Trace-Id:
// Root=…;Parent=…;Sampled=0|1.
func AppendHeader(dst []byte, id TraceID, parent SpanID, sampled bool) []byte {
	dst = AppendRootHeader(dst, id)
	dst = append(dst, ";Parent="...)
	dst = hex.AppendEncode(dst, parent[:])
	if sampled {
		return append(dst, ";Sampled=1"...)
	}
	return append(dst, ";Sampled=0"...)
}

// HeaderLen is the length of a complete header AppendHeader writes.
const HeaderLen = len("Root=") + RootLen + len(";Parent=") + 16 + len(";Sampled=0")

// Complete returns header as a Lambda runtime receives it
// (Lambda-Runtime-Trace-Id): with a Parent and a Sampled decision, which
// Lambda adds when its caller's header lacks them (an unsampled decision,
// a new segment id) [D: runtimes-api]; a header without a valid Root is
// replaced by a new one.
func Complete(header string, now time.Time) string {
	h, ok := ParseHeader(header)
	if !ok {
		return string(AppendHeader(make([]byte, 0, HeaderLen), NewTraceID(now), NewSpanID(), false))
	}
	if h.Parent.IsValid() && (h.Sampled == SamplingYes || h.Sampled == SamplingNo) {
		return header
	}
	parent := h.Parent
	if !parent.IsValid() {
		parent = NewSpanID()
	}
	return string(AppendHeader(make([]byte, 0, HeaderLen), h.Root, parent, h.Sampled == SamplingYes))
}

// ParseTraceparent reads a W3C traceparent: version 00 exactly, a later
// version (not ff) by its first four fields; lower-case hex, trace and
// parent ids not all zero [W3C Trace Context §3.2].
func ParseTraceparent(s string) (id TraceID, parent SpanID, sampled, ok bool) {
	const n = 55 // 2+1+32+1+16+1+2
	if len(s) < n || s[2] != '-' || s[35] != '-' || s[52] != '-' || (len(s) > n && s[n] != '-') {
		return id, parent, false, false
	}
	if !lowerHex(s[:2]) || s[:2] == "ff" || (s[:2] == "00" && len(s) != n) {
		return id, parent, false, false
	}
	if !lowerHex(s[3:35]) || !lowerHex(s[36:52]) || !lowerHex(s[53:55]) {
		return id, parent, false, false
	}
	_, _ = hex.Decode(id[:], []byte(s[3:35]))
	_, _ = hex.Decode(parent[:], []byte(s[36:52]))
	var flags [1]byte
	_, _ = hex.Decode(flags[:], []byte(s[53:55]))
	if !id.IsValid() || !parent.IsValid() {
		return TraceID{}, SpanID{}, false, false
	}
	return id, parent, flags[0]&1 == 1, true
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// AppendTraceparent appends a version 00 traceparent.
func AppendTraceparent(dst []byte, id TraceID, parent SpanID, sampled bool) []byte {
	dst = append(dst, "00-"...)
	dst = hex.AppendEncode(dst, id[:])
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, parent[:])
	if sampled {
		return append(dst, "-01"...)
	}
	return append(dst, "-00"...)
}

// TraceparentLen is the length of a version 00 traceparent.
const TraceparentLen = 55
