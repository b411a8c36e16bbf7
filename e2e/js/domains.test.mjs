// Custom domain names and the certificates they serve, through the AWS SDK
// for JavaScript v3: the ACM client (JSON 1.1, signed for "acm") imports a
// certificate and requests one from Tollgate's local CA; apigateway and
// apigatewayv2 manage one domain resource (the newer members the CLI's
// model lacks: domainNameArn, routingMode, endpointAccessMode); API
// mappings with multi-level keys; routing rules (which the installed CLI
// does not have); client certificates. The SDKs percent-encode every path
// label (domain names, "v1/orders"), so these calls also check the
// gateway's path splitting.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it, before } from "node:test";

import {
  ACMClient,
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  GetCertificateCommand,
  ImportCertificateCommand,
  ListTagsForCertificateCommand,
  RemoveTagsFromCertificateCommand,
  RequestCertificateCommand,
  paginateListCertificates,
} from "@aws-sdk/client-acm";
import {
  CreateBasePathMappingCommand,
  CreateDeploymentCommand,
  CreateDomainNameCommand,
  CreateRestApiCommand,
  DeleteBasePathMappingCommand,
  DeleteClientCertificateCommand,
  DeleteDomainNameCommand,
  GenerateClientCertificateCommand,
  GetBasePathMappingCommand,
  GetClientCertificateCommand,
  GetDomainNameCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateClientCertificateCommand,
  UpdateDomainNameCommand,
  UpdateStageCommand,
} from "@aws-sdk/client-api-gateway";
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateApiMappingCommand,
  CreateDomainNameCommand as CreateDomainNameV2Command,
  CreateRoutingRuleCommand,
  DeleteRoutingRuleCommand,
  GetApiMappingsCommand,
  GetDomainNameCommand as GetDomainNameV2Command,
  GetRoutingRuleCommand,
  ListRoutingRulesCommand,
  PutRoutingRuleCommand,
  UpdateDomainNameCommand as UpdateDomainNameV2Command,
} from "@aws-sdk/client-apigatewayv2";

import { accountId, client, endpoint, expectError, region, strip, uid } from "./helpers.mjs";

const acm = new ACMClient({ endpoint, region });
const gw = client();
const v2 = new ApiGatewayV2Client({ endpoint, region });

const CERT_ARN = new RegExp(`^arn:aws:acm:${region}:${accountId}:certificate/[0-9a-f-]{36}$`);

// restApi creates a REST API with a MOCK GET / deployed to stage prod.
async function restApi(name, types = ["REGIONAL"]) {
  const api = await gw.send(new CreateRestApiCommand({ name, endpointConfiguration: { types } }));
  const { items } = await gw.send(new GetResourcesCommand({ restApiId: api.id }));
  const base = { restApiId: api.id, resourceId: items[0].id, httpMethod: "GET" };
  await gw.send(new PutMethodCommand({ ...base, authorizationType: "NONE" }));
  await gw.send(new PutIntegrationCommand({ ...base, type: "MOCK" }));
  await gw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "prod" }));
  return api.id;
}

