package mgmt_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// wsFixture is a WebSocket API with an auto-deploying stage, a Lambda
// proxy integration, a MOCK integration and a two-way route.
type wsFixture struct {
	api, base           string
	proxy, mock         string
	route, defaultRoute string
	routeResponse       string
	integrationResponse string
	model               string
}

func newWSFixture(t *testing.T, h *harness) wsFixture {
	t.Helper()
	create := func(path, body, field string) string {
		t.Helper()
		res := h.do("POST", path, body)
		if res.Status != 201 {
			t.Fatalf("POST %s %s: %d %s", path, body, res.Status, res.Body)
		}
		var out map[string]any
		mustUnmarshal(t, res.Body, &out)
		id, _ := out[field].(string)
		return id
	}
	var f wsFixture
	f.api = create("/v2/apis", `{"name":"chat","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.action"}`, "apiId")
	f.base = "/v2/apis/" + f.api
	f.proxy = create(f.base+"/integrations", `{"integrationType":"AWS_PROXY","integrationUri":"arn:aws:lambda:us-east-1:000000000000:function:chat"}`, "integrationId")
	f.mock = create(f.base+"/integrations", `{"integrationType":"MOCK","requestTemplates":{"$default":"{\"statusCode\":200}"},"templateSelectionExpression":"\\$default"}`, "integrationId")
	f.model = create(f.base+"/models", `{"name":"Message","contentType":"application/json","schema":"{\"type\":\"object\",\"required\":[\"text\"]}"}`, "modelId")
	f.route = create(f.base+"/routes", `{"routeKey":"sendMessage","target":"integrations/`+f.proxy+`","routeResponseSelectionExpression":"$default",`+
		`"modelSelectionExpression":"$default","requestModels":{"$default":"Message"}}`, "routeId")
	f.defaultRoute = create(f.base+"/routes", `{"routeKey":"$default","target":"integrations/`+f.mock+`"}`, "routeId")
	f.routeResponse = create(f.base+"/routes/"+f.route+"/routeresponses", `{"routeResponseKey":"$default"}`, "routeResponseId")
	f.integrationResponse = create(f.base+"/integrations/"+f.mock+"/integrationresponses",
		`{"integrationResponseKey":"$default","responseTemplates":{"$default":"{\"echo\": $input.json('$')}"}}`, "integrationResponseId")
	create(f.base+"/stages", `{"stageName":"production","autoDeploy":true}`, "stageName")
	return f
}

// wsState reads back everything inside a WebSocket API.
func wsState(t *testing.T, h *harness, f wsFixture) map[string]any {
	t.Helper()
	state := map[string]any{}
	paths := []string{"", "/routes", "/models", "/models/" + f.model + "/template", "/integrations", "/authorizers", "/stages", "/deployments",
		"/routes/" + f.route + "/routeresponses", "/routes/" + f.defaultRoute + "/routeresponses",
		"/integrations/" + f.mock + "/integrationresponses", "/integrations/" + f.proxy + "/integrationresponses"}
	for _, p := range paths {
		res := h.do("GET", f.base+p, nil)
		if res.Status != 200 {
			t.Fatalf("GET %s: %d %s", p, res.Status, res.Body)
		}
		var v any
		mustUnmarshal(t, res.Body, &v)
		state[p] = v
	}
	return state
}

