package docstore

import (
	"context"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
)

// TagOps implements GetTags, TagResource and UntagResource for a service
// whose taggable resources keep their tags in their own documents. The
// services differ in how they read bodies and word their errors.
type TagOps struct {
	Store store.Store
	// ARNParam is the path parameter holding the resource ARN.
	ARNParam string
	// Resolve maps an ARN to its resource's tags, or answers with the
	// service's error.
	Resolve func(arn string) (*Tags, error)
	// Decode reads a request body.
	Decode func(r *restjson.Request, v any) error
	// CheckInput, when set, checks a TagResource body's tags before
	// anything is read (e.g. that they are present).
	CheckInput func(tags map[string]string) error
	// Check validates a resource's tags as they would be stored.
	Check func(tags map[string]string) error
	// MissingKeys is the answer to UntagResource without tagKeys.
	MissingKeys error
}

// GetTags returns {"tags": {...}} ({} when there are none).
func (o *TagOps) GetTags(ctx context.Context, r *restjson.Request) (any, error) {
	t, err := o.Resolve(r.Path(o.ARNParam))
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	err = o.Store.View(ctx, func(rd store.Reader) error {
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

// TagResource adds the body's tags ({"tags": {...}}) to the resource.
func (o *TagOps) TagResource(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := o.Decode(r, &in); err != nil {
		return nil, err
	}
	if o.CheckInput != nil {
		if err := o.CheckInput(in.Tags); err != nil {
			return nil, err
		}
	}
	t, err := o.Resolve(r.Path(o.ARNParam))
	if err != nil {
		return nil, err
	}
	_, err = o.Store.Update(ctx, func(tx store.Tx) error { return t.Tag(ctx, tx, in.Tags, o.Check) })
	return nil, err
}

// UntagResource removes the tags named by the tagKeys query parameters.
func (o *TagOps) UntagResource(ctx context.Context, r *restjson.Request) (any, error) {
	keys := r.QueryAll("tagKeys")
	if keys == nil {
		return nil, o.MissingKeys
	}
	t, err := o.Resolve(r.Path(o.ARNParam))
	if err != nil {
		return nil, err
	}
	_, err = o.Store.Update(ctx, func(tx store.Tx) error { return t.Untag(ctx, tx, keys) })
	return nil, err
}
