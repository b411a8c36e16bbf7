// Every error a user can provoke through the SDK: the SDK error's name (the
// x-amzn-ErrorType), the HTTP status and AWS's exact message where it is
// known (recorded against AWS, see /work/shared/reference), and afterwards
// the API reads back exactly as before the failed call.

import assert from "node:assert/strict";
import { describe, it, before } from "node:test";

import {
  CreateDeploymentCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteDeploymentCommand,
  DeleteGatewayResponseCommand,
  DeleteIntegrationCommand,
  DeleteIntegrationResponseCommand,
  DeleteMethodCommand,
  DeleteMethodResponseCommand,
  DeleteModelCommand,
  DeleteRequestValidatorCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  DeleteStageCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetGatewayResponseCommand,
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
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  TagResourceCommand,
  UpdateIntegrationCommand,
  UpdateMethodCommand,
  UpdateModelCommand,
  UpdateRequestValidatorCommand,
  UpdateResourceCommand,
  UpdateRestApiCommand,
  UpdateStageCommand,
} from "@aws-sdk/client-api-gateway";

import { apiArn, apiState, client, expectError, uid } from "./helpers.mjs";

const gw = client();

const notFound = (message) => ({ name: "NotFoundException", status: 404, message });
const badRequest = (message) => ({ name: "BadRequestException", status: 400, message });
const conflict = (message) => ({ name: "ConflictException", status: 409, message });
const validation = (message) => ({ name: "ValidationException", status: 400, message });

const stagePathsMessage =
  "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]";

const gatewayResponseEnum =
  "[REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, AUTHORIZER_CONFIGURATION_ERROR, MISSING_AUTHENTICATION_TOKEN, BAD_REQUEST_BODY, INVALID_SIGNATURE, INVALID_API_KEY, BAD_REQUEST_PARAMETERS, AUTHORIZER_FAILURE, UNAUTHORIZED, INTEGRATION_TIMEOUT, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX, WAF_FILTERED, QUOTA_EXCEEDED, THROTTLED, API_CONFIGURATION_ERROR, UNSUPPORTED_MEDIA_TYPE, INTEGRATION_FAILURE, EXPIRED_TOKEN]";

