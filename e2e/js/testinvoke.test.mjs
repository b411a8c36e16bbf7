// TestInvokeMethod and TestInvokeAuthorizer through the AWS SDK for
// JavaScript v3: a method of an API that was never deployed runs with the
// request's path, query, headers, body and stage variables and answers
// AWS's members; unknown resources and methods are NotFoundException.
// Then GetSdkTypes, GetSdkType and GetSdk (a zip) once it is deployed.

import assert from "node:assert/strict";
import { describe, it, before } from "node:test";

import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetSdkCommand,
  GetSdkTypeCommand,
  GetSdkTypesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  TestInvokeAuthorizerCommand,
  TestInvokeMethodCommand,
} from "@aws-sdk/client-api-gateway";

import { client, expectError, uid } from "./helpers.mjs";

const gw = client();

describe("test invoke", () => {
  let api, item;
  before(async () => {
    api = await gw.send(new CreateRestApiCommand({ name: `testinvoke-${uid()}` }));
    const items = await gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "items" }));
    item = await gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: items.id, pathPart: "{id}" }));
    const m = { restApiId: api.id, resourceId: item.id, httpMethod: "POST" };
    await gw.send(new PutMethodCommand({ ...m, authorizationType: "NONE" }));
    await gw.send(new PutMethodResponseCommand({ ...m, statusCode: "201", responseParameters: { "method.response.header.X-Color": false } }));
    await gw.send(new PutIntegrationCommand({ ...m, type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 201}' } }));
    await gw.send(new PutIntegrationResponseCommand({
      ...m, statusCode: "201",
      responseParameters: { "method.response.header.X-Color": "stageVariables.color" },
      responseTemplates: {
        "application/json": '{"id": "$input.params(\'id\')", "q": "$input.params(\'q\')", "h": "$input.params(\'X-Who\')" }',
      },
    }));
  });

  it("runs an undeployed method with path, query, headers, body and stage variables", async () => {
    const out = await gw.send(new TestInvokeMethodCommand({
      restApiId: api.id, resourceId: item.id, httpMethod: "POST",
      pathWithQueryString: "/items/42?q=red",
      headers: { "X-Who": "bar", "Content-Type": "application/json" },
      body: '{"name": "bolt"}',
      stageVariables: { color: "blue" },
    }));
    assert.equal(out.status, 201);
    assert.deepEqual(JSON.parse(out.body), { id: "42", q: "red", h: "bar" });
    assert.deepEqual(out.headers, { "Content-Type": "application/json", "X-Color": "blue" });
    assert.deepEqual(out.multiValueHeaders, { "Content-Type": ["application/json"], "X-Color": ["blue"] });
    assert.equal(typeof out.latency, "number");
    const lines = out.log.split("\n");
    assert.match(lines[0], /^Execution log for request [0-9a-f-]{36}$/);
    const date = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4} : /;
    assert.deepEqual(lines.slice(2, 7).map((l) => l.replace(date, "")), [
      "HTTP Method: POST, Resource Path: /items/42",
      "Method request path: {id=42}",
      "Method request query string: {q=red}",
      "Method request headers: {Content-Type=application/json, X-Who=bar}",
      'Method request body before transformations: {"name": "bolt"}',
    ]);
    assert.equal(lines.at(-2).replace(date, ""), "Method completed with status: 201");
    assert.equal(lines.at(-1), "");
  });

  it("answers NotFoundException for unknown resources and methods", async () => {
    await expectError(gw.send(new TestInvokeMethodCommand({ restApiId: api.id, resourceId: "nope", httpMethod: "GET" })),
      { name: "NotFoundException", status: 404, message: "Invalid Resource identifier specified" });
    await expectError(gw.send(new TestInvokeMethodCommand({ restApiId: api.id, resourceId: item.id, httpMethod: "GET" })),
      { name: "NotFoundException", status: 404, message: "Invalid Method identifier specified" });
    await expectError(gw.send(new TestInvokeAuthorizerCommand({ restApiId: api.id, authorizerId: "nope" })),
      { name: "NotFoundException", status: 404, message: "Invalid Authorizer identifier specified" });
  });

  it("tests an authorizer whose function cannot be reached", async () => {
    const auth = await gw.send(new CreateAuthorizerCommand({
      restApiId: api.id, name: "tok", type: "TOKEN", identitySource: "method.request.header.Authorization",
      authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:missing/invocations",
    }));
    const none = await gw.send(new TestInvokeAuthorizerCommand({ restApiId: api.id, authorizerId: auth.id }));
    assert.equal(none.clientStatus, 401);
    assert.match(none.log, / : Unauthorized request: [0-9a-f-]{36}\n/);
    const out = await gw.send(new TestInvokeAuthorizerCommand({ restApiId: api.id, authorizerId: auth.id, headers: { Authorization: "tok-123456" } }));
    assert.equal(out.clientStatus, 500);
    assert.match(out.log, / : Incoming identity: \*\*\*\*123456\n/);
    assert.match(out.log, / : AuthorizerConfigurationException\n$/);
  });

  it("lists SDK types and generates an SDK of the deployed stage", async () => {
    const types = await gw.send(new GetSdkTypesCommand({}));
    assert.deepEqual(types.items.map((t) => t.id), ["javascript", "typescript", "go"]);
    const go = await gw.send(new GetSdkTypeCommand({ id: "go" }));
    assert.ok(go.configurationProperties.some((p) => p.name === "goModulePath" && p.required === false));
    await expectError(gw.send(new GetSdkTypeCommand({ id: "ruby" })),
      { name: "NotFoundException", status: 404, message: "Invalid SDK type specified: ruby" });
    await gw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "dev" }));
    const sdk = await gw.send(new GetSdkCommand({ restApiId: api.id, stageName: "dev", sdkType: "javascript",
      parameters: { invokeUrl: "https://api.example.com/dev" } }));
    assert.equal(sdk.contentType, "application/octet-stream");
    assert.match(sdk.contentDisposition, /^attachment; filename="javascript_\d{4}-\d\d-\d\d_\d\d-\d\dZ\.zip"$/);
    assert.equal(Buffer.from(sdk.body).subarray(0, 4).toString("hex"), "504b0304"); // a zip
    assert.ok(Buffer.from(sdk.body).includes("apiGateway-js-sdk/apigClient.js"));
    await expectError(gw.send(new GetSdkCommand({ restApiId: api.id, stageName: "dev", sdkType: "java" })),
      { name: "BadRequestException", status: 400, message: /not supported by Tollgate/ });
  });
});
