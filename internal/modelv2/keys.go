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
	// KindModel holds a WebSocket API's models, by model id.
	KindModel = "v2model"
	// KindRouteResponse holds WebSocket route responses under their
	// route: "{routeId}/{routeResponseId}" (see SubKey).
	KindRouteResponse = "v2routeresponse"
	// KindIntegrationResponse holds WebSocket integration responses under
	// their integration: "{integrationId}/{integrationResponseId}".
	KindIntegrationResponse = "v2integrationresponse"
)

// APIChildKinds lists every per-API kind, for cascading deletes.
var APIChildKinds = []string{KindRoute, KindIntegration, KindAuthorizer, KindDeployment, KindSnapshot, KindStage, KindFlush,
	KindModel, KindRouteResponse, KindIntegrationResponse}

// ChildKey is the key of a per-API child document.
func ChildKey(kind, apiID, id string) string { return kind + "/" + apiID + "/" + id }

// ChildPrefix is the prefix of every child of one kind of one API.
func ChildPrefix(kind, apiID string) string { return kind + "/" + apiID + "/" }

// SubKey is the key of a document stored under another child of an API
// (a route response under its route, an integration response under its
// integration): "{kind}/{apiId}/{parentId}/{id}".
func SubKey(kind, apiID, parentID, id string) string {
	return kind + "/" + apiID + "/" + parentID + "/" + id
}

// SubPrefix is the prefix of every document of one kind under one parent.
func SubPrefix(kind, apiID, parentID string) string {
	return kind + "/" + apiID + "/" + parentID + "/"
}

// PrefixVpcLinks is the prefix of every VPC link key.
const PrefixVpcLinks = "v2vpclink/"

// KeyVpcLink is the key of a VPC link.
func KeyVpcLink(id string) string { return PrefixVpcLinks + id }
