package apigw

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// taggable is a resource whose tags live in its own document.
type taggable struct {
	key  string
	get  func(ctx context.Context, rd store.Reader) (map[string]string, error)
	set  func(ctx context.Context, tx store.Tx, tags map[string]string) error
	kind string
}

// resolveARN maps an apigateway ARN (arn:aws:apigateway:{region}::/restapis/{id},
// …/restapis/{id}/stages/{name}, …/apikeys/{id}, …/usageplans/{id}) to its
// document.
func (a *API) resolveARN(arn string) (*taggable, error) {
	prefix := "arn:aws:apigateway:" + a.region + "::"
	if !strings.HasPrefix(arn, prefix) {
		return nil, awserr.BadRequest("Invalid ARN specified in the request") // [U]
	}
	parts := strings.Split(strings.TrimPrefix(arn, prefix), "/")
	switch {
	case len(parts) == 3 && parts[0] == "" && parts[1] == "restapis":
		return docTags(model.KeyRestApi(parts[2]),
			func(v *model.RestApi) *map[string]string { return &v.Tags }, a.errAPI(parts[2])), nil
	case len(parts) == 5 && parts[0] == "" && parts[1] == "restapis" && parts[3] == "stages":
		return docTags(model.ChildKey(model.KindStage, parts[2], parts[4]),
			func(v *model.Stage) *map[string]string { return &v.Tags }, errStage), nil
	case len(parts) == 3 && parts[0] == "" && parts[1] == "apikeys":
		return docTags(model.KeyApiKey(parts[2]),
			func(v *model.StoredApiKey) *map[string]string { return &v.Tags }, errApiKey), nil
	case len(parts) == 3 && parts[0] == "" && parts[1] == "usageplans":
		return docTags(model.KeyUsagePlan(parts[2]),
			func(v *model.UsagePlan) *map[string]string { return &v.Tags }, errUsagePlan), nil
	}
	// [U] AWS's answer for an ARN of a kind it does not tag.
	return nil, awserr.NotFound("Invalid resource identifier specified")
}

// docTags builds the accessors for the tags field of the document at key.
func docTags[T any](key string, field func(*T) *map[string]string, missing error) *taggable {
	return &taggable{
		key: key,
		get: func(ctx context.Context, rd store.Reader) (map[string]string, error) {
			v, _, err := get[T](ctx, rd, key)
			if err != nil {
				return nil, notFound(err, missing)
			}
			return *field(&v), nil
		},
		set: func(ctx context.Context, tx store.Tx, tags map[string]string) error {
			v, seq, err := get[T](ctx, tx, key)
			if err != nil {
				return notFound(err, missing)
			}
			if len(tags) == 0 {
				tags = nil
			}
			*field(&v) = tags
			return put(ctx, tx, key, seq, v)
		},
	}
}

func (a *API) getTags(ctx context.Context, r *restjson.Request) (any, error) {
	t, err := a.resolveARN(r.Path("resource_arn"))
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	err = a.view(ctx, func(rd store.Reader) error {
		tags, err = t.get(ctx, rd)
		return err
	})
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
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
	return nil, a.update(ctx, func(tx store.Tx) error {
		tags, err := t.get(ctx, tx)
		if err != nil {
			return err
		}
		merged := map[string]string{}
		for k, v := range tags {
			merged[k] = v
		}
		for k, v := range in.Tags {
			merged[k] = v
		}
		if err := validateTags(merged); err != nil {
			return err
		}
		return t.set(ctx, tx, merged)
	})
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
	return nil, a.update(ctx, func(tx store.Tx) error {
		tags, err := t.get(ctx, tx)
		if err != nil {
			return err
		}
		out := map[string]string{}
		for k, v := range tags {
			out[k] = v
		}
		for _, k := range keys {
			delete(out, k)
		}
		return t.set(ctx, tx, out)
	})
}