// TestRejectedWebSocketRequestsChangeNothing: WebSocket API requests that
// fail validation (route responses, WebSocket members of the shared
// shapes) get an AWS 4xx and leave the store's revision, and every
// document of the API, as they were.
func TestRejectedWebSocketRequestsChangeNothing(t *testing.T) {
	h := newHarness(t, "000000000000")
	f := newWSFixture(t, h)
	rr := f.base + "/routes/" + f.route + "/routeresponses"
	ir := f.base + "/integrations/" + f.mock + "/integrationresponses"
	cases := []request{
		// Route responses.
		{"POST", rr, `{"routeResponseKey":"$default"}`},
		{"POST", rr, `{"routeResponseKey":"other"}`},
		{"POST", rr, `{}`},
		{"POST", rr, `{"routeResponseKey":`},
		{"POST", rr, `{"routeResponseKey":"$default","responseModels":{"$default":""}}`},
		{"POST", f.base + "/routes/" + f.defaultRoute + "/routeresponses", `{"routeResponseKey":"$default","responseModels":{"":"m"}}`},
		{"POST", f.base + "/routes/" + f.defaultRoute + "/routeresponses", `{"routeResponseKey":"$default","responseParameters":{"":{"required":true}}}`},
		{"POST", f.base + "/routes/nosuch0/routeresponses", `{"routeResponseKey":"$default"}`},
		{"PATCH", rr + "/" + f.routeResponse, `{"routeResponseKey":"x"}`},
		{"PATCH", rr + "/nosuch", `{"modelSelectionExpression":"x"}`},
		{"DELETE", rr + "/nosuch", ``},
		{"DELETE", f.base + "/routes/nosuch0/routeresponses/" + f.routeResponse, ``},
		{"GET", rr + "?maxResults=0", ``},
		// Integration responses.
		{"POST", ir, `{"integrationResponseKey":"$default"}`},
		{"POST", ir, `{"integrationResponseKey":"2\\d\\d"}`},
		{"POST", ir, `{"integrationResponseKey":"//"}`},
		{"POST", ir, `{"integrationResponseKey":"/[/"}`},
		{"POST", ir, `{"integrationResponseKey":"/(?=x)/"}`},
		{"POST", ir, `{"responseTemplates":{"$default":"x"}}`},
		{"POST", ir, `{"integrationResponseKey":"/2\\d\\d/","responseTemplates":{"$default":"#foreach($x in [1])"}}`},
		{"POST", ir, `{"integrationResponseKey":"/2\\d\\d/","responseTemplates":{"":"x"}}`},
		{"POST", ir, `{"integrationResponseKey":"/2\\d\\d/","responseTemplates":{"$default":"` + strings.Repeat("x", 32<<10+1) + `"}}`},
		{"POST", ir, `{"integrationResponseKey":"/2\\d\\d/","responseParameters":{"method.response.header.a":"$context.requestId"}}`},
		{"POST", ir, `{"integrationResponseKey":"/2\\d\\d/","responseParameters":{"integration.request.header.a":"'x'"}}`},
		{"POST", ir, `{"integrationResponseKey":"/2\\d\\d/","contentHandlingStrategy":"BASE64"}`},
		{"POST", ir, `{"integrationResponseKey":"/2\\d\\d/","templateSelectionExpression":"` + strings.Repeat("x", 1025) + `"}`},
		{"POST", f.base + "/integrations/nosuch0/integrationresponses", `{"integrationResponseKey":"/2\\d\\d/"}`},
		{"PATCH", ir + "/" + f.integrationResponse, `{"templateSelectionExpression":"x","responseTemplates":{"$default":"#set($x = )"}}`},
		{"PATCH", ir + "/" + f.integrationResponse, `{"templateSelectionExpression":"x","integrationResponseKey":"nope"}`},
		{"PATCH", ir + "/nosuch", `{"templateSelectionExpression":"x"}`},
		{"DELETE", ir + "/nosuch", ``},
		// Models.
		{"POST", f.base + "/models", `{"name":"Message","schema":"{\"type\":\"string\"}"}`},
		{"POST", f.base + "/models", `{"name":"Note"}`},
		{"POST", f.base + "/models", `{"schema":"{\"type\":\"string\"}"}`},
		{"POST", f.base + "/models", `{"name":"","schema":"{\"type\":\"string\"}"}`},
		{"POST", f.base + "/models", `{"name":"a_b","schema":"{\"type\":\"string\"}"}`},
		{"POST", f.base + "/models", `{"name":"` + strings.Repeat("a", 129) + `","schema":"{\"type\":\"string\"}"}`},
		{"POST", f.base + "/models", `{"name":"Note","schema":"{}"}`},
		{"POST", f.base + "/models", `{"name":"Note","schema":"[]"}`},
		{"POST", f.base + "/models", `{"name":"Note","schema":"{\"type\":\"strin\"}"}`},
		{"POST", f.base + "/models", `{"name":"Note","schema":"{\"examples\":[1],\"type\":\"string\"}"}`},
		{"POST", f.base + "/models", `{"name":"Note","schema":"{\"type\":\"string\"}","contentType":""}`},
		{"POST", f.base + "/models", `{"name":"Note","schema":"{\"type\":\"string\",\"description\":\"` + strings.Repeat("x", 32<<10) + `\"}"}`},
		{"PATCH", f.base + "/models/" + f.model, `{"description":"x","schema":"{}"}`},
		{"PATCH", f.base + "/models/" + f.model, `{"description":"x","name":"Renamed"}`},
		{"PATCH", f.base + "/models/nosuch", `{"description":"x"}`},
		{"DELETE", f.base + "/models/" + f.model, ``},
		{"DELETE", f.base + "/models/nosuch", ``},
		{"GET", f.base + "/models/nosuch/template", ``},
		{"POST", f.base + "/routes", `{"routeKey":"x","requestModels":{"$default":"Nope"}}`},
		{"PATCH", f.base + "/routes/" + f.route, `{"requestModels":{"other":"Nope"}}`},
		{"PATCH", rr + "/" + f.routeResponse, `{"responseModels":{"$default":"Nope"}}`},
		// Routes.
		{"PATCH", f.base + "/routes/" + f.route, `{"operationName":"x","routeResponseSelectionExpression":"$request.body.x"}`},
		{"PATCH", f.base + "/routes/" + f.route, `{"operationName":"x","requestParameters":{"route.request.body.x":{"required":true}}}`},
		{"PATCH", f.base + "/routes/" + f.route, `{"operationName":"x","requestParameters":{"route.request.header.a b":{"required":true}}}`},
		{"PATCH", f.base + "/routes/" + f.route, `{"operationName":"x","authorizationType":"AWS_IAM"}`},
		{"PATCH", f.base + "/routes/" + f.route, `{"operationName":"x","authorizationType":"JWT"}`},
		{"POST", f.base + "/routes", `{"routeKey":"$connect","authorizationType":"CUSTOM"}`},
		{"POST", f.base + "/routes", `{"routeKey":"$x"}`},
		{"POST", f.base + "/routes", `{"routeKey":"sendMessage"}`},
		{"POST", f.base + "/routes", `{"routeKey":"y","target":"integrations/nosuch0"}`},
		// Integrations.
		{"POST", f.base + "/integrations", `{"integrationType":"HTTP","integrationUri":"https://b.example.com"}`},
		{"POST", f.base + "/integrations", `{"integrationType":"HTTP_PROXY","integrationUri":"arn:aws:lambda:us-east-1:0:function:f","integrationMethod":"GET"}`},
		{"POST", f.base + "/integrations", `{"integrationType":"AWS_PROXY","integrationUri":"https://b.example.com"}`},
		{"POST", f.base + "/integrations", `{"integrationType":"AWS"}`},
		{"POST", f.base + "/integrations", `{"integrationType":"MOCK","timeoutInMillis":29001}`},
		{"POST", f.base + "/integrations", `{"integrationType":"MOCK","payloadFormatVersion":"2.0"}`},
		{"POST", f.base + "/integrations", `{"integrationType":"MOCK","tlsConfig":{"serverNameToVerify":"x"}}`},
		{"POST", f.base + "/integrations", `{"integrationType":"MOCK","connectionType":"VPC_LINK"}`},
		{"POST", f.base + "/integrations", `{"integrationType":"MOCK","connectionId":"abc"}`},
		{"POST", f.base + "/integrations", `{"integrationType":"MOCK","passthroughBehavior":"ALWAYS"}`},
		{"POST", f.base + "/integrations", `{"integrationType":"MOCK","requestTemplates":{"$default":"#if(true)x"}}`},
		{"POST", f.base + "/integrations", `{"integrationType":"MOCK","requestParameters":{"integration.request.body.x":"'a'"}}`},
		{"POST", f.base + "/integrations", `{"integrationType":"MOCK","requestParameters":{"integration.request.header.x":"$request.header.y"}}`},
		{"PATCH", f.base + "/integrations/" + f.mock, `{"description":"x","requestTemplates":{"$default":"#end"}}`},
		{"PATCH", f.base + "/integrations/" + f.mock, `{"description":"x","integrationType":"HTTP"}`},
		{"DELETE", f.base + "/integrations/" + f.proxy, ``},
		// Authorizers.
		{"POST", f.base + "/authorizers", `{"name":"a","authorizerType":"REQUEST","authorizerUri":"arn:aws:lambda:us-east-1:0:function:f","identitySource":["$request.header.A"]}`},
		{"POST", f.base + "/authorizers", `{"name":"a","authorizerType":"REQUEST","authorizerUri":"arn:aws:lambda:us-east-1:0:function:f","authorizerPayloadFormatVersion":"1.0"}`},
		{"POST", f.base + "/authorizers", `{"name":"a","authorizerType":"REQUEST","authorizerUri":"arn:aws:lambda:us-east-1:0:function:f","enableSimpleResponses":true}`},
		{"POST", f.base + "/authorizers", `{"name":"a","authorizerType":"REQUEST","authorizerUri":"arn:aws:lambda:us-east-1:0:function:f","authorizerResultTtlInSeconds":60,"identitySource":["route.request.header.A"]}`},
		{"POST", f.base + "/authorizers", `{"name":"a","authorizerType":"JWT","identitySource":["$request.header.A"],"jwtConfiguration":{"issuer":"https://i"}}`},
		{"POST", f.base + "/authorizers", `{"name":"a","authorizerType":"REQUEST"}`},
		// APIs and stages.
		{"PATCH", f.base, `{"name":"x","corsConfiguration":{"allowOrigins":["*"]}}`},
		{"PATCH", f.base, `{"name":"x","routeSelectionExpression":""}`},
		{"PATCH", f.base, `{"name":"x","apiKeySelectionExpression":"$request.header.key"}`},
		{"POST", f.base + "/stages", `{"stageName":"$default"}`},
		{"POST", f.base + "/stages", `{"stageName":"production"}`},
		{"PATCH", f.base + "/stages/production", `{"description":"x","routeSettings":{"$disconnect":{"throttlingBurstLimit":1}}}`},
		{"PATCH", f.base + "/stages/production", `{"description":"x","defaultRouteSettings":{"loggingLevel":"TRACE"}}`},
		{"PATCH", f.base + "/stages/production", `{"description":"x","clientCertificateId":"nosuch"}`},
		{"GET", f.base + "/exports/OAS30?outputType=JSON", ``},
	}
	before := wsState(t, h, f)
	rev := h.revision(t)
	h.mustReject(t, cases)
	if after := h.revision(t); after != rev {
		t.Errorf("rejected requests moved the store from revision %d to %d", rev, after)
	}
	if after := wsState(t, h, f); !reflect.DeepEqual(before, after) {
		a, _ := json.Marshal(after)
		b, _ := json.Marshal(before)
		t.Errorf("rejected requests changed the API:\nbefore %s\nafter  %s", b, a)
	}
}

