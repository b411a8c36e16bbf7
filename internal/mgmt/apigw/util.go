package apigw

import (
	"encoding/json"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
)

func in1(s string, set []string) bool {
	return indexOf(set, s) >= 0
}

func indexOf(set []string, s string) int {
	for i, x := range set {
		if x == s {
			return i
		}
	}
	return -1
}

func allIn(vals, set []string) bool {
	for _, v := range vals {
		if !in1(v, set) {
			return false
		}
	}
	return true
}

func without(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func dedupe(list []string) []string {
	var out []string
	for _, x := range list {
		if !in1(x, out) {
			out = append(out, x)
		}
	}
	return out
}

// optional turns "" into nil, as AWS clears a string member replaced with
// an empty value.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// parseBool reads a patch value as Java's Boolean.parseBoolean does:
// "true" (any case) is true, anything else false [V].
func parseBool(s string) (bool, error) {
	return strings.EqualFold(s, "true"), nil
}

// splitList splits a comma-separated patch value.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// validatePolicy checks that a resource policy is a JSON object. Its
// semantics are checked when a deployment is compiled.
func validatePolicy(p string) error {
	var doc map[string]any
	if err := json.Unmarshal([]byte(p), &doc); err != nil {
		// [U] AWS's text for a malformed policy.
		return awserr.BadRequest("Invalid policy document. Please check the policy syntax and ensure that Principals are valid.")
	}
	return nil
}

// validateTags enforces the tag limits of the service model.
func validateTags(tags map[string]string) error {
	return docstore.CheckTags(tags, docstore.TagLimits{MaxTags: 50, MaxValue: 256})
}
