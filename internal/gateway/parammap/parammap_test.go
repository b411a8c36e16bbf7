package parammap

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// res is a Resolver over fixed values.
type res struct {
	vals           map[Source]map[string]string
	reqBody, rBody []byte
	bodyReads      int
}

func (r *res) Lookup(src Source, name string) (string, bool) {
	v, ok := r.vals[src][name]
	return v, ok
}

func (r *res) Body(src Source) []byte {
	r.bodyReads++
	if src == SrcResponseBody {
		return r.rBody
	}
	return r.reqBody
}

func newRes() *res {
	return &res{vals: map[Source]map[string]string{
		SrcRequestHeader:    {"x-user": "alice", "accept": "a,b"},
		SrcRequestQuery:     {"q": "1,2", "Page": "3"},
		SrcRequestPath:      {"": "/pets/7"},
		SrcRequestPathParam: {"id": "7", "name": "rex"},
		SrcContext:          {"requestId": "req-1", "authorizer.claims.sub": "u1"},
		SrcStageVariable:    {"env": "dev"},
		SrcResponseHeader:   {"x-backend": "b1"},
	},
		reqBody: []byte(`{"order":{"id":"o-1","items":[{"sku":"a","qty":2},{"sku":"b","qty":1}],"gift":true,"note":null},"list":[1,2]}`),
		rBody:   []byte(`{"error":{"code":"E1","detail":{"k":"v"}}}`),
	}
}

// edits records editor calls.
type edits []string

func (e *edits) SetHeader(n, v string) { *e = append(*e, "set header "+n+"="+v) }
func (e *edits) AddHeader(n, v string) { *e = append(*e, "add header "+n+"="+v) }
func (e *edits) DelHeader(n string)    { *e = append(*e, "del header "+n) }
func (e *edits) SetQuery(n, v string)  { *e = append(*e, "set query "+n+"="+v) }
func (e *edits) AddQuery(n, v string)  { *e = append(*e, "add query "+n+"="+v) }
func (e *edits) DelQuery(n string)     { *e = append(*e, "del query "+n) }
func (e *edits) SetPath(p string)      { *e = append(*e, "set path "+p) }

func TestValueEval(t *testing.T) {
	for _, tc := range []struct {
		expr string
		side Side
		want string
		ok   bool
	}{
		{"static text", ForRequest, "static text", true},
		{"''", ForRequest, "''", true},
		{"$request.header.x-user", ForRequest, "alice", true},
		{"$request.header.X-Missing", ForRequest, "", false},
		{"${request.header.accept}", ForRequest, "a,b", true},
		{"$request.querystring.q", ForRequest, "1,2", true},
		{"$request.querystring.page", ForRequest, "", false}, // case-sensitive (resolver)
		{"$request.path", ForRequest, "/pets/7", true},
		{"$request.path.id", ForRequest, "7", true},
		{"${request.path.name} ${request.path.id}", ForRequest, "rex 7", true},
		{"/v1/$request.path.id/items", ForRequest, "/v1/7/items", true},
		{"Hello $request.header.x-user.", ForRequest, "Hello alice.", true},
		{"id=$request.path.missing;", ForRequest, "id=;", true},
		{"$context.requestId", ForRequest, "req-1", true},
		{"${context.authorizer.claims.sub}", ForRequest, "u1", true},
		{"$stageVariables.env", ForRequest, "dev", true},
		{"cost: $5 and $notaref", ForRequest, "cost: $5 and $notaref", true},
		{"$request.body.order.id", ForRequest, "o-1", true},
		{"$request.body.order.items[1].sku", ForRequest, "b", true},
		{"$request.body.order.items[-1].qty", ForRequest, "1", true},
		{"${request.body['order']['gift']}", ForRequest, "true", true},
		{"$request.body.order.items[0]", ForRequest, `{"sku":"a","qty":2}`, true},
		{"$request.body.order.items[*].sku", ForRequest, `["a","b"]`, true},
		{"$request.body.list", ForRequest, "[1,2]", true},
		{"$request.body.order.note", ForRequest, "", false},
		{"$request.body.order.missing", ForRequest, "", false},
		{"$request.body.list[5]", ForRequest, "", false},
		{"$request.body", ForRequest, `{"order":{"id":"o-1","items":[{"sku":"a","qty":2},{"sku":"b","qty":1}],"gift":true,"note":null},"list":[1,2]}`, true},
		{"$response.header.x-backend", ForResponse, "b1", true},
		{"$response.body.error.code", ForResponse, "E1", true},
		{"${response.body.error.detail}", ForResponse, `{"k":"v"}`, true},
		{"$context.requestId", ForResponse, "req-1", true},
	} {
		v, err := CompileValue(tc.expr, tc.side)
		if err != nil {
			t.Errorf("CompileValue(%q): %v", tc.expr, err)
			continue
		}
		got, ok := v.Eval(newRes())
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q = %q, %v; want %q, %v", tc.expr, got, ok, tc.want, tc.ok)
		}
		if v.String() != tc.expr {
			t.Errorf("String() = %q", v.String())
		}
	}
}

