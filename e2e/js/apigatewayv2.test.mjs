// HTTP APIs through the AWS SDK for JavaScript v3's apigatewayv2 client:
// quick create, a hand-built API (routes, integrations with parameter
// mapping, JWT and Lambda authorizers, stages, deployments, tags, VPC
// links), OpenAPI import, reimport and export, pagination by NextToken,
// and AWS's error shapes; then a WebSocket API (route responses,
// integration responses with VTL templates, models, a $connect route
// behind a REQUEST authorizer, route throttling settings). The SDK
// percent-encodes every path label ($default, "GET /pets/{id}", ARNs), so
// these calls also check that the gateway splits the escaped path.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it, before } from "node:test";

import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateModelCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
  CreateVpcLinkCommand,
  DeleteApiCommand,
  DeleteCorsConfigurationCommand,
  DeleteIntegrationCommand,
  DeleteIntegrationResponseCommand,
  DeleteModelCommand,
  DeleteRouteCommand,
  DeleteRouteResponseCommand,
  DeleteRouteSettingsCommand,
  DeleteVpcLinkCommand,
  ExportApiCommand,
  GetApiCommand,
  GetApisCommand,
  GetAuthorizersCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetIntegrationResponsesCommand,
  GetIntegrationsCommand,
  GetModelCommand,
  GetModelTemplateCommand,
  GetModelsCommand,
  GetRouteCommand,
  GetRouteResponseCommand,
  GetRouteResponsesCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  GetVpcLinkCommand,
  ImportApiCommand,
  ReimportApiCommand,
  ResetAuthorizersCacheCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  UpdateModelCommand,
  UpdateRouteCommand,
  UpdateRouteResponseCommand,
  UpdateStageCommand,
} from "@aws-sdk/client-apigatewayv2";

import { accountId, endpoint, expectError, region, strip, uid } from "./helpers.mjs";

const v2 = new ApiGatewayV2Client({ endpoint, region });

const ID10 = /^[a-z0-9]{10}$/;
const ID7 = /^[a-z0-9]{7}$/;
const ID6 = /^[a-z0-9]{6}$/;
const lambdaArn = `arn:aws:lambda:${region}:${accountId}:function:pets`;
const lambdaUri = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${lambdaArn}/invocations`;
const autoDescription = "Automatic deployment triggered by changes to the Api configuration";

function recent(date, what) {
  assert.ok(date instanceof Date, `${what} is parsed as a Date (ISO-8601 on the wire)`);
  assert.ok(Math.abs(Date.now() - date.getTime()) < 5 * 60_000, `${what} ${date.toISOString()} is now`);
}

const apiArn = (id) => `arn:aws:apigateway:${region}::/apis/${id}`;

describe("apigatewayv2: quick create", () => {
  it("makes a managed integration, route and auto-deploying $default stage", async () => {
    const api = await v2.send(new CreateApiCommand({ Name: `quick-${uid()}`, ProtocolType: "HTTP", Target: lambdaArn }));
    assert.match(api.ApiId, ID10);
    assert.equal(api.ApiEndpoint, `https://${api.ApiId}.execute-api.${region}.amazonaws.com`);
    assert.equal(api.RouteSelectionExpression, "$request.method $request.path");
    assert.equal(api.ApiKeySelectionExpression, "$request.header.x-api-key");
    assert.equal(api.DisableExecuteApiEndpoint, false);
    assert.equal(api.IpAddressType, "ipv4");
    assert.deepEqual(api.Tags, {});
    recent(api.CreatedDate, "CreatedDate");

    const { Items: integrations } = await v2.send(new GetIntegrationsCommand({ ApiId: api.ApiId }));
    assert.equal(integrations.length, 1);
    const [ig] = integrations;
    assert.match(ig.IntegrationId, ID7);
    assert.deepEqual(ig, {
      ApiGatewayManaged: true, ConnectionType: "INTERNET", IntegrationId: ig.IntegrationId, IntegrationMethod: "POST",
      IntegrationType: "AWS_PROXY", IntegrationUri: lambdaArn, PayloadFormatVersion: "2.0", TimeoutInMillis: 30000,
    });
    const { Items: routes } = await v2.send(new GetRoutesCommand({ ApiId: api.ApiId }));
    assert.deepEqual(routes, [{
      ApiGatewayManaged: true, ApiKeyRequired: false, AuthorizationType: "NONE", RouteId: routes[0].RouteId,
      RouteKey: "$default", Target: `integrations/${ig.IntegrationId}`,
    }]);
    const { Items: deployments } = await v2.send(new GetDeploymentsCommand({ ApiId: api.ApiId }));
    assert.equal(deployments.length, 1);
    assert.match(deployments[0].DeploymentId, ID6);
    assert.equal(deployments[0].AutoDeployed, true);
    assert.equal(deployments[0].DeploymentStatus, "DEPLOYED");
    assert.equal(deployments[0].Description, autoDescription);

    const stage = await v2.send(new GetStageCommand({ ApiId: api.ApiId, StageName: "$default" }));
    assert.equal(stage.ApiGatewayManaged, true);
    assert.equal(stage.AutoDeploy, true);
    assert.equal(stage.DeploymentId, deployments[0].DeploymentId);
    assert.equal(stage.LastDeploymentStatusMessage, `Successfully deployed stage with deployment ID '${stage.DeploymentId}'`);
    assert.deepEqual(stage.DefaultRouteSettings, { DetailedMetricsEnabled: false });
    assert.deepEqual(stage.RouteSettings, {});
    assert.deepEqual(stage.StageVariables, {});

    // A change to the API redeploys the stage.
    await v2.send(new UpdateRouteCommand({ ApiId: api.ApiId, RouteId: routes[0].RouteId, OperationName: "catchAll" }));
    const after = await v2.send(new GetStageCommand({ ApiId: api.ApiId, StageName: "$default" }));
    assert.notEqual(after.DeploymentId, stage.DeploymentId);
    await v2.send(new DeleteApiCommand({ ApiId: api.ApiId }));
  });
});

