package cli

import (
	"strings"
	"testing"
	"time"

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

// writeCounter counts the writes made to it.
type writeCounter struct {
	writes int
	b      strings.Builder
}

func (w *writeCounter) Write(p []byte) (int, error) { w.writes++; return w.b.Write(p) }

// TestPrintResultOneWrite: a stack's summary reaches the output in one
// write, outputs included, so that a reader that sees its first line sees
// all of it.
func TestPrintResultOneWrite(t *testing.T) {
	res := &stack.Result{Stack: "s", Created: 3,
		Functions: []stack.Function{{LogicalID: "Fn", Name: "s-Fn-1", Runtime: "provided.al2023", Code: "/fn"}},
		RestAPIs:  []stack.API{{ID: "abc123defg", Name: "api", Stages: []string{"Prod"}, Routes: []string{"GET /hello"}}},
		APIKeys:   []stack.APIKey{{LogicalID: "Key", ID: "k1", Value: "v1"}},
		Outputs:   []stack.Output{{Key: "Url", Value: "https://abc123defg.execute-api.us-east-1.amazonaws.com/Prod/"}}}
	var w writeCounter
	printResult(&w, res, []string{"http://127.0.0.1:8080"}, time.Second)
	out := w.b.String()
	if w.writes != 1 {
		t.Errorf("%d writes, want 1:\n%s", w.writes, out)
	}
	for _, want := range []string{"stack s: 3 resources created", "function Fn: s-Fn-1", "REST API abc123defg (api) stage Prod:\n",
		"  routes: GET /hello\n", "API key Key: id k1, value v1\n", "Outputs:\n  Url = https://abc123defg"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}
