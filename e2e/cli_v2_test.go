package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAWSCLIv2 drives the apigatewayv2 (HTTP and WebSocket API) management operations
// with the AWS CLI v2, comparing every shape with the CLI's documented
// examples (awscli/examples/apigatewayv2) where they exist.
func TestAWSCLIv2(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	g := startClientGateway(t)
	t.Cleanup(func() { checkGatewayLog(t, g) }) // after the parallel subtests
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *cliRunner)
	}{
		{"quick create", cliV2QuickCreate},
		{"http api", cliV2HTTPAPI},
		{"pagination", cliV2Pagination},
		{"errors", cliV2Errors},
		{"openapi", cliV2OpenAPI},
		{"websocket", cliV2WebSocket},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t, g).v2()
			tc.run(t, c)
			t.Logf("%d aws commands", c.count.Load())
		})
	}
}

// keysOf lists a decoded object's member names, sorted.
func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// wantKeys checks that an output has exactly the members AWS's example
// shows (plus extra, the members the example leaves out).
func wantKeys(t *testing.T, what string, got map[string]any, want ...string) {
	t.Helper()
	sort.Strings(want)
	if k := keysOf(got); !reflect.DeepEqual(k, want) {
		t.Errorf("%s: members %v, want %v\n%v", what, k, want, got)
	}
}

var (
	apiIDRE = regexp.MustCompile(`^[a-z0-9]{10}$`)
	id7RE   = regexp.MustCompile(`^[a-z0-9]{7}$`)
	id6RE   = regexp.MustCompile(`^[a-z0-9]{6}$`)
)

// isoNow checks a timestamp the CLI printed is ISO-8601 and recent.
func isoNow(t *testing.T, what string, v any) {
	t.Helper()
	s, _ := v.(string)
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil || time.Since(ts).Abs() > 5*time.Minute {
		t.Errorf("%s: %q is not an ISO-8601 time of now (%v)", what, s, err)
	}
}

type obj = map[string]any

// obj runs a command that must succeed and returns its JSON object.
func (c *cliRunner) obj(args ...string) obj {
	c.t.Helper()
	var o obj
	c.ok(&o, args...)
	return o
}

type items struct {
	Items     []obj  `json:"Items"`
	NextToken string `json:"NextToken"`
}

