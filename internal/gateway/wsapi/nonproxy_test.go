package wsapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// TestNonProxyIntegrations: HTTP and AWS (Lambda) integrations send the
// request template's rendering and answer two-way routes through their
// integration responses: by status code for HTTP, by the function's
// error message for Lambda [D].
func TestNonProxyIntegrations(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), "missing") {
			w.WriteHeader(404)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"got":` + string(b) + `}`))
	}))
	defer backend.Close()
	fl := newFakeLambda()
	fl.on("calc", func(ev map[string]any) (any, string) {
		a, okA := ev["a"].(float64)
		b, okB := ev["b"].(float64)
		if !okA || !okB {
			return nil, "Invalid input: a and b are numbers"
		}
		return map[string]any{"sum": a + b}, ""
	})
	g := startGateway(t, fl, wsapi.HubConfig{})
	snap := snapshot(map[string]string{"echo": "http", "add": "aws"},
		modelv2.Integration{IntegrationID: "http", IntegrationType: modelv2.IntegrationHTTP, IntegrationMethod: modelv2.Ptr("POST"),
			IntegrationURI:   modelv2.Ptr(backend.URL + "/echo"),
			RequestTemplates: map[string]string{"$default": `{"text":$input.json('$.text'),"route":"$context.routeKey"}`}},
		modelv2.Integration{IntegrationID: "aws", IntegrationType: modelv2.IntegrationAWS, IntegrationMethod: modelv2.Ptr("POST"),
			IntegrationURI: modelv2.Ptr("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:calc/invocations")})
	twoWay(snap, "echo")
	twoWay(snap, "add")
	snap.IntegrationResponses = map[string][]modelv2.IntegrationResponse{
		"http": {
			{IntegrationResponseID: "h1", IntegrationResponseKey: "$default", ResponseTemplates: map[string]string{"$default": `{"echoed":$input.json('$.got.text'),"via":"$input.path('$.got.route')"}`}},
			{IntegrationResponseID: "h2", IntegrationResponseKey: `/4\d\d/`, ResponseTemplates: map[string]string{"$default": `not found`}},
		},
		"aws": {
			{IntegrationResponseID: "a1", IntegrationResponseKey: "$default", ResponseTemplates: map[string]string{"$default": `{"sum":$input.json('$.sum')}`}},
			{IntegrationResponseID: "a2", IntegrationResponseKey: `/Invalid.*/`, ResponseTemplates: map[string]string{"$default": `{"error":"$input.path('$.errorMessage')"}`}},
		},
	}
	g.deploy(t, snap, nil)
	c := g.mustDial(t)
	for msg, want := range map[string]string{
		`{"action":"echo","text":"hi"}`:      `{"echoed":"hi","via":"echo"}`,
		`{"action":"echo","text":"missing"}`: `not found`,
		`{"action":"add","a":2,"b":3}`:       `{"sum":5}`,
		`{"action":"add","a":2}`:             `{"error":"Invalid input: a and b are numbers"}`,
	} {
		write(t, c, msg)
		got := read(t, c)
		var g, w any
		if json.Unmarshal([]byte(got), &g) == nil && json.Unmarshal([]byte(want), &w) == nil {
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(w)
			got, want = string(gb), string(wb)
		}
		if got != want {
			t.Errorf("%s: answered %s, want %s", msg, got, want)
		}
	}
}
