package managed_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/lambda/runtime"
)

// The expectations below are the official Node.js runtime client's
// behaviour (aws-lambda-nodejs-runtime-interface-client 3.x: UserFunction,
// CallbackContext, Errors, LogPatch) and the documents AWS records for it.

const rid = "8e6a62cc-5b2a-4c66-9e5f-2b54b0b5f0a1"

func withID(inv *runtime.Invocation) { inv.RequestID = rid }

// logLine matches one text log line of the Node.js client.
func logLine(level, msg string) *regexp.Regexp {
	return regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t` + rid + `\t` + level + `\t` + regexp.QuoteMeta(msg) + `$`)
}

func hasLine(ls []string, re *regexp.Regexp) bool {
	return slices.IndexFunc(ls, re.MatchString) >= 0
}

func TestNodeAsyncHandlerContextAndEnvironment(t *testing.T) {
	t.Parallel()
	f := newFn(t, "nodejs20.x", "index.handler", map[string]string{"index.js": `
exports.handler = async (event, context) => {
  console.log("hello", event.name);
  return {
    event,
    ctx: {
      awsRequestId: context.awsRequestId, functionName: context.functionName,
      functionVersion: context.functionVersion, memoryLimitInMB: context.memoryLimitInMB,
      invokedFunctionArn: context.invokedFunctionArn, logGroupName: context.logGroupName,
      logStreamName: context.logStreamName, remaining: context.getRemainingTimeInMillis(),
      waits: context.callbackWaitsForEmptyEventLoop, clientContext: context.clientContext,
      identity: context.identity,
    },
    env: process.env,
    cwd: process.cwd(),
  };
};`}, func(c *runtime.Config) { c.Env = map[string]string{"COLOR": "blue", "AWS_REGION": "ignored"} })
	var out struct {
		Event map[string]any
		Ctx   struct {
			AwsRequestID, FunctionName, FunctionVersion, MemoryLimitInMB, InvokedFunctionArn string
			LogGroupName, LogStreamName                                                      string
			Remaining                                                                        int
			Waits                                                                            bool
			ClientContext                                                                    map[string]any
			Identity                                                                         any
		}
		Env map[string]string
		Cwd string
	}
	res := f.invoke(`{"name":"Ada"}`, withID, func(inv *runtime.Invocation) {
		inv.InvokedARN = "arn:aws:lambda:eu-west-1:123456789012:function:fn:live"
		inv.ClientContext = `{"custom":{"k":"v"}}`
	})
	if res.FunctionError != "" {
		t.Fatalf("%s", res.Payload)
	}
	mustJSON(t, res.Payload, &out)
	c := out.Ctx
	if out.Event["name"] != "Ada" || c.AwsRequestID != rid || c.FunctionName != "fn" || c.FunctionVersion != "$LATEST" ||
		c.MemoryLimitInMB != "128" || c.InvokedFunctionArn != "arn:aws:lambda:eu-west-1:123456789012:function:fn:live" ||
		c.LogGroupName != "/aws/lambda/fn" || !regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`).MatchString(c.LogStreamName) ||
		c.Remaining <= 0 || c.Remaining > 5000 || !c.Waits || c.ClientContext["custom"] == nil || c.Identity != nil {
		t.Errorf("context = %+v", c)
	}
	for k, want := range map[string]string{
		"AWS_EXECUTION_ENV": "AWS_Lambda_nodejs20.x", "_HANDLER": "index.handler", "LAMBDA_TASK_ROOT": f.dir,
		"LAMBDA_RUNTIME_DIR": f.rt, "AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
		"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "TZ": ":UTC", "LANG": "en_US.UTF-8", "COLOR": "blue",
		"AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
	} {
		if out.Env[k] != want {
			t.Errorf("%s = %q, want %q", k, out.Env[k], want)
		}
	}
	if !strings.HasSuffix(out.Env["NODE_PATH"], ":"+f.rt+":"+f.dir) || !strings.Contains(out.Env["NODE_PATH"], "/nodejs/node20/node_modules:") {
		t.Errorf("NODE_PATH = %q", out.Env["NODE_PATH"])
	}
	if !strings.HasPrefix(out.Env["_X_AMZN_TRACE_ID"], "Root=1-") || out.Cwd != f.dir {
		t.Errorf("_X_AMZN_TRACE_ID %q, cwd %q", out.Env["_X_AMZN_TRACE_ID"], out.Cwd)
	}
	if !hasLine(lines(res), logLine("INFO", "hello Ada")) {
		t.Errorf("log tail lacks the console.log line:\n%s", res.Logs)
	}
}