func cliV2QuickCreate(t *testing.T, c *cliRunner) {
	var api obj
	c.ok(&api, "create-api", "--name", "hello", "--protocol-type", "HTTP", "--target", "https://example.com")
	id, _ := api["ApiId"].(string)
	// [X] create-api (quick create), plus the members newer examples show.
	wantKeys(t, "create-api", api, "ApiEndpoint", "ApiId", "ApiKeySelectionExpression", "CreatedDate", "Name", "ProtocolType",
		"RouteSelectionExpression", "DisableExecuteApiEndpoint", "Tags")
	if !apiIDRE.MatchString(id) || api["ApiEndpoint"] != "https://"+id+".execute-api.us-east-1.amazonaws.com" ||
		api["ApiKeySelectionExpression"] != "$request.header.x-api-key" || api["Name"] != "hello" || api["ProtocolType"] != "HTTP" ||
		api["RouteSelectionExpression"] != "$request.method $request.path" || api["DisableExecuteApiEndpoint"] != false {
		t.Fatalf("create-api: %v", api)
	}
	isoNow(t, "create-api CreatedDate", api["CreatedDate"])

	var routes, integs, stages, deps items
	c.ok(&routes, "get-routes", "--api-id", id)
	c.ok(&integs, "get-integrations", "--api-id", id)
	c.ok(&stages, "get-stages", "--api-id", id)
	c.ok(&deps, "get-deployments", "--api-id", id)
	if len(routes.Items) != 1 || len(integs.Items) != 1 || len(stages.Items) != 1 || len(deps.Items) != 1 {
		t.Fatalf("quick create made %d routes, %d integrations, %d stages, %d deployments; want one each",
			len(routes.Items), len(integs.Items), len(stages.Items), len(deps.Items))
	}
	ig := integs.Items[0]
	igID, _ := ig["IntegrationId"].(string)
	// [X] get-integrations (the quick-created HTTP integration).
	wantKeys(t, "quick integration", ig, "ApiGatewayManaged", "ConnectionType", "IntegrationId", "IntegrationMethod", "IntegrationType",
		"IntegrationUri", "PayloadFormatVersion", "TimeoutInMillis")
	if !id7RE.MatchString(igID) || ig["ApiGatewayManaged"] != true || ig["IntegrationType"] != "HTTP_PROXY" || ig["IntegrationMethod"] != "ANY" ||
		ig["IntegrationUri"] != "https://example.com" || ig["PayloadFormatVersion"] != "1.0" || ig["TimeoutInMillis"] != 30000.0 ||
		ig["ConnectionType"] != "INTERNET" {
		t.Errorf("quick integration: %v", ig)
	}
	rt := routes.Items[0]
	// [X] get-routes (the quick-created $default route).
	wantKeys(t, "quick route", rt, "ApiGatewayManaged", "ApiKeyRequired", "AuthorizationType", "RouteId", "RouteKey", "Target")
	if !id7RE.MatchString(rt["RouteId"].(string)) || rt["RouteKey"] != "$default" || rt["Target"] != "integrations/"+igID ||
		rt["ApiGatewayManaged"] != true || rt["AuthorizationType"] != "NONE" || rt["ApiKeyRequired"] != false {
		t.Errorf("quick route: %v", rt)
	}
	dep := deps.Items[0]
	depID, _ := dep["DeploymentId"].(string)
	// [X] get-deployments (automatic deployments).
	wantKeys(t, "quick deployment", dep, "AutoDeployed", "CreatedDate", "DeploymentId", "DeploymentStatus", "Description")
	if !id6RE.MatchString(depID) || dep["AutoDeployed"] != true || dep["DeploymentStatus"] != "DEPLOYED" ||
		dep["Description"] != "Automatic deployment triggered by changes to the Api configuration" {
		t.Errorf("quick deployment: %v", dep)
	}
	st := stages.Items[0]
	// [X] get-stages (the quick-created $default stage).
	wantKeys(t, "quick stage", st, "ApiGatewayManaged", "AutoDeploy", "CreatedDate", "DefaultRouteSettings", "DeploymentId",
		"LastDeploymentStatusMessage", "LastUpdatedDate", "RouteSettings", "StageName", "StageVariables", "Tags")
	if st["StageName"] != "$default" || st["AutoDeploy"] != true || st["ApiGatewayManaged"] != true || st["DeploymentId"] != depID ||
		st["LastDeploymentStatusMessage"] != "Successfully deployed stage with deployment ID '"+depID+"'" ||
		!reflect.DeepEqual(st["DefaultRouteSettings"], obj{"DetailedMetricsEnabled": false}) {
		t.Errorf("quick stage: %v", st)
	}

	// A Lambda target with a route key: AWS_PROXY, POST, payload 2.0.
	var fn obj
	c.ok(&fn, "create-api", "--name", "fn", "--protocol-type", "HTTP", "--target", "arn:aws:lambda:us-east-1:000000000000:function:hello", "--route-key", "GET /hello")
	fnID := fn["ApiId"].(string)
	c.ok(&integs, "get-integrations", "--api-id", fnID)
	c.ok(&routes, "get-routes", "--api-id", fnID)
	if ig := integs.Items[0]; ig["IntegrationType"] != "AWS_PROXY" || ig["IntegrationMethod"] != "POST" || ig["PayloadFormatVersion"] != "2.0" {
		t.Errorf("quick Lambda integration: %v", ig)
	}
	if routes.Items[0]["RouteKey"] != "GET /hello" {
		t.Errorf("quick route key: %v", routes.Items[0])
	}

	// The managed integration cannot be deleted; a change redeploys $default.
	c.fails("BadRequestException", "DeleteIntegration", "Cannot delete an integration managed by API Gateway",
		"delete-integration", "--api-id", id, "--integration-id", igID)
	c.ok(nil, "update-integration", "--api-id", id, "--integration-id", igID, "--timeout-in-millis", "5000")
	var after obj
	c.ok(&after, "get-stage", "--api-id", id, "--stage-name", "$default")
	if after["DeploymentId"] == depID || after["DeploymentId"] == nil {
		t.Errorf("an integration change did not redeploy the auto-deploying stage: %v", after)
	}
	c.ok(nil, "delete-api", "--api-id", id)
	c.fails("NotFoundException", "GetApi", "Invalid API identifier specified 000000000000:"+id, "get-api", "--api-id", id)
}

