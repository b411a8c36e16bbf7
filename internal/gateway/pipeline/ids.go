package pipeline

import (
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
)

// NewRequestIDs returns a fresh request id ($context.requestId, sent as
// x-amzn-RequestId) and extended request id ($context.extendedRequestId,
// x-amz-apigw-id). Every response carries them (CONTRACT.md), also those
// an engine or the front door sends without running an API's pipeline.
func NewRequestIDs() (requestID, extendedID string) {
	// Both are cut from one string: one allocation per request for the two.
	var out [36 + 16]byte
	appendRequestID(out[:0])
	appendExtendedID(out[36:36])
	s := string(out[:])
	return s[:36], s[36:]
}

// appendRequestID appends a random (version 4) UUID. math/rand/v2's
// generator is ChaCha8-based and seeded from the OS, fast enough for the
// hot path and unpredictable enough for identifiers (they are not
// secrets).
func appendRequestID(dst []byte) []byte {
	var b [16]byte
	putUint64(b[:8], rand.Uint64())
	putUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return append(dst, out[:]...)
}

// appendExtendedID appends an x-amz-apigw-id value: 16 characters, the
// last an "=", like AWS's ("Xyz1AbcdIAMEYgA=").
func appendExtendedID(dst []byte) []byte {
	var b [12]byte
	putUint64(b[:8], rand.Uint64())
	putUint64(b[4:], rand.Uint64())
	return base64.StdEncoding.AppendEncode(dst, b[:11]) // 11 bytes → 15 characters and one "="
}

func putUint64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}
