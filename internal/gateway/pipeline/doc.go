// Package pipeline is the per-request core that every API type of the data
// plane shares: the engine-neutral Request and Response; the Exchange, one
// request's record, which access logs, metrics, $context variables and the
// shared integrations read; failures and the gateway's fixed answers; what
// access control learned about a caller; request ids; $context variables
// and templates; and the Target a front door dispatches to, with the
// Address it resolved.
//
// It knows no API type: REST (internal/gateway/rest) and, next, HTTP and
// WebSocket APIs embed Exchange in their own exchange, and state their
// pipeline order in one function of their own.
package pipeline
