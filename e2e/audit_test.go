package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// json11 sends one AWS JSON 1.1 call (X-Amz-Target: target) signed for
// service and returns status and body.
func (c *signedClient) json11(ctx context.Context, service, target string, body any) (int, []byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(raw)
	if err := v4.NewSigner().SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		return 0, nil, err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

// doRaw sends a signed apigateway call with a raw body and content type.
func (c *signedClient) doRaw(ctx context.Context, method, path, contentType string, raw []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	sum := sha256.Sum256(raw)
	if err := v4.NewSigner().SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), "apigateway", "us-east-1", time.Now()); err != nil {
		return 0, nil, err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

const cloudTrailTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"

// lookupAll reads every event of the trail through LookupEvents, page by
// page, and returns them as raw JSON objects.
func lookupAll(t *testing.T, c *signedClient) []map[string]any {
	t.Helper()
	ctx := context.Background()
	var events []map[string]any
	in := map[string]any{"MaxResults": 50}
	for pages := 0; pages < 100; pages++ {
		status, body, err := c.json11(ctx, "cloudtrail", cloudTrailTarget, in)
		if err != nil || status != http.StatusOK {
			t.Fatalf("LookupEvents: %d %v %s", status, err, body)
		}
		var out struct {
			Events    []map[string]any
			NextToken string
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		events = append(events, out.Events...)
		if out.NextToken == "" {
			return events
		}
		in["NextToken"] = out.NextToken
	}
	t.Fatal("LookupEvents: more than 100 pages")
	return nil
}

// TestAuditNoSecrets makes every kind of management call that carries a
// secret (API key values, imported keys, usage plan keys, v1 and v2 stage
// variables and canary overrides, a domain's private key, an ACM private
// key, Lambda environment variables and code) and then reads every event
// back through LookupEvents, the --audit-log file and the gateway's log:
// none holds any of the secrets, and the events of those calls are there,
// with "***" where the secrets were.
func TestAuditNoSecrets(t *testing.T) {
	t.Parallel()
	auditLog := filepath.Join(t.TempDir(), "audit.jsonl")
	g := startGateway(t, "", "--audit-log", auditLog)
	c := g.client(t)
	ctx := context.Background()
	var secrets []string
	secret := func(s string) string { secrets = append(secrets, s); return s }
	call := func(method, path string, body any, want int) map[string]any {
		t.Helper()
		status, out, err := c.do(ctx, method, path, body)
		if err != nil || status != want {
			t.Fatalf("%s %s: %d %v %s", method, path, status, err, out)
		}
		var m map[string]any
		_ = json.Unmarshal(out, &m)
		return m
	}

	// API keys: a value given on create, imported keys, a usage plan key.
	key := call("POST", "/apikeys", map[string]any{"name": "k1", "enabled": true, "value": secret("tgsecret-apikey-value-0001")}, 201)
	csv := "name,key,enabled\nimported," + secret("tgsecret-imported-key-0002") + ",true\n"
	// (Refused while importing is not supported: the event is recorded either way.)
	if status, out, err := c.doRaw(ctx, "POST", "/apikeys?mode=import&format=csv", "text/csv", []byte(csv)); err != nil || (status != 201 && status != 400) {
		t.Fatalf("ImportApiKeys: %d %v %s", status, err, out)
	}
	plan := call("POST", "/usageplans", map[string]any{"name": "p"}, 201)
	call("POST", "/usageplans/"+plan["id"].(string)+"/keys", map[string]any{"keyId": key["id"], "keyType": "API_KEY"}, 201)

	// REST API stage variables: on a deployment, a stage, a canary, a patch.
	api := call("POST", "/restapis", map[string]any{"name": "audited"}, 201)
	apiID := api["id"].(string)
	call("GET", "/restapis/"+apiID+"/resources", nil, 200)
	root := api["rootResourceId"].(string)
	call("PUT", "/restapis/"+apiID+"/resources/"+root+"/methods/GET", map[string]any{"authorizationType": "NONE"}, 201)
	call("PUT", "/restapis/"+apiID+"/resources/"+root+"/methods/GET/integration", map[string]any{"type": "MOCK"}, 201)
	dep := call("POST", "/restapis/"+apiID+"/deployments", map[string]any{"stageName": "dev", "variables": map[string]string{"db": secret("tgsecret-deployment-var")}}, 201)
	call("POST", "/restapis/"+apiID+"/stages", map[string]any{"stageName": "prod", "deploymentId": dep["id"],
		"variables":      map[string]string{"db": secret("tgsecret-stage-var")},
		"canarySettings": map[string]any{"deploymentId": dep["id"], "percentTraffic": 10, "stageVariableOverrides": map[string]string{"db": secret("tgsecret-canary-override")}}}, 201)
	call("PATCH", "/restapis/"+apiID+"/stages/prod", map[string]any{"patchOperations": []map[string]string{
		{"op": "replace", "path": "/variables/db", "value": secret("tgsecret-patched-var")},
		{"op": "replace", "path": "/canarySettings/stageVariableOverrides/db", "value": secret("tgsecret-patched-override")},
		{"op": "replace", "path": "/description", "value": "visible"},
	}}, 200)
	// A refused call carrying a private key is recorded too.
	if status, _, _ := c.do(ctx, "POST", "/domainnames", map[string]any{"domainName": "x.example.test",
		"certificateBody": secret("tgsecret-certificate-body"), "certificatePrivateKey": secret("tgsecret-private-key")}); status != 400 {
		t.Fatalf("CreateDomainName with an inline certificate: %d", status)
	}

	// HTTP API stage variables.
	v2 := call("POST", "/v2/apis", map[string]any{"name": "audited2", "protocolType": "HTTP"}, 201)
	call("POST", "/v2/apis/"+v2["apiId"].(string)+"/stages", map[string]any{"stageName": "s", "stageVariables": map[string]string{"k": secret("tgsecret-v2-stage-var")}}, 201)
	call("PATCH", "/v2/apis/"+v2["apiId"].(string)+"/stages/s", map[string]any{"stageVariables": map[string]string{"k": secret("tgsecret-v2-updated-var")}}, 200)

	// ACM: an imported private key.
	certPath, _, keyPEM := testCertFiles(t, t.TempDir(), "audit.example.test")
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	secret(base64.StdEncoding.EncodeToString(keyPEM)[:64])
	secret(strings.Split(string(keyPEM), "\n")[1])
	status, out, err := c.json11(ctx, "acm", "CertificateManager.ImportCertificate", map[string]any{
		"Certificate": base64.StdEncoding.EncodeToString(certPEM), "PrivateKey": base64.StdEncoding.EncodeToString(keyPEM)})
	if err != nil || status != 200 {
		t.Fatalf("ImportCertificate: %d %v %s", status, err, out)
	}

	// Lambda: environment variables and code.
	zipFile := functionStubZip(t, "echo")
	secret(base64.StdEncoding.EncodeToString(zipFile)[:64])
	g.createFunction(t, "audited", "echo", func(in *lambdasdk.CreateFunctionInput) {
		in.Code.ZipFile = zipFile
		in.Environment = &lambdatypes.Environment{Variables: map[string]string{"DB_PASSWORD": secret("tgsecret-lambda-env")}}
	})
	lc := g.lambdaClient(t)
	if _, err := lc.UpdateFunctionConfiguration(ctx, &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("audited"),
		Environment: &lambdatypes.Environment{Variables: map[string]string{"DB_PASSWORD": secret("tgsecret-lambda-env-updated")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.UpdateFunctionCode(ctx, &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String("audited"), ZipFile: zipFile, Publish: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.GetFunction(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("audited")}); err != nil {
		t.Fatal(err)
	}
	secret(c.creds.SecretAccessKey)

	events := lookupAll(t, c)
	lines, err := os.ReadFile(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := json.Marshal(events)
	for _, s := range secrets {
		for where, text := range map[string]string{"LookupEvents": string(all), "--audit-log": string(lines), "the gateway log": g.Logs()} {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the secret %q", where, s)
			}
		}
	}

	// Every call above is an event, in the file as in the store.
	names := map[string]int{}
	for _, e := range events {
		names[e["EventName"].(string)]++
	}
	for _, want := range []string{"CreateApiKey", "ImportApiKeys", "CreateUsagePlanKey", "CreateDeployment", "CreateStage", "UpdateStage",
		"CreateDomainName", "ImportCertificate", "CreateFunction20150331", "UpdateFunctionConfiguration20150331v2",
		"UpdateFunctionCode20150331v2", "GetFunction20150331v2", "GetResources"} {
		if names[want] == 0 {
			t.Errorf("no %s event; events: %v", want, names)
		}
	}
	if n := strings.Count(string(lines), "\n"); n != len(events) {
		t.Errorf("--audit-log has %d lines, LookupEvents %d events", n, len(events))
	}
	for _, want := range []string{`\"value\":\"***\"`, `\"variables\":\"***\"`, `\"stageVariableOverrides\":\"***\"`, `\"stageVariables\":\"***\"`,
		`\"certificatePrivateKey\":\"***\"`, `\"PrivateKey\":\"***\"`, `\"Variables\":\"***\"`, `\"ZipFile\":\"***\"`,
		`\"path\":\"/description\",\"value\":\"visible\"`} {
		if !strings.Contains(string(all), want) {
			t.Errorf("no event holds %s", want)
		}
	}
	checkGatewayLog(t, g)
}
