// Tollgate's runtime interface client for Lambda's Node.js managed runtimes
// (nodejs18.x to nodejs24.x), run by the machine's own node with
// LAMBDA_RUNTIME_DIR/index.mjs as Lambda runs /var/runtime/index.mjs. It
// behaves as the official client (aws-lambda-nodejs-runtime-interface-client
// 3.x; 4.x rules for nodejs24.x) does: console patched first, the handler
// resolved and loaded the same way with the same Runtime.* errors, then the
// loop GET /next -> handler -> POST /response or /error, with async and
// callback handlers, response streaming (awslambda.streamifyResponse,
// awslambda.HttpResponseStream), the context object, the error documents
// and the log lines Lambda's functions see. Standard library only.

import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import util from "node:util";

const require = createRequire(import.meta.url);

// Which Node.js runtime is emulated follows the function's runtime name,
// not the local interpreter: nodejs24.x has no callback handlers.
const runtimeName = (process.env.AWS_EXECUTION_ENV || "").replace(/^AWS_Lambda_/, "");
const runtimeMajor = parseInt((/^nodejs(\d+)/.exec(runtimeName) || [])[1] || "0", 10);
const callbacksRemoved = runtimeMajor >= 24;

// ---------------------------------------------------------------- errors

class ImportModuleError extends Error {}
class HandlerNotFound extends Error {}
class MalformedHandlerName extends Error {}
class UserCodeSyntaxError extends Error {}
class MalformedStreamingHandler extends Error {}
class InvalidStreamingOperation extends Error {}
class CallbackHandlerDeprecated extends Error {}
class NodeJsExit extends Error {
  constructor() {
    super(
      "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes",
    );
  }
}
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
for (const e of [ImportModuleError, HandlerNotFound, MalformedHandlerName, UserCodeSyntaxError,
  MalformedStreamingHandler, InvalidStreamingOperation, CallbackHandlerDeprecated, NodeJsExit, UnhandledPromiseRejection]) {
  e.prototype.name = `Runtime.${e.name}`;
}

function isErrorLike(x) {
  return x && typeof x.name === "string" && typeof x.message === "string" && typeof x.stack === "string" &&
    x.name && x.message && x.stack;
}

function intoError(err) {
  return err instanceof Error ? err : new Error(err);
}

// The error document posted to the Runtime API: {errorType, errorMessage,
// trace} for errors, {errorType: typeof x, errorMessage: String(x), trace:
// []} for anything else thrown.
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return {
        errorType: error.name?.replaceAll("\x7F", "%7F"),
        errorMessage: error.message?.replaceAll("\x7F", "%7F"),
        trace: error.stack.replaceAll("\x7F", "%7F").split("\n"),
      };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage:
        "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
    };
  }
}

// The error as the text log line shows it: a tab, then JSON with errorType,
// errorMessage, code, the error's own enumerable members and stack lines.
function toFormatted(error) {
  const withProps = (v) => {
    if (!(v instanceof Error)) return v;
    const out = Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v);
    if (typeof v.stack === "string") out.stack = v.stack.split("\n");
    return out;
  };
  try {
    return "\t" + JSON.stringify(error, (_k, v) => withProps(v));
  } catch {
    return "\t" + JSON.stringify(toRapidResponse(error));
  }
}

// --------------------------------------------------------------- logging

const REQUEST_ID = Symbol.for("aws.lambda.runtime.requestId");
const TENANT_ID = Symbol.for("aws.lambda.runtime.tenantId");
const levels = Object.freeze({
  TRACE: { name: "TRACE", priority: 1 },
  DEBUG: { name: "DEBUG", priority: 2 },
  INFO: { name: "INFO", priority: 3 },
  WARN: { name: "WARN", priority: 4 },
  ERROR: { name: "ERROR", priority: 5 },
  FATAL: { name: "FATAL", priority: 6 },
});
const jsonFormat = (process.env.AWS_LAMBDA_LOG_FORMAT || "").toUpperCase() === "JSON";
const structuredConsole = {};

