package cli

import (
	"testing"

	"github.com/tollgate/tollgate/internal/stack"
)

// TestLocalURL maps the invoke URLs outputs show to the data plane.
func TestLocalURL(t *testing.T) {
	res := &stack.Result{RestAPIs: []stack.API{{ID: "abc123defg", Stages: []string{"Prod"}}},
		HTTPAPIs: []stack.API{{ID: "zz99yy88xx", Stages: []string{"$default", "beta"}}}}
	base := "http://127.0.0.1:8080"
	for in, want := range map[string]string{
		"https://abc123defg.execute-api.us-east-1.amazonaws.com/Prod/hello/": base + "/_aws/execute-api/abc123defg/Prod/hello/",
		"https://zz99yy88xx.execute-api.us-east-1.amazonaws.com":             base + "/_aws/execute-api/zz99yy88xx/$default/",
		"https://zz99yy88xx.execute-api.us-east-1.amazonaws.com/items":       base + "/_aws/execute-api/zz99yy88xx/$default/items",
		"https://zz99yy88xx.execute-api.us-east-1.amazonaws.com/beta/items":  base + "/_aws/execute-api/zz99yy88xx/beta/items",
		"https://other00000.execute-api.us-east-1.amazonaws.com/Prod/":       "",
		"arn:aws:lambda:us-east-1:000000000000:function:f":                   "",
	} {
		if got := localURL(res, in, base); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
