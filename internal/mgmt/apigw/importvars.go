package apigw

import (
	"strings"

	"github.com/tollgate/tollgate/internal/policy"
)

// awsVariables replaces the AWS variables of an OpenAPI import:
// ${AWS::AccountId}, ${AWS::Partition} and ${AWS::Region}, which "API
// Gateway resolves when the API is imported" [D: "AWS variables for
// OpenAPI import", API Gateway developer guide]. The page's example puts
// them in an integration uri; they are resolved in every string value of
// the document (integration uri and credentials, authorizer uri and
// credentials, policy, templates, ...), as the page sets no limit [U].
func (a *API) awsVariables() *strings.Replacer {
	return strings.NewReplacer(
		"${AWS::AccountId}", a.accountID,
		"${AWS::Partition}", policy.Partition(a.region),
		"${AWS::Region}", a.region,
	)
}

// resolveAWSVariables applies r to every string value under v, in place.
func resolveAWSVariables(v any, r *strings.Replacer) any {
	switch t := v.(type) {
	case string:
		if strings.Contains(t, "${AWS::") {
			return r.Replace(t)
		}
	case obj:
		for k, x := range t {
			t[k] = resolveAWSVariables(x, r)
		}
	case []any:
		for i, x := range t {
			t[i] = resolveAWSVariables(x, r)
		}
	}
	return v
}

// readDocument parses an import body and resolves its AWS variables.
func (a *API) readDocument(body []byte) (obj, []string, error) {
	doc, warnings, err := parseOpenAPI(body)
	if err != nil {
		return nil, nil, err
	}
	resolveAWSVariables(doc, a.awsVariables())
	return doc, warnings, nil
}
