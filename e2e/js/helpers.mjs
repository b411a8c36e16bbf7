// Shared helpers for the JavaScript SDK suites. The gateway is started by
// e2e/js_test.go, which passes its address in TOLLGATE_ENDPOINT and the
// credentials through AWS_SHARED_CREDENTIALS_FILE / AWS_PROFILE.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import {
  APIGatewayClient,
  GetDeploymentsCommand,
  GetGatewayResponsesCommand,
  GetModelsCommand,
  GetRequestValidatorsCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetStagesCommand,
  GetTagsCommand,
} from "@aws-sdk/client-api-gateway";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";

// The SDK warns on every run that releases after January 2027 will need
// Node 22; the suite pins its SDK version, so the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const endpoint = process.env.TOLLGATE_ENDPOINT;
if (!endpoint) {
  throw new Error("TOLLGATE_ENDPOINT is not set: run these tests through `go test ./e2e -run TestJavaScriptSDK`");
}
export const region = "us-east-1";
export const accountId = "000000000000";

// client returns an API Gateway client that differs from one talking to AWS
// only by its endpoint: region and credentials come from the environment
// (shared credentials file, profile tollgate). extra is merged into the
// configuration (used by the signature tests).
export function client(extra = {}) {
  return new APIGatewayClient({ endpoint, region, ...extra });
}

// credentials resolves the gateway's credentials the way the SDK does.
let credsPromise;
export function credentials() {
  credsPromise ??= defaultProvider()();
  return credsPromise;
}

// uid returns a short random suffix for names.
export function uid() {
  return randomBytes(4).toString("hex");
}

// apiArn is the tagging ARN of a REST API.
export function apiArn(id) {
  return `arn:aws:apigateway:${region}::/restapis/${id}`;
}

// expectError runs fn (or awaits a promise), requires it to fail with an
// SDK service error, and checks the error name (the x-amzn-ErrorType), the
// HTTP status and the message. message may be a string (exact), a RegExp,
// or undefined (not checked). It returns the error.
export async function expectError(fn, { name, status, message }) {
  let err;
  try {
    await (typeof fn === "function" ? fn() : fn);
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name} (${status}), but the call succeeded`);
  const got = `${err.name} ${err.$metadata?.httpStatusCode}: ${err.message}`;
  assert.equal(err.name, name, `error name: ${got}`);
  assert.equal(err.$metadata?.httpStatusCode, status, `HTTP status: ${got}`);
  if (typeof message === "string") {
    assert.equal(err.message, message, `message: ${got}`);
  } else if (message instanceof RegExp) {
    assert.match(err.message, message, `message: ${got}`);
  }
  assert.ok(err.$metadata?.requestId, `no x-amzn-RequestId on ${got}`);
  return err;
}

// signedFetch sends a raw request to the management API, signed with the
// SDK's own SigV4 signer and the gateway's credentials. body is a string or
// Buffer (sent as is). It returns {status, headers, text, json}.
export async function signedFetch(method, path, { body, headers = {}, query = {}, signer } = {}) {
  const url = new URL(endpoint);
  const req = {
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query,
    headers: {
      host: url.host,
      accept: "application/json",
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body,
  };
  const s =
    signer ??
    new SignatureV4({ credentials: await credentials(), region, service: "apigateway", sha256: Sha256 });
  const signed = await s.sign(req);
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${url.origin}${path}${qs ? "?" + qs : ""}`, {
    method,
    headers: signed.headers,
    body,
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

// expectRawError checks a signedFetch result is an AWS error.
export function expectRawError(res, { status, type, message }) {
  const desc = `${res.status} ${res.headers.get("x-amzn-errortype")} ${res.text}`;
  assert.equal(res.status, status, `status: ${desc}`);
  assert.equal(res.headers.get("x-amzn-errortype"), type, `x-amzn-ErrorType: ${desc}`);
  assert.ok(res.headers.get("x-amzn-requestid"), `no x-amzn-RequestId: ${desc}`);
  assert.equal(res.headers.get("content-type"), "application/json", `content type: ${desc}`);
  assert.deepEqual(Object.keys(res.json ?? {}), ["message"], `body must be {"message": …}: ${desc}`);
  if (typeof message === "string") {
    assert.equal(res.json.message, message, `message: ${desc}`);
  } else if (message instanceof RegExp) {
    assert.match(res.json.message, message, `message: ${desc}`);
  }
}

// strip removes the SDK's $metadata so that outputs compare as documents.
export function strip(out) {
  const { $metadata, ...rest } = out;
  return rest;
}

const stateClient = client();

// apiState reads back everything inside one REST API, for comparing the
// state before and after a failed call.
export async function apiState(restApiId) {
  const gw = stateClient;
  const [api, resources, models, validators, stages, deployments, responses, tags] = await Promise.all([
    gw.send(new GetRestApiCommand({ restApiId })),
    gw.send(new GetResourcesCommand({ restApiId, embed: ["methods"], limit: 500 })),
    gw.send(new GetModelsCommand({ restApiId, limit: 500 })),
    gw.send(new GetRequestValidatorsCommand({ restApiId, limit: 500 })),
    gw.send(new GetStagesCommand({ restApiId })),
    gw.send(new GetDeploymentsCommand({ restApiId, limit: 500 })),
    gw.send(new GetGatewayResponsesCommand({ restApiId, limit: 500 })),
    gw.send(new GetTagsCommand({ resourceArn: apiArn(restApiId) })),
  ]);
  const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    api: strip(api),
    resources: [...resources.items].sort(byId),
    models: [...models.items].sort(byId),
    validators: [...validators.items].sort(byId),
    stages: stages.item,
    deployments: [...deployments.items].sort(byId),
    responses: responses.items,
    tags: tags.tags,
  };
}