func cliV2HTTPAPI(t *testing.T, c *cliRunner) {
	var api obj
	c.ok(&api, "create-api", "--name", "my-http-api", "--protocol-type", "HTTP", "--description", "pets", "--tags", "department=finance")
	id := api["ApiId"].(string)
	got := c.obj("get-api", "--api-id", id)
	// [X] get-api.
	wantKeys(t, "get-api", got, "ApiEndpoint", "ApiId", "ApiKeySelectionExpression", "CreatedDate", "Description", "DisableExecuteApiEndpoint",
		"Name", "ProtocolType", "RouteSelectionExpression", "Tags")
	if !reflect.DeepEqual(got["Tags"], obj{"department": "finance"}) {
		t.Errorf("get-api tags: %v", got["Tags"])
	}
	got = c.obj("update-api", "--api-id", id, "--cors-configuration", "AllowOrigins=https://www.example.com,AllowMethods=GET,OPTIONS,AllowHeaders=header1,header2")
	got = c.obj("update-api", "--api-id", id, "--name", "my-renamed-api", "--cors-configuration", "AllowCredentials=false")
	// [X] update-api: members left out of the CORS update keep their values.
	wantCors := obj{"AllowCredentials": false, "AllowHeaders": []any{"header1", "header2"}, "AllowMethods": []any{"GET", "OPTIONS"}, "AllowOrigins": []any{"https://www.example.com"}}
	if !reflect.DeepEqual(got["CorsConfiguration"], wantCors) || got["Name"] != "my-renamed-api" || got["Description"] != "pets" {
		t.Errorf("update-api: %v", got)
	}
	c.ok(nil, "delete-cors-configuration", "--api-id", id)
	got = c.obj("get-api", "--api-id", id)
	if _, ok := got["CorsConfiguration"]; ok {
		t.Errorf("delete-cors-configuration left %v", got["CorsConfiguration"])
	}

	var lambdaIg, httpIg obj
	c.ok(&lambdaIg, "create-integration", "--api-id", id, "--integration-type", "AWS_PROXY",
		"--integration-uri", "arn:aws:lambda:us-west-2:123456789012:function:my-function", "--payload-format-version", "2.0")
	// [X] create-integration (Lambda proxy).
	wantKeys(t, "create-integration", lambdaIg, "ConnectionType", "IntegrationId", "IntegrationMethod", "IntegrationType", "IntegrationUri",
		"PayloadFormatVersion", "TimeoutInMillis")
	if lambdaIg["IntegrationMethod"] != "POST" || lambdaIg["TimeoutInMillis"] != 30000.0 || lambdaIg["ConnectionType"] != "INTERNET" {
		t.Errorf("create-integration: %v", lambdaIg)
	}
	c.ok(&httpIg, "create-integration", "--api-id", id, "--integration-type", "HTTP_PROXY", "--integration-method", "GET",
		"--integration-uri", "https://backend.example.com/pets/{id}", "--payload-format-version", "1.0",
		"--request-parameters", `{"append:header.x-source":"$context.requestId","overwrite:querystring.kind":"$request.querystring.type"}`,
		"--response-parameters", `{"404":{"overwrite:statuscode":"410"}}`)
	httpID := httpIg["IntegrationId"].(string)
	got = c.obj("update-integration", "--api-id", id, "--integration-id", httpID,
		"--request-parameters", `{"append:header.x-source":""}`, "--response-parameters", `{"404":{}}`)
	if !reflect.DeepEqual(got["RequestParameters"], obj{"overwrite:querystring.kind": "$request.querystring.type"}) || got["ResponseParameters"] != nil {
		t.Errorf("update-integration with empty values: %v", got)
	}
	lambdaURI := "arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:123456789012:function:my-new-function/invocations"
	got = c.obj("update-integration", "--api-id", id, "--integration-id", lambdaIg["IntegrationId"].(string), "--integration-uri", lambdaURI, "--timeout-in-millis", "5000")
	if got["IntegrationUri"] != lambdaURI || got["TimeoutInMillis"] != 5000.0 || got["PayloadFormatVersion"] != "2.0" {
		t.Errorf("update-integration [X]: %v", got)
	}

	var jwt, lam obj
	c.ok(&jwt, "create-authorizer", "--name", "my-jwt-authorizer", "--api-id", id, "--authorizer-type", "JWT",
		"--identity-source", "$request.header.Authorization",
		"--jwt-configuration", "Audience=123456abc,Issuer=https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc123")
	// [X] create-authorizer (JWT).
	wantJWT := obj{"AuthorizerId": jwt["AuthorizerId"], "AuthorizerType": "JWT", "IdentitySource": []any{"$request.header.Authorization"},
		"JwtConfiguration": obj{"Audience": []any{"123456abc"}, "Issuer": "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc123"},
		"Name":             "my-jwt-authorizer"}
	if !reflect.DeepEqual(jwt, wantJWT) || !id6RE.MatchString(fmt.Sprint(jwt["AuthorizerId"])) {
		t.Errorf("create-authorizer:\n got %v\nwant %v", jwt, wantJWT)
	}
	c.ok(&lam, "create-authorizer", "--name", "lambda", "--api-id", id, "--authorizer-type", "REQUEST",
		"--authorizer-uri", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations",
		"--authorizer-payload-format-version", "2.0", "--enable-simple-responses", "--identity-source", "$request.header.X-Token",
		"--authorizer-result-ttl-in-seconds", "300")
	if lam["EnableSimpleResponses"] != true || lam["AuthorizerResultTtlInSeconds"] != 300.0 || lam["AuthorizerPayloadFormatVersion"] != "2.0" {
		t.Errorf("create-authorizer (REQUEST): %v", lam)
	}
	var auths items
	c.ok(&auths, "get-authorizers", "--api-id", id)
	if len(auths.Items) != 2 {
		t.Errorf("get-authorizers: %v", auths)
	}

	var pet, proxy, def obj
	c.ok(&pet, "create-route", "--api-id", id, "--route-key", "GET /pets/{id}", "--target", "integrations/"+httpID)
	// [X] create-route.
	wantKeys(t, "create-route", pet, "ApiKeyRequired", "AuthorizationType", "RouteId", "RouteKey", "Target")
	petID := pet["RouteId"].(string)
	got = c.obj("update-route", "--api-id", id, "--route-id", petID, "--authorization-type", "JWT",
		"--authorizer-id", jwt["AuthorizerId"].(string), "--authorization-scopes", "user.id", "user.email")
	if !reflect.DeepEqual(got["AuthorizationScopes"], []any{"user.id", "user.email"}) || got["AuthorizationType"] != "JWT" || got["AuthorizerId"] != jwt["AuthorizerId"] {
		t.Errorf("update-route [X]: %v", got)
	}
	c.ok(&proxy, "create-route", "--api-id", id, "--route-key", "ANY /{proxy+}", "--target", "integrations/"+lambdaIg["IntegrationId"].(string),
		"--authorization-type", "CUSTOM", "--authorizer-id", lam["AuthorizerId"].(string))
	c.ok(&def, "create-route", "--api-id", id, "--route-key", "$default", "--authorization-type", "AWS_IAM")
	got = c.obj("get-route", "--api-id", id, "--route-id", def["RouteId"].(string))
	if got["RouteKey"] != "$default" || got["AuthorizationType"] != "AWS_IAM" {
		t.Errorf("get-route: %v", got)
	}
	c.ok(nil, "delete-route", "--api-id", id, "--route-id", def["RouteId"].(string))

	var stage obj
	c.ok(&stage, "create-stage", "--api-id", id, "--stage-name", "dev")
	// [X] create-stage.
	wantKeys(t, "create-stage", stage, "CreatedDate", "DefaultRouteSettings", "LastUpdatedDate", "RouteSettings", "StageName", "StageVariables", "Tags")
	var dep obj
	c.ok(&dep, "create-deployment", "--api-id", id, "--stage-name", "dev")
	// [X] create-deployment.
	wantKeys(t, "create-deployment", dep, "AutoDeployed", "CreatedDate", "DeploymentId", "DeploymentStatus")
	if dep["AutoDeployed"] != false || dep["DeploymentStatus"] != "DEPLOYED" {
		t.Errorf("create-deployment: %v", dep)
	}
	got = c.obj("update-deployment", "--api-id", id, "--deployment-id", dep["DeploymentId"].(string), "--description", "Manual deployment to fix integration test failures.")
	if got["Description"] != "Manual deployment to fix integration test failures." {
		t.Errorf("update-deployment: %v", got)
	}
	got = c.obj("update-stage", "--api-id", id, "--stage-name", "dev",
		"--route-settings", `{"GET /pets/{id}":{"ThrottlingBurstLimit":100,"ThrottlingRateLimit":2000}}`,
		"--stage-variables", "function=my-dev-function",
		"--access-log-settings", "DestinationArn=arn:aws:logs:us-east-1:000000000000:log-group:access,Format=$context.requestId")
	// [X] update-stage.
	if !reflect.DeepEqual(got["RouteSettings"], obj{"GET /pets/{id}": obj{"ThrottlingBurstLimit": 100.0, "ThrottlingRateLimit": 2000.0}}) ||
		got["DeploymentId"] != dep["DeploymentId"] || !reflect.DeepEqual(got["StageVariables"], obj{"function": "my-dev-function"}) ||
		!reflect.DeepEqual(got["DefaultRouteSettings"], obj{"DetailedMetricsEnabled": false}) {
		t.Errorf("update-stage: %v", got)
	}
	c.ok(nil, "delete-route-settings", "--api-id", id, "--stage-name", "dev", "--route-key", "GET /pets/{id}")
	c.ok(nil, "delete-access-log-settings", "--api-id", id, "--stage-name", "dev")
	c.ok(nil, "reset-authorizers-cache", "--api-id", id, "--stage-name", "dev")
	got = c.obj("get-stage", "--api-id", id, "--stage-name", "dev")
	if !reflect.DeepEqual(got["RouteSettings"], obj{}) || got["AccessLogSettings"] != nil {
		t.Errorf("get-stage after the deletes: %v", got)
	}

	arn := "arn:aws:apigateway:us-east-1::/apis/" + id
	c.ok(nil, "tag-resource", "--resource-arn", arn, "--tags", "Department=Accounting,Project=pets")
	c.ok(nil, "untag-resource", "--resource-arn", arn, "--tag-keys", "Project", "department")
	var tags obj
	c.ok(&tags, "get-tags", "--resource-arn", arn)
	if !reflect.DeepEqual(tags, obj{"Tags": obj{"Department": "Accounting"}}) {
		t.Errorf("get-tags: %v", tags)
	}
	c.ok(nil, "tag-resource", "--resource-arn", arn+"/stages/dev", "--tags", "env=dev")
	c.ok(&tags, "get-tags", "--resource-arn", arn+"/stages/dev")
	if !reflect.DeepEqual(tags, obj{"Tags": obj{"env": "dev"}}) {
		t.Errorf("get-tags (stage): %v", tags)
	}

	var link obj
	c.ok(&link, "create-vpc-link", "--name", "MyVpcLink", "--subnet-ids", "subnet-aaaa", "subnet-bbbb", "--security-group-ids", "sg1234", "sg5678")
	// [X] create-vpc-link (AVAILABLE at once: nothing to provision).
	wantKeys(t, "create-vpc-link", link, "CreatedDate", "Name", "SecurityGroupIds", "SubnetIds", "Tags", "VpcLinkId", "VpcLinkStatus",
		"VpcLinkStatusMessage", "VpcLinkVersion")
	linkID := link["VpcLinkId"].(string)
	if !id7RE.MatchString(linkID) || link["VpcLinkVersion"] != "V2" || link["VpcLinkStatus"] != "AVAILABLE" {
		t.Errorf("create-vpc-link: %v", link)
	}
	got = c.obj("update-vpc-link", "--vpc-link-id", linkID, "--name", "MyUpdatedVpcLink")
	got = c.obj("get-vpc-link", "--vpc-link-id", linkID)
	if got["Name"] != "MyUpdatedVpcLink" {
		t.Errorf("get-vpc-link: %v", got)
	}
	var private obj
	c.ok(&private, "create-integration", "--api-id", id, "--integration-type", "HTTP_PROXY", "--integration-method", "ANY",
		"--connection-type", "VPC_LINK", "--connection-id", linkID, "--payload-format-version", "1.0",
		"--integration-uri", "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/my-alb/1234/5678",
		"--tls-config", "ServerNameToVerify=example.com")
	if private["ConnectionId"] != linkID || !reflect.DeepEqual(private["TlsConfig"], obj{"ServerNameToVerify": "example.com"}) {
		t.Errorf("private integration: %v", private)
	}
	var links items
	c.ok(&links, "get-vpc-links")
	if len(links.Items) != 1 {
		t.Errorf("get-vpc-links: %v", links)
	}
	c.ok(nil, "delete-vpc-link", "--vpc-link-id", linkID)
	c.fails("NotFoundException", "GetVpcLink", "Invalid VpcLink identifier specified "+linkID, "get-vpc-link", "--vpc-link-id", linkID)

	c.ok(nil, "delete-stage", "--api-id", id, "--stage-name", "dev")
	c.ok(nil, "delete-deployment", "--api-id", id, "--deployment-id", dep["DeploymentId"].(string))
	c.ok(nil, "delete-route", "--api-id", id, "--route-id", petID)
	c.ok(nil, "delete-authorizer", "--api-id", id, "--authorizer-id", jwt["AuthorizerId"].(string))
	c.ok(nil, "delete-api", "--api-id", id)
}

