package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func invokeStream(t *testing.T, p *Pool, ev map[string]any) Result {
	t.Helper()
	payload, _ := json.Marshal(ev)
	res, err := p.InvokeStream(context.Background(), payload, Invocation{})
	if err != nil {
		t.Fatalf("InvokeStream: %v", err)
	}
	if res.Stream == nil {
		t.Fatalf("no stream: %s %s", res.FunctionError, res.Payload)
	}
	t.Cleanup(func() { res.Stream.Close() })
	return res
}

// readUntil reads s until what it returned contains want.
func readUntil(t *testing.T, s io.Reader, want string) string {
	t.Helper()
	var got []byte
	buf := make([]byte, 64)
	for !strings.Contains(string(got), want) {
		n, err := s.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("read %q, then %v; want %q", got, err, want)
		}
	}
	return string(got)
}

// TestStreamFirstBytesFirst: the caller reads the first chunk while the
// function is still writing: the function writes its second chunk only
// once the test, having read the first, creates the file it waits for.
func TestStreamFirstBytesFirst(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "streamer"))
	gate := filepath.Join(t.TempDir(), "go")
	res := invokeStream(t, p, map[string]any{"chunks": []string{"first;", "second;", "third"}, "waitFile": gate, "contentType": "text/event-stream"})
	if res.ContentType != "text/event-stream" {
		t.Errorf("content type %q", res.ContentType)
	}
	if got := readUntil(t, res.Stream, "first;"); got != "first;" {
		t.Fatalf("first read %q", got)
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(res.Stream)
	if err != nil || string(rest) != "second;third" {
		t.Fatalf("rest %q, %v", rest, err)
	}
	// The instance serves the next invocation once the stream is done.
	eventually(t, "the instance to be idle", func() bool { return p.Stats().Idle == 1 })
	res2 := invokeStream(t, p, map[string]any{"chunks": []string{"again"}})
	if b, err := io.ReadAll(res2.Stream); err != nil || string(b) != "again" {
		t.Fatalf("second invocation: %q %v", b, err)
	}
	res2.Stream.Close()
	eventually(t, "the instance to be idle", func() bool { s := p.Stats(); return s.Idle == 1 && s.Busy == 0 })
	if s := p.Stats(); s.Instances != 1 {
		t.Errorf("stats %+v: the instance was not reused", s)
	}
}

// streamError reads s to its end and returns the function error it ends with.
func streamError(t *testing.T, s io.Reader) (string, errorDoc) {
	t.Helper()
	b, err := io.ReadAll(s)
	var fe *FunctionError
	if !errors.As(err, &fe) {
		t.Fatalf("read %q, end %v; want a FunctionError", b, err)
	}
	var doc errorDoc
	if err := json.Unmarshal(fe.Payload, &doc); err != nil {
		t.Fatalf("error payload %q: %v", fe.Payload, err)
	}
	return string(b), doc
}

func TestStreamFailures(t *testing.T) {
	t.Run("trailers", func(t *testing.T) {
		p, _ := newTestPool(t, fnConfig(t, "streamer"))
		res := invokeStream(t, p, map[string]any{"chunks": []string{"partial"}, "failType": "Function.Oops"})
		got, doc := streamError(t, res.Stream)
		if got != "partial" || doc.ErrorType != "Function.Oops" || doc.ErrorMessage != "failed half-way" {
			t.Errorf("got %q, error %+v", got, doc)
		}
	})
	t.Run("crash", func(t *testing.T) {
		p, _ := newTestPool(t, fnConfig(t, "streamer"))
		res := invokeStream(t, p, map[string]any{"chunks": []string{"partial"}, "crash": true})
		got, doc := streamError(t, res.Stream)
		if got != "partial" || doc.ErrorType != "Runtime.ExitError" || !strings.Contains(doc.ErrorMessage, "exit status 3") {
			t.Errorf("got %q, error %+v", got, doc)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		cfg := fnConfig(t, "streamer")
		cfg.Timeout = 500 * time.Millisecond
		p, _ := newTestPool(t, cfg)
		res := invokeStream(t, p, map[string]any{"chunks": []string{"partial"}, "hang": true})
		got, doc := streamError(t, res.Stream)
		if got != "partial" || doc.ErrorType != "Sandbox.Timedout" || !strings.Contains(doc.ErrorMessage, "Task timed out after 0.50 seconds") {
			t.Errorf("got %q, error %+v", got, doc)
		}
		res.Stream.Close()
		waitNoChildren(t)
	})
}

// TestStreamEarlyClose: a caller that stops reading does not stop the
// function, which finishes its response; the instance is then reused.
func TestStreamEarlyClose(t *testing.T) {
	p, logs := newTestPool(t, fnConfig(t, "streamer"))
	res := invokeStream(t, p, map[string]any{"chunks": []string{"a", "b"}, "repeat": 4 << 20})
	readUntil(t, res.Stream, "a")
	res.Stream.Close()
	eventually(t, "the function to finish its response", func() bool {
		return len(logs.find(func(r logRec) bool { return r.msg == "posted=202" })) == 1
	})
	eventually(t, "the instance to be idle", func() bool { return p.Stats().Idle == 1 })
	res2 := invokeStream(t, p, map[string]any{"chunks": []string{"next"}})
	if b, err := io.ReadAll(res2.Stream); err != nil || string(b) != "next" {
		t.Fatalf("next invocation: %q %v", b, err)
	}
	if s := p.Stats(); s.Instances != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestStreamBuffered: Invoke (not InvokeStream) returns a streamed
// response whole, and its error trailers as the invocation's error.
func TestStreamBuffered(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "streamer"))
	res := invoke(t, p, `{"chunks":["a","b","c"]}`, Invocation{})
	mustSucceed(t, res)
	if string(res.Payload) != "abc" {
		t.Errorf("payload %q", res.Payload)
	}
	res = invoke(t, p, `{"chunks":["a"],"failType":"Function.Oops"}`, Invocation{})
	if doc := mustFail(t, res); doc.ErrorType != "Function.Oops" {
		t.Errorf("error %+v", doc)
	}
	res = invoke(t, p, `{"chunks":["a"],"repeat":7000000}`, Invocation{})
	if doc := mustFail(t, res); doc.ErrorType != "Function.ResponseSizeTooLarge" {
		t.Errorf("oversized: %+v", doc)
	}
}

// TestStreamNonStreamingAnswer: InvokeStream of a function that answers
// whole returns that answer as Invoke does.
func TestStreamNonStreamingAnswer(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "echo"))
	res, err := p.InvokeStream(context.Background(), []byte(`{"x":1}`), Invocation{})
	if err != nil || res.Stream != nil {
		t.Fatalf("%v, stream %v", err, res.Stream)
	}
	if out := decode[echoOut](t, res); string(out.Event) != `{"x":1}` {
		t.Errorf("event %s", out.Event)
	}
}
