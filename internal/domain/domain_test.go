package domain

import (
	"crypto/tls"
	"slices"
	"strings"
	"testing"
)

// TestRoutingModeSpellings: one stored value, apigateway's spelling; v2's
// spelling round-trips [D: set-routing-mode].
func TestRoutingModeSpellings(t *testing.T) {
	for i, v1 := range V1Modes {
		m := RoutingMode(v1)
		if m.V2() != V2Modes[i] {
			t.Errorf("%s.V2() = %s, want %s", v1, m.V2(), V2Modes[i])
		}
		back, ok := ParseV2(V2Modes[i])
		if !ok || back != m {
			t.Errorf("ParseV2(%s) = %s %v", V2Modes[i], back, ok)
		}
	}
	if _, ok := ParseV2("BASE_PATH_MAPPING_ONLY"); ok {
		t.Error("ParseV2 took apigateway's spelling")
	}
	if RoutingMode("").V2() != "API_MAPPING_ONLY" || !MappingsOnly.UsesMappings() || MappingsOnly.UsesRules() || RulesOnly.UsesMappings() || !RulesThenMappings.UsesRules() {
		t.Error("mode predicates")
	}
}

// TestPolicies: every model name has an entry, applying where the docs
// say; TLS_1_2 is the default.
func TestPolicies(t *testing.T) {
	if len(Policies) != len(PolicyNames) {
		t.Fatalf("%d policies, %d names", len(Policies), len(PolicyNames))
	}
	for _, n := range PolicyNames {
		p, ok := Policies[n]
		if !ok || p.Name != n {
			t.Errorf("policy %s missing", n)
		}
		edge := len(n) > 5 && n[len(n)-5:] == "_EDGE"
		switch {
		case !p.Enhanced && !(p.AppliesTo(Edge) && p.AppliesTo(Regional)):
			t.Errorf("%s: legacy policies apply everywhere", n)
		case p.Enhanced && edge && (p.AppliesTo(Regional) || !p.AppliesTo(Edge)):
			t.Errorf("%s: edge policy", n)
		case p.Enhanced && !edge && (p.AppliesTo(Edge) || !p.AppliesTo(Regional)):
			t.Errorf("%s: regional policy", n)
		}
	}
	if _, ok := Policies[DefaultPolicy]; !ok || DefaultPolicy != "TLS_1_2" {
		t.Error("default policy")
	}
}

// TestCipherSuites: the TLS 1.3-only policies list no TLS 1.2 suites; the
// others list only TLS 1.2-and-older suites Go knows, the PFS ones only
// ECDHE suites, TLS_1_0 the CBC-SHA ones TLS_1_2 lacks, and edge and
// regional endpoints their own lists [D: apigateway-security-policies-list].
func TestCipherSuites(t *testing.T) {
	known := map[uint16]*tls.CipherSuite{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		known[s.ID] = s
	}
	for _, name := range PolicyNames {
		p := Policies[name]
		for _, ep := range p.Endpoints {
			suites := p.CipherSuites(ep)
			if (p.MinVersion == tls.VersionTLS13) != (suites == nil) {
				t.Errorf("%s on %s: %d suites with minimum %s", name, ep, len(suites), tls.VersionName(p.MinVersion))
			}
			for _, id := range suites {
				s := known[id]
				if s == nil || !slices.Contains(s.SupportedVersions, tls.VersionTLS12) && !slices.Contains(s.SupportedVersions, tls.VersionTLS10) {
					t.Errorf("%s: suite %#x is not a TLS 1.2 suite Go has", name, id)
					continue
				}
				if strings.Contains(name, "PFS") && !strings.HasPrefix(s.Name, "TLS_ECDHE_") {
					t.Errorf("%s: %s is not forward-secret", name, s.Name)
				}
			}
		}
	}
	has := func(policy, ep string, id uint16) bool { return slices.Contains(Policies[policy].CipherSuites(ep), id) }
	if !has("TLS_1_0", Regional, tls.TLS_RSA_WITH_AES_128_CBC_SHA) || has("TLS_1_2", Regional, tls.TLS_RSA_WITH_AES_128_CBC_SHA) ||
		!has("TLS_1_2", Edge, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256) || has("TLS_1_2", Regional, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256) ||
		!has("TLS_1_2", Regional, tls.TLS_RSA_WITH_AES_128_GCM_SHA256) {
		t.Error("the TLS_1_0 / TLS_1_2 lists differ from AWS's tables")
	}
}
