package tracing

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	oteltrace "go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/xray"
)

// A request's spans are recorded into one pooled record: its own span and
// its steps' (authorization, cache, integration). Attributes and events
// are encoded to OTLP protobuf as they are set, and each span as it ends,
// so that the record holds the request's part of an export batch when its
// request span ends; the exporter then copies those bytes into a batch and
// puts the record back in the pool. Nothing on this path takes a lock but
// the queue's, builds a map or a context, or allocates once the pool and
// the records' buffers have grown.

// maxSpans is how many spans a request records: its own and its steps'
// (authorization, cache, integration), with room to spare. Steps past it
// get no span (their ids are the request span's).
const maxSpans = 6

// Limits per span, as the OpenTelemetry SDK's defaults
// (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_SPAN_EVENT_COUNT_LIMIT): what is
// past them is counted as dropped.
const (
	maxAttributes = 128
	maxEvents     = 128
)

// record is a request's spans.
type record struct {
	stage *Stage
	// start is the request's start: spans' times are start's Unix time
	// plus the monotonic time since (one clock reading, where time.Now
	// takes two).
	start   time.Time
	startNs int64
	spans   [maxSpans]span
	n       int // spans started
	// out holds the ended spans, each a ScopeSpans.spans field.
	out   []byte
	nout  int // spans in out
	queue *exporter
}

// reset readies a pooled record, keeping its buffers.
func (r *record) reset() {
	for i := range r.spans[:r.n] {
		s := &r.spans[i]
		clear(s.keys)
		*s = span{attrs: s.attrs[:0], keys: s.keys[:0], events: s.events[:0]}
	}
	r.stage, r.n, r.out, r.nout, r.start = nil, 0, r.out[:0], 0, time.Time{}
}

// now is the time, in Unix ns.
func (r *record) now() int64 { return r.startNs + int64(time.Since(r.start)) }

// span is a span of a request: an OpenTelemetry span whose data is
// encoded to OTLP as it is set. It is used by the goroutine serving the
// request (pipeline.RequestSpan).
type span struct {
	embedded.Span
	rec            *record
	traceID        xray.TraceID
	spanID, parent xray.SpanID
	// remoteParent: parent is the caller's span.
	remoteParent bool
	// sampled: the span records and is exported.
	sampled, ended bool
	kind           oteltrace.SpanKind
	name           string
	start          int64 // Unix ns
	// attrs holds the attributes as Span.attributes fields, at the
	// positions keys lists (a key set again replaces its value).
	attrs        []byte
	keys         []attrPos
	droppedAttrs int
	// events holds the events as Span.events fields.
	events        []byte
	nevents       int
	droppedEvents int
	droppedLinks  int
	status        codes.Code
	statusMessage string
}

// attrPos is where an attribute is in span.attrs.
type attrPos struct {
	key        attribute.Key
	start, end int
}

var (
	_ pipeline.RequestSpan     = (*span)(nil)
	_ pipeline.AttributeSetter = (*span)(nil)
)

// StartChild starts a child span of a sampled request span (nil
// otherwise, or once the record is full).
func (s *span) StartChild(name string, kind oteltrace.SpanKind) oteltrace.Span {
	r := s.rec
	if !s.sampled || s.ended || r.n == maxSpans {
		return nil
	}
	c := &r.spans[r.n]
	r.n++
	c.rec, c.traceID, c.spanID, c.parent = r, s.traceID, xray.NewSpanID(), s.spanID
	c.sampled, c.kind, c.name, c.start = true, kind, name, r.now()
	return c
}

// End ends the span. The request span's end ends its children still
// running and hands the request's spans to the exporter; the span must not
// be used after.
func (s *span) End(options ...oteltrace.SpanEndOption) {
	if s.ended {
		return
	}
	r := s.rec
	var end int64
	if len(options) > 0 {
		cfg := oteltrace.NewSpanEndConfig(options...)
		if ts := cfg.Timestamp(); !ts.IsZero() {
			end = ts.UnixNano()
		}
	}
	if end == 0 && s.sampled {
		end = r.now()
	}
	if s != &r.spans[0] {
		s.finish(end)
		return
	}
	for i := range r.spans[1:r.n] {
		if c := &r.spans[1+i]; !c.ended {
			c.finish(end)
		}
	}
	s.finish(end)
	if s.sampled {
		r.queue.enqueue(r)
	} else {
		release(r)
	}
}

// finish marks the span ended and encodes it into its record.
func (s *span) finish(end int64) {
	s.ended = true
	if !s.sampled {
		return
	}
	r := s.rec
	r.out = s.appendSpan(r.out, end)
	r.nout++
}

