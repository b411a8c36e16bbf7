// Requests the SDK cannot produce (malformed JSON, members of the wrong JSON
// type, missing required members, oversized bodies), sent with fetch and
// signed with the SDK's own SigV4 signer. Each failure must have AWS's shape
// (status, x-amzn-ErrorType, {"message": …}) and change nothing.

import assert from "node:assert/strict";
import { describe, it, before } from "node:test";

import {
  CreateResourceCommand,
  CreateRestApiCommand,
  GetRestApisCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from "@aws-sdk/client-api-gateway";

import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";

import { apiState, client, credentials, expectRawError, region, signedFetch, uid } from "./helpers.mjs";

const gw = client();

const serialization = (message) => ({ status: 400, type: "SerializationException", message });
const validation = (message) => ({ status: 400, type: "ValidationException", message });
const isNull = (at) => `Value null at '${at}' failed to satisfy constraint: Member must not be null`;

// apiNamed lists the REST APIs called name (other suites create APIs
// concurrently, so a count of all APIs would not do).
async function apiNamed(name) {
  const out = await gw.send(new GetRestApisCommand({ limit: 500 }));
  return out.items.filter((a) => a.name === name);
}

describe("raw signed requests", () => {
  let apiId;
  let petsId;

  // check sends the raw request and requires the error and no change.
  async function check(method, path, body, want) {
    const before = await apiState(apiId);
    const res = await signedFetch(method, path, { body });
    expectRawError(res, want);
    assert.deepEqual(await apiState(apiId), before, `state changed by ${method} ${path} ${String(body).slice(0, 80)}`);
    return res;
  }

  before(async () => {
    const api = await gw.send(new CreateRestApiCommand({ name: `raw-${uid()}` }));
    apiId = api.id;
    petsId = (await gw.send(new CreateResourceCommand({ restApiId: apiId, parentId: api.rootResourceId, pathPart: "pets" }))).id;
    await gw.send(new PutMethodCommand({ restApiId: apiId, resourceId: petsId, httpMethod: "GET", authorizationType: "NONE" }));
    await gw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId: petsId, httpMethod: "GET", type: "MOCK" }));
  });

  it("a well-formed signed request succeeds (the harness itself works)", async () => {
    const name = `raw-ok-${uid()}`;
    const res = await signedFetch("POST", "/restapis", { body: JSON.stringify({ name }) });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.ok(res.headers.get("x-amzn-requestid"));
    assert.equal(res.json.name, name);
    assert.equal(typeof res.json.createdDate, "number", "timestamps are epoch seconds on the wire");
    assert.ok(Number.isInteger(res.json.createdDate));
    const list = await signedFetch("GET", "/restapis", { query: { limit: "1" } });
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.json.item), "collections use the key item on the wire");
    assert.equal(list.json.item.length, 1);
    assert.equal(typeof list.json.position, "string");
  });

  it("malformed JSON is a SerializationException", async () => {
    const name = `raw-bad-${uid()}`;
    for (const body of [`{"name": "${name}"`, `{"name": "${name}",}`, `{name: "${name}"}`, "{", "nonsense"]) {
      const res = await signedFetch("POST", "/restapis", { body });
      expectRawError(res, { status: 400, type: "SerializationException" });
    }
    for (const body of ["[]", `"${name}"`, "42"]) {
      const res = await signedFetch("POST", "/restapis", { body });
      expectRawError(res, { status: 400, type: "SerializationException" });
    }
    assert.deepEqual(await apiNamed(name), []);
    await check("PUT", `/restapis/${apiId}/resources/${petsId}/methods/POST`, '{"authorizationType": "NONE"', {
      status: 400,
      type: "SerializationException",
    });
    await check("PATCH", `/restapis/${apiId}`, '{"patchOperations": [{"op": "replace", "path": "/name", "value": "x"}', {
      status: 400,
      type: "SerializationException",
    });
  });

  it("members of the wrong JSON type", async () => {
    const name = `raw-type-${uid()}`;
    let res = await signedFetch("POST", "/restapis", { body: JSON.stringify({ name: true }) });
    expectRawError(res, serialization("class java.lang.Boolean can not be converted to an String"));
    res = await signedFetch("POST", "/restapis", { body: JSON.stringify({ name: 12 }) });
    expectRawError(res, serialization("class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"));
    res = await signedFetch("POST", "/restapis", { body: JSON.stringify({ name, binaryMediaTypes: "image/png" }) });
    expectRawError(res, { status: 400, type: "SerializationException", message: /can not be converted to an/ });
    res = await signedFetch("POST", "/restapis", { body: JSON.stringify({ name, disableExecuteApiEndpoint: "yes" }) });
    expectRawError(res, { status: 400, type: "SerializationException", message: /can not be converted to an/ });
    assert.deepEqual(await apiNamed(name), []);

    // Recorded against AWS: a boolean in a string map [V].
    await check(
      "PUT",
      `/restapis/${apiId}/resources/${petsId}/methods/GET/integration`,
      JSON.stringify({ type: "MOCK", requestParameters: { "integration.request.header.x": true } }),
      serialization("class java.lang.Boolean can not be converted to an String"),
    );
    // A number where a string is expected [V].
    await check(
      "PUT",
      `/restapis/${apiId}/resources/${petsId}/methods/GET/integration/responses/200`,
      JSON.stringify({ responseTemplates: { "application/json": 123 } }),
      serialization("class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"),
    );
    await check(
      "PATCH",
      `/restapis/${apiId}`,
      JSON.stringify({ patchOperations: { op: "replace", path: "/name", value: "x" } }),
      { status: 400, type: "SerializationException", message: /can not be converted to an/ },
    );
  });

  it("missing required members are ValidationExceptions", async () => {
    let res = await signedFetch("POST", "/restapis", { body: "{}" });
    expectRawError(res, validation(`1 validation error detected: ${isNull("createRestApiInput.name")}`));
    res = await signedFetch("POST", "/restapis", { body: JSON.stringify({ description: "no name" }) });
    expectRawError(res, validation(`1 validation error detected: ${isNull("createRestApiInput.name")}`));

    await check(
      "PUT",
      `/restapis/${apiId}/resources/${petsId}/methods/POST`,
      "{}",
      validation(`1 validation error detected: ${isNull("putMethodInput.authorizationType")}`),
    );
    await check(
      "POST",
      `/restapis/${apiId}/resources/${petsId}`,
      "{}",
      validation(`1 validation error detected: ${isNull("createResourceInput.pathPart")}`),
    );
    await check(
      "PUT",
      `/restapis/${apiId}/resources/${petsId}/methods/GET/integration`,
      JSON.stringify({ uri: "https://example.com" }),
      validation(`1 validation error detected: ${isNull("putIntegrationInput.type")}`),
    );
    await check("POST", `/restapis/${apiId}/models`, "{}", {
      status: 400,
      type: "ValidationException",
      message: new RegExp(
        `^2 validation errors detected: (${isNull("createModelInput.name")}; ${isNull("createModelInput.contentType")}|${isNull("createModelInput.contentType")}; ${isNull("createModelInput.name")})$`
          .replaceAll(".", "\\.")
          .replaceAll("(\\.", "("),
      ),
    });
    await check(
      "POST",
      `/restapis/${apiId}/stages`,
      JSON.stringify({ stageName: "x" }),
      validation(`1 validation error detected: ${isNull("createStageInput.deploymentId")}`),
    );
  });

  it("a body over 10 MB is refused with 413 before anything runs", async () => {
    const name = `raw-big-${uid()}`;
    const body = JSON.stringify({ name, description: "x".repeat(10 * 1024 * 1024) });
    assert.ok(Buffer.byteLength(body) > 10 * 1024 * 1024);
    const res = await signedFetch("POST", "/restapis", { body });
    expectRawError(res, { status: 413, type: "RequestEntityTooLargeException", message: /exceeds the maximum/ });
    assert.deepEqual(await apiNamed(name), []);
    // The gateway still answers.
    const after = await signedFetch("GET", `/restapis/${apiId}`);
    assert.equal(after.status, 200);
  });

  it("an unknown operation is a 404 with an error type", async () => {
    const res = await signedFetch("GET", `/restapis/${apiId}/nonsense`);
    assert.equal(res.status, 404);
    assert.ok(res.headers.get("x-amzn-errortype"));
    assert.deepEqual(Object.keys(res.json), ["message"]);
  });

  it("a body that differs from the signed one is refused", async () => {
    const name = `raw-tamper-${uid()}`;
    const url = new URL(process.env.TOLLGATE_ENDPOINT);
    // Sign one body, send another.
    const signer = new SignatureV4({ credentials: await credentials(), region, service: "apigateway", sha256: Sha256 });
    const signed = await signer.sign({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: "/restapis",
      query: {},
      headers: { host: url.host, "content-type": "application/json" },
      body: JSON.stringify({ name: "original" }),
    });
    const res = await fetch(`${url.origin}/restapis`, { method: "POST", headers: signed.headers, body: JSON.stringify({ name }) });
    const text = await res.text();
    assert.equal(res.status, 403, text);
    assert.equal(res.headers.get("x-amzn-errortype"), "InvalidSignatureException");
    // The signer sends the payload hash in x-amz-content-sha256, so the
    // mismatch is found there; without that header it would be the
    // signature that does not match.
    assert.equal(JSON.parse(text).message, "The provided 'x-amz-content-sha256' header does not match what was computed.");

    // Without the hash header the signature itself no longer matches.
    const headers = { ...signed.headers };
    delete headers["x-amz-content-sha256"];
    const res2 = await fetch(`${url.origin}/restapis`, { method: "POST", headers, body: JSON.stringify({ name }) });
    const text2 = await res2.text();
    assert.equal(res2.status, 403, text2);
    assert.equal(res2.headers.get("x-amzn-errortype"), "InvalidSignatureException");
    assert.match(JSON.parse(text2).message, /^The request signature we calculated does not match the signature you provided\./);
    assert.deepEqual(await apiNamed(name), []);
  });
});