func TestNodeHandlerResolution(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, handler string
		files         map[string]string
	}{
		{"commonjs", "index.handler", map[string]string{"index.js": `exports.handler = async () => "commonjs";`}},
		{"mjs", "app.handler", map[string]string{"app.mjs": `export const handler = async () => "mjs";`}},
		{"cjs", "app.handler", map[string]string{"app.cjs": `module.exports.handler = async () => "cjs";`}},
		{"js under type module", "app.handler", map[string]string{
			"package.json": `{"type":"module"}`, "app.js": `export const handler = async () => "js under type module";`}},
		{"nested directories", "src/api/index.handler", map[string]string{
			"src/api/index.js": `exports.handler = async () => "nested directories";`}},
		{"nested export", "index.routes.get", map[string]string{
			"index.js": `exports.routes = { get: async () => "nested export" };`}},
		{"package by name", "mypkg.handler", map[string]string{
			"node_modules/mypkg/package.json": `{"main":"main.js"}`,
			"node_modules/mypkg/main.js":      `exports.handler = async () => "package by name";`}},
		{"mjs importing a sibling", "src/app.handler", map[string]string{
			"src/app.mjs": `import { word } from "./lib.mjs"; export const handler = async () => word;`,
			"src/lib.mjs": `export const word = "mjs importing a sibling";`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got string
			newFn(t, "nodejs20.x", tc.handler, tc.files).ok(`{}`, &got)
			if got != tc.name {
				t.Errorf("got %q, want %q", got, tc.name)
			}
		})
	}
}

func TestNodeInitErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, handler string
		files         map[string]string
		errType       string
		message       func(f *fn) string // exact message, or
		prefix        string             // its beginning
	}{
		{name: "module missing", handler: "missing.handler", files: map[string]string{"index.js": ``},
			errType: "Runtime.ImportModuleError",
			message: func(f *fn) string {
				return "Error: Cannot find module 'missing'\nRequire stack:\n- " + f.rt + "/index.mjs"
			}},
		{name: "export missing", handler: "index.nope", files: map[string]string{"index.js": `exports.handler = () => 1;`},
			errType: "Runtime.HandlerNotFound", message: func(*fn) string { return "index.nope is undefined or not exported" }},
		{name: "not a function", handler: "index.value", files: map[string]string{"index.js": `exports.value = 42;`},
			errType: "Runtime.HandlerNotFound", message: func(*fn) string { return "index.value is not a function" }},
		{name: "no dot", handler: "index", files: map[string]string{"index.js": ``},
			errType: "Runtime.MalformedHandlerName", message: func(*fn) string { return "Bad handler" }},
		{name: "dot-dot", handler: "../index.handler", files: map[string]string{"index.js": ``},
			errType: "Runtime.MalformedHandlerName", message: func(*fn) string {
				return "'../index.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names."
			}},
		{name: "syntax error", handler: "index.handler", files: map[string]string{"index.js": `exports.handler = async () => {;`},
			errType: "Runtime.UserCodeSyntaxError", prefix: "SyntaxError: "},
		{name: "dependency missing", handler: "index.handler", files: map[string]string{"index.js": `require("left-pad");`},
			errType: "Runtime.ImportModuleError", prefix: "Error: Cannot find module 'left-pad'\nRequire stack:\n- "},
		{name: "throws at load", handler: "index.handler", files: map[string]string{"index.js": `throw new TypeError("bad config");`},
			errType: "TypeError", message: func(*fn) string { return "bad config" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFn(t, "nodejs20.x", tc.handler, tc.files)
			res, doc := f.fails(`{}`)
			if !slices.Equal(doc.keys, []string{"errorType", "errorMessage", "trace"}) {
				t.Errorf("members %v, want errorType, errorMessage, trace", doc.keys)
			}
			if doc.str("errorType") != tc.errType {
				t.Errorf("errorType %q, want %q", doc.str("errorType"), tc.errType)
			}
			msg := doc.str("errorMessage")
			if tc.message != nil && msg != tc.message(f) || tc.prefix != "" && !strings.HasPrefix(msg, tc.prefix) {
				t.Errorf("errorMessage %q", msg)
			}
			if tr := doc.strs("trace"); len(tr) == 0 || !strings.HasPrefix(tr[0], tc.errType+": ") {
				t.Errorf("trace %q", tr)
			}
			if res.InitDuration == 0 {
				t.Error("an init failure reports no init duration")
			}
			// Logged at init as the official client does, then exit 129.
			init := strings.Join(f.logs.output(""), "\n")
			if !regexp.MustCompile(`\tundefined\tERROR\tUncaught Exception \t\{"errorType":"` + regexp.QuoteMeta(tc.errType) + `","errorMessage":`).MatchString(init) {
				t.Errorf("init log lacks the Uncaught Exception line:\n%s", init)
			}
			// The next invocation initialises again, and fails the same way.
			if _, doc2 := f.fails(`{}`); doc2.str("errorType") != tc.errType {
				t.Errorf("second invocation: %v", doc2.vals)
			}
		})
	}
}

