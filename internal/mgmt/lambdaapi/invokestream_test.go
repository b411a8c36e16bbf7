package lambdaapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/tollgate/tollgate/internal/lambda"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
)

// sdkClient is the AWS SDK for Go's Lambda client for a test server.
func sdkClient(t *testing.T) (*lambdasdk.Client, string) {
	t.Helper()
	srv := httptest.NewServer(server(t))
	t.Cleanup(srv.Close)
	c := lambdasdk.New(lambdasdk.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	return c, srv.URL
}

func createFn(t *testing.T, c *lambdasdk.Client, name, zipName string) {
	t.Helper()
	_, err := c.CreateFunction(context.Background(), &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String(name), Role: aws.String("arn:aws:iam::000000000000:role/lambda"),
		Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Timeout: aws.Int32(10),
		Code: &types.FunctionCode{ZipFile: zips[zipName]},
	})
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}

// events reads an event stream to its end: the payload chunks and the
// InvokeComplete event.
type streamed struct {
	chunks   []string
	complete *types.InvokeWithResponseStreamCompleteEvent
}

func readEvents(t *testing.T, out *lambdasdk.InvokeWithResponseStreamOutput, onChunk func(string)) streamed {
	t.Helper()
	es := out.GetStream()
	defer es.Close()
	var s streamed
	for ev := range es.Events() {
		switch e := ev.(type) {
		case *types.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			s.chunks = append(s.chunks, string(e.Value.Payload))
			if onChunk != nil {
				onChunk(string(e.Value.Payload))
			}
		case *types.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			if s.complete != nil {
				t.Error("two InvokeComplete events")
			}
			s.complete = &e.Value
		default:
			t.Errorf("unexpected event %T", ev)
		}
	}
	if err := es.Err(); err != nil {
		t.Fatalf("event stream: %v", err)
	}
	if s.complete == nil {
		t.Fatal("no InvokeComplete event")
	}
	return s
}

// TestInvokeWithResponseStreamSDK drives InvokeWithResponseStream with the
// AWS SDK for Go: the chunks of a streaming function arrive as it writes
// them (the function writes its second chunk only once the client has the
// first), its content type is the response's, and InvokeComplete carries
// its error; a function that answers whole comes in one chunk.
func TestInvokeWithResponseStreamSDK(t *testing.T) {
	c, _ := sdkClient(t)
	ctx := context.Background()
	createFn(t, c, "streamer", "streamer")
	createFn(t, c, "echo", "echo")
	createFn(t, c, "fail", "fail")

	gate := filepath.Join(t.TempDir(), "go")
	ev, _ := json.Marshal(map[string]any{"chunks": []string{"one;", "two;", "three"}, "waitFile": gate, "contentType": "text/plain"})
	out, err := c.InvokeWithResponseStream(ctx, &lambdasdk.InvokeWithResponseStreamInput{FunctionName: aws.String("streamer"), Payload: ev})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 200 || aws.ToString(out.ResponseStreamContentType) != "text/plain" || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("status %d, content type %q, version %q", out.StatusCode, aws.ToString(out.ResponseStreamContentType), aws.ToString(out.ExecutedVersion))
	}
	s := readEvents(t, out, func(chunk string) {
		if strings.HasPrefix(chunk, "one;") {
			_ = os.WriteFile(gate, nil, 0o600) // only now may the function go on
		}
	})
	if got := strings.Join(s.chunks, ""); got != "one;two;three" {
		t.Errorf("payload %q (chunks %q)", got, s.chunks)
	}
	if s.complete.ErrorCode != nil || s.complete.ErrorDetails != nil {
		t.Errorf("InvokeComplete %+v", s.complete)
	}

	// Error trailers half-way.
	ev, _ = json.Marshal(map[string]any{"chunks": []string{"partial"}, "failType": "Function.Oops"})
	out, err = c.InvokeWithResponseStream(ctx, &lambdasdk.InvokeWithResponseStreamInput{FunctionName: aws.String("streamer"), Payload: ev})
	if err != nil {
		t.Fatal(err)
	}
	s = readEvents(t, out, nil)
	if strings.Join(s.chunks, "") != "partial" || aws.ToString(s.complete.ErrorCode) != "Function.Oops" ||
		aws.ToString(s.complete.ErrorDetails) != "failed half-way" {
		t.Errorf("chunks %q, complete %q %q", s.chunks, aws.ToString(s.complete.ErrorCode), aws.ToString(s.complete.ErrorDetails))
	}

	// A function answering whole, and one failing.
	out, err = c.InvokeWithResponseStream(ctx, &lambdasdk.InvokeWithResponseStreamInput{FunctionName: aws.String("echo"), Payload: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if ct := aws.ToString(out.ResponseStreamContentType); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	if s = readEvents(t, out, nil); len(s.chunks) != 1 || !strings.Contains(s.chunks[0], `"a":1`) || s.complete.ErrorCode != nil {
		t.Errorf("echo: chunks %q, complete %+v", s.chunks, s.complete)
	}
	out, err = c.InvokeWithResponseStream(ctx, &lambdasdk.InvokeWithResponseStreamInput{FunctionName: aws.String("fail"), Payload: []byte(`{"message":"no"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if s = readEvents(t, out, nil); len(s.chunks) != 0 || aws.ToString(s.complete.ErrorCode) == "" || !strings.Contains(aws.ToString(s.complete.ErrorDetails), "no") {
		t.Errorf("fail: chunks %q, complete %q %q", s.chunks, aws.ToString(s.complete.ErrorCode), aws.ToString(s.complete.ErrorDetails))
	}

	// Errors before any stream are the API's.
	_, err = c.InvokeWithResponseStream(ctx, &lambdasdk.InvokeWithResponseStreamInput{FunctionName: aws.String("nope"), Payload: []byte(`{}`)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown function: %v", err)
	}
	_, err = c.InvokeWithResponseStream(ctx, &lambdasdk.InvokeWithResponseStreamInput{FunctionName: aws.String("echo"), Payload: []byte(`{"a":`)})
	var bad *types.InvalidRequestContentException
	if !errors.As(err, &bad) {
		t.Errorf("bad payload: %v", err)
	}
}

// TestRemoteInvokeStream: a Tollgate whose functions live behind another
// Lambda endpoint streams them through InvokeWithResponseStream.
func TestRemoteInvokeStream(t *testing.T) {
	c, url := sdkClient(t)
	createFn(t, c, "streamer", "streamer")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	remote, err := lambda.NewRemote(context.Background(), url, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	res, err := remote.InvokeStream(context.Background(), "streamer", []byte(`{"chunks":["a","b"],"failType":"Function.Oops"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	var fe *runtime.FunctionError
	if string(b) != "ab" || !errors.As(err, &fe) || !strings.Contains(string(fe.Payload), `"errorType":"Function.Oops"`) {
		t.Errorf("read %q, end %v", b, err)
	}
}
