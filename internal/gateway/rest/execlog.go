package rest

import (
	"maps"
	"mime"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/logs"
)

// ExecLevel is a method's execution-log level (methodSettings
// loggingLevel).
type ExecLevel uint8

const (
	// ExecOff logs nothing (the default).
	ExecOff ExecLevel = iota
	// ExecError logs the requests that fail: their failure lines and
	// "Method completed with status" [U: the ERROR line set].
	ExecError
	// ExecInfo logs every request.
	ExecInfo
)

// ExecSetting is one method's execution logging.
type ExecSetting struct {
	Level ExecLevel
	// DataTrace adds the request and response: parameters, headers,
	// bodies (dataTraceEnabled).
	DataTrace bool
	// Mock marks a MOCK integration, which has no endpoint lines [U].
	Mock bool
}

// ExecLog is a stage's execution logging, compiled from its method
// settings: lines go to the log group
// API-Gateway-Execution-Logs_{apiId}/{stage}
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html),
// each "(requestId) text", in the order API Gateway writes them.
type ExecLog struct {
	Writer        *logs.Writer
	Group, Stream string
	// Routes are the settings by Route.Index of the stage's deployment,
	// CanaryRoutes of its canary's.
	Routes, CanaryRoutes []ExecSetting
}

// ExecLogGroup names a stage's execution-log group.
func ExecLogGroup(apiID, stage string) string {
	return "API-Gateway-Execution-Logs_" + apiID + "/" + stage
}

// execTrace is what data tracing keeps of a request as it runs.
type execTrace struct {
	resp *traceResponse
	// endpoints asks integrations for their endpoint request and
	// response (test invocations), kept in endpoint.
	endpoints bool
	endpoint  *EndpointTrace
}

// setting is the execution logging of x's route (off before routing).
func (l *ExecLog) setting(x *Exchange) ExecSetting {
	if l == nil || x.Route == nil {
		return ExecSetting{}
	}
	routes := l.Routes
	if x.IsCanary {
		routes = l.CanaryRoutes
	}
	if i := x.Route.Index; i < len(routes) {
		return routes[i]
	}
	return ExecSetting{}
}

// trace starts data tracing of a routed request whose method asks for
// it: the body is read now (the integration then reads the copy) and the
// response is recorded as it is set.
func (l *ExecLog) trace(x *Exchange) {
	if !l.setting(x).DataTrace {
		return
	}
	_, _ = x.ReadBody()
	tr := &traceResponse{Response: x.Resp}
	x.Resp, x.exec = tr, &execTrace{resp: tr}
}

// maxExecLine is where a line is cut, ending in " [TRUNCATED]"
// ("events truncated at 1,024 bytes" [D]).
const maxExecLine = 1024

// write logs x's lines once the exchange is complete.
func (l *ExecLog) write(x *Exchange) {
	lines := execLines(x, l.setting(x), false)
	at := x.Start.UnixMilli()
	prefix := "(" + x.RequestID + ") "
	for _, s := range lines {
		l.Writer.Write(logs.Entry{Group: l.Group, Stream: l.Stream, Input: logs.Input{Timestamp: at, Message: prefix + s}})
	}
}

// execLines are the execution-log lines of a completed exchange at set's
// level, in the order API Gateway writes them (none when set logs
// nothing). A test invocation (TestInvokeMethod) has no usage-plan lines:
// its log starts at "Starting execution" [V: recorded TestInvokeMethod
// logs].
func execLines(x *Exchange, set ExecSetting, test bool) []string {
	if set.Level == ExecOff {
		return nil
	}
	failed := x.ErrorType != pipeline.NoError || x.Status >= 500
	if set.Level == ExecError && !failed {
		return nil
	}
	var lines []string
	add := func(s string) {
		if len(s) > maxExecLine {
			s = s[:maxExecLine] + " [TRUNCATED]"
		}
		lines = append(lines, s)
	}
	if set.Level == ExecInfo {
		if !test {
			usagePlanLines(x, add)
		}
		infoLines(x, set, add)
	}
	for _, f := range failureLines(x) {
		add(f)
	}
	if set.Level == ExecInfo && !failed {
		add("Successfully completed execution")
	}
	add("Method completed with status: " + strconv.Itoa(x.Status))
	return lines
}

// usagePlanLines open an INFO-level request's lines
// [C: execution-log captures of 2018 and 2019, in their order; the usage
// plan lines' wording for a request that carries a key is U].
func usagePlanLines(x *Exchange, add func(string)) {
	r := x.Match.Route
	stage := x.APIID + "/" + x.StageName
	key := ""
	if x.Auth.APIKey != "" {
		key = " " + mask(x.Auth.APIKey)
	}
	add("Extended Request Id: " + x.ExtendedID)
	add("Verifying Usage Plan for request: " + x.RequestID + ". API Key:" + key + " API Stage: " + stage)
	if !r.APIKeyRequired {
		add("API Key" + key + " authorized because method '" + r.HTTPMethod + " " + r.ResourcePath +
			"' does not require API Key. Request will not contribute to throttle or quota limits")
	}
	add("Usage Plan check succeeded for API Key" + key + " and API Stage " + stage)
}

