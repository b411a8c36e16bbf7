// Runs a generated client SDK against a running gateway and prints what
// each call answered as one JSON object (e2e/sdk_test.go checks it).
//
//   node sdk-run.mjs js DIR          AWS's JavaScript layout (apiGateway-js-sdk/), loaded
//                                    as browser scripts in one vm context with XMLHttpRequest
//   node sdk-run.mjs ts FILE.js      the typescript SDK's ES module (tsc's output or dist/)
//
// Environment: SDK_INVOKE_URL, SDK_API_KEY, SDK_ACCESS_KEY, SDK_SECRET_KEY.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

const [mode, target] = process.argv.slice(2);
const env = process.env;

// XMLHttpRequest over fetch, enough for the SDK's axios: async requests,
// readyState 4, status, statusText, responseText, getAllResponseHeaders.
class XMLHttpRequest {
  constructor() {
    this.readyState = 0;
    this.status = 0;
    this.headers = {};
  }
  open(method, url) {
    this.method = method;
    this.url = url;
    this.readyState = 1;
  }
  setRequestHeader(k, v) {
    this.headers[k] = v;
  }
  getAllResponseHeaders() {
    return this.responseHeaders ?? "";
  }
  send(body) {
    fetch(this.url, { method: this.method, headers: this.headers, body: body ?? undefined })
      .then(async (res) => {
        this.status = res.status;
        this.statusText = res.statusText;
        this.responseText = await res.text();
        this.responseHeaders = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\r\n");
        this.readyState = 4;
        this.onreadystatechange?.();
      })
      .catch((e) => {
        this.readyState = 4;
        this.onerror?.(e);
      });
  }
}

const scripts = [
  "lib/axios/dist/axios.standalone.js",
  "lib/CryptoJS/rollups/hmac-sha256.js",
  "lib/CryptoJS/rollups/sha256.js",
  "lib/CryptoJS/components/hmac.js",
  "lib/CryptoJS/components/enc-base64.js",
  "lib/url-template/url-template.js",
  "lib/apiGatewayCore/sigV4Client.js",
  "lib/apiGatewayCore/apiGatewayClient.js",
  "lib/apiGatewayCore/simpleHttpClient.js",
  "lib/apiGatewayCore/utils.js",
  "apigClient.js",
];

// outcome reduces a call's answer (or rejection) to {status, data}.
async function outcome(p) {
  try {
    const r = await p;
    return { status: r.status, data: r.data };
  } catch (e) {
    if (e && typeof e.status === "number") return { status: e.status, data: e.data };
    return { error: String(e) };
  }
}

const out = {};
if (mode === "js") {
  const ctx = vm.createContext({ XMLHttpRequest, console });
  for (const s of scripts) {
    vm.runInContext(readFileSync(join(target, s), "utf8"), ctx, { filename: s });
  }
  const f = ctx.apigClientFactory;
  const open = f.newClient({ invokeUrl: env.SDK_INVOKE_URL });
  const keyed = f.newClient({ invokeUrl: env.SDK_INVOKE_URL, apiKey: env.SDK_API_KEY });
  const iam = f.newClient({ invokeUrl: env.SDK_INVOKE_URL, accessKey: env.SDK_ACCESS_KEY, secretKey: env.SDK_SECRET_KEY, region: "us-east-1" });
  out.get = await outcome(open.petsPetIdGet({ petId: "a b", "x-trace": "t1", verbose: "yes" }, undefined, {}));
  try {
    open.petsPetIdGet({ petId: "1" });
    out.missing = { error: "no error" };
  } catch (e) {
    out.missing = { error: String(e) };
  }
  out.post = await outcome(keyed.petsPost({}, { id: "p1", kind: "cat" }, {}));
  out.postNoKey = await outcome(open.petsPost({}, { id: "p1" }, {}));
  out.secure = await outcome(iam.secureGet({ q: "x y" }, undefined, {}));
  out.secureUnsigned = await outcome(open.secureGet({ q: "1" }, undefined, {}));
  out.greedy = await outcome(open.filesProxyGet({ proxy: "a/b c.txt" }, undefined, {}));
} else if (mode === "ts") {
  const m = await import(pathToFileURL(target).href);
  const open = m.createClient({ invokeUrl: env.SDK_INVOKE_URL });
  const keyed = m.createClient({ invokeUrl: env.SDK_INVOKE_URL, apiKey: env.SDK_API_KEY });
  const iam = m.createClient({
    invokeUrl: env.SDK_INVOKE_URL,
    credentials: async () => ({ accessKeyId: env.SDK_ACCESS_KEY, secretAccessKey: env.SDK_SECRET_KEY }),
  });
  out.get = await outcome(open.petsPetIdGet({ petId: "a b", "x-trace": "t1", verbose: "yes" }));
  out.post = await outcome(keyed.petsPost({}, { id: "p1", kind: "cat" }));
  out.postNoKey = await outcome(open.petsPost({}, { id: "p1" }));
  out.secure = await outcome(iam.secureGet({ q: "x y" }));
  out.secureUnsigned = await outcome(open.secureGet({ q: "1" }));
  out.greedy = await outcome(open.filesProxyGet({ proxy: "a/b c.txt" }));
  try {
    await open.secureGet({ q: "1" });
  } catch (e) {
    out.errorClass = { error: `${e.name} ${e.status} ${e instanceof m.ApiError}` };
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
console.log(JSON.stringify(out));
