package managed_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/lambda/runtime"
)

// The expectations below are the official Python runtime client's behaviour
// (aws-lambda-python-runtime-interface-client: bootstrap.py,
// lambda_context.py, lambda_runtime_marshaller.py) and the documents AWS
// records for it.

// pyLogLine matches one line of the Python client's root logger.
func pyLogLine(level, msg string) *regexp.Regexp {
	return regexp.MustCompile(`^\[` + level + `\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t` + rid + `\t` + regexp.QuoteMeta(msg) + `$`)
}

func TestPythonHandlerContextAndEnvironment(t *testing.T) {
	t.Parallel()
	f := newFn(t, "python3.12", "app.handler", map[string]string{"app.py": `
import os, sys

def handler(event, context):
    print("hello", event["name"])
    return {
        "event": event,
        "ctx": {
            "aws_request_id": context.aws_request_id, "function_name": context.function_name,
            "function_version": context.function_version, "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn, "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name, "remaining": context.get_remaining_time_in_millis(),
            "custom": context.client_context.custom, "identity_id": context.identity.cognito_identity_id,
        },
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "path0": sys.path[0],
    }
`}, func(c *runtime.Config) { c.Env = map[string]string{"COLOR": "blue"} })
	res := f.invoke(`{"name":"Ada"}`, withID, func(inv *runtime.Invocation) {
		inv.InvokedARN = "arn:aws:lambda:eu-west-1:123456789012:function:fn:3"
		inv.ClientContext = `{"custom":{"k":"v"}}`
	})
	if res.FunctionError != "" {
		t.Fatalf("%s", res.Payload)
	}
	var out struct {
		Event map[string]any
		Ctx   struct {
			AwsRequestID       string `json:"aws_request_id"`
			FunctionName       string `json:"function_name"`
			FunctionVersion    string `json:"function_version"`
			MemoryLimitInMB    string `json:"memory_limit_in_mb"`
			InvokedFunctionArn string `json:"invoked_function_arn"`
			LogGroupName       string `json:"log_group_name"`
			LogStreamName      string `json:"log_stream_name"`
			Remaining          int
			Custom             map[string]string
			IdentityID         *string `json:"identity_id"`
		}
		Env   map[string]string
		Cwd   string
		Path0 string
	}
	mustJSON(t, res.Payload, &out)
	c := out.Ctx
	if out.Event["name"] != "Ada" || c.AwsRequestID != rid || c.FunctionName != "fn" || c.FunctionVersion != "$LATEST" ||
		c.MemoryLimitInMB != "128" || c.InvokedFunctionArn != "arn:aws:lambda:eu-west-1:123456789012:function:fn:3" ||
		c.LogGroupName != "/aws/lambda/fn" || !strings.Contains(c.LogStreamName, "/[$LATEST]") ||
		c.Remaining <= 0 || c.Remaining > 5000 || c.Custom["k"] != "v" || c.IdentityID != nil {
		t.Errorf("context = %+v", c)
	}
	for k, want := range map[string]string{
		"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "_HANDLER": "app.handler", "LAMBDA_TASK_ROOT": f.dir,
		"LAMBDA_RUNTIME_DIR": f.rt, "PYTHONPATH": f.rt, "LC_CTYPE": "C.UTF-8", "COLOR": "blue", "TZ": ":UTC",
	} {
		if out.Env[k] != want {
			t.Errorf("%s = %q, want %q", k, out.Env[k], want)
		}
	}
	if out.Cwd != f.dir || out.Path0 != f.dir {
		t.Errorf("cwd %q, sys.path[0] %q: want the task root", out.Cwd, out.Path0)
	}
	if !hasLine(lines(res), regexp.MustCompile(`^hello Ada$`)) {
		t.Errorf("print() is not in the log tail:\n%s", res.Logs)
	}
}

