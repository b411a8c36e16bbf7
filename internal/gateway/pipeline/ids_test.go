package pipeline

import (
	"encoding/base64"
	"regexp"
	"testing"
)

// TestNewRequestIDs: a version 4 UUID and a 16-character base64 extended
// id, fresh every time, both usable on their own.
func TestNewRequestIDs(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id, ext := NewRequestIDs()
		if !uuid.MatchString(id) {
			t.Fatalf("request id %q", id)
		}
		if b, err := base64.StdEncoding.DecodeString(ext); err != nil || len(ext) != 16 || ext[15] != '=' || len(b) != 11 {
			t.Fatalf("extended id %q: %v", ext, err)
		}
		if seen[id] || seen[ext] {
			t.Fatalf("repeated id %q %q", id, ext)
		}
		seen[id], seen[ext] = true, true
	}
}

// TestNewExtendedID: the extended id alone has the same shape, fresh
// every time.
func TestNewExtendedID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		ext := NewExtendedID()
		if b, err := base64.StdEncoding.DecodeString(ext); err != nil || len(ext) != 16 || ext[15] != '=' || len(b) != 11 {
			t.Fatalf("extended id %q: %v", ext, err)
		}
		if seen[ext] {
			t.Fatalf("repeated id %q", ext)
		}
		seen[ext] = true
	}
}

// BenchmarkNewRequestIDs: both ids cost one allocation.
func BenchmarkNewRequestIDs(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewRequestIDs()
	}
}
