export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ClientConfig {
  /** The stage's URL; default: the URL the SDK was generated for. */
  invokeUrl?: string;
  /** Sent as x-api-key. */
  apiKey?: string;
  /** The region requests are signed for. */
  region?: string;
  /** Signs every request with Signature Version 4 (service execute-api). */
  credentials?: Credentials | (() => Promise<Credentials>);
  fetch?: typeof fetch;
  /** Added to every request. */
  headers?: Record<string, string>;
}

export interface RequestExtras {
  headers?: Record<string, string>;
  queryParams?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

/** An answer other than 2xx. */
export class ApiError extends Error {
  status: number;
  headers: Record<string, string>;
  data: unknown;
  constructor(status: number, headers: Record<string, string>, data: unknown) {
    const m = data !== null && typeof data === "object" ? (data as { message?: unknown; Message?: unknown }) : {};
    super(String(m.message ?? m.Message ?? `HTTP ${status}`));
    this.name = "ApiError";
    this.status = status;
    this.headers = headers;
    this.data = data;
  }
}

function segment(v: string | undefined): string {
  return v === undefined ? "" : encodeURIComponent(v);
}

function greedy(v: string | undefined): string {
  return v === undefined ? "" : v.split("/").map(encodeURIComponent).join("/");
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

const utf8 = new TextEncoder();

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(data: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", utf8.encode(data)));
}

async function hmac(key: BufferSource, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, utf8.encode(data));
}

/** sign adds Signature Version 4 headers (host with its port, x-amz-date, content-type, x-amz-security-token). */
async function sign(method: string, url: URL, query: string, headers: Record<string, string>, body: string,
  creds: Credentials, region: string): Promise<void> {
  const now = new Date().toISOString().replace(/[:-]|\.\d{3}/g, "");
  const day = now.slice(0, 8);
  const canon: Record<string, string> = { host: url.host, "x-amz-date": now };
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === "content-type") canon["content-type"] = v.trim();
  }
  if (creds.sessionToken) canon["x-amz-security-token"] = creds.sessionToken;
  const names = Object.keys(canon).sort();
  const request = [method, encodeURI(url.pathname), query, names.map((n) => n + ":" + canon[n] + "\n").join(""),
    names.join(";"), await sha256(body)].join("\n");
  const scope = `${day}/${region}/execute-api/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", now, scope, await sha256(request)].join("\n");
  let key = await hmac(utf8.encode("AWS4" + creds.secretAccessKey), day);
  for (const part of [region, "execute-api", "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  headers["x-amz-date"] = now;
  if (creds.sessionToken) headers["x-amz-security-token"] = creds.sessionToken;
  headers["authorization"] = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
}

type Values = Record<string, string | undefined>;

function caller(config: ClientConfig) {
  const base = (config.invokeUrl ?? DEFAULT_INVOKE_URL).replace(/\/+$/, "");
  const region = config.region ?? DEFAULT_REGION;
  return async function call<T>(method: string, path: string, query: Values, hdrs: Values, body: unknown,
    extras?: RequestExtras): Promise<ApiResponse<T>> {
    const url = new URL(base + path);
    const q: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...query, ...(extras?.queryParams ?? {}) })) {
      if (v !== undefined) q[k] = v;
    }
    const qs = Object.keys(q).sort().map((k) => rfc3986(k) + "=" + rfc3986(q[k])).join("&");
    const headers: Record<string, string> = { accept: "application/json", ...(config.headers ?? {}) };
    for (const [k, v] of Object.entries({ ...hdrs, ...(extras?.headers ?? {}) })) {
      if (v !== undefined) headers[k] = v;
    }
    if (config.apiKey) headers["x-api-key"] = config.apiKey;
    let payload = "";
    if (body !== undefined && body !== null) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
    }
    if (config.credentials) {
      const creds = typeof config.credentials === "function" ? await config.credentials() : config.credentials;
      await sign(method, url, qs, headers, payload, creds, region);
    }
    const doFetch = config.fetch ?? globalThis.fetch;
    const res = await doFetch(url.origin + url.pathname + (qs ? "?" + qs : ""), {
      method, headers, body: payload === "" ? undefined : payload, signal: extras?.signal,
    });
    const text = await res.text();
    let data: unknown = text;
    try {
      data = text === "" ? undefined : JSON.parse(text);
    } catch {
      // not JSON: the text
    }
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      out[k] = v;
    });
    if (res.status < 200 || res.status > 299) throw new ApiError(res.status, out, data);
    return { status: res.status, headers: out, data: data as T };
  };
}
