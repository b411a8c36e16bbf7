package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/cfn"
	"github.com/tollgate/tollgate/internal/stack"
)

// benchTemplate writes a SAM template of 12 Node.js functions, each behind
// a REST route and an HTTP route: 53 CloudFormation resources once SAM has
// expanded it (functions, roles, permissions, two APIs, a deployment,
// three stages).
func benchTemplate(tb testing.TB) string {
	dir := tb.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		tb.Fatal(err)
	}
	code := "export const handler = async (e) => ({statusCode: 200, body: 'ok'});\n"
	if err := os.WriteFile(filepath.Join(dir, "src", "index.mjs"), []byte(code), 0o644); err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: nodejs22.x\n    Handler: index.handler\n    CodeUri: src/\nResources:\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, "  Fn%d:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Rest:\n          Type: Api\n          Properties: {Path: /r%d, Method: get}\n        Http:\n          Type: HttpApi\n          Properties: {Path: /h%d, Method: get}\n", i, i, i)
	}
	path := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkServeTemplate50 measures a 53-resource SAM template from file
// to served: build (parse, SAM expansion, checks, code zipped), create
// through the management APIs, and the first answer of the last REST and
// HTTP routes (a Node.js cold start each). The bar is under 1 s.
func BenchmarkServeTemplate50(b *testing.B) {
	g := serveInProcess(b)
	c := newMgmtClientWith(g.admin, "us-east-1", testCreds)
	path := benchTemplate(b)
	tr := &templateRunner{client: c, out: io.Discard, region: "us-east-1", accountID: "000000000000", configFile: "samconfig.toml", configEnv: "default"}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.stackName = fmt.Sprintf("bench-%d", i)
		ls, err := tr.build(path, func(string) {})
		if err != nil {
			b.Fatal(err)
		}
		if n := len(ls[0].stack.Resources); n < 50 {
			b.Fatalf("%d resources", n)
		}
		res, err := stack.Apply(ctx, c, ls[0].stack, stack.Options{Region: "us-east-1", AccountID: "000000000000"})
		if err != nil {
			b.Fatal(err)
		}
		waitOK(b, g.http+"/_aws/execute-api/"+res.RestAPIs[0].ID+"/Prod/r11")
		waitOK(b, g.http+"/_aws/execute-api/"+res.HTTPAPIs[0].ID+"/$default/h11")
	}
}

// waitOK polls u until it answers 200.
func waitOK(tb testing.TB, u string) {
	deadline := time.Now().Add(guard)
	for {
		res, err := http.Get(u)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: %v", u, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// BenchmarkBuildTemplate50 measures the template engine alone on the same
// template: parse, SAM expansion, conditions, the dry run of every
// expression, ordering.
func BenchmarkBuildTemplate50(b *testing.B) {
	path := benchTemplate(b)
	for i := 0; i < b.N; i++ {
		doc, err := cfn.LoadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cfn.Build(doc, cfn.Options{StackName: "bench", Region: "us-east-1", AccountID: "000000000000", Dir: filepath.Dir(path)}); err != nil {
			b.Fatal(err)
		}
	}
}
