package cli

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest/access"
	"github.com/tollgate/tollgate/internal/jwtauth"
)

// newAccess builds the data plane's access control from the settings: IAM
// users for AWS_IAM methods and the private networks that may call PRIVATE
// APIs.
func newAccess(s config.Settings, lambda invoker.Lambda, log *slog.Logger) (*access.Compiler, pipeline.Networks, error) {
	var users []authz.User
	for _, u := range s.IAMUsers {
		docs, err := u.PolicyDocuments()
		if err != nil {
			return nil, nil, err
		}
		users = append(users, authz.User{Name: u.Name, AccountID: u.AccountID, AccessKeyID: u.AccessKeyID,
			SecretAccessKey: u.SecretAccessKey, Policies: docs})
	}
	iam, err := authz.NewUsers(s.Region, s.AccountID, users)
	if err != nil {
		return nil, nil, err
	}
	var networks pipeline.Networks
	for _, n := range s.PrivateNetworks {
		nw := pipeline.Network{Name: n.Name, VPC: n.VPC}
		for _, c := range n.CIDRs {
			p, err := config.ParseCIDR(c)
			if err != nil {
				return nil, nil, fmt.Errorf("private network %s: %w", n.Name, err)
			}
			nw.Prefixes = append(nw.Prefixes, p)
		}
		networks = append(networks, nw)
	}
	jwt, err := jwtauth.New(jwtauth.Config{Logger: log.With("component", "jwtauth")})
	if err != nil {
		return nil, nil, err
	}
	tokens := &cognitoTokens{v: jwt, overrides: s.CognitoIssuers}
	return &access.Compiler{Region: s.Region, AccountID: s.AccountID, Lambda: lambda, Users: iam, Tokens: tokens}, networks, nil
}

// cognitoTokens verifies COGNITO_USER_POOLS tokens: user pool ARNs map to
// issuers (the configured --cognito-issuer overrides, else Cognito's own
// issuer URL).
type cognitoTokens struct {
	v         *jwtauth.Verifier
	overrides map[string]string
	issuers   sync.Map // providerARN → issuer URL
}

// Verify implements access.TokenVerifier.
func (c *cognitoTokens) Verify(ctx context.Context, token string, providers, scopes []string, audience string) (map[string]string, error) {
	issuers := make([]string, 0, len(providers))
	for _, p := range providers {
		if is, ok := c.issuers.Load(p); ok {
			issuers = append(issuers, is.(string))
			continue
		}
		is, err := jwtauth.IssuerForProvider(p, c.overrides)
		if err != nil {
			continue // an unusable provider ARN matches no token
		}
		c.issuers.Store(p, is)
		issuers = append(issuers, is)
	}
	res, err := c.v.Authorize(ctx, token, issuers, scopes, audience)
	if err != nil {
		return nil, err
	}
	return res.Claims, nil
}
