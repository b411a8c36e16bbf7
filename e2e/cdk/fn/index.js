// The CDK app's function: answers REST API (payload 1.0) and HTTP API
// (payload 2.0) events.
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ message: 'hello from cdk', api: event.version === '2.0' ? 'HTTP API' : 'REST API', path: event.rawPath || event.path }),
});
