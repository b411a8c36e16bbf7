package oas

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/awserr"
)

// TestDecodeLenient: YAML and JSON read alike, unquoted numbers become
// Java's text, integer keys become strings, a repeated key keeps its last
// value with a warning naming both lines.
func TestDecodeLenient(t *testing.T) {
	yamlDoc := "openapi: 3.0.1\ninfo:\n  version: 1.0\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: x}\n" +
		"      x-amazon-apigateway-integration:\n        payloadFormatVersion: 2.0\n        timeoutInMillis: 1000\npaths:\n  /b: {}\n"
	v, warnings, err := Decode([]byte(yamlDoc))
	if err != nil {
		t.Fatal(err)
	}
	doc := v.(Obj)
	if Str(doc["openapi"]) != "3.0.1" || Str(ObjAt(doc, "info")["version"]) != "1.0" {
		t.Errorf("scalars: %v", doc)
	}
	if _, ok := ObjAt(doc, "paths")["/b"]; !ok || len(ObjAt(doc, "paths")) != 1 {
		t.Errorf("the last paths: should win: %v", doc["paths"])
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "Duplicate key 'paths' at line 4") {
		t.Errorf("warnings %q", warnings)
	}
	jsonDoc := `{"openapi":"3.0.1","paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"payloadFormatVersion":2.0,"timeoutInMillis":1000}}}}}`
	v, warnings, err = Decode([]byte(jsonDoc))
	if err != nil || len(warnings) != 0 {
		t.Fatal(err, warnings)
	}
	integ := ObjAt(ObjAt(ObjAt(ObjAt(v.(Obj), "paths"), "/a"), "get"), "x-amazon-apigateway-integration")
	if Str(integ["payloadFormatVersion"]) != "2.0" {
		t.Errorf("payloadFormatVersion: %#v", integ["payloadFormatVersion"])
	}
	if n, ok := IntOf(integ["timeoutInMillis"]); !ok || n != 1000 {
		t.Errorf("timeoutInMillis: %#v", integ["timeoutInMillis"])
	}
	if n, ok := IntOf("29000"); !ok || n != 29000 {
		t.Error("a numeric string is an integer")
	}
	if _, ok := IntOf(1.5); ok {
		t.Error("1.5 is not an integer")
	}
	if !BoolOf("TRUE") || BoolOf("yes") || !BoolOf(true) {
		t.Error("BoolOf")
	}
}

