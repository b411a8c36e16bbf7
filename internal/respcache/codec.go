package respcache

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrCorrupt reports bytes that are not a valid encoding (an entry or a
// stored record) of a version this package knows.
var ErrCorrupt = errors.New("respcache: corrupt cache data")

// entryVersion1 is the first byte of every entry encoding of the current
// format:
//
//	version  byte (1)
//	status   varint (zig-zag)
//	count    uvarint: number of headers
//	headers  count × (uvarint len, name, uvarint len, value)
//	body     uvarint len, body
//
// Varints are minimal (canonical) and nothing may follow the body, so an
// entry has exactly one encoding.
const entryVersion1 = 1

// MarshalEntry returns the versioned binary encoding of e (which must not
// be nil). The result shares no memory with e.
func MarshalEntry(e *Entry) []byte {
	return AppendEntry(make([]byte, 0, entrySize(e)), e)
}

// AppendEntry appends the encoding of e (see MarshalEntry) to dst and
// returns the extended slice.
func AppendEntry(dst []byte, e *Entry) []byte {
	dst = append(dst, entryVersion1)
	dst = binary.AppendVarint(dst, int64(e.Status))
	dst = binary.AppendUvarint(dst, uint64(len(e.Headers)))
	for _, h := range e.Headers {
		dst = binary.AppendUvarint(dst, uint64(len(h[0])))
		dst = append(dst, h[0]...)
		dst = binary.AppendUvarint(dst, uint64(len(h[1])))
		dst = append(dst, h[1]...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(e.Body)))
	return append(dst, e.Body...)
}

// entrySize is the exact length of e's encoding.
func entrySize(e *Entry) int {
	n := 1 + varintLen(zigzag(int64(e.Status))) + varintLen(uint64(len(e.Headers)))
	for _, h := range e.Headers {
		n += varintLen(uint64(len(h[0]))) + len(h[0]) + varintLen(uint64(len(h[1]))) + len(h[1])
	}
	return n + varintLen(uint64(len(e.Body))) + len(e.Body)
}

// zigzag maps a signed value to the unsigned one binary.AppendVarint
// encodes.
func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

// varintLen is the length of the uvarint encoding of v.
func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// UnmarshalEntry decodes an encoding made by MarshalEntry. It fails with an
// error wrapping ErrCorrupt on anything else (unknown version, truncated,
// trailing bytes, non-minimal varints).
//
// The returned Body aliases data (it is not copied, and its capacity ends
// where the body does), so data must not be modified while the entry is in
// use; header names and values are copied out of data into one string.
func UnmarshalEntry(data []byte) (*Entry, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty entry", ErrCorrupt)
	}
	if data[0] != entryVersion1 {
		return nil, fmt.Errorf("%w: unknown entry version %d", ErrCorrupt, data[0])
	}
	d := decoder{b: data, off: 1}
	zz := d.uvarint()
	status := int64(zz>>1) ^ -int64(zz&1)
	count := d.uvarint()
	// Each header takes at least two bytes: this bounds the allocation.
	if d.err == nil && count > uint64(len(data)-d.off)/2 {
		d.fail("header count %d exceeds the data", count)
	}
	hstart := d.off
	for i := uint64(0); i < count && d.err == nil; i++ {
		d.bytes()
		d.bytes()
	}
	hend := d.off
	body := d.bytes()
	if d.err == nil && d.off != len(data) {
		d.fail("%d trailing bytes", len(data)-d.off)
	}
	if d.err == nil && int64(int(status)) != status {
		d.fail("status %d out of range", status)
	}
	if d.err != nil {
		return nil, d.err
	}
	e := &Entry{Status: int(status)}
	if count > 0 {
		// One string for the whole header region; names and values are
		// substrings of it.
		region := string(data[hstart:hend])
		e.Headers = make([][2]string, count)
		r := decoder{b: data[hstart:hend]}
		for i := range e.Headers {
			for j := range 2 {
				n := int(r.uvarint())
				e.Headers[i][j] = region[r.off : r.off+n]
				r.off += n
			}
		}
	}
	if len(body) > 0 {
		e.Body = body
	}
	return e, nil
}

// decoder reads canonical varints and length-prefixed byte strings; the
// first error sticks and later reads return zero values.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	switch {
	case n == 0:
		d.fail("truncated at byte %d", d.off)
		return 0
	case n < 0:
		d.fail("varint overflow at byte %d", d.off)
		return 0
	case n > 1 && d.b[d.off+n-1] == 0:
		d.fail("non-minimal varint at byte %d", d.off)
		return 0
	}
	d.off += n
	return v
}

// bytes reads a length-prefixed byte string, returned with its capacity
// capped at its length.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)-d.off) {
		d.fail("length %d at byte %d exceeds the data", n, d.off)
		return nil
	}
	end := d.off + int(n)
	b := d.b[d.off:end:end]
	d.off = end
	return b
}
