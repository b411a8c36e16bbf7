// The CloudWatch Logs stand-in through @aws-sdk/client-cloudwatch-logs
// (AWS JSON 1.1, signed for "logs"): groups, streams, PutLogEvents,
// GetLogEvents with its forward and backward tokens, FilterLogEvents and
// the describe operations page by page with the SDK's paginators, and
// the errors the SDK turns into exceptions.

import assert from "node:assert/strict";
import { describe, it, before } from "node:test";

import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  paginateDescribeLogGroups,
  paginateDescribeLogStreams,
  paginateFilterLogEvents,
} from "@aws-sdk/client-cloudwatch-logs";

import { endpoint, expectError, region, uid } from "./helpers.mjs";

const logs = new CloudWatchLogsClient({ endpoint, region, maxAttempts: 1 });

describe("CloudWatch Logs", () => {
  const prefix = `/js/${uid()}/`;
  const group = `${prefix}app`;
  const now = Date.now();

  before(async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group, tags: { suite: "js" } }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: `${prefix}other` }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 30 }));
    for (const s of ["a", "b", "c"]) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: s }));
    }
    const events = (stream) =>
      Array.from({ length: 5 }, (_, i) => ({ timestamp: now - 10000 + i * 1000, message: `${stream}-${i}${i === 3 ? " ERROR" : ""}` }));
    for (const s of ["a", "b"]) {
      const out = await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: s, logEvents: events(s) }));
      assert.equal(out.rejectedLogEventsInfo, undefined);
    }
  });

  it("describes groups and streams page by page", async () => {
    const groups = [];
    for await (const page of paginateDescribeLogGroups({ client: logs, pageSize: 1 }, { logGroupNamePrefix: prefix })) {
      groups.push(...page.logGroups);
    }
    assert.deepEqual(
      groups.map((g) => g.logGroupName),
      [`${prefix}app`, `${prefix}other`],
    );
    assert.equal(groups[0].retentionInDays, 30);
    assert.equal(groups[0].logGroupArn, `arn:aws:logs:${region}:000000000000:log-group:${group}`);
    const streams = [];
    for await (const page of paginateDescribeLogStreams({ client: logs, pageSize: 2 }, { logGroupName: group })) {
      streams.push(...page.logStreams);
    }
    assert.deepEqual(
      streams.map((s) => s.logStreamName),
      ["a", "b", "c"],
    );
    assert.equal(streams[0].lastEventTimestamp, now - 6000);
    assert.equal(streams[2].lastEventTimestamp, undefined);
  });

  it("reads a stream backwards and forwards with GetLogEvents tokens", async () => {
    const latest = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "a", limit: 2 }));
    assert.deepEqual(
      latest.events.map((e) => e.message),
      ["a-3 ERROR", "a-4"],
    );
    const back = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: "a", limit: 2, nextToken: latest.nextBackwardToken }),
    );
    assert.deepEqual(
      back.events.map((e) => e.message),
      ["a-1", "a-2"],
    );
    const end = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: "a", nextToken: latest.nextForwardToken }),
    );
    assert.deepEqual(end.events, []);
    assert.equal(end.nextForwardToken, latest.nextForwardToken);
  });

  it("filters across streams in time order, page by page", async () => {
    const events = [];
    const tokens = new Set();
    for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 3 }, { logGroupName: group })) {
      events.push(...page.events);
      if (page.nextToken) tokens.add(page.nextToken);
    }
    assert.equal(events.length, 10);
    assert.equal(tokens.size, 3);
    assert.deepEqual(
      events.slice(0, 4).map((e) => e.message),
      ["a-0", "b-0", "a-1", "b-1"],
    );
    assert.equal(new Set(events.map((e) => e.eventId)).size, 10);
    const errors = [];
    for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: group, filterPattern: "ERROR" })) {
      errors.push(...page.events.map((e) => `${e.logStreamName}:${e.message}`));
    }
    assert.deepEqual(errors, ["a:a-3 ERROR", "b:b-3 ERROR"]);
  });

  it("answers errors the SDK knows", async () => {
    const err = await expectError(logs.send(new CreateLogGroupCommand({ logGroupName: group })), {
      name: "ResourceAlreadyExistsException",
      status: 400,
      message: "The specified log group already exists",
    });
    assert.ok(err instanceof ResourceAlreadyExistsException);
    await expectError(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: "c",
          logEvents: [
            { timestamp: now, message: "later" },
            { timestamp: now - 1, message: "earlier" },
          ],
        }),
      ),
      {
        name: "InvalidParameterException",
        status: 400,
        message: "Log events in a single PutLogEvents request must be in chronological order.",
      },
    );
    await expectError(logs.send(new GetLogEventsCommand({ logGroupName: `${prefix}none`, logStreamName: "a" })), {
      name: "ResourceNotFoundException",
      status: 400,
      message: "The specified log group does not exist.",
    });
    await logs.send(new DeleteLogGroupCommand({ logGroupName: `${prefix}other` }));
  });
});