// appendSpan appends the span as a ScopeSpans.spans field.
func (s *span) appendSpan(b []byte, end int64) []byte {
	n := fieldLen(len(s.traceID)) + fieldLen(len(s.spanID)) + fieldLen(len(s.name)) + 9 + 9 + len(s.attrs) + len(s.events) + 6
	if s.parent.IsValid() {
		n += fieldLen(len(s.parent))
	}
	if s.kind != 0 {
		n += 1 + varintLen(uint64(s.kind))
	}
	if s.droppedAttrs > 0 {
		n += 1 + varintLen(uint64(s.droppedAttrs))
	}
	if s.droppedEvents > 0 {
		n += 1 + varintLen(uint64(s.droppedEvents))
	}
	if s.droppedLinks > 0 {
		n += 1 + varintLen(uint64(s.droppedLinks))
	}
	status := s.statusLen()
	if status > 0 {
		n += fieldLen(status)
	}
	b = appendField(b, tagSpan, n)
	b = append(appendField(b, tagTraceID, len(s.traceID)), s.traceID[:]...)
	b = append(appendField(b, tagSpanID, len(s.spanID)), s.spanID[:]...)
	if s.parent.IsValid() {
		b = append(appendField(b, tagParentSpanID, len(s.parent)), s.parent[:]...)
	}
	b = appendString(b, tagName, s.name)
	if s.kind != 0 {
		b = appendVarint(append(b, tagKind), uint64(s.kind)) // OTLP's SpanKind numbers are the API's
	}
	b = appendFixed64(b, tagStart, uint64(s.start))
	b = appendFixed64(b, tagEnd, uint64(end))
	b = append(b, s.attrs...)
	if s.droppedAttrs > 0 {
		b = appendVarint(append(b, tagDroppedAttrs), uint64(s.droppedAttrs))
	}
	b = append(b, s.events...)
	if s.droppedEvents > 0 {
		b = appendVarint(append(b, tagDroppedEvents), uint64(s.droppedEvents))
	}
	if s.droppedLinks > 0 {
		b = appendVarint(append(b, tagDroppedLinks), uint64(s.droppedLinks))
	}
	if status > 0 {
		b = appendField(b, tagStatus, status)
		if s.statusMessage != "" {
			b = appendString(b, tagStatusMessage, s.statusMessage)
		}
		b = append(b, tagStatusCode, otlpStatus(s.status))
	}
	flags := uint32(oteltrace.FlagsSampled) | flagHasIsRemote
	if s.remoteParent {
		flags |= flagIsRemote
	}
	b = append(b, tagFlags&0x7f|0x80, tagFlags>>7) // field 16: a two-byte tag
	return append(b, byte(flags), byte(flags>>8), byte(flags>>16), byte(flags>>24))
}

// statusLen is the length of the span's Status message (0: unset, not
// sent).
func (s *span) statusLen() int {
	if s.status == codes.Unset {
		return 0
	}
	n := 2
	if s.statusMessage != "" {
		n += fieldLen(len(s.statusMessage))
	}
	return n
}

// otlpStatus is OTLP's StatusCode of an API status code (OK and ERROR are
// numbered the other way round).
func otlpStatus(c codes.Code) byte {
	switch c {
	case codes.Ok:
		return 1
	case codes.Error:
		return 2
	}
	return 0
}

// SetAttributes sets attributes of a recording span; a key set again gets
// the new value. Values are encoded at once: the strings given may be the
// request's buffers.
func (s *span) SetAttributes(kv ...attribute.KeyValue) {
	for _, a := range kv {
		s.set(a.Key, a.Value)
	}
}

// SetAttribute sets one attribute (pipeline.AttributeSetter): its value
// is encoded at once, and may be a buffer of the caller's.
func (s *span) SetAttribute(kv attribute.KeyValue) { s.set(kv.Key, kv.Value) }

// set sets one attribute. Only the key is kept: v may be a buffer of the
// caller's.
func (s *span) set(k attribute.Key, v attribute.Value) {
	if !s.IsRecording() || k == "" || v.Type() == attribute.INVALID {
		return
	}
	if i := s.keyIndex(k); i >= 0 {
		s.removeAttr(i)
	} else if len(s.keys) == maxAttributes {
		s.droppedAttrs++
		return
	}
	start := len(s.attrs)
	s.attrs = appendKeyValue(s.attrs, tagAttribute, k, v)
	s.keys = append(s.keys, attrPos{key: k, start: start, end: len(s.attrs)})
}

// setString sets a string attribute; v may be a buffer of the caller's.
func (s *span) setString(k attribute.Key, v string) {
	if i := s.keyIndex(k); i >= 0 {
		s.removeAttr(i)
	} else if len(s.keys) == maxAttributes {
		s.droppedAttrs++
		return
	}
	start := len(s.attrs)
	s.attrs = appendStringKeyValue(s.attrs, tagAttribute, k, v)
	s.keys = append(s.keys, attrPos{key: k, start: start, end: len(s.attrs)})
}