describe("ACM through the SDK", () => {
  let imported;

  it("imports a certificate given as bytes, and describes it", async () => {
    const out = await acm.send(
      new ImportCertificateCommand({
        Certificate: readFileSync(process.env.TOLLGATE_TEST_CERT),
        PrivateKey: readFileSync(process.env.TOLLGATE_TEST_KEY),
        Tags: [{ Key: "suite", Value: "js" }],
      }),
    );
    assert.match(out.CertificateArn, CERT_ARN);
    imported = out.CertificateArn;
    const { Certificate: c } = await acm.send(new DescribeCertificateCommand({ CertificateArn: imported }));
    assert.equal(c.Type, "IMPORTED");
    assert.equal(c.Status, "ISSUED");
    assert.equal(c.DomainName, "js.example.test");
    assert.deepEqual(c.SubjectAlternativeNames, ["js.example.test", "*.js.example.test"]);
    assert.equal(c.KeyAlgorithm, "RSA-2048");
    assert.ok(c.ImportedAt instanceof Date && Math.abs(Date.now() - c.ImportedAt.getTime()) < 300_000, `ImportedAt ${c.ImportedAt}`);
    assert.deepEqual(c.InUseBy, []);
    const got = await acm.send(new GetCertificateCommand({ CertificateArn: imported }));
    assert.match(got.Certificate, /^-----BEGIN CERTIFICATE-----/);
    assert.equal(got.CertificateChain, undefined);
    assert.ok(!JSON.stringify(got).includes("PRIVATE KEY"));
  });

  it("requests a certificate issued at once by the local CA", async () => {
    const name = `req-${uid()}.example.test`;
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({ DomainName: name, SubjectAlternativeNames: [`www.${name}`], ValidationMethod: "DNS", IdempotencyToken: "js" + uid() }),
    );
    const { Certificate: c } = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    assert.equal(c.Type, "AMAZON_ISSUED");
    assert.equal(c.Status, "ISSUED");
    assert.deepEqual(c.SubjectAlternativeNames, [name, `www.${name}`]);
    assert.equal(c.DomainValidationOptions[0].ValidationStatus, "SUCCESS");
    assert.equal(c.DomainValidationOptions[0].ResourceRecord.Type, "CNAME");
    const got = await acm.send(new GetCertificateCommand({ CertificateArn }));
    assert.match(got.CertificateChain, /^-----BEGIN CERTIFICATE-----/);
  });

  it("lists page by page and tags", async () => {
    const seen = [];
    for await (const page of paginateListCertificates({ client: acm, pageSize: 1 }, {})) {
      assert.ok(page.CertificateSummaryList.length <= 1);
      seen.push(...page.CertificateSummaryList.map((s) => s.CertificateArn));
    }
    assert.ok(seen.includes(imported), `paginated list ${seen}`);
    assert.equal(new Set(seen).size, seen.length, "a certificate listed twice");
    await acm.send(new AddTagsToCertificateCommand({ CertificateArn: imported, Tags: [{ Key: "env", Value: "test" }] }));
    await acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn: imported, Tags: [{ Key: "suite" }] }));
    const { Tags } = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: imported }));
    assert.deepEqual(Tags, [{ Key: "env", Value: "test" }]);
  });

  it("answers errors in ACM's JSON 1.1 shape", async () => {
    const missing = imported.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    await expectError(acm.send(new DescribeCertificateCommand({ CertificateArn: missing })), {
      name: "ResourceNotFoundException",
      status: 400,
      message: `Could not find certificate ${missing}.`,
    });
    await expectError(acm.send(new ImportCertificateCommand({ Certificate: Buffer.from("CERT123"), PrivateKey: Buffer.from("KEY123") })), {
      name: "ValidationException",
      status: 400,
      message: "The certificate is not PEM-encoded or is not valid.",
    });
    await expectError(acm.send(new DescribeCertificateCommand({ CertificateArn: "arn:aws:acm:nope" })), {
      name: "ValidationException",
      status: 400,
      message: /failed to satisfy constraint: Member must satisfy regular expression pattern/,
    });
  });

  describe("custom domain names behind both APIs", () => {
    const domain = `api-${uid()}.js.example.test`;
    let apiId, httpApiId, mappingId;

    before(async () => {
      apiId = await restApi("js-domains");
      httpApiId = (await v2.send(new CreateApiCommand({ Name: "js-http", ProtocolType: "HTTP", Target: "https://example.com" }))).ApiId;
    });

    it("creates a regional domain with an enhanced policy through apigateway", async () => {
      const out = strip(
        await gw.send(
          new CreateDomainNameCommand({
            domainName: domain,
            regionalCertificateArn: imported,
            endpointConfiguration: { types: ["REGIONAL"] },
            securityPolicy: "SecurityPolicy_TLS13_1_2_2021_06",
            endpointAccessMode: "BASIC",
            routingMode: "ROUTING_RULE_THEN_BASE_PATH_MAPPING",
            tags: { suite: "js" },
          }),
        ),
      );
      assert.equal(out.domainName, domain);
      assert.equal(out.domainNameArn, `arn:aws:apigateway:${region}::/domainnames/${domain}`);
      assert.equal(out.securityPolicy, "SecurityPolicy_TLS13_1_2_2021_06");
      assert.equal(out.endpointAccessMode, "BASIC");
      assert.equal(out.routingMode, "ROUTING_RULE_THEN_BASE_PATH_MAPPING");
      assert.equal(out.domainNameStatus, "AVAILABLE");
      assert.deepEqual(out.endpointConfiguration, { types: ["REGIONAL"], ipAddressType: "ipv4" });
      assert.ok(out.certificateUploadDate instanceof Date);
      const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn: imported }));
      assert.deepEqual(Certificate.InUseBy, [out.domainNameArn]);
    });

    it("reads it through apigatewayv2, with the routing mode in v2's spelling", async () => {
      const out = await v2.send(new GetDomainNameV2Command({ DomainName: domain }));
      assert.equal(out.RoutingMode, "ROUTING_RULE_THEN_API_MAPPING");
      assert.equal(out.DomainNameConfigurations.length, 1);
      assert.equal(out.DomainNameConfigurations[0].CertificateArn, imported);
      assert.equal(out.DomainNameConfigurations[0].EndpointType, "REGIONAL");
      assert.deepEqual(out.Tags, { suite: "js" });
    });

    it("maps a single-level base path through v1 and a multi-level key through v2", async () => {
      await gw.send(new CreateBasePathMappingCommand({ domainName: domain, basePath: "orders", restApiId: apiId, stage: "prod" }));
      const m = await v2.send(new CreateApiMappingCommand({ DomainName: domain, ApiId: apiId, Stage: "prod", ApiMappingKey: "v1/orders" }));
      assert.match(m.ApiMappingId, /^[a-z0-9]{10}$/);
      mappingId = m.ApiMappingId;
      const bpm = strip(await gw.send(new GetBasePathMappingCommand({ domainName: domain, basePath: "v1/orders" })));
      assert.deepEqual(bpm, { basePath: "v1/orders", restApiId: apiId, stage: "prod" });
      const { Items } = await v2.send(new GetApiMappingsCommand({ DomainName: domain }));
      assert.deepEqual(
        Items.map((i) => i.ApiMappingKey),
        ["orders", "v1/orders"],
      );
      await expectError(v2.send(new CreateApiMappingCommand({ DomainName: domain, ApiId: httpApiId, Stage: "$default", ApiMappingKey: "h" })), {
        name: "BadRequestException",
        status: 400,
        message: "HTTP APIs cannot be mapped to a custom domain name with an enhanced security policy.",
      });
    });

    it("manages routing rules", async () => {
      const rule = await v2.send(
        new CreateRoutingRuleCommand({
          DomainName: domain,
          Priority: 10,
          Conditions: [
            { MatchHeaders: { AnyOf: [{ Header: "x-version", ValueGlob: "beta" }] } },
            { MatchBasePaths: { AnyOf: ["orders"] } },
          ],
          Actions: [{ InvokeApi: { ApiId: apiId, Stage: "prod", StripBasePath: true } }],
        }),
      );
      assert.match(rule.RoutingRuleId, /^[a-z0-9]{6}$/);
      assert.equal(rule.RoutingRuleArn, `arn:aws:apigateway:${region}:${accountId}:/domainnames/${domain}/routingrules/${rule.RoutingRuleId}`);
      assert.deepEqual(rule.Actions, [{ InvokeApi: { ApiId: apiId, Stage: "prod", StripBasePath: true } }]);
      await v2.send(
        new CreateRoutingRuleCommand({
          DomainName: domain,
          Priority: 1000,
          Conditions: [],
          Actions: [{ InvokeApi: { ApiId: apiId, Stage: "prod" } }],
        }),
      );
      const put = await v2.send(
        new PutRoutingRuleCommand({
          DomainName: domain,
          RoutingRuleId: rule.RoutingRuleId,
          Priority: 5,
          Conditions: [{ MatchHeaders: { AnyOf: [{ Header: "x-version", ValueGlob: "*beta*" }] } }],
          Actions: [{ InvokeApi: { ApiId: apiId, Stage: "prod" } }],
        }),
      );
      assert.equal(put.Priority, 5);
      assert.equal(put.Actions[0].InvokeApi.StripBasePath, false, "stripBasePath is always echoed");
      const page = await v2.send(new ListRoutingRulesCommand({ DomainName: domain, MaxResults: 1 }));
      assert.equal(page.RoutingRules.length, 1);
      assert.equal(page.RoutingRules[0].Priority, 5);
      assert.ok(page.NextToken);
      const next = await v2.send(new ListRoutingRulesCommand({ DomainName: domain, MaxResults: 1, NextToken: page.NextToken }));
      assert.equal(next.RoutingRules[0].Priority, 1000);
      assert.equal((await v2.send(new GetRoutingRuleCommand({ DomainName: domain, RoutingRuleId: rule.RoutingRuleId }))).Priority, 5);
      await expectError(
        v2.send(
          new CreateRoutingRuleCommand({ DomainName: domain, Priority: 5, Conditions: [], Actions: [{ InvokeApi: { ApiId: apiId, Stage: "prod" } }] }),
        ),
        { name: "ConflictException", status: 409 },
      );
      await expectError(
        v2.send(
          new CreateRoutingRuleCommand({
            DomainName: domain,
            Priority: 6,
            Conditions: [{ MatchHeaders: { AnyOf: [{ Header: "Authorization", ValueGlob: "x" }] } }],
            Actions: [{ InvokeApi: { ApiId: apiId, Stage: "prod" } }],
          }),
        ),
        { name: "BadRequestException", status: 400, message: "The header Authorization cannot be used in a routing rule condition." },
      );
      await v2.send(new DeleteRoutingRuleCommand({ DomainName: domain, RoutingRuleId: rule.RoutingRuleId }));
      await expectError(v2.send(new GetRoutingRuleCommand({ DomainName: domain, RoutingRuleId: rule.RoutingRuleId })), {
        name: "NotFoundException",
        status: 404,
      });
    });

    it("switches the policy back through apigateway's patch", async () => {
      const out = await gw.send(
        new UpdateDomainNameCommand({
          domainName: domain,
          patchOperations: [
            { op: "replace", path: "/securityPolicy", value: "TLS_1_2" },
            { op: "replace", path: "/endpointAccessMode", value: "" },
          ],
        }),
      );
      assert.equal(out.securityPolicy, "TLS_1_2");
      assert.equal(out.endpointAccessMode, undefined);
    });

    it("turns mutual TLS on through v2 with a truststore from the S3 stand-in, and off", async () => {
      const owner = (await acm.send(new RequestCertificateCommand({ DomainName: domain }))).CertificateArn;
      await expectError(
        v2.send(new UpdateDomainNameV2Command({ DomainName: domain, MutualTlsAuthentication: { TruststoreUri: process.env.TOLLGATE_TEST_TRUSTSTORE } })),
        { name: "BadRequestException", status: 400, message: "Missing ownershipVerificationCertificate." },
      );
      const on = await v2.send(
        new UpdateDomainNameV2Command({
          DomainName: domain,
          DomainNameConfigurations: [{ OwnershipVerificationCertificateArn: owner }],
          MutualTlsAuthentication: { TruststoreUri: process.env.TOLLGATE_TEST_TRUSTSTORE, TruststoreVersion: "1" },
        }),
      );
      assert.deepEqual(on.MutualTlsAuthentication, { TruststoreUri: process.env.TOLLGATE_TEST_TRUSTSTORE, TruststoreVersion: "1" });
      const v1 = await gw.send(new GetDomainNameCommand({ domainName: domain }));
      assert.equal(v1.ownershipVerificationCertificateArn, owner);
      const off = await gw.send(
        new UpdateDomainNameCommand({ domainName: domain, patchOperations: [{ op: "replace", path: "/mutualTlsAuthentication/truststoreUri", value: "" }] }),
      );
      assert.equal(off.mutualTlsAuthentication, undefined);
    });

    it("creates a domain through apigatewayv2 and deletes both", async () => {
      const other = `v2-${uid()}.js.example.test`;
      const out = await v2.send(
        new CreateDomainNameV2Command({
          DomainName: other,
          DomainNameConfigurations: [{ CertificateArn: imported, EndpointType: "REGIONAL", SecurityPolicy: "TLS_1_2" }],
        }),
      );
      assert.equal(out.ApiMappingSelectionExpression, "$request.basepath");
      assert.equal(out.RoutingMode, "API_MAPPING_ONLY");
      await expectError(
        v2.send(new CreateDomainNameV2Command({ DomainName: other, DomainNameConfigurations: [{ CertificateArn: imported }] })),
        { name: "ConflictException", status: 409, message: "The domain name you provided already exists." },
      );
      await gw.send(new DeleteDomainNameCommand({ domainName: other }));
      await gw.send(new DeleteBasePathMappingCommand({ domainName: domain, basePath: "orders" }));
      await gw.send(new DeleteDomainNameCommand({ domainName: domain }));
      await expectError(gw.send(new GetDomainNameCommand({ domainName: domain })), {
        name: "NotFoundException",
        status: 404,
        message: "Invalid domain name identifier specified",
      });
      assert.ok(mappingId);
    });
  });

  describe("client certificates", () => {
    it("generates one, binds it to a stage and refuses to delete it while bound", async () => {
      const apiId = await restApi("js-clientcert", ["EDGE"]);
      const cc = await gw.send(new GenerateClientCertificateCommand({ description: "backend", tags: { suite: "js" } }));
      assert.match(cc.clientCertificateId, /^[a-z0-9]{6}$/);
      assert.match(cc.pemEncodedCertificate, /^-----BEGIN CERTIFICATE-----/);
      assert.equal(cc.expirationDate.getTime() - cc.createdDate.getTime(), 365 * 24 * 3600 * 1000);
      const st = await gw.send(
        new UpdateStageCommand({
          restApiId: apiId,
          stageName: "prod",
          patchOperations: [{ op: "replace", path: "/clientCertificateId", value: cc.clientCertificateId }],
        }),
      );
      assert.equal(st.clientCertificateId, cc.clientCertificateId);
      await expectError(gw.send(new DeleteClientCertificateCommand({ clientCertificateId: cc.clientCertificateId })), {
        name: "ConflictException",
        status: 409,
      });
      const upd = await gw.send(
        new UpdateClientCertificateCommand({
          clientCertificateId: cc.clientCertificateId,
          patchOperations: [{ op: "replace", path: "/description", value: "orders" }],
        }),
      );
      assert.equal(upd.description, "orders");
      await gw.send(
        new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/clientCertificateId", value: "" }] }),
      );
      await gw.send(new DeleteClientCertificateCommand({ clientCertificateId: cc.clientCertificateId }));
      await expectError(gw.send(new GetClientCertificateCommand({ clientCertificateId: cc.clientCertificateId })), {
        name: "NotFoundException",
        status: 404,
      });
    });
  });

  it("deletes the imported certificate once no domain uses it", async () => {
    await acm.send(new DeleteCertificateCommand({ CertificateArn: imported }));
    await expectError(acm.send(new GetCertificateCommand({ CertificateArn: imported })), { name: "ResourceNotFoundException", status: 400 });
  });
});