describe("apigatewayv2: an HTTP API by hand", () => {
  let apiId;
  let httpIg, fnIg, jwt, lam, petRoute;

  before(async () => {
    const api = await v2.send(new CreateApiCommand({
      Name: `pets-${uid()}`, ProtocolType: "HTTP", Description: "Pet store", Version: "v1",
      CorsConfiguration: { AllowOrigins: ["https://www.example.com"], AllowMethods: ["GET", "OPTIONS"], MaxAge: 300 },
      Tags: { team: "pets" },
    }));
    apiId = api.ApiId;
    assert.deepEqual(api.CorsConfiguration, { AllowOrigins: ["https://www.example.com"], AllowMethods: ["GET", "OPTIONS"], MaxAge: 300 });
  });

  it("updates an API partially and deletes its CORS configuration", async () => {
    const up = await v2.send(new UpdateApiCommand({ ApiId: apiId, CorsConfiguration: { AllowHeaders: ["x-token"] } }));
    assert.deepEqual(up.CorsConfiguration.AllowHeaders, ["x-token"]);
    assert.deepEqual(up.CorsConfiguration.AllowOrigins, ["https://www.example.com"], "members left out are kept");
    assert.equal(up.Description, "Pet store");
    await v2.send(new DeleteCorsConfigurationCommand({ ApiId: apiId }));
    const got = await v2.send(new GetApiCommand({ ApiId: apiId }));
    assert.equal(got.CorsConfiguration, undefined);
    assert.deepEqual(got.Tags, { team: "pets" });
  });

  it("creates integrations with parameter mapping", async () => {
    httpIg = await v2.send(new CreateIntegrationCommand({
      ApiId: apiId, IntegrationType: "HTTP_PROXY", IntegrationMethod: "GET", PayloadFormatVersion: "1.0",
      IntegrationUri: "https://backend.example.com/pets/{id}",
      RequestParameters: { "append:header.x-source": "$context.requestId", "overwrite:path": "/v1/$request.path.id" },
      ResponseParameters: { 404: { "overwrite:statuscode": "410" } },
    }));
    assert.match(httpIg.IntegrationId, ID7);
    assert.equal(httpIg.TimeoutInMillis, 30000);
    fnIg = await v2.send(new CreateIntegrationCommand({
      ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: lambdaArn, PayloadFormatVersion: "2.0", TimeoutInMillis: 5000,
    }));
    assert.equal(fnIg.IntegrationMethod, "POST");
    const up = await v2.send(new UpdateIntegrationCommand({
      ApiId: apiId, IntegrationId: httpIg.IntegrationId,
      RequestParameters: { "append:header.x-source": "" }, ResponseParameters: { 500: { "overwrite:header.retry-after": "5" } },
    }));
    assert.deepEqual(up.RequestParameters, { "overwrite:path": "/v1/$request.path.id" }, "an empty value removes a mapping");
    assert.deepEqual(up.ResponseParameters, { 404: { "overwrite:statuscode": "410" }, 500: { "overwrite:header.retry-after": "5" } });
    const got = await v2.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: httpIg.IntegrationId }));
    assert.deepEqual(strip(got), strip(up));
  });

  it("creates JWT and Lambda authorizers", async () => {
    jwt = await v2.send(new CreateAuthorizerCommand({
      ApiId: apiId, Name: "jwt", AuthorizerType: "JWT", IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: { Issuer: "https://issuer.example.com", Audience: ["pets"] },
    }));
    assert.match(jwt.AuthorizerId, ID6);
    lam = await v2.send(new CreateAuthorizerCommand({
      ApiId: apiId, Name: "lambda", AuthorizerType: "REQUEST", AuthorizerUri: lambdaUri,
      AuthorizerPayloadFormatVersion: "2.0", EnableSimpleResponses: true, IdentitySource: ["$request.header.X-Token"],
      AuthorizerResultTtlInSeconds: 60,
    }));
    assert.equal(lam.EnableSimpleResponses, true);
    const { Items } = await v2.send(new GetAuthorizersCommand({ ApiId: apiId }));
    assert.deepEqual(Items.map((a) => a.Name), ["jwt", "lambda"]);
  });

  it("creates routes with route-level authorization", async () => {
    petRoute = await v2.send(new CreateRouteCommand({
      ApiId: apiId, RouteKey: "GET /pets/{id}", Target: `integrations/${httpIg.IntegrationId}`,
      AuthorizationType: "JWT", AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: ["pets.read"],
    }));
    assert.match(petRoute.RouteId, ID7);
    await v2.send(new CreateRouteCommand({
      ApiId: apiId, RouteKey: "ANY /{proxy+}", Target: `integrations/${fnIg.IntegrationId}`,
      AuthorizationType: "CUSTOM", AuthorizerId: lam.AuthorizerId,
    }));
    await v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "$default", AuthorizationType: "AWS_IAM" }));
    const got = await v2.send(new GetRouteCommand({ ApiId: apiId, RouteId: petRoute.RouteId }));
    assert.deepEqual(got.AuthorizationScopes, ["pets.read"]);
    await expectError(
      v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "POST /pets/{petId}" })),
      { name: "ConflictException", status: 409,
        message: 'The provided route key "POST /pets/{petId}" has a conflicting variable on the same hierarchical level as "GET /pets/{id}"' },
    );
  });

  it("deploys to stages, and auto-deploys $default", async () => {
    await v2.send(new CreateStageCommand({ ApiId: apiId, StageName: "dev", StageVariables: { backend: "b.example.com" } }));
    const dep = await v2.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: "dev", Description: "first" }));
    assert.equal(dep.AutoDeployed, false);
    assert.equal(dep.DeploymentStatus, "DEPLOYED");
    recent(dep.CreatedDate, "deployment CreatedDate");
    const st = await v2.send(new UpdateStageCommand({
      ApiId: apiId, StageName: "dev",
      RouteSettings: { "GET /pets/{id}": { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 2000 } },
      DefaultRouteSettings: { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 25.5 },
      StageVariables: { backend: "", color: "blue" },
      AccessLogSettings: { DestinationArn: `arn:aws:logs:${region}:${accountId}:log-group:access`, Format: "$context.requestId $context.routeKey" },
    }));
    assert.equal(st.DeploymentId, dep.DeploymentId);
    assert.deepEqual(st.RouteSettings, { "GET /pets/{id}": { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 2000 } });
    assert.deepEqual(st.DefaultRouteSettings, { DetailedMetricsEnabled: false, ThrottlingBurstLimit: 50, ThrottlingRateLimit: 25.5 });
    assert.deepEqual(st.StageVariables, { color: "blue" });
    await v2.send(new DeleteRouteSettingsCommand({ ApiId: apiId, StageName: "dev", RouteKey: "GET /pets/{id}" }));
    await v2.send(new ResetAuthorizersCacheCommand({ ApiId: apiId, StageName: "dev" }));
    const dev = await v2.send(new GetStageCommand({ ApiId: apiId, StageName: "dev" }));
    assert.deepEqual(dev.RouteSettings, {});

    const auto = await v2.send(new CreateStageCommand({ ApiId: apiId, StageName: "$default", AutoDeploy: true }));
    assert.equal(auto.AutoDeploy, true);
    assert.match(auto.DeploymentId, ID6);
    await v2.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: petRoute.RouteId, AuthorizationScopes: ["pets.read", "pets.write"] }));
    const moved = await v2.send(new GetStageCommand({ ApiId: apiId, StageName: "$default" }));
    assert.notEqual(moved.DeploymentId, auto.DeploymentId);
    const { Items: stages } = await v2.send(new GetStagesCommand({ ApiId: apiId }));
    assert.deepEqual(stages.map((s) => s.StageName), ["dev", "$default"]);
    const { Items: deps } = await v2.send(new GetDeploymentsCommand({ ApiId: apiId }));
    assert.deepEqual(deps.map((d) => d.Description), ["first", autoDescription, autoDescription]);
  });

  it("tags APIs and stages by ARN", async () => {
    await v2.send(new TagResourceCommand({ ResourceArn: apiArn(apiId), Tags: { owner: "me" } }));
    await v2.send(new UntagResourceCommand({ ResourceArn: apiArn(apiId), TagKeys: ["team"] }));
    assert.deepEqual((await v2.send(new GetTagsCommand({ ResourceArn: apiArn(apiId) }))).Tags, { owner: "me" });
    await v2.send(new TagResourceCommand({ ResourceArn: `${apiArn(apiId)}/stages/$default`, Tags: { env: "prod" } }));
    assert.deepEqual((await v2.send(new GetTagsCommand({ ResourceArn: `${apiArn(apiId)}/stages/$default` }))).Tags, { env: "prod" });
  });

  it("answers with AWS's error shapes and changes nothing", async () => {
    const before = await v2.send(new GetRoutesCommand({ ApiId: apiId }));
    const err = await expectError(v2.send(new GetRouteCommand({ ApiId: apiId, RouteId: "nosuch0" })),
      { name: "NotFoundException", status: 404, message: "Invalid Route identifier specified nosuch0" });
    assert.equal(err.ResourceType, "Route");
    const apiErr = await expectError(v2.send(new GetApiCommand({ ApiId: "nosuchapi0" })),
      { name: "NotFoundException", status: 404, message: `Invalid API identifier specified ${accountId}:nosuchapi0` });
    assert.equal(apiErr.ResourceType, "Api");
    await expectError(
      v2.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: httpIg.IntegrationId, TimeoutInMillis: 1000,
        RequestParameters: { "overwrite:header.x-amzn-trace-id": "x" } })),
      { name: "BadRequestException", status: 400, message: "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Operations on header x-amzn-trace-id are restricted]" },
    );
    await expectError(
      v2.send(new UpdateApiCommand({ ApiId: apiId, Name: "renamed", CorsConfiguration: { AllowOrigins: ["*"], AllowCredentials: true } })),
      { name: "BadRequestException", status: 400, message: "allow-credentials is not supported if 'allow-origin' is *" },
    );
    await expectError(v2.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: fnIg.IntegrationId })),
      { name: "BadRequestException", status: 400, message: /it is the target of route\(s\) ANY \/\{proxy\+\}/ });
    await expectError(
      v2.send(new UpdateStageCommand({ ApiId: apiId, StageName: "dev", Description: "x", RouteSettings: { "GET /nope": { ThrottlingBurstLimit: 1 } } })),
      { name: "BadRequestException", status: 400, message: "Unable to find Route by key GET /nope within the provided RouteSettings" },
    );
    assert.deepEqual((await v2.send(new GetRoutesCommand({ ApiId: apiId }))).Items, before.Items);
    assert.equal((await v2.send(new GetApiCommand({ ApiId: apiId }))).Name.startsWith("pets-"), true);
    assert.equal((await v2.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: httpIg.IntegrationId }))).TimeoutInMillis, 30000);
    assert.equal((await v2.send(new GetStageCommand({ ApiId: apiId, StageName: "dev" }))).Description, undefined);
  });

  it("keeps VPC links", async () => {
    const link = await v2.send(new CreateVpcLinkCommand({ Name: `link-${uid()}`, SubnetIds: ["subnet-a", "subnet-b"], SecurityGroupIds: ["sg-1"] }));
    assert.match(link.VpcLinkId, ID7);
    assert.equal(link.VpcLinkVersion, "V2");
    assert.equal(link.VpcLinkStatus, "AVAILABLE");
    recent(link.CreatedDate, "VPC link CreatedDate");
    const got = await v2.send(new GetVpcLinkCommand({ VpcLinkId: link.VpcLinkId }));
    assert.deepEqual(strip(got), strip(link));
    const del = await v2.send(new DeleteVpcLinkCommand({ VpcLinkId: link.VpcLinkId }));
    assert.equal(del.$metadata.httpStatusCode, 202);
    await expectError(v2.send(new GetVpcLinkCommand({ VpcLinkId: link.VpcLinkId })),
      { name: "NotFoundException", status: 404, message: `Invalid VpcLink identifier specified ${link.VpcLinkId}` });
  });
});