func cliV2Pagination(t *testing.T, c *cliRunner) {
	var api obj
	c.ok(&api, "create-api", "--name", "pages", "--protocol-type", "HTTP")
	id := api["ApiId"].(string)
	// 12 routes, created by 4 CLIs at a time.
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				res := c.exec("create-route", "--api-id", id, "--route-key", fmt.Sprintf("GET /r%02d", i))
				if res.Code != 0 {
					t.Errorf("create-route %d: exit %d %s%s", i, res.Code, res.Stdout, res.Stderr)
				}
			}
		}()
	}
	for i := 0; i < 12; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	keys := func(l items) []string {
		var out []string
		for _, it := range l.Items {
			out = append(out, it["RouteKey"].(string))
		}
		return out
	}
	var all, small items
	c.ok(&all, "get-routes", "--api-id", id)
	c.ok(&small, "get-routes", "--api-id", id, "--page-size", "5")
	got := keys(small)
	sorted := append([]string(nil), got...)
	sort.Strings(sorted)
	if len(got) != 12 || !reflect.DeepEqual(got, keys(all)) || sorted[0] != "GET /r00" || sorted[11] != "GET /r11" {
		t.Errorf("get-routes --page-size 5 (the CLI follows NextToken): %v; without: %v", got, keys(all))
	}
	var page items
	c.ok(&page, "get-routes", "--api-id", id, "--max-items", "5")
	if len(page.Items) != 5 || page.NextToken == "" {
		t.Errorf("--max-items 5: %d items, token %q", len(page.Items), page.NextToken)
	}
	var rest items
	c.ok(&rest, "get-routes", "--api-id", id, "--starting-token", page.NextToken)
	if r := append(keys(page), keys(rest)...); !reflect.DeepEqual(r, keys(all)) {
		t.Errorf("--max-items then --starting-token: %v, want %v", r, keys(all))
	}
	var one items
	c.ok(&one, "get-routes", "--api-id", id, "--no-paginate", "--max-results", "4")
	if len(one.Items) != 4 || one.NextToken == "" {
		t.Errorf("--no-paginate --max-results 4: %d items, token %q", len(one.Items), one.NextToken)
	}
	c.ok(nil, "delete-api", "--api-id", id)
}

