package mgmt_test

import (
	"fmt"
	"testing"
)

// BenchmarkCreateResource measures CreateResource in an API that already
// has many resources: the cost must not grow with the API (it reads only
// the parent and its children).
func BenchmarkCreateResource(b *testing.B) {
	h := newHarness(b, "000000000000")
	res := h.do("POST", "/restapis", `{"name":"big"}`)
	var api struct{ ID, RootResourceID string }
	mustUnmarshal(b, res.Body, &api)
	path := "/restapis/" + api.ID + "/resources/" + api.RootResourceID
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := h.do("POST", path, fmt.Sprintf(`{"pathPart":"r%d"}`, i)); r.Status != 201 {
			b.Fatalf("%d %s", r.Status, r.Body)
		}
	}
}
