// Node.js and Python functions, versions and aliases with
// @aws-sdk/client-lambda. The deployment packages (e2e/testdata/lambda-node
// and lambda-python, zipped) are built by e2e/lambda_runtimes_jssdk_test.go
// (TestLambdaRuntimesJavaScriptSDK), which passes their paths in
// TOLLGATE_LAMBDA_{NODE,PYTHON}_ZIP; without them (the plain
// TestJavaScriptSDK run) this suite is skipped.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  ListAliasesCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListVersionsByFunction,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";

import { accountId, endpoint, expectError, region, uid } from "./helpers.mjs";

const nodeZip = process.env.TOLLGATE_LAMBDA_NODE_ZIP;
const pythonZip = process.env.TOLLGATE_LAMBDA_PYTHON_ZIP;
const skip = !nodeZip || !pythonZip ? "run through go test ./e2e -run TestLambdaRuntimesJavaScriptSDK (needs the zipped test functions)" : false;

const lambda = new LambdaClient({ endpoint, region, maxAttempts: 1 });
const role = `arn:aws:iam::${accountId}:role/lambda`;
const arn = (name) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;
const text = (bytes) => new TextDecoder().decode(bytes);
const bytes = (s) => new TextEncoder().encode(s);

async function create(name, runtime, handler, zip, extra = {}) {
  const out = await lambda.send(
    new CreateFunctionCommand({ FunctionName: name, Role: role, Runtime: runtime, Handler: handler, Code: { ZipFile: readFileSync(zip) }, ...extra }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10 }, { FunctionName: name });
  return out;
}

async function invoke(name, payload, extra = {}) {
  return lambda.send(new InvokeCommand({ FunctionName: name, Payload: bytes(JSON.stringify(payload)), ...extra }));
}

