package apigwv2

import (
	"strings"

	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// resolveARN maps an apigatewayv2 ARN to its document's tags:
// arn:aws:apigateway:{region}::/apis/{id}, …/apis/{id}/stages/{name} and
// …/vpclinks/{id} and …/domainnames/{name} (the account field is empty)
// [X][D].
func (a *API) resolveARN(arn string) (*docstore.Tags, error) {
	prefix := "arn:aws:apigateway:" + a.region + "::"
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		return nil, bad("Invalid ARN specified in the request: %s", arn) // [U]
	}
	parts := strings.Split(rest, "/")
	switch {
	case len(parts) == 3 && parts[0] == "" && parts[1] == "apis":
		return docstore.TagsOf(modelv2.KeyApi(parts[2]),
			func(v *modelv2.Api) *map[string]string { return &v.Tags }, a.errAPI(parts[2])), nil
	case len(parts) == 5 && parts[0] == "" && parts[1] == "apis" && parts[3] == "stages":
		return docstore.TagsOf(modelv2.ChildKey(modelv2.KindStage, parts[2], parts[4]),
			func(v *modelv2.Stage) *map[string]string { return &v.Tags }, errStage(parts[4])), nil
	case len(parts) == 3 && parts[0] == "" && parts[1] == "domainnames":
		return docstore.TagsOf(domain.Key(parts[2]),
			func(v *domain.Domain) *map[string]string { return &v.Tags },
			notFound("DomainName", "Invalid domain name identifier specified %s", parts[2])), nil
	case len(parts) == 3 && parts[0] == "" && parts[1] == "vpclinks":
		return docstore.TagsOf(modelv2.KeyVpcLink(parts[2]),
			func(v *modelv2.VpcLink) *map[string]string { return &v.Tags }, errVpcLink(parts[2])), nil
	}
	return nil, notFound("Resource", "Invalid resource identifier specified %s", arn) // [U]
}

// tagOps are the Tag* operations over the documents resolveARN finds.
func (a *API) tagOps() *docstore.TagOps {
	return &docstore.TagOps{
		Store: a.store, ARNParam: "resourceArn", Resolve: a.resolveARN, Decode: decode,
		Check: checkTags, MissingKeys: bad("tagKeys is a required parameter"), // [U]
	}
}
