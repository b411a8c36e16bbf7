package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// awsCLIPath is Debian's AWS CLI v2 (2.9.x). Its bundled service model
// dates from early 2023: members AWS added later (ipAddressType,
// rootResourceId, …) are dropped from its output, so they are checked by
// the JavaScript suites only.
const awsCLIPath = "/usr/bin/aws"

// cli drives the AWS CLI against one gateway.
type cliRunner struct {
	t     *testing.T
	g     *Gateway
	dir   string
	env   []string      // added to the gateway's environment
	count *atomic.Int64 // commands run, shared by derived runners
	svc   string        // the CLI's service command; "" is apigateway
}

func newCLI(t *testing.T, g *Gateway) *cliRunner {
	return &cliRunner{t: t, g: g, dir: t.TempDir(), count: new(atomic.Int64)}
}

// with returns a cliRunner that adds env to the environment.
func (c *cliRunner) with(env ...string) *cliRunner {
	d := *c
	d.env = append(append([]string(nil), c.env...), env...)
	return &d
}

// v2 returns a cliRunner for `aws apigatewayv2`.
func (c *cliRunner) v2() *cliRunner {
	d := *c
	d.svc = "apigatewayv2"
	return &d
}

// exec runs `aws apigateway args… --endpoint-url … --output json` (or
// apigatewayv2). It is safe to call from several goroutines.
func (c *cliRunner) exec(args ...string) clientResult {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	svc := c.svc
	if svc == "" {
		svc = "apigateway"
	}
	full := append([]string{svc}, args...)
	full = append(full, "--endpoint-url", c.g.Endpoint, "--output", "json")
	res := runClient(ctx, c.g, c.dir, c.env, awsCLIPath, full...)
	c.count.Add(1)
	if ctx.Err() != nil {
		res.Code = -1
		res.Stderr += "\n(timed out)"
	}
	return res
}

// ok runs a command that must succeed and decodes its JSON output into out
// (when out is not nil).
func (c *cliRunner) ok(out any, args ...string) {
	c.t.Helper()
	res := c.exec(args...)
	if res.Code != 0 {
		c.t.Fatalf("aws %s: exit %d\n%s%s", strings.Join(args, " "), res.Code, res.Stdout, res.Stderr)
	}
	if out == nil {
		return
	}
	if err := json.Unmarshal([]byte(res.Stdout), out); err != nil {
		c.t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, res.Stdout)
	}
}

// fails runs a command that must fail with a service error: exit code 254
// and AWS CLI's one-line report of the error type, operation and message.
func (c *cliRunner) fails(errType, op, message string, args ...string) {
	c.t.Helper()
	res := c.exec(args...)
	want := fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", errType, op, message)
	if res.Code != 254 || strings.TrimSpace(res.Stderr) != want {
		c.t.Errorf("aws %s:\n got exit %d, stderr %q\nwant exit 254, stderr %q", strings.Join(args, " "), res.Code, strings.TrimSpace(res.Stderr), want)
	}
	if res.Stdout != "" {
		c.t.Errorf("aws %s: a failed call printed %q", strings.Join(args, " "), res.Stdout)
	}
}

// requireAWSCLI fails (never skips) when the AWS CLI v2 is not installed.
func requireAWSCLI(t *testing.T) {
	t.Helper()
	out, err := exec.Command(awsCLIPath, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s is missing or broken (%v): install Debian's awscli package (AWS CLI v2)\n%s", awsCLIPath, err, out)
	}
	if !strings.HasPrefix(string(out), "aws-cli/2.") {
		t.Fatalf("%s is not the AWS CLI v2: %s", awsCLIPath, out)
	}
}

type cliRestAPI struct {
	ID                        string `json:"id"`
	Name                      string `json:"name"`
	Description               string `json:"description"`
	CreatedDate               string `json:"createdDate"`
	APIKeySource              string `json:"apiKeySource"`
	DisableExecuteAPIEndpoint *bool  `json:"disableExecuteApiEndpoint"`
	EndpointConfiguration     struct {
		Types []string `json:"types"`
	} `json:"endpointConfiguration"`
	Tags map[string]string `json:"tags"`
}

