package mgmt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/awsjson"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/sigv4"
)

// TestJSON11Dispatch: an AWS JSON 1.1 service registered through awsjson is
// reached by X-Amz-Target on POST /, beside the REST-JSON routes, signed
// for its own service name, and every answer (success, service error,
// unknown operation, failed signature) has the JSON 1.1 shape botocore
// reads: the error type in "__type".
func TestJSON11Dispatch(t *testing.T) {
	svc := awsjson.Service{TargetPrefix: "Demo_20200101", SigningName: "demo", Ops: map[string]awsjson.Handler{
		"Echo": func(_ context.Context, r *restjson.Request) (any, error) {
			var in struct{ Name string }
			if err := awsjson.Decode(r, &in); err != nil {
				return nil, err
			}
			if in.Name == "" {
				return nil, awserr.New(http.StatusBadRequest, "InvalidParameterException", "Name is required")
			}
			return map[string]string{"Greeting": "hello " + in.Name}, nil
		},
		"Nothing": func(context.Context, *restjson.Request) (any, error) { return nil, nil },
	}}
	services, _ := newTestAPI(t, "000000000000")
	srv := mgmt.New(mgmt.Config{
		Auth: mgmt.SigV4{Verifier: &sigv4.Verifier{Region: sockRegion, Credentials: sigv4.CredentialsFunc(func(id string) (string, bool) {
			return sockSecret, id == sockAKID
		})}},
		Services: append(services, svc),
		Logger:   slog.New(slog.DiscardHandler),
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	call := func(target, service, body string) answer {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+"/", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		if err := v4.NewSigner().SignHTTP(context.Background(), sockCreds(), req, sha256Hex([]byte(body)), service, sockRegion, time.Now()); err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return readAnswer(t, res)
	}
	errorBody := func(a answer) (typ, msg string) {
		t.Helper()
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal([]byte(a.Body), &e); err != nil {
			t.Fatalf("error body %q: %v", a.Body, err)
		}
		if ct := a.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			t.Errorf("error Content-Type %q", ct)
		}
		return e.Type, e.Message
	}

	a := call("Demo_20200101.Echo", "demo", `{"Name":"tollgate"}`)
	if a.Status != 200 || a.Body != `{"Greeting":"hello tollgate"}` || a.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("Echo: %d %s %q", a.Status, a.Header.Get("Content-Type"), a.Body)
	}
	if a := call("Demo_20200101.Nothing", "demo", `{}`); a.Status != 200 || a.Body != `{}` {
		t.Errorf("Nothing: %d %q", a.Status, a.Body)
	}
	a = call("Demo_20200101.Echo", "demo", `{}`)
	if typ, msg := errorBody(a); a.Status != 400 || typ != "InvalidParameterException" || msg != "Name is required" || a.Type != typ {
		t.Errorf("service error: %d %q %q (header %q)", a.Status, typ, msg, a.Type)
	}
	a = call("Demo_20200101.Echo", "demo", `{"Name":`)
	if typ, _ := errorBody(a); a.Status != 400 || typ != "SerializationException" {
		t.Errorf("malformed body: %d %q", a.Status, typ)
	}
	a = call("Demo_20200101.Missing", "demo", `{}`)
	if typ, _ := errorBody(a); a.Status != 400 || typ != "UnknownOperationException" {
		t.Errorf("unknown operation: %d %q", a.Status, typ)
	}
	// Signed for another service: the signature check refuses it, in the
	// service's shape.
	a = call("Demo_20200101.Echo", "apigateway", `{"Name":"x"}`)
	if typ, _ := errorBody(a); a.Status != 403 || typ == "" {
		t.Errorf("wrong signing service: %d %q %s", a.Status, typ, a.Body)
	}
	// A target of no registered service is not routed (REST-JSON's 404),
	// and the REST routes still answer beside the JSON service.
	if a := call("Other_1.Echo", "apigateway", `{}`); a.Status != 404 {
		t.Errorf("unregistered prefix: %d %s", a.Status, a.Body)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/restapis", nil)
	_ = v4.NewSigner().SignHTTP(context.Background(), sockCreds(), req, sha256Hex(nil), "apigateway", sockRegion, time.Now())
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Errorf("GET /restapis beside the JSON service: %v %v", res, err)
	} else {
		res.Body.Close()
	}
}