function jsonErrorReplacer(_k, value) {
  if (value instanceof Error) {
    return Object.assign({
      errorType: value?.constructor?.name ?? "UnknownError",
      errorMessage: value.message,
      stackTrace: typeof value.stack === "string" ? value.stack.split("\n") : value.stack,
    }, value);
  }
  return value;
}

function formatJSON(level, params) {
  const out = { timestamp: new Date().toISOString(), level: level.name, requestId: globalThis[REQUEST_ID] };
  const tenantId = globalThis[TENANT_ID];
  if (tenantId !== undefined && tenantId !== null) out.tenantId = tenantId;
  if (params.length === 1) {
    out.message = params[0];
    try {
      return JSON.stringify(out, jsonErrorReplacer);
    } catch {
      out.message = util.format(out.message);
      return JSON.stringify(out);
    }
  }
  out.message = util.format(...params);
  for (const p of params) {
    if (p instanceof Error) {
      out.errorType = p?.constructor?.name ?? "UnknownError";
      out.errorMessage = p.message;
      out.stackTrace = typeof p.stack === "string" ? p.stack.split("\n") : [];
      break;
    }
  }
  return JSON.stringify(out);
}

// One line per call, "<ISO time>\t<request id>\t<LEVEL>\t<message>", with
// the message's newlines turned into \r so that it stays one record.
function writeLog(level, params) {
  const line = jsonFormat
    ? formatJSON(level, params)
    : `${new Date().toISOString()}\t${globalThis[REQUEST_ID]}\t${level.name}\t${util.format(...params)}`;
  process.stdout.write(line.replace(/\n/g, "\r") + "\n");
}

function patchConsole() {
  const min = levels[(process.env.AWS_LAMBDA_LOG_LEVEL || "").toUpperCase()] ?? levels.TRACE;
  const nop = () => {};
  const logger = (level) => (level.priority >= min.priority ? (...params) => writeLog(level, params) : nop);
  console.trace = logger(levels.TRACE);
  console.debug = logger(levels.DEBUG);
  console.info = logger(levels.INFO);
  console.log = console.info;
  console.warn = logger(levels.WARN);
  console.error = logger(levels.ERROR);
  console.fatal = (...params) => writeLog(levels.FATAL, params);
  structuredConsole.logError = jsonFormat
    ? (_msg, err) => console.error(intoError(err))
    : (msg, err) => console.error(msg, toFormatted(intoError(err)));
}

// ------------------------------------------------------------ runtime API