func cliV2Errors(t *testing.T, c *cliRunner) {
	c.fails("NotFoundException", "GetApi", "Invalid API identifier specified 000000000000:nosuchapi0", "get-api", "--api-id", "nosuchapi0")
	c.fails("NotFoundException", "GetRoutes", "Invalid API identifier specified 000000000000:nosuchapi0", "get-routes", "--api-id", "nosuchapi0")
	c.fails("BadRequestException", "CreateApi", "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]",
		"create-api", "--name", "x", "--protocol-type", "GRPC")

	var api obj
	c.ok(&api, "create-api", "--name", "errors", "--protocol-type", "HTTP", "--target", "https://example.com")
	id := api["ApiId"].(string)
	var ig obj
	c.ok(&ig, "create-integration", "--api-id", id, "--integration-type", "HTTP_PROXY", "--integration-method", "GET",
		"--integration-uri", "https://b.example.com", "--payload-format-version", "1.0")
	igID := ig["IntegrationId"].(string)
	c.ok(nil, "create-route", "--api-id", id, "--route-key", "GET /a/{y}/b", "--target", "integrations/"+igID)
	var before, after items
	c.ok(&before, "get-routes", "--api-id", id)

	c.fails("ConflictException", "CreateRoute", `The provided route key "GET /a/{x}/b" has a conflicting variable on the same hierarchical level as "GET /a/{y}/b"`,
		"create-route", "--api-id", id, "--route-key", "GET /a/{x}/b")
	c.fails("ConflictException", "CreateRoute", "Route with key GET /a/{y}/b already exists for this API",
		"create-route", "--api-id", id, "--route-key", "GET /a/{y}/b")
	c.fails("NotFoundException", "GetRoute", "Invalid Route identifier specified nosuch0", "get-route", "--api-id", id, "--route-id", "nosuch0")
	c.fails("NotFoundException", "GetStage", "Invalid stage identifier specified nosuch", "get-stage", "--api-id", id, "--stage-name", "nosuch")
	c.fails("BadRequestException", "UpdateApi", "allow-credentials is not supported if 'allow-origin' is *",
		"update-api", "--api-id", id, "--cors-configuration", "AllowOrigins=*,AllowCredentials=true")
	c.fails("BadRequestException", "UpdateIntegration", "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Operations on header Authorization are restricted]",
		"update-integration", "--api-id", id, "--integration-id", igID, "--request-parameters", `{"overwrite:header.Authorization":"x"}`)
	c.fails("BadRequestException", "DeleteIntegration", "Unable to delete integration "+igID+": it is the target of route(s) GET /a/{y}/b",
		"delete-integration", "--api-id", id, "--integration-id", igID)
	c.fails("BadRequestException", "CreateIntegration", "timeoutInMillis must be between 50 and 30000",
		"create-integration", "--api-id", id, "--integration-type", "HTTP_PROXY", "--integration-method", "GET",
		"--integration-uri", "https://b.example.com", "--payload-format-version", "1.0", "--timeout-in-millis", "30001")
	c.fails("BadRequestException", "DeleteStage", "Cannot delete a stage managed by API Gateway",
		"delete-stage", "--api-id", id, "--stage-name", "$default")
	c.fails("BadRequestException", "CreateModel", "Models are supported only for WebSocket APIs",
		"create-model", "--api-id", id, "--name", "m", "--schema", `{"type":"string"}`)

	c.ok(&after, "get-routes", "--api-id", id)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("routes changed by failed calls:\n%v\n%v", before, after)
	}
}

