package apigw

import "github.com/tollgate/tollgate/internal/awserr"

// AWS's not-found messages [V].
func (a *API) errAPI(id string) error {
	return awserr.NotFound("Invalid API identifier specified %s:%s", a.accountID, id)
}

var (
	errResource             = awserr.NotFound("Invalid Resource identifier specified")
	errMethod               = awserr.NotFound("Invalid Method identifier specified")
	errIntegration          = awserr.NotFound("Invalid Integration identifier specified")
	errResponseCode         = awserr.NotFound("Invalid Response status code specified")
	errValidator            = awserr.NotFound("Invalid Request Validator identifier specified")
	errStage                = awserr.NotFound("Invalid Stage identifier specified")
	errDeployment           = awserr.NotFound("Invalid Deployment identifier specified")
	errAuthorizer           = awserr.NotFound("Invalid Authorizer identifier specified")
	errGatewayResponseUnset = awserr.NotFound("Gateway response type not defined on api")
	errUsagePlan            = awserr.NotFound("Invalid Usage Plan ID specified")             // [V]
	errApiKey               = awserr.NotFound("Invalid API Key identifier specified")        // [L]
	errUsagePlanKey         = awserr.NotFound("Invalid Usage Plan Key identifier specified") // [U]
)

func errModel(name string) error {
	return awserr.NotFound("Invalid model name specified: %s", name)
}

// nullAt is the model violation for a missing required member.
func nullAt(v *awserr.Validation, at string) {
	v.Add("Value null at '" + at + "' failed to satisfy constraint: Member must not be null")
}
