package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cdkLibVersion is the aws-cdk-lib e2e/cdk/package-lock.json pins.
const cdkLibVersion = "2.276.0"

// TestCDKSynthServe synthesizes the small CDK app in e2e/cdk (aws-cdk-lib
// from npm, pinned; a LambdaRestApi and an HttpApi with an
// HttpLambdaIntegration on one Node.js function whose code is an asset)
// with `node app.js OUTDIR`, then serves the cloud assembly unchanged with
// `tollgate serve --template OUTDIR` and calls both APIs. The packages come
// from `npm ci` in e2e/cdk; the test fails, never skips, when they are
// absent.
func TestCDKSynthServe(t *testing.T) {
	dir := filepath.Join(repoRoot(), "e2e", "cdk")
	const fix = "run npm ci in e2e/cdk (scripts/test does it)"
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "aws-cdk-lib", "package.json"))
	if err != nil {
		t.Fatalf("e2e/cdk/node_modules lacks aws-cdk-lib: %s", fix)
	}
	var pkg struct{ Version string }
	if json.Unmarshal(b, &pkg) != nil || pkg.Version != cdkLibVersion {
		t.Fatalf("e2e/cdk/node_modules has aws-cdk-lib %q, package-lock.json pins %s: %s", pkg.Version, cdkLibVersion, fix)
	}
	out := filepath.Join(t.TempDir(), "cdk.out")
	synth := exec.Command("node", "app.js", out)
	synth.Dir = dir
	if b, err := synth.CombinedOutput(); err != nil {
		t.Fatalf("cdk synth: %v\n%s", err, b)
	}
	dp := startDataPlane(t, "", "--template", out)
	restRE := regexp.MustCompile(`REST API (\w+) \(RestApi\) stage prod:`)
	httpRE := regexp.MustCompile(`HTTP API (\w+) \(HttpApi\) stage \$default:`)
	var rest, httpID string
	eventuallyWithin(t, time.Minute, "the synthesized stack", func() error {
		r, h := restRE.FindStringSubmatch(dp.Stdout()), httpRE.FindStringSubmatch(dp.Stdout())
		if r == nil || h == nil {
			return fmt.Errorf("not created yet:\n%s", dp.Stdout())
		}
		rest, httpID = r[1], h[1]
		return nil
	})
	if !strings.Contains(dp.Stdout(), "HttpUrl = https://"+httpID+".execute-api.us-east-1.amazonaws.com") ||
		!strings.Contains(dp.Stdout(), filepath.Join(out, "asset.")) {
		t.Errorf("output:\n%s", dp.Stdout())
	}
	eventuallyWithin(t, time.Minute, "the LambdaRestApi", func() error {
		r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+rest+"/prod/some/path", nil, nil)
		if r.Status != 200 || decodeBody(t, r)["api"] != "REST API" || decodeBody(t, r)["path"] != "/some/path" {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	eventuallyWithin(t, time.Minute, "the HttpApi", func() error {
		r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+httpID+"/$default/other", nil, nil)
		if r.Status != 200 || decodeBody(t, r)["api"] != "HTTP API" {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
}
