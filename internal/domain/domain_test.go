package domain

import "testing"

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