describe("apigatewayv2: pagination", () => {
  it("pages GetRoutes with MaxResults and NextToken, and GetApis", async () => {
    const { ApiId } = await v2.send(new CreateApiCommand({ Name: `pages-${uid()}`, ProtocolType: "HTTP" }));
    for (let i = 0; i < 7; i++) {
      await v2.send(new CreateRouteCommand({ ApiId, RouteKey: `GET /r${i}` }));
    }
    const keys = [];
    let NextToken;
    let pages = 0;
    do {
      const out = await v2.send(new GetRoutesCommand({ ApiId, MaxResults: "3", NextToken }));
      assert.ok(out.Items.length <= 3);
      keys.push(...out.Items.map((r) => r.RouteKey));
      NextToken = out.NextToken;
      pages++;
    } while (NextToken);
    assert.equal(pages, 3);
    assert.deepEqual(keys, [0, 1, 2, 3, 4, 5, 6].map((i) => `GET /r${i}`), "creation order, each once");

    const seen = new Set();
    NextToken = undefined;
    do {
      const out = await v2.send(new GetApisCommand({ MaxResults: "2", NextToken }));
      for (const a of out.Items) {
        assert.ok(!seen.has(a.ApiId), `${a.ApiId} listed twice`);
        seen.add(a.ApiId);
      }
      NextToken = out.NextToken;
    } while (NextToken);
    assert.ok(seen.has(ApiId));
    await expectError(v2.send(new GetRoutesCommand({ ApiId, MaxResults: "many" })),
      { name: "BadRequestException", status: 400, message: "Invalid maxResults specified: many" });
    await v2.send(new DeleteApiCommand({ ApiId }));
  });
});