class RuntimeAPI {
  constructor(hostPort) {
    const i = hostPort.lastIndexOf(":");
    this.hostname = hostPort.slice(0, i);
    this.port = parseInt(hostPort.slice(i + 1), 10);
    // One kept-alive connection waits in /next, another posts: a post
    // never queues behind a pending /next.
    this.nextAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.postAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  request(method, urlPath, body, headers, agent) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { hostname: this.hostname, port: this.port, path: urlPath, method, headers, agent },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  async nextInvocation() {
    const res = await this.request("GET", "/2018-06-01/runtime/invocation/next", undefined, {}, this.nextAgent);
    if (res.status !== 200) {
      throw new Error(`Failed to get the next invocation: ${res.status} ${res.body}`);
    }
    return { bodyJson: res.body.toString("utf8"), headers: res.headers };
  }

  post(urlPath, bodyString, headers) {
    const h = Object.assign({ "Content-Type": "application/json", "Content-Length": Buffer.byteLength(bodyString) }, headers);
    return this.request("POST", urlPath, bodyString, h, this.postAgent);
  }

  // postInvocationResponse serialises the result first: a value JSON
  // cannot represent throws "Unable to stringify response body".
  postInvocationResponse(result, id, callback) {
    const body = serialize(result);
    this.post(`/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/response`, body).then(callback, fatal);
  }

  postInvocationError(error, id, callback) {
    const body = serialize(toRapidResponse(error));
    this.post(`/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/error`, body).then(callback, fatal);
  }

  // streamResponse opens the invocation's response in the streaming mode
  // and returns the stream the handler writes to, and a promise of the
  // Runtime API's answer (which comes once the stream has ended).
  streamResponse(id) {
    let resolveDone, rejectDone;
    const done = new Promise((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    done.catch(() => {});
    const req = http.request({
      hostname: this.hostname, port: this.port, method: "POST", agent: this.postAgent,
      path: `/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/response`,
      headers: {
        [HEADER_RESPONSE_MODE]: "streaming",
        "Transfer-Encoding": "chunked",
        Trailer: `${TRAILER_ERROR_TYPE}, ${TRAILER_ERROR_BODY}`,
        "Content-Type": "application/octet-stream",
      },
    }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolveDone(res.statusCode));
      res.on("error", rejectDone);
    });
    req.on("error", (err) => {
      rejectDone(err);
      req.destroy(err);
    });
    return { stream: responseStream(req), done };
  }

  postInitError(error, callback) {
    const doc = toRapidResponse(error);
    this.post("/2018-06-01/runtime/init/error", serialize(doc), { "Lambda-Runtime-Function-Error-Type": doc.errorType })
      .then(callback, fatal);
  }
}

function serialize(value) {
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch {
    throw new Error("Unable to stringify response body");
  }
}

// fatal ends the process when the Runtime API cannot be reached: Lambda
// would replace the environment.
function fatal(err) {
  process.stderr.write(`Runtime API error: ${err}\n`);
  process.exit(1);
}

// ------------------------------------------------------ response streams

const HEADER_RESPONSE_MODE = "Lambda-Runtime-Function-Response-Mode";
const TRAILER_ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
const TRAILER_ERROR_BODY = "Lambda-Runtime-Function-Error-Body";
const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const failStream = Symbol("failStream");

// responseStream turns the streaming POST into the handler's writable
// response stream: values that are not bytes or strings are written as
// JSON, the content type may change until the first write, and a
// _onBeforeFirstWrite hook (HttpResponseStream's prelude) runs before it.
function responseStream(req) {
  let started = false;
  const write = req.write.bind(req);
  req.setContentType = (contentType) => {
    if (started) throw new InvalidStreamingOperation("Cannot set content-type, too late.");
    req.setHeader("Content-Type", contentType);
  };
  req.write = function (chunk, encoding, callback) {
    if (typeof chunk !== "string" && !Buffer.isBuffer(chunk) && chunk?.constructor !== Uint8Array) {
      chunk = JSON.stringify(chunk);
    }
    if (!started && typeof this._onBeforeFirstWrite === "function") {
      this._onBeforeFirstWrite((c) => write(c));
    }
    started = true;
    return write(chunk, encoding, callback);
  };
  const end = req.end.bind(req);
  req.end = function (chunk, encoding, callback) {
    if (typeof chunk === "function") return end(chunk);
    if (chunk !== undefined && chunk !== null) {
      this.write(chunk, encoding);
      return end(callback);
    }
    if (!started && typeof this._onBeforeFirstWrite === "function") {
      this._onBeforeFirstWrite((c) => write(c));
      started = true;
    }
    return end(encoding, callback);
  };
  // failStream ends the response with the error in the trailers.
  req[failStream] = (err) => {
    if (req.writableEnded) return; // too late to report it
    const doc = toRapidResponse(err);
    req.addTrailers({
      [TRAILER_ERROR_TYPE]: doc.errorType,
      [TRAILER_ERROR_BODY]: Buffer.from(JSON.stringify(doc)).toString("base64"),
    });
    end();
  };
  return req;
}

// HttpResponseStream frames a response for API Gateway and function URLs
// (application/vnd.awslambda.http-integration-response): the JSON prelude
// (statusCode, headers, cookies…) and 8 NUL bytes before the body.
class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(8));
    };
    return underlyingStream;
  }
}

// ------------------------------------------------------- handler loading

const HANDLER_STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HANDLER_HIGHWATERMARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const STREAM_RESPONSE = "response";

function exists(p) {
  return fs.existsSync(p);
}

