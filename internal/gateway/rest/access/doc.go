// Package access decides who may call a REST API, as API Gateway decides it
// (reference §2.3 steps 6–9, §4, §8): resource policies, private APIs,
// Lambda (TOKEN and REQUEST) and Cognito user pool authorizers with their
// result cache, AWS_IAM (SigV4 for execute-api) with identity policies, and
// API keys with usage plans. It combines, in REST's order, the checks every
// API type shares (internal/gateway/authz) with REST's own. Everything is
// compiled once per deployment into a rest.Guard per route; a route that
// needs no checks gets none.
package access
