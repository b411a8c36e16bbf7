package domains

import (
	"slices"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
)

func contains(list []string, s string) bool { return slices.Contains(list, s) }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// nullAt is the model violation for a missing required member (v1).
func nullAt(v *awserr.Validation, at string) {
	v.Add("Value null at '" + at + "' failed to satisfy constraint: Member must not be null")
}

// validateTags applies apigateway's tag limits (50 tags, values of up to
// 256 characters) [M].
func validateTags(tags map[string]string) error {
	return docstore.CheckTags(tags, docstore.TagLimits{MaxTags: 50, MaxValue: 256})
}

// validateTagsV2 applies apigatewayv2's (values of up to 1600) [M].
func validateTagsV2(tags map[string]string) error {
	return docstore.CheckTags(tags, docstore.TagLimits{MaxTags: 50, MaxValue: 1600})
}
