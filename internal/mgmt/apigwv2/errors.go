package apigwv2

import "github.com/tollgate/tollgate/internal/awserr"

// notFound is a 404 NotFoundException; its body names the kind of
// resource in resourceType [M]. AWS's resourceType values are [U].
func notFound(resourceType, format string, args ...any) *awserr.Error {
	e := awserr.NotFound(format, args...)
	e.Fields = map[string]string{"resourceType": resourceType}
	return e
}

// errAPI is AWS's answer for an unknown API [C].
func (a *API) errAPI(id string) error {
	return notFound("Api", "Invalid API identifier specified %s:%s", a.accountID, id)
}

// Not-found answers for the objects inside an API, in the form other
// implementations use [L][U].
func errRoute(id string) error { return notFound("Route", "Invalid Route identifier specified %s", id) }
func errIntegration(id string) error {
	return notFound("Integration", "Invalid Integration identifier specified %s", id)
}
func errAuthorizer(id string) error {
	return notFound("Authorizer", "Invalid Authorizer identifier specified %s", id)
}
func errDeployment(id string) error {
	return notFound("Deployment", "Invalid Deployment identifier specified %s", id)
}
func errStage(name string) error {
	return notFound("Stage", "Invalid stage identifier specified %s", name)
}
func errVpcLink(id string) error {
	return notFound("VpcLink", "Invalid VpcLink identifier specified %s", id)
}

// bad is a 400 BadRequestException, the only client-error shape of
// apigatewayv2 besides NotFound and Conflict [M].
func bad(format string, args ...any) error { return awserr.BadRequest(format, args...) }

// conflict is a 409 ConflictException.
func conflict(format string, args ...any) error { return awserr.Conflict(format, args...) }

// tooMany is the answer for a per-API quota (AWS documents the quotas;
// the exact answer is [U]).
func tooMany(what string, limit int) error {
	return bad("Maximum number of %s (%d) for this API has been reached", what, limit) // [U]
}

// Not-found answers for the WebSocket-only objects, in the same form [L][U].
func errModel(id string) error { return notFound("Model", "Invalid Model identifier specified %s", id) }
func errRouteResponse(id string) error {
	return notFound("RouteResponse", "Invalid RouteResponse identifier specified %s", id)
}
func errIntegrationResponse(id string) error {
	return notFound("IntegrationResponse", "Invalid IntegrationResponse identifier specified %s", id)
}
