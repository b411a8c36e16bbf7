package tracing

import (
	"encoding/binary"
	"math"
	"math/bits"

	"go.opentelemetry.io/otel/attribute"
)

// The OTLP protobuf wire format, written by hand: the messages of
// opentelemetry/proto/collector/trace/v1 (ExportTraceServiceRequest) and
// what they hold, with the field numbers of their .proto files. Tests
// decode the output with go.opentelemetry.io/proto/otlp's types.

// Wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// Field tags (field number << 3 | wire type) of the messages written.
const (
	// ExportTraceServiceRequest
	tagResourceSpans = 1<<3 | wireBytes
	// ResourceSpans
	tagResource          = 1<<3 | wireBytes
	tagScopeSpans        = 2<<3 | wireBytes
	tagResourceSchemaURL = 3<<3 | wireBytes
	// Resource
	tagResourceAttribute = 1<<3 | wireBytes
	// ScopeSpans
	tagScope = 1<<3 | wireBytes
	tagSpan  = 2<<3 | wireBytes
	// InstrumentationScope
	tagScopeName      = 1<<3 | wireBytes
	tagScopeVersion   = 2<<3 | wireBytes
	tagScopeAttribute = 3<<3 | wireBytes
	// Span
	tagTraceID          = 1<<3 | wireBytes
	tagSpanID           = 2<<3 | wireBytes
	tagParentSpanID     = 4<<3 | wireBytes
	tagName             = 5<<3 | wireBytes
	tagKind             = 6<<3 | wireVarint
	tagStart            = 7<<3 | wireFixed64
	tagEnd              = 8<<3 | wireFixed64
	tagAttribute        = 9<<3 | wireBytes
	tagDroppedAttrs     = 10<<3 | wireVarint
	tagEvent            = 11<<3 | wireBytes
	tagDroppedEvents    = 12<<3 | wireVarint
	tagDroppedLinks     = 14<<3 | wireVarint
	tagStatus           = 15<<3 | wireBytes
	tagFlags            = 16<<3 | wireFixed32
	tagEventTime        = 1<<3 | wireFixed64
	tagEventName        = 2<<3 | wireBytes
	tagEventAttribute   = 3<<3 | wireBytes
	tagEventDropped     = 4<<3 | wireVarint
	tagStatusMessage    = 2<<3 | wireBytes
	tagStatusCode       = 3<<3 | wireVarint
	tagKey              = 1<<3 | wireBytes
	tagValue            = 2<<3 | wireBytes
	tagStringValue      = 1<<3 | wireBytes
	tagBoolValue        = 2<<3 | wireVarint
	tagIntValue         = 3<<3 | wireVarint
	tagDoubleValue      = 4<<3 | wireFixed64
	tagArrayValue       = 5<<3 | wireBytes
	tagArrayValueValues = 1<<3 | wireBytes
)

// Span flags (SpanFlags): the W3C trace flags in the low byte, and whether
// the parent is remote.
const (
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200
)

// varintLen is the length of v as a varint.
func varintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// fieldLen is the length of a length-delimited field (tag under 128)
// holding n bytes.
func fieldLen(n int) int { return 1 + varintLen(uint64(n)) + n }

// appendField appends a length-delimited field's tag (under 128) and
// length; its n bytes come next.
func appendField(b []byte, tag byte, n int) []byte {
	return appendVarint(append(b, tag), uint64(n))
}

func appendString(b []byte, tag byte, s string) []byte {
	return append(appendField(b, tag, len(s)), s...)
}

func appendFixed64(b []byte, tag byte, v uint64) []byte {
	return binary.LittleEndian.AppendUint64(append(b, tag), v)
}

// keyValueLen is the length of a KeyValue message.
func keyValueLen(k attribute.Key, v attribute.Value) int {
	return fieldLen(len(k)) + fieldLen(anyValueLen(v))
}

// appendKeyValue appends a KeyValue field with tag tag.
func appendKeyValue(b []byte, tag byte, k attribute.Key, v attribute.Value) []byte {
	if v.Type() == attribute.STRING { // the common case, its lengths once
		return appendStringKeyValue(b, tag, k, v.AsString())
	}
	n := anyValueLen(v)
	b = appendField(b, tag, fieldLen(len(k))+fieldLen(n))
	b = appendString(b, tagKey, string(k))
	b = appendField(b, tagValue, n)
	return appendAnyValue(b, v)
}

