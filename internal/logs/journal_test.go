package logs

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestAppendLine: a segment file's line, written by hand, reads back with
// encoding/json as the event it was written from, whatever the message
// holds (quotes, control characters, HTML, non-ASCII; bytes that are not
// UTF-8 read back as U+FFFD, as encoding/json would have written them), and
// ends with one newline.
func TestAppendLine(t *testing.T) {
	for _, msg := range []string{
		"START RequestId: 8f5f2a49-0b2e-4a60-9d0a-2f2b0c6a1e11 Version: $LATEST",
		"REPORT RequestId: x\tDuration: 0.12 ms\tBilled Duration: 1 ms\t",
		`{"level":"info","msg":"quoted \"text\" and \\ backslash"}` + "\n",
		"<script>alert('x')</script> & more",
		"\x00\x01\x1f\x7f control",
		"naïve café ✓ \u2028\u2029 😀",
		"bad utf-8: \xff\xfe end",
		"",
	} {
		e := Event{Stream: "2026/12/07/[$LATEST]0123456789abcdef\"<>", inc: 3, Timestamp: 1796680871123, Ingestion: 1796680871130, Seq: 42, Message: msg}
		b := appendLine([]byte("prefix"), e)
		if !bytes.HasPrefix(b, []byte("prefix")) || !bytes.HasSuffix(b, []byte("}\n")) || bytes.Count(b, []byte("\n")) != 1 {
			t.Errorf("line %q: not one JSON line after what was there", b)
			continue
		}
		var got line
		if err := json.Unmarshal(b[len("prefix"):], &got); err != nil {
			t.Errorf("line %q: %v", b, err)
			continue
		}
		want, _ := json.Marshal(line{Stream: e.Stream, Inc: e.inc, Timestamp: e.Timestamp, Ingestion: e.Ingestion, Seq: e.Seq, Message: e.Message})
		var wantLine line
		_ = json.Unmarshal(want, &wantLine)
		if got != wantLine {
			t.Errorf("read back %+v, want %+v", got, wantLine)
		}
	}
}
