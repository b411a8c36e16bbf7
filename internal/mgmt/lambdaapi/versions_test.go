package lambdaapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// call sends a JSON request and decodes a JSON answer into out (unless nil),
// failing unless the status is want.
func call(t *testing.T, h http.Handler, method, path string, body any, want int, out any) response {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case nil:
	case []byte:
		b = v
	default:
		b = mustJSON(v)
	}
	res := do(h, method, path, nil, b)
	if res.Status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, res.Status, res.Body, want)
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, res.Body)
		}
	}
	return res
}

type fnConfig struct {
	FunctionArn, Version, RevisionId, Description, CodeSha256 string
}

// TestVersionsFrozen: a version keeps its code and configuration while
// $LATEST changes; Publish on create and on a code update publishes;
// numbers are not reused; deleting the function deletes its versions and
// aliases.
func TestVersionsFrozen(t *testing.T) {
	h := server(t)
	var created fnConfig
	call(t, h, "POST", fnPath, createBody("f", "echo", map[string]any{"Publish": true}), 201, &created)
	// The answer is $LATEST's, unqualified, with the version published [V].
	if created.Version != "1" || created.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:f" {
		t.Errorf("create with Publish: %+v", created)
	}
	var updated fnConfig
	call(t, h, "PUT", fnPath+"/f/code", map[string]any{"ZipFile": zips["fail"], "Publish": true}, 200, &updated)
	if updated.Version != "2" || updated.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:f:2" {
		t.Errorf("update code with Publish: %+v", updated)
	}
	call(t, h, "PUT", fnPath+"/f/configuration", map[string]any{"Description": "latest"}, 200, nil)

	invoke := func(ref string) (version, fnErr, body string) {
		res := call(t, h, "POST", fnPath+"/"+ref+"/invocations", []byte(`{"message":"m"}`), 200, nil)
		return header(res.Header, "X-Amz-Executed-Version"), header(res.Header, "X-Amz-Function-Error"), string(res.Body)
	}
	// Version 1 is still the echo program, 2 and $LATEST fail.
	for ref, want := range map[string][3]string{
		"f:1": {"1", "", `{"message":"m"}`}, "f:2": {"2", "Unhandled", ""}, "f": {"$LATEST", "Unhandled", ""},
		"arn:aws:lambda:us-east-1:000000000000:function:f:1": {"1", "", `{"message":"m"}`},
	} {
		v, fe, body := invoke(ref)
		if v != want[0] || fe != want[1] || want[2] != "" && body != want[2] {
			t.Errorf("invoke %s: version %q, error %q, %s; want %v", ref, v, fe, body, want)
		}
	}
	var v1 fnConfig
	call(t, h, "GET", fnPath+"/f/configuration?Qualifier=1", nil, 200, &v1)
	if v1.Description != "" || v1.CodeSha256 == updated.CodeSha256 {
		t.Errorf("version 1 changed with $LATEST: %+v", v1)
	}

	// Numbers are not reused: after deleting 2, the next is 3.
	call(t, h, "DELETE", fnPath+"/f?Qualifier=2", nil, 204, nil)
	var v3 fnConfig
	call(t, h, "POST", fnPath+"/f/versions", nil, 201, &v3)
	if v3.Version != "3" || v3.Description != "latest" {
		t.Errorf("publish after deleting 2: %+v", v3)
	}
	var all struct{ Functions []fnConfig }
	call(t, h, "GET", fnPath+"?FunctionVersion=ALL", nil, 200, &all)
	var arns []string
	for _, f := range all.Functions {
		arns = append(arns, strings.TrimPrefix(f.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:"))
	}
	if strings.Join(arns, " ") != "f:$LATEST f:1 f:3" {
		t.Errorf("ListFunctions FunctionVersion=ALL: %v", arns)
	}

	// Deleting the function takes its versions and aliases along.
	call(t, h, "POST", fnPath+"/f/aliases", map[string]any{"Name": "live", "FunctionVersion": "3"}, 201, nil)
	call(t, h, "DELETE", fnPath+"/f", nil, 204, nil)
	call(t, h, "POST", fnPath, createBody("f", "echo", nil), 201, nil)
	var versions struct{ Versions []fnConfig }
	call(t, h, "GET", fnPath+"/f/versions", nil, 200, &versions)
	if len(versions.Versions) != 1 {
		t.Errorf("versions after re-creating the function: %+v", versions)
	}
	call(t, h, "GET", fnPath+"/f/aliases/live", nil, 404, nil)
	call(t, h, "POST", fnPath+"/f:1/invocations", []byte(`{}`), 404, nil)
}

// TestAliasRouting: an alias runs its version, or its additional version
// with that version's weight; repointing it changes the next invocation.
func TestAliasRouting(t *testing.T) {
	h := server(t)
	call(t, h, "POST", fnPath, createBody("r", "echo", map[string]any{"Publish": true}), 201, nil)
	call(t, h, "PUT", fnPath+"/r/code", map[string]any{"ZipFile": zips["fail"], "Publish": true}, 200, nil)
	call(t, h, "POST", fnPath+"/r/aliases", map[string]any{"Name": "live", "FunctionVersion": "1"}, 201, nil)

	executed := func(n int) map[string]int {
		seen := map[string]int{}
		for range n {
			res := call(t, h, "POST", fnPath+"/r:live/invocations", []byte(`{}`), 200, nil)
			seen[header(res.Header, "X-Amz-Executed-Version")]++
		}
		return seen
	}
	if seen := executed(5); seen["1"] != 5 {
		t.Errorf("alias on 1: %v", seen)
	}
	weights := func(w float64) {
		call(t, h, "PUT", fnPath+"/r/aliases/live", map[string]any{"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]any{"2": w}}}, 200, nil)
	}
	weights(1)
	if seen := executed(5); seen["2"] != 5 {
		t.Errorf("weight 1 on 2: %v", seen)
	}
	weights(0.5)
	// 64 invocations at even odds: each version runs (a chance of 2^-63
	// of a false failure).
	if seen := executed(64); seen["1"] == 0 || seen["2"] == 0 || seen["1"]+seen["2"] != 64 {
		t.Errorf("weight 0.5 on 2: %v", seen)
	}
	// An empty map removes the routing; the alias then answers without it.
	var al map[string]any
	call(t, h, "PUT", fnPath+"/r/aliases/live", map[string]any{"FunctionVersion": "2", "RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]any{}}}, 200, &al)
	if _, ok := al["RoutingConfig"]; ok || al["FunctionVersion"] != "2" {
		t.Errorf("UpdateAlias removing the routing: %v", al)
	}
	if seen := executed(3); seen["2"] != 3 {
		t.Errorf("alias repointed to 2: %v", seen)
	}
	// $LATEST behind an alias follows $LATEST.
	call(t, h, "PUT", fnPath+"/r/aliases/live", map[string]any{"FunctionVersion": "$LATEST"}, 200, nil)
	if seen := executed(1); seen["$LATEST"] != 1 {
		t.Errorf("alias on $LATEST: %v", seen)
	}
}
