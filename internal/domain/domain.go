// Package domain is the stored model of custom domain names: one Domain
// document per name, behind both management APIs (apigateway's
// /domainnames and apigatewayv2's /v2/domainnames render it two ways),
// with its API mappings (v1 base path mappings are the same objects) and
// routing rules as separate documents. It is what a data-plane compiler
// reads to build the domain table:
//
//	domain/{name}                      Domain
//	domainmapping/{name}/{mappingId}   Mapping
//	domainrule/{name}/{ruleId}         RoutingRule
//
// For each Domain: the server certificate is the ACM certificate named by
// ServingCertificateARN (acm.Key(id) → acm.Certificate.KeyPair), the TLS
// versions and suites come from Policies[SecurityPolicy], mutual TLS
// trusts MutualTLS.TruststorePEM, and requests are routed by RoutingMode
// through the rules (ascending Priority) and mappings (longest Key).
// Private custom domains (a domainNameId) are not modelled yet; when they
// are, their key is "domain/{name}+{domainNameId}", which no public name
// can collide with.
package domain

import "strings"

// Store key prefixes.
const (
	PrefixDomains  = "domain/"
	PrefixMappings = "domainmapping/"
	PrefixRules    = "domainrule/"
)

// Key is the store key of the domain name.
func Key(name string) string { return PrefixDomains + name }

// MappingKey is the store key of one API mapping of a domain.
func MappingKey(domain, id string) string { return PrefixMappings + domain + "/" + id }

// MappingsPrefix is the prefix of every API mapping of a domain.
func MappingsPrefix(domain string) string { return PrefixMappings + domain + "/" }

// RuleKey is the store key of one routing rule of a domain.
func RuleKey(domain, id string) string { return PrefixRules + domain + "/" + id }

// RulesPrefix is the prefix of every routing rule of a domain.
func RulesPrefix(domain string) string { return PrefixRules + domain + "/" }

// Endpoint types [M].
const (
	Edge     = "EDGE"
	Regional = "REGIONAL"
	Private  = "PRIVATE"
)

// RoutingMode is how requests to a domain choose their API, stored in
// apigateway's spelling; apigatewayv2 spells two of them differently
// (V2, ParseV2) [D: set-routing-mode].
type RoutingMode string

// Routing modes.
const (
	MappingsOnly      RoutingMode = "BASE_PATH_MAPPING_ONLY"
	RulesOnly         RoutingMode = "ROUTING_RULE_ONLY"
	RulesThenMappings RoutingMode = "ROUTING_RULE_THEN_BASE_PATH_MAPPING"
)

// V1Modes lists the apigateway values, V2Modes the apigatewayv2 ones, in
// the models' order.
var (
	V1Modes = []string{string(MappingsOnly), string(RulesOnly), string(RulesThenMappings)}
	V2Modes = []string{"API_MAPPING_ONLY", "ROUTING_RULE_ONLY", "ROUTING_RULE_THEN_API_MAPPING"}
)

// V2 spells m as apigatewayv2 does.
func (m RoutingMode) V2() string {
	switch m {
	case MappingsOnly, "":
		return "API_MAPPING_ONLY"
	case RulesThenMappings:
		return "ROUTING_RULE_THEN_API_MAPPING"
	}
	return string(m)
}

// ParseV2 reads an apigatewayv2 spelling; ok is false for anything else.
func ParseV2(s string) (RoutingMode, bool) {
	switch s {
	case "API_MAPPING_ONLY":
		return MappingsOnly, true
	case "ROUTING_RULE_ONLY":
		return RulesOnly, true
	case "ROUTING_RULE_THEN_API_MAPPING":
		return RulesThenMappings, true
	}
	return "", false
}

// UsesRules reports whether routing rules are consulted.
func (m RoutingMode) UsesRules() bool { return m == RulesOnly || m == RulesThenMappings }

// UsesMappings reports whether API mappings are consulted.
func (m RoutingMode) UsesMappings() bool { return m != RulesOnly }

// Domain is a custom domain name.
type Domain struct {
	// Name is the domain name, lower case; "*.example.com" for a wildcard.
	Name string `json:"name"`
	// EndpointType is Edge or Regional.
	EndpointType string `json:"endpointType"`
	// IPAddressType is "ipv4" or "dualstack".
	IPAddressType string `json:"ipAddressType"`
	// CertificateARN is the edge (or private) certificate: what v1 calls
	// certificateArn. RegionalCertificateARN is a regional domain's.
	// Each ARN names an acm.Certificate of this account and region.
	CertificateARN          string `json:"certificateArn,omitempty"`
	CertificateName         string `json:"certificateName,omitempty"`
	RegionalCertificateARN  string `json:"regionalCertificateArn,omitempty"`
	RegionalCertificateName string `json:"regionalCertificateName,omitempty"`
	// CertificateUploadDate is when the serving certificate was last set
	// (epoch seconds).
	CertificateUploadDate int64 `json:"certificateUploadDate"`
	// SecurityPolicy names an entry of Policies.
	SecurityPolicy string `json:"securityPolicy"`
	// EndpointAccessMode is "BASIC" or "STRICT" with an enhanced policy,
	// "" with a legacy one.
	EndpointAccessMode string `json:"endpointAccessMode,omitempty"`
	// RoutingMode chooses between routing rules and mappings.
	RoutingMode RoutingMode `json:"routingMode"`
	// MutualTLS, when set, makes the domain require client certificates.
	MutualTLS *MutualTLS `json:"mutualTls,omitempty"`
	// OwnershipVerificationCertificateARN proves ownership of the name
	// when the serving certificate is imported and mutual TLS is on; it
	// is never served.
	OwnershipVerificationCertificateARN string `json:"ownershipVerificationCertificateArn,omitempty"`
	// HostID is the random part of the AWS host names the domain would
	// have ("d-{HostID}.execute-api…", "{HostID}.cloudfront.net").
	HostID string `json:"hostId"`
	// Tags of the domain.
	Tags map[string]string `json:"tags,omitempty"`
	// CreatedDate is when the domain was created (epoch seconds).
	CreatedDate int64 `json:"createdDate"`
}

