package runtime

import (
	"encoding/json"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRuntimeAPIAnswers drives the Runtime API with a hand-written runtime
// that reports what it received and how wrong calls were answered.
func TestRuntimeAPIAnswers(t *testing.T) {
	cfg := fnConfig(t, "rawruntime")
	cfg.Name, cfg.Region, cfg.AccountID = "raw", "ap-south-1", "111122223333"
	p, logs := newTestPool(t, cfg)

	type answer struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
		Text   string          `json:"text"`
	}
	type report struct {
		Event           json.RawMessage `json:"event"`
		ContentType     string          `json:"contentType"`
		RequestID       string          `json:"requestId"`
		DeadlineMs      string          `json:"deadlineMs"`
		ARN             string          `json:"arn"`
		TraceID         string          `json:"traceId"`
		ClientContext   string          `json:"clientContext"`
		CognitoIdentity string          `json:"cognitoIdentity"`
		UnknownID       answer          `json:"unknownId"`
		UnknownIDError  answer          `json:"unknownIdError"`
		UnknownPath     answer          `json:"unknownPath"`
		WrongMethod     answer          `json:"wrongMethod"`
		InitAfterReady  answer          `json:"initAfterReady"`
		Duplicate       *answer         `json:"duplicate"`
	}

	const traceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	before := time.Now()
	first := decode[report](t, invoke(t, p, `{"a":1}`, Invocation{
		RequestID: "req-raw-1", TraceID: traceHeader, ClientContext: `{"custom":{}}`, CognitoIdentity: `{"CognitoIdentityID":"x"}`,
	}))
	if string(first.Event) != `{"a":1}` || first.ContentType != "application/json" || first.RequestID != "req-raw-1" {
		t.Errorf("event %s, content type %q, request id %q", first.Event, first.ContentType, first.RequestID)
	}
	if first.ARN != "arn:aws:lambda:ap-south-1:111122223333:function:raw" || first.TraceID != traceHeader {
		t.Errorf("ARN %q, trace id %q", first.ARN, first.TraceID)
	}
	if first.ClientContext != `{"custom":{}}` || first.CognitoIdentity != `{"CognitoIdentityID":"x"}` {
		t.Errorf("client context %q, cognito identity %q", first.ClientContext, first.CognitoIdentity)
	}
	after := time.Now()
	ms, _ := strconv.ParseInt(first.DeadlineMs, 10, 64)
	if lo, hi := before.Add(3*time.Second).UnixMilli()-1, after.Add(3*time.Second).UnixMilli()+1; ms < lo || ms > hi {
		t.Errorf("deadline %d not in [%d, %d]", ms, lo, hi)
	}
	invalidID := `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`
	for name, a := range map[string]answer{"response": first.UnknownID, "error": first.UnknownIDError} {
		if a.Status != 400 || string(a.Body) != invalidID {
			t.Errorf("%s with an unknown request id: %d %s%s", name, a.Status, a.Body, a.Text)
		}
	}
	if first.UnknownPath.Status != 404 {
		t.Errorf("unknown path: %d", first.UnknownPath.Status)
	}
	if first.WrongMethod.Status != 405 {
		t.Errorf("GET on a POST route: %d", first.WrongMethod.Status)
	}
	if first.InitAfterReady.Status != 403 || !strings.Contains(string(first.InitAfterReady.Body), `"errorType":"InvalidStateTransition"`) {
		t.Errorf("init/error after init: %d %s", first.InitAfterReady.Status, first.InitAfterReady.Body)
	}
	if first.Duplicate != nil {
		t.Errorf("duplicate = %+v", first.Duplicate)
	}

	// A second answer to an invocation already answered is refused.
	second := decode[report](t, invoke(t, p, `{}`, Invocation{RequestID: "req-raw-2"}))
	if second.Duplicate == nil || second.Duplicate.Status != 400 || string(second.Duplicate.Body) != invalidID {
		t.Errorf("second answer to an answered invocation: %+v", second.Duplicate)
	}
	// A valid answer is accepted with 202 {"status":"OK"}. (The runtime logs
	// it after answering: the line still belongs to that invocation.)
	eventually(t, "the runtime's log of the 202", func() bool { return len(logs.output("stdout", "req-raw-1")) == 1 })
	if lines := logs.output("stdout", "req-raw-1"); lines[0].msg != `accepted={"status":"OK"}` {
		t.Errorf("runtime's stdout: %q", lines[0].msg)
	}
}