// TestWebSocketSnapshot: a deployment freezes a WebSocket API's models,
// route responses by route id and integration responses by integration
// id; an
// auto-deploying stage moves to a snapshot without a deleted route
// response and with an updated integration response, and a stage deployed
// by hand keeps what it had.
func TestWebSocketSnapshot(t *testing.T) {
	h := newHarness(t, "000000000000")
	f := newWSFixture(t, h)
	if res := h.do("POST", f.base+"/stages", `{"stageName":"pinned"}`); res.Status != 201 {
		t.Fatalf("create stage: %d %s", res.Status, res.Body)
	}
	if res := h.do("POST", f.base+"/deployments", `{"stageName":"pinned"}`); res.Status != 201 {
		t.Fatalf("deploy: %d %s", res.Status, res.Body)
	}
	_, snap := stageSnapshot(t, h, f.api, "production")
	want := map[string][]modelv2.RouteResponse{f.route: {{RouteResponseID: f.routeResponse, RouteResponseKey: "$default"}}}
	if snap == nil || !reflect.DeepEqual(snap.RouteResponses, want) {
		t.Fatalf("snapshot route responses %+v, want %+v", snap, want)
	}
	wantIR := map[string][]modelv2.IntegrationResponse{f.mock: {{IntegrationResponseID: f.integrationResponse, IntegrationResponseKey: "$default",
		ResponseTemplates: map[string]string{"$default": `{"echo": $input.json('$')}`}}}}
	if !reflect.DeepEqual(snap.IntegrationResponses, wantIR) {
		t.Fatalf("snapshot integration responses %+v, want %+v", snap.IntegrationResponses, wantIR)
	}
	if len(snap.Models) != 1 || snap.Models[0].ModelID != f.model || snap.Models[0].Name != "Message" ||
		snap.Routes[0].RequestModels["$default"] != "Message" {
		t.Fatalf("snapshot models %+v, routes %+v", snap.Models, snap.Routes)
	}
	if res := h.do("DELETE", f.base+"/routes/"+f.route+"/routeresponses/"+f.routeResponse, nil); res.Status != 204 {
		t.Fatalf("delete route response: %d %s", res.Status, res.Body)
	}
	if _, snap := stageSnapshot(t, h, f.api, "production"); snap == nil || snap.RouteResponses != nil {
		t.Errorf("after the delete, the auto-deployed snapshot has route responses %+v", snap)
	}
	if res := h.do("PATCH", f.base+"/integrations/"+f.mock+"/integrationresponses/"+f.integrationResponse, `{"responseTemplates":{"$default":"changed"}}`); res.Status != 200 {
		t.Fatalf("update integration response: %d %s", res.Status, res.Body)
	}
	if _, snap := stageSnapshot(t, h, f.api, "production"); snap == nil || snap.IntegrationResponses[f.mock][0].ResponseTemplates["$default"] != "changed" {
		t.Errorf("after the update, the auto-deployed snapshot has integration responses %+v", snap)
	}
	if _, snap := stageSnapshot(t, h, f.api, "pinned"); snap == nil || !reflect.DeepEqual(snap.RouteResponses, want) ||
		!reflect.DeepEqual(snap.IntegrationResponses, wantIR) {
		t.Errorf("the stage deployed by hand lost its route or integration responses: %+v", snap)
	}
}

