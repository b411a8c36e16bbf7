package rest

import (
	"strconv"
	"strings"
)

// EndpointTrace is what an integration sent to its endpoint and got back,
// for the "Endpoint request …" and "Endpoint response …" lines of a test
// invocation's log (reference §4.3 [V][C]).
type EndpointTrace struct {
	URI, RequestHeaders, RequestBody string
	ResponseHeaders, ResponseBody    string
	responded                        bool
}

// EndpointTrace returns where an integration records its endpoint request
// and response, or nil when nothing asks for them (then the integration
// records nothing and pays nothing).
func (x *Exchange) EndpointTrace() *EndpointTrace {
	if x.exec == nil || !x.exec.endpoints {
		return nil
	}
	if x.exec.endpoint == nil {
		x.exec.endpoint = &EndpointTrace{}
	}
	return x.exec.endpoint
}

// Request records the request sent: its URI, headers (rendered with
// HeaderText) and body.
func (t *EndpointTrace) Request(uri, headers string, body []byte) {
	t.URI, t.RequestHeaders, t.RequestBody = uri, headers, string(body[:min(len(body), maxExecLine+1)])
}

// Response records the endpoint's answer.
func (t *EndpointTrace) Response(headers string, body []byte) {
	t.ResponseHeaders, t.ResponseBody, t.responded = headers, string(body[:min(len(body), maxExecLine+1)]), true
}

// HeaderText renders headers as the log prints them ({Name=value, …}),
// masking secrets but their last 6 characters.
func HeaderText(visit func(fn func(name, value string))) string {
	var b strings.Builder
	b.WriteByte('{')
	first := true
	visit(func(name, value string) {
		if !first {
			b.WriteString(", ")
		}
		first = false
		if secretHeaders[strings.ToLower(name)] {
			value = mask(value)
		}
		b.WriteString(name + "=" + value)
	})
	b.WriteByte('}')
	return b.String()
}

// endpointRequestLines are the lines of the endpoint request, before the
// "Received response" line.
func endpointRequestLines(t *EndpointTrace, add func(string)) {
	if t == nil || t.URI == "" {
		return
	}
	add("Endpoint request URI: " + t.URI)
	add("Endpoint request headers: " + t.RequestHeaders)
	add("Endpoint request body after transformations: " + t.RequestBody)
	add("Sending request to " + t.URI)
}

// endpointResponseLines are the lines of the endpoint's answer.
func endpointResponseLines(t *EndpointTrace, add func(string)) {
	if t == nil || !t.responded {
		return
	}
	add("Endpoint response headers: " + t.ResponseHeaders)
	add("Endpoint response body before transformations: " + t.ResponseBody)
}

// LambdaHeaders are the headers of API Gateway's Lambda Invoke call as a
// test invocation's log shows them (AWS's also carry a signature, which a
// local function does not need).
func LambdaHeaders(x *Exchange) string {
	return "{x-amzn-lambda-integration-tag=" + x.RequestID + ", X-Amz-Date=" + x.Start.UTC().Format("20060102T150405Z") +
		", x-amzn-apigateway-api-id=" + x.APIID + ", Accept=application/json, User-Agent=AmazonAPIGateway_" + x.APIID + "}"
}

// LambdaResponseHeaders are the headers of a Lambda Invoke answer of n
// bytes as the log shows them.
func LambdaResponseHeaders(n int) string {
	return "{Content-Type=application/json, Content-Length=" + strconv.Itoa(n) + ", X-Amz-Executed-Version=$LATEST}"
}
