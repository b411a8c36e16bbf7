// Test function: answers who called.
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'Access-Control-Allow-Origin': 'http://localhost:8080' },
  body: JSON.stringify({ hello: 'world', principal: event.requestContext.authorizer && event.requestContext.authorizer.principalId }),
});
