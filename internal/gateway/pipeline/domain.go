package pipeline

import "crypto/tls"

// DomainRoute is what routed a request that came through a custom domain
// name: one API mapping (base path mapping) or one routing rule of the
// domain. The front door compiles one per mapping and rule; it is
// immutable and shared by every request it routes.
type DomainRoute struct {
	// Domain is the domain name as configured ("*.example.com" for a
	// wildcard domain).
	Domain string
	// BasePathMatched is $context.customDomain.basePathMatched: the
	// mapping key that matched, "(none)" for the root mapping [U]; empty
	// when a rule routed the request.
	BasePathMatched string
	// RoutingRuleID is $context.customDomain.routingRuleIdMatched: the
	// rule that routed the request; empty when a mapping did [D].
	RoutingRuleID string
	// LowerHeaderNames is set on the mappings of a domain that has a
	// multi-level mapping ("v1/orders"): API Gateway then hands every
	// request header to the integration with its name in lower case [D:
	// "When you use multi-level API mappings, API Gateway converts all
	// header names to lowercase", rest-api-mappings / http-api-mappings].
	LowerHeaderNames bool
}

// LowerHeaderNames reports whether the integration gets the request's
// header names in lower case (see DomainRoute.LowerHeaderNames).
func (a *Address) LowerHeaderNames() bool { return a.Domain != nil && a.Domain.LowerHeaderNames }

// ClientCert is the client certificate a mutual TLS domain verified, as
// $context.identity.clientCert shows it [D: rest-api-mutual-tls]: the
// leaf alone in PEM, its subject and issuer as RFC 2253-style names
// ("CN=client,O=Example") [U: the DN format], the serial number as
// colon-separated lower-case hex bytes, and the validity dates in
// OpenSSL's print form ("May 28 12:30:02 2019 GMT").
type ClientCert struct {
	PEM          string
	SubjectDN    string
	IssuerDN     string
	SerialNumber string
	NotBefore    string
	NotAfter     string
}

// TLSRequest is a Request that came over TLS and can tell how its
// connection was negotiated (the server name the client asked for, the
// certificates it presented). Engines that serve TLS implement it; the
// front door needs it for domains with mutual TLS or a STRICT endpoint
// access mode.
type TLSRequest interface {
	// TLSState is the connection's state, or nil when the request did
	// not come over TLS.
	TLSState() *tls.ConnectionState
}

// appendDomainContext appends the $context variables of custom domains and
// mutual TLS: absent (null, "-" in access logs) for the execute-api
// addresses and without a client certificate.
func (x *Exchange) appendDomainContext(buf []byte, v CtxVar) ([]byte, bool) {
	var s string
	switch v {
	case CtxCustomDomainBasePathMatched:
		if x.Domain != nil {
			s = x.Domain.BasePathMatched
		}
	case CtxCustomDomainRoutingRuleIDMatched:
		if x.Domain != nil {
			s = x.Domain.RoutingRuleID
		}
	default:
		c := x.ClientCert
		if c == nil {
			return buf, false
		}
		switch v {
		case CtxIdentityClientCertPem:
			s = c.PEM
		case CtxIdentityClientCertSubjectDN:
			s = c.SubjectDN
		case CtxIdentityClientCertIssuerDN:
			s = c.IssuerDN
		case CtxIdentityClientCertSerialNumber:
			s = c.SerialNumber
		case CtxIdentityClientCertNotBefore:
			s = c.NotBefore
		case CtxIdentityClientCertNotAfter:
			s = c.NotAfter
		}
	}
	return append(buf, s...), s != ""
}
