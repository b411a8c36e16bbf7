// The audit trail through @aws-sdk/client-cloudtrail: LookupEvents (AWS
// JSON 1.1, signed for "cloudtrail") finds the management calls made with
// the API Gateway client, by resource, by event name and by time, a page
// at a time with the SDK's paginator; secrets never reach an event; bad
// lookups fail as CloudTrail's do.

import assert from "node:assert/strict";
import { describe, it, before } from "node:test";

import { CloudTrailClient, LookupEventsCommand, paginateLookupEvents } from "@aws-sdk/client-cloudtrail";
import { CreateApiKeyCommand, CreateRestApiCommand, UpdateRestApiCommand } from "@aws-sdk/client-api-gateway";

import { client, endpoint, expectError, region, uid } from "./helpers.mjs";

const trail = new CloudTrailClient({ endpoint, region, maxAttempts: 1 });
const apigw = client();

const byResource = (name) => [{ AttributeKey: "ResourceName", AttributeValue: name }];

describe("CloudTrail LookupEvents", () => {
  let apiId, keyId;
  const keyValue = `jsSecretKeyValue${uid()}${uid()}`;
  const started = new Date(Date.now() - 1000);

  before(async () => {
    apiId = (await apigw.send(new CreateRestApiCommand({ name: `trail-${uid()}` }))).id;
    await apigw.send(
      new UpdateRestApiCommand({
        restApiId: apiId,
        patchOperations: [{ op: "replace", path: "/description", value: "changed by the JS suite" }],
      }),
    );
    keyId = (await apigw.send(new CreateApiKeyCommand({ name: `trail-${uid()}`, value: keyValue }))).id;
  });

  it("finds who changed an API, newest first", async () => {
    const out = await trail.send(new LookupEventsCommand({ LookupAttributes: byResource(apiId) }));
    assert.deepEqual(
      out.Events.map((e) => e.EventName),
      ["UpdateRestApi", "CreateRestApi"],
    );
    const [update] = out.Events;
    assert.ok(update.EventTime instanceof Date && update.EventTime >= new Date(started.getTime() - 1000), `EventTime ${update.EventTime}`);
    assert.equal(update.ReadOnly, "false");
    assert.equal(update.Username, "root");
    assert.equal(update.EventSource, "apigateway.amazonaws.com");
    assert.deepEqual(update.Resources, [{ ResourceType: "AWS::ApiGateway::RestApi", ResourceName: apiId }]);
    const rec = JSON.parse(update.CloudTrailEvent);
    assert.equal(rec.eventName, "UpdateRestApi");
    assert.equal(rec.userIdentity.type, "Root");
    assert.equal(rec.userIdentity.accessKeyId, update.AccessKeyId);
    assert.match(rec.userAgent, /aws-sdk-js/);
    assert.deepEqual(rec.requestParameters.updateRestApiInput.patchOperations, [
      { op: "replace", path: "/description", value: "changed by the JS suite" },
    ]);
    assert.equal(out.NextToken, undefined);
  });

  it("pages with the SDK's paginator, one token per page", async () => {
    const names = [];
    const tokens = new Set();
    for await (const page of paginateLookupEvents(
      { client: trail, pageSize: 1 },
      { LookupAttributes: byResource(apiId), StartTime: started },
    )) {
      names.push(...page.Events.map((e) => e.EventName));
      if (page.NextToken) {
        assert.ok(!tokens.has(page.NextToken), "a token given twice");
        tokens.add(page.NextToken);
      }
    }
    assert.deepEqual(names, ["UpdateRestApi", "CreateRestApi"]);
    assert.equal(tokens.size, 1);
  });

  it("selects by event name and time", async () => {
    const out = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateApiKey" }],
        StartTime: started,
        EndTime: new Date(Date.now() + 1000),
      }),
    );
    const mine = out.Events.filter((e) => e.Resources.some((r) => r.ResourceName === keyId));
    assert.equal(mine.length, 1);
    const none = await trail.send(new LookupEventsCommand({ StartTime: new Date(Date.now() + 3600e3) }));
    assert.deepEqual(none.Events, []);
  });

  it("keeps API key values out of events", async () => {
    const out = await trail.send(new LookupEventsCommand({ LookupAttributes: byResource(keyId) }));
    assert.equal(out.Events.length, 1);
    const text = JSON.stringify(out.Events);
    assert.ok(!text.includes(keyValue), "the API key value is in an event");
    const rec = JSON.parse(out.Events[0].CloudTrailEvent);
    assert.equal(rec.requestParameters.createApiKeyInput.value, "***");
    assert.equal(rec.responseElements.value, "***");
  });

  it("refuses bad lookups", async () => {
    await expectError(
      trail.send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: "EventName", AttributeValue: "A" },
            { AttributeKey: "Username", AttributeValue: "root" },
          ],
        }),
      ),
      { name: "InvalidLookupAttributesException", status: 400, message: "Only one lookup attribute is allowed." },
    );
    await expectError(trail.send(new LookupEventsCommand({ MaxResults: 51 })), {
      name: "InvalidMaxResultsException",
      status: 400,
    });
    await expectError(
      trail.send(new LookupEventsCommand({ StartTime: new Date(), EndTime: new Date(Date.now() - 3600e3) })),
      { name: "InvalidTimeRangeException", status: 400 },
    );
    await expectError(trail.send(new LookupEventsCommand({ NextToken: "not-a-token" })), {
      name: "InvalidNextTokenException",
      status: 400,
    });
  });
});