func TestNodeInvokeErrors(t *testing.T) {
	t.Parallel()
	f := newFn(t, "nodejs22.x", "index.handler", map[string]string{"index.js": `
class NotFound extends Error {}
class Teapot extends Error { constructor(m) { super(m); this.name = "Teapot"; this.status = 418; } }
exports.handler = async (event) => {
  switch (event.kind) {
    case "error": throw new Error("boom");
    case "subclass": throw new NotFound("no such pet");
    case "named": throw new Teapot("short and stout");
    case "string": throw "boom";
    case "object": throw { code: 7 };
    case "reject": return Promise.reject(new RangeError("out"));
  }
};`})
	cases := []struct{ kind, errType, message string }{
		{"error", "Error", "boom"},
		{"subclass", "Error", "no such pet"}, // errorType is err.name
		{"named", "Teapot", "short and stout"},
		{"string", "string", "boom"},
		{"object", "object", "[object Object]"},
		{"reject", "RangeError", "out"},
	}
	for _, tc := range cases {
		res, doc := f.fails(`{"kind":"` + tc.kind + `"}`)
		if !slices.Equal(doc.keys, []string{"errorType", "errorMessage", "trace"}) || doc.str("errorType") != tc.errType || doc.str("errorMessage") != tc.message {
			t.Errorf("%s: %s", tc.kind, res.Payload)
			continue
		}
		tr := doc.strs("trace")
		switch tc.kind {
		case "string", "object":
			if len(tr) != 0 {
				t.Errorf("%s: trace %q, want []", tc.kind, tr)
			}
		default:
			if len(tr) < 2 || tr[0] != tc.errType+": "+tc.message || !strings.Contains(strings.Join(tr, "\n"), f.dir+"/index.js") {
				t.Errorf("%s: trace %q", tc.kind, tr)
			}
		}
		// The log line: "Invoke Error" with a space before the tab, the
		// stack under "stack"; what is not an Error is logged as one.
		logged := tc.errType
		if tc.kind == "string" || tc.kind == "object" {
			logged = "Error"
		}
		want := regexp.MustCompile(`\t[0-9a-f-]{36}\tERROR\tInvoke Error \t\{"errorType":"` + logged + `","errorMessage":"` + regexp.QuoteMeta(tc.message) + `",`)
		if !hasLine(lines(res), want) {
			t.Errorf("%s: log tail lacks the Invoke Error line:\n%s", tc.kind, res.Logs)
		}
	}
	// The instance survives handled errors.
	if res := f.invoke(`{"kind":"none"}`); res.FunctionError != "" || string(res.Payload) != "null" || res.InitDuration != 0 {
		t.Errorf("after errors: %s %q (init %v)", res.FunctionError, res.Payload, res.InitDuration)
	}
}

