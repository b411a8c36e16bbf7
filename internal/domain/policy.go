package domain

import (
	"crypto/tls"
	"slices"
)

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

// TLS 1.2 and older cipher suites of the policies, in the order of AWS's
// tables [D: apigateway-security-policies-list]. Go's crypto/tls lacks
// the CBC suites with SHA-384 (ECDHE-*-AES256-SHA384) and AES256-SHA256:
// those entries are left out. TLS 1.3 suites are not configurable in Go
// (all three are always offered).
var (
	// ECDHE GCM suites: the PFS policies.
	suitesPFS = []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	}
	// Regional/private TLS_1_2 and the enhanced 1.2 policies that are
	// not PFS-only.
	suitesRegional12 = []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	}
	// Regional/private TLS_1_0: TLS_1_2's and the CBC-SHA ones.
	suitesRegional10 = append(slices.Clip(suitesRegional12),
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	)
	suitesEdgePFS = []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
	suitesEdge2018 = append(slices.Clip(suitesEdgePFS),
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256)
	suitesEdge12 = append(slices.Clip(suitesEdge2018),
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_RSA_WITH_AES_128_CBC_SHA256)
	suitesEdge10 = []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	}
)

// CipherSuites are the TLS 1.0–1.2 cipher suites the policy allows on an
// endpoint type (Edge, or Regional/Private), nil for the TLS 1.3-only
// policies. Go picks among them the suites that fit the certificate's key.
func (p Policy) CipherSuites(endpoint string) []uint16 {
	if p.MinVersion >= tls.VersionTLS13 {
		return nil
	}
	edge := endpoint == Edge
	switch p.Name {
	case "TLS_1_0":
		if edge {
			return suitesEdge10
		}
		return suitesRegional10
	case "TLS_1_2":
		if edge {
			return suitesEdge12
		}
		return suitesRegional12
	case "SecurityPolicy_TLS12_PFS_2025_EDGE":
		return suitesEdgePFS
	case "SecurityPolicy_TLS12_2018_EDGE":
		return suitesEdge2018
	case "SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09", "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
		// Absent from AWS's table; taken as its FIPS PFS sibling [U].
		"SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09":
		return suitesPFS
	}
	// SecurityPolicy_TLS13_1_2_PQ_2025_09, SecurityPolicy_TLS13_1_2_2021_06.
	return suitesRegional12
}
