package runtime

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// The Runtime API, version 2018-06-01, as each instance serves it to its
// process on AWS_LAMBDA_RUNTIME_API.
const (
	apiPrefix = "/2018-06-01/runtime"

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

func (in *instance) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", in.handleNext)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", in.handleResponse)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", in.handleError)
	mux.HandleFunc("POST "+apiPrefix+"/init/error", in.handleInitError)
	return mux
}

// handleNext blocks until the pool delivers an invocation, then returns its
// payload with the invocation's metadata in headers.
func (in *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	in.markReady()
	var inv *invocation
	select {
	case inv = <-in.next:
	case <-r.Context().Done():
		return
	case <-in.stopping:
		renderError(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
		return
	}
	// What the runtime wrote before asking for this invocation belongs to
	// the previous one (or to the initialisation).
	drainLogs(in.readers[:]...)
	in.sink.setInvocation(inv)

	h := w.Header()
	h[hdrRequestID] = []string{inv.id}
	h[hdrDeadline] = []string{strconv.FormatInt(inv.deadline.UnixMilli(), 10)}
	h[hdrFunctionARN] = []string{in.arn}
	h[hdrTraceID] = []string{inv.traceID}
	if inv.clientContext != "" {
		h[hdrClientContext] = []string{inv.clientContext}
	}
	if inv.cognitoIdentity != "" {
		h[hdrCognitoIdentity] = []string{inv.cognitoIdentity}
	}
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(inv.payload))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// handleResponse completes the invocation with the function's result.
func (in *instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv := in.pending(r.PathValue("id"))
	if inv == nil {
		renderInvalidRequestID(w)
		return
	}
	body, tooLarge, err := readBody(r)
	if err != nil {
		in.log.Debug("runtime API: reading response body", "requestId", inv.id, "error", err)
		return
	}
	if tooLarge {
		in.finish(inv, reply{payload: oversizedResponseError(), failed: true})
		renderError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponsePayload))
		return
	}
	rep := reply{payload: body}
	if typ := r.Trailer.Get(trailerErrorType); typ != "" {
		// The runtime failed while streaming the body: what it sent is void.
		errBody, _ := base64.StdEncoding.DecodeString(r.Trailer.Get(trailerErrorBody))
		rep = reply{payload: functionErrorPayload(errBody, typ), failed: true}
	}
	if !in.finish(inv, rep) {
		renderInvalidRequestID(w)
		return
	}
	renderAccepted(w)
}

// handleError completes the invocation with the error the function reported.
func (in *instance) handleError(w http.ResponseWriter, r *http.Request) {
	inv := in.pending(r.PathValue("id"))
	if inv == nil {
		renderInvalidRequestID(w)
		return
	}
	body, tooLarge, err := readBody(r)
	if err != nil {
		in.log.Debug("runtime API: reading error body", "requestId", inv.id, "error", err)
		return
	}
	if tooLarge {
		in.finish(inv, reply{payload: oversizedResponseError(), failed: true})
		renderError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponsePayload))
		return
	}
	if !in.finish(inv, reply{payload: functionErrorPayload(body, r.Header.Get(hdrErrorType)), failed: true}) {
		renderInvalidRequestID(w)
		return
	}
	renderAccepted(w)
}

// handleInitError records that the runtime could not initialise; the pending
// invocation fails with the reported error and the instance is discarded.
func (in *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	if in.isReady() {
		renderError(w, http.StatusForbidden, "InvalidStateTransition",
			"State transition from Ready to InitError failed for runtime: the runtime already asked for an invocation")
		return
	}
	body, _, err := readBody(r) // an oversized body is dropped
	if err != nil {
		in.log.Debug("runtime API: reading init error body", "error", err)
		return
	}
	in.failInit(functionErrorPayload(body, r.Header.Get(hdrErrorType)))
	renderAccepted(w)
}

// readBody reads at most MaxResponsePayload bytes of the request body;
// tooLarge reports a longer one, of which it reads no more than needed.
func readBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > MaxResponsePayload {
		return nil, true, nil
	}
	size := 512
	if r.ContentLength > 0 {
		size = int(r.ContentLength) + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > MaxResponsePayload {
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

func renderAccepted(w http.ResponseWriter) {
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(acceptedBody)
}

func renderInvalidRequestID(w http.ResponseWriter) {
	renderError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
}

// renderError writes the Runtime API's error body {"errorMessage","errorType"}.
func renderError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = w.Write(errorDoc{ErrorMessage: message, ErrorType: errorType}.marshal())
}
