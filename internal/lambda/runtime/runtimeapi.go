package runtime

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"
)

// The Runtime API, version 2018-06-01, as each instance serves it to its
// process on AWS_LAMBDA_RUNTIME_API.
//
// It is served with fasthttp rather than net/http: every invocation costs
// two exchanges on it (the /next answer and the /response call), and on a
// loaded gateway net/http's per-request work was about half of Tollgate's
// CPU per Lambda request (README, "Benchmarks").
const (
	apiPrefix = "/2018-06-01/runtime/"

	hdrRequestID       = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline        = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID         = "Lambda-Runtime-Trace-Id"
	hdrClientContext   = "Lambda-Runtime-Client-Context"
	hdrCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	hdrErrorType       = "Lambda-Runtime-Function-Error-Type"
	// Trailers a streaming runtime client (aws-lambda-go) sends when
	// producing the response body failed half-way.
	trailerErrorType = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody = "Lambda-Runtime-Function-Error-Body"
)

// newRuntimeServer returns the server for in's Runtime API. Bodies are
// streamed so that an oversized response is refused after reading no more
// than the limit, whatever its framing (aws-lambda-go sends chunked bodies).
func newRuntimeServer(in *instance, log *slog.Logger) *fasthttp.Server {
	return &fasthttp.Server{
		Handler:               in.serve,
		StreamRequestBody:     true,
		MaxRequestBodySize:    1 << 30, // readBody enforces MaxResponsePayload
		NoDefaultServerHeader: true,
		NoDefaultContentType:  true,
		NoDefaultDate:         true,
		CloseOnShutdown:       true,
		Logger:                serverLogger{log},
	}
}

// serve routes a Runtime API call.
func (in *instance) serve(ctx *fasthttp.RequestCtx) {
	rest, ok := strings.CutPrefix(string(ctx.Path()), apiPrefix)
	if !ok {
		renderNotFound(ctx)
		return
	}
	switch {
	case rest == "invocation/next":
		if requireMethod(ctx, http.MethodGet) {
			in.handleNext(ctx)
		}
	case rest == "init/error":
		if requireMethod(ctx, http.MethodPost) {
			in.handleInitError(ctx)
		}
	case strings.HasPrefix(rest, "invocation/"):
		id, action, ok := strings.Cut(strings.TrimPrefix(rest, "invocation/"), "/")
		if !ok || id == "" || (action != "response" && action != "error") {
			renderNotFound(ctx)
			return
		}
		if !requireMethod(ctx, http.MethodPost) {
			return
		}
		switch {
		case action == "response" && isStreamingResponse(ctx):
			in.handleStreamingResponse(ctx, id)
		case action == "response":
			in.handleResponse(ctx, id)
		default:
			in.handleError(ctx, id)
		}
	default:
		renderNotFound(ctx)
	}
}

// requireMethod answers 405 unless the request uses method.
func requireMethod(ctx *fasthttp.RequestCtx, method string) bool {
	if string(ctx.Method()) == method {
		return true
	}
	ctx.Response.Header.Set("Allow", method)
	ctx.Response.Header.SetContentType("text/plain; charset=utf-8")
	ctx.SetStatusCode(http.StatusMethodNotAllowed)
	ctx.SetBodyString("Method Not Allowed\n")
	return false
}

func renderNotFound(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.SetContentType("text/plain; charset=utf-8")
	ctx.SetStatusCode(http.StatusNotFound)
	ctx.SetBodyString("404 page not found\n")
}

