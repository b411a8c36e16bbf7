package e2e

// Harness for the Lambda tests (lambda_*_test.go): the aws-lambda-go test
// functions under testdata/functions, built once per run, their deployment
// packages, a Lambda API client, AWS_PROXY/AWS integration helpers and a
// child-process counter.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

var (
	fnOnce sync.Once
	fnDir  string
	fnErr  error
)

// functionBinary returns the path of the test function name, building all
// of them (CGO_ENABLED=0) on first use.
func functionBinary(t testing.TB, name string) string {
	t.Helper()
	fnOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tollgate-e2e-fns")
		if err != nil {
			fnErr = err
			return
		}
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", dir+string(filepath.Separator), "./e2e/testdata/functions/...")
		cmd.Dir = repoRoot()
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fnErr = fmt.Errorf("building the test functions: %v\n%s", err, out)
			return
		}
		fnDir = dir
	})
	if fnErr != nil {
		t.Fatal(fnErr)
	}
	p := filepath.Join(fnDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no test function %s: %v", name, err)
	}
	return p
}

// functionZip returns a deployment package holding the test function as
// its bootstrap (mode 0755).
func functionZip(t testing.TB, name string) []byte {
	t.Helper()
	bin, err := os.ReadFile(functionBinary(t, name))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(bin); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// functionStubZip returns a small deployment package whose bootstrap is a
// script that execs the built test function: the same program, without
// uploading megabytes for each of the many functions the tests create.
// (functionZip's packages, holding the program itself, are used where the
// upload path is what is tested.)
func functionStubZip(t testing.TB, name string) []byte {
	t.Helper()
	script := "#!/bin/sh\nexec '" + functionBinary(t, name) + "' \"$@\"\n"
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, script); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withRealCode makes createFunction upload the program itself.
func withRealCode(t testing.TB, fn string) func(*lambdasdk.CreateFunctionInput) {
	return func(in *lambdasdk.CreateFunctionInput) { in.Code.ZipFile = functionZip(t, fn) }
}

// functionFlag is `--function name=<test function binary>`.
func functionFlag(t testing.TB, name, fn string) []string {
	return []string{"--function", name + "=" + functionBinary(t, fn)}
}

// lambdaClient is an aws-sdk-go-v2 Lambda client for the gateway's
// management API, signed with its generated credentials.
func (g *Gateway) lambdaClient(t testing.TB) *lambdasdk.Client {
	t.Helper()
	c := g.client(t.(*testing.T))
	return lambdasdk.New(lambdasdk.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(g.Endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider(c.creds.AccessKeyID, c.creds.SecretAccessKey, ""),
		RetryMaxAttempts: 1,
	})
}

// createFunction creates name from the test function fn through the
// Lambda API (with a stub package unless mutate says otherwise).
func (g *Gateway) createFunction(t testing.TB, name, fn string, mutate func(*lambdasdk.CreateFunctionInput)) {
	t.Helper()
	in := &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String(name),
		Role:         aws.String("arn:aws:iam::000000000000:role/lambda"),
		Runtime:      "provided.al2023",
		Handler:      aws.String("bootstrap"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionStubZip(t, fn)},
	}
	if mutate != nil {
		mutate(in)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := g.lambdaClient(t).CreateFunction(ctx, in); err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}

// lambdaURI is the integration URI that invokes fn (a name, an ARN, or a
// stage-variable reference).
func lambdaURI(fn string) string {
	if !strings.HasPrefix(fn, "arn:") {
		fn = "arn:aws:lambda:us-east-1:000000000000:function:" + fn
	}
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations"
}

// lambdaProxy defines verb on path as an AWS_PROXY integration to fn.
func (a *restAPI) lambdaProxy(t testing.TB, path, verb, fn string, extra map[string]any) {
	t.Helper()
	a.method(t, path, verb, nil)
	body := map[string]any{"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambdaURI(fn)}
	for k, v := range extra {
		body[k] = v
	}
	a.integration(t, path, verb, body)
}

// childPIDs lists the processes whose parent is pid (from /proc).
func childPIDs(t testing.TB, pid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatalf("/proc: %v", err)
	}
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil {
			continue // gone meanwhile
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PPid:"); ok {
				if ppid, _ := strconv.Atoi(strings.TrimSpace(v)); ppid == pid {
					out = append(out, child)
				}
				break
			}
		}
	}
	return out
}

// waitChildren waits until the gateway has n child processes (within 5 s)
// and returns how many it has.
func (g *Gateway) waitChildren(t testing.TB, n int) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := len(childPIDs(t, g.cmd.Process.Pid))
		if got == n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitLog waits until the gateway's log contains s (within 5 s).
func (g *Gateway) waitLog(t testing.TB, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(g.Logs(), s) {
		if time.Now().After(deadline) {
			t.Errorf("the gateway log lacks %q:\n%s", s, lastBytes(g.Logs(), 6<<10))
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