// fixture reads a definition of internal/mgmt/testdata/openapi-http (see
// its README for the sources).
function fixture(name) {
  return readFileSync(new URL(`../../internal/mgmt/testdata/openapi-http/${name}`, import.meta.url), "utf8");
}

describe("apigatewayv2: OpenAPI import and export", () => {
  it("imports the developer guide's pet store, with info and no stage", async () => {
    const api = await v2.send(new ImportApiCommand({ Body: fixture("pets.json") }));
    assert.equal(api.$metadata.httpStatusCode, 201);
    assert.match(api.ApiId, ID10);
    assert.equal(api.Name, "Example Pet Store");
    assert.equal(api.Version, "1.0");
    assert.deepEqual(api.CorsConfiguration.AllowMethods, ["GET", "OPTIONS", "POST"]);
    assert.equal(api.ImportInfo.length, 2, "request bodies and schemas are ignored, as info");
    assert.equal(api.Warnings, undefined);
    recent(api.CreatedDate, "ImportApi CreatedDate");
    const routes = await v2.send(new GetRoutesCommand({ ApiId: api.ApiId }));
    assert.deepEqual(routes.Items.map((r) => r.RouteKey).sort(), ["GET /pets", "GET /pets/{petId}", "POST /pets"]);
    const integrations = await v2.send(new GetIntegrationsCommand({ ApiId: api.ApiId }));
    for (const ig of integrations.Items) {
      assert.equal(ig.IntegrationType, "HTTP_PROXY");
      assert.equal(ig.PayloadFormatVersion, "1.0", "payloadFormatVersion: 1.0 is an unquoted number in the example");
    }
    assert.deepEqual((await v2.send(new GetStagesCommand({ ApiId: api.ApiId }))).Items, []);
  });

  it("exports JSON and YAML, by stage or latest, and reimports the export to the same API", async () => {
    const { ApiId } = await v2.send(new ImportApiCommand({ Body: fixture("extensions.yaml"), Basepath: "ignore" }));
    const shape = async () => {
      const [api, routes, integrations, authorizers] = await Promise.all([
        v2.send(new GetApiCommand({ ApiId })),
        v2.send(new GetRoutesCommand({ ApiId })),
        v2.send(new GetIntegrationsCommand({ ApiId })),
        v2.send(new GetAuthorizersCommand({ ApiId })),
      ]);
      const igs = Object.fromEntries(integrations.Items.map(({ IntegrationId, ...ig }) => [IntegrationId, ig]));
      const auths = Object.fromEntries(authorizers.Items.map(({ AuthorizerId, ...au }) => [AuthorizerId, au]));
      return {
        api: { Name: api.Name, Description: api.Description, Version: api.Version, Cors: api.CorsConfiguration, Tags: api.Tags },
        routes: routes.Items.map(({ RouteId, Target, AuthorizerId, ...rt }) => ({
          ...rt, integration: Target && igs[Target.slice("integrations/".length)], authorizer: AuthorizerId && auths[AuthorizerId],
        })).sort((a, b) => a.RouteKey.localeCompare(b.RouteKey)),
      };
    };
    const before = await shape();
    const json = await v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "JSON" }));
    assert.ok(json.body instanceof Uint8Array, "the raw document is the payload");
    const doc = JSON.parse(Buffer.from(json.body).toString("utf8"));
    assert.equal(doc.openapi, "3.0.1");
    assert.equal(doc["x-amazon-apigateway-importexport-version"], "1.0");
    assert.equal(doc.paths["/$default"]["x-amazon-apigateway-any-method"].isDefaultRoute, true);
    assert.equal(doc.components.securitySchemes["jwt-authorizer-oauth"]["x-amazon-apigateway-authorizer"].type, "jwt");
    const yaml = await v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "YAML", ExportVersion: "1.0" }));
    const text = Buffer.from(yaml.body).toString("utf8");
    assert.match(text, /^openapi: "3\.0\.1"\n/);
    const bare = await v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "JSON", IncludeExtensions: false }));
    assert.doesNotMatch(Buffer.from(bare.body).toString("utf8"), /x-amazon-apigateway-integration/);

    const re = await v2.send(new ReimportApiCommand({ ApiId, Body: text }));
    assert.equal(re.$metadata.httpStatusCode, 201);
    assert.equal(re.ApiId, ApiId);
    assert.deepEqual(await shape(), before, "import → export → reimport gives the same API");

    // A stage exports its deployment, not later changes.
    const dep = await v2.send(new CreateDeploymentCommand({ ApiId }));
    await v2.send(new CreateStageCommand({ ApiId, StageName: "prod", DeploymentId: dep.DeploymentId }));
    await v2.send(new ReimportApiCommand({ ApiId, Body: fixture("lambda-any.yaml") }));
    const staged = JSON.parse(Buffer.from((await v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "JSON", StageName: "prod" }))).body));
    const latest = JSON.parse(Buffer.from((await v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "JSON" }))).body));
    assert.equal(staged.info.title, "Extensions");
    assert.equal(staged.servers[0].variables.basePath.default, "prod");
    assert.deepEqual(Object.keys(latest.paths), ["/hello"]);
  });

  it("refuses what AWS refuses and changes nothing", async () => {
    const { ApiId } = await v2.send(new ImportApiCommand({ Body: fixture("lambda-any.yaml") }));
    const before = await v2.send(new GetRoutesCommand({ ApiId }));
    await expectError(v2.send(new ImportApiCommand({ Body: "swagger: '2.0'\ninfo: {title: x}\npaths: {}\n" })),
      { name: "BadRequestException", status: 400, message: /^Errors found during import:\n\tHTTP APIs import OpenAPI 3\.0 definitions only/ });
    const mock = "openapi: 3.0.1\ninfo: {title: m}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n";
    await expectError(v2.send(new ReimportApiCommand({ ApiId, Body: mock, FailOnWarnings: true })),
      { name: "BadRequestException", status: 400, message: /^Warnings found during import:\n\tThe integration of GET \/a has type mock/ });
    await expectError(v2.send(new ImportApiCommand({ Body: mock, Basepath: "merge" })),
      { name: "BadRequestException", status: 400, message: "Invalid basepath parameter. Valid options are ignore,prepend,split" });
    await expectError(v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "JSON", ExportVersion: "2.0" })),
      { name: "BadRequestException", status: 400 });
    await expectError(v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "JSON", StageName: "nosuch" })),
      { name: "NotFoundException", status: 404, message: "Invalid stage identifier specified nosuch" });
    await expectError(v2.send(new ReimportApiCommand({ ApiId: "nosuchapi0", Body: mock })),
      { name: "NotFoundException", status: 404, message: `Invalid API identifier specified ${accountId}:nosuchapi0` });
    assert.deepEqual((await v2.send(new GetRoutesCommand({ ApiId }))).Items, before.Items);
    assert.equal((await v2.send(new GetApiCommand({ ApiId }))).Name, "My Lambda API");
  });
});

