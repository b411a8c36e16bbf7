package rest

// Guard decides, after routing and before the integration, whether a
// request may proceed: resource policy, IAM authentication, authorizers and
// API keys (reference §2.3 steps 6–9). A route whose method needs none of
// them has no Guard and pays nothing. Implementations live in
// internal/gateway/rest/access and are compiled once per deployment.
type Guard interface {
	// Check returns nil to let the request through (having filled
	// x.Auth), or the *Failure to answer with.
	Check(x *Exchange) error
}
