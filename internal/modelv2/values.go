package modelv2

import (
	"encoding/json"
	"fmt"
	"time"
)

// Time is a timestamp sent as an ISO-8601 string ("2020-04-08T19:05:45Z"),
// as the apigatewayv2 protocol does. It holds whole seconds.
type Time int64

// TimeOf converts t to a Time (whole seconds).
func TimeOf(t time.Time) Time { return Time(t.Unix()) }

// Time returns t as a time.Time in UTC.
func (t Time) Time() time.Time { return time.Unix(int64(t), 0).UTC() }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.Time().Format(time.RFC3339))
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	*t = TimeOf(v)
	return nil
}
