package access

import (
	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// Messages of ACCESS_DENIED answers (reference §4.3, §8.2).
const (
	msgAuthorizerDeny     = "User is not authorized to access this resource with an explicit deny"
	msgAuthorizerImplicit = "User is not authorized to access this resource"
)

// policyDenied is the message for a denial by a resource or identity
// policy: "User: {who} is not authorized to perform: execute-api:Invoke on
// resource: {masked arn}[ with an explicit deny]".
func policyDenied(who, arn string, explicit bool) *pipeline.Failure {
	msg := "User: " + who + " is not authorized to perform: " + authz.InvokeAction + " on resource: " + authz.MaskAccount(arn)
	if explicit {
		msg += " with an explicit deny"
	}
	return pipeline.FailWith(pipeline.AccessDenied, msg, nil)
}

func authorizerDenied(explicit bool) *pipeline.Failure {
	if explicit {
		return pipeline.FailWith(pipeline.AccessDenied, msgAuthorizerDeny, nil)
	}
	return pipeline.FailWith(pipeline.AccessDenied, msgAuthorizerImplicit, nil)
}