// ServingCertificateARN is the ACM certificate the domain presents: the
// regional certificate of a regional domain, the edge certificate of an
// edge one.
func (d *Domain) ServingCertificateARN() string {
	if d.EndpointType == Regional {
		return d.RegionalCertificateARN
	}
	return d.CertificateARN
}

// Wildcard reports whether the domain is a wildcard ("*.example.com"),
// which serves every host one label in front of its suffix unless a
// domain of that exact name exists.
func (d *Domain) Wildcard() bool { return strings.HasPrefix(d.Name, "*.") }

// MutualTLS is a domain's client-certificate requirement.
type MutualTLS struct {
	// TruststoreURI is "s3://bucket/key" as given; TruststoreVersion the
	// optional version label.
	TruststoreURI     string `json:"truststoreUri"`
	TruststoreVersion string `json:"truststoreVersion,omitempty"`
	// TruststoreWarnings name the certificates of the truststore that
	// were left out (one string per problem).
	TruststoreWarnings []string `json:"truststoreWarnings,omitempty"`
	// TruststorePEM holds the CA certificates read from the truststore
	// when the domain was created or the truststore last set, the ones
	// accepted: clients must chain to one of them.
	TruststorePEM string `json:"truststorePem"`
}

// API types a mapping can target.
const (
	APIRest      = "REST"
	APIHTTP      = "HTTP"
	APIWebSocket = "WEBSOCKET"
)

// Mapping maps a base path of a domain to an API stage: an apigatewayv2
// API mapping, which apigateway shows as a base path mapping.
type Mapping struct {
	// ID is the apiMappingId (10 characters).
	ID string `json:"id"`
	// Key is the base path without leading or trailing slashes ("" for
	// the root, which apigateway shows as "(none)"); it may have several
	// segments ("v1/orders").
	Key string `json:"key"`
	// APIID and APIType name the API: a REST API (model.KeyRestApi) or
	// an HTTP/WebSocket API (modelv2.KeyApi).
	APIID   string `json:"apiId"`
	APIType string `json:"apiType"`
	// Stage is the stage served; "" (v1 mappings only) means the first
	// path segment after the base path names the stage.
	Stage string `json:"stage,omitempty"`
}

// MultiLevel reports whether the key has more than one segment.
func (m *Mapping) MultiLevel() bool { return strings.Contains(m.Key, "/") }

// RoutingRule routes requests matching all its conditions to the stage
// its action names. Its JSON form is the apigatewayv2 wire form.
type RoutingRule struct {
	ID string `json:"routingRuleId"`
	// Priority orders rule evaluation (ascending); unique per domain.
	Priority   int         `json:"priority"`
	Conditions []Condition `json:"conditions"`
	Actions    []Action    `json:"actions"`
}

// Condition is one condition of a rule: exactly one member is set.
type Condition struct {
	MatchHeaders   *MatchHeaders   `json:"matchHeaders,omitempty"`
	MatchBasePaths *MatchBasePaths `json:"matchBasePaths,omitempty"`
}

// MatchHeaders holds when a header matches (AWS allows one entry).
type MatchHeaders struct {
	AnyOf []HeaderMatch `json:"anyOf"`
}

// HeaderMatch matches a header by name (case-insensitively) and a glob
// on its value (case-sensitively): "*suffix", "prefix*", "*infix*", a
// literal, or "*".
type HeaderMatch struct {
	Header    string `json:"header"`
	ValueGlob string `json:"valueGlob"`
}

// MatchBasePaths holds when the path starts with the base path (AWS
// allows one entry).
type MatchBasePaths struct {
	AnyOf []string `json:"anyOf"`
}

// Action is what a matching rule does: invoke a REST API stage.
type Action struct {
	InvokeAPI *InvokeAPI `json:"invokeApi,omitempty"`
}

// InvokeAPI names the REST API stage a rule sends requests to;
// StripBasePath removes the matched base path from the path it sees.
type InvokeAPI struct {
	APIID         string `json:"apiId"`
	Stage         string `json:"stage"`
	StripBasePath bool   `json:"stripBasePath"`
}

// ARN is a public domain's ARN (the account field is empty) [X].
func ARN(region, name string) string {
	return "arn:aws:apigateway:" + region + "::/domainnames/" + name
}

// RuleARN is a routing rule's ARN [X].
func RuleARN(region, account, domain, id string) string {
	return "arn:aws:apigateway:" + region + ":" + account + ":/domainnames/" + domain + "/routingrules/" + id
}
