package httpapi

import (
	"errors"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/proxyevent"
	"github.com/tollgate/tollgate/internal/jwtauth"
	"github.com/tollgate/tollgate/internal/policy"
)

// Authorizer authorizes a request to a route: JWT, Lambda (REQUEST) or
// IAM. It returns the failure to answer with (401 Unauthorized, 403
// Forbidden, 500 for an authorizer that misbehaves), or records what it
// learned about the caller in x.Auth and for the integration's payload.
type Authorizer interface {
	Authorize(x *Exchange) error
}

// jwtAuthorizer is a JWT authorizer [D: "Controlling access to HTTP APIs
// with JWT authorizers"].
type jwtAuthorizer struct {
	config *jwtauth.JWTAuthorizer
	tokens *jwtauth.Verifier
	source *parammap.Value // the identity source
	// header is the identity source's header name when it is a request
	// header (usually Authorization; a JWT authorizer's one identity
	// source may also be a query string value [D]): read without a copy,
	// as the token is not kept.
	header string
}

// newJWTAuthorizer returns the JWT authorizer of config reading the token
// from source.
func newJWTAuthorizer(config *jwtauth.JWTAuthorizer, tokens *jwtauth.Verifier, source *parammap.Value) *jwtAuthorizer {
	a := &jwtAuthorizer{config: config, tokens: tokens, source: source}
	if src, name, ok := source.Ref(); ok && src == parammap.SrcRequestHeader {
		a.header = name
	}
	return a
}

// token returns the identity source's value for x, valid until x ends.
func (a *jwtAuthorizer) token(x *Exchange) string {
	if a.header != "" {
		v, _ := x.requestHeaderView(a.header)
		return v
	}
	v, _ := a.source.Eval(x)
	return v
}

// Authorize implements Authorizer: the token (or "Bearer <token>") must
// verify against the issuer's keys, have a valid iss, aud (or client_id)
// and times, and carry one of the route's scopes. A refused token is 401
// {"message":"Unauthorized"}, or 403 {"message":"Forbidden"} for missing
// scopes, with a www-authenticate header [D]. The claims, stringified,
// reach the integration and $context.authorizer.claims.*.
func (a *jwtAuthorizer) Authorize(x *Exchange) error {
	token := a.token(x) // AuthorizeHTTPAPI keeps none of it
	if a.tokens == nil {
		x.Auth.Error = "no JWT verifier configured"
		return pipeline.Fail(pipeline.Unauthorized, nil)
	}
	res, err := a.tokens.AuthorizeHTTPAPI(x.Ctx, a.config, token, x.Match.Route.Scopes)
	if err != nil {
		var he *jwtauth.HTTPAPIError
		if !errors.As(err, &he) {
			return pipeline.Fail(pipeline.AuthorizerConfigurationError, err)
		}
		if he.WWWAuthenticate != "" {
			x.Resp.SetHeader("www-authenticate", he.WWWAuthenticate)
		}
		x.Auth.Error = he.Description
		if he.Status == 403 {
			return pipeline.Fail(pipeline.AccessDenied, nil)
		}
		return pipeline.Fail(pipeline.Unauthorized, nil)
	}
	x.Auth.Authorized = true
	x.Auth.Claims = res.Claims
	x.jwtClaims = proxyevent.JWTAuth{Claims: res.Claims, Scopes: res.Scopes}
	x.jwtAuth = proxyevent.Authorizer{JWT: &x.jwtClaims}
	x.authorizer = &x.jwtAuth
	return nil
}

// iamAuthorizer checks AWS_IAM routes: the request must be signed (SigV4,
// service execute-api) by a known user whose identity policies allow
// execute-api:Invoke on the request's ARN. HTTP APIs have no resource
// policies, so that is the whole decision [D]. Any failure is 403
// {"message":"Forbidden"} [L][U].
type iamAuthorizer struct {
	region, account string
	users           *authz.Users
}

// Authorize implements Authorizer.
func (a *iamAuthorizer) Authorize(x *Exchange) error {
	user, err := a.users.Authenticate(&x.Exchange)
	if err != nil {
		var f *pipeline.Failure
		if !errors.As(err, &f) {
			return err // the client's body: too large, broken
		}
		x.Auth.Error = f.Message
		return pipeline.Fail(pipeline.AccessDenied, nil)
	}
	caller := user.Caller
	x.Auth.IAM = &caller
	arn := authz.ExecuteAPIARN(a.region, a.account, &x.Exchange)
	// Another account's caller would need a resource policy, which HTTP
	// APIs do not have [D].
	if caller.AccountID != a.account || user.Decide(authz.PolicyRequest(&x.Exchange, arn, &caller)) != policy.Allow {
		x.Auth.Error = "User: " + caller.ARN + " is not authorized to perform: execute-api:Invoke on resource: " + authz.MaskAccount(arn)
		return pipeline.Fail(pipeline.AccessDenied, nil)
	}
	x.authorizer = &proxyevent.Authorizer{IAM: &proxyevent.IAMAuth{
		AccessKey: caller.AccessKey, AccountID: caller.AccountID, CallerID: caller.UserID,
		UserARN: caller.ARN, UserID: caller.UserID,
	}}
	return nil
}

// routeARN is the ARN a Lambda authorizer's event names for x: the
// request's execute-api ARN ({stage}/{METHOD}/{path}), or
// {stage}/$default for the $default route [D][L].
func routeARN(region, account string, x *Exchange) string {
	if x.Match.Route != nil && x.Match.Route.Default {
		return "arn:aws:execute-api:" + region + ":" + account + ":" + x.APIID + "/" + x.StageName + "/" + defaultKey
	}
	return authz.ExecuteAPIARN(region, account, &x.Exchange)
}

// contextText is a Lambda authorizer's context as text, for
// $context.authorizer.{key}: strings as they are, other values as their
// JSON text (which is how HTTP APIs print numbers and booleans [D]).
func contextText(c *proxyevent.Context) map[string]string {
	if c.Len() == 0 {
		return nil
	}
	out := make(map[string]string, c.Len())
	for i := range c.Len() {
		k, _ := c.At(i)
		out[k], _ = c.Text(k)
	}
	return out
}
