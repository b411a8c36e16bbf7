package oas

import (
	"math"
	"testing"
)

// TestJavaDouble checks the rendering against Java's Double.toString.
func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{
		2: "2.0", 1: "1.0", 1.5: "1.5", 3.0: "3.0", 100.25: "100.25", 0.001: "0.001",
		1e7: "1.0E7", 1.25e7: "1.25E7", 1e-4: "1.0E-4", 0: "0.0", math.Copysign(0, -1): "-0.0",
		-2: "-2.0", math.Inf(1): "Infinity", 9999999: "9999999.0",
	} {
		if got := JavaDouble(f); got != want {
			t.Errorf("JavaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

// TestDecodeDocumentDepth refuses documents nested beyond
// MaxDepth instead of recursing through them.
func TestDecodeDocumentDepth(t *testing.T) {
	deep := func(open, close string) []byte {
		b := []byte{}
		for range MaxDepth + 5 {
			b = append(b, open...)
		}
		for range MaxDepth + 5 {
			b = append(b, close...)
		}
		return b
	}
	for name, body := range map[string][]byte{"json": append([]byte(`{"a":`), deep("[", "]")...), "yaml": deep("[", "]")} {
		if name == "json" {
			body = append(body, '}')
		}
		if _, _, err := Decode(body); err == nil {
			t.Errorf("%s: a document %d deep was accepted", name, MaxDepth+5)
		}
	}
}
