package rest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/vtl"
)

// fakeReq and fakeResp are minimal Request and Response implementations
// (gatewaytest imports this package).
type fakeReq struct {
	headers [][2]string
	body    []byte
}

func (r *fakeReq) Method() string   { return "POST" }
func (r *fakeReq) Host() string     { return "api.example.com" }
func (r *fakeReq) Path() string     { return "/prod/orders" }
func (r *fakeReq) RawQuery() string { return "q=cats&q=dogs&limit=5" }
func (r *fakeReq) Header(name string) string {
	for _, h := range r.headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}
func (r *fakeReq) VisitHeaders(fn func(name, value []byte)) {
	for _, h := range r.headers {
		fn([]byte(h[0]), []byte(h[1]))
	}
}
func (r *fakeReq) RemoteAddr() netip.AddrPort { return netip.MustParseAddrPort("203.0.113.7:50000") }
func (r *fakeReq) ContentLength() int64       { return int64(len(r.body)) }
func (r *fakeReq) Body() io.Reader            { return bytes.NewReader(r.body) }
func (r *fakeReq) Protocol() string           { return "HTTP/1.1" }
func (r *fakeReq) TLS() bool                  { return false }

type fakeResp struct {
	Code    int
	Headers http.Header
	BodyBuf []byte
}

func (w *fakeResp) SetStatus(code int)                  { w.Code = code }
func (w *fakeResp) Status() int                         { return w.Code }
func (w *fakeResp) SetHeader(n, v string)               { w.Headers.Set(n, v) }
func (w *fakeResp) AddHeader(n, v string)               { w.Headers.Add(n, v) }
func (w *fakeResp) DelHeader(n string)                  { w.Headers.Del(n) }
func (w *fakeResp) SetBody(b []byte)                    { w.BodyBuf = append([]byte(nil), b...) }
func (w *fakeResp) SetBodyStream(r io.Reader, size int) {}
func (w *fakeResp) BodySize() int                       { return len(w.BodyBuf) }

func testExchange(body string, headers ...string) (*Exchange, *fakeResp) {
	req := &fakeReq{body: []byte(body)}
	for i := 0; i+1 < len(headers); i += 2 {
		req.headers = append(req.headers, [2]string{headers[i], headers[i+1]})
	}
	resp := &fakeResp{Code: 200, Headers: http.Header{}}
	x := &Exchange{Exchange: pipeline.Exchange{Ctx: context.Background(), Req: req, Resp: resp, RequestID: "req-1", ExtendedID: "ext-1",
		Address: pipeline.Address{APIID: "abc123", StageName: "prod", StagePath: "/orders", DomainName: "api.example.com"},
		Start:   time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
		Stage:   &pipeline.StageInfo{Variables: map[string]string{"env": "production", "my-var": "dash"}}}}
	x.Auth = pipeline.Authorization{Authorized: true, PrincipalID: "user-9",
		Context: map[string]string{"tier": "gold"}, Claims: map[string]string{"sub": "s-1", "cognito:username": "ann"}}
	return x, resp
}

func renderString(t *testing.T, x *Exchange, src, body string) string {
	t.Helper()
	mt, err := CompileMappingTemplate(src)
	if err != nil {
		t.Fatal(err)
	}
	out, err := mt.Render(x, []byte(body))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return string(out)
}

func TestMappingTemplateContext(t *testing.T) {
	x, _ := testExchange(`{"a":1}`, "User-Agent", "curl/8", "X-Trace", "t-1")
	for _, c := range []struct{ src, want string }{
		{`$context.requestId $context.extendedRequestId $context.stage $context.apiId`, `req-1 ext-1 prod abc123`},
		{`$context.httpMethod $context.path $context.domainName $context.domainPrefix`, `POST /prod/orders api.example.com api`},
		{`$context.identity.sourceIp|$context.identity.userAgent`, `203.0.113.7|curl/8`},
		{`$context.requestTimeEpoch`, `1714979289000`},
		{`$context.requestTime`, `06/May/2024:07:08:09 +0000`},
		{`$context.authorizer.principalId $context.authorizer.tier`, `user-9 gold`},
		{`$context.authorizer.claims.sub $context.authorizer.claims['cognito:username']`, `s-1 ann`},
		{`$context.authorizer.missing`, `$context.authorizer.missing`},
		{`$context.identity.caller`, `$context.identity.caller`}, // null: rendered literally (Velocity)
		{`[$!context.identity.caller]`, `[]`},
		{`$context.notAThing`, `$context.notAThing`},
		{`$context.get('stage') $context['apiId']`, `prod abc123`},
		{`$stageVariables.env $stageVariables['my-var'] ${stageVariables.env}`, `production dash production`},
		{`$stageVariables.nope`, `$stageVariables.nope`},
		{`$input.params('limit') $input.params('q') $input.params('X-Trace')`, `5 dogs t-1`},
		{`$input.params().querystring`, `{limit=5, q=dogs}`},
		{`$input.params().header.get('X-Trace')`, `t-1`},
		{`$input.json('$.a')`, `1`},
		{`#if($context.error.responseType)err#{else}ok#end`, `ok`},
	} {
		if got := renderString(t, x, c.src, `{"a":1}`); got != c.want {
			t.Errorf("%s: got %q, want %q", c.src, got, c.want)
		}
	}
}

