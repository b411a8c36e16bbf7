// Package restjson implements the parts of AWS's REST-JSON protocol that
// every management operation shares: routing by method and path pattern,
// path and query bindings, strict JSON decoding with AWS's serialization
// errors, and JSON responses.
package restjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
)

// Request is one management call after authentication: the HTTP request and
// its fully read body.
type Request struct {
	HTTP  *http.Request
	Body  []byte
	query url.Values
}

// NewRequest wraps r and its already-read body.
func NewRequest(r *http.Request, body []byte) *Request {
	return &Request{HTTP: r, Body: body}
}

// Path returns the decoded value of a path parameter.
func (r *Request) Path(name string) string { return r.HTTP.PathValue(name) }

// Query returns a query parameter and whether it was present.
func (r *Request) Query(name string) (string, bool) {
	if r.query == nil {
		r.query = r.HTTP.URL.Query()
	}
	v, ok := r.query[name]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// QueryAll returns every value of a repeated query parameter.
func (r *Request) QueryAll(name string) []string {
	if r.query == nil {
		r.query = r.HTTP.URL.Query()
	}
	return r.query[name]
}

// Decode unmarshals the JSON body into v. An empty body decodes as {}.
// Malformed JSON and members of the wrong JSON type become AWS's
// SerializationException; unknown members are ignored, as AWS does.
func (r *Request) Decode(v any) error {
	body := bytes.TrimSpace(r.Body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return awserr.Serialization("Start of structure or map found where not expected.")
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return awserr.Serialization("class %s can not be converted to an %s", javaValueClass(te.Value), javaTypeName(te.Type))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// AWS's message for unparsable JSON quotes its parser (Jackson);
		// ours names the offset instead [U].
		return awserr.Serialization("Could not parse request body into json: %s at offset %d", se.Error(), se.Offset)
	}
	return awserr.Serialization("Could not parse request body into json: %s", err.Error())
}

// javaValueClass names the Java class AWS reports for a JSON value kind.
func javaValueClass(kind string) string {
	switch {
	case kind == "bool":
		return "java.lang.Boolean"
	case strings.HasPrefix(kind, "number"):
		return "com.amazon.coral.value.json.numbers.TruncatingBigNumber"
	case kind == "string":
		return "java.lang.String"
	case kind == "array":
		return "java.util.ArrayList"
	case kind == "object":
		return "java.util.LinkedHashMap"
	}
	return "java.lang.Object"
}

// javaTypeName names the Java type AWS reports for a Go target type.
func javaTypeName(t reflect.Type) string {
	if t == nil {
		return "Object"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "String"
	case reflect.Bool:
		return "Boolean"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return "Integer"
	case reflect.Float32, reflect.Float64:
		return "Double"
	case reflect.Map:
		return "Map"
	case reflect.Slice, reflect.Array:
		return "List"
	case reflect.Struct:
		return "Structure"
	}
	return fmt.Sprint(t.Kind())
}
