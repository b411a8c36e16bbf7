package proxyevent

import (
	"time"
)

// HeaderSource yields the client's request headers. pipeline.Request and
// fasthttp's RequestHeader (VisitAll) have this shape.
type HeaderSource interface {
	// VisitHeaders calls fn for every header line in order, with the
	// client's casing. The slices are only valid during the call.
	VisitHeaders(fn func(name, value []byte))
}

// Params are the path parameters a route captured. router.Params has this
// shape.
type Params interface {
	Len() int
	At(i int) (name, value string)
}

// Request describes one client request. Strings may alias the engine's
// buffers; they are only read while an encoder runs.
type Request struct {
	// Method is the request method ("GET").
	Method string
	// RawPath is the path as the client sent it, still escaped, including
	// a named stage's prefix or a custom domain's base path ("/dev/pets/7").
	RawPath string
	// RawQuery is the query string without '?', not decoded.
	RawQuery string
	// Headers are the client's headers.
	Headers HeaderSource
	// Body is the request body (nil or empty: none).
	Body []byte

	// SourceIP is the client address (no port).
	SourceIP string
	// UserAgent overrides the User-Agent header for http.userAgent; empty
	// means the header's value.
	UserAgent string
	// Protocol is reported in requestContext; empty means "HTTP/1.1" (AWS
	// reports HTTP/2 clients as HTTP/1.1 too).
	Protocol string

	// ForwardedProto and ForwardedPort, when set, become the
	// x-forwarded-proto and x-forwarded-port headers ("https", "443"),
	// replacing the client's. TraceID, when set, becomes x-amzn-trace-id
	// ("Root=1-..."), replacing the client's.
	ForwardedProto, ForwardedPort, TraceID string

	// RouteKey is the matched route key ("GET /pets/{id}", "$default").
	RouteKey string
	// Stage is the stage name ("$default", "dev").
	Stage string
	// PathParams are the parameters the route captured (nil: none).
	PathParams Params
	// StageVariables are the stage's variables (nil or empty: none).
	StageVariables map[string]string

	// RequestID is $context.requestId (also the apigw-requestid header).
	RequestID string
	// Time is when the request arrived.
	Time time.Time
	// DomainName is the host the client used; DomainPrefix its first label
	// (derived from DomainName when empty).
	DomainName, DomainPrefix string
	// AccountID is the API owner's account; APIID the API's id.
	AccountID, APIID string

	// Authorizer is what the route's authorizer established (nil: the
	// route has none).
	Authorizer *Authorizer
	// ClientCert is the client's certificate under mutual TLS (nil: none).
	ClientCert *ClientCert
}

// Authorizer is the outcome of a route's authorization. Exactly one of JWT,
// Lambda and IAM is set.
type Authorizer struct {
	JWT    *JWTAuth
	Lambda *LambdaAuth
	IAM    *IAMAuth
}

// JWTAuth is what a JWT authorizer verified.
type JWTAuth struct {
	// Claims are the token's claims, stringified as API Gateway exposes
	// them (see jwtauth).
	Claims map[string]string
	// Scopes are the token's scopes; nil when the token has no scope or
	// scp claim (sent as null).
	Scopes []string
}

// LambdaAuth is what a Lambda authorizer answered.
type LambdaAuth struct {
	// PrincipalID is the principalId of an IAM-policy answer ("" for
	// simple answers).
	PrincipalID string
	// Context is the answer's context (nil: none).
	Context *Context
	// Latency is how long the authorizer took (1.0 integrationLatency).
	Latency time.Duration
}

// IAMAuth is the SigV4 caller of an AWS_IAM route.
type IAMAuth struct {
	AccessKey, AccountID, CallerID, PrincipalOrgID, UserARN, UserID string
	// CognitoIdentity is set for Cognito identity pool credentials.
	CognitoIdentity *CognitoIdentity
}

// CognitoIdentity is the Cognito identity behind IAM credentials.
type CognitoIdentity struct {
	AMR                        []string
	IdentityID, IdentityPoolID string
}

// ClientCert describes a mutual TLS client certificate.
type ClientCert struct {
	ClientCertPEM, SubjectDN, IssuerDN, SerialNumber string
	// NotBefore and NotAfter as API Gateway prints them
	// ("May 28 12:30:02 2019 GMT").
	NotBefore, NotAfter string
}

// routePath is the path part of a route key: "GET /pets/{id}" -> "/pets/{id}";
// "$default" stays "$default" (the 1.0 resource of the default route [C:
// a captured HTTP API 1.0 event shows "resource": "$default"]).
func routePath(routeKey string) string {
	for i := 0; i < len(routeKey); i++ {
		if routeKey[i] == ' ' {
			return routeKey[i+1:]
		}
	}
	return routeKey
}

// domainPrefix is the first label of host.
func domainPrefix(r *Request) string {
	if r.DomainPrefix != "" {
		return r.DomainPrefix
	}
	for i := 0; i < len(r.DomainName); i++ {
		if r.DomainName[i] == '.' {
			return r.DomainName[:i]
		}
	}
	return r.DomainName
}

func protocol(r *Request) string {
	if r.Protocol == "" {
		return "HTTP/1.1"
	}
	return r.Protocol
}
