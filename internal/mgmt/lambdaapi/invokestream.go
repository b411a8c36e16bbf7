package lambdaapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/tollgate/tollgate/internal/lambda/runtime"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// Invocation types InvokeWithResponseStream accepts [M:
// ResponseStreamingInvocationType].
var streamInvocationTypes = []string{"RequestResponse", "DryRun"}

// invokeWithResponseStream runs a function and answers 200 at once with an
// event stream (application/vnd.amazon.eventstream framing): a PayloadChunk
// event per piece of the response as the function writes it, then one
// InvokeComplete event, which carries the function's error, if any
// (ErrorCode: its errorType, ErrorDetails: its errorMessage [U: what Lambda
// puts there]). The HTTP Content-Type is the function's response content
// type [M: ResponseStreamContentType is bound to Content-Type].
//
// DryRun runs the function too: AWS answers it like RequestResponse [L:
// the SAM CLI's integration tests against AWS expect the payload chunks
// for InvocationType DryRun].
func (a *API) invokeWithResponseStream(ctx context.Context, r *restjson.Request) (any, error) {
	in, err := a.invocationInput(r, streamInvocationTypes)
	if err != nil {
		return nil, err
	}
	// As with Invoke, the function runs on if the caller goes away.
	res, err := a.fns.InvokeFunctionStream(context.WithoutCancel(ctx), in.ref.qualified(), in.payload, in.inv)
	if err != nil {
		return nil, a.mapErr(err, in.ref)
	}
	hdr := http.Header{
		"x-amzn-RequestId":       {in.inv.RequestID},
		"X-Amz-Executed-Version": {res.ExecutedVersion},
	}
	return &restjson.Raw{ContentType: res.ContentType, Header: hdr, Stream: func(w io.Writer) {
		defer res.Body.Close()
		writeEvents(w, res.Body)
	}}, nil
}

// chunkSize bounds one PayloadChunk event.
const chunkSize = 32 << 10

// writeEvents sends body as PayloadChunk events, then InvokeComplete. It
// stops when the client goes away (closing body lets the function finish
// on its own).
func writeEvents(w io.Writer, body io.Reader) {
	enc := eventstream.NewEncoder()
	buf := make([]byte, chunkSize)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if enc.Encode(w, event("PayloadChunk", "application/octet-stream", buf[:n])) != nil {
				return
			}
		}
		if err != nil {
			_ = enc.Encode(w, event("InvokeComplete", "application/json", completeEvent(err)))
			return
		}
	}
}

// event is an event-stream message of the given event type.
func event(typ, contentType string, payload []byte) eventstream.Message {
	return eventstream.Message{
		Headers: eventstream.Headers{
			{Name: ":event-type", Value: eventstream.StringValue(typ)},
			{Name: ":content-type", Value: eventstream.StringValue(contentType)},
			{Name: ":message-type", Value: eventstream.StringValue("event")},
		},
		Payload: payload,
	}
}

// completeEvent is InvokeComplete's body for how the stream ended: {} on
// success, else the function's error.
func completeEvent(end error) []byte {
	var c struct {
		ErrorCode    string `json:"ErrorCode,omitempty"`
		ErrorDetails string `json:"ErrorDetails,omitempty"`
	}
	var fe *runtime.FunctionError
	switch {
	case errors.Is(end, io.EOF):
	case errors.As(end, &fe):
		var doc struct {
			ErrorType    string `json:"errorType"`
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(fe.Payload, &doc)
		c.ErrorCode, c.ErrorDetails = doc.ErrorType, doc.ErrorMessage
		if c.ErrorCode == "" {
			c.ErrorCode, c.ErrorDetails = runtime.FunctionErrorUnhandled, string(fe.Payload)
		}
	default:
		c.ErrorCode, c.ErrorDetails = "ServiceException", end.Error() // [U]
	}
	b, _ := json.Marshal(c)
	return b
}
