package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestServeImportLambdaExample starts the gateway as the README's Lambda
// example does (`serve --function hello=… --import
// examples/lambda/openapi.yaml`) and calls the imported, deployed API; a
// restart re-imports over the same API instead of adding another.
func TestServeImportLambdaExample(t *testing.T) {
	fn := filepath.Join(t.TempDir(), "hello")
	build := exec.Command("go", "build", "-o", fn, "./examples/lambda/hello")
	build.Dir = repoRoot()
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the example function: %v\n%s", err, out)
	}
	spec := filepath.Join(repoRoot(), "examples", "lambda", "openapi.yaml")
	dataDir := filepath.Join(t.TempDir(), "data")
	imported := regexp.MustCompile(`imported REST API (\w+) \(HelloLambda\)`)

	dp := startDataPlane(t, dataDir, "--function", "hello="+fn, "--import", spec)
	var apiID string
	eventually(t, "the import at start-up", func() error {
		m := imported.FindStringSubmatch(dp.Stdout())
		if m == nil {
			return fmt.Errorf("not imported yet:\n%s", dp.Stdout())
		}
		apiID = m[1]
		return nil
	})
	// The deployment goes live asynchronously, within milliseconds.
	eventually(t, "the imported Lambda API", func() error {
		r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+apiID+"/dev/greet?name=Ada", nil, nil)
		if r.Status != 200 || decodeBody(t, r)["message"] != "Hello, Ada!" || decodeBody(t, r)["path"] != "/greet" {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	dp.Stop()

	// Started again on the same data dir: the API is replaced, not duplicated.
	dp2 := startDataPlane(t, dataDir, "--function", "hello="+fn, "--import", spec)
	eventually(t, "the re-import", func() error {
		if !regexp.MustCompile(`replaced REST API ` + apiID + ` \(HelloLambda\)`).MatchString(dp2.Stdout()) {
			return fmt.Errorf("not replaced yet:\n%s", dp2.Stdout())
		}
		return nil
	})
	apis := dp2.call(t, "GET", "/restapis", nil)["item"].([]any)
	if len(apis) != 1 {
		t.Errorf("after a restart with --import: %d APIs, want 1", len(apis))
	}
	eventually(t, "the API after the re-import", func() error {
		if r := dp2.do(t, "GET", dp2.HTTP+"/_aws/execute-api/"+apiID+"/dev/again", nil, nil); r.Status != 200 || decodeBody(t, r)["path"] != "/again" {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
}

// TestServeImportRuntimeExamples starts the gateway as the README's Node.js
// and Python examples do (`serve --function hello-node=./examples/lambda-node,
// runtime=nodejs22.x,handler=index.handler --function hello-python=…
// --import examples/lambda-node/openapi.yaml --import
// examples/lambda-python/openapi.yaml`; the functions' directories are
// copies, so that the test writes nothing into the repository) and calls
// both imported, deployed APIs.
func TestServeImportRuntimeExamples(t *testing.T) {
	t.Parallel()
	examples := filepath.Join(repoRoot(), "examples")
	nodeDir, pyDir := copyDir(t, filepath.Join(examples, "lambda-node")), copyDir(t, filepath.Join(examples, "lambda-python"))
	dp := startDataPlane(t, "",
		"--function", "hello-node="+nodeDir+",runtime=nodejs22.x,handler=index.handler",
		"--function", "hello-python="+pyDir+",runtime=python3.12,handler=app.handler",
		"--import", filepath.Join(examples, "lambda-node", "openapi.yaml"),
		"--import", filepath.Join(examples, "lambda-python", "openapi.yaml"))
	for title, runtime := range map[string]string{"HelloNode": "AWS_Lambda_nodejs22.x", "HelloPython": "AWS_Lambda_python3.12"} {
		imported := regexp.MustCompile(`imported REST API (\w+) \(` + title + `\)`)
		var apiID string
		eventually(t, "the import of "+title, func() error {
			m := imported.FindStringSubmatch(dp.Stdout())
			if m == nil {
				return fmt.Errorf("not imported yet:\n%s", dp.Stdout())
			}
			apiID = m[1]
			return nil
		})
		eventually(t, title, func() error {
			r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+apiID+"/dev/greet?name=Ada", nil, nil)
			if r.Status != 200 || decodeBody(t, r)["message"] != "Hello, Ada!" || decodeBody(t, r)["path"] != "/greet" ||
				decodeBody(t, r)["runtime"] != runtime {
				return fmt.Errorf("%s", r)
			}
			return nil
		})
	}
}
