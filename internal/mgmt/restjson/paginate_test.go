package restjson

import (
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"
)

func page(t *testing.T, items []string, query string) List[string] {
	t.Helper()
	r := NewRequest(httptest.NewRequest("GET", "/x?"+query, nil), nil)
	out, err := Paginate(r, items, func(s string) string { return s })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPaginateSurvivesDeletions: a client that deletes what it has listed
// before asking for the next page (the usual clean-up loop) still gets
// every remaining item, once.
func TestPaginateSurvivesDeletions(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e", "f", "g"}

	// The last item served is deleted.
	p1 := page(t, items, "limit=3")
	rest := slices.DeleteFunc(slices.Clone(items), func(s string) bool { return s == "c" })
	if got := page(t, rest, "limit=3&position="+p1.Position).Item; !reflect.DeepEqual(got, []string{"d", "e", "f"}) {
		t.Errorf("after deleting the boundary item: %v", got)
	}

	// The whole page served is deleted.
	rest = items[3:]
	if got := page(t, rest, "limit=3&position="+p1.Position).Item; !reflect.DeepEqual(got, []string{"d", "e", "f"}) {
		t.Errorf("after deleting the whole page: %v", got)
	}

	// An item inserted after the boundary is not skipped.
	grown := []string{"a", "b", "c", "c2", "d", "e", "f", "g"}
	if got := page(t, grown, "limit=3&position="+p1.Position).Item; !reflect.DeepEqual(got, []string{"c2", "d", "e"}) {
		t.Errorf("after an insertion: %v", got)
	}
}