func TestMappingTemplateOverrides(t *testing.T) {
	x, resp := testExchange("")
	src := `#set($context.requestOverride.header.X-Up = "v1")` +
		`#set($context.requestOverride.querystring.page = 2)` +
		`#set($context.requestOverride.path.id = "a b")` +
		`#set($context.responseOverride.status = 418)` +
		`#set($context.responseOverride.header.X-Out = "o")` +
		`$context.requestOverride.header.X-Up`
	if got := renderString(t, x, src, ""); got != "v1" {
		t.Fatalf("override read back: %q", got)
	}
	got := map[string]string{}
	for _, kind := range []string{"header", "querystring", "path"} {
		x.RequestOverrides(kind, func(k, v string) { got[kind+"."+k] = v })
	}
	if got["header.X-Up"] != "v1" || got["querystring.page"] != "2" || got["path.id"] != "a b" || len(got) != 3 {
		t.Errorf("request overrides: %v", got)
	}
	x.ApplyResponseOverrides()
	if resp.Code != 418 || resp.Headers.Get("X-Out") != "o" {
		t.Errorf("response overrides: %d %v", resp.Code, resp.Headers)
	}
	// A status outside 100–599 is ignored.
	y, resp2 := testExchange("")
	renderString(t, y, `#set($context.responseOverride.status = 99)`, "")
	y.ApplyResponseOverrides()
	if resp2.Code != 200 {
		t.Errorf("status 99 applied: %d", resp2.Code)
	}
}

func TestMappingTemplateErrors(t *testing.T) {
	x, _ := testExchange("")
	// A syntax error compiles into a template whose renders fail.
	mt, err := CompileMappingTemplate(`#if($x) unterminated`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mt.Render(x, nil); !errors.Is(err, ErrTemplate) {
		t.Errorf("broken template: %v", err)
	}
	// Runtime failures: a method error, an exceeded limit.
	for _, src := range []string{`$util.parseJson("{")`, `#foreach($i in [1..2000])#end`, `$input.path('no-dollar')`} {
		mt, _ := CompileMappingTemplate(src)
		if _, err := mt.Render(x, nil); !errors.Is(err, ErrTemplate) {
			t.Errorf("%s: want ErrTemplate, got %v", src, err)
		}
	}
}

func TestGatewayResponseTemplatesUseVTL(t *testing.T) {
	x, resp := testExchange("")
	x.ErrorType, x.ErrorMessage = pipeline.Default4XX, "Boom \"quoted\""
	gr := CompileGatewayResponses(nil)
	gr.write(x, pipeline.Default4XX, 0)
	if string(resp.BodyBuf) != `{"message":"Boom \"quoted\""}` {
		t.Errorf("default template: %s", resp.BodyBuf)
	}
	src := `#if($context.error.message.contains("Boom"))big#end $context.error.responseType`
	ct := ctTemplate{contentType: "application/json", t: pipeline.ParseTemplate(src), v: vtl.MustParse("t", src)}
	if got := string(ct.render(x)); got != "big DEFAULT_4XX" {
		t.Errorf("VTL gateway response: %q", got)
	}
	broken := ctTemplate{t: pipeline.ParseTemplate(`#end $context.stage`)}
	if got := string(broken.render(x)); got != "#end prod" {
		t.Errorf("fallback: %q", got)
	}
}

// BenchmarkMappingTemplate renders a typical 30-line request template with
// $input.path, $input.params, $util and $context through the gateway's
// template variables.
func BenchmarkMappingTemplate(b *testing.B) {
	mt, err := CompileMappingTemplate(benchTemplate)
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"name":"Ann O'Neil","age":42,"price":19.99,"addr":{"city":"Oslo","zip":"0150"},"tags":["a","b","c"],"items":[{"sku":"x1","qty":2},{"sku":"y2","qty":1}]}`)
	x, _ := testExchange(string(body), "User-Agent", "bench/1", "X-Trace", "t-1")
	out, err := mt.Render(x, body)
	if err != nil {
		b.Fatal(err)
	}
	if strings.Contains(string(out), "$") {
		b.Fatalf("unresolved reference in output:\n%s", out)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mt.Render(x, body); err != nil {
			b.Fatal(err)
		}
	}
}

const benchTemplate = `## Transform the incoming order for the backend
#set($root = $input.path('$'))
{
  "orderId": "$input.params('limit')",
  "query": "$util.escapeJavaScript($input.params('q'))",
  "customer": {
    "name": "$util.escapeJavaScript($input.path('$.name'))",
    "age": $input.path('$.age'),
    "city": "$input.path('$.addr.city')",
    "zip": "$root.addr.zip"
  },
  "price": $input.path('$.price'),
  #if($root.age >= 18)
  "adult": true,
  #else
  "adult": false,
  #end
  "tags": $input.json('$.tags'),
  "items": [
  #foreach($it in $input.path('$.items'))
    {"sku": "$it.sku", "qty": $it.qty}#if($foreach.hasNext),#end
  #end
  ],
  "stage": "$context.stage",
  "requestId": "$context.requestId",
  "sourceIp": "$context.identity.sourceIp",
  "principal": "$context.authorizer.principalId",
  "env": "$stageVariables.env",
  "trace": "$input.params().header.get('X-Trace')"
}
`