// httpFixture is a file:// argument naming a definition of
// internal/mgmt/testdata/openapi-http (see its README).
func httpFixture(name string) string {
	return "file://" + filepath.Join(repoRoot(), "internal", "mgmt", "testdata", "openapi-http", name)
}

// cliV2OpenAPI imports, reimports and exports HTTP APIs with the CLI's
// import-api, reimport-api and export-api, against the CLI's documented
// examples (awscli/examples/apigatewayv2/{import,reimport,export}-api.rst).
func cliV2OpenAPI(t *testing.T, c *cliRunner) {
	var api obj
	c.ok(&api, "import-api", "--body", httpFixture("lambda-any.yaml"))
	id, _ := api["ApiId"].(string)
	// [X] import-api, with the member the newer model adds.
	wantKeys(t, "import-api", api, "ApiEndpoint", "ApiId", "ApiKeySelectionExpression", "CreatedDate", "DisableExecuteApiEndpoint",
		"Name", "ProtocolType", "RouteSelectionExpression", "Tags", "Version")
	if !apiIDRE.MatchString(id) || api["Name"] != "My Lambda API" || api["Version"] != "v1.0" || api["ProtocolType"] != "HTTP" ||
		api["RouteSelectionExpression"] != "$request.method $request.path" || !reflect.DeepEqual(api["Tags"], obj{}) {
		t.Errorf("import-api: %v", api)
	}
	isoNow(t, "import-api CreatedDate", api["CreatedDate"])
	var routes, integs, stages, auths items
	c.ok(&routes, "get-routes", "--api-id", id)
	c.ok(&integs, "get-integrations", "--api-id", id)
	c.ok(&stages, "get-stages", "--api-id", id)
	if len(routes.Items) != 1 || routes.Items[0]["RouteKey"] != "ANY /hello" || len(integs.Items) != 1 || len(stages.Items) != 0 {
		t.Fatalf("import-api made routes %v, integrations %v, stages %v", routes.Items, integs.Items, stages.Items)
	}
	if ig := integs.Items[0]; ig["IntegrationType"] != "AWS_PROXY" || ig["PayloadFormatVersion"] != "2.0" || ig["IntegrationMethod"] != "POST" ||
		routes.Items[0]["Target"] != "integrations/"+ig["IntegrationId"].(string) {
		t.Errorf("imported integration %v, route %v", ig, routes.Items[0])
	}

	// [X] reimport-api: the API keeps its id and creation date.
	var re obj
	c.ok(&re, "reimport-api", "--api-id", id, "--body", httpFixture("todo-export.yaml"))
	if re["ApiId"] != id || re["Name"] != "TodoApiHttp" || re["CreatedDate"] != api["CreatedDate"] ||
		!reflect.DeepEqual(re["CorsConfiguration"], obj{"AllowCredentials": false, "AllowHeaders": []any{"*"}, "AllowMethods": []any{"*"}, "AllowOrigins": []any{"*"}, "MaxAge": 0.0}) {
		t.Errorf("reimport-api: %v", re)
	}
	c.ok(&routes, "get-routes", "--api-id", id)
	c.ok(&auths, "get-authorizers", "--api-id", id)
	if len(routes.Items) != 7 || len(auths.Items) != 1 || auths.Items[0]["Name"] != "TodoJWTAuthorizer" {
		t.Errorf("reimport-api left routes %v, authorizers %v", routes.Items, auths.Items)
	}

	// --basepath and --fail-on-warnings.
	var prepended obj
	c.ok(&prepended, "import-api", "--basepath", "prepend", "--body", httpFixture("shared-integrations.json"))
	c.ok(&routes, "get-routes", "--api-id", prepended["ApiId"].(string))
	var keys []string
	for _, rt := range routes.Items {
		keys = append(keys, rt["RouteKey"].(string))
	}
	sort.Strings(keys)
	if !reflect.DeepEqual(keys, []string{"GET /example/path", "GET /example/path/checkout", "GET /example/path/pets"}) {
		t.Errorf("--basepath prepend: %v", keys)
	}
	mock := filepath.Join(c.dir, "mock.yaml")
	mustWrite(t, mock, "openapi: 3.0.1\ninfo: {title: mock}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n")
	c.fails("BadRequestException", "ImportApi", "Warnings found during import:\n\tThe integration of GET /a has type mock: HTTP APIs support only Lambda proxy (aws_proxy) and HTTP proxy (http_proxy) integrations; it is ignored",
		"import-api", "--fail-on-warnings", "--body", "file://"+mock)
	var warned obj
	c.ok(&warned, "import-api", "--no-fail-on-warnings", "--body", "file://"+mock)
	if w, _ := warned["Warnings"].([]any); len(w) != 1 {
		t.Errorf("import-api --no-fail-on-warnings: warnings %v", warned["Warnings"])
	}
	c.fails("BadRequestException", "ReimportApi", "Errors found during import:\n\tHTTP APIs import OpenAPI 3.0 definitions only; this document is swagger 2.0",
		"reimport-api", "--api-id", id, "--body", "swagger: '2.0'\npaths: {}")
	c.fails("NotFoundException", "ReimportApi", "Invalid API identifier specified 000000000000:nosuchapi0",
		"reimport-api", "--api-id", "nosuchapi0", "--body", "file://"+mock)
	cliV2Export(t, c, id)
}