type cliResource struct {
	ID              string                     `json:"id"`
	ParentID        string                     `json:"parentId"`
	PathPart        string                     `json:"pathPart"`
	Path            string                     `json:"path"`
	ResourceMethods map[string]json.RawMessage `json:"resourceMethods"`
}

type cliResources struct {
	Items []cliResource `json:"items"`
}

// TestAWSCLI drives the gateway with the AWS CLI v2.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	t.Run("golden path", func(t *testing.T) {
		t.Parallel()
		g := startClientGateway(t)
		c := newCLI(t, g)
		cliGoldenPath(t, c)
		t.Logf("%d aws commands", c.count.Load())
		checkGatewayLog(t, g)
	})
	t.Run("pagination", func(t *testing.T) {
		t.Parallel()
		g := startClientGateway(t)
		c := newCLI(t, g)
		cliPagination(t, c)
		t.Logf("%d aws commands", c.count.Load())
		checkGatewayLog(t, g)
	})
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		g := startClientGateway(t)
		c := newCLI(t, g)
		cliErrors(t, c)
		t.Logf("%d aws commands", c.count.Load())
		checkGatewayLog(t, g)
	})
}

func cliGoldenPath(t *testing.T, c *cliRunner) {
	var api cliRestAPI
	c.ok(&api, "create-rest-api", "--name", "cli-pets", "--description", "pets from the CLI")
	if api.ID == "" || api.Name != "cli-pets" || api.Description != "pets from the CLI" || api.APIKeySource != "HEADER" ||
		!reflect.DeepEqual(api.EndpointConfiguration.Types, []string{"EDGE"}) ||
		api.DisableExecuteAPIEndpoint == nil || *api.DisableExecuteAPIEndpoint {
		t.Fatalf("create-rest-api: %+v", api)
	}
	if ts, err := time.Parse(time.RFC3339, api.CreatedDate); err != nil || time.Since(ts).Abs() > time.Minute {
		t.Errorf("createdDate %q is not now (%v)", api.CreatedDate, err)
	}

	var res cliResources
	c.ok(&res, "get-resources", "--rest-api-id", api.ID)
	if len(res.Items) != 1 || res.Items[0].Path != "/" || res.Items[0].ID == "" {
		t.Fatalf("get-resources of a new API: %+v", res)
	}
	root := res.Items[0].ID

	var pets cliResource
	c.ok(&pets, "create-resource", "--rest-api-id", api.ID, "--parent-id", root, "--path-part", "pets")
	if pets.Path != "/pets" || pets.ParentID != root || pets.PathPart != "pets" {
		t.Fatalf("create-resource: %+v", pets)
	}
	base := []string{"--rest-api-id", api.ID, "--resource-id", pets.ID, "--http-method", "GET"}

	var method struct {
		HTTPMethod        string `json:"httpMethod"`
		AuthorizationType string `json:"authorizationType"`
		APIKeyRequired    *bool  `json:"apiKeyRequired"`
	}
	c.ok(&method, append([]string{"put-method", "--authorization-type", "NONE"}, base...)...)
	if method.HTTPMethod != "GET" || method.AuthorizationType != "NONE" || method.APIKeyRequired == nil || *method.APIKeyRequired {
		t.Errorf("put-method: %+v", method)
	}

	template := `{"statusCode": 200}`
	templates, _ := json.Marshal(map[string]string{"application/json": template})
	var integ struct {
		Type                string            `json:"type"`
		RequestTemplates    map[string]string `json:"requestTemplates"`
		PassthroughBehavior string            `json:"passthroughBehavior"`
		TimeoutInMillis     int               `json:"timeoutInMillis"`
		CacheNamespace      string            `json:"cacheNamespace"`
	}
	c.ok(&integ, append([]string{"put-integration", "--type", "MOCK", "--request-templates", string(templates)}, base...)...)
	if integ.Type != "MOCK" || integ.RequestTemplates["application/json"] != template || integ.PassthroughBehavior != "WHEN_NO_MATCH" ||
		integ.TimeoutInMillis != 29000 || integ.CacheNamespace != pets.ID {
		t.Errorf("put-integration: %+v", integ)
	}

	var mr struct {
		StatusCode     string            `json:"statusCode"`
		ResponseModels map[string]string `json:"responseModels"`
	}
	c.ok(&mr, append([]string{"put-method-response", "--status-code", "200", "--response-models", `{"application/json":"Empty"}`}, base...)...)
	if mr.StatusCode != "200" || mr.ResponseModels["application/json"] != "Empty" {
		t.Errorf("put-method-response: %+v", mr)
	}

	var ir struct {
		StatusCode        string            `json:"statusCode"`
		ResponseTemplates map[string]string `json:"responseTemplates"`
	}
	c.ok(&ir, append([]string{"put-integration-response", "--status-code", "200", "--response-templates", `{"application/json":"[]"}`}, base...)...)
	if ir.StatusCode != "200" || ir.ResponseTemplates["application/json"] != "[]" {
		t.Errorf("put-integration-response: %+v", ir)
	}

	var got struct {
		MethodResponses   map[string]json.RawMessage `json:"methodResponses"`
		MethodIntegration struct {
			Type                 string                     `json:"type"`
			IntegrationResponses map[string]json.RawMessage `json:"integrationResponses"`
		} `json:"methodIntegration"`
	}
	c.ok(&got, append([]string{"get-method"}, base...)...)
	if got.MethodResponses["200"] == nil || got.MethodIntegration.Type != "MOCK" || got.MethodIntegration.IntegrationResponses["200"] == nil {
		t.Errorf("get-method: %+v", got)
	}

	var dep struct {
		ID          string `json:"id"`
		Description string `json:"description"`
	}
	c.ok(&dep, "create-deployment", "--rest-api-id", api.ID, "--stage-name", "prod", "--description", "first")
	if dep.ID == "" || dep.Description != "first" {
		t.Fatalf("create-deployment: %+v", dep)
	}

	var stages struct {
		Item []struct {
			StageName      string         `json:"stageName"`
			DeploymentID   string         `json:"deploymentId"`
			MethodSettings map[string]any `json:"methodSettings"`
		} `json:"item"`
	}
	c.ok(&stages, "get-stages", "--rest-api-id", api.ID)
	if len(stages.Item) != 1 || stages.Item[0].StageName != "prod" || stages.Item[0].DeploymentID != dep.ID || len(stages.Item[0].MethodSettings) != 0 {
		t.Errorf("get-stages: %+v", stages)
	}

	c.ok(nil, "update-stage", "--rest-api-id", api.ID, "--stage-name", "prod", "--patch-operations",
		"op=replace,path=/*/*/throttling/rateLimit,value=100",
		"op=replace,path=/*/*/throttling/burstLimit,value=50",
		"op=replace,path=/~1pets/GET/caching/enabled,value=true",
		"op=replace,path=/variables/color,value=blue")
	var stage struct {
		MethodSettings map[string]map[string]any `json:"methodSettings"`
		Variables      map[string]string         `json:"variables"`
	}
	c.ok(&stage, "get-stage", "--rest-api-id", api.ID, "--stage-name", "prod")
	wantAll := map[string]any{
		"metricsEnabled": false, "dataTraceEnabled": false, "throttlingBurstLimit": 50.0, "throttlingRateLimit": 100.0,
		"cachingEnabled": false, "cacheTtlInSeconds": 300.0, "cacheDataEncrypted": false,
		"requireAuthorizationForCacheControl": true, "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
	}
	wantPets := map[string]any{}
	for k, v := range wantAll {
		wantPets[k] = v
	}
	wantPets["cachingEnabled"] = true
	if !reflect.DeepEqual(stage.MethodSettings["*/*"], wantAll) || !reflect.DeepEqual(stage.MethodSettings["pets/GET"], wantPets) ||
		len(stage.MethodSettings) != 2 || !reflect.DeepEqual(stage.Variables, map[string]string{"color": "blue"}) {
		t.Errorf("get-stage after update-stage:\n got %+v %v\nwant */*=%v pets/GET=%v", stage.MethodSettings, stage.Variables, wantAll, wantPets)
	}

	arn := "arn:aws:apigateway:us-east-1::/restapis/" + api.ID
	c.ok(nil, "tag-resource", "--resource-arn", arn, "--tags", "env=test,team=pets")
	var tags struct {
		Tags map[string]string `json:"tags"`
	}
	c.ok(&tags, "get-tags", "--resource-arn", arn)
	if !reflect.DeepEqual(tags.Tags, map[string]string{"env": "test", "team": "pets"}) {
		t.Errorf("get-tags: %v", tags.Tags)
	}

	c.ok(&res, "get-resources", "--rest-api-id", api.ID, "--embed", "methods")
	if len(res.Items) != 2 {
		t.Errorf("get-resources: %+v", res)
	}
	for _, r := range res.Items {
		if r.Path == "/pets" && !strings.Contains(string(r.ResourceMethods["GET"]), `"MOCK"`) {
			t.Errorf("get-resources --embed methods: GET of /pets is %s", r.ResourceMethods["GET"])
		}
	}

	c.ok(nil, "delete-rest-api", "--rest-api-id", api.ID)
	c.fails("NotFoundException", "GetRestApi", "Invalid API identifier specified 000000000000:"+api.ID, "get-rest-api", "--rest-api-id", api.ID)
}