describe("Node.js and Python functions, versions and aliases (@aws-sdk/client-lambda)", { skip }, () => {
  test("Node.js and Python functions from zips: results, log tails, errors", async () => {
    const node = `js-node-${uid()}`;
    const py = `js-py-${uid()}`;
    await create(node, "nodejs22.x", "index.echo", nodeZip, { Environment: { Variables: { MARKER: "n" } } });
    await create(py, "python3.12", "app.echo", pythonZip, { Environment: { Variables: { MARKER: "p" } } });

    for (const [name, logLine] of [
      [node, /\tINFO\techo \{"k":"v"\}\n/],
      [py, /\necho \{"k": "v"\}\n/],
    ]) {
      const out = await invoke(name, { k: "v" }, { LogType: "Tail" });
      assert.equal(out.StatusCode, 200);
      assert.equal(out.ExecutedVersion, "$LATEST");
      assert.equal(out.FunctionError, undefined);
      const res = JSON.parse(text(out.Payload));
      assert.deepEqual(res.event, { k: "v" });
      assert.equal(res.functionVersion, "$LATEST");
      assert.equal(res.invokedFunctionArn, arn(name));
      const log = Buffer.from(out.LogResult, "base64").toString();
      assert.match(log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
      assert.match(log, logLine);
      assert.match(log, /\nREPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\t/);
    }

    // The runtimes' own error documents.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: node, Handler: "index.fail" }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: py, Handler: "app.fail" }));
    const nodeErr = await invoke(node, {});
    assert.equal(nodeErr.FunctionError, "Unhandled");
    const nodeDoc = JSON.parse(text(nodeErr.Payload));
    assert.deepEqual(Object.keys(nodeDoc), ["errorType", "errorMessage", "trace"]);
    assert.equal(nodeDoc.errorType, "TypeError");
    assert.equal(nodeDoc.errorMessage, "bad input");
    const pyErr = await invoke(py, {});
    assert.equal(pyErr.FunctionError, "Unhandled");
    const pyDoc = JSON.parse(text(pyErr.Payload));
    assert.deepEqual(Object.keys(pyDoc), ["errorMessage", "errorType", "requestId", "stackTrace"]);
    assert.equal(pyDoc.errorType, "ValueError");
    assert.equal(pyDoc.requestId, pyErr.$metadata.requestId);

    // A handler naming no module: the runtime's init error.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: py, Handler: "nomodule.handler" }));
    const initErr = JSON.parse(text((await invoke(py, {})).Payload));
    assert.equal(initErr.errorType, "Runtime.ImportModuleError");
    assert.equal(initErr.errorMessage, "Unable to import module 'nomodule': No module named 'nomodule'");

    await lambda.send(new DeleteFunctionCommand({ FunctionName: node }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: py }));
  });

  test("versions and weighted aliases", async () => {
    const name = `js-ver-${uid()}`;
    const created = await create(name, "python3.12", "app.echo", pythonZip, { Environment: { Variables: { MARKER: "one" } }, Publish: true });
    assert.equal(created.Version, "1");
    assert.equal(created.FunctionArn, arn(name));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { MARKER: "two" } } }));
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: name, Description: "second" }));
    assert.equal(v2.$metadata.httpStatusCode, 201);
    assert.equal(v2.Version, "2");
    assert.equal(v2.FunctionArn, arn(`${name}:2`));
    assert.equal(v2.Description, "second");
    // Unchanged since version 2: publishing again returns it.
    const again = await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    assert.equal(again.Version, "2");
    assert.equal(again.RevisionId, v2.RevisionId);

    const versions = [];
    for await (const page of paginateListVersionsByFunction({ client: lambda, pageSize: 1 }, { FunctionName: name })) {
      versions.push(...page.Versions.map((v) => [v.Version, v.FunctionArn]));
    }
    assert.deepEqual(versions, [
      ["$LATEST", arn(`${name}:$LATEST`)],
      ["1", arn(`${name}:1`)],
      ["2", arn(`${name}:2`)],
    ]);

    const alias = await lambda.send(
      new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { 2: 0.5 } } }),
    );
    assert.equal(alias.AliasArn, arn(`${name}:live`));
    assert.deepEqual(alias.RoutingConfig, { AdditionalVersionWeights: { 2: 0.5 } });
    const got = await lambda.send(new GetAliasCommand({ FunctionName: name, Name: "live" }));
    assert.equal(got.RevisionId, alias.RevisionId);

    // Both versions serve the alias; each runs its own configuration, and
    // sees the ARN it was invoked by.
    const seen = new Set();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const out = await invoke(name, {}, { Qualifier: "live" });
      const res = JSON.parse(text(out.Payload));
      assert.equal(res.functionVersion, out.ExecutedVersion);
      assert.equal(res.marker, out.ExecutedVersion === "1" ? "one" : "two");
      assert.equal(res.invokedFunctionArn, arn(`${name}:live`));
      seen.add(out.ExecutedVersion);
    }
    assert.deepEqual([...seen].sort(), ["1", "2"]);

    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "live" }));
    assert.equal(fn.Configuration.Version, "1");
    assert.equal(fn.Configuration.FunctionArn, arn(`${name}:live`));

    await expectError(lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "2" })), {
      name: "ResourceConflictException",
      status: 409,
      message: `Alias already exists: ${arn(`${name}:live`)}`,
    });
    await expectError(lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "2" })), {
      name: "ResourceConflictException",
      status: 409,
      message: "Unable to delete version because the following aliases reference it: [live]",
    });
    const updated = await lambda.send(
      new UpdateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: {} } }),
    );
    assert.equal(updated.RoutingConfig, undefined);
    const listed = await lambda.send(new ListAliasesCommand({ FunctionName: name, FunctionVersion: "2" }));
    assert.deepEqual(
      listed.Aliases.map((a) => a.Name),
      ["live"],
    );
    const out = await invoke(`${name}:live`, {});
    assert.equal(out.ExecutedVersion, "2");

    // $LATEST moves on; the versions do not.
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: readFileSync(nodeZip) }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.echo" }));
    const latest = JSON.parse(text((await invoke(name, {})).Payload));
    assert.equal(latest.marker, "two");
    const v1 = await invoke(arn(`${name}:1`), {});
    assert.equal(v1.ExecutedVersion, "1");
    assert.equal(JSON.parse(text(v1.Payload)).marker, "one");

    await lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "live" }));
    await expectError(lambda.send(new GetAliasCommand({ FunctionName: name, Name: "live" })), {
      name: "ResourceNotFoundException",
      status: 404,
      message: `Cannot find alias arn: ${arn(`${name}:live`)}`,
    });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });
  test("InvokeWithResponseStream: a streaming Node.js function's chunks as it writes them, its error in InvokeComplete", async () => {
    const name = `js-stream-${uid()}`;
    await create(name, "nodejs22.x", "stream.raw", nodeZip);
    // The function writes its second chunk only once the gate file exists,
    // which the test creates when it has the first.
    const gate = join(mkdtempSync(join(tmpdir(), "tollgate-gate-")), "gate");
    const out = await lambda.send(
      new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: bytes(JSON.stringify({ chunks: ["one;", "two;", "three"], gate })) }),
    );
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, "$LATEST");
    assert.equal(out.ResponseStreamContentType, "text/plain");
    let payload = "";
    const completes = [];
    for await (const event of out.EventStream) {
      if (event.PayloadChunk) {
        payload += text(event.PayloadChunk.Payload);
        if (payload === "one;") {
          assert.equal(existsSync(gate), false);
          writeFileSync(gate, "");
        }
      } else if (event.InvokeComplete) {
        completes.push(event.InvokeComplete);
      }
    }
    assert.equal(payload, "one;two;three");
    assert.equal(completes.length, 1);
    assert.equal(completes[0].ErrorCode, undefined);

    const failed = await lambda.send(
      new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: bytes(JSON.stringify({ chunks: ["partial"], fail: "half-way" })) }),
    );
    payload = "";
    let complete;
    for await (const event of failed.EventStream) {
      if (event.PayloadChunk) payload += text(event.PayloadChunk.Payload);
      if (event.InvokeComplete) complete = event.InvokeComplete;
    }
    assert.equal(payload, "partial");
    assert.equal(complete.ErrorCode, "Error");
    assert.equal(complete.ErrorDetails, "half-way");

    await expectError(lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: `${name}-nope`, Payload: bytes("{}") })), {
      name: "ResourceNotFoundException",
      status: 404,
      message: `Function not found: ${arn(`${name}-nope`)}`,
    });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });
});