// TestBasePath follows "Set the OpenAPI basePath property": Swagger's
// basePath, an OpenAPI 3 server url's path, or a lone basePath variable;
// prepend keeps it all, split drops its first segment.
func TestBasePath(t *testing.T) {
	server := func(url string, vars Obj) Obj {
		s := Obj{"url": url}
		if vars != nil {
			s["variables"] = vars
		}
		return Obj{"openapi": "3.0.1", "servers": []any{s}}
	}
	for _, c := range []struct {
		doc  Obj
		want string
	}{
		{Obj{"swagger": "2.0", "basePath": "/a/b/c"}, "a/b/c"},
		{server("https://example.com/v1/pets/", nil), "v1/pets"},
		{server("https://example.com/{basePath}", Obj{"basePath": Obj{"default": "/example/path"}}), "example/path"},
		{server("https://example.com", Obj{"basePath": Obj{"default": "stage"}}), "stage"},
		{server("https://{host}/x/{v}", Obj{"host": Obj{"default": "h"}, "v": Obj{"default": "y"}}), "x/y"},
		{Obj{"openapi": "3.0.1"}, ""},
	} {
		if got := BasePath(c.doc); got != c.want {
			t.Errorf("BasePath(%v) = %q, want %q", c.doc, got, c.want)
		}
	}
	for _, c := range [][3]string{
		{"a/b/c", BasePathIgnore, ""}, {"a/b/c", BasePathPrepend, "/a/b/c"}, {"a/b/c", BasePathSplit, "/b/c"},
		{"a", BasePathSplit, ""}, {"", BasePathPrepend, ""},
	} {
		if got := PathPrefix(c[0], c[1]); got != c[2] {
			t.Errorf("PathPrefix(%q, %s) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
	if m, err := BasePathMode("PREPEND"); err != nil || m != BasePathPrepend {
		t.Errorf("PREPEND: %q %v", m, err)
	}
	if m, err := BasePathMode(""); err != nil || m != BasePathIgnore {
		t.Errorf("default: %q %v", m, err)
	}
	if _, err := BasePathMode("merge"); err == nil {
		t.Error("basepath=merge accepted")
	} else if e, ok := awserr.As(err); !ok || e.Code != "BadRequestException" {
		t.Errorf("basepath=merge: %v", err)
	}
}

// TestResolveVariables resolves the documented AWS variables in every
// string of a document.
func TestResolveVariables(t *testing.T) {
	doc := Obj{"a": []any{"arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:f", 1}, "b": Obj{"c": "${AWS::Region}"}}
	ResolveVariables(doc, Variables("cn-north-1", "123456789012"))
	want := Obj{"a": []any{"arn:aws-cn:lambda:cn-north-1:123456789012:function:f", 1}, "b": Obj{"c": "cn-north-1"}}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("got %v", doc)
	}
}

// layout orders "root" objects a, b first and sorts the rest; "inner"
// objects keep b before a.
type layout struct{}

func (layout) Order(kind string, _ Obj) []string {
	if kind == "root" {
		return []string{"z", "a"}
	}
	return []string{"b", "a"}
}

func (layout) Kind(kind, key string) string {
	if kind == "root" && key == "inner" {
		return "inner"
	}
	return ""
}

// TestWriters: Arrange lays members out, JSON and YAML keep the order,
// YAML double-quotes string values as AWS's exports do.
func TestWriters(t *testing.T) {
	doc := Arrange(Obj{"a": "x", "m": 1, "z": true, "inner": Obj{"a": "1.0", "b": []any{"s"}}, "tags": map[string]string{"k": "v"}}, "root", layout{})
	j, err := JSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := "{\n  \"z\": true,\n  \"a\": \"x\",\n  \"inner\": {\n    \"b\": [\n      \"s\"\n    ],\n    \"a\": \"1.0\"\n  },\n  \"m\": 1,\n  \"tags\": {\n    \"k\": \"v\"\n  }\n}"
	if string(j) != wantJSON {
		t.Errorf("JSON:\n%s\nwant\n%s", j, wantJSON)
	}
	y, err := YAML(doc)
	if err != nil {
		t.Fatal(err)
	}
	wantYAML := "z: true\na: \"x\"\ninner:\n  b:\n    - \"s\"\n  a: \"1.0\"\nm: 1\ntags:\n  k: \"v\"\n"
	if string(y) != wantYAML {
		t.Errorf("YAML:\n%s\nwant\n%s", y, wantYAML)
	}
	back, _, err := Decode(y)
	if err != nil || Str(ObjAt(back.(Obj), "inner")["a"]) != "1.0" {
		t.Errorf("YAML does not read back: %v %v", back, err)
	}
}

// TestImportAnswers pins the answers shared by both importers.
func TestImportAnswers(t *testing.T) {
	e, _ := awserr.As(WarningsFound([]string{"w1", "w2"}))
	if e.Message != "Warnings found during import:\n\tw1\n\tw2" || e.Status != 400 {
		t.Errorf("warnings: %v", e)
	}
	e, _ = awserr.As(ErrorsFound([]string{"e1"}))
	if e.Message != "Errors found during import:\n\te1" || e.Code != "BadRequestException" {
		t.Errorf("errors: %v", e)
	}
	if got := ImportedName(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))); got != "Imported on 2026-01-02T02:04:05Z" {
		t.Errorf("ImportedName: %q", got)
	}
}
