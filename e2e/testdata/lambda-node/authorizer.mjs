// A TOKEN authorizer as teams write them in Node.js: the token decides.
//   allow         Allow on the methodArn, principal "node-user", a context
//   deny          Deny on the methodArn
//   unauthorized  fails with "Unauthorized" (API Gateway answers 401)
export const handler = async (event) => {
  const token = event.authorizationToken;
  if (token === "unauthorized") {
    throw new Error("Unauthorized");
  }
  return {
    principalId: "node-user",
    policyDocument: {
      Version: "2012-10-17",
      Statement: [{ Action: "execute-api:Invoke", Effect: token === "allow" ? "Allow" : "Deny", Resource: event.methodArn }],
    },
    context: { lang: "node", type: event.type },
  };
};