func TestEnvironment(t *testing.T) {
	t.Setenv("TOLLGATE_SECRET_ACCESS_KEY", "do-not-leak")
	t.Setenv("AWS_ACCESS_KEY_ID", "host-credentials")
	cfg := fnConfig(t, "echo")
	cfg.Name, cfg.Handler, cfg.Region, cfg.MemoryMB = "env-fn", "my.handler", "eu-central-1", 256
	cfg.Env = map[string]string{
		"GREETING":               "hello",
		"PATH":                   "/custom/bin:/usr/bin",
		"AWS_REGION":             "mars-1",       // reserved: ignored
		"AWS_LAMBDA_RUNTIME_API": "10.0.0.1:1",   // reserved: ignored
		"TZ":                     "Europe/Paris", // reserved: ignored
	}
	p, _ := newTestPool(t, cfg)
	out := decode[echoOut](t, invoke(t, p, `{}`, Invocation{}))

	want := map[string]string{
		"GREETING":                        "hello",
		"PATH":                            "/custom/bin:/usr/bin",
		"_HANDLER":                        "my.handler",
		"LAMBDA_TASK_ROOT":                cfg.WorkDir,
		"LAMBDA_RUNTIME_DIR":              "/var/runtime",
		"AWS_LAMBDA_FUNCTION_NAME":        "env-fn",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/env-fn",
		"AWS_REGION":                      "eu-central-1",
		"AWS_DEFAULT_REGION":              "eu-central-1",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"LD_LIBRARY_PATH":                 "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:" + cfg.WorkDir + ":" + cfg.WorkDir + "/lib:/opt/lib",
		"GOMEMLIMIT":                      "256MiB",
		"GOMAXPROCS":                      "1", // 256 MB is a fraction of a vCPU
	}
	for k, v := range want {
		if out.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, out.Env[k], v)
		}
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(out.Env["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", out.Env["AWS_LAMBDA_RUNTIME_API"])
	}
	stream := out.Env["AWS_LAMBDA_LOG_STREAM_NAME"]
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(stream) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", stream)
	}
	// Nothing else: in particular nothing from Tollgate's own environment.
	// (_X_AMZN_TRACE_ID is set by aws-lambda-go itself.)
	extra := slices.DeleteFunc(slices.Sorted(maps.Keys(out.Env)), func(k string) bool {
		_, ok := want[k]
		return ok || k == "AWS_LAMBDA_RUNTIME_API" || k == "AWS_LAMBDA_LOG_STREAM_NAME" || k == "_X_AMZN_TRACE_ID"
	})
	if len(extra) > 0 {
		t.Errorf("unexpected variables in the function's environment: %v", extra)
	}
	if out.Cwd != cfg.WorkDir {
		t.Errorf("working directory %q, want %q", out.Cwd, cfg.WorkDir)
	}
	// What aws-lambda-go read from that environment.
	if out.FunctionName != "env-fn" || out.FunctionVersion != "$LATEST" || out.MemoryLimitInMB != 256 ||
		out.LogGroupName != "/aws/lambda/env-fn" || out.LogStreamName != stream {
		t.Errorf("lambdacontext: %q %q %d %q %q", out.FunctionName, out.FunctionVersion, out.MemoryLimitInMB, out.LogGroupName, out.LogStreamName)
	}
}