func TestPythonHandlerResolution(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, handler string
		files         map[string]string
	}{
		{"module", "app.handler", map[string]string{"app.py": "def handler(e, c):\n    return 'module'\n"}},
		{"dotted package", "pkg.sub.app.handler", map[string]string{
			"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/app.py": "def handler(e, c):\n    return 'dotted package'\n"}},
		{"slashed package", "pkg/sub/app.handler", map[string]string{
			"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/app.py": "def handler(e, c):\n    return 'slashed package'\n"}},
		{"sibling import", "app.handler", map[string]string{
			"app.py": "from helpers import word\ndef handler(e, c):\n    return word\n", "helpers.py": "word = 'sibling import'\n"}},
		{"class method", "app.Api.handle", map[string]string{
			"app.py": "class Api:\n    @staticmethod\n    def handle(e, c):\n        return 'class method'\n"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got string
			// app.Api.handle: the module is "app.Api", which Python cannot
			// import — as on Lambda.
			f := newFn(t, "python3.12", tc.handler, tc.files)
			if tc.name == "class method" {
				if _, doc := f.fails(`{}`); doc.str("errorType") != "Runtime.ImportModuleError" {
					t.Errorf("%v", doc.vals)
				}
				return
			}
			f.ok(`{}`, &got)
			if got != tc.name {
				t.Errorf("got %q, want %q", got, tc.name)
			}
		})
	}
}

func TestPythonInitErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, handler string
		files         map[string]string
		errType       string
		message       string
		trace         string // a substring of the stack trace ("" for none)
	}{
		{"module missing", "app.handler", map[string]string{"other.py": ""},
			"Runtime.ImportModuleError", "Unable to import module 'app': No module named 'app'", ""},
		{"dependency missing", "app.handler", map[string]string{"app.py": "import requests_that_do_not_exist\n"},
			"Runtime.ImportModuleError", "Unable to import module 'app': No module named 'requests_that_do_not_exist'", ""},
		{"handler missing", "app.nope", map[string]string{"app.py": "def handler(e, c):\n    pass\n"},
			"Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'", ""},
		{"no dot", "app", map[string]string{"app.py": ""},
			"Runtime.MalformedHandlerName", "Bad handler 'app': not enough values to unpack (expected 2, got 1)", ""},
		{"built-in module", "sys.handler", map[string]string{},
			"Runtime.BuiltInModuleConflict", "Cannot use built-in module sys as a handler module", ""},
		{"syntax error", "app.handler", map[string]string{"app.py": "def handler(e, c)\n    pass\n"},
			"Runtime.UserCodeSyntaxError", "Syntax error in module 'app': ", `app.py" Line 1`},
		{"raises at import", "app.handler", map[string]string{"app.py": "raise ValueError('bad config')\n"},
			"ValueError", "bad config", "raise ValueError('bad config')"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFn(t, "python3.12", tc.handler, tc.files)
			res, doc := f.fails(`{}`)
			if !slices.Equal(doc.keys, []string{"errorMessage", "errorType", "requestId", "stackTrace"}) {
				t.Errorf("members %v", doc.keys)
			}
			msg := doc.str("errorMessage")
			if doc.str("errorType") != tc.errType || !strings.HasPrefix(msg, tc.message) || doc.str("requestId") != "" {
				t.Errorf("%s", res.Payload)
			}
			st := strings.Join(doc.strs("stackTrace"), "")
			if tc.trace != "" && !strings.Contains(st, tc.trace) || tc.trace == "" && st != "" {
				t.Errorf("stackTrace %q", doc.strs("stackTrace"))
			}
			if strings.Contains(st, "_tollgate_bootstrap") {
				t.Errorf("the client's own frames are in the stack trace: %q", st)
			}
			init := f.logs.output("")
			if !hasLine(init, regexp.MustCompile(`^\[WARNING\]\t\S+Z\t\tLAMBDA_WARNING: Unhandled exception\. `)) ||
				!hasLine(init, regexp.MustCompile(`^\[ERROR\] `+regexp.QuoteMeta(tc.errType)+`: `+regexp.QuoteMeta(strings.ReplaceAll(tc.message, "\n", "\r"))+`.*\rTraceback \(most recent call last\):`)) {
				t.Errorf("init log:\n%s", strings.Join(init, "\n"))
			}
		})
	}
}

