package oas

import (
	"strings"

	"github.com/tollgate/tollgate/internal/policy"
)

// Variables replaces the AWS variables of an OpenAPI import in a region
// and account: ${AWS::AccountId}, ${AWS::Partition} and ${AWS::Region},
// which "API Gateway resolves when the API is imported" [D: "AWS variables
// for OpenAPI import", API Gateway developer guide; "HTTP APIs support the
// same AWS variables as REST APIs", "Working with OpenAPI definitions for
// HTTP APIs"].
func Variables(region, accountID string) *strings.Replacer {
	return strings.NewReplacer(
		"${AWS::AccountId}", accountID,
		"${AWS::Partition}", policy.Partition(region),
		"${AWS::Region}", region,
	)
}

// ResolveVariables applies r to every string value under v, in place, and
// returns v. The documentation's example puts the variables in an
// integration uri; they are resolved in every string value of the
// document (uris, credentials, policies, templates, ...), as it sets no
// limit [U].
func ResolveVariables(v any, r *strings.Replacer) any {
	switch t := v.(type) {
	case string:
		if strings.Contains(t, "${AWS::") {
			return r.Replace(t)
		}
	case Obj:
		for k, x := range t {
			t[k] = ResolveVariables(x, r)
		}
	case []any:
		for i, x := range t {
			t[i] = ResolveVariables(x, r)
		}
	}
	return v
}
