// The golden path: build a REST API the way a user would with the AWS SDK
// for JavaScript v3, and check every answer against AWS's documented and
// recorded behaviour.

import assert from "node:assert/strict";
import { describe, it, before } from "node:test";

import {
  CreateDeploymentCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteDeploymentCommand,
  DeleteMethodCommand,
  DeleteResourceCommand,
  GetAccountCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetGatewayResponseCommand,
  GetGatewayResponsesCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetMethodResponseCommand,
  GetModelCommand,
  GetModelsCommand,
  GetRequestValidatorCommand,
  GetResourceCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAccountCommand,
  UpdateIntegrationCommand,
  UpdateMethodCommand,
  UpdateMethodResponseCommand,
  UpdateStageCommand,
} from "@aws-sdk/client-api-gateway";

import { accountId, apiArn, client, expectError, strip, uid } from "./helpers.mjs";

const gw = client();

const ID10 = /^[a-z0-9]{10}$/;

// defaultSetting is a method setting as AWS first writes it [V].
const defaultSetting = {
  metricsEnabled: false,
  dataTraceEnabled: false,
  throttlingBurstLimit: 5000,
  throttlingRateLimit: 10000,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
};

const gatewayResponseTypes = [
  "ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE",
  "BAD_REQUEST_BODY", "BAD_REQUEST_PARAMETERS", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN",
  "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "INVALID_API_KEY", "INVALID_SIGNATURE",
  "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND", "THROTTLED",
  "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
];