func cliPagination(t *testing.T, c *cliRunner) {
	// 30 APIs, created by 6 CLIs at a time.
	ids := make(chan string, 30)
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				var api cliRestAPI
				res := c.exec("create-rest-api", "--name", fmt.Sprintf("cli-page-%02d", i))
				if res.Code != 0 || json.Unmarshal([]byte(res.Stdout), &api) != nil || api.ID == "" {
					t.Errorf("create-rest-api %d: exit %d %s%s", i, res.Code, res.Stdout, res.Stderr)
					continue
				}
				ids <- api.ID
			}
		}()
	}
	for i := 0; i < 30; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	close(ids)
	want := map[string]bool{}
	for id := range ids {
		want[id] = true
	}
	if len(want) != 30 {
		t.Fatalf("created %d APIs, want 30", len(want))
	}

	type page struct {
		Items     []cliRestAPI `json:"items"`
		Position  string       `json:"position"`
		NextToken string       `json:"NextToken"`
	}
	idsOf := func(items []cliRestAPI) []string {
		var out []string
		for _, a := range items {
			out = append(out, a.ID)
		}
		return out
	}
	checkAll := func(what string, got []string) {
		t.Helper()
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Errorf("%s: %s listed twice", what, id)
			}
			seen[id] = true
		}
		if !reflect.DeepEqual(seen, want) {
			t.Errorf("%s: listed %d APIs %v, want the 30 created", what, len(got), got)
		}
	}

	// The CLI follows position itself: all 30 whatever the page size.
	var all page
	c.ok(&all, "get-rest-apis")
	checkAll("get-rest-apis", idsOf(all.Items))
	order := idsOf(all.Items)
	var small page
	c.ok(&small, "get-rest-apis", "--page-size", "7")
	checkAll("get-rest-apis --page-size 7", idsOf(small.Items))
	if !reflect.DeepEqual(idsOf(small.Items), order) {
		t.Errorf("page size changes the order:\n%v\n%v", idsOf(small.Items), order)
	}

	// --max-items / --starting-token: the CLI's own paging over the API's.
	var got []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("--starting-token does not end")
		}
		args := []string{"get-rest-apis", "--max-items", "10", "--page-size", "7"}
		if token != "" {
			args = append(args, "--starting-token", token)
		}
		var p page
		c.ok(&p, args...)
		if len(p.Items) > 10 {
			t.Errorf("--max-items 10 gave %d items", len(p.Items))
		}
		got = append(got, idsOf(p.Items)...)
		if p.NextToken == "" {
			break
		}
		token = p.NextToken
	}
	checkAll("--max-items 10 --page-size 7", got)
	if !reflect.DeepEqual(got, order) {
		t.Errorf("--max-items pages are not in list order:\n%v\n%v", got, order)
	}

	// One API page: the default limit is 25.
	var first page
	c.ok(&first, "get-rest-apis", "--no-paginate")
	if len(first.Items) != 25 || first.Position == "" {
		t.Errorf("get-rest-apis --no-paginate: %d items, position %q; want 25 and a position", len(first.Items), first.Position)
	}
	var rest page
	c.ok(&rest, "get-rest-apis", "--no-paginate", "--position", first.Position)
	if len(rest.Items) != 5 || rest.Position != "" {
		t.Errorf("second page: %d items, position %q; want 5 and none", len(rest.Items), rest.Position)
	}
	checkAll("two pages by position", append(idsOf(first.Items), idsOf(rest.Items)...))
}

