package access

import (
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
)

// invokeAction is the action every data-plane call is authorized for.
const invokeAction = "execute-api:Invoke"

// methodARN is the request's execute-api ARN:
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path} with
// the real verb (also for ANY methods) and the concrete path without its
// leading slash; the root is ".../{VERB}/" (reference §4.1).
func methodARN(region, account string, x *rest.Exchange) string {
	var b strings.Builder
	path := strings.TrimPrefix(x.StagePath, "/")
	b.Grow(40 + len(region) + len(account) + len(x.APIID) + len(x.StageName) + len(path))
	b.WriteString("arn:aws:execute-api:")
	b.WriteString(region)
	b.WriteByte(':')
	b.WriteString(account)
	b.WriteByte(':')
	b.WriteString(x.APIID)
	b.WriteByte('/')
	b.WriteString(x.StageName)
	b.WriteByte('/')
	b.WriteString(x.Req.Method())
	b.WriteByte('/')
	b.WriteString(path)
	return b.String()
}

// maskAccount replaces all but the last four digits of the account in an
// execute-api ARN with '*', as AWS prints resources in its deny messages
// ("arn:aws:execute-api:us-east-1:********1234:abc/dev/GET/x") [C].
func maskAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || len(parts[4]) <= 4 {
		return arn
	}
	acct := parts[4]
	parts[4] = strings.Repeat("*", len(acct)-4) + acct[len(acct)-4:]
	return strings.Join(parts, ":")
}

// Messages of ACCESS_DENIED answers (reference §4.3, §8.2).
const (
	msgAuthorizerDeny     = "User is not authorized to access this resource with an explicit deny"
	msgAuthorizerImplicit = "User is not authorized to access this resource"
)

// policyDenied is the message for a denial by a resource or identity
// policy: "User: {who} is not authorized to perform: execute-api:Invoke on
// resource: {masked arn}[ with an explicit deny]".
func policyDenied(who, arn string, explicit bool) *pipeline.Failure {
	msg := "User: " + who + " is not authorized to perform: " + invokeAction + " on resource: " + maskAccount(arn)
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