// handleNext blocks until the pool delivers an invocation, then returns its
// payload with the invocation's metadata in headers.
func (in *instance) handleNext(ctx *fasthttp.RequestCtx) {
	in.markReady()
	var inv *invocation
	select {
	case inv = <-in.next:
	case <-in.stopping:
		renderError(ctx, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
		return
	case <-in.exited:
		return // nobody is left to read the answer
	}
	// What the runtime wrote before asking for this invocation belongs to
	// the previous one (or to the initialisation).
	drainLogs(in.readers[:]...)
	in.sink.setInvocation(inv)
	in.sink.cloud.start(inv.id)

	h := &ctx.Response.Header
	h.DisableNormalizing() // the names below are written as they must go out
	h.Set(hdrRequestID, inv.id)
	var deadline [20]byte
	h.SetBytesV(hdrDeadline, strconv.AppendInt(deadline[:0], inv.deadline.UnixMilli(), 10))
	if inv.invokedARN != "" {
		h.Set(hdrFunctionARN, inv.invokedARN)
	} else {
		h.Set(hdrFunctionARN, in.arn)
	}
	h.Set(hdrTraceID, inv.traceID)
	if inv.clientContext != "" {
		h.Set(hdrClientContext, inv.clientContext)
	}
	if inv.cognitoIdentity != "" {
		h.Set(hdrCognitoIdentity, inv.cognitoIdentity)
	}
	h.SetContentType("application/json")
	ctx.SetStatusCode(http.StatusOK)
	ctx.Response.SetBodyRaw(inv.payload) // inv.payload is not changed after delivery
}

// handleResponse completes the invocation with the function's result.
func (in *instance) handleResponse(ctx *fasthttp.RequestCtx, id string) {
	inv, body, ok := in.readResult(ctx, id, "runtime API: reading response body")
	if !ok {
		return
	}
	rep := reply{payload: body}
	if typ := ctx.Request.Header.Peek(trailerErrorType); len(typ) > 0 {
		// The runtime failed while streaming the body: what it sent is void.
		errBody, _ := base64.StdEncoding.DecodeString(string(ctx.Request.Header.Peek(trailerErrorBody)))
		rep = reply{payload: functionErrorPayload(errBody, string(typ)), failed: true}
	}
	in.complete(ctx, inv, rep)
}

// handleError completes the invocation with the error the function reported.
func (in *instance) handleError(ctx *fasthttp.RequestCtx, id string) {
	inv, body, ok := in.readResult(ctx, id, "runtime API: reading error body")
	if !ok {
		return
	}
	typ := string(ctx.Request.Header.Peek(hdrErrorType))
	in.complete(ctx, inv, reply{payload: functionErrorPayload(body, typ), failed: true})
}

// readResult reads the body of a response or error request for the
// invocation id. ok=false means it has answered the request itself: the
// id is not the pending invocation, the body could not be read (logged as
// logMsg; the connection is closed), or the body was too large (the
// invocation then fails).
func (in *instance) readResult(ctx *fasthttp.RequestCtx, id, logMsg string) (inv *invocation, body []byte, ok bool) {
	inv = in.pending(id)
	if inv == nil {
		renderInvalidRequestID(ctx)
		return nil, nil, false
	}
	body, tooLarge, err := readBody(ctx)
	if err != nil {
		in.log.Debug(logMsg, "requestId", inv.id, "error", err)
		ctx.SetConnectionClose()
		return nil, nil, false
	}
	if tooLarge {
		in.finish(inv, reply{payload: oversizedResponseError(), failed: true})
		renderTooLarge(ctx)
		return nil, nil, false
	}
	return inv, body, true
}

// complete finishes inv with rep and answers 202, or 400 when inv was
// finished already (by a timeout, say).
func (in *instance) complete(ctx *fasthttp.RequestCtx, inv *invocation, rep reply) {
	if !in.finish(inv, rep) {
		renderInvalidRequestID(ctx)
		return
	}
	renderAccepted(ctx)
}

// handleInitError records that the runtime could not initialise; the pending
// invocation fails with the reported error and the instance is discarded.
func (in *instance) handleInitError(ctx *fasthttp.RequestCtx) {
	if in.isReady() {
		renderError(ctx, http.StatusForbidden, "InvalidStateTransition",
			"State transition from Ready to InitError failed for runtime: the runtime already asked for an invocation")
		return
	}
	body, _, err := readBody(ctx) // an oversized body is dropped
	if err != nil {
		in.log.Debug("runtime API: reading init error body", "error", err)
		ctx.SetConnectionClose()
		return
	}
	// What the runtime logged about the failure is in the log before the
	// invocation fails, as with an answer.
	drainLogs(in.readers[:]...)
	in.failInit(functionErrorPayload(body, string(ctx.Request.Header.Peek(hdrErrorType))))
	renderAccepted(ctx)
}

// readBody reads at most MaxResponsePayload bytes of the request body;
// tooLarge reports a longer one, of which it reads no more than needed (the
// connection is then closed rather than drained). A chunked body's trailers
// are in the request header once it returns.
func readBody(ctx *fasthttp.RequestCtx) (body []byte, tooLarge bool, err error) {
	n := ctx.Request.Header.ContentLength()
	if n > MaxResponsePayload {
		ctx.SetConnectionClose()
		return nil, true, nil
	}
	stream := ctx.RequestBodyStream()
	if stream == nil {
		return bytes.Clone(ctx.Request.Body()), false, nil
	}
	size := 512
	if n > 0 {
		size = n + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		k, err := stream.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if len(buf) > MaxResponsePayload {
			ctx.SetConnectionClose()
			return nil, true, nil
		}
		if errors.Is(err, io.EOF) {
			return buf, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("read body: %w", err)
		}
	}
}

var acceptedBody = []byte(`{"status":"OK"}` + "\n")

func renderAccepted(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.SetContentType("application/json")
	ctx.SetStatusCode(http.StatusAccepted)
	ctx.Response.SetBodyRaw(acceptedBody)
}

func renderInvalidRequestID(ctx *fasthttp.RequestCtx) {
	renderError(ctx, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
}

func renderTooLarge(ctx *fasthttp.RequestCtx) {
	renderError(ctx, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
		fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponsePayload))
}

// renderError writes the Runtime API's error body {"errorMessage","errorType"}.
func renderError(ctx *fasthttp.RequestCtx, status int, errorType, message string) {
	ctx.Response.Header.SetContentType("application/json")
	ctx.SetStatusCode(status)
	ctx.SetBody(errorDoc{ErrorMessage: message, ErrorType: errorType}.marshal())
}

// serverLogger sends fasthttp's own messages (malformed requests, broken
// connections) to the instance's logger at debug level.
type serverLogger struct{ l *slog.Logger }

// Printf implements fasthttp.Logger.
func (s serverLogger) Printf(format string, args ...any) {
	s.l.Debug("runtime API: " + strings.TrimSpace(fmt.Sprintf(format, args...)))
}
