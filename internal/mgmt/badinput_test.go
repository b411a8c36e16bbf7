package mgmt_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestRejectedRequestsChangeNothing checks that a request failing part-way
// (a valid patch operation followed by an invalid one, a bad member after
// good ones) leaves every document exactly as it was.
func TestRejectedRequestsChangeNothing(t *testing.T) {
	h := newHarness(t, "000000000000")
	res := h.do("POST", "/restapis", `{"name":"a","description":"before"}`)
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var api struct{ ID, RootResourceID string }
	mustUnmarshal(t, res.Body, &api)
	before := h.do("GET", "/restapis/"+api.ID, nil).Body

	cases := []struct{ method, path, body string }{
		{"PATCH", "/restapis/" + api.ID, `{"patchOperations":[{"op":"replace","path":"/description","value":"after"},{"op":"replace","path":"/nope","value":"x"}]}`},
		{"PATCH", "/restapis/" + api.ID, `{"patchOperations":[{"op":"replace","path":"/name","value":"b"},{"op":"bogus","path":"/name"}]}`},
		{"PATCH", "/restapis/" + api.ID, `{"patchOperations":[{"op":"replace","path":"/name","value":"b"},{"op":"replace","path":"/minimumCompressionSize","value":"-1"}]}`},
		{"POST", "/restapis/" + api.ID + "/resources/" + api.RootResourceID, `{"pathPart":"bad path"}`},
		{"POST", "/restapis/" + api.ID + "/resources/" + api.RootResourceID, `{"pathPart":7}`},
		{"POST", "/restapis", `{"name":"x","description":""}`},
		{"POST", "/restapis", `{"name":"x","tags":{"aws:reserved":"v"}}`},
		{"POST", "/restapis", `[1,2,3]`},
		{"PUT", "/restapis/" + api.ID + "/resources/" + api.RootResourceID + "/methods/GET", `{"authorizationType":"CUSTOM"}`},
	}
	for _, c := range cases {
		res := h.do(c.method, c.path, c.body)
		if res.Status < 400 || res.Status >= 500 || res.ErrorType == "" {
			t.Errorf("%s %s %s: want an AWS 4xx, got %d %q %s", c.method, c.path, c.body, res.Status, res.ErrorType, res.Body)
		}
	}
	if after := h.do("GET", "/restapis/"+api.ID, nil).Body; !bytes.Equal(before, after) {
		t.Errorf("API changed by rejected requests:\nbefore %s\nafter  %s", before, after)
	}
	var list struct{ Item []any }
	mustUnmarshal(t, h.do("GET", "/restapis", nil).Body, &list)
	if len(list.Item) != 1 {
		t.Errorf("rejected creates left %d APIs, want 1", len(list.Item))
	}
	var resources struct{ Item []any }
	mustUnmarshal(t, h.do("GET", "/restapis/"+api.ID+"/resources", nil).Body, &resources)
	if len(resources.Item) != 1 {
		t.Errorf("rejected resource creates left %d resources, want 1", len(resources.Item))
	}
}

// TestOversizedBody checks the body limit: a 413 with an AWS error, and no
// attempt to read the whole body.
func TestOversizedBody(t *testing.T) {
	h := newHarness(t, "000000000000")
	big := `{"name":"` + strings.Repeat("x", 11<<20) + `"}`
	res := h.do("POST", "/restapis", big)
	if res.Status != 413 || res.ErrorType != "RequestEntityTooLargeException" {
		t.Fatalf("got %d %q %s", res.Status, res.ErrorType, res.Body[:min(len(res.Body), 200)])
	}
	var list struct{ Item []any }
	mustUnmarshal(t, h.do("GET", "/restapis", nil).Body, &list)
	if len(list.Item) != 0 {
		t.Errorf("oversized create left %d APIs", len(list.Item))
	}
}

// TestPatchPathNeedsSlash: a patch path is a JSON pointer, so "name" is not
// "/name". Every Update* operation of the golden scenario is sent first
// with its paths stripped of their leading "/": each must answer with an
// AWS 4xx and change nothing; then the real operation runs, so the next
// one finds the state it expects.
func TestPatchPathNeedsSlash(t *testing.T) {
	h := newHarness(t, "000000000000")
	vars := map[string]string{}
	tried := 0
	for _, st := range goldenScenario() {
		path := substitute(st.path, vars)
		if st.method == "PATCH" {
			tried++
			body := substituteAny(roundTrip(t, st.body), vars).(map[string]any)
			for _, op := range body["patchOperations"].([]any) {
				o := op.(map[string]any)
				o["path"] = strings.TrimPrefix(o["path"].(string), "/")
			}
			readBack := path
			if st.name == "UpdateUsage" {
				readBack = strings.TrimSuffix(path, "/usage")
			}
			before := h.do("GET", readBack, nil)
			res := h.do("PATCH", path, body)
			if res.Status < 400 || res.Status >= 500 || res.ErrorType == "" {
				t.Errorf("%s with %v: want an AWS 4xx, got %d %q %s", st.name, body, res.Status, res.ErrorType, res.Body)
			}
			if after := h.do("GET", readBack, nil); before.Status != 200 || !bytes.Equal(before.Body, after.Body) {
				t.Errorf("%s: GET %s %d before, changed by the refused patch:\n%s\n%s", st.name, readBack, before.Status, before.Body, after.Body)
			}
		}
		var res response
		switch b := st.body.(type) {
		case string:
			res = h.do(st.method, path, b)
		case nil:
			res = h.do(st.method, path, nil)
		default:
			res = h.do(st.method, path, substituteAny(roundTrip(t, b), vars))
		}
		for k, p := range st.capture {
			var out any
			mustUnmarshal(t, res.Body, &out)
			v, ok := lookup(out, p)
			if !ok {
				t.Fatalf("%s: capture %s: %s", st.name, p, res.Body)
			}
			vars[k] = fmt.Sprint(v)
		}
	}
	if tried < 15 {
		t.Errorf("only %d Update operations tried", tried)
	}
}
