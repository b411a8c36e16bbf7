package model

// Deployment is an immutable snapshot of a REST API that stages point at.
type Deployment struct {
	ID          string  `json:"id"`
	Description *string `json:"description,omitempty"`
	CreatedDate Time    `json:"createdDate"`
	// ApiSummary summarises the deployed methods, keyed by resource path
	// and then HTTP verb; sent only when a caller asks for it
	// (embed=apisummary).
	ApiSummary map[string]map[string]MethodSnapshot `json:"apiSummary,omitzero"`
}

// MethodSnapshot summarises a method in Deployment.apiSummary.
type MethodSnapshot struct {
	AuthorizationType string `json:"authorizationType,omitempty"` // Method.AuthorizationType
	ApiKeyRequired    bool   `json:"apiKeyRequired"`              // Method.ApiKeyRequired
}

// Stage is a named, addressable reference to a deployment.
type Stage struct {
	// DeploymentID is the deployment the stage serves.
	DeploymentID string `json:"deploymentId,omitempty"`
	// ClientCertificateID is the client certificate API Gateway presents
	// to HTTP backends; nil for none.
	ClientCertificateID *string `json:"clientCertificateId,omitempty"`
	// StageName is the first path segment of the stage's URLs.
	StageName   string  `json:"stageName"`
	Description *string `json:"description,omitempty"`
	// CacheClusterEnabled provisions the stage's response cache; methods
	// cache only with MethodSetting.CachingEnabled.
	CacheClusterEnabled bool `json:"cacheClusterEnabled"`
	// CacheClusterSize is the cache's size in GB, one of
	// CacheClusterSizes.
	CacheClusterSize *string `json:"cacheClusterSize,omitempty"`
	// CacheClusterStatus is "AVAILABLE" with a cache, else
	// "NOT_AVAILABLE". (AWS also reports transitional states such as
	// "CREATE_IN_PROGRESS"; Tollgate's cache is ready at once.)
	CacheClusterStatus string `json:"cacheClusterStatus"`
	// MethodSettings are keyed "*/*" (every method) or by resource path
	// without its leading '/' and verb ("pets/{id}/GET"); a method's own
	// entry overrides "*/*".
	MethodSettings map[string]*MethodSetting `json:"methodSettings"`
	// Variables are the stage variables, name to value, seen by
	// templates as $stageVariables and by URIs as ${stageVariables.name}.
	Variables map[string]string `json:"variables,omitzero"`
	// DocumentationVersion is the documentation snapshot the stage is
	// associated with.
	DocumentationVersion *string            `json:"documentationVersion,omitempty"`
	AccessLogSettings    *AccessLogSettings `json:"accessLogSettings,omitempty"`
	CanarySettings       *CanarySettings    `json:"canarySettings,omitempty"`
	// TracingEnabled turns on X-Ray tracing of the stage's requests.
	TracingEnabled bool `json:"tracingEnabled"`
	// WebACLArn is the AWS WAF web ACL associated with the stage.
	WebACLArn       *string           `json:"webAclArn,omitempty"`
	Tags            map[string]string `json:"tags,omitzero"`
	CreatedDate     Time              `json:"createdDate"`
	LastUpdatedDate Time              `json:"lastUpdatedDate"`
}

// MethodSetting holds per-method (or "*/*") stage settings.
type MethodSetting struct {
	// MetricsEnabled turns on per-method metrics.
	MetricsEnabled bool `json:"metricsEnabled"`
	// LoggingLevel is the execution log level, one of LoggingLevels; nil
	// until set.
	LoggingLevel *string `json:"loggingLevel,omitempty"`
	// DataTraceEnabled logs full requests and responses in the execution
	// log.
	DataTraceEnabled bool `json:"dataTraceEnabled"`
	// ThrottlingBurstLimit is the token bucket's capacity, in requests.
	ThrottlingBurstLimit int64 `json:"throttlingBurstLimit"`
	// ThrottlingRateLimit is the steady rate, in requests per second.
	ThrottlingRateLimit Double `json:"throttlingRateLimit"`
	// CachingEnabled caches the method's responses in the stage cache.
	CachingEnabled bool `json:"cachingEnabled"`
	// CacheTTLInSeconds is how long a cached response lives, 0 to 3600
	// seconds (0 disables caching).
	CacheTTLInSeconds int64 `json:"cacheTtlInSeconds"`
	// CacheDataEncrypted encrypts cached responses at rest.
	CacheDataEncrypted bool `json:"cacheDataEncrypted"`
	// RequireAuthorizationForCacheControl makes a client's
	// "Cache-Control: max-age=0" (skip the cache) need the
	// execute-api:InvalidateCache permission.
	RequireAuthorizationForCacheControl bool `json:"requireAuthorizationForCacheControl"`
	// UnauthorizedCacheControlHeaderStrategy says what happens to an
	// unauthorized max-age=0 request, one of CacheStrategies.
	UnauthorizedCacheControlHeaderStrategy string `json:"unauthorizedCacheControlHeaderStrategy"`
}

// DefaultMethodSetting is what the first write of any method setting field
// starts from.
func DefaultMethodSetting() MethodSetting {
	return MethodSetting{
		ThrottlingBurstLimit:                   5000,
		ThrottlingRateLimit:                    10000,
		CacheTTLInSeconds:                      300,
		RequireAuthorizationForCacheControl:    true,
		UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
	}
}

// AccessLogSettings configures a stage's access log.
type AccessLogSettings struct {
	// Format is the template of a log line, with $context variables.
	Format *string `json:"format,omitempty"`
	// DestinationArn is a CloudWatch Logs group or Firehose stream ARN;
	// Tollgate writes ARN destinations to standard output and also accepts
	// a file path.
	DestinationArn *string `json:"destinationArn,omitempty"`
}

// CanarySettings configures a stage's canary release.
type CanarySettings struct {
	// PercentTraffic is the share of requests the canary serves, 0.0 to
	// 100.0 percent.
	PercentTraffic *Double `json:"percentTraffic,omitempty"`
	// DeploymentID is the deployment the canary serves.
	DeploymentID *string `json:"deploymentId,omitempty"`
	// StageVariableOverrides are stage variables that differ for canary
	// requests, over Stage.Variables.
	StageVariableOverrides map[string]string `json:"stageVariableOverrides,omitzero"`
	// UseStageCache lets canary requests use the stage's response cache.
	UseStageCache bool `json:"useStageCache"`
}

// Enumerations in the order AWS prints them.
var (
	// CacheClusterSizes are the values of Stage.CacheClusterSize, sizes in GB.
	CacheClusterSizes = []string{"0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"}
	// LoggingLevels are the values of MethodSetting.LoggingLevel.
	LoggingLevels = []string{"OFF", "ERROR", "INFO"}
	// CacheStrategies are the values of MethodSetting.UnauthorizedCacheControlHeaderStrategy.
	CacheStrategies = []string{"FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"}
)
