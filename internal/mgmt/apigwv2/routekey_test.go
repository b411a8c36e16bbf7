package apigwv2

import (
	"testing"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/modelv2"
)

func TestParseHTTPRouteKey(t *testing.T) {
	good := []string{"$default", "GET /", "ANY /{proxy+}", "GET /pets/{id}", "POST /a/b-c/{x.y}/{rest+}", "OPTIONS /a/*"}
	for _, k := range good {
		if _, err := parseHTTPRouteKey(k); err != nil {
			t.Errorf("%q: %v", k, err)
		}
	}
	bad := []string{"", "GET", "get /pets", "FETCH /pets", "GET pets", "GET /pets/", "GET //pets", "GET /{proxy+}/x",
		"GET /pets{id}", "GET /{}", "GET /{a b}", "GET /pets?x=1", "$connect", "GET  /pets", "GET /{id"}
	for _, k := range bad {
		if _, err := parseHTTPRouteKey(k); err == nil {
			t.Errorf("%q: accepted", k)
		}
	}
}

func routes(keys ...string) []modelv2.Route {
	var out []modelv2.Route
	for _, k := range keys {
		out = append(out, modelv2.Route{RouteKey: k})
	}
	return out
}

func TestCheckRouteKeyConflicts(t *testing.T) {
	cases := []struct {
		key    string
		others []modelv2.Route
		status int // 0: accepted
	}{
		{"GET /pets/{id}", routes("GET /pets/{id}"), 409},
		{"GET /pets/{petId}", routes("GET /pets/{id}"), 409},
		{"POST /pets/{petId}/toys", routes("GET /pets/{id}"), 409},
		{"GET /pets/{id}/toys", routes("GET /pets/{id}"), 0},
		{"ANY /pets/{id}", routes("GET /pets/{id}"), 0},
		{"GET /pets/dog/{name}", routes("GET /pets/{id}"), 0},
		{"GET /toys/{name}", routes("GET /pets/{id}"), 0},
		{"GET /{proxy+}", routes("GET /{id}"), 409},
		{"GET /{id+}", routes("GET /{id}"), 0},
		{"$default", routes("$default"), 409},
		{"$default", routes("GET /{proxy+}"), 0},
	}
	for _, c := range cases {
		err := checkRouteKey(modelv2.ProtocolHTTP, c.key, c.others)
		e, _ := awserr.As(err)
		switch {
		case c.status == 0 && err != nil:
			t.Errorf("%q beside %v: %v", c.key, c.others, err)
		case c.status != 0 && (e == nil || e.Status != c.status):
			t.Errorf("%q beside %v: %v, want %d", c.key, c.others, err, c.status)
		}
	}
	err := checkRouteKey(modelv2.ProtocolHTTP, "GET /a/{x}/b", routes("GET /a/{y}/b"))
	want := `The provided route key "GET /a/{x}/b" has a conflicting variable on the same hierarchical level as "GET /a/{y}/b"`
	if e, _ := awserr.As(err); e == nil || e.Message != want {
		t.Errorf("conflict message %v, want %q", err, want)
	}
}

func TestWebSocketRouteKeys(t *testing.T) {
	for _, k := range []string{"$connect", "$disconnect", "$default", "sendMessage", "GET /pets"} {
		if err := checkRouteKey(modelv2.ProtocolWebSocket, k, nil); err != nil {
			t.Errorf("%q: %v", k, err)
		}
	}
	for _, k := range []string{"", "$other"} {
		if err := checkRouteKey(modelv2.ProtocolWebSocket, k, nil); err == nil {
			t.Errorf("%q: accepted", k)
		}
	}
}
