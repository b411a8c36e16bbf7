// Node.js test functions for the Lambda e2e tests (lambda_runtimes_test.go),
// run by Tollgate's Node.js runtime client on the machine's node. The
// handler names the export: index.proxy, index.echo, index.fail…
const { greeting } = require("./lib/greeting");

// proxy answers an AWS_PROXY integration (payload 1.0) with what it saw.
exports.proxy = async (event, context) => ({
  statusCode: 200,
  headers: { "Content-Type": "application/json", "X-Runtime": process.env.AWS_EXECUTION_ENV },
  body: JSON.stringify({
    lang: "node",
    message: greeting(event.queryStringParameters?.name),
    method: event.httpMethod,
    path: event.path,
    resource: event.resource,
    requestId: context.awsRequestId,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    principalId: event.requestContext?.authorizer?.principalId ?? null,
    marker: process.env.MARKER ?? null,
  }),
});

// echo returns the event with the context's version data; MARKER tells
// code revisions apart.
exports.echo = async (event, context) => {
  console.log("echo", JSON.stringify(event));
  return {
    event,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    marker: process.env.MARKER ?? null,
  };
};

exports.fail = async () => {
  throw new TypeError("bad input");
};

exports.sleep = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms));
  return "slept";
};

// callback is an old-style handler.
exports.callback = (event, context, callback) => {
  setTimeout(() => callback(null, { via: "callback", remaining: context.getRemainingTimeInMillis() > 0 }), 10);
};

// http answers an HTTP API route (payload format 2.0) with what it saw, in
// the full response format: status, headers, cookies, body.
exports.http = async (event, context) => ({
  statusCode: 200,
  headers: { "Content-Type": "application/json", "X-Runtime": process.env.AWS_EXECUTION_ENV },
  cookies: ["lang=node; Path=/"],
  body: JSON.stringify({
    lang: "node",
    version: event.version,
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    method: event.requestContext.http.method,
    name: event.pathParameters?.name ?? null,
    query: event.queryStringParameters ?? null,
    functionVersion: context.functionVersion,
  }),
});
