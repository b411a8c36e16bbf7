package apigw

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
)

// resolveARN maps an apigateway ARN (arn:aws:apigateway:{region}::/restapis/{id},
// …/restapis/{id}/stages/{name}, …/apikeys/{id}, …/usageplans/{id},
// …/domainnames/{name}, …/clientcertificates/{id}) to its document.
func (a *API) resolveARN(arn string) (*docstore.Tags, error) {
	prefix := "arn:aws:apigateway:" + a.region + "::"
	if !strings.HasPrefix(arn, prefix) {
		return nil, awserr.BadRequest("Invalid ARN specified in the request") // [U]
	}
	parts := strings.Split(strings.TrimPrefix(arn, prefix), "/")
	switch {
	case len(parts) == 3 && parts[0] == "" && parts[1] == "restapis":
		return docstore.TagsOf(model.KeyRestApi(parts[2]),
			func(v *model.RestApi) *map[string]string { return &v.Tags }, a.errAPI(parts[2])), nil
	case len(parts) == 5 && parts[0] == "" && parts[1] == "restapis" && parts[3] == "stages":
		return docstore.TagsOf(model.ChildKey(model.KindStage, parts[2], parts[4]),
			func(v *model.Stage) *map[string]string { return &v.Tags }, errStage), nil
	case len(parts) == 3 && parts[0] == "" && parts[1] == "apikeys":
		return docstore.TagsOf(model.KeyApiKey(parts[2]),
			func(v *model.StoredApiKey) *map[string]string { return &v.Tags }, errApiKey), nil
	case len(parts) == 3 && parts[0] == "" && parts[1] == "domainnames":
		return docstore.TagsOf(domain.Key(parts[2]),
			func(v *domain.Domain) *map[string]string { return &v.Tags }, awserr.NotFound("Invalid domain name identifier specified")), nil
	case len(parts) == 3 && parts[0] == "" && parts[1] == "clientcertificates":
		return docstore.TagsOf(model.KeyClientCertificate(parts[2]),
			func(v *model.StoredClientCertificate) *map[string]string { return &v.Tags }, errClientCert), nil
	case len(parts) == 3 && parts[0] == "" && parts[1] == "usageplans":
		return docstore.TagsOf(model.KeyUsagePlan(parts[2]),
			func(v *model.UsagePlan) *map[string]string { return &v.Tags }, errUsagePlan), nil
	}
	// [U] AWS's answer for an ARN of a kind it does not tag.
	return nil, awserr.NotFound("Invalid resource identifier specified")
}

// tagOps are the Tag* operations over the documents resolveARN finds.
func (a *API) tagOps() *docstore.TagOps {
	var missingKeys awserr.Validation
	nullAt(&missingKeys, "untagResourceInput.tagKeys")
	return &docstore.TagOps{
		Store: a.store, ARNParam: "resource_arn", Resolve: a.resolveARN,
		Decode: (*restjson.Request).Decode,
		CheckInput: func(tags map[string]string) error {
			var v awserr.Validation
			if tags == nil {
				nullAt(&v, "tagResourceInput.tags")
			}
			return v.Err()
		},
		Check:       validateTags,
		MissingKeys: missingKeys.Err(),
	}
}

func (a *API) getTags(ctx context.Context, r *restjson.Request) (any, error) {
	return a.tagOps().GetTags(ctx, r)
}

func (a *API) tagResource(ctx context.Context, r *restjson.Request) (any, error) {
	return a.tagOps().TagResource(ctx, r)
}

func (a *API) untagResource(ctx context.Context, r *restjson.Request) (any, error) {
	return a.tagOps().UntagResource(ctx, r)
}
