// Package httpapi is the data plane of HTTP APIs (API Gateway v2, protocol
// type HTTP): compiled deployments and stages, route selection, the
// pipeline order (Stage.Serve and Stage.run, in serve.go), the gateway's
// own answers, JWT, Lambda and IAM authorization, parameter mapping and
// the HTTP_PROXY and Lambda proxy (payload 1.0 and 2.0) integrations.
//
// It builds on the shared core (internal/gateway/pipeline) and the pure
// blocks every API type may use: routing trees (router), HTTP API CORS
// (cors), parameter mapping (parammap), the Lambda payloads (proxyevent),
// the JWT authorizer (jwtauth), throttles, access logs and metrics,
// SigV4 callers and Lambda calls (authz, upstream). Compile turns a
// deployment's snapshot (modelv2.Snapshot) into a Deployment once, and
// NewStage a stage's settings into a Stage, the pipeline.Target the front
// door dispatches to; nothing on the request path parses configuration.
//
// AWS facts are cited as elsewhere in Tollgate: [D] the developer guide,
// [M] the service model, [G] aws-lambda-go's event types and test data,
// [C] community captures of real responses, [L] third-party emulators,
// [U] unverified (the most plausible behaviour, chosen here).
package httpapi
