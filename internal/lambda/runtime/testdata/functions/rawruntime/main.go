// Command rawruntime is a test runtime written against the Runtime API by
// hand (no aws-lambda-go), to probe the API's answers. RAW_MODE selects:
//
//   - probe (default): serve invocations; each answer is a JSON report of
//     the headers received and of the statuses and bodies of deliberately
//     wrong calls (an unknown request id, an unknown path, init/error after
//     init, and a second answer to the previous invocation).
//   - initerror: post a JSON document to /runtime/init/error, then wait.
//   - initerror-text: post a plain-text body with an error-type header.
//   - errortext: answer each invocation on /error with a plain-text body.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

var base = "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime"

type answer struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body,omitempty"`
	Text   string          `json:"text,omitempty"`
}

func call(method, url, errType string, body []byte) answer {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	if errType != "" {
		req.Header.Set("Lambda-Runtime-Function-Error-Type", errType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{Status: resp.StatusCode}
	if json.Valid(b) {
		a.Body = b
	} else {
		a.Text = string(b)
	}
	return a
}

func main() {
	switch os.Getenv("RAW_MODE") {
	case "initerror":
		call("POST", base+"/init/error", "Runtime.ConfigError",
			[]byte(`{"errorMessage":"missing configuration","errorType":"Runtime.ConfigError"}`))
		time.Sleep(time.Minute)
		return
	case "initerror-text":
		call("POST", base+"/init/error", "Runtime.NoConfig", []byte("no configuration"))
		time.Sleep(time.Minute)
		return
	}
	var previous string
	for {
		resp, err := http.Get(base + "/invocation/next")
		if err != nil {
			panic(err)
		}
		event, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		if os.Getenv("RAW_MODE") == "errortext" {
			call("POST", base+"/invocation/"+id+"/error", "Function.Oops", []byte("plain failure"))
			continue
		}
		report := map[string]any{
			"event":           json.RawMessage(event),
			"contentType":     resp.Header.Get("Content-Type"),
			"requestId":       id,
			"deadlineMs":      resp.Header.Get("Lambda-Runtime-Deadline-Ms"),
			"arn":             resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"),
			"traceId":         resp.Header.Get("Lambda-Runtime-Trace-Id"),
			"clientContext":   resp.Header.Get("Lambda-Runtime-Client-Context"),
			"cognitoIdentity": resp.Header.Get("Lambda-Runtime-Cognito-Identity"),
			"unknownId":       call("POST", base+"/invocation/no-such-id/response", "", []byte(`{}`)),
			"unknownIdError":  call("POST", base+"/invocation/no-such-id/error", "", []byte(`{}`)),
			"unknownPath":     call("GET", base+"/nothing-here", "", nil),
			"wrongMethod":     call("GET", base+"/invocation/"+id+"/response", "", nil),
			"initAfterReady":  call("POST", base+"/init/error", "", []byte(`{}`)),
		}
		if previous != "" {
			report["duplicate"] = call("POST", base+"/invocation/"+previous+"/response", "", []byte(`{}`))
		}
		body, _ := json.Marshal(report)
		ok := call("POST", base+"/invocation/"+id+"/response", "", body)
		if ok.Status != http.StatusAccepted {
			fmt.Fprintf(os.Stderr, "response not accepted: %+v\n", ok)
		}
		fmt.Printf("accepted=%s\n", ok.Body)
		previous = id
	}
}
