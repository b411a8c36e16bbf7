package respcache

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/tollgate/tollgate/internal/secret"
)

// Stored record format, the bytes a cache keeps under a key:
//
//	kind     byte: recordPlain or recordSealed
//	expires  8 bytes, big-endian Unix nanoseconds; the entry is live
//	         while now < expires
//	payload  recordPlain:  the entry encoding (MarshalEntry)
//	         recordSealed: secret.Box.Seal text of
//	                       expires (8 bytes) | uvarint len(key) | key | entry encoding
//
// The sealed plaintext repeats the expiry and binds the key, so a sealed
// record copied to another key, or given a later expiry, fails to open.
const (
	recordPlain      = 0x01
	recordSealed     = 0x02
	recordHeaderSize = 1 + 8
)

// EncodeRecord returns the stored form of e under key, live until expires:
// the entry encoding, sealed with box when encrypt is true. It is what any
// Cache implementation stores; Memory accounts for exactly these bytes.
// With encrypt and a nil box it fails with ErrNoBox.
func EncodeRecord(key string, e *Entry, expires time.Time, box *secret.Box, encrypt bool) ([]byte, error) {
	exp := expires.UnixNano()
	if !encrypt {
		rec := make([]byte, recordHeaderSize, recordHeaderSize+entrySize(e))
		putHeader(rec, recordPlain, exp)
		return AppendEntry(rec, e), nil
	}
	sealed, err := sealEntry(box, key, e, exp)
	if err != nil {
		return nil, err
	}
	rec := make([]byte, recordHeaderSize, recordHeaderSize+len(sealed))
	putHeader(rec, recordSealed, exp)
	return append(rec, sealed...), nil
}

// RecordExpires returns the expiry of a stored record without decoding or
// decrypting it, so that an implementation can drop expired records
// cheaply.
func RecordExpires(rec []byte) (time.Time, error) {
	_, exp, err := parseHeader(rec)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, exp), nil
}

// DecodeRecord decodes a record made by EncodeRecord for the same key,
// opening sealed records with box. It does not check the expiry (see
// RecordExpires). For a plain record the returned Body aliases rec (see
// UnmarshalEntry). Errors wrap ErrCorrupt, ErrNoBox, or the secret
// package's errors for a sealed record made with another key or altered.
func DecodeRecord(key string, rec []byte, box *secret.Box) (*Entry, time.Time, error) {
	kind, exp, err := parseHeader(rec)
	if err != nil {
		return nil, time.Time{}, err
	}
	var e *Entry
	if kind == recordPlain {
		e, err = UnmarshalEntry(rec[recordHeaderSize:])
	} else {
		e, err = openEntry(box, key, exp, string(rec[recordHeaderSize:]))
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return e, time.Unix(0, exp), nil
}

func putHeader(rec []byte, kind byte, exp int64) {
	rec[0] = kind
	binary.BigEndian.PutUint64(rec[1:], uint64(exp))
}

func parseHeader(rec []byte) (kind byte, exp int64, err error) {
	if len(rec) < recordHeaderSize {
		return 0, 0, fmt.Errorf("%w: record of %d bytes", ErrCorrupt, len(rec))
	}
	if rec[0] != recordPlain && rec[0] != recordSealed {
		return 0, 0, fmt.Errorf("%w: unknown record kind %d", ErrCorrupt, rec[0])
	}
	return rec[0], int64(binary.BigEndian.Uint64(rec[1:])), nil
}

// sealEntry seals the expiry, key and entry encoding into the Box's text
// form (the payload of a sealed record).
func sealEntry(box *secret.Box, key string, e *Entry, exp int64) (string, error) {
	if box == nil {
		return "", ErrNoBox
	}
	pt := make([]byte, 8, 8+varintLen(uint64(len(key)))+len(key)+entrySize(e))
	binary.BigEndian.PutUint64(pt, uint64(exp))
	pt = binary.AppendUvarint(pt, uint64(len(key)))
	pt = append(pt, key...)
	pt = AppendEntry(pt, e)
	sealed, err := box.Seal(pt)
	if err != nil {
		return "", fmt.Errorf("respcache: seal entry: %w", err)
	}
	return sealed, nil
}

// openEntry reverses sealEntry, checking that the sealed expiry and key
// are the ones the record is stored under. The returned Body aliases the
// freshly decrypted plaintext, which nothing else holds.
func openEntry(box *secret.Box, key string, exp int64, sealed string) (*Entry, error) {
	if box == nil {
		return nil, ErrNoBox
	}
	pt, err := box.Open(sealed)
	if err != nil {
		return nil, fmt.Errorf("respcache: open entry: %w", err)
	}
	if len(pt) < 8 || int64(binary.BigEndian.Uint64(pt)) != exp {
		return nil, fmt.Errorf("%w: sealed expiry does not match the record", ErrCorrupt)
	}
	d := decoder{b: pt, off: 8}
	k := d.bytes()
	if d.err != nil {
		return nil, d.err
	}
	if string(k) != key {
		return nil, fmt.Errorf("%w: sealed entry belongs to another key", ErrCorrupt)
	}
	return UnmarshalEntry(pt[d.off:])
}

// expiry returns now+ttl in Unix nanoseconds, saturating instead of
// overflowing.
func expiry(now time.Time, ttl time.Duration) int64 {
	t := now.UnixNano()
	if t > 0 && int64(ttl) > math.MaxInt64-t {
		return math.MaxInt64
	}
	return t + int64(ttl)
}
