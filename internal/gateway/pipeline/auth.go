package pipeline

import (
	"net/netip"
	"time"
)

// Authorization is what access control learned about the caller, for
// $context.authorizer.*, $context.identity.* and integration payloads.
type Authorization struct {
	// Authorized is set when an authorizer (Lambda or Cognito) allowed the
	// request.
	Authorized bool
	// PrincipalID is the Lambda authorizer's principalId.
	PrincipalID string
	// Context is the Lambda authorizer's context, values stringified as
	// API Gateway hands them to REST integrations.
	Context map[string]string
	// Claims are a Cognito user pool token's claims, stringified.
	Claims map[string]string
	// Latency is the time the authorizer took (cache hits: 0).
	Latency time.Duration
	// IAM is the SigV4-authenticated caller of an AWS_IAM method.
	IAM *Caller
	// UsageIdentifierKey is the API key a Lambda authorizer returned (used
	// when the API's apiKeySource is AUTHORIZER).
	UsageIdentifierKey string
	// APIKey and APIKeyID identify the API key a request used.
	APIKey, APIKeyID string
	// InvalidateCache is set when the caller may invalidate cache entries
	// (IAM execute-api:InvalidateCache on the method), which access control
	// decides only for requests that ask to (Cache-Control: max-age=0).
	InvalidateCache bool
	// Error is why an HTTP API's authorizer refused the request or failed
	// ($context.authorizer.error).
	Error string
	// SourceVpce is the private network (standing in for a VPC endpoint)
	// the request came from, "" for public callers.
	SourceVpce string
	// AuthorizerCache is how a Lambda authorizer's result cache answered
	// (NoCacheLookup: no cache was consulted), for metrics and spans.
	AuthorizerCache CacheLookup
}

// CacheLookup is how a cache answered a request.
type CacheLookup uint8

// Cache lookups.
const (
	NoCacheLookup CacheLookup = iota
	CacheLookupHit
	CacheLookupMiss
)

// Caller is an IAM identity.
type Caller struct {
	AccessKey string
	AccountID string
	// ARN is the user's ARN (arn:aws:iam::{account}:user/{name}).
	ARN string
	// UserID is the IAM unique id ($context.identity.user / caller).
	UserID string
	// Name is the user name (aws:username).
	Name string
}

// Network is a named set of address ranges standing in for an interface
// VPC endpoint: requests from these ranges may call PRIVATE APIs, and
// resource policies see the name as aws:SourceVpce (and VPC as aws:SourceVpc).
type Network struct {
	// Name is the VPC endpoint id it stands for ("vpce-0123…").
	Name string
	// VPC is the VPC id reported as aws:SourceVpc ("" when unset).
	VPC      string
	Prefixes []netip.Prefix
}

// Networks are the configured private networks.
type Networks []Network

// Lookup returns the network addr belongs to.
func (ns Networks) Lookup(addr netip.Addr) (*Network, bool) {
	addr = addr.Unmap()
	for i := range ns {
		for _, p := range ns[i].Prefixes {
			if p.Contains(addr) {
				return &ns[i], true
			}
		}
	}
	return nil, false
}
