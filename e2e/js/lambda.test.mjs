// The Lambda API with @aws-sdk/client-lambda. The deployment packages are
// built by e2e/lambda_js_test.go (TestLambdaJavaScriptSDK), which passes
// their paths in TOLLGATE_LAMBDA_{ECHO,FAIL,ECHO_STUB}_ZIP;
// without them (the plain TestJavaScriptSDK run) this suite is skipped.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";

import { accountId, endpoint, expectError, region, uid } from "./helpers.mjs";

const echoZip = process.env.TOLLGATE_LAMBDA_ECHO_ZIP; // the program itself
const failZip = process.env.TOLLGATE_LAMBDA_FAIL_ZIP; // a bootstrap script that execs it
const stubZip = process.env.TOLLGATE_LAMBDA_ECHO_STUB_ZIP; // a bootstrap script that execs echo
const skip = !echoZip || !failZip || !stubZip ? "run through go test ./e2e -run TestLambdaJavaScriptSDK (needs the test functions)" : false;

const lambda = new LambdaClient({ endpoint, region, maxAttempts: 1 });
const role = `arn:aws:iam::${accountId}:role/lambda`;
const arn = (name) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;
const text = (bytes) => new TextDecoder().decode(bytes);
const bytes = (s) => new TextEncoder().encode(s);

async function create(name, zip, extra = {}) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: role,
      Runtime: "provided.al2023",
      Handler: "bootstrap",
      Code: { ZipFile: readFileSync(zip) },
      ...extra,
    }),
  );
}

