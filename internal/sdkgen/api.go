// Package sdkgen generates client SDKs for a deployed REST API (GetSdk):
// AWS's JavaScript SDK layout (`javascript`), and Tollgate's own typed
// `typescript` and `go` clients. Generation is pure: a deployment snapshot
// in, zip entries out, from templates embedded in the binary.
package sdkgen

import (
	"regexp"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/model"
)

// API is what the generators need of a deployed API.
type API struct {
	ID, Name, Stage string
	// InvokeURL is the stage's base URL baked into the SDK (no trailing
	// slash).
	InvokeURL string
	Region    string
	// Operations are in AWS's JavaScript order (operations).
	Operations []Operation
	// Models are the API's models by name, sorted.
	Models []Model
}

// Operation is one method of one resource.
type Operation struct {
	// Name is the method's name in AWS's JavaScript SDK (§2.4 of the
	// reference: rootGet, petsPetIdGet), made unique by suffixes.
	Name string
	// OperationName is the method's operationName when it is a valid
	// identifier ("" otherwise); the typed SDKs prefer it.
	OperationName string
	Verb, Path    string
	// Any marks an ANY method (no function in the JavaScript SDK).
	Any                                   bool
	PathParams, QueryParams, HeaderParams []Param
	// RequestModel and ResponseModel name the JSON models of the body
	// and of the 2xx response ("" when none).
	RequestModel, ResponseModel string
	IAM, APIKey                 bool
}

// Param is a declared request parameter.
type Param struct {
	Name     string
	Required bool
}

// Model is a named JSON Schema.
type Model struct {
	Name   string
	Schema *Schema
}

// verbOrder is swagger-codegen's order of a resource's operations, which
// AWS's JavaScript SDKs follow [C]; ANY comes last.
var verbOrder = map[string]int{"GET": 0, "PUT": 1, "POST": 2, "DELETE": 3, "OPTIONS": 4, "HEAD": 5, "PATCH": 6, "ANY": 7}

// FromSnapshot extracts the operations and models of a deployment.
func FromSnapshot(snap *model.Snapshot, stage, invokeURL, region string) *API {
	a := &API{ID: snap.API.ID, Name: commentSafe(snap.API.Name), Stage: stage, InvokeURL: invokeURL, Region: region}
	res := append([]model.Resource(nil), snap.Resources...)
	sort.Slice(res, func(i, j int) bool { return res[i].Path < res[j].Path })
	used := map[string]int{}
	for _, r := range res {
		verbs := make([]string, 0, len(r.ResourceMethods))
		for v := range r.ResourceMethods {
			verbs = append(verbs, v)
		}
		sort.Slice(verbs, func(i, j int) bool { return verbOrder[verbs[i]] < verbOrder[verbs[j]] })
		for _, v := range verbs {
			m := r.ResourceMethods[v]
			op := Operation{Verb: v, Path: r.Path, Any: v == "ANY", IAM: m.AuthorizationType == "AWS_IAM", APIKey: m.ApiKeyRequired}
			op.Name = uniqueName(used, MethodName(r.Path, v))
			if on := model.Deref(m.OperationName); identRE.MatchString(on) {
				op.OperationName = on
			}
			for _, k := range sortedKeys(m.RequestParameters) {
				loc, name, ok := strings.Cut(strings.TrimPrefix(k, "method.request."), ".")
				if !ok || name == "" {
					continue
				}
				p := Param{Name: name, Required: m.RequestParameters[k]}
				switch loc {
				case "path":
					p.Required = true
					op.PathParams = append(op.PathParams, p)
				case "querystring":
					op.QueryParams = append(op.QueryParams, p)
				case "header":
					op.HeaderParams = append(op.HeaderParams, p)
				}
			}
			// Path parameters the path has but the method does not declare.
			for _, name := range pathVars(r.Path) {
				if !hasParam(op.PathParams, name) {
					op.PathParams = append(op.PathParams, Param{Name: name, Required: true})
				}
			}
			op.RequestModel = jsonModel(m.RequestModels)
			for _, code := range sortedKeys(m.MethodResponses) {
				if mr := m.MethodResponses[code]; mr != nil && strings.HasPrefix(code, "2") && op.ResponseModel == "" {
					op.ResponseModel = jsonModel(mr.ResponseModels)
				}
			}
			a.Operations = append(a.Operations, op)
		}
	}
	for _, m := range snap.Models {
		a.Models = append(a.Models, Model{Name: m.Name, Schema: ParseSchema(model.Deref(m.Schema))})
	}
	sort.Slice(a.Models, func(i, j int) bool { return a.Models[i].Name < a.Models[j].Name })
	// A model named only by methods but absent is left out of both.
	known := map[string]bool{}
	for _, m := range a.Models {
		known[m.Name] = true
	}
	for i := range a.Operations {
		op := &a.Operations[i]
		if !known[op.RequestModel] {
			op.RequestModel = ""
		}
		if !known[op.ResponseModel] {
			op.ResponseModel = ""
		}
	}
	return a
}

// commentSafe makes a name safe in generated comments: control
// characters (a newline would end a // comment) become spaces and "*/"
// (which ends a /* */ comment) is broken.
func commentSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.ReplaceAll(s, "*/", "* /")
}

// jsonModel is the model of application/json, "" for Empty or none.
func jsonModel(models map[string]string) string {
	n := models["application/json"]
	if n == "Empty" || n == "Error" {
		return ""
	}
	return n
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// MethodName is AWS's JavaScript SDK name of a method (reference §2.4):
// the path's segments in camel case, braces and a greedy '+' dropped,
// split on characters outside [A-Za-z0-9], then the verb ("rootGet" for
// the root).
func MethodName(path, verb string) string {
	var words []string
	for _, seg := range strings.Split(path, "/") {
		seg = strings.TrimSuffix(strings.Trim(seg, "{}"), "+")
		seg = strings.Trim(seg, "{}")
		for _, w := range nonAlnum.Split(seg, -1) {
			if w != "" {
				words = append(words, w)
			}
		}
	}
	if len(words) == 0 {
		words = []string{"root"}
	}
	var b strings.Builder
	for i, w := range words {
		if i == 0 {
			b.WriteString(strings.ToLower(w[:1]) + w[1:])
		} else {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	v := strings.ToLower(verb)
	b.WriteString(strings.ToUpper(v[:1]) + v[1:])
	return b.String()
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]+`)

// uniqueName suffixes a name already used with 2, 3, … [T].
func uniqueName(used map[string]int, name string) string {
	used[name]++
	if n := used[name]; n > 1 {
		return name + itoa(n)
	}
	return name
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// pathVars are the variables of a resource path ("proxy" for {proxy+}).
func pathVars(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(seg[1:len(seg)-1], "+"))
		}
	}
	return out
}

func hasParam(ps []Param, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Slug is the API's name lower-cased, runs of other characters than
// [a-z0-9] made "-" ("Bars Shop" → "bars-shop"); "api" when nothing is
// left.
func Slug(name string) string {
	s := strings.Trim(slugRE.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		return "api"
	}
	return s
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)