func TestNodeCallbackHandlers(t *testing.T) {
	t.Parallel()
	f := newFn(t, "nodejs20.x", "index.handler", map[string]string{"index.js": `
exports.handler = function (event, context, callback) {
  switch (event.kind) {
    case "wait":
      // The result is posted once the event loop is empty: after the timer.
      setTimeout(() => console.log("timer fired"), 100);
      return callback(null, "waited");
    case "nowait":
      context.callbackWaitsForEmptyEventLoop = false;
      setTimeout(() => console.log("late timer fired"), 300);
      return callback(null, "did not wait");
    case "error": return callback(new Error("callback error"));
    case "twice": callback(null, "first"); return callback(null, "second");
    case "succeed": return context.succeed({ via: "succeed" });
    case "fail": return context.fail(new Error("via fail"));
    case "fail-empty": return context.fail();
    case "done": return context.done(null, "via done");
    case "throw": throw new Error("thrown");
    case "nothing": return;
  }
};`})
	res := f.ok(`{"kind":"wait"}`, nil)
	if string(res.Payload) != `"waited"` || !strings.Contains(string(res.Logs), "timer fired") {
		t.Errorf("wait: %s, logs %q", res.Payload, res.Logs)
	}
	res = f.ok(`{"kind":"nowait"}`, nil)
	if string(res.Payload) != `"did not wait"` || strings.Contains(string(res.Logs), "late timer fired") {
		t.Errorf("nowait: %s, logs %q", res.Payload, res.Logs)
	}
	for kind, want := range map[string]string{"twice": `"first"`, "succeed": `{"via":"succeed"}`, "done": `"via done"`, "nothing": `null`} {
		if res := f.ok(`{"kind":"`+kind+`"}`, nil); string(res.Payload) != want {
			t.Errorf("%s: %s, want %s", kind, res.Payload, want)
		}
	}
	for kind, want := range map[string][2]string{
		"error": {"Error", "callback error"}, "fail": {"Error", "via fail"}, "throw": {"Error", "thrown"},
		"fail-empty": {"string", "handled"},
	} {
		if _, doc := f.fails(`{"kind":"` + kind + `"}`); doc.str("errorType") != want[0] || doc.str("errorMessage") != want[1] {
			t.Errorf("%s: %v", kind, doc.vals)
		}
	}
	// The callback warning of the 3.x client, logged at initialisation.
	if !strings.Contains(strings.Join(f.logs.output(""), "\n"), "\tWARN\tAWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24.") {
		t.Errorf("no callback warning at init:\n%s", strings.Join(f.logs.output(""), "\n"))
	}
}

func TestNodeResultsAndUnsettledPromises(t *testing.T) {
	t.Parallel()
	f := newFn(t, "nodejs20.x", "index.handler", map[string]string{"index.mjs": `
export const handler = async (event) => {
  switch (event.kind) {
    case "undefined": return undefined;
    case "string": return "hello";
    case "number": return 42;
    case "circular": { const o = {}; o.o = o; return o; }
    case "never": return new Promise(() => {});
  }
};`})
	for kind, want := range map[string]string{"undefined": "null", "string": `"hello"`, "number": "42"} {
		if res := f.ok(`{"kind":"`+kind+`"}`, nil); string(res.Payload) != want {
			t.Errorf("%s: %s, want %s", kind, res.Payload, want)
		}
	}
	if _, doc := f.fails(`{"kind":"circular"}`); doc.str("errorType") != "Error" || doc.str("errorMessage") != "Unable to stringify response body" {
		t.Errorf("circular: %v", doc.vals)
	}
	if _, doc := f.fails(`{"kind":"never"}`); doc.str("errorType") != "Runtime.NodeJsExit" ||
		!strings.HasPrefix(doc.str("errorMessage"), "The Lambda runtime client detected an unexpected Node.js exit code.") {
		t.Errorf("never: %v", doc.vals)
	}
	// Still the same warm process.
	if res := f.ok(`{"kind":"number"}`, nil); res.InitDuration != 0 {
		t.Error("the process was replaced after handled failures")
	}
}

func TestNodeUncaughtExceptionsEndTheProcess(t *testing.T) {
	t.Parallel()
	f := newFn(t, "nodejs20.x", "index.handler", map[string]string{"index.js": `
exports.handler = async (event) => {
  if (event.kind === "uncaught") { setTimeout(() => { throw new Error("from a timer"); }, 1); return new Promise(() => {}); }
  if (event.kind === "rejection") { Promise.reject(new Error("nobody catches me")); return new Promise(() => {}); }
  return process.pid;
};`})
	var pid1, pid2, pid3 int
	f.ok(`{}`, &pid1)
	if _, doc := f.fails(`{"kind":"uncaught"}`); doc.str("errorType") != "Error" || doc.str("errorMessage") != "from a timer" {
		t.Errorf("uncaught: %v", doc.vals)
	}
	if res := f.ok(`{}`, &pid2); pid2 == pid1 || res.InitDuration == 0 {
		t.Errorf("after an uncaught exception: pid %d (was %d), init %v: want a new process", pid2, pid1, res.InitDuration)
	}
	if _, doc := f.fails(`{"kind":"rejection"}`); doc.str("errorType") != "Runtime.UnhandledPromiseRejection" || doc.str("errorMessage") != "Error: nobody catches me" {
		t.Errorf("rejection: %v", doc.vals)
	}
	if f.ok(`{}`, &pid3); pid3 == pid2 {
		t.Errorf("after an unhandled rejection: same process %d", pid3)
	}
}

