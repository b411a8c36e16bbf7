// Package authz holds the access checks that every API type shares: SigV4
// (execute-api) authentication of IAM users and their identity policies,
// execute-api ARNs and the policy question a request asks, and the
// invocation of Lambda authorizers. Each API type combines them in its own
// order (REST: internal/gateway/rest/access); authorizer results are cached
// per stage (pipeline.AuthCache: in memory, or SharedCache in a cluster's
// Redis).
package authz