describe("apigatewayv2: a WebSocket API", () => {
  let apiId, mock, proxy, route, model;

  before(async () => {
    const api = await v2.send(new CreateApiCommand({
      Name: `chat-${uid()}`, ProtocolType: "WEBSOCKET", RouteSelectionExpression: "$request.body.action",
      ApiKeySelectionExpression: "$context.authorizer.usageIdentifierKey",
    }));
    apiId = api.ApiId;
    assert.equal(api.ApiEndpoint, `wss://${apiId}.execute-api.${region}.amazonaws.com`);
    assert.equal(api.ApiKeySelectionExpression, "$context.authorizer.usageIdentifierKey");
    proxy = await v2.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: lambdaUri }));
    mock = await v2.send(new CreateIntegrationCommand({
      ApiId: apiId, IntegrationType: "MOCK", TemplateSelectionExpression: "\\$default",
      RequestTemplates: { $default: '{"statusCode": 200}', empty: "" },
    }));
  });

  it("creates integrations with WebSocket defaults", async () => {
    assert.deepEqual(strip(proxy), {
      ConnectionType: "INTERNET", IntegrationId: proxy.IntegrationId, IntegrationMethod: "POST", IntegrationType: "AWS_PROXY",
      IntegrationUri: lambdaUri, PassthroughBehavior: "WHEN_NO_MATCH", PayloadFormatVersion: "1.0", TimeoutInMillis: 29000,
    });
    assert.deepEqual(strip(mock), {
      ConnectionType: "INTERNET", IntegrationId: mock.IntegrationId, IntegrationResponseSelectionExpression: "${integration.response.statuscode}",
      IntegrationType: "MOCK", PassthroughBehavior: "WHEN_NO_MATCH", PayloadFormatVersion: "1.0",
      RequestTemplates: { $default: '{"statusCode": 200}', empty: "" }, TemplateSelectionExpression: "\\$default", TimeoutInMillis: 29000,
    });
    const aws = await v2.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS", IntegrationUri: lambdaUri }));
    assert.equal(aws.IntegrationMethod, "POST");
    assert.equal(aws.IntegrationResponseSelectionExpression, "${integration.response.body.errorMessage}");
    await expectError(v2.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: aws.IntegrationId, RequestTemplates: { $default: "#foreach($x in $y)" } })),
      { name: "BadRequestException", status: 400, message: "Invalid mapping template specified for $default: line 1, column 1: missing #end for #foreach" });
    await expectError(v2.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "HTTP", IntegrationUri: "https://example.com" })),
      { name: "BadRequestException", status: 400, message: "An integrationMethod is required for HTTP integrations" });
  });

  it("makes a route two-way with a $default route response", async () => {
    route = await v2.send(new CreateRouteCommand({
      ApiId: apiId, RouteKey: "sendMessage", Target: `integrations/${proxy.IntegrationId}`, RouteResponseSelectionExpression: "$default",
    }));
    const rr = await v2.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId, RouteResponseKey: "$default" }));
    assert.equal(rr.$metadata.httpStatusCode, 201);
    assert.match(rr.RouteResponseId, ID6);
    assert.deepEqual(strip(rr), { RouteResponseId: rr.RouteResponseId, RouteResponseKey: "$default" });
    const up = await v2.send(new UpdateRouteResponseCommand({
      ApiId: apiId, RouteId: route.RouteId, RouteResponseId: rr.RouteResponseId,
      ResponseParameters: { "route.response.header.x-id": { Required: true } },
    }));
    assert.deepEqual(up.ResponseParameters, { "route.response.header.x-id": { Required: true } });
    const got = await v2.send(new GetRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId, RouteResponseId: rr.RouteResponseId }));
    assert.deepEqual(strip(got), strip(up));
    const list = await v2.send(new GetRouteResponsesCommand({ ApiId: apiId, RouteId: route.RouteId }));
    assert.deepEqual(list.Items.map(strip), [strip(up)]);
    await expectError(v2.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId, RouteResponseKey: "$default" })),
      { name: "ConflictException", status: 409, message: "Route response with key $default already exists for this route" });
    await expectError(v2.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: "nosuch0", RouteResponseKey: "$default" })),
      { name: "NotFoundException", status: 404, message: "Invalid Route identifier specified nosuch0" });
    await expectError(v2.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: route.RouteId, RouteResponseSelectionExpression: "$request.body.x" })),
      { name: "BadRequestException", status: 400, message: "Invalid route response selection expression specified: $request.body.x. Only $default is supported" });
  });

  it("selects integration responses by $default or /regex/ keys, pages them and deletes them", async () => {
    const ids = [];
    for (const [key, tmpl] of [["$default", '{"echo": $input.json(\'$\')}'], ["/4\\d\\d/", '{"error": "$input.path(\'$.message\')"}'], ["/5\\d\\d/", ""]]) {
      const ir = await v2.send(new CreateIntegrationResponseCommand({
        ApiId: apiId, IntegrationId: mock.IntegrationId, IntegrationResponseKey: key, TemplateSelectionExpression: "\\$default",
        ResponseTemplates: { $default: tmpl },
      }));
      assert.equal(ir.IntegrationResponseKey, key);
      assert.deepEqual(ir.ResponseTemplates, { $default: tmpl });
      ids.push(ir.IntegrationResponseId);
    }
    const page = await v2.send(new GetIntegrationResponsesCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId, MaxResults: "2" }));
    assert.equal(page.Items.length, 2);
    const rest = await v2.send(new GetIntegrationResponsesCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId, NextToken: page.NextToken }));
    assert.deepEqual([...page.Items, ...rest.Items].map((ir) => ir.IntegrationResponseId), ids);
    const up = await v2.send(new UpdateIntegrationResponseCommand({
      ApiId: apiId, IntegrationId: mock.IntegrationId, IntegrationResponseId: ids[1], ContentHandlingStrategy: "CONVERT_TO_TEXT",
      ResponseParameters: { "method.response.header.x-error": "integration.response.header.x-error" },
    }));
    assert.equal(up.ContentHandlingStrategy, "CONVERT_TO_TEXT");
    assert.equal(up.IntegrationResponseKey, "/4\\d\\d/");
    const got = await v2.send(new GetIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId, IntegrationResponseId: ids[1] }));
    assert.deepEqual(strip(got), strip(up));
    await expectError(v2.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId, IntegrationResponseKey: "/(/" })),
      { name: "BadRequestException", status: 400, message: /^Invalid integration response key specified: \/\(\/: missing closing \)/ });
    await expectError(v2.send(new CreateIntegrationResponseCommand({
      ApiId: apiId, IntegrationId: mock.IntegrationId, IntegrationResponseKey: "/2\\d\\d/", ResponseTemplates: { $default: "#end" },
    })), { name: "BadRequestException", status: 400, message: "Invalid mapping template specified for $default: line 1, column 1: unexpected #end" });
    await v2.send(new DeleteIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId, IntegrationResponseId: ids[2] }));
    await expectError(v2.send(new GetIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId, IntegrationResponseId: ids[2] })),
      { name: "NotFoundException", status: 404, message: `Invalid IntegrationResponse identifier specified ${ids[2]}` });
  });

  it("validates models and derives their template", async () => {
    const schema = JSON.stringify({
      $schema: "http://json-schema.org/draft-04/schema#", type: "object", required: ["action"],
      properties: { action: { type: "string" }, to: { type: "array", items: { type: "string" } } },
    });
    model = await v2.send(new CreateModelCommand({ ApiId: apiId, Name: "Message", ContentType: "application/json", Schema: schema }));
    assert.match(model.ModelId, ID6);
    assert.deepEqual(strip(model), { ContentType: "application/json", ModelId: model.ModelId, Name: "Message", Schema: schema });
    const tmpl = await v2.send(new GetModelTemplateCommand({ ApiId: apiId, ModelId: model.ModelId }));
    assert.equal(tmpl.Value, [
      "#set($inputRoot = $input.path('$'))", "{", '  "action" : "$inputRoot.action",', '  "to" : [',
      "  #foreach($elem1 in $inputRoot.to)", '    "$elem1"#if($foreach.hasNext),#end', "  #end", "  ]", "}",
    ].join("\n"));
    const rt = await v2.send(new UpdateRouteCommand({
      ApiId: apiId, RouteId: route.RouteId, ModelSelectionExpression: "$default", RequestModels: { $default: "Message" },
    }));
    assert.deepEqual(rt.RequestModels, { $default: "Message" });
    const up = await v2.send(new UpdateModelCommand({ ApiId: apiId, ModelId: model.ModelId, Description: "A message" }));
    assert.equal(up.Description, "A message");
    assert.deepEqual(strip(await v2.send(new GetModelCommand({ ApiId: apiId, ModelId: model.ModelId }))), strip(up));
    assert.deepEqual((await v2.send(new GetModelsCommand({ ApiId: apiId }))).Items.map(strip), [strip(up)]);
    await expectError(v2.send(new CreateModelCommand({ ApiId: apiId, Name: "Message", Schema: schema })),
      { name: "ConflictException", status: 409, message: "Model name already exists for this API" });
    await expectError(v2.send(new CreateModelCommand({ ApiId: apiId, Name: "Empty", Schema: "{}" })),
      { name: "BadRequestException", status: 400, message: "Model schema must have at least 1 property or array items defined" });
    await expectError(v2.send(new CreateModelCommand({ ApiId: apiId, Name: "Later", Schema: '{"type":"string","const":"x"}' })),
      { name: "BadRequestException", status: 400, message: 'Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified. Unsupported keyword(s): ["const"]]' });
    await expectError(v2.send(new DeleteModelCommand({ ApiId: apiId, ModelId: model.ModelId })),
      { name: "ConflictException", status: 409, message: "Cannot delete model 'Message', is referenced in route request: sendMessage" });
    await expectError(v2.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: route.RouteId, RequestModels: { other: "Nope" } })),
      { name: "BadRequestException", status: 400, message: "Invalid model identifier specified: Nope" });
  });

  it("authorizes $connect with a REQUEST authorizer and throttles routes by stage settings", async () => {
    const auth = await v2.send(new CreateAuthorizerCommand({
      ApiId: apiId, Name: "tokens", AuthorizerType: "REQUEST", AuthorizerUri: lambdaUri, IdentitySource: ["route.request.header.Auth"],
    }));
    const connect = await v2.send(new CreateRouteCommand({
      ApiId: apiId, RouteKey: "$connect", Target: `integrations/${mock.IntegrationId}`, AuthorizationType: "CUSTOM", AuthorizerId: auth.AuthorizerId,
      ApiKeyRequired: true, RequestParameters: { "route.request.header.Auth": { Required: true } },
    }));
    assert.equal(connect.ApiKeyRequired, true);
    assert.deepEqual(connect.RequestParameters, { "route.request.header.Auth": { Required: true } });
    await expectError(v2.send(new CreateAuthorizerCommand({
      ApiId: apiId, Name: "simple", AuthorizerType: "REQUEST", AuthorizerUri: lambdaUri, EnableSimpleResponses: true,
    })), { name: "BadRequestException", status: 400, message: "enableSimpleResponses is supported only for HTTP APIs" });
    await expectError(v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "other", AuthorizationType: "AWS_IAM" })),
      { name: "BadRequestException", status: 400, message: "Authorization is supported only on the $connect route of a WebSocket API" });

    const stage = await v2.send(new CreateStageCommand({
      ApiId: apiId, StageName: "production", AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50, LoggingLevel: "ERROR" },
      RouteSettings: { $connect: { ThrottlingBurstLimit: 5, ThrottlingRateLimit: 1.5, DataTraceEnabled: true } },
    }));
    assert.deepEqual(stage.RouteSettings, { $connect: { ThrottlingBurstLimit: 5, ThrottlingRateLimit: 1.5, DataTraceEnabled: true } });
    assert.deepEqual(stage.DefaultRouteSettings, { DetailedMetricsEnabled: false, ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50, LoggingLevel: "ERROR" });
    assert.match(stage.DeploymentId, ID6);
    await expectError(v2.send(new CreateStageCommand({ ApiId: apiId, StageName: "$default" })), { name: "BadRequestException", status: 400 });

    // Deleting a route takes its route responses; the API takes the rest.
    await v2.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: route.RouteId, RequestModels: { $default: "" } }));
    await v2.send(new DeleteModelCommand({ ApiId: apiId, ModelId: model.ModelId }));
    await v2.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: route.RouteId }));
    await expectError(v2.send(new GetRouteResponsesCommand({ ApiId: apiId, RouteId: route.RouteId })),
      { name: "NotFoundException", status: 404, message: `Invalid Route identifier specified ${route.RouteId}` });
    await v2.send(new DeleteApiCommand({ ApiId: apiId }));
  });

  it("refuses WebSocket-only operations on HTTP APIs", async () => {
    const http = await v2.send(new CreateApiCommand({ Name: `http-${uid()}`, ProtocolType: "HTTP", Target: "https://example.com" }));
    const { Items: [rt] } = await v2.send(new GetRoutesCommand({ ApiId: http.ApiId }));
    await expectError(v2.send(new CreateRouteResponseCommand({ ApiId: http.ApiId, RouteId: rt.RouteId, RouteResponseKey: "$default" })),
      { name: "BadRequestException", status: 400, message: "Route responses are supported only for WebSocket APIs" });
    await expectError(v2.send(new GetModelsCommand({ ApiId: http.ApiId })),
      { name: "BadRequestException", status: 400, message: "Models are supported only for WebSocket APIs" });
    await v2.send(new DeleteApiCommand({ ApiId: http.ApiId }));
  });
});