func TestPythonInvokeErrors(t *testing.T) {
	t.Parallel()
	f := newFn(t, "python3.11", "app.handler", map[string]string{"app.py": `
import datetime, decimal

class NotFound(Exception):
    pass

def fail(kind):
    if kind == "value":
        raise ValueError("x must be positive")
    if kind == "custom":
        raise NotFound("no such pet")

def handler(event, context):
    kind = event.get("kind")
    if kind == "datetime":
        return {"at": datetime.datetime(2026, 1, 2)}
    if kind == "decimal":
        return {"price": decimal.Decimal("249.990"), "nan": decimal.Decimal("NaN")}
    if kind == "bytes":
        return b"\x00raw"
    if kind == "unicode":
        return {"word": "café"}
    if kind == "none":
        return None
    fail(kind)
`})
	for kind, want := range map[string]string{"value": "ValueError", "custom": "NotFound"} {
		res, doc := f.fails(`{"kind":"` + kind + `"}`)
		if !slices.Equal(doc.keys, []string{"errorMessage", "errorType", "requestId", "stackTrace"}) ||
			doc.str("errorType") != want || doc.str("requestId") == "" {
			t.Errorf("%s: %s", kind, res.Payload)
			continue
		}
		// The traceback starts at the handler (the client's frames are
		// dropped) and ends where the exception was raised.
		st := doc.strs("stackTrace")
		if len(st) != 2 || !strings.HasPrefix(st[0], `  File "`+f.dir+`/app.py", line `) || !strings.Contains(st[0], ", in handler\n    fail(kind)\n") ||
			!strings.Contains(st[1], ", in fail\n") {
			t.Errorf("%s: stackTrace %q", kind, st)
		}
		// One log record: lines joined by \r, indentation made no-break.
		want := regexp.MustCompile(`^\[ERROR\] ` + want + `: .+\rTraceback \(most recent call last\):\r\x{a0}\x{a0}File "` + regexp.QuoteMeta(f.dir) + `/app.py", line \d+, in handler\r\x{a0}\x{a0}\x{a0}\x{a0}fail\(kind\)\r`)
		if !hasLine(lines(res), want) {
			t.Errorf("%s: log tail:\n%q", kind, res.Logs)
		}
	}
	if _, doc := f.fails(`{"kind":"datetime"}`); doc.str("errorType") != "Runtime.MarshalError" ||
		doc.str("errorMessage") != "Unable to marshal response: Object of type datetime is not JSON serializable" {
		t.Errorf("datetime: %v", doc.vals)
	}
	for kind, want := range map[string]string{
		"decimal": `{"price": 249.990, "nan": NaN}`,
		"bytes":   "\x00raw",
		// python3.11 escapes non-ASCII; python3.12 and later do not.
		"unicode": `{"word": "caf\u00e9"}`,
		"none":    "null",
	} {
		if res := f.ok(`{"kind":"`+kind+`"}`, nil); string(res.Payload) != want {
			t.Errorf("%s: %q, want %q", kind, res.Payload, want)
		}
	}
	g := newFn(t, "python3.13", "app.handler", map[string]string{"app.py": "def handler(e, c):\n    return {'word': 'café'}\n"})
	if res := g.ok(`{}`, nil); string(res.Payload) != `{"word": "café"}` {
		t.Errorf("python3.13 unicode: %q", res.Payload)
	}
}

