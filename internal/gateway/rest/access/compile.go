package access

import (
	"context"
	"fmt"

	"github.com/tollgate/tollgate/internal/apikey"
	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

// KeyLookup finds API keys for the data plane (*apikey.Index).
type KeyLookup interface {
	// Lookup finds the key with this value; ok when it is enabled and
	// belongs to a usage plan bound to apiID/stage, which is returned.
	Lookup(value, apiID, stage string) (apikey.Key, *apikey.Plan, bool)
}

// TokenVerifier checks the tokens of COGNITO_USER_POOLS authorizers
// (internal/jwtauth). An error means 401 Unauthorized.
type TokenVerifier interface {
	Verify(ctx context.Context, token string, providerARNs, scopes []string, audienceExpr string) (claims map[string]string, err error)
}

// Compiler builds the access checks of deployments. Its fields are fixed
// at start-up.
type Compiler struct {
	Region, AccountID string
	// Lambda runs Lambda authorizers.
	Lambda invoker.Lambda
	// Users authenticate AWS_IAM methods (nil: no IAM users, every signed
	// call is unrecognised).
	Users *authz.Users
	// Tokens verifies Cognito user pool tokens (nil: every token fails).
	Tokens TokenVerifier
	// Keys finds API keys (nil: no key is valid).
	Keys KeyLookup
	// Limiter and Counter enforce usage plans' throttles and quotas (nil:
	// not enforced).
	Limiter ratelimit.Limiter
	Counter ratelimit.Counter
	// Decisions counts the usage plans' throttle and quota decisions
	// (nil: nothing).
	Decisions *throttle.Decisions
}

// Deployment is the compiled access state of one deployment: its resource
// policy and authorizers, from which each method's Guard is built.
type Deployment struct {
	c           *Compiler
	policy      *policy.Policy
	keySource   string // HEADER or AUTHORIZER
	lambdas     map[string]*lambdaAuthorizer
	cognitos    map[string]*cognitoAuthorizer
	authorizers map[string]*model.Authorizer
}

// Deployment compiles a snapshot's resource policy and authorizers.
func (c *Compiler) Deployment(snap *model.Snapshot) (*Deployment, error) {
	d := &Deployment{c: c, keySource: snap.API.ApiKeySource, lambdas: map[string]*lambdaAuthorizer{},
		cognitos: map[string]*cognitoAuthorizer{}, authorizers: map[string]*model.Authorizer{}}
	if doc := model.Deref(snap.API.Policy); doc != "" {
		expanded, err := policy.ExpandExecuteAPI([]byte(doc), c.Region, c.AccountID, snap.API.ID)
		if err != nil {
			return nil, fmt.Errorf("resource policy: %w", err)
		}
		if d.policy, err = policy.Parse(expanded); err != nil {
			return nil, fmt.Errorf("resource policy: %w", err)
		}
	}
	for i := range snap.Authorizers {
		a := &snap.Authorizers[i]
		d.authorizers[a.ID] = a
		switch a.Type {
		case "TOKEN", "REQUEST":
			la, err := compileLambdaAuthorizer(a, c.Lambda)
			if err != nil {
				return nil, err
			}
			d.lambdas[a.ID] = la
		case "COGNITO_USER_POOLS":
			d.cognitos[a.ID] = compileCognitoAuthorizer(a, c.Tokens)
		}
	}
	return d, nil
}

// HasPolicy reports whether the API has a resource policy.
func (d *Deployment) HasPolicy() bool { return d.policy != nil }

// Guard returns the checks for one method, or nil when it needs none.
func (d *Deployment) Guard(m *model.Method) (rest.Guard, error) {
	g := &guard{c: d.c, policy: d.policy, apiKeyRequired: m.ApiKeyRequired, keyFromAuthorizer: d.keySource == "AUTHORIZER"}
	switch m.AuthorizationType {
	case "", "NONE":
		g.kind = authNone
	case "AWS_IAM":
		g.kind = authIAM
	case "CUSTOM", "COGNITO_USER_POOLS":
		id := model.Deref(m.AuthorizerID)
		if la, ok := d.lambdas[id]; ok {
			g.kind, g.lambda = authLambda, la
		} else if ca, ok := d.cognitos[id]; ok {
			g.kind, g.cognito = authCognito, ca.withScopes(m.AuthorizationScopes)
		} else {
			return nil, fmt.Errorf("method %s: authorizer %q is not in the deployment", m.HTTPMethod, id)
		}
	default:
		return nil, fmt.Errorf("method %s: unknown authorizationType %q", m.HTTPMethod, m.AuthorizationType)
	}
	if g.kind == authNone && g.policy == nil && !g.apiKeyRequired {
		return nil, nil
	}
	return g, nil
}