// TestWebSocketCascades: deleting a route deletes its route responses,
// deleting an integration its integration responses; deleting the API
// deletes every document of every WebSocket kind, and no other API's.
func TestWebSocketCascades(t *testing.T) {
	h := newHarness(t, "000000000000")
	f := newWSFixture(t, h)
	other := newWSFixture(t, h)
	ctx := context.Background()
	count := func(prefix string) int {
		var n int
		_ = h.store.View(ctx, func(r store.Reader) error {
			items, err := r.List(ctx, prefix, store.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			n = len(items)
			return nil
		})
		return n
	}
	mustStatus := func(method, path, body string, want int) {
		t.Helper()
		var b any
		if body != "" {
			b = body
		}
		if res := h.do(method, path, b); res.Status != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, res.Status, res.Body, want)
		}
	}
	mustStatus("DELETE", f.base+"/routes/"+f.route, "", 204)
	if n := count(modelv2.SubPrefix(modelv2.KindRouteResponse, f.api, f.route)); n != 0 {
		t.Errorf("%d route responses of a deleted route left", n)
	}
	mustStatus("DELETE", f.base+"/routes/"+f.defaultRoute, "", 204)
	mustStatus("DELETE", f.base+"/integrations/"+f.mock, "", 204)
	if n := count(modelv2.SubPrefix(modelv2.KindIntegrationResponse, f.api, f.mock)); n != 0 {
		t.Errorf("%d integration responses of a deleted integration left", n)
	}
	// Documents of every kind again, then the API goes.
	mustStatus("POST", f.base+"/integrations/"+f.proxy+"/integrationresponses", `{"integrationResponseKey":"$default"}`, 201)
	var rt struct{ RouteID string }
	res := h.do("POST", f.base+"/routes", `{"routeKey":"$default"}`)
	mustUnmarshal(t, res.Body, &rt)
	mustStatus("POST", f.base+"/routes/"+rt.RouteID+"/routeresponses", `{"routeResponseKey":"$default"}`, 201)
	mustStatus("POST", f.base+"/models", `{"name":"Other","schema":"{\"type\":\"string\"}"}`, 201)
	mustStatus("DELETE", f.base, "", 204)
	for _, kind := range modelv2.APIChildKinds {
		if n := count(modelv2.ChildPrefix(kind, f.api)); n != 0 {
			t.Errorf("%s: %d documents of a deleted API left", kind, n)
		}
	}
	if n := count(modelv2.ChildPrefix(modelv2.KindRouteResponse, other.api)); n != 1 {
		t.Errorf("the other API has %d route responses, want 1", n)
	}
	if n := count(modelv2.ChildPrefix(modelv2.KindIntegrationResponse, other.api)); n != 1 {
		t.Errorf("the other API has %d integration responses, want 1", n)
	}
	if n := count(modelv2.ChildPrefix(modelv2.KindModel, other.api)); n != 1 {
		t.Errorf("the other API has %d models, want 1", n)
	}
}

