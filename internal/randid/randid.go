// Package randid makes random identifiers for the hot paths: request ids
// (version 4 UUIDs) drawn from math/rand/v2, whose generator is
// ChaCha8-based and seeded from the operating system: fast, without a
// system call, and unpredictable enough for identifiers, which are not
// secrets.
package randid

import (
	"encoding/hex"
	"math/rand/v2"
)

// AppendUUID appends a random (version 4) UUID in its 36-character form.
func AppendUUID(dst []byte) []byte {
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

// UUID returns a random (version 4) UUID.
func UUID() string {
	var b [36]byte
	return string(AppendUUID(b[:0]))
}

// PutUint64 stores v in b, least significant byte first.
func putUint64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}