// cliV2Export exports the API with export-api ([X]: "This command produces
// no output"; the document goes to the outfile), reimports the YAML export
// and checks the API is unchanged, and exports a stage's deployment.
func cliV2Export(t *testing.T, c *cliRunner, id string) {
	state := func() obj {
		var routes, integs, auths items
		c.ok(&routes, "get-routes", "--api-id", id)
		c.ok(&integs, "get-integrations", "--api-id", id)
		c.ok(&auths, "get-authorizers", "--api-id", id)
		keys := map[string]any{}
		for _, rt := range routes.Items {
			keys[rt["RouteKey"].(string)] = []any{rt["AuthorizationType"], rt["AuthorizationScopes"], rt["Target"] != nil}
		}
		var uris []string
		for _, ig := range integs.Items {
			uris = append(uris, ig["IntegrationUri"].(string))
		}
		sort.Strings(uris)
		return obj{"routes": keys, "uris": uris, "authorizers": len(auths.Items), "api": c.obj("get-api", "--api-id", id)["Name"]}
	}
	before := state()
	res := c.exec("export-api", "--api-id", id, "--specification", "OAS30", "--output-type", "YAML", "out.yaml")
	if res.Code != 0 || res.Stdout != "" {
		t.Fatalf("export-api: exit %d, output %q %s", res.Code, res.Stdout, res.Stderr)
	}
	out, err := os.ReadFile(filepath.Join(c.dir, "out.yaml"))
	if err != nil || !strings.HasPrefix(string(out), "openapi: \"3.0.1\"\n") || !strings.Contains(string(out), "x-amazon-apigateway-importexport-version: \"1.0\"") {
		t.Fatalf("out.yaml: %v\n%s", err, out)
	}
	c.ok(nil, "reimport-api", "--api-id", id, "--body", "file://"+filepath.Join(c.dir, "out.yaml"))
	if after := state(); !reflect.DeepEqual(after, before) {
		t.Errorf("import → export → reimport changed the API:\n%v\n%v", before, after)
	}
	res = c.exec("export-api", "--api-id", id, "--specification", "OAS30", "--output-type", "JSON", "--no-include-extensions", "bare.json")
	bare, _ := os.ReadFile(filepath.Join(c.dir, "bare.json"))
	var doc obj
	if res.Code != 0 || json.Unmarshal(bare, &doc) != nil || doc["openapi"] != "3.0.1" || strings.Contains(string(bare), "x-amazon-apigateway-integration") {
		t.Errorf("export-api --no-include-extensions: exit %d %s\n%s", res.Code, res.Stderr, bare)
	}
	var dep obj
	c.ok(&dep, "create-deployment", "--api-id", id)
	c.ok(nil, "create-stage", "--api-id", id, "--stage-name", "prod", "--deployment-id", dep["DeploymentId"].(string))
	res = c.exec("export-api", "--api-id", id, "--specification", "OAS30", "--output-type", "JSON", "--stage-name", "prod", "prod.json")
	staged, _ := os.ReadFile(filepath.Join(c.dir, "prod.json"))
	if res.Code != 0 || json.Unmarshal(staged, &doc) != nil || doc["info"].(map[string]any)["title"] != "TodoApiHttp" {
		t.Errorf("export-api --stage-name prod: exit %d %s\n%s", res.Code, res.Stderr, staged)
	}
	c.fails("NotFoundException", "ExportApi", "Invalid stage identifier specified nosuch",
		"export-api", "--api-id", id, "--specification", "OAS30", "--output-type", "JSON", "--stage-name", "nosuch", "x.json")
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
