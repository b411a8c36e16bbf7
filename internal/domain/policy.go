package domain

import "crypto/tls"

// Policy is a TLS security policy a domain can name [M][D:
// apigateway-security-policies-list].
type Policy struct {
	// Name is the securityPolicy value.
	Name string
	// Enhanced policies (SecurityPolicy_*) need an endpointAccessMode and
	// rule out mutual TLS and HTTP API mappings.
	Enhanced bool
	// Endpoints are the endpoint types the policy applies to.
	Endpoints []string
	// MinVersion and MaxVersion bound the TLS versions negotiated.
	MinVersion, MaxVersion uint16
}

// Policies are the security policies of the apigateway model, by name.
// The legacy ones (TLS_1_0, TLS_1_2) apply to every endpoint type; the
// enhanced ones to regional and private, or (the *_EDGE ones) to edge
// endpoints. TLS_1_2 is the default for new domains [D].
var Policies = map[string]Policy{
	"TLS_1_0": {Name: "TLS_1_0", Endpoints: []string{Edge, Regional, Private}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS13},
	"TLS_1_2": {Name: "TLS_1_2", Endpoints: []string{Edge, Regional, Private}, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13},

	"SecurityPolicy_TLS13_1_3_2025_09":             enhanced("SecurityPolicy_TLS13_1_3_2025_09", tls.VersionTLS13, Regional, Private),
	"SecurityPolicy_TLS13_1_3_FIPS_2025_09":        enhanced("SecurityPolicy_TLS13_1_3_FIPS_2025_09", tls.VersionTLS13, Regional, Private),
	"SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09":      enhanced("SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", tls.VersionTLS12, Regional, Private),
	"SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09":     enhanced("SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09", tls.VersionTLS12, Regional, Private),
	"SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09": enhanced("SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09", tls.VersionTLS12, Regional, Private),
	"SecurityPolicy_TLS13_1_2_PQ_2025_09":          enhanced("SecurityPolicy_TLS13_1_2_PQ_2025_09", tls.VersionTLS12, Regional, Private),
	"SecurityPolicy_TLS13_1_2_2021_06":             enhanced("SecurityPolicy_TLS13_1_2_2021_06", tls.VersionTLS12, Regional, Private),
	"SecurityPolicy_TLS13_2025_EDGE":               enhanced("SecurityPolicy_TLS13_2025_EDGE", tls.VersionTLS13, Edge),
	"SecurityPolicy_TLS12_PFS_2025_EDGE":           enhanced("SecurityPolicy_TLS12_PFS_2025_EDGE", tls.VersionTLS12, Edge),
	"SecurityPolicy_TLS12_2018_EDGE":               enhanced("SecurityPolicy_TLS12_2018_EDGE", tls.VersionTLS12, Edge),
}

// PolicyNames lists the apigateway SecurityPolicy enum in the model's
// order (the order AWS prints in enum validation messages).
var PolicyNames = []string{
	"TLS_1_0", "TLS_1_2",
	"SecurityPolicy_TLS13_1_3_2025_09", "SecurityPolicy_TLS13_1_3_FIPS_2025_09",
	"SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", "SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09", "SecurityPolicy_TLS13_1_2_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_2021_06", "SecurityPolicy_TLS13_2025_EDGE",
	"SecurityPolicy_TLS12_PFS_2025_EDGE", "SecurityPolicy_TLS12_2018_EDGE",
}

// DefaultPolicy is the policy of a domain created without one [D].
const DefaultPolicy = "TLS_1_2"

func enhanced(name string, minVersion uint16, endpoints ...string) Policy {
	return Policy{Name: name, Enhanced: true, Endpoints: endpoints, MinVersion: minVersion, MaxVersion: tls.VersionTLS13}
}

// AppliesTo reports whether the policy may be used on an endpoint type.
func (p Policy) AppliesTo(endpoint string) bool {
	for _, e := range p.Endpoints {
		if e == endpoint {
			return true
		}
	}
	return false
}
