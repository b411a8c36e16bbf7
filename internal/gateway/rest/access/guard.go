package access

import (
	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/policy"
)

type authKind uint8

const (
	authNone authKind = iota
	authIAM
	authLambda
	authCognito
)

// guard is one method's access checks, in API Gateway's order (reference
// §2.3): resource policy pre-check, authentication/authorizer, the final
// decision (§8.2 tables), then the API key.
type guard struct {
	c                 *Compiler
	policy            *policy.Policy // the API's resource policy, or nil
	kind              authKind
	lambda            *lambdaAuthorizer
	cognito           *cognitoAuthorizer
	apiKeyRequired    bool
	keyFromAuthorizer bool
}

// Check implements rest.Guard.
func (g *guard) Check(x *rest.Exchange) error {
	if err := g.authorize(x); err != nil {
		return err
	}
	if g.apiKeyRequired {
		return g.checkKey(x)
	}
	return nil
}

func (g *guard) authorize(x *rest.Exchange) error {
	if g.kind == authNone && g.policy == nil {
		return nil
	}
	arn := authz.ExecuteAPIARN(g.c.Region, g.c.AccountID, &x.Exchange)
	if g.kind == authIAM {
		return g.authorizeIAM(x, arn)
	}
	// Resource policy, phase 1: the anonymous caller.
	resource := policy.NotApplicable
	if g.policy != nil {
		resource = g.policy.Evaluate(authz.PolicyRequest(&x.Exchange, arn, nil))
		if resource == policy.Deny {
			return policyDenied("anonymous", arn, true)
		}
	}
	switch g.kind {
	case authNone:
		// No authorization: the resource policy must allow explicitly.
		if resource != policy.Allow {
			return policyDenied("anonymous", arn, false)
		}
	case authLambda:
		identity, err := g.lambda.authorize(x, arn)
		if err != nil {
			return err
		}
		// Table A (same account): a Deny on either side denies; an Allow
		// on either side allows.
		switch {
		case identity == policy.Deny:
			return authorizerDenied(true)
		case identity == policy.Allow || resource == policy.Allow:
		default:
			return authorizerDenied(false)
		}
	case authCognito:
		if err := g.cognito.authenticate(x); err != nil {
			return err
		}
		// With a resource policy, Cognito callers need its explicit Allow
		// [U: AWS's text is ambiguous between Table A and this reading].
		if g.policy != nil && resource != policy.Allow {
			return policyDenied("anonymous", arn, false)
		}
	}
	return nil
}

// authorizeIAM authenticates a SigV4 caller and combines its identity
// policies with the resource policy: Table A for the API's own account,
// Table B (both must allow) across accounts (reference §8.2).
func (g *guard) authorizeIAM(x *rest.Exchange, arn string) error {
	user, err := g.c.Users.Authenticate(&x.Exchange)
	if err != nil {
		return err
	}
	caller := user.Caller
	x.Auth.IAM = &caller
	req := authz.PolicyRequest(&x.Exchange, arn, &caller)
	identity := user.Decide(req)
	resource := policy.NotApplicable
	if g.policy != nil {
		resource = g.policy.Evaluate(req)
	}
	sameAccount := caller.AccountID == g.c.AccountID
	var allowed bool
	switch {
	case identity == policy.Deny || resource == policy.Deny:
		return policyDenied(caller.ARN, arn, true)
	case sameAccount:
		allowed = identity == policy.Allow || resource == policy.Allow
	default:
		// Another account needs the API's resource policy to allow it too
		// (no resource policy: never).
		allowed = identity == policy.Allow && resource == policy.Allow
	}
	if !allowed {
		return policyDenied(caller.ARN, arn, false)
	}
	if sameAccount && rest.WantsCacheInvalidation(x.Req) {
		x.Auth.InvalidateCache = g.mayInvalidateCache(user, req)
	}
	return nil
}

// invalidateCacheAction is what a Cache-Control: max-age=0 request needs
// (reference §5.2).
const invalidateCacheAction = "execute-api:InvalidateCache"

// mayInvalidateCache decides execute-api:InvalidateCache on the method for
// an authenticated caller of the API's own account (cross-account
// invalidation is not supported [D]): the caller's identity policy must
// allow it, and the resource policy must not deny it.
func (g *guard) mayInvalidateCache(user *authz.Identity, invoke *policy.Request) bool {
	req := *invoke
	req.Action = invalidateCacheAction
	if user.Decide(&req) != policy.Allow {
		return false
	}
	return g.policy == nil || g.policy.Evaluate(&req) != policy.Deny
}

// checkKey enforces apiKeyRequired: the key (x-api-key, or the
// authorizer's usageIdentifierKey when the API's key source is AUTHORIZER)
// must be enabled and in a usage plan bound to this stage; otherwise 403
// {"message":"Forbidden"} (INVALID_API_KEY).
func (g *guard) checkKey(x *rest.Exchange) error {
	value := x.Req.Header("x-api-key")
	if g.keyFromAuthorizer {
		value = x.Auth.UsageIdentifierKey
	}
	if value == "" || g.c.Keys == nil {
		return pipeline.Fail(pipeline.InvalidAPIKey, nil)
	}
	key, plan, ok := g.c.Keys.Lookup(value, x.APIID, x.StageName)
	if !ok {
		return pipeline.Fail(pipeline.InvalidAPIKey, nil)
	}
	x.Auth.APIKey, x.Auth.APIKeyID = value, key.ID
	return g.enforcePlan(x, key.ID, plan)
}
