package pipeline

// RouteInfo is what access logs, metrics, $context variables and shared
// integrations need of the route a request matched, whatever the API type.
// An API type's compiled route embeds it.
type RouteInfo struct {
	// Index is the route's position in its deployment (metrics slots,
	// per-route stage settings).
	Index int
	// ResourceID and ResourcePath are the REST resource ("abc123",
	// "/pets/{id}").
	ResourceID, ResourcePath string
	// HTTPMethod is the route's method as defined ("ANY" included).
	HTTPMethod        string
	OperationName     string
	AuthorizationType string
	// RouteKey is an HTTP API route's key ("GET /pets/{id}", "$default";
	// $context.routeKey), "" for REST methods.
	RouteKey string
}

// StageInfo is what shared code needs of the stage serving a request,
// whatever the API type. An API type's compiled stage embeds it.
type StageInfo struct {
	Name, APIID string
	// AccountID is the account that owns the API ($context.accountId).
	AccountID string
	// Variables are the stage variables.
	Variables map[string]string
	// CanaryVariables are the variables of requests routed to the stage's
	// canary: Variables with the canary's overrides applied. They are nil
	// when the stage has no canary.
	CanaryVariables map[string]string
	// AuthorizerCache holds Lambda authorizer results for this stage
	// (flushed by FlushStageAuthorizersCache).
	AuthorizerCache *AuthorizerCache
	// AuthCache holds Lambda authorizer results for this stage (REST and
	// HTTP APIs), in memory or shared by a cluster (flushed by
	// FlushStageAuthorizersCache and ResetAuthorizersCache).
	AuthCache AuthCache
}
