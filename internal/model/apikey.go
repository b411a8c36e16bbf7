package model

import "encoding/json"

// ApiKey is an API key. Value is sent only when a caller asks for it
// (includeValue, CreateApiKey, usage plan keys) and is never stored: see
// StoredApiKey.
type ApiKey struct {
	ID string `json:"id"`
	// Value is the secret clients send (x-api-key); nil unless asked for.
	Value *string `json:"value,omitempty"`
	Name  *string `json:"name,omitempty"`
	// CustomerID is an AWS Marketplace customer identifier; informational.
	CustomerID  *string `json:"customerId,omitempty"`
	Description *string `json:"description,omitempty"`
	// Enabled keys are accepted; requests with a disabled key are
	// refused.
	Enabled         bool `json:"enabled"`
	CreatedDate     Time `json:"createdDate"`
	LastUpdatedDate Time `json:"lastUpdatedDate"`
	// StageKeys are legacy "{restApiId}/{stageName}" references, kept and
	// reported only: usage plans decide where a key is accepted.
	StageKeys []string          `json:"stageKeys"`
	Tags      map[string]string `json:"tags,omitzero"`
}

// StoredApiKey is how an API key is kept in the store: the wire document
// without its value, the value sealed by secret.Box, and a keyed digest of
// the value (secret.Box.Digest) that indexes keys by value.
type StoredApiKey struct {
	ApiKey
	// SealedValue is the key's value sealed by secret.Box (encrypted and
	// authenticated).
	SealedValue string `json:"sealedValue"`
	// ValueDigest is secret.Box.Digest of the value, the id of its entry
	// under PrefixApiKeyValues.
	ValueDigest string `json:"valueDigest"`
}

// MarshalJSON implements json.Marshaler. It drops the embedded Value
// whatever it holds, so that a key value can never reach the store in
// clear.
func (s StoredApiKey) MarshalJSON() ([]byte, error) {
	type plain StoredApiKey // no methods: no recursion
	p := plain(s)
	p.Value = nil
	return json.Marshal(p)
}

// UsagePlan sets throttling and quota limits for the API keys it holds, on
// the API stages it is bound to.
type UsagePlan struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
	// ApiStages are the stages the plan applies to.
	ApiStages []ApiStage `json:"apiStages"`
	// Throttle limits each key's requests across the plan's stages; nil
	// for no plan-level throttle.
	Throttle *ThrottleSettings `json:"throttle,omitempty"`
	// Quota caps each key's requests per period; nil for no quota.
	Quota *QuotaSettings `json:"quota,omitempty"`
	// ProductCode is the AWS Marketplace product the plan is sold as;
	// informational.
	ProductCode *string           `json:"productCode,omitempty"`
	Tags        map[string]string `json:"tags,omitzero"`
}

// ApiStage binds a usage plan to one stage of one REST API, with optional
// per-method throttles keyed "{resourcePath}/{VERB}" ("/pets/GET", "//GET"
// for the root resource).
type ApiStage struct {
	ApiID    string                      `json:"apiId"` // the REST API's id
	Stage    string                      `json:"stage"` // the stage's name
	Throttle map[string]ThrottleSettings `json:"throttle,omitzero"`
}

// QuotaSettings is the number of requests a key may make per period.
type QuotaSettings struct {
	// Limit is the number of requests allowed per period.
	Limit int64 `json:"limit"`
	// Offset is, in days, where in its period each period starts (see
	// ratelimit.Quota for how it is read).
	Offset int64 `json:"offset"`
	// Period is one of QuotaPeriods.
	Period string `json:"period"`
}

// UsagePlanKey is an API key as a member of a usage plan.
type UsagePlanKey struct {
	ID    string  `json:"id"`             // the API key's id
	Type  string  `json:"type"`           // KeyTypeApiKey
	Value string  `json:"value"`          // the API key's value
	Name  *string `json:"name,omitempty"` // the API key's name
}

// UsagePlanKeyMember is the stored membership of an API key in a usage
// plan (the document under KeyUsagePlanKey and KeyApiKeyPlan).
type UsagePlanKeyMember struct {
	UsagePlanID string `json:"usagePlanId"` // the usage plan's id
	KeyID       string `json:"keyId"`       // the API key's id
}

// KeyTypeApiKey is the only usage plan key type.
const KeyTypeApiKey = "API_KEY"

// QuotaPeriods in the order AWS prints them [U].
var QuotaPeriods = []string{"DAY", "WEEK", "MONTH"}
