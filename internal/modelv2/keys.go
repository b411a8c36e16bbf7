package modelv2

// Store keys (see the package documentation).

// PrefixApis is the prefix of every API key.
const PrefixApis = "v2api/"

// KeyApi is the key of an API.
func KeyApi(id string) string { return PrefixApis + id }

// Per-API child kinds. Each is stored under "{kind}/{apiId}/{childId}".
const (
	KindRoute       = "v2route"
	KindIntegration = "v2integration"
	KindAuthorizer  = "v2authorizer"
	KindDeployment  = "v2deployment"
	KindSnapshot    = "v2snapshot"
	KindStage       = "v2stage"
	// KindFlush holds ResetAuthorizersCache markers, "{stage}/authorizers".
	KindFlush = "v2flush"
)

// APIChildKinds lists every per-API kind, for cascading deletes.
var APIChildKinds = []string{KindRoute, KindIntegration, KindAuthorizer, KindDeployment, KindSnapshot, KindStage, KindFlush}

// ChildKey is the key of a per-API child document.
func ChildKey(kind, apiID, id string) string { return kind + "/" + apiID + "/" + id }

// ChildPrefix is the prefix of every child of one kind of one API.
func ChildPrefix(kind, apiID string) string { return kind + "/" + apiID + "/" }

// PrefixVpcLinks is the prefix of every VPC link key.
const PrefixVpcLinks = "v2vpclink/"

// KeyVpcLink is the key of a VPC link.
func KeyVpcLink(id string) string { return PrefixVpcLinks + id }