// setEncoded sets an attribute encoded beforehand (a Span.attributes
// field).
func (s *span) setEncoded(k attribute.Key, field []byte) {
	if i := s.keyIndex(k); i >= 0 {
		s.removeAttr(i)
	} else if len(s.keys) == maxAttributes {
		s.droppedAttrs++
		return
	}
	start := len(s.attrs)
	s.attrs = append(s.attrs, field...)
	s.keys = append(s.keys, attrPos{key: k, start: start, end: len(s.attrs)})
}

func (s *span) keyIndex(k attribute.Key) int {
	for i := range s.keys {
		if s.keys[i].key == k {
			return i
		}
	}
	return -1
}

// removeAttr removes the attribute keys[i].
func (s *span) removeAttr(i int) {
	p := s.keys[i]
	s.attrs = slices.Delete(s.attrs, p.start, p.end)
	s.keys = slices.Delete(s.keys, i, i+1)
	for j := i; j < len(s.keys); j++ {
		s.keys[j].start -= p.end - p.start
		s.keys[j].end -= p.end - p.start
	}
}

// AddEvent adds an event to a recording span.
func (s *span) AddEvent(name string, options ...oteltrace.EventOption) {
	if !s.IsRecording() {
		return
	}
	cfg := oteltrace.NewEventConfig(options...)
	s.addEvent(name, cfg.Timestamp(), cfg.Attributes())
}

func (s *span) addEvent(name string, ts time.Time, attrs []attribute.KeyValue) {
	if s.nevents == maxEvents {
		s.droppedEvents++
		return
	}
	s.nevents++
	n := 9 + fieldLen(len(name))
	kept, dropped := 0, 0
	for _, kv := range attrs {
		if !kv.Valid() {
			continue
		}
		if kept == maxAttributes {
			dropped++
			continue
		}
		kept++
		n += fieldLen(keyValueLen(kv.Key, kv.Value))
	}
	if dropped > 0 {
		n += 1 + varintLen(uint64(dropped))
	}
	b := appendField(s.events, tagEvent, n)
	b = appendFixed64(b, tagEventTime, uint64(ts.UnixNano()))
	b = appendString(b, tagEventName, name)
	kept = 0
	for _, kv := range attrs {
		if kv.Valid() && kept < maxAttributes {
			kept++
			b = appendKeyValue(b, tagEventAttribute, kv.Key, kv.Value)
		}
	}
	if dropped > 0 {
		b = appendVarint(append(b, tagEventDropped), uint64(dropped))
	}
	s.events = b
}

// AddLink counts the link as dropped: the gateway's spans have none.
func (s *span) AddLink(oteltrace.Link) {
	if s.IsRecording() {
		s.droppedLinks++
	}
}

// IsRecording reports whether the span is sampled and not ended.
func (s *span) IsRecording() bool { return s.sampled && !s.ended }

// RecordError adds an "exception" event for err, as the SDK does
// (exception.type and exception.message).
func (s *span) RecordError(err error, options ...oteltrace.EventOption) {
	if err == nil || !s.IsRecording() {
		return
	}
	cfg := oteltrace.NewEventConfig(options...)
	attrs := append([]attribute.KeyValue{attribute.String("exception.type", typeName(err)),
		attribute.String("exception.message", err.Error())}, cfg.Attributes()...)
	s.addEvent("exception", cfg.Timestamp(), attrs)
}

// typeName is an error's type as the SDK names it.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.PkgPath() == "" && t.Name() == "" {
		return t.String()
	}
	return fmt.Sprintf("%s.%s", t.PkgPath(), t.Name())
}

// SpanContext is the span's ids and sampling decision.
func (s *span) SpanContext() oteltrace.SpanContext {
	var flags oteltrace.TraceFlags
	if s.sampled {
		flags = oteltrace.FlagsSampled
	}
	return oteltrace.NewSpanContext(oteltrace.SpanContextConfig{TraceID: oteltrace.TraceID(s.traceID),
		SpanID: oteltrace.SpanID(s.spanID), TraceFlags: flags})
}

// SetStatus sets the span's status as the SDK does: Ok is final, a
// description is kept for Error only, Unset changes nothing.
func (s *span) SetStatus(code codes.Code, description string) {
	if !s.IsRecording() || code == codes.Unset || s.status == codes.Ok {
		return
	}
	s.status, s.statusMessage = code, ""
	if code == codes.Error {
		s.statusMessage = description
	}
}

// SetName renames the span.
func (s *span) SetName(name string) {
	if s.IsRecording() {
		s.name = name
	}
}

// TracerProvider is a no-op provider: the gateway's spans are started by
// its stages, not through a provider.
func (s *span) TracerProvider() oteltrace.TracerProvider { return noop.NewTracerProvider() }
