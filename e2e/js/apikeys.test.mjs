// API keys and usage plans through the AWS SDK for JavaScript v3: the
// defaults AWS applies, values shown only on request, plans bound to API
// stages with throttles and quotas, keys in plans, the one-plan-per-stage
// rule, and deletes.
//
// Other suites run at the same time; none creates keys or plans, but the
// checks still look only at this suite's own. REST APIs are never deleted
// here (pagination.test.mjs relies on being the only suite that does).

import assert from "node:assert/strict";
import { describe, it, before } from "node:test";

import {
  CreateApiKeyCommand,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateApiKeyCommand,
  UpdateUsagePlanCommand,
  paginateGetApiKeys,
} from "@aws-sdk/client-api-gateway";

import { client, expectError, strip, uid } from "./helpers.mjs";

const gw = client();
const ID10 = /^[a-z0-9]{10}$/;

describe("API keys and usage plans", () => {
  const prefix = `key-${uid()}-`;
  let apiId;
  let key; // CreateApiKey output (with its value)
  let key2;
  let plan; // bound to dev, holds key
  let planDev2; // also bound to dev
  let planProd; // bound to prod, holds key

  before(async () => {
    const api = await gw.send(new CreateRestApiCommand({ name: `${prefix}api` }));
    apiId = api.id;
    const base = { restApiId: apiId, resourceId: api.rootResourceId, httpMethod: "GET" };
    await gw.send(new PutMethodCommand({ ...base, authorizationType: "NONE", apiKeyRequired: true }));
    await gw.send(new PutIntegrationCommand({ ...base, type: "MOCK" }));
    await gw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: "dev" }));
    await gw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: "prod" }));
  });

  it("CreateApiKey: a generated 40-character value, disabled by default", async () => {
    key = await gw.send(new CreateApiKeyCommand({ name: `${prefix}a`, description: "first" }));
    assert.match(key.id, ID10);
    assert.match(key.value, /^[A-Za-z0-9]{40}$/);
    assert.equal(key.enabled, false);
    assert.deepEqual(key.stageKeys, []);
    assert.ok(key.createdDate instanceof Date && key.lastUpdatedDate instanceof Date);
    assert.ok(Math.abs(key.createdDate.getTime() - Date.now()) < 60_000, "createdDate is now (epoch seconds)");
    assert.equal(key.tags, undefined, "no tags member when none were given");

    key2 = await gw.send(new CreateApiKeyCommand({ name: `${prefix}b`, enabled: true, value: `${prefix}given-value-0123` }));
    assert.equal(key2.value, `${prefix}given-value-0123`);
    assert.equal(key2.enabled, true);
  });

  it("CreateApiKey: AWS's validation of values", async () => {
    await expectError(gw.send(new CreateApiKeyCommand({ value: "short" })), {
      name: "BadRequestException", status: 400, message: "API Key value should be at least 20 characters",
    });
    await expectError(gw.send(new CreateApiKeyCommand({ value: "v".repeat(129) })), {
      name: "BadRequestException", status: 400, message: "API Key value exceeds maximum size of 128 characters",
    });
    await expectError(gw.send(new CreateApiKeyCommand({ value: key2.value })), {
      name: "ConflictException", status: 409, message: "API Key already exists",
    });
  });

  it("GetApiKey: the value only with includeValue", async () => {
    const plain = await gw.send(new GetApiKeyCommand({ apiKey: key.id }));
    assert.equal(plain.value, undefined);
    assert.deepEqual(plain.tags, {});
    assert.equal(plain.name, `${prefix}a`);
    const withValue = await gw.send(new GetApiKeyCommand({ apiKey: key.id, includeValue: true }));
    assert.equal(withValue.value, key.value);
    await expectError(gw.send(new GetApiKeyCommand({ apiKey: "nosuchkey0" })), {
      name: "NotFoundException", status: 404, message: "Invalid API Key identifier specified",
    });
  });

  it("GetApiKeys: newest first, name is a case-sensitive prefix, values only with includeValues", async () => {
    const listed = await gw.send(new GetApiKeysCommand({ nameQuery: prefix }));
    assert.deepEqual(listed.items.map((k) => k.id), [key2.id, key.id]);
    assert.ok(listed.items.every((k) => k.value === undefined));
    const withValues = await gw.send(new GetApiKeysCommand({ nameQuery: prefix, includeValues: true }));
    assert.deepEqual(withValues.items.map((k) => k.value), [key2.value, key.value]);
    const upper = await gw.send(new GetApiKeysCommand({ nameQuery: prefix.toUpperCase() }));
    assert.deepEqual(upper.items, []);
    const viaPaginator = [];
    for await (const page of paginateGetApiKeys({ client: gw, pageSize: 1 }, { nameQuery: prefix })) {
      assert.ok(page.items.length <= 1);
      viaPaginator.push(...page.items.map((k) => k.id));
    }
    assert.deepEqual(viaPaginator, [key2.id, key.id]);
  });

  it("UpdateApiKey: enable and rename; immutable members are refused", async () => {
    const out = await gw.send(new UpdateApiKeyCommand({
      apiKey: key.id,
      patchOperations: [
        { op: "replace", path: "/enabled", value: "true" },
        { op: "replace", path: "/description", value: "renamed" },
      ],
    }));
    assert.equal(out.enabled, true);
    assert.equal(out.description, "renamed");
    assert.equal(out.value, undefined);
    assert.deepEqual(out.tags, {});
    await expectError(gw.send(new UpdateApiKeyCommand({
      apiKey: key.id, patchOperations: [{ op: "replace", path: "/id", value: "other" }],
    })), {
      name: "BadRequestException", status: 400,
      message: "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/description, /enabled, /name, /customerId]",
    });
    const after = await gw.send(new GetApiKeyCommand({ apiKey: key.id }));
    assert.equal(after.enabled, true);
  });

  it("CreateUsagePlan: API stages with per-method throttles, throttle and quota", async () => {
    plan = await gw.send(new CreateUsagePlanCommand({
      name: `${prefix}gold`,
      description: "gold tier",
      apiStages: [{ apiId, stage: "dev", throttle: { "//GET": { burstLimit: 2, rateLimit: 1 } } }],
      throttle: { burstLimit: 10, rateLimit: 5 },
      quota: { limit: 1000, offset: 0, period: "DAY" },
      tags: { tier: "gold" },
    }));
    assert.deepEqual(strip(plan), {
      id: plan.id,
      name: `${prefix}gold`,
      description: "gold tier",
      apiStages: [{ apiId, stage: "dev", throttle: { "//GET": { burstLimit: 2, rateLimit: 1 } } }],
      throttle: { burstLimit: 10, rateLimit: 5 },
      quota: { limit: 1000, offset: 0, period: "DAY" },
      tags: { tier: "gold" },
    });
    const got = await gw.send(new GetUsagePlanCommand({ usagePlanId: plan.id }));
    assert.deepEqual(strip(got), strip(plan));

    await expectError(gw.send(new CreateUsagePlanCommand({ name: `${prefix}bad`, apiStages: [{ apiId, stage: "nope" }] })), {
      name: "BadRequestException", status: 400, message: /^Invalid API Stage \{api: [a-z0-9]+, stage: nope\} specified for usageplan /,
    });
    await expectError(gw.send(new CreateUsagePlanCommand({ name: `${prefix}bad`, throttle: { burstLimit: -1, rateLimit: 1 } })), {
      name: "BadRequestException", status: 400,
    });
    await expectError(gw.send(new GetUsagePlanCommand({ usagePlanId: "nosuch" })), {
      name: "NotFoundException", status: 404, message: "Invalid Usage Plan ID specified",
    });
  });

  it("CreateUsagePlanKey: the key joins the plan, value included", async () => {
    const member = await gw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: "API_KEY" }));
    assert.deepEqual(strip(member), { id: key.id, type: "API_KEY", value: key.value, name: `${prefix}a` });
    const one = await gw.send(new GetUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id }));
    assert.deepEqual(strip(one), strip(member));
    const all = await gw.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }));
    assert.deepEqual(all.items, [strip(member)]);
    const byKey = await gw.send(new GetUsagePlansCommand({ keyId: key.id }));
    assert.deepEqual(byKey.items.map((p) => p.id), [plan.id]);
  });

  it("a key cannot be in two plans bound to the same API stage (409)", async () => {
    planDev2 = await gw.send(new CreateUsagePlanCommand({ name: `${prefix}silver`, apiStages: [{ apiId, stage: "dev" }] }));
    await expectError(gw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planDev2.id, keyId: key.id, keyType: "API_KEY" })), {
      name: "ConflictException", status: 409, message: new RegExp(`API Key ${key.id} cannot reference multiple Usage Plans`),
    });
    // Another stage is fine ...
    planProd = await gw.send(new CreateUsagePlanCommand({ name: `${prefix}prod`, apiStages: [{ apiId, stage: "prod" }] }));
    await gw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planProd.id, keyId: key.id, keyType: "API_KEY" }));
    // ... but then prod cannot be added to the first plan.
    await expectError(gw.send(new UpdateUsagePlanCommand({
      usagePlanId: plan.id, patchOperations: [{ op: "add", path: "/apiStages", value: `${apiId}:prod` }],
    })), { name: "ConflictException", status: 409 });
    const unchanged = await gw.send(new GetUsagePlanCommand({ usagePlanId: plan.id }));
    assert.deepEqual(unchanged.apiStages.map((s) => s.stage), ["dev"]);
  });

  it("UpdateUsagePlan: throttle, quota and per-method throttles", async () => {
    const out = await gw.send(new UpdateUsagePlanCommand({
      usagePlanId: plan.id,
      patchOperations: [
        { op: "replace", path: "/throttle/rateLimit", value: "20" },
        { op: "replace", path: "/quota/period", value: "WEEK" },
        { op: "replace", path: `/apiStages/${apiId}:dev/throttle//GET/burstLimit`, value: "4" },
      ],
    }));
    assert.deepEqual(out.throttle, { burstLimit: 10, rateLimit: 20 });
    assert.deepEqual(out.quota, { limit: 1000, offset: 0, period: "WEEK" });
    assert.deepEqual(out.apiStages[0].throttle, { "//GET": { burstLimit: 4, rateLimit: 1 } });
    await expectError(gw.send(new UpdateUsagePlanCommand({
      usagePlanId: plan.id, patchOperations: [{ op: "remove", path: "/apiStages", value: `${apiId}:nope` }],
    })), { name: "NotFoundException", status: 404, message: `Invalid API Stage {api: ${apiId}, stage: nope} specified for usageplan ${plan.id}` });
  });

  it("deletes: plans bound to stages are refused; keys leave their plans", async () => {
    await expectError(gw.send(new DeleteUsagePlanCommand({ usagePlanId: planDev2.id })), {
      name: "BadRequestException", status: 400, message: /^Cannot delete Usage Plan /,
    });
    await gw.send(new UpdateUsagePlanCommand({
      usagePlanId: planDev2.id, patchOperations: [{ op: "remove", path: "/apiStages", value: `${apiId}:dev` }],
    }));
    await gw.send(new DeleteUsagePlanCommand({ usagePlanId: planDev2.id }));

    await gw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id }));
    assert.deepEqual((await gw.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }))).items, []);

    await gw.send(new DeleteApiKeyCommand({ apiKey: key.id }));
    await expectError(gw.send(new GetApiKeyCommand({ apiKey: key.id })), { name: "NotFoundException", status: 404 });
    assert.deepEqual((await gw.send(new GetUsagePlanKeysCommand({ usagePlanId: planProd.id }))).items, []);
    await gw.send(new DeleteApiKeyCommand({ apiKey: key2.id }));

    for (const p of [plan, planProd]) {
      await gw.send(new UpdateUsagePlanCommand({
        usagePlanId: p.id,
        patchOperations: p.apiStages.map((s) => ({ op: "remove", path: "/apiStages", value: `${s.apiId}:${s.stage}` })),
      }));
      await gw.send(new DeleteUsagePlanCommand({ usagePlanId: p.id }));
    }
    const left = await gw.send(new GetUsagePlansCommand({}));
    assert.ok(!left.items.some((p) => p.name.startsWith(prefix)), "this suite's plans are gone");
  });
});