describe("golden path", () => {
  const name = `golden-${uid()}`;
  let api; // CreateRestApi output
  const res = {}; // path -> resource id
  let validatorId;
  let firstDeployment;
  let canaryDeployment;

  before(async () => {
    api = await gw.send(new CreateRestApiCommand({ name, description: "pets, the golden path", version: "1.0" }));
  });

  it("CreateRestApi applies AWS's defaults", async () => {
    assert.match(api.id, ID10);
    assert.equal(api.name, name);
    assert.equal(api.description, "pets, the golden path");
    assert.equal(api.version, "1.0");
    assert.equal(api.apiKeySource, "HEADER");
    assert.deepEqual(api.endpointConfiguration, { types: ["EDGE"], ipAddressType: "ipv4" });
    assert.match(api.rootResourceId, ID10);
    assert.equal(api.disableExecuteApiEndpoint, false);
    assert.ok(api.createdDate instanceof Date, "createdDate is a Date");
    assert.ok(Math.abs(api.createdDate.getTime() - Date.now()) < 60_000, `createdDate ${api.createdDate} is now`);
    assert.equal(api.$metadata.httpStatusCode, 201);
    assert.ok(api.$metadata.requestId);

    const got = await gw.send(new GetRestApiCommand({ restApiId: api.id }));
    assert.equal(got.$metadata.httpStatusCode, 200);
    // GetRestApi adds "tags": {}, which CreateRestApi leaves out (as AWS
    // was recorded doing).
    assert.deepEqual(got.tags, {});
    const { tags, ...rest } = strip(got);
    assert.deepEqual(rest, strip(api));
  });

  it("builds a resource tree", async () => {
    const root = api.rootResourceId;
    const pets = await gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: "pets" }));
    assert.equal(pets.$metadata.httpStatusCode, 201);
    assert.deepEqual(strip(pets), { id: pets.id, parentId: root, pathPart: "pets", path: "/pets" });
    res["/pets"] = pets.id;

    const pet = await gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: pets.id, pathPart: "{petId}" }));
    assert.deepEqual(strip(pet), { id: pet.id, parentId: pets.id, pathPart: "{petId}", path: "/pets/{petId}" });
    res["/pets/{petId}"] = pet.id;

    const files = await gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: "static" }));
    res["/static"] = files.id;
    const proxy = await gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: files.id, pathPart: "{proxy+}" }));
    assert.deepEqual(strip(proxy), { id: proxy.id, parentId: files.id, pathPart: "{proxy+}", path: "/static/{proxy+}" });
    res["/static/{proxy+}"] = proxy.id;

    const all = await gw.send(new GetResourcesCommand({ restApiId: api.id }));
    const byPath = Object.fromEntries(all.items.map((r) => [r.path, r]));
    assert.deepEqual(Object.keys(byPath).sort(), ["/", "/pets", "/pets/{petId}", "/static", "/static/{proxy+}"]);
    assert.deepEqual(byPath["/"], { id: root, path: "/" });
    assert.equal(all.position, undefined);
  });

  it("PutMethod and PutMethodResponse", async () => {
    const m = await gw.send(
      new PutMethodCommand({
        restApiId: api.id,
        resourceId: res["/pets"],
        httpMethod: "GET",
        authorizationType: "NONE",
        operationName: "ListPets",
        requestParameters: { "method.request.querystring.limit": false },
      }),
    );
    assert.equal(m.$metadata.httpStatusCode, 201);
    assert.deepEqual(strip(m), {
      httpMethod: "GET",
      authorizationType: "NONE",
      apiKeyRequired: false,
      operationName: "ListPets",
      requestParameters: { "method.request.querystring.limit": false },
    });

    await gw.send(
      new PutMethodCommand({
        restApiId: api.id,
        resourceId: res["/pets/{petId}"],
        httpMethod: "GET",
        authorizationType: "NONE",
        requestParameters: { "method.request.path.petId": true },
      }),
    );
    await gw.send(
      new PutMethodCommand({
        restApiId: api.id,
        resourceId: res["/static/{proxy+}"],
        httpMethod: "ANY",
        authorizationType: "NONE",
        requestParameters: { "method.request.path.proxy": true },
      }),
    );

    const mr = await gw.send(
      new PutMethodResponseCommand({
        restApiId: api.id,
        resourceId: res["/pets"],
        httpMethod: "GET",
        statusCode: "200",
        responseParameters: { "method.response.header.X-Count": false },
        responseModels: { "application/json": "Empty" },
      }),
    );
    assert.equal(mr.$metadata.httpStatusCode, 201);
    assert.deepEqual(strip(mr), {
      statusCode: "200",
      responseParameters: { "method.response.header.X-Count": false },
      responseModels: { "application/json": "Empty" },
    });
    const got = await gw.send(
      new GetMethodResponseCommand({ restApiId: api.id, resourceId: res["/pets"], httpMethod: "GET", statusCode: "200" }),
    );
    assert.deepEqual(strip(got), strip(mr));
  });

  it("PutIntegration: HTTP_PROXY, HTTP with a path mapping, MOCK with a template", async () => {
    const proxy = await gw.send(
      new PutIntegrationCommand({
        restApiId: api.id,
        resourceId: res["/static/{proxy+}"],
        httpMethod: "ANY",
        type: "HTTP_PROXY",
        integrationHttpMethod: "ANY",
        uri: "http://static.example.com/{proxy}",
        requestParameters: { "integration.request.path.proxy": "method.request.path.proxy" },
      }),
    );
    assert.equal(proxy.$metadata.httpStatusCode, 201);
    assert.deepEqual(strip(proxy), {
      type: "HTTP_PROXY",
      httpMethod: "ANY",
      uri: "http://static.example.com/{proxy}",
      connectionType: "INTERNET",
      requestParameters: { "integration.request.path.proxy": "method.request.path.proxy" },
      passthroughBehavior: "WHEN_NO_MATCH",
      timeoutInMillis: 29000,
      cacheNamespace: res["/static/{proxy+}"],
      cacheKeyParameters: [],
    });

    const http = await gw.send(
      new PutIntegrationCommand({
        restApiId: api.id,
        resourceId: res["/pets/{petId}"],
        httpMethod: "GET",
        type: "HTTP",
        integrationHttpMethod: "GET",
        uri: "https://petstore.example.com/pets/{id}",
        requestParameters: { "integration.request.path.id": "method.request.path.petId" },
      }),
    );
    assert.equal(http.type, "HTTP");
    assert.equal(http.httpMethod, "GET");
    assert.equal(http.connectionType, "INTERNET");
    assert.deepEqual(http.requestParameters, { "integration.request.path.id": "method.request.path.petId" });
    assert.equal(http.cacheNamespace, res["/pets/{petId}"]);

    const template = '{"statusCode": 200}';
    const mock = await gw.send(
      new PutIntegrationCommand({
        restApiId: api.id,
        resourceId: res["/pets"],
        httpMethod: "GET",
        type: "MOCK",
        requestTemplates: { "application/json": template },
      }),
    );
    assert.equal(mock.type, "MOCK");
    assert.deepEqual(mock.requestTemplates, { "application/json": template });
    assert.equal(mock.passthroughBehavior, "WHEN_NO_MATCH");
    assert.equal(mock.timeoutInMillis, 29000);
    assert.equal(mock.uri, undefined);

    const ir = await gw.send(
      new PutIntegrationResponseCommand({
        restApiId: api.id,
        resourceId: res["/pets"],
        httpMethod: "GET",
        statusCode: "200",
        selectionPattern: "",
        responseParameters: { "method.response.header.X-Count": "'3'" },
        responseTemplates: { "application/json": '[{"id": 1}, {"id": 2}, {"id": 3}]' },
      }),
    );
    assert.equal(ir.$metadata.httpStatusCode, 201);
    assert.deepEqual(strip(ir), {
      statusCode: "200",
      selectionPattern: "",
      responseParameters: { "method.response.header.X-Count": "'3'" },
      responseTemplates: { "application/json": '[{"id": 1}, {"id": 2}, {"id": 3}]' },
    });
    const got = await gw.send(
      new GetIntegrationResponseCommand({ restApiId: api.id, resourceId: res["/pets"], httpMethod: "GET", statusCode: "200" }),
    );
    assert.deepEqual(strip(got), strip(ir));
  });

  it("GetMethod shows methodIntegration and methodResponses", async () => {
    const m = await gw.send(new GetMethodCommand({ restApiId: api.id, resourceId: res["/pets"], httpMethod: "GET" }));
    assert.equal(m.$metadata.httpStatusCode, 200);
    assert.equal(m.httpMethod, "GET");
    assert.equal(m.operationName, "ListPets");
    assert.deepEqual(Object.keys(m.methodResponses), ["200"]);
    assert.deepEqual(m.methodResponses["200"].responseModels, { "application/json": "Empty" });
    assert.equal(m.methodIntegration.type, "MOCK");
    assert.deepEqual(m.methodIntegration.requestTemplates, { "application/json": '{"statusCode": 200}' });
    assert.deepEqual(Object.keys(m.methodIntegration.integrationResponses), ["200"]);
    assert.deepEqual(m.methodIntegration.integrationResponses["200"].responseParameters, {
      "method.response.header.X-Count": "'3'",
    });
  });

  it("GetResources with and without embed=methods", async () => {
    const plain = await gw.send(new GetResourcesCommand({ restApiId: api.id }));
    const pets = plain.items.find((r) => r.path === "/pets");
    assert.deepEqual(pets.resourceMethods, { GET: {} });
    const proxy = plain.items.find((r) => r.path === "/static/{proxy+}");
    assert.deepEqual(proxy.resourceMethods, { ANY: {} });
    assert.equal(plain.items.find((r) => r.path === "/static").resourceMethods, undefined);

    const embedded = await gw.send(new GetResourcesCommand({ restApiId: api.id, embed: ["methods"] }));
    const full = embedded.items.find((r) => r.path === "/pets").resourceMethods.GET;
    assert.equal(full.httpMethod, "GET");
    assert.equal(full.authorizationType, "NONE");
    assert.equal(full.methodIntegration.type, "MOCK");
    assert.ok(full.methodResponses["200"]);
    const one = await gw.send(new GetResourceCommand({ restApiId: api.id, resourceId: res["/pets"], embed: ["methods"] }));
    assert.deepEqual(one.resourceMethods.GET, full);
  });

  it("UpdateIntegration", async () => {
    const up = await gw.send(
      new UpdateIntegrationCommand({
        restApiId: api.id,
        resourceId: res["/pets/{petId}"],
        httpMethod: "GET",
        patchOperations: [
          { op: "replace", path: "/timeoutInMillis", value: "10000" },
          { op: "add", path: "/requestParameters/integration.request.header.x-pet-id", value: "method.request.path.petId" },
        ],
      }),
    );
    assert.equal(up.$metadata.httpStatusCode, 200);
    assert.equal(up.timeoutInMillis, 10000);
    assert.deepEqual(up.requestParameters, {
      "integration.request.path.id": "method.request.path.petId",
      "integration.request.header.x-pet-id": "method.request.path.petId",
    });
    const got = await gw.send(new GetIntegrationCommand({ restApiId: api.id, resourceId: res["/pets/{petId}"], httpMethod: "GET" }));
    assert.deepEqual(strip(got), strip(up));
  });

  it("CreateRequestValidator and attach it to a method", async () => {
    const v = await gw.send(
      new CreateRequestValidatorCommand({ restApiId: api.id, name: "params-only", validateRequestParameters: true }),
    );
    assert.equal(v.$metadata.httpStatusCode, 201);
    assert.deepEqual(strip(v), { id: v.id, name: "params-only", validateRequestBody: false, validateRequestParameters: true });
    validatorId = v.id;
    const got = await gw.send(new GetRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id }));
    assert.deepEqual(strip(got), strip(v));

    const m = await gw.send(
      new UpdateMethodCommand({
        restApiId: api.id,
        resourceId: res["/pets/{petId}"],
        httpMethod: "GET",
        patchOperations: [{ op: "replace", path: "/requestValidatorId", value: v.id }],
      }),
    );
    assert.equal(m.requestValidatorId, v.id);
  });

  it("CreateModel and GetModels (with the default Empty and Error models)", async () => {
    const schema = JSON.stringify({
      $schema: "http://json-schema.org/draft-04/schema#",
      title: "Pet",
      type: "object",
      properties: { name: { type: "string" } },
    });
    const created = await gw.send(
      new CreateModelCommand({ restApiId: api.id, name: "Pet", contentType: "application/json", schema, description: "a pet" }),
    );
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.deepEqual(strip(created), { id: created.id, name: "Pet", contentType: "application/json", schema, description: "a pet" });

    const models = await gw.send(new GetModelsCommand({ restApiId: api.id }));
    const byName = Object.fromEntries(models.items.map((m) => [m.name, m]));
    assert.deepEqual(Object.keys(byName).sort(), ["Empty", "Error", "Pet"]);
    assert.equal(byName.Empty.description, "This is a default empty schema model");
    assert.equal(byName.Error.description, "This is a default error schema model");
    assert.deepEqual(JSON.parse(byName.Empty.schema), {
      $schema: "http://json-schema.org/draft-04/schema#",
      title: "Empty Schema",
      type: "object",
    });
    assert.deepEqual(JSON.parse(byName.Error.schema), {
      $schema: "http://json-schema.org/draft-04/schema#",
      title: "Error Schema",
      type: "object",
      properties: { message: { type: "string" } },
    });
    const pet = await gw.send(new GetModelCommand({ restApiId: api.id, modelName: "Pet" }));
    assert.deepEqual(strip(pet), strip(created));
  });

  it("GetGatewayResponses lists the 21 defaults; PutGatewayResponse customises one", async () => {
    const all = await gw.send(new GetGatewayResponsesCommand({ restApiId: api.id }));
    assert.equal(all.items.length, 21);
    assert.deepEqual(all.items.map((r) => r.responseType).sort(), gatewayResponseTypes);
    for (const r of all.items) {
      assert.equal(r.defaultResponse, true, `${r.responseType} is a default`);
    }
    assert.equal(all.position, undefined);
    const missing = all.items.find((r) => r.responseType === "MISSING_AUTHENTICATION_TOKEN");
    assert.equal(missing.statusCode, "403");

    const put = await gw.send(
      new PutGatewayResponseCommand({
        restApiId: api.id,
        responseType: "DEFAULT_4XX",
        statusCode: "418",
        responseParameters: { "gatewayresponse.header.Access-Control-Allow-Origin": "'*'" },
        responseTemplates: { "application/json": '{"error": $context.error.messageString}' },
      }),
    );
    assert.equal(put.$metadata.httpStatusCode, 201);
    assert.deepEqual(strip(put), {
      responseType: "DEFAULT_4XX",
      statusCode: "418",
      responseParameters: { "gatewayresponse.header.Access-Control-Allow-Origin": "'*'" },
      responseTemplates: { "application/json": '{"error": $context.error.messageString}' },
      defaultResponse: false,
    });
    const got = await gw.send(new GetGatewayResponseCommand({ restApiId: api.id, responseType: "DEFAULT_4XX" }));
    assert.deepEqual(strip(got), strip(put));
    const again = await gw.send(new GetGatewayResponsesCommand({ restApiId: api.id }));
    assert.equal(again.items.length, 21);
    assert.equal(again.items.filter((r) => !r.defaultResponse).length, 1);
  });

  it("CreateDeployment with stageName creates the stage", async () => {
    const dep = await gw.send(
      new CreateDeploymentCommand({
        restApiId: api.id,
        stageName: "prod",
        stageDescription: "production",
        description: "first",
        variables: { backend: "petstore" },
      }),
    );
    assert.equal(dep.$metadata.httpStatusCode, 201);
    assert.ok(dep.id);
    assert.equal(dep.description, "first");
    assert.ok(dep.createdDate instanceof Date);
    firstDeployment = dep.id;

    const stages = await gw.send(new GetStagesCommand({ restApiId: api.id }));
    assert.equal(stages.item.length, 1);
    const st = stages.item[0];
    assert.equal(st.stageName, "prod");
    assert.equal(st.deploymentId, dep.id);
    assert.equal(st.description, "production");
    assert.deepEqual(st.variables, { backend: "petstore" });
    assert.equal(st.cacheClusterEnabled, false);
    assert.equal(st.cacheClusterStatus, "NOT_AVAILABLE");
    assert.equal(st.tracingEnabled, false);
    assert.deepEqual(st.methodSettings, {});
    assert.ok(st.createdDate instanceof Date);
    assert.ok(st.lastUpdatedDate instanceof Date);

    const filtered = await gw.send(new GetStagesCommand({ restApiId: api.id, deploymentId: "nope00" }));
    assert.deepEqual(filtered.item, []);
  });

  it("UpdateStage: method settings, variables, access logs", async () => {
    const format = '{"requestId":"$context.requestId"}';
    const dest = `arn:aws:logs:us-east-1:${accountId}:log-group:access-logs`;
    const up = await gw.send(
      new UpdateStageCommand({
        restApiId: api.id,
        stageName: "prod",
        patchOperations: [
          { op: "replace", path: "/*/*/throttling/rateLimit", value: "100" },
          { op: "replace", path: "/*/*/throttling/burstLimit", value: "50" },
          { op: "replace", path: "/~1pets/GET/caching/enabled", value: "true" },
          { op: "replace", path: "/variables/foo", value: "bar" },
          { op: "replace", path: "/accessLogSettings/format", value: format },
          { op: "replace", path: "/accessLogSettings/destinationArn", value: dest },
        ],
      }),
    );
    assert.equal(up.$metadata.httpStatusCode, 200);
    const st = await gw.send(new GetStageCommand({ restApiId: api.id, stageName: "prod" }));
    assert.deepEqual(strip(st), strip(up));
    assert.deepEqual(Object.keys(st.methodSettings).sort(), ["*/*", "pets/GET"]);
    assert.deepEqual(st.methodSettings["*/*"], { ...defaultSetting, throttlingRateLimit: 100, throttlingBurstLimit: 50 });
    // A new per-method setting starts from the stage-wide one [V].
    assert.deepEqual(st.methodSettings["pets/GET"], {
      ...defaultSetting,
      throttlingRateLimit: 100,
      throttlingBurstLimit: 50,
      cachingEnabled: true,
    });
    assert.deepEqual(st.variables, { backend: "petstore", foo: "bar" });
    assert.deepEqual(st.accessLogSettings, { format, destinationArn: dest });
    assert.ok(st.lastUpdatedDate.getTime() >= st.createdDate.getTime());
  });

  it("UpdateStage: nested resource paths, removal of a method setting", async () => {
    const up = await gw.send(
      new UpdateStageCommand({
        restApiId: api.id,
        stageName: "prod",
        patchOperations: [
          { op: "replace", path: "/~1pets~1{petId}/GET/logging/loglevel", value: "INFO" },
          { op: "replace", path: "/~1pets~1{petId}/GET/metrics/enabled", value: "true" },
          { op: "replace", path: "/~1pets/GET/caching/ttlInSeconds", value: "60" },
        ],
      }),
    );
    assert.deepEqual(Object.keys(up.methodSettings).sort(), ["*/*", "pets/GET", "pets/{petId}/GET"]);
    assert.deepEqual(up.methodSettings["pets/{petId}/GET"], {
      ...defaultSetting,
      throttlingRateLimit: 100,
      throttlingBurstLimit: 50,
      loggingLevel: "INFO",
      metricsEnabled: true,
    });
    assert.equal(up.methodSettings["pets/GET"].cacheTtlInSeconds, 60);
    const removed = await gw.send(
      new UpdateStageCommand({
        restApiId: api.id,
        stageName: "prod",
        patchOperations: [{ op: "remove", path: "/~1pets~1{petId}/GET" }],
      }),
    );
    assert.deepEqual(Object.keys(removed.methodSettings).sort(), ["*/*", "pets/GET"]);
  });

  it("CreateDeployment with canarySettings makes a canary on the stage", async () => {
    const dep = await gw.send(
      new CreateDeploymentCommand({
        restApiId: api.id,
        stageName: "prod",
        description: "canary",
        canarySettings: { percentTraffic: 12.5, stageVariableOverrides: { backend: "canary" }, useStageCache: false },
      }),
    );
    canaryDeployment = dep.id;
    assert.notEqual(dep.id, firstDeployment);
    const st = await gw.send(new GetStageCommand({ restApiId: api.id, stageName: "prod" }));
    assert.equal(st.deploymentId, firstDeployment, "the stage itself stays on the first deployment");
    assert.deepEqual(st.canarySettings, {
      deploymentId: dep.id,
      percentTraffic: 12.5,
      stageVariableOverrides: { backend: "canary" },
      useStageCache: false,
    });
    assert.deepEqual(st.variables, { backend: "petstore", foo: "bar" });
  });

  it("GetDeployment, GetDeployments and DeleteDeployment", async () => {
    const dep = await gw.send(new GetDeploymentCommand({ restApiId: api.id, deploymentId: firstDeployment }));
    assert.equal(dep.$metadata.httpStatusCode, 200);
    assert.equal(dep.id, firstDeployment);
    assert.equal(dep.description, "first");
    assert.ok(dep.createdDate instanceof Date);

    const summary = await gw.send(
      new GetDeploymentCommand({ restApiId: api.id, deploymentId: firstDeployment, embed: ["apisummary"] }),
    );
    assert.deepEqual(summary.apiSummary["/pets"], { GET: { authorizationType: "NONE", apiKeyRequired: false } });
    assert.deepEqual(summary.apiSummary["/static/{proxy+}"], { ANY: { authorizationType: "NONE", apiKeyRequired: false } });

    const list = await gw.send(new GetDeploymentsCommand({ restApiId: api.id }));
    assert.deepEqual(list.items.map((d) => d.id).sort(), [firstDeployment, canaryDeployment].sort());

    // A deployment a stage uses cannot be deleted; nothing changes.
    await expectError(gw.send(new DeleteDeploymentCommand({ restApiId: api.id, deploymentId: firstDeployment })), {
      name: "BadRequestException",
      status: 400,
      message: "Active stages pointing to this deployment must be moved or deleted",
    });
    const still = await gw.send(new GetDeploymentCommand({ restApiId: api.id, deploymentId: firstDeployment }));
    assert.deepEqual(strip(still), strip(dep));

    // An unused one can.
    const spare = await gw.send(new CreateDeploymentCommand({ restApiId: api.id, description: "spare" }));
    const del = await gw.send(new DeleteDeploymentCommand({ restApiId: api.id, deploymentId: spare.id }));
    assert.equal(del.$metadata.httpStatusCode, 202);
    await expectError(gw.send(new GetDeploymentCommand({ restApiId: api.id, deploymentId: spare.id })), {
      name: "NotFoundException",
      status: 404,
      message: "Invalid Deployment identifier specified",
    });
  });

  it("TagResource, GetTags and UntagResource on the API ARN", async () => {
    const arn = apiArn(api.id);
    const tagged = await gw.send(new TagResourceCommand({ resourceArn: arn, tags: { env: "test", team: "pets" } }));
    assert.equal(tagged.$metadata.httpStatusCode, 204);
    let tags = await gw.send(new GetTagsCommand({ resourceArn: arn }));
    assert.deepEqual(tags.tags, { env: "test", team: "pets" });

    await gw.send(new TagResourceCommand({ resourceArn: arn, tags: { env: "prod" } }));
    tags = await gw.send(new GetTagsCommand({ resourceArn: arn }));
    assert.deepEqual(tags.tags, { env: "prod", team: "pets" });

    const untagged = await gw.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["team", "absent"] }));
    assert.equal(untagged.$metadata.httpStatusCode, 204);
    tags = await gw.send(new GetTagsCommand({ resourceArn: arn }));
    assert.deepEqual(tags.tags, { env: "prod" });
    const got = await gw.send(new GetRestApiCommand({ restApiId: api.id }));
    assert.deepEqual(got.tags, { env: "prod" });

    const stageArn = `${arn}/stages/prod`;
    await gw.send(new TagResourceCommand({ resourceArn: stageArn, tags: { tier: "gold" } }));
    const st = await gw.send(new GetStageCommand({ restApiId: api.id, stageName: "prod" }));
    assert.deepEqual(st.tags, { tier: "gold" });
  });

  it("UpdateMethodResponse answers 201; DeleteResource removes a subtree, not the deployed snapshot", async () => {
    const mr = await gw.send(
      new UpdateMethodResponseCommand({
        restApiId: api.id,
        resourceId: res["/pets"],
        httpMethod: "GET",
        statusCode: "200",
        patchOperations: [{ op: "add", path: "/responseParameters/method.response.header.X-Extra", value: "true" }],
      }),
    );
    assert.equal(mr.$metadata.httpStatusCode, 201);
    assert.deepEqual(mr.responseParameters, {
      "method.response.header.X-Count": false,
      "method.response.header.X-Extra": true,
    });

    const del = await gw.send(new DeleteResourceCommand({ restApiId: api.id, resourceId: res["/static"] }));
    assert.equal(del.$metadata.httpStatusCode, 202);
    const left = await gw.send(new GetResourcesCommand({ restApiId: api.id }));
    assert.deepEqual(left.items.map((r) => r.path).sort(), ["/", "/pets", "/pets/{petId}"]);
    await expectError(gw.send(new GetResourceCommand({ restApiId: api.id, resourceId: res["/static/{proxy+}"] })), {
      name: "NotFoundException",
      status: 404,
      message: "Invalid Resource identifier specified",
    });
    const summary = await gw.send(
      new GetDeploymentCommand({ restApiId: api.id, deploymentId: firstDeployment, embed: ["apisummary"] }),
    );
    assert.ok(summary.apiSummary["/static/{proxy+}"], "the deployment keeps what was deployed");

    const dm = await gw.send(new DeleteMethodCommand({ restApiId: api.id, resourceId: res["/pets/{petId}"], httpMethod: "GET" }));
    assert.equal(dm.$metadata.httpStatusCode, 204);
    await expectError(gw.send(new GetMethodCommand({ restApiId: api.id, resourceId: res["/pets/{petId}"], httpMethod: "GET" })), {
      name: "NotFoundException",
      status: 404,
      message: "Invalid Method identifier specified",
    });
  });

  it("GetAccount and UpdateAccount", async () => {
    const before = await gw.send(new GetAccountCommand({}));
    assert.equal(before.$metadata.httpStatusCode, 200);
    assert.equal(before.apiKeyVersion, "4");
    assert.deepEqual(before.features, ["UsagePlans"]);
    assert.deepEqual(before.throttleSettings, { burstLimit: 5000, rateLimit: 10000 });

    const role = `arn:aws:iam::${accountId}:role/apigateway-cloudwatch`;
    const up = await gw.send(
      new UpdateAccountCommand({ patchOperations: [{ op: "replace", path: "/cloudwatchRoleArn", value: role }] }),
    );
    assert.equal(up.$metadata.httpStatusCode, 200);
    assert.equal(up.cloudwatchRoleArn, role);
    const after = await gw.send(new GetAccountCommand({}));
    assert.deepEqual(strip(after), { ...strip(before), cloudwatchRoleArn: role });
  });
});
