package pipeline

import (
	"encoding/base64"
	"math/rand/v2"

	"github.com/tollgate/tollgate/internal/randid"
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

// NewExtendedID returns a fresh extended request id alone (HTTP APIs'
// request ids, see NewRequestIDs): one 16-byte allocation, no UUID.
func NewExtendedID() string {
	var out [16]byte
	appendExtendedID(out[:0])
	return string(out[:])
}

// appendRequestID appends a random (version 4) UUID.
func appendRequestID(dst []byte) []byte { return randid.AppendUUID(dst) }

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