func TestPythonLogging(t *testing.T) {
	t.Parallel()
	code := map[string]string{"app.py": `
import logging, sys
print("loading")
logger = logging.getLogger()

def handler(event, context):
    print("two", "words")
    logging.info("silent until the level is set")
    logger.warning("careful %s", "now")
    logger.error("bad")
    if event.get("verbose"):
        logger.setLevel(logging.INFO)
        logger.info("now heard")
    sys.stderr.write("to stderr\n")
    context.log("via context.log\n")
    return None
`}
	f := newFn(t, "python3.12", "app.handler", code)
	res := f.invoke(`{"verbose":true}`, withID)
	ls := lines(res)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`^two words$`), pyLogLine("WARNING", "careful now"), pyLogLine("ERROR", "bad"),
		pyLogLine("INFO", "now heard"), regexp.MustCompile(`^to stderr$`), regexp.MustCompile(`^via context.log$`),
	} {
		if !hasLine(ls, want) {
			t.Errorf("log tail lacks %s:\n%s", want, res.Logs)
		}
	}
	if strings.Contains(string(res.Logs), "silent until") {
		t.Errorf("logging.info was heard before setLevel (the root logger stays at WARNING):\n%s", res.Logs)
	}
	if init := f.logs.output(""); !slices.Contains(init, "loading") {
		t.Errorf("init output %q", init)
	}

	j := newFn(t, "python3.12", "app.handler", code, func(c *runtime.Config) {
		c.Env = map[string]string{"AWS_LAMBDA_LOG_LEVEL": "INFO", "AWS_LAMBDA_LOG_FORMAT": "JSON"}
	})
	res = j.invoke(`{}`, withID)
	want := regexp.MustCompile(`^\{"timestamp": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "level": "INFO", "message": "silent until the level is set", "logger": "root", "requestId": "` + rid + `"\}$`)
	if !hasLine(lines(res), want) {
		t.Errorf("JSON logs with AWS_LAMBDA_LOG_LEVEL=INFO:\n%s", res.Logs)
	}
}

func TestPythonTimeoutAndExit(t *testing.T) {
	t.Parallel()
	f := newFn(t, "python3.12", "app.handler", map[string]string{"app.py": `
import os, sys, time
def handler(event, context):
    if event.get("sleep"):
        time.sleep(60)
    if event.get("exit"):
        sys.exit(3)
    return os.getpid()
`}, func(c *runtime.Config) { c.Timeout = time.Second })
	var pid1, pid2 int
	f.ok(`{}`, &pid1)
	if _, doc := f.fails(`{"sleep":true}`); doc.str("errorType") != "Sandbox.Timedout" {
		t.Errorf("timeout: %v", doc.vals)
	}
	if res := f.ok(`{}`, &pid2); pid2 == pid1 || res.InitDuration == 0 {
		t.Errorf("after a timeout: pid %d (was %d): want a cold start", pid2, pid1)
	}
	// sys.exit raises SystemExit, which is not an Exception: the process
	// ends, as in Lambda.
	if _, doc := f.fails(`{"exit":true}`); doc.str("errorType") != "Runtime.ExitError" || !strings.HasSuffix(doc.str("errorMessage"), "Runtime exited with error: exit status 3") {
		t.Errorf("exit: %v", doc.vals)
	}
}

// TestPythonWritesNoBytecode: the client leaves no __pycache__ in the
// function's code (Lambda's is read-only), and a new instance runs edited
// code even when the edit kept the file's size and modification time,
// which a .pyc written by the first instance would have taken as current.
func TestPythonWritesNoBytecode(t *testing.T) {
	t.Parallel()
	f := newFn(t, "python3.12", "app.handler", map[string]string{
		"app.py":     "from helpers import word\ndef handler(e, c):\n    return word + ', Hello'\n",
		"helpers.py": "word = 'module'\n",
	})
	var got string
	if f.ok(`{}`, &got); got != "module, Hello" {
		t.Fatalf("got %q", got)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "__pycache__")); !os.IsNotExist(err) {
		t.Fatalf("__pycache__ in the code directory: %v", err)
	}
	app := filepath.Join(f.dir, "app.py")
	st, err := os.Stat(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(app, []byte("from helpers import word\ndef handler(e, c):\n    return word + ', Howdy'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(app, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	f.pool.Update(f.cfg) // a new generation: the next invocation starts a new instance
	if f.ok(`{}`, &got); got != "module, Howdy" {
		t.Fatalf("after the edit: got %q", got)
	}
}
