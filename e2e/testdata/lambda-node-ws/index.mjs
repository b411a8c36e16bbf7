// A Node.js WebSocket API function as AWS's samples write one: it calls
// its connection back through @connections with
// @aws-sdk/client-apigatewaymanagementapi at https://{domainName}/{stage},
// with the credentials of its execution role. Deployed by
// e2e/wsapi_test.go (TestWebSocketNodeFunction) with the SDK from
// e2e/js/node_modules bundled, as a function must bundle its
// dependencies.
import {
  ApiGatewayManagementApiClient,
  GetConnectionCommand,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";

export const handler = async (event) => {
  const { eventType, connectionId, domainName, stage, routeKey } = event.requestContext;
  if (eventType !== "MESSAGE") {
    return { statusCode: 200 };
  }
  const client = new ApiGatewayManagementApiClient({ endpoint: `https://${domainName}/${stage}` });
  const info = await client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
  await client.send(new PostToConnectionCommand({
    ConnectionId: connectionId,
    Data: JSON.stringify({
      runtime: process.env.AWS_EXECUTION_ENV,
      routeKey,
      body: event.body,
      sourceIp: info.Identity.SourceIp,
    }),
  }));
  return { statusCode: 200 };
};
