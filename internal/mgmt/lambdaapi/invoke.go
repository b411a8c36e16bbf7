package lambdaapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate/internal/lambda"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// Invocation types and log types the Invoke API accepts.
var (
	invocationTypes = []string{"Event", "RequestResponse", "DryRun"}
	logTypes        = []string{"None", "Tail"}
)

// invoke runs a function: RequestResponse answers 200 with the function's
// result (X-Amz-Function-Error: Unhandled when it failed, X-Amz-Log-Result
// with X-Amz-Log-Type: Tail), Event queues it and answers 202, DryRun only
// checks that it could run and answers 204.
func (a *API) invoke(ctx context.Context, r *restjson.Request) (any, error) {
	in, err := a.invocationInput(r, invocationTypes)
	if err != nil {
		return nil, err
	}
	fr, typ, payload, inv := in.ref, in.typ, in.payload, in.inv
	// The invocation's id is the response's x-amzn-RequestId, as in Lambda.
	hdr := http.Header{"x-amzn-RequestId": {inv.RequestID}}
	switch typ {
	case "DryRun":
		if _, err := a.fns.Resolve(ctx, fr.qualified()); err != nil {
			return nil, a.mapErr(err, fr)
		}
		return &restjson.Raw{Status: http.StatusNoContent, Header: hdr}, nil
	case "Event":
		if err := a.fns.InvokeAsync(ctx, fr.qualified(), payload, inv); err != nil {
			return nil, a.mapErr(err, fr)
		}
		return &restjson.Raw{Status: http.StatusAccepted, Header: hdr}, nil
	}
	// As in Lambda, an invocation runs to its end (or its timeout) even if
	// the caller goes away; killing the instance would only cost the next
	// caller a cold start.
	res, err := a.fns.InvokeFunction(context.WithoutCancel(ctx), fr.qualified(), payload, inv)
	if err != nil {
		return nil, a.mapErr(err, fr)
	}
	hdr["X-Amz-Executed-Version"] = []string{res.ExecutedVersion}
	if res.FunctionError != "" {
		hdr["X-Amz-Function-Error"] = []string{res.FunctionError}
	}
	if inv.LogTail && res.Logs != nil {
		hdr["X-Amz-Log-Result"] = []string{base64.StdEncoding.EncodeToString(res.Logs)}
	}
	return &restjson.Raw{ContentType: "application/json", Header: hdr, Body: res.Payload}, nil
}

// invocationInput is what Invoke and InvokeWithResponseStream read from
// their requests.
type invocationInput struct {
	ref     ref
	typ     string
	payload []byte
	inv     lambda.Invocation
}

// invocationInput validates an invocation request: its function, the
// invocation and log types (types lists the invocation types the operation
// accepts), the payload and the client context.
func (a *API) invocationInput(r *restjson.Request, types []string) (invocationInput, error) {
	fr, err := a.parseRef(r)
	if err != nil {
		return invocationInput{}, err
	}
	typ := headerOr(r, "X-Amz-Invocation-Type", "RequestResponse")
	logType := headerOr(r, "X-Amz-Log-Type", "None")
	var v validation
	if !contains(types, typ) {
		v.enum(typ, "invocationType", types)
	}
	if !contains(logTypes, logType) {
		v.enum(logType, "logType", logTypes)
	}
	if err := v.err(); err != nil {
		return invocationInput{}, err
	}
	payload := r.Body
	if len(strings.TrimSpace(string(payload))) == 0 {
		payload = []byte("{}") // Lambda hands an empty payload over as {} [U]
	} else if err := checkJSON(payload); err != nil {
		return invocationInput{}, err
	}
	inv := lambda.Invocation{RequestID: uuid.NewString(), LogTail: logType == "Tail"}
	if cc := r.HTTP.Header.Get("X-Amz-Client-Context"); cc != "" {
		doc, err := base64.StdEncoding.DecodeString(cc)
		if err != nil || !json.Valid(doc) {
			return invocationInput{}, invalidRequestContent("Client context must be a valid Base64-encoded JSON object.") // [U]
		}
		inv.ClientContext = string(doc)
	}
	return invocationInput{ref: fr, typ: typ, payload: payload, inv: inv}, nil
}

func headerOr(r *restjson.Request, name, def string) string {
	if v := r.HTTP.Header.Get(name); v != "" {
		return v
	}
	return def
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func invalidRequestContent(message string) error {
	return lambdaErr(http.StatusBadRequest, "InvalidRequestContentException", message)
}

// checkJSON refuses a payload that is not one JSON value, with Lambda's
// message prefix; the detail is Go's parser's, not Lambda's (Jackson's) [U].
func checkJSON(payload []byte) error {
	if json.Valid(payload) {
		return nil
	}
	var v any
	err := json.Unmarshal(payload, &v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	detail := err.Error()
	if errors.As(err, &se) {
		detail = se.Error()
	}
	return invalidRequestContent("Could not parse request body into json: Could not parse payload into json: " + detail)
}
