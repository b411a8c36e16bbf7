package respcache

import (
	"bytes"
	"testing"

	"github.com/tollgate/tollgate/internal/secret"
)

func testBox(t testing.TB) *secret.Box {
	t.Helper()
	b, err := secret.New(bytes.Repeat([]byte{9}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// equalEntry reports whether a and b hold the same response (nil and
// empty headers or bodies are equal).
func equalEntry(a, b *Entry) bool {
	if a.Status != b.Status || len(a.Headers) != len(b.Headers) || !bytes.Equal(a.Body, b.Body) {
		return false
	}
	for i := range a.Headers {
		if a.Headers[i] != b.Headers[i] {
			return false
		}
	}
	return true
}