describe("Lambda API (@aws-sdk/client-lambda)", { skip }, () => {
  test("function lifecycle: create, get, list, update, delete", async () => {
    const name = `js-${uid()}`;
    const created = await create(name, echoZip, {
      Description: "echo",
      Timeout: 7,
      MemorySize: 192,
      Environment: { Variables: { COLOR: "blue" } },
      Tags: { team: "js" },
    });
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.equal(created.FunctionName, name);
    assert.equal(created.FunctionArn, arn(name));
    assert.equal(created.Runtime, "provided.al2023");
    assert.equal(created.Timeout, 7);
    assert.equal(created.MemorySize, 192);
    assert.equal(created.Version, "$LATEST");
    assert.equal(created.PackageType, "Zip");
    assert.equal(created.State, "Active");
    assert.deepEqual(created.Architectures, ["x86_64"]);
    assert.deepEqual(created.Environment, { Variables: { COLOR: "blue" } });
    assert.match(created.CodeSha256, /^[A-Za-z0-9+/]{43}=$/);
    assert.match(created.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10 }, { FunctionName: name });

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    assert.equal(got.Code.RepositoryType, "S3");
    assert.ok(got.Code.Location);
    assert.deepEqual(got.Tags, { team: "js" });
    assert.equal(got.Configuration.RevisionId, created.RevisionId);
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arn(name) }));
    assert.equal(cfg.Description, "echo");

    const names = [];
    for await (const page of paginateListFunctions({ client: lambda, pageSize: 1 }, {})) {
      assert.ok(page.Functions.length <= 1);
      names.push(...page.Functions.map((f) => f.FunctionName));
    }
    assert.ok(names.includes(name), `${name} not listed in ${names}`);
    assert.deepEqual([...names].sort(), names, "ListFunctions sorts by name");

    const upd = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 2, Environment: { Variables: { COLOR: "red" } } }),
    );
    assert.equal(upd.Timeout, 2);
    assert.notEqual(upd.RevisionId, created.RevisionId);
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10 }, { FunctionName: name });
    const env = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: bytes('{"getenv":"COLOR"}') }));
    assert.equal(text(env.Payload), '{"COLOR":"red"}');

    const code = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: readFileSync(failZip) }));
    assert.notEqual(code.CodeSha256, created.CodeSha256);
    const failed = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: bytes('{"message":"from js"}') }));
    assert.equal(failed.StatusCode, 200);
    assert.equal(failed.FunctionError, "Unhandled");
    assert.equal(JSON.parse(text(failed.Payload)).errorMessage, "from js");

    const del = await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectError(lambda.send(new GetFunctionCommand({ FunctionName: name })), {
      name: "ResourceNotFoundException",
      status: 404,
      message: `Function not found: ${arn(name)}`,
    });
  });

  test("Invoke: RequestResponse with a log tail, Event, DryRun", async () => {
    const name = `js-inv-${uid()}`;
    await create(name, stubZip);
    const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: bytes('{"n":1}'), LogType: "Tail" }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, "$LATEST");
    assert.equal(out.FunctionError, undefined);
    assert.equal(text(out.Payload), '{"n":1}');
    const log = Buffer.from(out.LogResult, "base64").toString();
    assert.match(log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    assert.match(log, /echo: 7 bytes\n/);
    assert.match(log, /\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\t/);
    assert.equal(out.$metadata.requestId, log.slice("START RequestId: ".length, "START RequestId: ".length + 36));

    const ev = await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: bytes("{}") }));
    assert.equal(ev.StatusCode, 202);
    assert.equal(ev.Payload?.length ?? 0, 0);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "DryRun" }));
    assert.equal(dry.StatusCode, 204);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });

  test("reserved concurrency throttles with TooManyRequestsException", async () => {
    const name = `js-conc-${uid()}`;
    await create(name, stubZip);
    const put = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    assert.equal(put.ReservedConcurrentExecutions, 0);
    const got = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }));
    assert.equal(got.ReservedConcurrentExecutions, 0);
    const err = await expectError(lambda.send(new InvokeCommand({ FunctionName: name, Payload: bytes("{}") })), {
      name: "TooManyRequestsException",
      status: 429,
      message: "Rate Exceeded.",
    });
    assert.equal(err.Reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
    assert.equal(err.Type, "User");
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    const ok = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: bytes("{}") }));
    assert.equal(ok.StatusCode, 200);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });

  test("errors have Lambda's types, statuses and messages", async () => {
    const name = `js-err-${uid()}`;
    await create(name, stubZip);
    const notFound = await expectError(lambda.send(new InvokeCommand({ FunctionName: "js-nope" })), {
      name: "ResourceNotFoundException",
      status: 404,
      message: `Function not found: ${arn("js-nope")}`,
    });
    assert.equal(notFound.Type, "User");
    await expectError(create(name, stubZip), {
      name: "ResourceConflictException",
      status: 409,
      message: `Function already exist: ${name}`,
    });
    await expectError(create(`js-env-${uid()}`, stubZip, { Environment: { Variables: { AWS_LAMBDA_RUNTIME_API: "x" } } }), {
      name: "InvalidParameterValueException",
      status: 400,
      message:
        "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_LAMBDA_RUNTIME_API",
    });
    await expectError(create(`js-mem-${uid()}`, stubZip, { MemorySize: 64 }), {
      name: "ValidationException",
      status: 400,
      message:
        "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    });
    await expectError(create(`js-role-${uid()}`, stubZip, { Role: "r1" }), {
      name: "ValidationException",
      status: 400,
      message:
        "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
    });
    await expectError(
      lambda.send(new InvokeCommand({ FunctionName: name, Payload: bytes(`"${"a".repeat(6 * 1024 * 1024)}"`) })),
      {
        name: "RequestEntityTooLargeException",
        status: 413,
        message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
      },
    );
    await expectError(lambda.send(new InvokeCommand({ FunctionName: name, Payload: bytes("{oops") })), {
      name: "InvalidRequestContentException",
      status: 400,
      message: /^Could not parse request body into json: Could not parse payload into json: /,
    });
    await expectError(lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "$LATEST" })), {
      name: "InvalidParameterValueException",
      status: 400,
      message: "$LATEST version cannot be deleted without deleting the function.",
    });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });
});