describe("errors leave the state unchanged", () => {
  let apiId;
  let rootId;
  const res = {};
  let validatorId;
  let deploymentId;
  let before0;

  // check expects call to fail with want and the API to read back as
  // before.
  async function check(call, want, id = apiId) {
    assert.equal(typeof call, "function", "check takes a function, so the call starts after the first read");
    const before = await apiState(id);
    const err = await expectError(call, want);
    const after = await apiState(id);
    assert.deepEqual(after, before, `state changed by a failed call (${err.name}: ${err.message})`);
    return err;
  }

  before(async () => {
    const api = await gw.send(new CreateRestApiCommand({ name: `errors-${uid()}` }));
    apiId = api.id;
    rootId = api.rootResourceId;
    const mk = async (parent, part) =>
      (await gw.send(new CreateResourceCommand({ restApiId: apiId, parentId: parent, pathPart: part }))).id;
    res["/pets"] = await mk(rootId, "pets");
    res["/pets/{petId}"] = await mk(res["/pets"], "{petId}");
    res["/pets/{petId}/toys"] = await mk(res["/pets/{petId}"], "toys");
    res["/files"] = await mk(rootId, "files");
    res["/files/{proxy+}"] = await mk(res["/files"], "{proxy+}");

    await gw.send(
      new CreateModelCommand({
        restApiId: apiId,
        name: "Pet",
        contentType: "application/json",
        schema: '{"type": "object", "properties": {"name": {"type": "string"}}}',
      }),
    );
    validatorId = (await gw.send(new CreateRequestValidatorCommand({ restApiId: apiId, name: "all", validateRequestBody: true })))
      .id;
    const base = { restApiId: apiId, resourceId: res["/pets"] };
    await gw.send(new PutMethodCommand({ ...base, httpMethod: "GET", authorizationType: "NONE" }));
    await gw.send(new PutMethodResponseCommand({ ...base, httpMethod: "GET", statusCode: "200" }));
    await gw.send(
      new PutIntegrationCommand({ ...base, httpMethod: "GET", type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } }),
    );
    await gw.send(new PutIntegrationResponseCommand({ ...base, httpMethod: "GET", statusCode: "200", selectionPattern: "" }));
    await gw.send(
      new PutMethodCommand({
        ...base,
        httpMethod: "POST",
        authorizationType: "NONE",
        requestModels: { "application/json": "Pet" },
        requestValidatorId: validatorId,
      }),
    );
    await gw.send(
      new PutIntegrationCommand({ ...base, httpMethod: "POST", type: "HTTP", integrationHttpMethod: "POST", uri: "https://example.com/pets" }),
    );
    deploymentId = (await gw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: "prod" }))).id;
    // A method without an integration (added after the deployment: AWS
    // refuses to deploy it).
    await gw.send(new PutMethodCommand({ restApiId: apiId, resourceId: res["/pets/{petId}"], httpMethod: "GET", authorizationType: "NONE" }));
    before0 = await apiState(apiId);
  });

  it("unknown REST API", async () => {
    const id = "nosuchapi0";
    const want = notFound(`Invalid API identifier specified 000000000000:${id}`);
    await expectError(gw.send(new GetRestApiCommand({ restApiId: id })), want);
    await expectError(gw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [{ op: "replace", path: "/name", value: "x" }] })), want);
    await expectError(gw.send(new DeleteRestApiCommand({ restApiId: id })), want);
    await expectError(gw.send(new GetResourcesCommand({ restApiId: id })), want);
    await expectError(gw.send(new GetModelsCommand({ restApiId: id })), want);
    await expectError(gw.send(new CreateDeploymentCommand({ restApiId: id, stageName: "prod" })), want);
    await expectError(gw.send(new GetTagsCommand({ resourceArn: apiArn(id) })), want);
    // Ids are case-sensitive [V].
    await expectError(
      gw.send(new GetRestApiCommand({ restApiId: apiId.toUpperCase() })),
      notFound(`Invalid API identifier specified 000000000000:${apiId.toUpperCase()}`),
    );
    assert.deepEqual(await apiState(apiId), before0);
  });

  it("unknown resource, method, integration, responses", async () => {
    const base = { restApiId: apiId, resourceId: res["/pets"] };
    await check(() => gw.send(new GetResourceCommand({ restApiId: apiId, resourceId: "nosuch" })), notFound("Invalid Resource identifier specified"));
    await check(
      () => gw.send(new CreateResourceCommand({ restApiId: apiId, parentId: "nosuch", pathPart: "x" })),
      notFound("Invalid Resource identifier specified"),
    );
    await check(() => gw.send(new DeleteResourceCommand({ restApiId: apiId, resourceId: "nosuch" })), notFound("Invalid Resource identifier specified"));
    await check(
      () => gw.send(new PutMethodCommand({ restApiId: apiId, resourceId: "nosuch", httpMethod: "GET", authorizationType: "NONE" })),
      notFound("Invalid Resource identifier specified"),
    );
    await check(() => gw.send(new GetMethodCommand({ ...base, httpMethod: "DELETE" })), notFound("Invalid Method identifier specified"));
    await check(() => gw.send(new DeleteMethodCommand({ ...base, httpMethod: "DELETE" })), notFound("Invalid Method identifier specified"));
    await check(
      () => gw.send(new PutIntegrationCommand({ ...base, httpMethod: "DELETE", type: "MOCK" })),
      notFound("Invalid Method identifier specified"),
    );
    const noInteg = { restApiId: apiId, resourceId: res["/pets/{petId}"], httpMethod: "GET" };
    await check(() => gw.send(new GetIntegrationCommand(noInteg)), notFound("Invalid Integration identifier specified"));
    await check(() => gw.send(new DeleteIntegrationCommand(noInteg)), notFound("Invalid Integration identifier specified"));
    await check(
      () => gw.send(new PutIntegrationResponseCommand({ ...noInteg, statusCode: "200" })),
      notFound("Invalid Integration identifier specified"),
    );
    await check(
      () => gw.send(new GetMethodResponseCommand({ ...base, httpMethod: "GET", statusCode: "404" })),
      notFound("Invalid Response status code specified"),
    );
    await check(
      () => gw.send(new DeleteMethodResponseCommand({ ...base, httpMethod: "GET", statusCode: "404" })),
      notFound("Invalid Response status code specified"),
    );
    await check(
      () => gw.send(new GetIntegrationResponseCommand({ ...base, httpMethod: "GET", statusCode: "404" })),
      notFound("Invalid Response status code specified"),
    );
    await check(
      () => gw.send(new DeleteIntegrationResponseCommand({ ...base, httpMethod: "GET", statusCode: "404" })),
      notFound("Invalid Response status code specified"),
    );
    // A resource id of another API is unknown in this one.
    const other = await gw.send(new CreateRestApiCommand({ name: `errors-other-${uid()}` }));
    await check(
      () => gw.send(new GetResourceCommand({ restApiId: apiId, resourceId: other.rootResourceId })),
      notFound("Invalid Resource identifier specified"),
    );
  });

  it("unknown stage, deployment, model, validator, gateway response", async () => {
    await check(() => gw.send(new GetStageCommand({ restApiId: apiId, stageName: "nosuch" })), notFound("Invalid Stage identifier specified"));
    await check(() => gw.send(new DeleteStageCommand({ restApiId: apiId, stageName: "nosuch" })), notFound("Invalid Stage identifier specified"));
    await check(
      () => gw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "nosuch", patchOperations: [{ op: "replace", path: "/description", value: "x" }] })),
      notFound("Invalid Stage identifier specified"),
    );
    await check(
      () => gw.send(new GetDeploymentCommand({ restApiId: apiId, deploymentId: "nosuch" })),
      notFound("Invalid Deployment identifier specified"),
    );
    await check(() => gw.send(new GetModelCommand({ restApiId: apiId, modelName: "Nope" })), notFound("Invalid model name specified: Nope"));
    await check(() => gw.send(new DeleteModelCommand({ restApiId: apiId, modelName: "Nope" })), notFound("Invalid model name specified: Nope"));
    await check(
      () => gw.send(new UpdateModelCommand({ restApiId: apiId, modelName: "Nope", patchOperations: [{ op: "replace", path: "/description", value: "x" }] })),
      notFound("Invalid model name specified: Nope"),
    );
    await check(
      () => gw.send(new GetRequestValidatorCommand({ restApiId: apiId, requestValidatorId: "nosuch" })),
      notFound("Invalid Request Validator identifier specified"),
    );
    await check(
      () => gw.send(new DeleteRequestValidatorCommand({ restApiId: apiId, requestValidatorId: "nosuch" })),
      notFound("Invalid Request Validator identifier specified"),
    );
    await check(
      () => gw.send(new DeleteGatewayResponseCommand({ restApiId: apiId, responseType: "DEFAULT_4XX" })),
      notFound("Gateway response type not defined on api"),
    );
    // Referencing unknown things from a method is a bad request [V].
    await check(
      () => gw.send(new PutMethodCommand({ restApiId: apiId, resourceId: res["/files"], httpMethod: "GET", authorizationType: "NONE", requestModels: { "application/json": "petModel" } })),
      badRequest("Invalid model identifier specified: petModel"),
    );
    await check(
      () => gw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/canarySettings/deploymentId", value: "deploy" }] })),
      badRequest("Deployment id does not exist"),
    );
  });

  it("resource tree rules", async () => {
    await check(
      () => gw.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: "pets" })),
      conflict("Another resource with the same parent already has this name: pets"),
    );
    await check(
      () => gw.send(new CreateResourceCommand({ restApiId: apiId, parentId: res["/pets"], pathPart: "{other}" })),
      badRequest("A sibling ({petId}) of this resource already has a variable path part -- only one is allowed"),
    );
    await check(
      () => gw.send(new CreateResourceCommand({ restApiId: apiId, parentId: res["/files"], pathPart: "{rest+}" })),
      badRequest("A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed"),
    );
    await check(
      () => gw.send(new CreateResourceCommand({ restApiId: apiId, parentId: res["/files/{proxy+}"], pathPart: "x" })),
      badRequest("Cannot create a child of a resource with a greedy path variable: {proxy+}"),
    );
    await check(
      () => gw.send(new UpdateResourceCommand({ restApiId: apiId, resourceId: res["/pets"], patchOperations: [{ op: "replace", path: "/parentId", value: res["/pets/{petId}/toys"] }] })),
      badRequest("Resources cannot be cyclical."),
    );
    await check(
      () => gw.send(new UpdateResourceCommand({ restApiId: apiId, resourceId: res["/pets"], patchOperations: [{ op: "replace", path: "/parentId", value: res["/pets"] }] })),
      badRequest("Resources cannot be cyclical."),
    );
    await check(
      () => gw.send(new UpdateResourceCommand({ restApiId: apiId, resourceId: rootId, patchOperations: [{ op: "replace", path: "/parentId", value: res["/pets"] }] })),
      badRequest("Root resource cannot update its parentId."),
    );
    await check(
      () => gw.send(new UpdateResourceCommand({ restApiId: apiId, resourceId: rootId, patchOperations: [{ op: "replace", path: "/pathPart", value: "x" }] })),
      badRequest("Root resource cannot update its pathPart."),
    );
    // Renaming onto a sibling's name conflicts too.
    await check(
      () => gw.send(new UpdateResourceCommand({ restApiId: apiId, resourceId: res["/files"], patchOperations: [{ op: "replace", path: "/pathPart", value: "pets" }] })),
      conflict("Another resource with the same parent already has this name: pets"),
    );
  });

  it("invalid enum values are ValidationExceptions with AWS's text", async () => {
    await check(
      () => gw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId: res["/pets"], httpMethod: "POST", type: "HTTPS_PROXY", integrationHttpMethod: "POST", uri: "https://example.com" })),
      validation(
        "1 validation error detected: Value 'HTTPS_PROXY' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]",
      ),
    );
    for (const Cmd of [GetGatewayResponseCommand, DeleteGatewayResponseCommand, PutGatewayResponseCommand]) {
      await check(
        () => gw.send(new Cmd({ restApiId: apiId, responseType: "FAKE_RESPONSE_TYPE" })),
        validation(
          `1 validation error detected: Value 'FAKE_RESPONSE_TYPE' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: ${gatewayResponseEnum}`,
        ),
      );
    }
    await check(
      () => gw.send(new PutMethodCommand({ restApiId: apiId, resourceId: res["/files"], httpMethod: "FETCH", authorizationType: "NONE" })),
      badRequest("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"),
    );
  });

  it("invalid patch operations (ValidationException) and paths (BadRequestException)", async () => {
    await check(
      () => gw.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: "wrong-op", path: "/name", value: "x" }] })),
      validation(
        "1 validation error detected: Value 'wrong-op' at 'updateRestApiInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
      ),
    );
    await check(
      () => gw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/description", value: "ok" }, { op: "bogus", path: "/description", value: "x" }] })),
      validation(
        "1 validation error detected: Value 'bogus' at 'updateStageInput.patchOperations.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
      ),
    );
    for (const op of ["add", "replace", "remove"]) {
      await check(
        () => gw.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op, path: "/binaryMediaTypes", value: "image/png" }] })),
        badRequest("Invalid patch path /binaryMediaTypes"),
      );
    }
    await check(
      () => gw.send(new UpdateResourceCommand({ restApiId: apiId, resourceId: res["/pets"], patchOperations: [{ op: "replace", path: "/invalid", value: "x" }] })),
      badRequest("Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]"),
    );
    await check(
      () => gw.send(new UpdateResourceCommand({ restApiId: apiId, resourceId: res["/pets"], patchOperations: [{ op: "add", path: "/pathPart", value: "x" }] })),
      badRequest("Invalid patch path  '/pathPart' specified for op 'add'. Please choose supported operations"),
    );
    await check(
      () => gw.send(new UpdateRequestValidatorCommand({ restApiId: apiId, requestValidatorId: validatorId, patchOperations: [{ op: "replace", path: "/invalidPath", value: "x" }] })),
      badRequest("Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: [/name, /validateRequestParameters, /validateRequestBody]"),
    );
    await check(
      () => gw.send(new UpdateModelCommand({ restApiId: apiId, modelName: "Pet", patchOperations: [{ op: "replace", path: "/name", value: "Dog" }] })),
      badRequest("Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]"),
    );
    await check(
      () => gw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/tags/tag1", value: "x" }] })),
      badRequest(`Invalid method setting path: /tags/tag1. Must be one of: ${stagePathsMessage}`),
    );
    await check(
      () => gw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/accessLogSettings/bogus", value: "x" }] })),
      badRequest("Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]"),
    );
    await check(
      () => gw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "remove", path: "/*/*" }] })),
      badRequest("Cannot remove method setting */* because there is no method setting for this method "),
    );
    // A failing operation after a valid one leaves nothing applied.
    await check(
      () => gw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/description", value: "changed" }, { op: "replace", path: "/*/*/throttling/rateLimit", value: "5" }, { op: "replace", path: "/nope", value: "x" }] })),
      badRequest(`Invalid method setting path: /nope. Must be one of: ${stagePathsMessage}`),
    );
    await check(
      () => gw.send(new UpdateMethodCommand({ restApiId: apiId, resourceId: res["/pets"], httpMethod: "GET", patchOperations: [{ op: "replace", path: "/httpMethod", value: "POST" }] })),
      badRequest("Invalid patch path /httpMethod"),
    );
  });

  it("models: in use, duplicate, empty schema", async () => {
    await check(
      () => gw.send(new DeleteModelCommand({ restApiId: apiId, modelName: "Pet" })),
      conflict("Cannot delete model 'Pet', is referenced in method request: /pets/POST"),
    );
    await check(
      () => gw.send(new CreateModelCommand({ restApiId: apiId, name: "Pet", contentType: "application/json", schema: '{"type": "object", "properties": {"a": {"type": "string"}}}' })),
      conflict("Model name already exists for this REST API"),
    );
    await check(
      () => gw.send(new CreateModelCommand({ restApiId: apiId, name: "Blank", contentType: "application/json", schema: "{}" })),
      badRequest("Model schema must have at least 1 property or array items defined"),
    );
  });

  it("integrations: bad URIs and missing HTTP method", async () => {
    const base = { restApiId: apiId, resourceId: res["/pets"], httpMethod: "POST" };
    await check(
      () => gw.send(new PutIntegrationCommand({ ...base, type: "HTTP", integrationHttpMethod: "POST", uri: "not a uri" })),
      badRequest("Invalid HTTP endpoint specified for URI"),
    );
    await check(
      () => gw.send(new PutIntegrationCommand({ ...base, type: "HTTP_PROXY", integrationHttpMethod: "POST", uri: "ftp://example.com/x" })),
      badRequest("Invalid HTTP endpoint specified for URI"),
    );
    await check(
      () => gw.send(new PutIntegrationCommand({ ...base, type: "HTTP", uri: "https://example.com/x" })),
      badRequest("Enumeration value for HttpMethod must be non-empty"),
    );
    await check(
      () => gw.send(new PutIntegrationCommand({ ...base, type: "AWS", integrationHttpMethod: "POST", uri: "not-an-arn" })),
      badRequest("Invalid ARN specified in the request"),
    );
    await check(
      () => gw.send(new PutIntegrationCommand({ ...base, type: "AWS", integrationHttpMethod: "POST", uri: "arn:aws:apigateway:us-east-1:s3:bucket/key" })),
      badRequest("AWS ARN for integration must contain path or action"),
    );
    await check(
      () => gw.send(new PutIntegrationCommand({ ...base, type: "AWS_PROXY", integrationHttpMethod: "POST", uri: "arn:aws:apigateway:us-east-1:s3:path/bucket/key" })),
      badRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."),
    );
    // Replacing an existing integration with a bad one keeps the old one.
    await check(
      () => gw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId: res["/pets"], httpMethod: "GET", type: "HTTP", integrationHttpMethod: "GET", uri: "http//missing-colon" })),
      badRequest("Invalid HTTP endpoint specified for URI"),
    );
    await check(
      () => gw.send(new UpdateIntegrationCommand({ restApiId: apiId, resourceId: res["/pets"], httpMethod: "GET", patchOperations: [{ op: "replace", path: "/uri", value: "x" }, { op: "replace", path: "/nope", value: "x" }] })),
      { name: "BadRequestException", status: 400 },
    );
  });

  it("deployments and stages", async () => {
    await check(
      () => gw.send(new DeleteDeploymentCommand({ restApiId: apiId, deploymentId })),
      badRequest("Active stages pointing to this deployment must be moved or deleted"),
    );
    // This suite's API has a method without integration, which AWS refuses
    // to deploy; the canary checks use a deployable API.
    await check(
      () => gw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: "prod" })),
      badRequest("No integration defined for method"),
    );
    const ok = await gw.send(new CreateRestApiCommand({ name: `errors-canary-${uid()}` }));
    await gw.send(new PutMethodCommand({ restApiId: ok.id, resourceId: ok.rootResourceId, httpMethod: "GET", authorizationType: "NONE" }));
    await gw.send(new PutIntegrationCommand({ restApiId: ok.id, resourceId: ok.rootResourceId, httpMethod: "GET", type: "MOCK" }));
    await gw.send(new CreateDeploymentCommand({ restApiId: ok.id, stageName: "live" }));
    await check(
      () => gw.send(new CreateDeploymentCommand({ restApiId: ok.id, canarySettings: { percentTraffic: 10 } })),
      badRequest("Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null"),
      ok.id,
    );
    await check(
      () => gw.send(new CreateDeploymentCommand({ restApiId: ok.id, stageName: "", canarySettings: { percentTraffic: 10 } })),
      badRequest("Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is "),
      ok.id,
    );
    await check(
      () => gw.send(new CreateDeploymentCommand({ restApiId: ok.id, stageName: "non-existing", canarySettings: { percentTraffic: 10 } })),
      badRequest("Invalid deployment content specified.Stage non-existing must already be created before making a canary release deployment"),
      ok.id,
    );
    await check(
      () => gw.send(new CreateStageCommand({ restApiId: apiId, stageName: "prod", deploymentId })),
      { name: "ConflictException", status: 409 },
    );
    // A deployment of an API without methods is refused.
    const empty = await gw.send(new CreateRestApiCommand({ name: `errors-empty-${uid()}` }));
    await expectError(
      gw.send(new CreateDeploymentCommand({ restApiId: empty.id, stageName: "prod" })),
      badRequest("The REST API doesn't contain any methods"),
    );
    const stages = await gw.send(new GetStagesCommand({ restApiId: empty.id }));
    assert.deepEqual(stages.item, []);
    const deps = await gw.send(new GetDeploymentsCommand({ restApiId: empty.id }));
    assert.deepEqual(deps.items ?? [], []);
  });

  it("CreateRestApi rule violations create nothing", async () => {
    const name = `errors-create-${uid()}`;
    await expectError(
      gw.send(new CreateRestApiCommand({ name, endpointConfiguration: { types: ["EDGE", "REGIONAL"] } })),
      badRequest("Cannot create an api with multiple Endpoint Types."),
    );
    await expectError(
      gw.send(new CreateRestApiCommand({ name, endpointConfiguration: { types: ["PRIVATE"], ipAddressType: "ipv4" } })),
      badRequest("Only dualstack ipAddressType is supported for Private APIs."),
    );
    await expectError(gw.send(new CreateRestApiCommand({ name, description: "" })), badRequest("Description cannot be an empty string"));
    await expectError(
      gw.send(new CreateRestApiCommand({ name, minimumCompressionSize: 10485761 })),
      badRequest("Invalid minimum compression size, must be between 0 and 10485760"),
    );
    await expectError(gw.send(new CreateRestApiCommand({ name, apiKeySource: "COOKIE" })), {
      name: "ValidationException",
      status: 400,
      message: /^1 validation error detected: Value 'COOKIE' at 'createRestApiInput.apiKeySource' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    });
    const all = await gw.send(new GetRestApisCommand({ limit: 500 }));
    assert.deepEqual(all.items.filter((a) => a.name === name), [], "no API was created");
  });

  it("tags on unknown resources", async () => {
    await expectError(
      gw.send(new TagResourceCommand({ resourceArn: apiArn("nosuchapi0"), tags: { a: "b" } })),
      notFound("Invalid API identifier specified 000000000000:nosuchapi0"),
    );
    await check(
      () => gw.send(new TagResourceCommand({ resourceArn: `${apiArn(apiId)}/stages/nosuch`, tags: { a: "b" } })),
      notFound("Invalid Stage identifier specified"),
    );
  });

  it("the API is as it was after all failures", async () => {
    // Everything above failed; tests that needed extra objects made them
    // in other APIs.
    assert.deepEqual(await apiState(apiId), before0);
  });
});
