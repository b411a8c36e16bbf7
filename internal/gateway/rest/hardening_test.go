package rest_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/router"
)

// integrationFunc adapts a function to rest.Integration.
type integrationFunc func(x *rest.Exchange) error

func (f integrationFunc) Invoke(x *rest.Exchange) error { return f(x) }

// serving returns a handler whose API "a", stage "s", answers every method
// on /{proxy+} with integ.
func serving(t *testing.T, integ rest.Integration) *front.Door {
	t.Helper()
	r := &rest.Route{RouteInfo: pipeline.RouteInfo{ResourceID: "res", ResourcePath: "/{proxy+}", HTTPMethod: "ANY"}, Integration: integ}
	d := &rest.Deployment{ID: "d", APIID: "a", APIName: "a", RouteList: []*rest.Route{r}, NumRoutes: 1}
	if err := d.Routes.Add("/{proxy+}", router.ANY, r); err != nil {
		t.Fatal(err)
	}
	door := &front.Door{}
	door.Set("a", "s", &rest.Stage{StageInfo: pipeline.StageInfo{Name: "s", APIID: "a"}, Deployment: d})
	return door
}

func serve(h *front.Door, req *gatewaytest.Request, resp *gatewaytest.Response) *gatewaytest.Response {
	h.Serve(context.Background(), req, resp)
	resp.Body()
	return resp
}

// TestDotSegmentsReachNoIntegration: the refusal comes before routing, so
// it holds for every integration type (a Lambda proxy event's path
// included), and for every addressing form.
func TestDotSegmentsReachNoIntegration(t *testing.T) {
	calls := 0
	h := serving(t, integrationFunc(func(x *rest.Exchange) error {
		calls++
		x.Resp.SetBody([]byte("reached " + x.StagePath))
		return nil
	}))
	for _, target := range []string{"/s/public/../admin", "/s/public/%2e%2e/admin", "/s/x/..%2fadmin", "/s/..;/admin", "/s/a/..",
		"/restapis/a/s/_user_request_/x/../y", "/_aws/execute-api/a/s/x/%252e%252e/y", "/../s/x", "/s/x\\..\\y"} {
		resp := serve(h, gatewaytest.NewRequest("GET", "a.execute-api.localhost", target, nil), gatewaytest.NewResponse())
		if resp.Code != 400 || string(resp.BodyBuf) != `{"message":"Bad Request"}` || resp.Headers.Get("x-amzn-RequestId") == "" {
			t.Errorf("%s: %d %q %v", target, resp.Code, resp.BodyBuf, resp.Headers)
		}
	}
	if calls != 0 {
		t.Fatalf("the integration ran %d times", calls)
	}
	resp := serve(h, gatewaytest.NewRequest("GET", "a.execute-api.localhost", "/s/files/a.b/..c/%2e%2e%2e", nil), gatewaytest.NewResponse())
	if resp.Code != 200 || string(resp.BodyBuf) != "reached /files/a.b/..c/%2e%2e%2e" {
		t.Errorf("an ordinary path: %d %q", resp.Code, resp.BodyBuf)
	}
}

// TestClientBodyErrors: a request body that cannot be read is the
// client's error: 400, or 408 when the client stopped sending.
func TestClientBodyErrors(t *testing.T) {
	h := serving(t, integrationFunc(func(x *rest.Exchange) error {
		b, err := x.ReadBody()
		if err != nil {
			return err
		}
		x.Resp.SetBody(b)
		return nil
	}))
	for _, c := range []struct {
		err    error
		status int
		body   string
	}{
		{errors.New("invalid chunk size"), 400, `{"message":"Bad Request"}`},
		{io.ErrUnexpectedEOF, 400, `{"message":"Bad Request"}`},
		{os.ErrDeadlineExceeded, 408, `{"message":"Request Timeout"}`},
	} {
		req := gatewaytest.NewRequest("POST", "a.execute-api.localhost", "/s/x", []byte("partial"))
		req.ChunkedBody, req.BodyErr = true, c.err
		resp := serve(h, req, gatewaytest.NewResponse())
		if resp.Code != c.status || string(resp.BodyBuf) != c.body {
			t.Errorf("%v: %d %q", c.err, resp.Code, resp.BodyBuf)
		}
	}
}

// failingBody returns its bytes, then err.
type failingBody struct {
	data string
	err  error
}

func (f *failingBody) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestStreamFailureBeforeSending: an engine that reads a stream whole
// before sending (as for HTTP/1.0 clients) and finds it broken sends the
// failure's gateway response, without the bytes read.
func TestStreamFailureBeforeSending(t *testing.T) {
	h := serving(t, integrationFunc(func(x *rest.Exchange) error {
		x.Resp.SetStatus(200)
		x.StreamBody(&failingBody{data: strings.Repeat("x", 1000), err: pipeline.Fail(pipeline.APIConfigurationError, io.ErrUnexpectedEOF)}, -1)
		return nil
	}))
	resp := gatewaytest.NewResponse()
	resp.ReadStreams = true
	serve(h, gatewaytest.NewRequest("GET", "a.execute-api.localhost", "/s/x", nil), resp)
	if resp.Code != 500 || string(resp.BodyBuf) != `{"message": "Internal server error"}` || resp.Headers.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
		t.Errorf("%d %q %v", resp.Code, resp.BodyBuf, resp.Headers)
	}
}