func TestValueErrors(t *testing.T) {
	for _, tc := range []struct {
		expr string
		side Side
	}{
		{"$request.header.", ForRequest},
		{"$request.header.bad name", ForRequest}, // the space ends the reference: "bad" is fine, so use braces below
		{"${request.header.bad name}", ForRequest},
		{"${request.nothing}", ForRequest},
		{"${request.header.x", ForRequest},
		{"$request.unknown.x", ForRequest},
		{"$request.body..name", ForRequest},
		{"$request.body.items[?(@.qty>1)]", ForRequest},
		{"${request.body.a[}", ForRequest},
		{"${request.body.a[x]}", ForRequest},
		{"$context.bad-name", ForRequest},
		{"${context.}", ForRequest},
		{"${stageVariables.a.b}", ForRequest},
		{"$response.header.x", ForRequest},
		{"$request.header.x", ForResponse},
		{"$request.path.id", ForResponse},
	} {
		_, err := CompileValue(tc.expr, tc.side)
		if tc.expr == "$request.header.bad name" {
			if err != nil {
				t.Errorf("%q: %v (an unbraced reference ends at the space)", tc.expr, err)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
			t.Errorf("CompileValue(%q) err = %v, want a ValidationError", tc.expr, err)
			continue
		}
		if want := "Invalid mapping expression specified: " + tc.expr; ve.Detail != want {
			t.Errorf("detail %q, want %q", ve.Detail, want)
		}
	}
}

func TestRequestApply(t *testing.T) {
	m, err := CompileRequest(map[string]string{
		"append:header.x-user-copy":   "$request.header.x-user",
		"remove:header.x-user":        "''",
		"overwrite:header.x-request":  "$context.requestId",
		"append:header.x-absent":      "$request.header.nope",
		"overwrite:querystring.page":  "${request.querystring.Page}0",
		"append:querystring.order":    "$request.body.order.id",
		"remove:querystring.q":        "x",
		"overwrite:path":              "/v2/pets/$request.path.id",
		"overwrite:header.x-combined": "${stageVariables.env}-${request.path.name}",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := newRes()
	var got edits
	m.Apply(r, &got)
	want := edits{
		"del header x-user",
		"del query q",
		"set header x-combined=dev-rex",
		"set header x-request=req-1",
		"set path /v2/pets/7",
		"set query page=30",
		"add header x-user-copy=alice",
		"add query order=o-1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("edits\n got %q\nwant %q", got, want)
	}
	if r.bodyReads != 1 {
		t.Errorf("body read %d times, want once", r.bodyReads)
	}
	var none *RequestMapping
	none.Apply(r, &got) // a nil mapping does nothing
	if m, err := CompileRequest(nil); m != nil || err != nil {
		t.Errorf("CompileRequest(nil) = %v, %v", m, err)
	}
}

func TestBodyCutAt100KB(t *testing.T) {
	m, err := CompileRequest(map[string]string{"overwrite:header.x-id": "$request.body.id", "overwrite:header.x-all": "$request.body"})
	if err != nil {
		t.Fatal(err)
	}
	small := `{"id":"1","pad":"` + strings.Repeat("x", MaxBodyForPath-30) + `"}`
	large := `{"id":"1","pad":"` + strings.Repeat("x", MaxBodyForPath) + `"}`
	for _, tc := range []struct {
		body string
		want int
	}{{small, 2}, {large, 1}} {
		r := newRes()
		r.reqBody = []byte(tc.body)
		var got edits
		m.Apply(r, &got)
		if len(got) != tc.want {
			t.Errorf("body of %d bytes: %d edits, want %d (%q…)", len(tc.body), len(got), tc.want, got[0][:30])
		}
	}
}

func TestResponseApply(t *testing.T) {
	m, err := CompileResponse(map[string]map[string]string{
		"500": {"overwrite:statuscode": "403", "append:header.x-error": "$response.body.error.code",
			"remove:header.x-backend": "''"},
		"404": {"overwrite:header.x-env": "$stageVariables.env", "overwrite:statuscode": "$response.header.x-backend"},
		"201": {"overwrite:statuscode": "$response.header.x-missing"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		status, want int
		edits        edits
	}{
		{500, 403, edits{"del header x-backend", "add header x-error=E1"}},
		{404, 404, edits{"set header x-env=dev"}}, // "b1" is no status code: ignored
		{201, 201, nil},
		{200, 200, nil},
	} {
		var got edits
		if s := m.Apply(tc.status, newRes(), &got); s != tc.want {
			t.Errorf("%d: status %d, want %d", tc.status, s, tc.want)
		}
		if !reflect.DeepEqual(got, tc.edits) {
			t.Errorf("%d: edits %q, want %q", tc.status, got, tc.edits)
		}
	}
	if !m.Has(500) || m.Has(200) {
		t.Error("Has")
	}
	var none *ResponseMapping
	if none.Apply(500, newRes(), nil) != 500 || none.Has(500) {
		t.Error("nil mapping")
	}
}

// TestResponseBodyPrefix: what the mappings of each status read of the
// response body is known once compiled: nothing, the first 100 KB for
// JSONPaths, or all of it for $response.body.
func TestResponseBodyPrefix(t *testing.T) {
	m, err := CompileResponse(map[string]map[string]string{
		"200": {"overwrite:header.x-id": "$response.body.id", "append:header.x-h": "$response.header.x"},
		"201": {"overwrite:header.x-all": "${response.body} ${context.requestId}"},
		"202": {"overwrite:header.x-h": "$response.header.x", "overwrite:statuscode": "200"},
		"203": {"remove:header.x-h": "$response.body.id"}, // a remove's value is not read
		"204": {"overwrite:header.a": "$response.body.a", "overwrite:header.b": "$response.body"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for status, want := range map[int]int{200: MaxBodyForPath, 201: WholeBody, 202: 0, 203: 0, 204: WholeBody, 500: 0} {
		if got := m.BodyPrefix(status); got != want {
			t.Errorf("BodyPrefix(%d) = %d, want %d", status, got, want)
		}
	}
	if !m.ReadsBody() {
		t.Error("ReadsBody is false")
	}
	plain, _ := CompileResponse(map[string]map[string]string{"200": {"overwrite:header.x": "$response.header.y"}})
	var none *ResponseMapping
	if plain.ReadsBody() || none.ReadsBody() || none.BodyPrefix(200) != 0 {
		t.Error("mappings that read no body")
	}
}

func TestValidateRequestParameters(t *testing.T) {
	for _, tc := range []struct {
		params map[string]string
		detail string // "" = valid
	}{
		{map[string]string{"append:header.x-a": "$request.header.x-b", "overwrite:path": "$request.path",
			"remove:querystring.q": "''", "overwrite:querystring.p": "static"}, ""},
		{map[string]string{"append:header.Authorization": "x"}, "Operations on header Authorization are restricted"},
		{map[string]string{"overwrite:header.access-control-allow-origin": "*"}, "Operations on header access-control-allow-origin are restricted"},
		{map[string]string{"remove:header.X-Amz-Date": "''"}, "Operations on header X-Amz-Date are restricted"},
		{map[string]string{"append:header.x-amzn-trace-id": "x"}, "Operations on header x-amzn-trace-id are restricted"},
		{map[string]string{"append:header.apigw-requestid": "x"}, "Operations on header apigw-requestid are restricted"},
		{map[string]string{"append:header.Host": "x"}, ""},
		{map[string]string{"append:path": "x"}, "Invalid Request Actioned Parameter: append:path"},
		{map[string]string{"overwrite:statuscode": "403"}, "Invalid Request Actioned Parameter: overwrite:statuscode"},
		{map[string]string{"add:header.x": "x"}, "Invalid Request Actioned Parameter: add:header.x"},
		{map[string]string{"append:header.": "x"}, "Invalid Request Actioned Parameter: append:header."},
		{map[string]string{"append:header.a b": "x"}, "Invalid Request Actioned Parameter: append:header.a b"},
		{map[string]string{"append:body.x": "x"}, "Invalid Request Actioned Parameter: append:body.x"},
		{map[string]string{"header.x": "x"}, "Invalid Request Actioned Parameter: header.x"},
		{map[string]string{"append:header.x": ""}, "Invalid mapping expression specified: the value of append:header.x is empty"},
		{map[string]string{"append:header.x": strings.Repeat("a", 513)}, "Invalid mapping expression specified: the value of append:header.x is longer than 512 characters"},
		{map[string]string{"append:header.x": "$request.body..id"}, "Invalid mapping expression specified: $request.body..id"},
		{map[string]string{"append:header.x": "$response.header.y"}, "Invalid mapping expression specified: $response.header.y"},
	} {
		err := ValidateRequestParameters(tc.params)
		checkValidation(t, tc.params, err, tc.detail)
	}
}

func TestValidateResponseParameters(t *testing.T) {
	for _, tc := range []struct {
		params map[string]map[string]string
		detail string
	}{
		{map[string]map[string]string{"500": {"overwrite:statuscode": "403", "append:header.x": "$context.requestId"},
			"404": {"append:header.error": "$stageVariables.environmentId"}, "200": {}}, ""},
		{map[string]map[string]string{"199": {"append:header.x": "y"}}, "Invalid status code specified: 199"},
		{map[string]map[string]string{"600": {"append:header.x": "y"}}, "Invalid status code specified: 600"},
		{map[string]map[string]string{"2xx": {"append:header.x": "y"}}, "Invalid status code specified: 2xx"},
		{map[string]map[string]string{"0200": {"append:header.x": "y"}}, "Invalid status code specified: 0200"},
		{map[string]map[string]string{"200": {"append:overwrite.static": "x"}}, "Invalid Response Actioned Parameter: append:overwrite.static"},
		{map[string]map[string]string{"200": {"append:querystring.a": "x"}}, "Invalid Response Actioned Parameter: append:querystring.a"},
		{map[string]map[string]string{"200": {"append:statuscode": "404"}}, "Invalid Response Actioned Parameter: append:statuscode"},
		{map[string]map[string]string{"200": {"overwrite:statuscode": "forbidden"}}, "Invalid mapping expression specified: forbidden is not a status code"},
		{map[string]map[string]string{"200": {"overwrite:statuscode": "700"}}, "Invalid mapping expression specified: 700 is not a status code"},
		{map[string]map[string]string{"200": {"overwrite:header.Content-Length": "1"}}, "Operations on header Content-Length are restricted"},
		{map[string]map[string]string{"200": {"append:header.x": "$request.header.y"}}, "Invalid mapping expression specified: $request.header.y"},
	} {
		err := ValidateResponseParameters(tc.params)
		checkValidation(t, tc.params, err, tc.detail)
	}
}

func checkValidation(t *testing.T, params any, err error, detail string) {
	t.Helper()
	if detail == "" {
		if err != nil {
			t.Errorf("%v: %v", params, err)
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Detail != detail {
		t.Errorf("%v: err = %v, want detail %q", params, err, detail)
		return
	}
	if want := "Invalid mapping expression specified: Validation Result: warnings : [], errors : [" + detail + "]"; err.Error() != want {
		t.Errorf("message %q", err.Error())
	}
}

func TestIsReservedHeader(t *testing.T) {
	for name, want := range map[string]bool{
		"authorization": true, "CONNECTION": true, "content-encoding": true, "Content-Length": true,
		"content-location": true, "forwarded": true, "keep-alive": true, "origin": true,
		"proxy-authenticate": true, "proxy-authorization": true, "te": true, "trailers": true,
		"transfer-encoding": true, "upgrade": true, "x-forwarded-for": true, "x-forwarded-host": true,
		"x-forwarded-proto": true, "via": true, "Access-Control-Max-Age": true, "apigw-requestid": true,
		"x-amz-date": true, "X-Amzn-Trace-Id": true,
		"x-forwarded-port": false, "host": false, "content-type": false, "x-amzfoo": false, "teapot": false,
		"x-ray": false, "cookie": false,
	} {
		if got := IsReservedHeader(name); got != want {
			t.Errorf("IsReservedHeader(%q) = %v", name, got)
		}
	}
}

func FuzzCompileValue(f *testing.F) {
	for _, s := range []string{"$request.header.a", "${request.body.a[0].b} x", "/v1/$request.path.id",
		"$request.body.a[*].b", "${request.body['k']}", "$$${", "$context.a.b"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, response bool) {
		side := ForRequest
		if response {
			side = ForResponse
		}
		v, err := CompileValue(s, side)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		got, ok := v.Eval(newRes())
		if !v.single && !ok {
			t.Fatalf("mixed value %q absent", s)
		}
		if !strings.Contains(s, "$") && got != s {
			t.Fatalf("static %q evaluated to %q", s, got)
		}
	})
}

func FuzzBodyPath(f *testing.F) {
	f.Add("order.items[0].sku", []byte(`{"order":{"items":[{"sku":"a"}]}}`))
	f.Add("*", []byte(`[1,{"a":2}]`))
	f.Fuzz(func(t *testing.T, path string, body []byte) {
		v, err := CompileValue("${request.body."+path+"}", ForRequest)
		if err != nil {
			return
		}
		r := newRes()
		r.reqBody = body
		_, _ = v.Eval(r)
	})
}

type nopEditor struct{}

func (nopEditor) SetHeader(string, string) {}
func (nopEditor) AddHeader(string, string) {}
func (nopEditor) DelHeader(string)         {}
func (nopEditor) SetQuery(string, string)  {}
func (nopEditor) AddQuery(string, string)  {}
func (nopEditor) DelQuery(string)          {}
func (nopEditor) SetPath(string)           {}

func BenchmarkRequestApply(b *testing.B) {
	m, err := CompileRequest(map[string]string{
		"append:header.x-user":      "$request.header.x-user",
		"overwrite:header.x-req":    "$context.requestId",
		"remove:header.x-internal":  "''",
		"overwrite:querystring.env": "$stageVariables.env",
	})
	if err != nil {
		b.Fatal(err)
	}
	r := newRes()
	b.ReportAllocs()
	for b.Loop() {
		m.Apply(r, nopEditor{})
	}
}

func BenchmarkRequestApplyBodyPath(b *testing.B) {
	m, err := CompileRequest(map[string]string{
		"append:header.x-order": "$request.body.order.id",
		"append:header.x-sku":   "$request.body.order.items[1].sku",
		"overwrite:path":        "/v1/orders/${request.body.order.id}",
	})
	if err != nil {
		b.Fatal(err)
	}
	r := newRes()
	b.ReportAllocs()
	for b.Loop() {
		m.Apply(r, nopEditor{})
	}
}

func BenchmarkResponseApply(b *testing.B) {
	m, err := CompileResponse(map[string]map[string]string{"500": {"overwrite:statuscode": "403",
		"append:header.x-req": "$context.requestId"}})
	if err != nil {
		b.Fatal(err)
	}
	r := newRes()
	b.ReportAllocs()
	for b.Loop() {
		if m.Apply(500, r, nopEditor{}) != 403 {
			b.Fatal("status")
		}
	}
}

// TestValueRef: only a value that is exactly one plain reference names it.
func TestValueRef(t *testing.T) {
	for _, c := range []struct {
		text string
		src  Source
		name string
		ok   bool
	}{
		{"$request.header.Authorization", SrcRequestHeader, "Authorization", true},
		{"$request.querystring.token", SrcRequestQuery, "token", true},
		{"$context.requestId", SrcContext, "requestId", true},
		{"Bearer $request.header.Authorization", 0, "", false},
		{"static", 0, "", false},
		{"$request.body", 0, "", false},
		{"$request.body.name", 0, "", false},
	} {
		v, err := CompileValue(c.text, ForRequest)
		if err != nil {
			t.Fatalf("%s: %v", c.text, err)
		}
		src, name, ok := v.Ref()
		if src != c.src || name != c.name || ok != c.ok {
			t.Errorf("%s: Ref() = %v %q %v, want %v %q %v", c.text, src, name, ok, c.src, c.name, c.ok)
		}
	}
}
