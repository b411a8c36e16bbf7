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
	KindResource        = "resource"
	KindModel           = "model"
	KindValidator       = "validator"
	KindGatewayResponse = "gwresponse"
	KindAuthorizer      = "authorizer"
	KindDeployment      = "deployment"
	KindSnapshot        = "snapshot"
	KindStage           = "stage"
	KindDocPart         = "docpart"
	KindDocVersion      = "docversion"
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