// typeModule reports whether the nearest package.json above dir (stopping
// at node_modules or /) declares "type": "module".
function typeModule(dir) {
  if (dir.endsWith("/node_modules")) return false;
  const pj = path.join(dir, "package.json");
  if (exists(pj)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(pj));
      if (pkg) return pkg.type === "module";
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
      return false;
    }
  }
  if (dir === "/") return false;
  return typeModule(path.resolve(dir, ".."));
}

async function importFile(file) {
  return exists(file) ? await import(pathToFileURL(file).href) : undefined;
}

function requireFile(file) {
  return exists(file) ? require(file) : undefined;
}

// loadModule tries <root>/<moduleRoot>/<module> as the official client does:
// extensionless (require), .js (require, or import under "type": "module"),
// .mjs (import), .cjs (require), then a package by name.
async function loadModule(appRoot, moduleRoot, module) {
  const file = path.resolve(appRoot, moduleRoot, module);
  const extensionless = requireFile(file);
  if (extensionless) return extensionless;
  const esm = exists(file + ".js") && typeModule(path.dirname(path.resolve(file + ".js")));
  if (!esm) {
    const loaded = requireFile(file + ".js");
    if (loaded) return loaded;
  }
  const loaded = (esm && (await importFile(file + ".js"))) || (await importFile(file + ".mjs")) || requireFile(file + ".cjs");
  if (loaded) return loaded;
  return require(require.resolve(module, { paths: [appRoot, moduleRoot] }));
}

async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes("..")) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const base = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(base));
  const m = base.match(/^([^.]*)\.(.*)$/);
  if (!m || m.length !== 3) throw new MalformedHandlerName("Bad handler");
  const [, module, handlerPath] = m;

  if (!["1", "true"].includes(process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA)) {
    globalThis.awslambda = {
      streamifyResponse: (handler, options) => {
        handler[HANDLER_STREAMING] = STREAM_RESPONSE;
        if (typeof options?.highWaterMark === "number") {
          handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark);
        }
        return handler;
      },
      HttpResponseStream,
    };
  }
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, module);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e && e.code === "MODULE_NOT_FOUND") throw new ImportModuleError(e);
    throw e;
  }
  const fn = handlerPath.split(".").reduce((o, k) => o && o[k], app);
  if (!fn) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof fn !== "function") throw new HandlerNotFound(`${fullHandler} is not a function`);
  return fn;
}

function handlerMetadata(fn) {
  const s = fn[HANDLER_STREAMING];
  if (s !== undefined && s !== null && s !== false && s !== STREAM_RESPONSE) {
    throw new MalformedStreamingHandler("Only response streaming is supported.");
  }
  let isAsync = false;
  try {
    isAsync = fn.constructor && fn.constructor.name === "AsyncFunction";
  } catch {
    isAsync = false;
  }
  return { streaming: s === STREAM_RESPONSE, isAsync, argsNum: fn.length };
}

// ---------------------------------------------------------------- context

// The single beforeExit action, replaced per invocation.
let beforeExit = () => {};

