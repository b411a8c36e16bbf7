// Answers REST API (payload 1.0) and HTTP API (payload 2.0) events alike.
export const handler = async (event) => {
  const name = event.pathParameters?.name ?? 'world';
  const api = event.version === '2.0' ? 'HTTP API' : 'REST API';
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: `${process.env.GREETING}, ${name}!`, api }),
  };
};