// TestWebSocketDeployValidatesModels: deploying a WebSocket API checks
// that its models' references name models of the API in canonical form;
// a refused deployment changes nothing, an automatic one is recorded as
// failed on its stage without failing the change that triggered it, and
// disableSchemaValidation deploys without the check.
func TestWebSocketDeployValidatesModels(t *testing.T) {
	h := newHarness(t, "000000000000")
	f := newWSFixture(t, h)
	dangling := `{"name":"Dangling","schema":"{\"properties\":{\"x\":{\"$ref\":\"https://apigateway.amazonaws.com/restapis/` + f.api + `/models/Nope\"}}}"}`
	if res := h.do("POST", f.base+"/models", dangling); res.Status != 201 {
		t.Fatalf("create model: %d %s", res.Status, res.Body)
	}
	st, before := stageSnapshot(t, h, f.api, "production")
	if st.LastDeploymentStatusMessage == nil || !strings.HasPrefix(*st.LastDeploymentStatusMessage, "Deployment attempt failed: Unable to deploy API because model Dangling refers to model Nope") {
		t.Errorf("the automatic deployment's failure is not recorded: %v", st.LastDeploymentStatusMessage)
	}
	if len(before.Models) != 1 {
		t.Errorf("the stage moved to a deployment with the dangling model: %+v", before.Models)
	}
	rev := h.revision(t)
	h.mustReject(t, []request{{"POST", f.base + "/deployments", `{"description":"x"}`}})
	if after := h.revision(t); after != rev {
		t.Errorf("a refused deployment moved the store from revision %d to %d", rev, after)
	}
	if res := h.do("PATCH", f.base+"/routes/"+f.route, `{"operationName":"send"}`); res.Status != 200 {
		t.Errorf("a change whose automatic deployment fails was refused: %d %s", res.Status, res.Body)
	}
	if res := h.do("PATCH", f.base, `{"disableSchemaValidation":true}`); res.Status != 200 {
		t.Fatalf("disable schema validation: %d %s", res.Status, res.Body)
	}
	if res := h.do("POST", f.base+"/deployments", `{}`); res.Status != 201 {
		t.Errorf("deployment without schema validation: %d %s", res.Status, res.Body)
	}
	if _, snap := stageSnapshot(t, h, f.api, "production"); len(snap.Models) != 2 {
		t.Errorf("the automatic deployment without schema validation has models %+v", snap.Models)
	}
}
