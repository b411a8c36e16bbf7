package model

// Store keys. Kind first, then parent id, then own id, so that a prefix
// names exactly one kind of child of one parent.

// KeyAccount is the account settings document.
const KeyAccount = "account"

// KeyRestApi is the key of a REST API; PrefixRestApis lists them all.
func KeyRestApi(id string) string { return "restapi/" + id }

// PrefixRestApis is the prefix of every REST API key.
const PrefixRestApis = "restapi/"

// Per-API child kinds. Each is stored under "{kind}/{apiId}/{childId}".
const (
	KindResource        = "resource"   // Resource, by resource id
	KindModel           = "model"      // Model, by model name
	KindValidator       = "validator"  // RequestValidator, by id
	KindGatewayResponse = "gwresponse" // GatewayResponse, by response type
	KindAuthorizer      = "authorizer" // Authorizer, by id
	KindDeployment      = "deployment" // Deployment, by id
	KindSnapshot        = "snapshot"   // Snapshot, by deployment id
	KindStage           = "stage"      // Stage, by stage name
	KindDocPart         = "docpart"    // DocumentationPart, by id
	KindDocVersion      = "docversion" // DocumentationVersion, by version
	// KindFlush holds cache-flush markers, "{stage}/{data|authorizers}".
	KindFlush = "flush"
	// KindResourceChild indexes resources by parent: "{parentId}/{pathPart}"
	// → resource id, so that creating a resource looks at its siblings only.
	KindResourceChild = "reschild"
)

// APIChildKinds lists every per-API kind, for cascading deletes.
var APIChildKinds = []string{
	KindResource, KindModel, KindValidator, KindGatewayResponse, KindAuthorizer,
	KindDeployment, KindSnapshot, KindStage, KindDocPart, KindDocVersion, KindFlush, KindResourceChild,
}

// ChildKey is the key of a per-API child document.
func ChildKey(kind, apiID, id string) string { return kind + "/" + apiID + "/" + id }

// ChildPrefix is the prefix of every child of one kind of one API.
func ChildPrefix(kind, apiID string) string { return kind + "/" + apiID + "/" }

// Account-wide API keys and usage plans, and the indexes that link them.
const (
	// PrefixApiKeys: "apikey/{keyId}" → StoredApiKey.
	PrefixApiKeys = "apikey/"
	// PrefixApiKeyValues: "apikeyvalue/{digest}" → the key id, so that
	// values stay unique without being stored (the digest is keyed).
	PrefixApiKeyValues = "apikeyvalue/"
	// PrefixUsagePlans: "usageplan/{planId}" → UsagePlan.
	PrefixUsagePlans = "usageplan/"
	// PrefixUsagePlanKeys: "usageplankey/{planId}/{keyId}" → UsagePlanKeyMember.
	PrefixUsagePlanKeys = "usageplankey/"
	// PrefixApiKeyPlans: "apikeyplan/{keyId}/{planId}" → UsagePlanKeyMember,
	// the same membership indexed by key.
	PrefixApiKeyPlans = "apikeyplan/"
)

// KeyApiKey is the key of an API key.
func KeyApiKey(id string) string { return PrefixApiKeys + id }

// KeyApiKeyValue is the value index entry of the value with this digest.
func KeyApiKeyValue(digest string) string { return PrefixApiKeyValues + digest }

// KeyUsagePlan is the key of a usage plan.
func KeyUsagePlan(id string) string { return PrefixUsagePlans + id }

// KeyUsagePlanKey is the membership of key keyID in plan planID.
func KeyUsagePlanKey(planID, keyID string) string { return PrefixUsagePlanKeys + planID + "/" + keyID }

// UsagePlanKeysPrefix is the prefix of every membership of one plan.
func UsagePlanKeysPrefix(planID string) string { return PrefixUsagePlanKeys + planID + "/" }

// KeyApiKeyPlan is the membership of key keyID in plan planID, by key.
func KeyApiKeyPlan(keyID, planID string) string { return PrefixApiKeyPlans + keyID + "/" + planID }

// ApiKeyPlansPrefix is the prefix of every membership of one key.
func ApiKeyPlansPrefix(keyID string) string { return PrefixApiKeyPlans + keyID + "/" }