// appendStringKeyValue appends a KeyValue field with tag tag of a string.
func appendStringKeyValue(b []byte, tag byte, k attribute.Key, v string) []byte {
	n := fieldLen(len(v))
	b = appendField(b, tag, fieldLen(len(k))+fieldLen(n))
	b = appendString(b, tagKey, string(k))
	b = appendField(b, tagValue, n)
	return appendString(b, tagStringValue, v)
}

// anyValueLen is the length of an AnyValue message holding v.
func anyValueLen(v attribute.Value) int {
	switch v.Type() {
	case attribute.BOOL:
		return 2
	case attribute.INT64:
		return 1 + varintLen(uint64(v.AsInt64()))
	case attribute.FLOAT64:
		return 9
	case attribute.STRING:
		return fieldLen(len(v.AsString()))
	case attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.STRINGSLICE:
		return fieldLen(arrayLen(v))
	}
	return 0 // INVALID (an empty attribute.Value): an AnyValue without a value
}

func appendAnyValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.BOOL:
		x := byte(0)
		if v.AsBool() {
			x = 1
		}
		return append(b, tagBoolValue, x)
	case attribute.INT64:
		return appendVarint(append(b, tagIntValue), uint64(v.AsInt64()))
	case attribute.FLOAT64:
		return appendFixed64(b, tagDoubleValue, math.Float64bits(v.AsFloat64()))
	case attribute.STRING:
		return appendString(b, tagStringValue, v.AsString())
	case attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.STRINGSLICE:
		b = appendField(b, tagArrayValue, arrayLen(v))
		forEachElement(v, func(e attribute.Value) {
			b = appendAnyValue(appendField(b, tagArrayValueValues, anyValueLen(e)), e)
		})
	}
	return b
}

// arrayLen is the length of an ArrayValue message holding slice v.
func arrayLen(v attribute.Value) int {
	n := 0
	forEachElement(v, func(e attribute.Value) { n += fieldLen(anyValueLen(e)) })
	return n
}

// forEachElement calls f with each element of slice v. (Slices are rare
// in spans; this path may allocate.)
func forEachElement(v attribute.Value, f func(attribute.Value)) {
	switch v.Type() {
	case attribute.BOOLSLICE:
		for _, e := range v.AsBoolSlice() {
			f(attribute.BoolValue(e))
		}
	case attribute.INT64SLICE:
		for _, e := range v.AsInt64Slice() {
			f(attribute.Int64Value(e))
		}
	case attribute.FLOAT64SLICE:
		for _, e := range v.AsFloat64Slice() {
			f(attribute.Float64Value(e))
		}
	case attribute.STRINGSLICE:
		for _, e := range v.AsStringSlice() {
			f(attribute.StringValue(e))
		}
	}
}

// encodeScope encodes an InstrumentationScope as ScopeSpans' scope field.
func encodeScope(name, version string, attrs []attribute.KeyValue) []byte {
	n := fieldLen(len(name))
	if version != "" {
		n += fieldLen(len(version))
	}
	for _, kv := range attrs {
		n += fieldLen(keyValueLen(kv.Key, kv.Value))
	}
	b := appendField(make([]byte, 0, fieldLen(n)), tagScope, n)
	b = appendString(b, tagScopeName, name)
	if version != "" {
		b = appendString(b, tagScopeVersion, version)
	}
	for _, kv := range attrs {
		b = appendKeyValue(b, tagScopeAttribute, kv.Key, kv.Value)
	}
	return b
}

// encodeResource encodes a Resource as ResourceSpans' resource field,
// followed by its schema URL field when there is one.
func encodeResource(attrs []attribute.KeyValue, schemaURL string) []byte {
	n := 0
	for _, kv := range attrs {
		n += fieldLen(keyValueLen(kv.Key, kv.Value))
	}
	b := appendField(nil, tagResource, n)
	for _, kv := range attrs {
		b = appendKeyValue(b, tagResourceAttribute, kv.Key, kv.Value)
	}
	if schemaURL != "" {
		b = appendString(b, tagResourceSchemaURL, schemaURL)
	}
	return b
}