func cliErrors(t *testing.T, c *cliRunner) {
	c.fails("NotFoundException", "GetRestApi", "Invalid API identifier specified 000000000000:nosuchapi0",
		"get-rest-api", "--rest-api-id", "nosuchapi0")
	c.fails("NotFoundException", "DeleteRestApi", "Invalid API identifier specified 000000000000:nosuchapi0",
		"delete-rest-api", "--rest-api-id", "nosuchapi0")
	c.fails("NotFoundException", "GetResources", "Invalid API identifier specified 000000000000:nosuchapi0",
		"get-resources", "--rest-api-id", "nosuchapi0")

	var api cliRestAPI
	c.ok(&api, "create-rest-api", "--name", "cli-errors")
	var res cliResources
	c.ok(&res, "get-resources", "--rest-api-id", api.ID)
	root := res.Items[0].ID
	mk := func(parent, part string) string {
		var r cliResource
		c.ok(&r, "create-resource", "--rest-api-id", api.ID, "--parent-id", parent, "--path-part", part)
		return r.ID
	}
	pets := mk(root, "pets")
	mk(pets, "{petId}")
	files := mk(root, "files")
	proxy := mk(files, "{proxy+}")
	c.ok(nil, "put-method", "--rest-api-id", api.ID, "--resource-id", pets, "--http-method", "GET", "--authorization-type", "NONE")
	c.ok(nil, "put-integration", "--rest-api-id", api.ID, "--resource-id", pets, "--http-method", "GET", "--type", "MOCK")
	var dep struct {
		ID string `json:"id"`
	}
	c.ok(&dep, "create-deployment", "--rest-api-id", api.ID, "--stage-name", "prod")

	var before, after struct {
		Items []map[string]any `json:"items"`
	}
	c.ok(&before, "get-resources", "--rest-api-id", api.ID, "--embed", "methods")
	var stageBefore, stageAfter map[string]any
	c.ok(&stageBefore, "get-stage", "--rest-api-id", api.ID, "--stage-name", "prod")

	c.fails("NotFoundException", "GetResource", "Invalid Resource identifier specified",
		"get-resource", "--rest-api-id", api.ID, "--resource-id", "nosuch")
	c.fails("ConflictException", "CreateResource", "Another resource with the same parent already has this name: pets",
		"create-resource", "--rest-api-id", api.ID, "--parent-id", root, "--path-part", "pets")
	c.fails("BadRequestException", "CreateResource", "A sibling ({petId}) of this resource already has a variable path part -- only one is allowed",
		"create-resource", "--rest-api-id", api.ID, "--parent-id", pets, "--path-part", "{other}")
	c.fails("BadRequestException", "CreateResource", "Cannot create a child of a resource with a greedy path variable: {proxy+}",
		"create-resource", "--rest-api-id", api.ID, "--parent-id", proxy, "--path-part", "x")
	c.fails("BadRequestException", "UpdateResource", "Resources cannot be cyclical.",
		"update-resource", "--rest-api-id", api.ID, "--resource-id", files, "--patch-operations", "op=replace,path=/parentId,value="+proxy)
	c.fails("NotFoundException", "GetMethod", "Invalid Method identifier specified",
		"get-method", "--rest-api-id", api.ID, "--resource-id", pets, "--http-method", "POST")
	c.fails("NotFoundException", "GetIntegrationResponse", "Invalid Response status code specified",
		"get-integration-response", "--rest-api-id", api.ID, "--resource-id", pets, "--http-method", "GET", "--status-code", "200")
	c.fails("ValidationException", "PutIntegration",
		"1 validation error detected: Value 'HTTPS_PROXY' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]",
		"put-integration", "--rest-api-id", api.ID, "--resource-id", pets, "--http-method", "GET", "--type", "HTTPS_PROXY")
	c.fails("BadRequestException", "PutIntegration", "Invalid HTTP endpoint specified for URI",
		"put-integration", "--rest-api-id", api.ID, "--resource-id", pets, "--http-method", "GET", "--type", "HTTP",
		"--integration-http-method", "GET", "--uri", "not-a-url")
	c.fails("NotFoundException", "GetStage", "Invalid Stage identifier specified",
		"get-stage", "--rest-api-id", api.ID, "--stage-name", "nosuch")
	c.fails("BadRequestException", "UpdateStage", "Invalid method setting path: /nope. Must be one of: "+stagePathsList,
		"update-stage", "--rest-api-id", api.ID, "--stage-name", "prod", "--patch-operations",
		"op=replace,path=/*/*/throttling/rateLimit,value=1", "op=replace,path=/nope,value=x")
	c.fails("ValidationException", "UpdateRestApi",
		"1 validation error detected: Value 'wrong-op' at 'updateRestApiInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
		"update-rest-api", "--rest-api-id", api.ID, "--patch-operations", "op=wrong-op,path=/name,value=x")
	c.fails("BadRequestException", "UpdateRestApi", "Invalid patch path /binaryMediaTypes",
		"update-rest-api", "--rest-api-id", api.ID, "--patch-operations", "op=replace,path=/binaryMediaTypes,value=x")
	c.fails("BadRequestException", "DeleteDeployment", "Active stages pointing to this deployment must be moved or deleted",
		"delete-deployment", "--rest-api-id", api.ID, "--deployment-id", dep.ID)
	c.fails("NotFoundException", "GetDeployment", "Invalid Deployment identifier specified",
		"get-deployment", "--rest-api-id", api.ID, "--deployment-id", "nosuch")
	c.fails("NotFoundException", "GetModel", "Invalid model name specified: Nope",
		"get-model", "--rest-api-id", api.ID, "--model-name", "Nope")

	// Nothing changed.
	c.ok(&after, "get-resources", "--rest-api-id", api.ID, "--embed", "methods")
	if !reflect.DeepEqual(before, after) {
		t.Errorf("resources changed by failed calls:\n%v\n%v", before, after)
	}
	c.ok(&stageAfter, "get-stage", "--rest-api-id", api.ID, "--stage-name", "prod")
	if !reflect.DeepEqual(stageBefore, stageAfter) {
		t.Errorf("stage changed by failed calls:\n%v\n%v", stageBefore, stageAfter)
	}

	// Bad credentials.
	credFile := func(key, secret string) string {
		p := filepath.Join(t.TempDir(), "credentials")
		body := fmt.Sprintf("[tollgate]\naws_access_key_id = %s\naws_secret_access_key = %s\n", key, secret)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key, secret := readCredentials(t, c.g.CredFile)
	bad := c.with("AWS_SHARED_CREDENTIALS_FILE=" + credFile(key, secret+"x"))
	res2 := bad.exec("get-rest-apis")
	if res2.Code != 254 || !strings.Contains(res2.Stderr, "An error occurred (InvalidSignatureException) when calling the GetRestApis operation: The request signature we calculated does not match the signature you provided.") {
		t.Errorf("wrong secret: exit %d %s", res2.Code, res2.Stderr)
	}
	bad = c.with("AWS_SHARED_CREDENTIALS_FILE=" + credFile("AKIAUNKNOWNKEY000000", secret))
	bad.fails("UnrecognizedClientException", "GetRestApis", "The security token included in the request is invalid.", "get-rest-apis")
}

// stagePathsList is the list AWS prints for an invalid UpdateStage path,
// verbatim (missing commas included) [V].
const stagePathsList = "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]"

// readCredentials reads the key pair from the gateway's generated
// shared-credentials file.
func readCredentials(t *testing.T, path string) (key, secret string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			key = strings.TrimSpace(v)
		case "aws_secret_access_key":
			secret = strings.TrimSpace(v)
		}
	}
	if key == "" || secret == "" {
		t.Fatalf("no key pair in %s", path)
	}
	return key, secret
}