func TestNodeTimeout(t *testing.T) {
	t.Parallel()
	f := newFn(t, "nodejs20.x", "index.handler", map[string]string{"index.js": `
exports.handler = async (event) => {
  if (event.sleep) await new Promise((r) => setTimeout(r, 60000));
  return "awake";
};`}, func(c *runtime.Config) { c.Timeout = time.Second })
	_, doc := f.fails(`{"sleep":true}`)
	if doc.str("errorType") != "Sandbox.Timedout" || !strings.HasSuffix(doc.str("errorMessage"), "Error: Task timed out after 1.00 seconds") {
		t.Errorf("timeout: %v", doc.vals)
	}
	if res := f.ok(`{}`, nil); string(res.Payload) != `"awake"` || res.InitDuration == 0 {
		t.Errorf("after a timeout: %s (init %v), want a cold start", res.Payload, res.InitDuration)
	}
}

func TestNodeLogging(t *testing.T) {
	t.Parallel()
	code := map[string]string{"index.js": `
console.log("loading");
exports.handler = async () => {
  console.log("%s has %d items", "cart", 3);
  console.info({ a: 1 });
  console.warn("careful");
  console.error("bad\nthing");
  console.debug("details");
  console.trace("tracing");
  console.fatal("the end");
  process.stdout.write("raw write\n");
  return null;
};`}
	f := newFn(t, "nodejs20.x", "index.handler", code)
	res := f.invoke(`{}`, withID)
	ls := lines(res)
	for _, want := range []*regexp.Regexp{
		logLine("INFO", "cart has 3 items"), logLine("INFO", "{ a: 1 }"), logLine("WARN", "careful"),
		logLine("ERROR", "bad\rthing"), logLine("DEBUG", "details"), logLine("TRACE", "tracing"), logLine("FATAL", "the end"),
		regexp.MustCompile(`^raw write$`),
	} {
		if !hasLine(ls, want) {
			t.Errorf("log tail lacks %s:\n%s", want, res.Logs)
		}
	}
	if init := f.logs.output(""); !hasLine(init, regexp.MustCompile(`\tundefined\tINFO\tloading$`)) {
		t.Errorf("init output %q", init)
	}
	// Each line is logged by Tollgate with the invocation's request id.
	if got := f.logs.output(rid); len(got) != 8 {
		t.Errorf("%d lines logged with the request id, want 8: %q", len(got), got)
	}

	// AWS_LAMBDA_LOG_LEVEL filters; AWS_LAMBDA_LOG_FORMAT=JSON structures.
	j := newFn(t, "nodejs20.x", "index.handler", code, func(c *runtime.Config) {
		c.Env = map[string]string{"AWS_LAMBDA_LOG_LEVEL": "WARN", "AWS_LAMBDA_LOG_FORMAT": "JSON"}
	})
	res = j.invoke(`{}`, withID)
	ls = lines(res)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`^\{"timestamp":"[^"]+Z","level":"WARN","requestId":"` + rid + `","message":"careful"\}$`),
		regexp.MustCompile(`^\{"timestamp":"[^"]+","level":"ERROR","requestId":"` + rid + `","message":"bad\\nthing"\}$`),
		regexp.MustCompile(`"level":"FATAL"`),
	} {
		if !hasLine(ls, want) {
			t.Errorf("JSON log tail lacks %s:\n%s", want, res.Logs)
		}
	}
	if strings.Contains(string(res.Logs), "INFO") || strings.Contains(string(res.Logs), "details") {
		t.Errorf("AWS_LAMBDA_LOG_LEVEL=WARN let lower levels through:\n%s", res.Logs)
	}
}

func TestNode24(t *testing.T) {
	t.Parallel()
	f := newFn(t, "nodejs24.x", "index.handler", map[string]string{"index.js": `exports.handler = (event, context, callback) => callback(null, 1);`})
	if _, doc := f.fails(`{}`); doc.str("errorType") != "Runtime.CallbackHandlerDeprecated" ||
		!strings.HasPrefix(doc.str("errorMessage"), "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24.") {
		t.Errorf("callback handler on nodejs24.x: %v", doc.vals)
	}
	g := newFn(t, "nodejs24.x", "index.handler", map[string]string{"index.js": `
exports.handler = (event, context) => ({ sync: true, done: typeof context.done, waits: context.callbackWaitsForEmptyEventLoop });`})
	if res := g.ok(`{}`, nil); string(res.Payload) != `{"sync":true,"done":"undefined"}` {
		t.Errorf("nodejs24.x sync handler: %s", res.Payload)
	}
}