function buildContext(headers, deadlineMs) {
  const parse = (v, name) => {
    if (v === undefined) return undefined;
    try {
      return JSON.parse(v);
    } catch (err) {
      throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
    }
  };
  const deadline = Number(deadlineMs);
  return {
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parse(headers["lambda-runtime-client-context"], "ClientContext"),
    identity: parse(headers["lambda-runtime-cognito-identity"], "CognitoIdentity"),
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    tenantId: headers["lambda-runtime-aws-tenant-id"],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

// callbackContext builds the callback and the context's completion members
// (callbackWaitsForEmptyEventLoop, succeed, fail, done); only the first
// completion counts.
function callbackContext(client, id, scheduleNext) {
  const postError = (err, cb) => {
    structuredConsole.logError("Invoke Error", err);
    client.postInvocationError(err, id, cb);
  };
  let completed = false;
  const complete = (result, cb) => {
    if (completed) {
      console.error("Invocation has already been reported as done. Cannot call complete more than once per invocation.");
      return;
    }
    completed = true;
    client.postInvocationResponse(result, id, cb);
  };
  let waitForEmptyEventLoop = true;
  const callback = (err, result) => {
    beforeExit = () => {};
    if (err !== undefined && err !== null) {
      postError(err, scheduleNext);
    } else if (!waitForEmptyEventLoop) {
      complete(result, scheduleNext);
    } else {
      beforeExit = () => setImmediate(() => complete(result, scheduleNext));
    }
  };
  const done = (err, result) => {
    beforeExit = () => {};
    if (err !== undefined && err !== null) {
      postError(err, scheduleNext);
    } else {
      complete(result, scheduleNext);
    }
  };
  const ctx = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(v) {
      waitForEmptyEventLoop = v;
    },
    succeed: (result) => done(null, result),
    fail: (err) => (err === undefined || err === null ? done("handled") : done(err, null)),
    done,
  };
  let finished = false;
  const once = (f) => (...args) => {
    if (!finished) {
      f(...args);
      finished = true;
    }
  };
  ctx.succeed = once(ctx.succeed);
  ctx.fail = once(ctx.fail);
  ctx.done = once(ctx.done);
  return [once(callback), ctx, () => (completed = true)];
}

// ----------------------------------------------------------------- loop

class Runtime {
  constructor(client, handler, metadata, errorCallbacks) {
    this.client = client;
    this.handler = handler;
    this.metadata = metadata;
    this.errorCallbacks = errorCallbacks;
  }

  scheduleIteration() {
    setImmediate(() => {
      this.handleOnce().then(
        () => {},
        (err) => {
          console.log(`Unexpected Top Level Error: ${err.toString()}`);
          this.errorCallbacks.uncaughtException(err);
        },
      );
    });
  }

  async handleOnce() {
    const { bodyJson, headers } = await this.client.nextInvocation();
    const id = headers["lambda-runtime-aws-request-id"];
    if (!id) throw new Error("invocation id is missing or invalid");
    globalThis[REQUEST_ID] = id;
    globalThis[TENANT_ID] = headers["lambda-runtime-aws-tenant-id"];
    const scheduleNext = () => this.scheduleIteration();
    this.setErrorCallbacks(id);
    if (this.metadata.streaming) {
      return this.handleStreaming(id, bodyJson, headers);
    }
    if (callbacksRemoved) {
      return this.handleAwaited(id, bodyJson, headers, scheduleNext);
    }
    const [callback, cbContext, markCompleted] = callbackContext(this.client, id, scheduleNext);
    try {
      const isAsync = this.metadata.isAsync;
      beforeExit = () => {
        markCompleted();
        if (isAsync) {
          const err = new NodeJsExit();
          structuredConsole.logError("Invoke Error", err);
          this.client.postInvocationError(err, id, scheduleNext);
        } else {
          this.client.postInvocationResponse(null, id, scheduleNext);
        }
      };
      forwardXRay(headers);
      const context = Object.assign(cbContext, buildContext(headers, headers["lambda-runtime-deadline-ms"]));
      const result = this.handler(JSON.parse(bodyJson), context, callback);
      if (result && typeof result.then === "function") {
        result.then(cbContext.succeed, cbContext.fail).catch(cbContext.fail);
      }
    } catch (err) {
      callback(err);
    }
  }

  // handleAwaited runs a nodejs24.x handler: its (awaited) value is the
  // result; there is no callback, succeed/fail/done nor event-loop wait.
  async handleAwaited(id, bodyJson, headers, scheduleNext) {
    beforeExit = () => {
      const err = new NodeJsExit();
      structuredConsole.logError("Invoke Error", err);
      this.client.postInvocationError(err, id, scheduleNext);
    };
    let result;
    try {
      forwardXRay(headers);
      const context = buildContext(headers, headers["lambda-runtime-deadline-ms"]);
      result = await this.handler(JSON.parse(bodyJson), context);
    } catch (err) {
      beforeExit = () => {};
      structuredConsole.logError("Invoke Error", err);
      this.client.postInvocationError(err, id, scheduleNext);
      return;
    }
    beforeExit = () => {};
    try {
      this.client.postInvocationResponse(result, id, scheduleNext);
    } catch (err) {
      structuredConsole.logError("Invoke Error", err);
      this.client.postInvocationError(err, id, scheduleNext);
    }
  }

  // handleStreaming runs a streamifyResponse handler: it writes to the
  // response stream, which goes to the Runtime API as it writes; a
  // failure ends the stream with error trailers. The next invocation waits
  // for the event loop to empty unless callbackWaitsForEmptyEventLoop was
  // turned off, as in the official client.
  async handleStreaming(id, bodyJson, headers) {
    let waitForEmptyEventLoop = true;
    const next = () => {
      if (!waitForEmptyEventLoop) {
        beforeExit = () => {};
        this.scheduleIteration();
      } else {
        beforeExit = () => setImmediate(() => this.scheduleIteration());
      }
    };
    beforeExit = () => this.scheduleIteration();
    const { stream, done } = this.client.streamResponse(id);
    const fail = (err) => {
      structuredConsole.logError("Invoke Error", err);
      stream[failStream](err);
    };
    try {
      forwardXRay(headers);
      const context = buildContext(headers, headers["lambda-runtime-deadline-ms"]);
      Object.defineProperty(context, "callbackWaitsForEmptyEventLoop", {
        get: () => waitForEmptyEventLoop,
        set: (v) => (waitForEmptyEventLoop = v),
        enumerable: true,
      });
      const result = this.handler(JSON.parse(bodyJson), stream, context);
      if (!result || typeof result.then !== "function") {
        fail("Streaming does not support non-async handlers.");
      } else {
        const value = await result;
        if (value !== undefined) console.warn("Streaming handlers ignore return values.");
        if (!stream.writableEnded) fail("Response stream is not finished.");
      }
    } catch (err) {
      fail(err);
    }
    try {
      await done;
    } catch (err) {
      fatal(err);
    }
    next();
  }

  // During an invocation, an uncaught exception or rejection fails it and
  // ends the process (the next invocation starts a new one).
  setErrorCallbacks(id) {
    this.errorCallbacks.uncaughtException = (error) => {
      this.client.postInvocationError(error, id, () => process.exit(129));
    };
    this.errorCallbacks.unhandledRejection = (error) => {
      this.client.postInvocationError(error, id, () => process.exit(128));
    };
  }
}

function forwardXRay(headers) {
  const trace = headers["lambda-runtime-trace-id"];
  if (trace) {
    process.env._X_AMZN_TRACE_ID = trace;
  } else {
    delete process.env._X_AMZN_TRACE_ID;
  }
}

// ------------------------------------------------------------------ main

async function main() {
  patchConsole();
  const client = new RuntimeAPI(process.env.AWS_LAMBDA_RUNTIME_API);
  const errorCallbacks = {
    uncaughtException: (error) => client.postInitError(error, () => process.exit(129)),
    unhandledRejection: (error) => client.postInitError(error, () => process.exit(128)),
  };
  process.on("uncaughtException", (error) => {
    structuredConsole.logError("Uncaught Exception", error);
    errorCallbacks.uncaughtException(error);
  });
  process.on("unhandledRejection", (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    structuredConsole.logError("Unhandled Promise Rejection", error);
    errorCallbacks.unhandledRejection(error);
  });
  process.on("beforeExit", () => beforeExit());

  // A handler that cannot be loaded is an uncaught exception of the
  // initialisation: logged, posted to /init/error, exit 129.
  let handler, metadata;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER || "");
    metadata = handlerMetadata(handler);
  } catch (error) {
    process.emit("uncaughtException", error);
    return;
  }
  const callbackStyle = metadata.argsNum === 3 && !metadata.isAsync && !metadata.streaming;
  if (callbackStyle && callbacksRemoved) {
    // nodejs24.x refuses callback handlers at initialisation [U: the rule
    // the 4.x client applies is taken to be the 3.x warning's].
    const error = new CallbackHandlerDeprecated(
      "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.",
    );
    process.emit("uncaughtException", error);
    return;
  }
  if (callbackStyle && process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined) {
    console.warn(
      "AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.",
    );
  }
  new Runtime(client, handler, metadata, errorCallbacks).scheduleIteration();
}

await main();
