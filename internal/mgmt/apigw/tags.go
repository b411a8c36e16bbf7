package apigw

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// resolveARN maps an apigateway ARN (arn:aws:apigateway:{region}::/restapis/{id},
// …/restapis/{id}/stages/{name}, …/apikeys/{id}, …/usageplans/{id}) to its
// document.
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
	case len(parts) == 3 && parts[0] == "" && parts[1] == "usageplans":
		return docstore.TagsOf(model.KeyUsagePlan(parts[2]),
			func(v *model.UsagePlan) *map[string]string { return &v.Tags }, errUsagePlan), nil
	}
	// [U] AWS's answer for an ARN of a kind it does not tag.
	return nil, awserr.NotFound("Invalid resource identifier specified")
}

func (a *API) getTags(ctx context.Context, r *restjson.Request) (any, error) {
	t, err := a.resolveARN(r.Path("resource_arn"))
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	err = a.view(ctx, func(rd store.Reader) error {
		tags, err = t.Get(ctx, rd)
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Tags map[string]string `json:"tags"`
	}{tags}, nil
}

type tagResourceInput struct {
	Tags map[string]string `json:"tags"`
}

func (a *API) tagResource(ctx context.Context, r *restjson.Request) (any, error) {
	var in tagResourceInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Tags == nil {
		nullAt(&v, "tagResourceInput.tags")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	t, err := a.resolveARN(r.Path("resource_arn"))
	if err != nil {
		return nil, err
	}
	return nil, a.update(ctx, func(tx store.Tx) error { return t.Tag(ctx, tx, in.Tags, validateTags) })
}

func (a *API) untagResource(ctx context.Context, r *restjson.Request) (any, error) {
	keys := r.QueryAll("tagKeys")
	var v awserr.Validation
	if keys == nil {
		nullAt(&v, "untagResourceInput.tagKeys")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	t, err := a.resolveARN(r.Path("resource_arn"))
	if err != nil {
		return nil, err
	}
	return nil, a.update(ctx, func(tx store.Tx) error { return t.Untag(ctx, tx, keys) })
}
