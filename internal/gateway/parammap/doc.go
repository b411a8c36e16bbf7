// Package parammap is the parameter mapping of Amazon API Gateway HTTP APIs
// [D: "Transform API requests and responses for HTTP APIs in API Gateway"]:
// an integration's requestParameters rewrite the request sent to the
// backend (headers, query string, path), its responseParameters — grouped
// by the backend's status code — rewrite the response (headers, status).
//
// Management calls [ValidateRequestParameters] and
// [ValidateResponseParameters], which answer with AWS-style
// BadRequestException messages. Deployment calls [CompileRequest] and
// [CompileResponse] once; the request path calls [RequestMapping.Apply] and
// [ResponseMapping.Apply], which read values through a small [Resolver] the
// pipeline implements and write through an [RequestEditor] or
// [ResponseEditor]. Values are compiled expressions ([Value]), also usable
// on their own (e.g. a Lambda authorizer's identity sources).
//
// Value syntax: a whole value "$request.header.name" (or
// "${request.header.name}"), static text, or text mixing both — braced
// "${...}" anywhere, and unbraced "$request.…", "$context.…",
// "$stageVariables.…", "$response.…" references that run to the first
// character that cannot be part of a name (so "/v1/$request.path.id" works).
// Sources: request header/querystring (several values joined with ","),
// request body JSONPath (the body cut at 100 KB first; no recursive descent
// or filters), request path (without the stage) and path parameters,
// context and stage variables; for responses, response header and body
// JSONPath, context and stage variables.
package parammap
