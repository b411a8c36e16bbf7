// Package pipeline is the per-request core that every API type of the data
// plane shares: the engine-neutral Request and Response, failures and the
// gateway's fixed answers, what access control learned about a caller,
// request ids, and the authorizer result cache.
//
// It knows no API type: REST (internal/gateway/rest) and, next, HTTP and
// WebSocket APIs build their pipelines on it.
package pipeline
