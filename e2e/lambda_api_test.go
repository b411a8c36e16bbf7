package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// expectAPIError checks that err is a service error with the given code,
// HTTP status and message.
func expectAPIError(t *testing.T, what string, err error, code string, status int, message string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Errorf("%s: got %v, want %s", what, err, code)
		return
	}
	var re interface{ HTTPStatusCode() int }
	gotStatus := 0
	if errors.As(err, &re) {
		gotStatus = re.HTTPStatusCode()
	}
	if api.ErrorCode() != code || gotStatus != status || api.ErrorMessage() != message {
		t.Errorf("%s: got %s %d %q, want %s %d %q", what, api.ErrorCode(), gotStatus, api.ErrorMessage(), code, status, message)
	}
}

// TestLambdaAPI drives the Lambda API with aws-sdk-go-v2: the function
// lifecycle, every invocation type, log tails, reserved concurrency, and
// the errors Lambda answers.
func TestLambdaAPI(t *testing.T) {
	t.Parallel()
	g := startGateway(t, "", functionFlag(t, "local-echo", "echo")...)
	c := g.lambdaClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:"

	created, err := c.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("api-echo"),
		Role:         aws.String("arn:aws:iam::000000000000:role/lambda"),
		Runtime:      lambdatypes.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "echo")},
		Description:  aws.String("echoes"),
		Timeout:      aws.Int32(5),
		MemorySize:   aws.Int32(256),
		Environment:  &lambdatypes.Environment{Variables: map[string]string{"GREETING": "hello"}},
		Tags:         map[string]string{"team": "a"},
	})
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	if aws.ToString(created.FunctionArn) != arn+"api-echo" || created.State != lambdatypes.StateActive ||
		aws.ToInt32(created.Timeout) != 5 || aws.ToInt32(created.MemorySize) != 256 || created.Runtime != "provided.al2023" ||
		aws.ToString(created.Version) != "$LATEST" || created.PackageType != "Zip" || aws.ToString(created.CodeSha256) == "" ||
		created.CodeSize == 0 || aws.ToString(created.RevisionId) == "" || created.Environment.Variables["GREETING"] != "hello" {
		t.Errorf("CreateFunction output: %+v", created)
	}

	got, err := c.GetFunction(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("api-echo")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Code.RepositoryType) != "S3" || aws.ToString(got.Code.Location) == "" || got.Tags["team"] != "a" ||
		aws.ToString(got.Configuration.Description) != "echoes" {
		t.Errorf("GetFunction: %+v %+v", got.Code, got.Configuration)
	}
	cfg, err := c.GetFunctionConfiguration(ctx, &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String(arn + "api-echo")})
	if err != nil || aws.ToString(cfg.RevisionId) != aws.ToString(created.RevisionId) {
		t.Errorf("GetFunctionConfiguration by ARN: %v %+v", err, cfg)
	}

	// Invoke: RequestResponse with a log tail.
	out, err := c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("api-echo"), Payload: []byte(`{"hello":"world"}`), LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if out.StatusCode != 200 || string(out.Payload) != `{"hello":"world"}` || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" ||
		!strings.HasPrefix(string(logs), "START RequestId: ") || !strings.Contains(string(logs), "echo: 17 bytes\n") || !strings.Contains(string(logs), "REPORT RequestId: ") {
		t.Errorf("Invoke: %d %s %v %v\n%s", out.StatusCode, out.Payload, out.FunctionError, out.ExecutedVersion, logs)
	}
	// The environment reaches the function.
	out, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("api-echo"), Payload: []byte(`{"getenv":"GREETING"}`)})
	if err != nil || string(out.Payload) != `{"GREETING":"hello"}` {
		t.Errorf("Invoke getenv: %v %s", err, out.Payload)
	}
	// Event and DryRun.
	ev, err := c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("api-echo"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{"async":true}`)})
	if err != nil || ev.StatusCode != 202 || len(ev.Payload) != 0 {
		t.Errorf("Invoke Event: %v %+v", err, ev)
	}
	g.waitLog(t, "echo: 14 bytes")
	dry, err := c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("api-echo"), InvocationType: lambdatypes.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Errorf("Invoke DryRun: %v %+v", err, dry)
	}
	// A function registered with --function is listed and invoked the same way.
	out, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("local-echo"), Payload: []byte(`[1,2]`)})
	if err != nil || string(out.Payload) != `[1,2]` {
		t.Errorf("Invoke local-echo: %v %s", err, out.Payload)
	}

	// UpdateFunctionConfiguration, then UpdateFunctionCode to another program.
	upd, err := c.UpdateFunctionConfiguration(ctx, &lambdasdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("api-echo"), Environment: &lambdatypes.Environment{Variables: map[string]string{"GREETING": "bonjour"}},
		Timeout: aws.Int32(2),
	})
	if err != nil || aws.ToInt32(upd.Timeout) != 2 || aws.ToString(upd.RevisionId) == aws.ToString(created.RevisionId) {
		t.Errorf("UpdateFunctionConfiguration: %v %+v", err, upd)
	}
	out, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("api-echo"), Payload: []byte(`{"getenv":"GREETING"}`)})
	if err != nil || string(out.Payload) != `{"GREETING":"bonjour"}` {
		t.Errorf("Invoke after the update: %v %s", err, out.Payload)
	}
	_, err = c.UpdateFunctionConfiguration(ctx, &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("api-echo"),
		Description: aws.String("x"), RevisionId: created.RevisionId})
	expectAPIError(t, "stale RevisionId", err, "PreconditionFailedException", 412,
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	code, err := c.UpdateFunctionCode(ctx, &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String("api-echo"), ZipFile: functionStubZip(t, "fail")})
	if err != nil || aws.ToString(code.CodeSha256) == aws.ToString(created.CodeSha256) {
		t.Errorf("UpdateFunctionCode: %v %+v", err, code)
	}
	out, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("api-echo"), Payload: []byte(`{"message":"nope"}`)})
	if err != nil || out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorMessage":"nope"`) {
		t.Errorf("Invoke the new code: %v %+v %s", err, out, out.Payload)
	}

	// ListFunctions, page by page.
	for i := range 3 {
		g.createFunction(t, "list-"+string(rune('a'+i)), "echo", nil)
	}
	var names []string
	p := lambdasdk.NewListFunctionsPaginator(c, &lambdasdk.ListFunctionsInput{MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	if strings.Join(names, ",") != "api-echo,list-a,list-b,list-c,local-echo" || pages != 3 {
		t.Errorf("ListFunctions: %v in %d pages", names, pages)
	}

	// Reserved concurrency: 0 throttles everything; 1 throttles the second
	// concurrent invocation at once.
	g.createFunction(t, "slow", "sleep", nil)
	if _, err := c.PutFunctionConcurrency(ctx, &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("slow"), Payload: []byte(`{"ms":1}`)})
	expectAPIError(t, "reserved concurrency 0", err, "TooManyRequestsException", 429, "Rate Exceeded.")
	var tm *lambdatypes.TooManyRequestsException
	if errors.As(err, &tm) && tm.Reason != lambdatypes.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("throttle reason %q", tm.Reason)
	}
	if _, err := c.PutFunctionConcurrency(ctx, &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	gc, err := c.GetFunctionConcurrency(ctx, &lambdasdk.GetFunctionConcurrencyInput{FunctionName: aws.String("slow")})
	if err != nil || aws.ToInt32(gc.ReservedConcurrentExecutions) != 1 {
		t.Errorf("GetFunctionConcurrency: %v %+v", err, gc)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Retried while the probes below hold the slot.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			out, err := c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("slow"), Payload: []byte(`{"ms":2500}`)})
			var tm *lambdatypes.TooManyRequestsException
			if errors.As(err, &tm) && time.Now().Before(deadline) {
				continue
			}
			if err != nil || out.FunctionError != nil {
				t.Errorf("slow invocation: %v", err)
			}
			return
		}
	}()
	// While the slow one holds the only slot, another is throttled at once.
	throttled := false
	for deadline := time.Now().Add(4 * time.Second); !throttled && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("slow"), Payload: []byte(`{"ms":1}`)})
		throttled = errors.As(err, &tm)
	}
	expectAPIError(t, "reserved concurrency 1, second invocation", err, "TooManyRequestsException", 429, "Rate Exceeded.")
	wg.Wait()
	if _, err := c.DeleteFunctionConcurrency(ctx, &lambdasdk.DeleteFunctionConcurrencyInput{FunctionName: aws.String("slow")}); err != nil {
		t.Fatal(err)
	}

	// Errors.
	_, err = c.GetFunction(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("nope")})
	expectAPIError(t, "GetFunction nope", err, "ResourceNotFoundException", 404, "Function not found: "+arn+"nope")
	_, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("nope")})
	expectAPIError(t, "Invoke nope", err, "ResourceNotFoundException", 404, "Function not found: "+arn+"nope")
	_, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("api-echo"), Qualifier: aws.String("7")})
	expectAPIError(t, "Invoke a version", err, "ResourceNotFoundException", 404, "Function not found: "+arn+"api-echo:7")
	_, err = c.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("api-echo"), Role: aws.String("arn:aws:iam::000000000000:role/lambda"),
		Code: &lambdatypes.FunctionCode{ZipFile: functionStubZip(t, "echo")}})
	expectAPIError(t, "CreateFunction again", err, "ResourceConflictException", 409, "Function already exist: api-echo")
	_, err = c.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("reserved"), Role: aws.String("arn:aws:iam::000000000000:role/lambda"),
		Code: &lambdatypes.FunctionCode{ZipFile: functionStubZip(t, "echo")}, Environment: &lambdatypes.Environment{Variables: map[string]string{"AWS_REGION": "x", "A": "b", "AWS_ACCESS_KEY_ID": "k"}}})
	expectAPIError(t, "reserved environment keys", err, "InvalidParameterValueException", 400,
		"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_ACCESS_KEY_ID, AWS_REGION")
	_, err = c.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("badzip"), Role: aws.String("arn:aws:iam::000000000000:role/lambda"),
		Code: &lambdatypes.FunctionCode{ZipFile: []byte("not a zip")}})
	expectAPIError(t, "bad zip", err, "InvalidParameterValueException", 400, "Could not unzip uploaded file. Please check your file, then try to upload again.")
	_, err = c.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("t"), Role: aws.String("arn:aws:iam::000000000000:role/lambda"),
		Code: &lambdatypes.FunctionCode{ZipFile: functionStubZip(t, "echo")}, Timeout: aws.Int32(901)})
	expectAPIError(t, "timeout 901", err, "ValidationException", 400,
		"1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900")
	_, err = c.UpdateFunctionConfiguration(ctx, &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("api-echo"), MemorySize: aws.Int32(10241)})
	expectAPIError(t, "memory 10241", err, "ValidationException", 400,
		"1 validation error detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240")
	_, err = c.UpdateFunctionConfiguration(ctx, &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("local-echo"), Description: aws.String("x")})
	expectAPIError(t, "update a --function function", err, "InvalidParameterValueException", 400,
		"Function local-echo is registered with --function and cannot be changed through the API")
	_, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("api-echo"), Payload: []byte(`{not json`)})
	var irc *lambdatypes.InvalidRequestContentException
	if !errors.As(err, &irc) {
		t.Errorf("invalid JSON payload: %v", err)
	}
	// Oversized payloads: a request over 6 MB, a response over 6 MB.
	_, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("local-echo"), Payload: []byte(`"` + strings.Repeat("a", 6<<20) + `"`)})
	expectAPIError(t, "7 MB payload", err, "RequestEntityTooLargeException", 413, "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
	out, err = c.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("local-echo"), Payload: []byte(`{"big":7000000}`)})
	var doc struct{ ErrorType, ErrorMessage string }
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || json.Unmarshal(out.Payload, &doc) != nil || doc.ErrorType != "Function.ResponseSizeTooLarge" {
		t.Errorf("7 MB response: %v %s", err, out.Payload)
	}

	// DeleteFunction.
	del, err := c.DeleteFunction(ctx, &lambdasdk.DeleteFunctionInput{FunctionName: aws.String("api-echo")})
	if err != nil || del.StatusCode != 204 {
		t.Errorf("DeleteFunction: %v %+v", err, del)
	}
	_, err = c.DeleteFunction(ctx, &lambdasdk.DeleteFunctionInput{FunctionName: aws.String("api-echo")})
	expectAPIError(t, "DeleteFunction again", err, "ResourceNotFoundException", 404, "Function not found: "+arn+"api-echo")
	checkGatewayLog(t, g)
}
