package randid

import (
	"regexp"
	"testing"
)

func TestUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := UUID()
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("UUID() = %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

func BenchmarkUUID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = UUID()
	}
}
