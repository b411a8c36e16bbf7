// AWS WAF through @aws-sdk/client-wafv2 (AWS JSON 1.1, signed for
// "wafv2"): IP sets, regex pattern sets and web ACLs with lock tokens, a
// web ACL protecting a REST API stage (GetStage shows webAclArn), the
// capacity check and managed rule group catalogue, tags, sampled requests,
// and the WAF exceptions the SDK turns into typed errors.

import assert from "node:assert/strict";
import { describe, it, before } from "node:test";

import {
  WAFV2Client,
  AssociateWebACLCommand,
  CheckCapacityCommand,
  CreateIPSetCommand,
  CreateRegexPatternSetCommand,
  CreateWebACLCommand,
  DeleteIPSetCommand,
  DeleteWebACLCommand,
  DescribeManagedRuleGroupCommand,
  DisassociateWebACLCommand,
  GetIPSetCommand,
  GetSampledRequestsCommand,
  GetWebACLCommand,
  GetWebACLForResourceCommand,
  ListAvailableManagedRuleGroupsCommand,
  ListResourcesForWebACLCommand,
  ListTagsForResourceCommand,
  ListWebACLsCommand,
  TagResourceCommand,
  UpdateIPSetCommand,
  UpdateWebACLCommand,
  WAFAssociatedItemException,
  WAFInvalidParameterException,
  WAFNonexistentItemException,
  WAFOptimisticLockException,
} from "@aws-sdk/client-wafv2";
import {
  CreateDeploymentCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  GetStageCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from "@aws-sdk/client-api-gateway";

import { client, endpoint, expectError, region, uid } from "./helpers.mjs";

const waf = new WAFV2Client({ endpoint, region, maxAttempts: 1 });
const apigw = client();
const visibility = (name) => ({ SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name });

describe("WAFV2", () => {
  let ipSet, regexSet, stageArn, apiId;

  before(async () => {
    ipSet = (
      await waf.send(
        new CreateIPSetCommand({
          Name: `blocked-${uid()}`,
          Scope: "REGIONAL",
          IPAddressVersion: "IPV4",
          Addresses: ["198.51.100.0/24"],
          Tags: [{ Key: "team", Value: "web" }],
        }),
      )
    ).Summary;
    regexSet = (
      await waf.send(
        new CreateRegexPatternSetCommand({
          Name: `agents-${uid()}`,
          Scope: "REGIONAL",
          RegularExpressionList: [{ RegexString: "^sqlmap" }, { RegexString: "nikto" }],
        }),
      )
    ).Summary;
    apiId = (await apigw.send(new CreateRestApiCommand({ name: `waf-${uid()}` }))).id;
    const root = (await apigw.send(new GetResourcesCommand({ restApiId: apiId }))).items[0].id;
    await apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId: root, httpMethod: "GET", authorizationType: "NONE" }));
    await apigw.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId: root,
        httpMethod: "GET",
        type: "MOCK",
        requestTemplates: { "application/json": '{"statusCode": 200}' },
      }),
    );
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: "prod" }));
    stageArn = `arn:aws:apigateway:${region}::/restapis/${apiId}/stages/prod`;
  });

  it("keeps IP sets behind lock tokens", async () => {
    const ref = { Name: ipSet.Name, Scope: "REGIONAL", Id: ipSet.Id };
    const got = await waf.send(new GetIPSetCommand(ref));
    assert.deepEqual(got.IPSet.Addresses, ["198.51.100.0/24"]);
    assert.equal(got.LockToken, ipSet.LockToken);
    const { NextLockToken } = await waf.send(
      new UpdateIPSetCommand({ ...ref, Addresses: ["198.51.100.0/24", "203.0.113.0/24"], LockToken: ipSet.LockToken }),
    );
    assert.match(NextLockToken, /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/);
    const err = await expectError(
      waf.send(new UpdateIPSetCommand({ ...ref, Addresses: [], LockToken: ipSet.LockToken })),
      { name: "WAFOptimisticLockException", status: 400 },
    );
    assert.ok(err instanceof WAFOptimisticLockException);
    assert.match(err.message, /someone changed the resource after you started to edit it/);
    ipSet.LockToken = NextLockToken;
  });

  it("refuses a malformed address with the parameter's field and reason", async () => {
    const err = await expectError(
      waf.send(new CreateIPSetCommand({ Name: `bad-${uid()}`, Scope: "REGIONAL", IPAddressVersion: "IPV4", Addresses: ["10.0.0.300/8"] })),
      { name: "WAFInvalidParameterException", status: 400 },
    );
    assert.ok(err instanceof WAFInvalidParameterException);
    assert.equal(err.Field, "IP_ADDRESS");
    assert.equal(err.Parameter, "10.0.0.300/8");
    assert.equal(err.Reason, "The parameter contains formatting that's not valid.");
  });

  it("creates a web ACL, protects a stage with it and reports the association", async () => {
    const rules = [
      {
        Name: "blocked-ips",
        Priority: 0,
        Action: { Block: {} },
        Statement: { IPSetReferenceStatement: { ARN: ipSet.ARN } },
        VisibilityConfig: visibility("blocked-ips"),
      },
      {
        Name: "scanners",
        Priority: 1,
        Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: "slow" } } },
        RuleLabels: [{ Name: "scan:agent" }],
        Statement: {
          OrStatement: {
            Statements: [
              {
                RegexPatternSetReferenceStatement: {
                  ARN: regexSet.ARN,
                  FieldToMatch: { SingleHeader: { Name: "user-agent" } },
                  TextTransformations: [{ Priority: 0, Type: "LOWERCASE" }],
                },
              },
              {
                ByteMatchStatement: {
                  SearchString: new TextEncoder().encode("/admin"),
                  FieldToMatch: { UriPath: {} },
                  TextTransformations: [{ Priority: 0, Type: "NONE" }],
                  PositionalConstraint: "STARTS_WITH",
                },
              },
            ],
          },
        },
        VisibilityConfig: visibility("scanners"),
      },
      {
        Name: "per-ip",
        Priority: 2,
        Action: { Block: {} },
        Statement: { RateBasedStatement: { Limit: 10, EvaluationWindowSec: 60, AggregateKeyType: "IP" } },
        VisibilityConfig: visibility("per-ip"),
      },
      {
        Name: "common",
        Priority: 3,
        OverrideAction: { None: {} },
        Statement: {
          ManagedRuleGroupStatement: {
            VendorName: "AWS",
            Name: "AWSManagedRulesCommonRuleSet",
            RuleActionOverrides: [{ Name: "SizeRestrictions_BODY", ActionToUse: { Count: {} } }],
          },
        },
        VisibilityConfig: visibility("common"),
      },
    ];
    const { Capacity } = await waf.send(new CheckCapacityCommand({ Scope: "REGIONAL", Rules: rules }));
    assert.equal(Capacity, 1 + 25 + 10 + 2 + 2 + 700 + 1);
    const name = `shield-${uid()}`;
    const { Summary } = await waf.send(
      new CreateWebACLCommand({
        Name: name,
        Scope: "REGIONAL",
        DefaultAction: { Allow: {} },
        VisibilityConfig: visibility(name),
        CustomResponseBodies: { slow: { ContentType: "APPLICATION_JSON", Content: '{"message":"slow down"}' } },
        Rules: rules,
      }),
    );
    const got = await waf.send(new GetWebACLCommand({ Name: name, Scope: "REGIONAL", Id: Summary.Id }));
    assert.equal(got.WebACL.Capacity, Capacity);
    assert.equal(got.WebACL.LabelNamespace, `awswaf:000000000000:webacl:${name}:`);
    const bm = got.WebACL.Rules[1].Statement.OrStatement.Statements[1].ByteMatchStatement;
    assert.equal(new TextDecoder().decode(bm.SearchString), "/admin");
    const byArn = await waf.send(new GetWebACLCommand({ ARN: Summary.ARN }));
    assert.equal(byArn.WebACL.Id, Summary.Id);

    await waf.send(new AssociateWebACLCommand({ WebACLArn: Summary.ARN, ResourceArn: stageArn }));
    const stage = await apigw.send(new GetStageCommand({ restApiId: apiId, stageName: "prod" }));
    assert.equal(stage.webAclArn, Summary.ARN);
    const forRes = await waf.send(new GetWebACLForResourceCommand({ ResourceArn: stageArn }));
    assert.equal(forRes.WebACL.Name, name);
    const listed = await waf.send(new ListResourcesForWebACLCommand({ WebACLArn: Summary.ARN, ResourceType: "API_GATEWAY" }));
    assert.deepEqual(listed.ResourceArns, [stageArn]);

    const assoc = await expectError(
      waf.send(new DeleteWebACLCommand({ Name: name, Scope: "REGIONAL", Id: Summary.Id, LockToken: got.LockToken })),
      { name: "WAFAssociatedItemException", status: 400 },
    );
    assert.ok(assoc instanceof WAFAssociatedItemException);
    const inUse = await expectError(
      waf.send(new DeleteIPSetCommand({ Name: ipSet.Name, Scope: "REGIONAL", Id: ipSet.Id, LockToken: ipSet.LockToken })),
      { name: "WAFAssociatedItemException", status: 400 },
    );
    assert.ok(inUse instanceof WAFAssociatedItemException);

    // Update replaces the rules; the old token is stale afterwards.
    const { NextLockToken } = await waf.send(
      new UpdateWebACLCommand({
        Name: name,
        Scope: "REGIONAL",
        Id: Summary.Id,
        LockToken: got.LockToken,
        DefaultAction: { Block: {} },
        VisibilityConfig: visibility(name),
        Rules: rules.slice(0, 1),
      }),
    );
    const updated = await waf.send(new GetWebACLCommand({ Name: name, Scope: "REGIONAL", Id: Summary.Id }));
    assert.equal(updated.LockToken, NextLockToken);
    assert.equal(updated.WebACL.Rules.length, 1);
    assert.ok(updated.WebACL.DefaultAction.Block);
    assert.equal(updated.WebACL.CustomResponseBodies, undefined);

    const samples = await waf.send(
      new GetSampledRequestsCommand({
        WebAclArn: Summary.ARN,
        RuleMetricName: "blocked-ips",
        Scope: "REGIONAL",
        TimeWindow: { StartTime: new Date(Date.now() - 60_000), EndTime: new Date() },
        MaxItems: 10,
      }),
    );
    assert.deepEqual(samples.SampledRequests, []);
    assert.ok(samples.TimeWindow.StartTime instanceof Date);

    await waf.send(new TagResourceCommand({ ResourceARN: Summary.ARN, Tags: [{ Key: "env", Value: "dev" }] }));
    const tags = await waf.send(new ListTagsForResourceCommand({ ResourceARN: Summary.ARN }));
    assert.deepEqual(tags.TagInfoForResource.TagList, [{ Key: "env", Value: "dev" }]);

    await waf.send(new DisassociateWebACLCommand({ ResourceArn: stageArn }));
    assert.deepEqual((await waf.send(new GetWebACLForResourceCommand({ ResourceArn: stageArn }))).WebACL, undefined);
    await waf.send(new DeleteWebACLCommand({ Name: name, Scope: "REGIONAL", Id: Summary.Id, LockToken: NextLockToken }));
    const all = await waf.send(new ListWebACLsCommand({ Scope: "REGIONAL" }));
    assert.ok(!all.WebACLs.some((w) => w.Id === Summary.Id));
  });

  it("lists the managed rule groups and describes one", async () => {
    const { ManagedRuleGroups } = await waf.send(new ListAvailableManagedRuleGroupsCommand({ Scope: "REGIONAL" }));
    const names = ManagedRuleGroups.map((g) => g.Name);
    for (const n of ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]) {
      assert.ok(names.includes(n), `${n} in ${names}`);
    }
    const d = await waf.send(
      new DescribeManagedRuleGroupCommand({ VendorName: "AWS", Name: "AWSManagedRulesSQLiRuleSet", Scope: "REGIONAL" }),
    );
    assert.equal(d.Capacity, 200);
    assert.equal(d.LabelNamespace, "awswaf:managed:aws:sql-database:");
    assert.ok(d.AvailableLabels.some((l) => l.Name === "awswaf:managed:aws:sql-database:SQLi_QueryArguments"));
  });

  it("answers unknown entities and HTTP API stages as WAF does", async () => {
    const err = await expectError(
      waf.send(new GetIPSetCommand({ Name: "nope", Scope: "REGIONAL", Id: "00000000-0000-4000-8000-000000000000" })),
      { name: "WAFNonexistentItemException", status: 400, message: "AWS WAF couldn’t perform the operation because your resource doesn’t exist." },
    );
    assert.ok(err instanceof WAFNonexistentItemException);
    await expectError(
      waf.send(new AssociateWebACLCommand({ WebACLArn: ipSet.ARN.replace("ipset", "webacl"), ResourceArn: `arn:aws:apigateway:${region}::/apis/abc/stages/dev` })),
      { name: "WAFNonexistentItemException", status: 400 },
    );
    await expectError(waf.send(new CheckCapacityCommand({ Scope: "REGIONAL", Rules: [{ Name: "x", Priority: 0, VisibilityConfig: visibility("x") }] })), {
      name: "ValidationException",
      status: 400,
      message: "1 validation error detected: Value null at 'rules.1.member.statement' failed to satisfy constraint: Member must not be null",
    });
  });
});
