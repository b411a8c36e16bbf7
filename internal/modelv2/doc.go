// Package modelv2 holds the apigatewayv2 (2018-11-29) resource types of
// HTTP and WebSocket APIs exactly as they appear on the wire: camelCase
// member names in the order AWS prints them, optional members as pointers
// so that absent and zero stay distinguishable, ISO-8601 timestamps. The
// same types are what the store persists, and a Deployment's Snapshot is
// what the data plane compiles. No I/O here.
//
// # Storage
//
// Every document is a model.Record under a key that starts with its kind,
// as for REST APIs, but every kind is prefixed "v2" so that the REST
// compiler and watcher never see these documents:
//
//	v2api/{apiId}                        Api
//	v2route/{apiId}/{routeId}            Route
//	v2integration/{apiId}/{integrationId} Integration
//	v2authorizer/{apiId}/{authorizerId}  Authorizer
//	v2deployment/{apiId}/{deploymentId}  Deployment
//	v2snapshot/{apiId}/{deploymentId}    Snapshot (what the deployment froze)
//	v2stage/{apiId}/{stageName}          Stage (points at a deployment)
//	v2flush/{apiId}/{stageName}/authorizers  ResetAuthorizersCache marker
//	v2model/{apiId}/{modelId}            Model (WebSocket)
//	v2routeresponse/{apiId}/{routeId}/{routeResponseId}  RouteResponse (WebSocket)
//	v2integrationresponse/{apiId}/{integrationId}/{integrationResponseId}  IntegrationResponse (WebSocket)
//	v2vpclink/{vpcLinkId}                VpcLink
//
// A data-plane compiler follows the "v2stage/" keys of the change feed:
// each stage names its deployment, whose snapshot holds every route,
// integration and authorizer (and, for WebSocket APIs, every route
// response, integration response and model) as they were when it was
// taken; the stage
// itself holds the stage variables, throttling and access-log settings.
// A deleted "v2api/" key means every stage of that API is gone.
package modelv2
