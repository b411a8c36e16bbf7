package modelv2

import (
	"encoding/json"
	"testing"
	"time"
)

// TestTimeISO8601: timestamps travel as ISO-8601 strings in UTC and read
// back to the same second, whatever zone they were written in.
func TestTimeISO8601(t *testing.T) {
	at := TimeOf(time.Date(2020, 4, 8, 19, 5, 45, 999, time.FixedZone("x", 3600)))
	b, err := json.Marshal(struct{ D Time }{at})
	if err != nil || string(b) != `{"D":"2020-04-08T18:05:45Z"}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var back struct{ D Time }
	if err := json.Unmarshal([]byte(`{"D":"2020-04-08T19:05:45+01:00"}`), &back); err != nil || back.D != at {
		t.Errorf("unmarshal: %v %v, want %v", back.D.Time(), err, at.Time())
	}
	if err := json.Unmarshal([]byte(`{"D":1586372745}`), &back); err == nil {
		t.Error("an epoch number was accepted as an ISO-8601 timestamp")
	}
}
