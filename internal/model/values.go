package model

import (
	"strconv"
	"time"
)

// Time is a timestamp sent as epoch seconds (a JSON number), as the
// apigateway REST-JSON protocol does.
type Time int64

// TimeOf converts t to a Time (whole seconds).
func TimeOf(t time.Time) Time { return Time(t.Unix()) }

// Double is a float64 that always marshals with a fractional part
// ("10000.0"), as AWS's Java services emit doubles.
type Double float64

// MarshalJSON implements json.Marshaler.
func (d Double) MarshalJSON() ([]byte, error) {
	f := float64(d)
	b := strconv.AppendFloat(nil, f, 'f', -1, 64)
	for _, c := range b {
		if c == '.' || c == 'e' || c == 'E' || c == 'N' || c == 'I' {
			return b, nil
		}
	}
	return append(b, '.', '0'), nil
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// Deref returns *p, or the zero value if p is nil.
func Deref[T any](p *T) T {
	if p == nil {
		var z T
		return z
	}
	return *p
}
