// The WebSocket API data plane from Node: an API set up with the AWS SDK
// for JavaScript v3's apigatewayv2 client, clients made with the `ws`
// package, connections managed with @aws-sdk/client-apigatewaymanagementapi.
// Run by e2e/wsapi_node_test.go (TestWebSocketJavaScript), which starts a
// gateway with a plain-HTTP data plane (TOLLGATE_DATA_PLANE), the
// aws-lambda-go function "wschat" (testdata/functions/wschat) calling back
// through @connections, and an IAM user allowed to manage connections
// (WS_OPS_KEY, WS_OPS_SECRET). Not a *.test.mjs file: the management
// suites run against a gateway without these.

import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";

import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
} from "@aws-sdk/client-apigatewayv2";
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import WebSocket from "ws";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const endpoint = process.env.TOLLGATE_ENDPOINT;
const dataPlane = process.env.TOLLGATE_DATA_PLANE;
const ops = { accessKeyId: process.env.WS_OPS_KEY, secretAccessKey: process.env.WS_OPS_SECRET };
if (!endpoint || !dataPlane || !ops.accessKeyId) {
  throw new Error("run through `go test ./e2e -run TestWebSocketJavaScript`");
}
const v2 = new ApiGatewayV2Client({ endpoint, region: "us-east-1" });
const fnURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:wschat/invocations";

let apiId, wsURL, manager;

// connect opens a connection and resolves once it is open (or rejects
// with the refused handshake's status).
function connect(url = wsURL, protocols) {
  const ws = new WebSocket(url, protocols);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (req, res) => {
      req.destroy(); // with this listener, ws leaves the request open
      reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode }));
    });
    ws.once("error", reject);
  });
}

// next resolves with the next message, as text.
async function next(ws) {
  const [data, isBinary] = await once(ws, "message");
  assert.equal(isBinary, false);
  return data.toString();
}

// closed resolves with the close code and reason.
async function closed(ws) {
  const [code, reason] = await once(ws, "close");
  return { code, reason: reason.toString() };
}

describe("WebSocket API data plane from Node", () => {
  before(async () => {
    const api = await v2.send(new CreateApiCommand({ Name: "node-chat", ProtocolType: "WEBSOCKET", RouteSelectionExpression: "$request.body.action" }));
    apiId = api.ApiId;
    const integ = await v2.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnURI }));
    for (const RouteKey of ["$connect", "$disconnect", "$default", "echo"]) {
      await v2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey, Target: `integrations/${integ.IntegrationId}` }));
    }
    await v2.send(new CreateStageCommand({ ApiId: apiId, StageName: "prod" }));
    await v2.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: "prod" }));
    wsURL = `${dataPlane.replace(/^http/, "ws")}/_aws/execute-api/${apiId}/prod`;
    manager = new ApiGatewayManagementApiClient({ endpoint: `${dataPlane}/_aws/execute-api/${apiId}/prod`, region: "us-east-1", credentials: ops });
    // Deployments go live asynchronously, within milliseconds.
    for (let i = 0; ; i++) {
      try {
        (await connect()).close();
        break;
      } catch (e) {
        if (i > 200) throw e;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  });

  // The clients' keep-alive sockets would hold the process open.
  after(() => {
    v2.destroy();
    manager.destroy();
  });

  it("routes messages to the function, which calls back through @connections", async () => {
    const ws = await connect(`${wsURL}?room=blue`);
    ws.send(JSON.stringify({ action: "echo", text: "hi" }));
    const { event } = JSON.parse(await next(ws));
    assert.equal(event.requestContext.eventType, "MESSAGE");
    assert.equal(event.requestContext.routeKey, "echo");
    assert.equal(event.requestContext.apiId, apiId);
    assert.equal(event.requestContext.stage, "prod");
    assert.match(event.requestContext.connectionId, /^[A-Za-z0-9_-]{15}=$/);
    assert.equal(event.body, '{"action":"echo","text":"hi"}');
    ws.send("not json");
    assert.deepEqual(JSON.parse(await next(ws)), { default: "not json" });
    ws.close(1000);
    assert.equal((await closed(ws)).code, 1000);
  });

  it("PostToConnection, GetConnection and DeleteConnection with @aws-sdk/client-apigatewaymanagementapi", async () => {
    const ws = await connect();
    ws.send(JSON.stringify({ action: "echo" }));
    const id = JSON.parse(await next(ws)).event.requestContext.connectionId;
    const got = next(ws);
    await manager.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode("from the SDK") }));
    assert.equal(await got, "from the SDK");
    const info = await manager.send(new GetConnectionCommand({ ConnectionId: id }));
    assert.ok(info.ConnectedAt instanceof Date && info.LastActiveAt instanceof Date);
    assert.equal(info.Identity.SourceIp, "127.0.0.1");
    const done = closed(ws);
    await manager.send(new DeleteConnectionCommand({ ConnectionId: id }));
    assert.equal((await done).code, 1000);
    await assert.rejects(manager.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode("late") })),
      (e) => e.name === "GoneException" && e.$metadata.httpStatusCode === 410);
    await assert.rejects(manager.send(new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array(128 * 1024 + 1) })),
      (e) => e.name === "PayloadTooLargeException" && e.$metadata.httpStatusCode === 413);
  });

  it("refuses the handshake with the $connect function's status and negotiates subprotocols", async () => {
    await assert.rejects(connect(`${wsURL}?refuse=401`), (e) => e.status === 401);
    const ws = await connect(wsURL, ["chat.v2", "chat.v1"]);
    assert.equal(ws.protocol, "chat.v2");
    ws.close();
  });

  it("closes with 1003 on a binary frame and 1009 on a frame over 32 KB", async () => {
    let ws = await connect();
    ws.send(Buffer.from([1, 2, 3]));
    assert.equal((await closed(ws)).code, 1003);
    ws = await connect();
    ws.send("a".repeat(32 * 1024 + 1));
    assert.equal((await closed(ws)).code, 1009);
    // A 100 KB message in 32 KB fragments is accepted.
    ws = await connect();
    const chunk = "b".repeat(25 * 1024);
    for (let i = 0; i < 4; i++) ws.send(chunk, { fin: i === 3 });
    const reply = JSON.parse(await next(ws));
    assert.equal(reply.default.length, 100 * 1024);
    ws.close();
  });
});