// infoLines add the lines of an INFO-level request from the start of its
// execution up to its outcome [C: execution-log captures of 2018 and
// 2019; V: recorded TestInvokeMethod logs].
func infoLines(x *Exchange, set ExecSetting, add func(string)) {
	add("Starting execution for request: " + x.RequestID)
	// The request path as received, despite the label [C].
	add("HTTP Method: " + x.Req.Method() + ", Resource Path: " + requestPath(x))
	if !set.DataTrace {
		return
	}
	var b strings.Builder
	b.WriteString("Method request path: {")
	for i := 0; i < x.Match.Params.Len(); i++ {
		name, value := x.Match.Params.At(i)
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(name + "=" + value)
	}
	add(b.String() + "}")
	b.Reset()
	b.WriteString("Method request query string: {")
	q := x.Query()
	first := true
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[k] {
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(k + "=" + v)
		}
	}
	add(b.String() + "}")
	add("Method request headers: " + headerMap(x.Req))
	body, _ := x.ReadBody()
	add("Method request body before transformations: " + string(body))
	var endpoint *EndpointTrace
	if x.exec != nil {
		endpoint = x.exec.endpoint
	}
	endpointRequestLines(endpoint, add)
	if !set.Mock && !x.IntegrationStart.IsZero() && x.IntegrationStatus != 0 {
		add("Received response. Status: " + strconv.Itoa(x.IntegrationStatus) + ", Integration latency: " +
			strconv.FormatInt(x.IntegrationLatency.Milliseconds(), 10) + " ms")
	}
	endpointResponseLines(endpoint, add)
	if x.exec != nil && x.ErrorType == pipeline.NoError {
		add("Method response body after transformations: " + x.exec.resp.body())
		add("Method response headers: {" + strings.Join(x.exec.resp.headers, ", ") + "}")
	}
}

// failureLines are the lines of a request's failure
// [C: 2025 error-log write-up; the gateway-response line is U].
func failureLines(x *Exchange) []string {
	switch x.ErrorType {
	case pipeline.NoError:
		if x.Status >= 500 {
			return []string{"Execution failed due to configuration error: " + x.ErrorMessage}
		}
		return nil
	case pipeline.IntegrationTimeout:
		return []string{"Execution failed due to a timeout error"}
	case pipeline.IntegrationFailure, pipeline.Default5XX, pipeline.APIConfigurationError:
		msg := x.failure
		if msg == "" {
			msg = x.ErrorMessage
		}
		return []string{"Execution failed due to configuration error: " + msg}
	case pipeline.BadRequestBody:
		if x.ValidationError != "" {
			ct, _, _ := mime.ParseMediaType(x.Req.Header("Content-Type"))
			return []string{"Request body does not match model schema for content type " + ct + ": " + x.ValidationError}
		}
	case pipeline.Unauthorized, pipeline.AccessDenied:
		return []string{"Unauthorized request: " + x.RequestID}
	}
	return []string{"Gateway response type: " + x.ErrorType.String() + " with status code: " + strconv.Itoa(x.Status)}
}

// failureText is a failure's cause as an execution-log line ends it.
func failureText(cause error) string {
	if cause == nil {
		return ""
	}
	msg := cause.Error()
	const configError = "execution failed due to configuration error: "
	if i := strings.LastIndex(strings.ToLower(msg), configError); i >= 0 {
		msg = msg[i+len(configError):]
	}
	// Go's errors start in lower case, AWS's lines with a capital.
	if msg != "" && msg[0] >= 'a' && msg[0] <= 'z' {
		msg = string(msg[0]-'a'+'A') + msg[1:]
	}
	return msg
}

// requestPath is the path the client asked for within the stage.
func requestPath(x *Exchange) string {
	if x.RawStagePath == "" {
		return "/"
	}
	return x.RawStagePath
}

// Mask hides a secret but its last 6 characters, as execution logs do.
func Mask(s string) string { return mask(s) }

// mask hides a secret but its last 6 characters, as execution logs do
// ("**********************************bMZHBg" [C]).
func mask(s string) string {
	if len(s) <= 6 {
		return strings.Repeat("*", len(s))
	}
	return strings.Repeat("*", len(s)-6) + s[len(s)-6:]
}

// secretHeaders are masked in execution logs ("API Gateway redacts
// authorization headers, API key values, and similar sensitive request
// parameters" [D]).
var secretHeaders = map[string]bool{"authorization": true, "x-api-key": true, "x-amz-security-token": true, "cookie": true}

// headerMap renders headers as Java's Map.toString does: {Name=value, …}.
func headerMap(r pipeline.Request) string {
	var b strings.Builder
	b.WriteByte('{')
	first := true
	r.VisitHeaders(func(name, value []byte) {
		if !first {
			b.WriteString(", ")
		}
		first = false
		v := string(value)
		if secretHeaders[strings.ToLower(string(name))] {
			v = mask(v)
		}
		b.Write(name)
		b.WriteByte('=')
		b.WriteString(v)
	})
	b.WriteByte('}')
	return b.String()
}

// traceResponse records what the pipeline sets on the response, for data
// tracing: its headers and (when set whole) the first bytes of its body.
type traceResponse struct {
	pipeline.Response
	headers []string
	start   []byte
	size    int
	set     bool
}

func (t *traceResponse) SetHeader(name, value string) {
	t.headers = append(t.headers, name+"="+value)
	t.Response.SetHeader(name, value)
}

func (t *traceResponse) AddHeader(name, value string) {
	t.headers = append(t.headers, name+"="+value)
	t.Response.AddHeader(name, value)
}

func (t *traceResponse) SetBody(b []byte) {
	t.start, t.size, t.set = append(t.start[:0], b[:min(len(b), maxExecLine+1)]...), len(b), true
	t.Response.SetBody(b)
}

func (t *traceResponse) body() string {
	if !t.set {
		return ""
	}
	return string(t.start)
}
