// Signature Version 4 failures as the SDK reports them.

import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";

import { GetRestApisCommand, CreateRestApiCommand } from "@aws-sdk/client-api-gateway";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";

import { client, credentials, endpoint, expectError, expectRawError, region, signedFetch, uid } from "./helpers.mjs";

const list = new GetRestApisCommand({ limit: 1 });

// stamps parses the ISO-8601 basic timestamps of an expiry message (AWS's
// wording: "Signature expired: {signed} is now earlier than {now - 15 min}
// ({now} - 15 min.)") into epoch milliseconds.
function stamps(message) {
  return [...message.matchAll(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/g)].map((m) =>
    Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]),
  );
}

describe("SigV4", () => {
  it("the right credentials work", async () => {
    const out = await client().send(list);
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  it("a wrong secret is an InvalidSignatureException", async () => {
    const { accessKeyId, secretAccessKey } = await credentials();
    const wrong = secretAccessKey.slice(0, -1) + (secretAccessKey.endsWith("A") ? "B" : "A");
    const gw = client({ credentials: { accessKeyId, secretAccessKey: wrong }, maxAttempts: 1 });
    await expectError(gw.send(list), {
      name: "InvalidSignatureException",
      status: 403,
      message: /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\./,
    });
    // Nothing is created with a bad signature.
    const name = `sig-wrong-${uid()}`;
    await expectError(gw.send(new CreateRestApiCommand({ name })), { name: "InvalidSignatureException", status: 403 });
    const all = await client().send(new GetRestApisCommand({ limit: 500 }));
    assert.deepEqual(all.items.filter((a) => a.name === name), []);
  });

  it("an unknown access key is an UnrecognizedClientException", async () => {
    const { secretAccessKey } = await credentials();
    const gw = client({ credentials: { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey }, maxAttempts: 1 });
    await expectError(gw.send(list), {
      name: "UnrecognizedClientException",
      status: 403,
      message: "The security token included in the request is invalid.",
    });
  });

  it("a request signed 20 minutes ago has an expired signature", async () => {
    // systemClockOffset shifts the time the SDK signs with. maxAttempts 1
    // keeps the SDK from correcting its clock from the Date header and
    // retrying (checked below).
    const gw = client({ systemClockOffset: -20 * 60 * 1000, maxAttempts: 1 });
    const err = await expectError(gw.send(list), {
      name: "InvalidSignatureException",
      status: 403,
      message: /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    });
    const [signed, limit, now] = stamps(err.message);
    assert.equal(now - limit, 15 * 60 * 1000);
    assert.ok(Math.abs(now - signed - 20 * 60 * 1000) < 60_000, err.message);
    assert.ok(Math.abs(now - Date.now()) < 60_000, `the gateway's clock is in the message: ${err.message}`);
  });

  it("a request signed 20 minutes ahead is not yet current", async () => {
    const gw = client({ systemClockOffset: 20 * 60 * 1000, maxAttempts: 1 });
    const err = await expectError(gw.send(list), {
      name: "InvalidSignatureException",
      status: 403,
      message: /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/,
    });
    const [signed, limit, now] = stamps(err.message);
    assert.equal(limit - now, 15 * 60 * 1000);
    assert.ok(Math.abs(signed - now - 20 * 60 * 1000) < 60_000, err.message);
  });

  it("the SDK corrects a skewed clock from the gateway's Date header and retries", async () => {
    const gw = client({ systemClockOffset: -20 * 60 * 1000 });
    const out = await gw.send(list);
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.ok(out.$metadata.attempts >= 2, "the first attempt failed");
    assert.ok(Math.abs(gw.config.systemClockOffset) < 60_000, `offset corrected, now ${gw.config.systemClockOffset} ms`);
  });

  it("a signature for another region is refused", async () => {
    const gw = client({ region: "eu-west-1", maxAttempts: 1 });
    await expectError(gw.send(list), {
      name: "InvalidSignatureException",
      status: 403,
      message: /^Credential should be scoped to a valid region, not 'eu-west-1'\. ?$/,
    });
  });

  // The SDK's presigner signs UNSIGNED-PAYLOAD for a body it cannot hash
  // (a stream), as S3's presigner always does. Outside S3, AWS signs the
  // body's hash, so such a URL must not let its holder send any body.
  it("a presigned URL signed over UNSIGNED-PAYLOAD cannot carry a body", async () => {
    const url = new URL(endpoint);
    const signer = new SignatureV4({ credentials: await credentials(), region, service: "apigateway", sha256: Sha256 });
    const name = `presign-${uid()}`;
    const body = JSON.stringify({ name });
    const request = (b) => ({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: "/restapis",
      query: {},
      headers: { host: url.host },
      body: b,
    });
    const send = async (presigned, b) => {
      const res = await fetch(`${url.origin}/restapis?${new URLSearchParams(presigned.query)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: b,
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
    };

    const unsigned = await signer.presign(request(Readable.from([])), { expiresIn: 3600 });
    expectRawError(await send(unsigned, body), {
      status: 403,
      type: "InvalidSignatureException",
      message: /^The request signature we calculated does not match the signature you provided\./,
    });
    const all = await client().send(new GetRestApisCommand({ limit: 500 }));
    assert.deepEqual(all.items.filter((a) => a.name === name), []);

    // Presigned over the body itself, the URL works for that body only.
    const signed = await signer.presign(request(body), { expiresIn: 3600 });
    expectRawError(await send(signed, JSON.stringify({ name: `${name}-other` })), {
      status: 403,
      type: "InvalidSignatureException",
    });
    const ok = await send(signed, body);
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.name, name);
  });

  it("an unsigned request is refused", async () => {
    const res = await fetch(`${process.env.TOLLGATE_ENDPOINT}/restapis`);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
    assert.deepEqual(await res.json(), { message: "Missing Authentication Token" });
    // The same path signed is fine.
    const ok = await signedFetch("GET", "/restapis");
    assert.equal(ok.status, 200);
  });
});