// TestEnvironmentCredentials: a function given its execution role's
// credentials finds them where AWS SDKs look (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY), in place of any it configured itself.
func TestEnvironmentCredentials(t *testing.T) {
	cfg := fnConfig(t, "echo")
	cfg.Env = map[string]string{"AWS_ACCESS_KEY_ID": "configured"} // reserved: ignored
	cfg.Credentials = &Credentials{AccessKeyID: "AKIAROLEEXAMPLE00001", SecretAccessKey: "role-secret"}
	p, _ := newTestPool(t, cfg)
	out := decode[echoOut](t, invoke(t, p, `{}`, Invocation{}))
	if out.Env["AWS_ACCESS_KEY_ID"] != "AKIAROLEEXAMPLE00001" || out.Env["AWS_SECRET_ACCESS_KEY"] != "role-secret" {
		t.Fatalf("credentials in the environment: %q %q", out.Env["AWS_ACCESS_KEY_ID"], out.Env["AWS_SECRET_ACCESS_KEY"])
	}
}

func TestLogCapture(t *testing.T) {
	p, logs := newTestPool(t, fnConfig(t, "logs"))
	for _, id := range []string{"req-logs-1", "req-logs-2"} {
		res := invoke(t, p, `{"long":100000}`, Invocation{RequestID: id})
		mustSucceed(t, res)
		out := logs.output("stdout", id)
		errs := logs.output("stderr", id)
		var outMsgs, errMsgs []string
		for _, r := range out {
			outMsgs = append(outMsgs, r.msg)
			if r.attrs["function"] != "logs" || r.attrs["pid"] == "" {
				t.Errorf("record attributes %v", r.attrs)
			}
		}
		for _, r := range errs {
			errMsgs = append(errMsgs, r.msg)
		}
		long := strings.Repeat("L", 100000)
		wantOut := []string{"hello stdout " + id, "first half, second half", long[:maxLogLine], long[maxLogLine:]}
		if !slices.Equal(outMsgs, wantOut) {
			t.Errorf("%s stdout: %d records %.80q", id, len(outMsgs), outMsgs)
		}
		wantErr := []string{"hello stderr " + id, "interrupting on stderr"}
		if !slices.Equal(errMsgs, wantErr) {
			t.Errorf("%s stderr: %q, want %q", id, errMsgs, wantErr)
		}
	}
}

