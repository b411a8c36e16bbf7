// The benchmark's Node.js function (target tollgate-lambda-node): an
// unmodified handler for API Gateway proxy events answering the backend's
// fixed 100-byte body (bench/backend's Body; the readiness check compares
// them), run by Tollgate's Node.js runtime client.
const body = "tollgate bench backend: fixed 100-byte response body.............................................ok\n";

export const handler = async () => ({ statusCode: 200, body });
