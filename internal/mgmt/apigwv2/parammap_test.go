package apigwv2

import (
	"reflect"
	"strings"
	"testing"
)

func TestRequestMapping(t *testing.T) {
	good := map[string]string{
		"append:header.x-source":     "$context.requestId",
		"overwrite:header.x-user":    "${request.path.name} ${request.path.id}",
		"remove:header.x-secret":     "''",
		"overwrite:querystring.page": "$request.querystring.p",
		"append:querystring.stage":   "$stageVariables.name",
		"overwrite:path":             "/v1/$request.path.id",
		"append:header.x-body":       "$request.body.items[0].name",
		"append:header.x-static":     "plain text, costs $5",
	}
	if err := checkRequestMapping(good); err != nil {
		t.Fatalf("good mappings: %v", err)
	}
	bad := map[string]string{
		"overwrite:header.Authorization":    "x",
		"append:header.X-Amzn-Trace-Id":     "x",
		"overwrite:header.access-control-x": "x",
		"append:header.apigw-x":             "x",
		"remove:header.Host-Ok":             "",
		"append:path":                       "x",
		"rewrite:header.a":                  "x",
		"overwrite:statuscode":              "200",
		"overwrite:querystring.":            "x",
		"append:body.a":                     "x",
		"append:header.a":                   "$response.header.b",
		"append:header.b":                   "$request.cookie.b",
		"append:header.c":                   "$nonsense.x",
		"append:header.d":                   strings.Repeat("x", 513),
	}
	for k, v := range bad {
		if err := checkRequestMapping(map[string]string{k: v}); err == nil {
			t.Errorf("%s = %q accepted", k, v)
		}
	}
}

func TestResponseMapping(t *testing.T) {
	good := map[string]map[string]string{
		"200": {"overwrite:statuscode": "204", "append:header.x-id": "$context.requestId"},
		"404": {"overwrite:statuscode": "$response.header.x-status", "remove:header.server": "''"},
	}
	if err := checkResponseMapping(good); err != nil {
		t.Fatalf("good mappings: %v", err)
	}
	bad := []map[string]map[string]string{
		{"199": {"overwrite:statuscode": "200"}},
		{"2xx": {"overwrite:statuscode": "200"}},
		{"200": {"append:statuscode": "200"}},
		{"200": {"overwrite:statuscode": "abc"}},
		{"200": {"overwrite:path": "/x"}},
		{"200": {"append:header.x": "$request.header.y"}},
		{"200": {"overwrite:header.Content-Length": "1"}},
	}
	for _, m := range bad {
		if err := checkResponseMapping(m); err == nil {
			t.Errorf("%v accepted", m)
		}
	}
}

func TestMappingRefs(t *testing.T) {
	got := mappingRefs("a $request.header.x, ${request.path.id}/$context.requestId $5 ${stageVariables.s}")
	want := []string{"request.header.x", "request.path.id", "context.requestId", "stageVariables.s"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
