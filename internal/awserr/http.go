package awserr

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Write sends err as an AWS error response and returns the *Error it sent.
// Errors that are not *Error become a generic 500: their text may hold
// internals and is for the log only.
func Write(w http.ResponseWriter, err error) *Error {
	e, ok := As(err)
	if !ok {
		e = Internal()
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h["x-amzn-ErrorType"] = []string{e.Code} // AWS spelling; Set would canonicalise it
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{e.Message})
	if e.Message == "" {
		body = []byte(`{"message":null}`)
	}
	if e.MessageKey != "" || len(e.Fields) > 0 {
		// Services other than apigateway (Lambda) put more in the body.
		m := make(map[string]any, len(e.Fields)+1)
		for k, v := range e.Fields {
			m[k] = v
		}
		key := e.MessageKey
		if key == "" {
			key = "message"
		}
		m[key] = e.Message
		if e.Message == "" {
			m[key] = nil
		}
		body, _ = json.Marshal(m)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
	return e
}

// JSON11ContentType is the media type of AWS JSON 1.1 bodies.
const JSON11ContentType = "application/x-amz-json-1.1"

// WriteJSON11 sends err in the AWS JSON 1.1 error shape: the error type in
// the body's "__type" member (where botocore reads it for this protocol,
// ignoring x-amzn-ErrorType) and in x-amzn-ErrorType (where the JavaScript
// SDK looks first), the message in "message" (or e.MessageKey: wafv2's
// exceptions say "Message"). Errors that are not *Error become a generic
// 500, as with Write.
func WriteJSON11(w http.ResponseWriter, err error) *Error {
	e, ok := As(err)
	if !ok {
		e = Internal()
	}
	m := make(map[string]any, len(e.Fields)+2)
	for k, v := range e.Fields {
		m[k] = v
	}
	m["__type"] = e.Code
	key := e.MessageKey
	if key == "" {
		key = "message"
	}
	m[key] = e.Message
	body, _ := json.Marshal(m)
	h := w.Header()
	h.Set("Content-Type", JSON11ContentType)
	h["x-amzn-ErrorType"] = []string{e.Code}
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
	return e
}
