package model

// Deployment is an immutable snapshot of a REST API that stages point at.
type Deployment struct {
	ID          string                               `json:"id"`
	Description *string                              `json:"description,omitempty"`
	CreatedDate Time                                 `json:"createdDate"`
	ApiSummary  map[string]map[string]MethodSnapshot `json:"apiSummary,omitzero"`
}

// MethodSnapshot summarises a method in Deployment.apiSummary.
type MethodSnapshot struct {
	AuthorizationType string `json:"authorizationType,omitempty"`
	ApiKeyRequired    bool   `json:"apiKeyRequired"`
}

// Stage is a named, addressable reference to a deployment.
type Stage struct {
	DeploymentID         string                    `json:"deploymentId,omitempty"`
	ClientCertificateID  *string                   `json:"clientCertificateId,omitempty"`
	StageName            string                    `json:"stageName"`
	Description          *string                   `json:"description,omitempty"`
	CacheClusterEnabled  bool                      `json:"cacheClusterEnabled"`
	CacheClusterSize     *string                   `json:"cacheClusterSize,omitempty"`
	CacheClusterStatus   string                    `json:"cacheClusterStatus"`
	MethodSettings       map[string]*MethodSetting `json:"methodSettings"`
	Variables            map[string]string         `json:"variables,omitzero"`
	DocumentationVersion *string                   `json:"documentationVersion,omitempty"`
	AccessLogSettings    *AccessLogSettings        `json:"accessLogSettings,omitempty"`
	CanarySettings       *CanarySettings           `json:"canarySettings,omitempty"`
	TracingEnabled       bool                      `json:"tracingEnabled"`
	WebACLArn            *string                   `json:"webAclArn,omitempty"`
	Tags                 map[string]string         `json:"tags,omitzero"`
	CreatedDate          Time                      `json:"createdDate"`
	LastUpdatedDate      Time                      `json:"lastUpdatedDate"`
}

// MethodSetting holds per-method (or "*/*") stage settings.
type MethodSetting struct {
	MetricsEnabled                         bool    `json:"metricsEnabled"`
	LoggingLevel                           *string `json:"loggingLevel,omitempty"`
	DataTraceEnabled                       bool    `json:"dataTraceEnabled"`
	ThrottlingBurstLimit                   int64   `json:"throttlingBurstLimit"`
	ThrottlingRateLimit                    Double  `json:"throttlingRateLimit"`
	CachingEnabled                         bool    `json:"cachingEnabled"`
	CacheTTLInSeconds                      int64   `json:"cacheTtlInSeconds"`
	CacheDataEncrypted                     bool    `json:"cacheDataEncrypted"`
	RequireAuthorizationForCacheControl    bool    `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string  `json:"unauthorizedCacheControlHeaderStrategy"`
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
	Format         *string `json:"format,omitempty"`
	DestinationArn *string `json:"destinationArn,omitempty"`
}

// CanarySettings configures a stage's canary release.
type CanarySettings struct {
	PercentTraffic         *Double           `json:"percentTraffic,omitempty"`
	DeploymentID           *string           `json:"deploymentId,omitempty"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides,omitzero"`
	UseStageCache          bool              `json:"useStageCache"`
}

// Enumerations in the order AWS prints them.
var (
	CacheClusterSizes = []string{"0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"}
	LoggingLevels     = []string{"OFF", "ERROR", "INFO"}
	CacheStrategies   = []string{"FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"}
)