func TestFunctionErrorPayload(t *testing.T) {
	for _, tc := range []struct{ body, header, want string }{
		{`{"errorMessage":"x","errorType":"T"}`, "", `{"errorMessage":"x","errorType":"T"}`},
		{`not json`, "Runtime.Custom", `{"errorMessage":"not json","errorType":"Runtime.Custom"}`},
		{``, "Function.Bad", `{"errorMessage":"Unknown application error occurred","errorType":"Function.Bad"}`},
		{`oops`, "Function.bad type", `{"errorMessage":"oops","errorType":"Function.Unknown"}`},
		{`oops`, "MyError", `{"errorMessage":"oops","errorType":"Runtime.Unknown"}`},
		{`a <b> & c`, "", `{"errorMessage":"a <b> & c","errorType":"Runtime.Unknown"}`},
	} {
		if got := string(functionErrorPayload([]byte(tc.body), tc.header)); got != tc.want {
			t.Errorf("functionErrorPayload(%q, %q) = %s, want %s", tc.body, tc.header, got, tc.want)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	c := Config{Name: "f"}.withDefaults()
	if c.Timeout != 3*time.Second || c.MemoryMB != 128 || c.MaxConcurrency != 10 || c.IdleTimeout != 5*time.Minute ||
		c.Region != "us-east-1" || c.AccountID != "000000000000" || c.Version != "$LATEST" || c.Runtime != "provided.al2023" ||
		c.RuntimeDir != "/var/runtime" {
		t.Errorf("defaults: %+v", c)
	}
	if got := (Config{Executable: "/code/fn/bootstrap"}).withDefaults().WorkDir; got != "/code/fn" {
		t.Errorf("default WorkDir = %q", got)
	}
	for mem, want := range map[int]int{128: 1, 1769: 1, 1770: min(2, runtime.NumCPU()), 10240: min(6, runtime.NumCPU())} {
		if got := vCPUs(mem); got != want {
			t.Errorf("vCPUs(%d) = %d, want %d", mem, got, want)
		}
	}
	if got := (Config{Name: "f"}).FunctionARN(); got != "arn:aws:lambda:us-east-1:000000000000:function:f" {
		t.Errorf("FunctionARN = %q", got)
	}
	for _, k := range []string{"AWS_REGION", "_HANDLER", "TZ", "AWS_SECRET_ACCESS_KEY", "AWS_LAMBDA_RUNTIME_API"} {
		if !IsReservedEnv(k) {
			t.Errorf("%s not reserved", k)
		}
	}
	for _, k := range []string{"PATH", "LANG", "LD_LIBRARY_PATH", "GOMEMLIMIT", "GOMAXPROCS", "MY_VAR"} {
		if IsReservedEnv(k) {
			t.Errorf("%s reserved", k)
		}
	}
}

// TestManagedRuntimeSettings: what a managed runtime (nodejs*, python3.*)
// changes in an instance: the program's arguments, AWS_EXECUTION_ENV,
// LAMBDA_RUNTIME_DIR, the version (environment and log stream) and the
// variables it adds, which the function's own may override; and the
// invoked ARN, which follows each invocation.
func TestManagedRuntimeSettings(t *testing.T) {
	cfg := fnConfig(t, "echo")
	// /bin/sh runs the function: Args reach the program.
	cfg.Executable, cfg.Args = "/bin/sh", []string{"-c", "exec " + cfg.Executable + " \"$0\"", "from-args"}
	cfg.Name, cfg.Version, cfg.Runtime, cfg.RuntimeDir = "managed", "7", "nodejs20.x", "/opt/tollgate/rt"
	cfg.BaseEnv = map[string]string{"NODE_PATH": "/rt/node_modules", "PATH": "/interp/bin:/usr/bin", "LAMBDA_TASK_ROOT": "/ignored"}
	cfg.Env = map[string]string{"PATH": "/mine"}
	p, _ := newTestPool(t, cfg)
	out := decode[echoOut](t, invoke(t, p, `{}`, Invocation{InvokedARN: "arn:aws:lambda:us-east-1:000000000000:function:managed:live"}))
	for k, want := range map[string]string{
		"AWS_EXECUTION_ENV": "AWS_Lambda_nodejs20.x", "LAMBDA_RUNTIME_DIR": "/opt/tollgate/rt",
		"AWS_LAMBDA_FUNCTION_VERSION": "7", "NODE_PATH": "/rt/node_modules", "PATH": "/mine", "LAMBDA_TASK_ROOT": cfg.WorkDir,
		"LD_LIBRARY_PATH": "/lib64:/usr/lib64:/opt/tollgate/rt:/opt/tollgate/rt/lib:" + cfg.WorkDir + ":" + cfg.WorkDir + "/lib:/opt/lib",
	} {
		if out.Env[k] != want {
			t.Errorf("%s = %q, want %q", k, out.Env[k], want)
		}
	}
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[7\][0-9a-f]{32}$`).MatchString(out.LogStreamName) || out.FunctionVersion != "7" {
		t.Errorf("log stream %q, version %q", out.LogStreamName, out.FunctionVersion)
	}
	if out.LambdaContext.InvokedFunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:managed:live" {
		t.Errorf("invoked ARN %q", out.LambdaContext.InvokedFunctionArn)
	}
	// The next invocation on the same instance, unqualified.
	out2 := decode[echoOut](t, invoke(t, p, `{}`, Invocation{}))
	if out2.PID != out.PID || out2.LambdaContext.InvokedFunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:managed" {
		t.Errorf("second invocation: pid %d (was %d), invoked ARN %q", out2.PID, out.PID, out2.LambdaContext.InvokedFunctionArn)
	}
}
