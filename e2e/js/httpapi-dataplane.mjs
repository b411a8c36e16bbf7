// The HTTP API data plane from Node: APIs set up with the AWS SDK for
// JavaScript v3's apigatewayv2 client, called with Node's fetch. Run by
// e2e/httpapi_node_test.go (TestHTTPAPIJavaScript), which starts a gateway
// with a plain-HTTP data plane (TOLLGATE_DATA_PLANE), the aws-lambda-go
// function "fn" (testdata/functions/httpv2) and an echo backend
// (TOLLGATE_BACKEND). Not a *.test.mjs file: the management suites run
// against a gateway without these.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateRouteCommand,
  CreateIntegrationCommand,
  CreateStageCommand,
  GetStageCommand,
  UpdateApiCommand,
} from "@aws-sdk/client-apigatewayv2";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const endpoint = process.env.TOLLGATE_ENDPOINT;
const dataPlane = process.env.TOLLGATE_DATA_PLANE;
const backend = process.env.TOLLGATE_BACKEND;
if (!endpoint || !dataPlane || !backend) {
  throw new Error("run through `go test ./e2e -run TestHTTPAPIJavaScript`");
}
const v2 = new ApiGatewayV2Client({ endpoint, region: "us-east-1" });
const fnArn = "arn:aws:lambda:us-east-1:000000000000:function:fn";

// invokeURL is the path-style address of path on an API's $default stage.
const invokeURL = (apiId, path) => `${dataPlane}/_aws/execute-api/${apiId}/$default${path}`;

// until fetches until check(response) holds (deployments go live
// asynchronously, within milliseconds).
async function until(url, init, check) {
  let res;
  for (let i = 0; i < 200; i++) {
    res = await fetch(url, init);
    if (await check(res.clone())) return res;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`${init?.method ?? "GET"} ${url}: still ${res.status}`);
}

describe("HTTP API data plane from Node", () => {
  it("quick create with a Lambda function: fetch gets the function's answer", async () => {
    const api = await v2.send(new CreateApiCommand({ Name: "node-fn", ProtocolType: "HTTP", Target: fnArn }));
    const res = await until(invokeURL(api.ApiId, "/orders/3?x=1"), {
      method: "POST", headers: { "content-type": "application/json", cookie: "a=1; b=2" }, body: JSON.stringify({ n: 3 }),
    }, (r) => r.status === 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.headers.get("x-route"), "$default");
    assert.deepEqual(res.headers.getSetCookie(), ["session=abc; Path=/", "theme=dark"]);
    assert.match(res.headers.get("apigw-requestid"), /^[A-Za-z0-9+/]{15}=$/);
    const ev = await res.json();
    assert.equal(ev.version, "2.0");
    assert.equal(ev.rawPath, "/orders/3");
    assert.equal(ev.rawQueryString, "x=1");
    assert.deepEqual(ev.cookies, ["a=1", "b=2"]);
    assert.equal(ev.body, '{"n":3}');
    assert.equal(ev.requestContext.http.method, "POST");
    assert.equal(ev.requestContext.requestId, res.headers.get("apigw-requestid"));

    const stage = await v2.send(new GetStageCommand({ ApiId: api.ApiId, StageName: "$default" }));
    assert.equal(stage.AutoDeploy, true);
    assert.match(stage.LastDeploymentStatusMessage, /^Successfully deployed stage with deployment ID '[a-z0-9]{6}'$/);
  });

  it("CORS from UpdateApi: preflight and actual responses", async () => {
    // No $default route: it would claim every OPTIONS request (AWS's
    // "preflight reaches the backend" trap).
    const api = await v2.send(new CreateApiCommand({ Name: "node-cors", ProtocolType: "HTTP" }));
    const ig = await v2.send(new CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: "HTTP_PROXY",
      IntegrationUri: `${backend}/items`, IntegrationMethod: "ANY", PayloadFormatVersion: "1.0" }));
    await v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: "GET /items", Target: `integrations/${ig.IntegrationId}` }));
    await v2.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: "$default", AutoDeploy: true }));
    await v2.send(new UpdateApiCommand({ ApiId: api.ApiId,
      CorsConfiguration: { AllowOrigins: ["https://app.example"], AllowMethods: ["GET", "PUT"], AllowHeaders: ["x-custom"], MaxAge: 60 } }));
    const pre = await until(invokeURL(api.ApiId, "/items"), {
      method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "PUT", "access-control-request-headers": "x-custom" },
    }, (r) => r.status === 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(pre.headers.get("access-control-allow-methods"), "GET,PUT");
    assert.equal(pre.headers.get("access-control-allow-headers"), "x-custom");
    assert.equal(pre.headers.get("access-control-max-age"), "60");
    assert.equal(await pre.text(), "");

    const res = await fetch(invokeURL(api.ApiId, "/items?q=1"), { headers: { origin: "https://app.example" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
    const seen = await res.json();
    assert.equal(seen.uri, "/items?q=1");
    const other = await fetch(invokeURL(api.ApiId, "/items"), { headers: { origin: "https://evil.example" } });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });

  it("routes added with the SDK: 404 for the rest, path parameters in the event", async () => {
    const api = await v2.send(new CreateApiCommand({ Name: "node-routes", ProtocolType: "HTTP", Target: fnArn, RouteKey: "GET /pets/{id}" }));
    const ig = await v2.send(new CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: "HTTP_PROXY",
      IntegrationUri: `${backend}/store/{proxy}`, IntegrationMethod: "ANY", PayloadFormatVersion: "1.0" }));
    await v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: "ANY /store/{proxy+}", Target: `integrations/${ig.IntegrationId}` }));
    const res = await until(invokeURL(api.ApiId, "/store/a/b"), { method: "PUT", body: "x" }, (r) => r.status === 200);
    const seen = await res.json();
    assert.equal(seen.method, "PUT");
    assert.equal(seen.uri, "/store/a/b");

    const pet = await fetch(invokeURL(api.ApiId, "/pets/7"));
    assert.equal(pet.status, 200);
    const ev = await pet.json();
    assert.equal(ev.routeKey, "GET /pets/{id}");
    assert.deepEqual(ev.pathParameters, { id: "7" });

    const missing = await fetch(invokeURL(api.ApiId, "/cats/1"));
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("content-type"), "application/json");
    assert.equal(await missing.text(), '{"message":"Not Found"}');
  });
});
