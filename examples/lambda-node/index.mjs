// The Node.js example's function: an unmodified Lambda handler (ES module,
// async) behind an AWS_PROXY integration, run by Tollgate on the machine's
// own node. Edit it while `tollgate serve` runs: the next request runs the
// new code.
export const handler = async (event, context) => {
  const name = event.queryStringParameters?.name ?? "world";
  console.log(`greeting ${name} on ${event.httpMethod} ${event.path}`);
  return {
    statusCode: 200,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      message: `Hello, ${name}!`,
      path: event.path,
      runtime: process.env.AWS_EXECUTION_ENV,
      requestId: context.awsRequestId,
    }),
  };
};
