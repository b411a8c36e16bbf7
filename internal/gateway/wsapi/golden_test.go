package wsapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/modelv2"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// varying are the members whose values change from run to run (ids,
// times, the listener's port, the client's key): the golden files hold a
// placeholder.
var varying = map[string]bool{"connectionId": true, "requestId": true, "extendedRequestId": true, "messageId": true,
	"connectedAt": true, "requestTimeEpoch": true, "requestTime": true, "domainName": true, "integrationLatency": true,
	"Host": true, "Sec-WebSocket-Key": true, "Sec-Websocket-Key": true, "X-Amzn-Trace-Id": true}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if varying[k] {
				if l, ok := c.([]any); ok {
					for i := range l {
						l[i] = "<" + k + ">"
					}
					continue
				}
				x[k] = "<" + k + ">"
				continue
			}
			x[k] = normalize(c)
		}
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	}
	return v
}

// golden compares v (normalized) with testdata/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(normalize(v))
	got := buf.Bytes()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run Golden -update writes it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

// TestGoldenEvents pins the Lambda events of a connection's life: the
// $connect authorizer's event, CONNECT (with the client's headers and
// query), MESSAGE and DISCONNECT with the authorizer's context [D][G].
func TestGoldenEvents(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	snap := snapshot(map[string]string{"$connect": "connect", "$disconnect": "disconnect", "$default": "default"},
		lambdaIntegration("connect"), lambdaIntegration("disconnect"), lambdaIntegration("default"))
	snap.Authorizers = []modelv2.Authorizer{{AuthorizerID: "auth01", Name: "a", AuthorizerType: modelv2.AuthorizerRequest,
		AuthorizerURI:  modelv2.Ptr("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"),
		IdentitySource: []string{"route.request.header.Auth"}}}
	for i := range snap.Routes {
		if snap.Routes[i].RouteKey == "$connect" {
			snap.Routes[i].AuthorizationType, snap.Routes[i].AuthorizerID = modelv2.AuthCustom, modelv2.Ptr("auth01")
		}
	}
	g.deploy(t, snap, &modelv2.Stage{StageName: stageName, StageVariables: map[string]string{"env": "test"}})
	fl.on("auth", func(map[string]any) (any, string) {
		return policyAnswer("Allow", map[string]any{"team": "blue", "level": 3}), ""
	})
	c, _, err := g.dial(t, g.url()+"?room=blue&room=green&x=1", &websocket.DialOptions{HTTPHeader: map[string][]string{
		"Auth": {"token-1"}, "User-Agent": {"golden/1"}}})
	if err != nil {
		t.Fatal(err)
	}
	strip := func(ev map[string]any) map[string]any { delete(ev, "_function"); return ev }
	golden(t, "authorizer-event.json", strip(fl.next(t, "auth")))
	golden(t, "event-connect.json", strip(fl.next(t, "connect")))
	write(t, c, `{"action":"hello","n":1}`)
	golden(t, "event-message.json", strip(fl.next(t, "default")))
	c.Close(websocket.StatusGoingAway, "")
	golden(t, "event-disconnect.json", strip(fl.next(t, "disconnect")))
}

// TestGoldenEventsMatchAWSCaptures: the MESSAGE and DISCONNECT events have
// exactly the members of AWS's captured events in aws-lambda-go's test
// data, besides those only some connections have (an authorizer, stage
// variables) [G].
func TestGoldenEventsMatchAWSCaptures(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Fatalf("locating aws-lambda-go in the module cache: %v", err)
	}
	data := map[string]bool{"headers": true, "multiValueHeaders": true, "requestContext.authorizer": true, "stageVariables": true}
	optional := map[string]bool{"requestContext.authorizer": true, "stageVariables": true}
	for _, c := range []struct{ golden, capture string }{
		{"event-message.json", "apigw-websocket-request-send-message.json"},
		{"event-disconnect.json", "apigw-websocket-request-disconnect.json"},
	} {
		var ours, theirs map[string]any
		b, err := os.ReadFile(filepath.Join("testdata", c.golden))
		if err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(b, &ours)
		b, err = os.ReadFile(filepath.Join(dir, "events", "testdata", c.capture))
		if err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(b, &theirs)
		got, want := map[string]bool{}, map[string]bool{}
		paths(ours, "", data, got)
		paths(theirs, "", data, want)
		var missing, extra []string
		for p := range want {
			if !got[p] && !optional[p] {
				missing = append(missing, p)
			}
		}
		for p := range got {
			if !want[p] && !optional[p] {
				extra = append(extra, p)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing)+len(extra) > 0 {
			t.Errorf("%s vs %s: missing %v, extra %v", c.golden, c.capture, missing, extra)
		}
	}
}

// paths lists every object member path of v; data maps are not
// descended into.
func paths(v any, prefix string, data map[string]bool, out map[string]bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, c := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		out[p] = true
		if !data[p] {
			paths(c, p, data, out)
		}
	}
}
