package model

import "encoding/json"

// ApiKey is an API key. Value is sent only when a caller asks for it
// (includeValue, CreateApiKey, usage plan keys) and is never stored: see
// StoredApiKey.
type ApiKey struct {
	ID              string            `json:"id"`
	Value           *string           `json:"value,omitempty"`
	Name            *string           `json:"name,omitempty"`
	CustomerID      *string           `json:"customerId,omitempty"`
	Description     *string           `json:"description,omitempty"`
	Enabled         bool              `json:"enabled"`
	CreatedDate     Time              `json:"createdDate"`
	LastUpdatedDate Time              `json:"lastUpdatedDate"`
	StageKeys       []string          `json:"stageKeys"`
	Tags            map[string]string `json:"tags,omitzero"`
}

// StoredApiKey is how an API key is kept in the store: the wire document
// without its value, the value sealed by secret.Box, and a keyed digest of
// the value (secret.Box.Digest) that indexes keys by value.
type StoredApiKey struct {
	ApiKey
	SealedValue string `json:"sealedValue"`
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
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description *string           `json:"description,omitempty"`
	ApiStages   []ApiStage        `json:"apiStages"`
	Throttle    *ThrottleSettings `json:"throttle,omitempty"`
	Quota       *QuotaSettings    `json:"quota,omitempty"`
	ProductCode *string           `json:"productCode,omitempty"`
	Tags        map[string]string `json:"tags,omitzero"`
}

// ApiStage binds a usage plan to one stage of one REST API, with optional
// per-method throttles keyed "{resourcePath}/{VERB}" ("/pets/GET", "//GET"
// for the root resource).
type ApiStage struct {
	ApiID    string                      `json:"apiId"`
	Stage    string                      `json:"stage"`
	Throttle map[string]ThrottleSettings `json:"throttle,omitzero"`
}

// QuotaSettings is the number of requests a key may make per period.
type QuotaSettings struct {
	Limit  int64  `json:"limit"`
	Offset int64  `json:"offset"`
	Period string `json:"period"`
}

// UsagePlanKey is an API key as a member of a usage plan.
type UsagePlanKey struct {
	ID    string  `json:"id"`
	Type  string  `json:"type"`
	Value string  `json:"value"`
	Name  *string `json:"name,omitempty"`
}

// UsagePlanKeyMember is the stored membership of an API key in a usage
// plan (the document under KeyUsagePlanKey and KeyApiKeyPlan).
type UsagePlanKeyMember struct {
	UsagePlanID string `json:"usagePlanId"`
	KeyID       string `json:"keyId"`
}

// KeyTypeApiKey is the only usage plan key type.
const KeyTypeApiKey = "API_KEY"

// QuotaPeriods in the order AWS prints them [U].
var QuotaPeriods = []string{"DAY", "WEEK", "MONTH"}
