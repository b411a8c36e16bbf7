package wafapi

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// maxTags is AWS's tag quota per resource [D: AWS WAF quotas].
const maxTags = 50

type tagInput struct {
	ResourceARN string         `json:"ResourceARN"`
	Tags        []wafmodel.Tag `json:"Tags"`
	TagKeys     []string       `json:"TagKeys"`
	NextMarker  *string        `json:"NextMarker"`
	Limit       *int64         `json:"Limit"`
}

// tagged reads the tags of the entity arn names, lets change edit them
// (nil: read only) and writes them back. Tags do not change lock tokens
// [U].
func (a *API) tagged(ctx context.Context, arn string, change func([]wafmodel.Tag) ([]wafmodel.Tag, error)) ([]wafmodel.Tag, error) {
	p, ok := wafmodel.ParseARN(arn)
	if !ok || p.Kind == wafmodel.KindRuleGroup {
		return nil, wafmodel.InvalidParameter("RESOURCE_ARN", arn, wafmodel.ReasonFormat)
	}
	if p.Region != a.region || p.Account != a.accountID {
		return nil, wafmodel.Nonexistent()
	}
	var tags []wafmodel.Tag
	fn := func(rd store.Reader) error {
		var doc map[string]json.RawMessage
		if err := getDoc(ctx, rd, p.Key(), &doc); err != nil {
			return notFound(err)
		}
		var e wafmodel.Entity
		if b, err := json.Marshal(doc); err != nil || json.Unmarshal(b, &e) != nil || e.ID != p.ID {
			return wafmodel.Nonexistent()
		}
		tags = e.Tags
		if change == nil {
			return nil
		}
		var err error
		if tags, err = change(slices.Clone(tags)); err != nil {
			return err
		}
		b, err := json.Marshal(tags)
		if err != nil {
			return err
		}
		if len(tags) == 0 {
			delete(doc, "tags")
		} else {
			doc["tags"] = b
		}
		return putDoc(ctx, rd.(store.Tx), p.Key(), doc)
	}
	var err error
	if change == nil {
		err = a.store.View(ctx, fn)
	} else {
		_, err = a.store.Update(ctx, func(tx store.Tx) error { return fn(tx) })
	}
	return tags, err
}

func (a *API) tagResource(ctx context.Context, r *restjson.Request) (any, error) {
	var in tagInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.ARN(in.ResourceARN, "resourceARN")
	if in.Tags == nil {
		c.Null("tags")
	}
	c.Tags(in.Tags, "tags")
	if err := c.Err(); err != nil {
		return nil, err
	}
	_, err := a.tagged(ctx, in.ResourceARN, func(tags []wafmodel.Tag) ([]wafmodel.Tag, error) {
		for _, t := range in.Tags {
			if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
				return nil, wafmodel.TagOperation("Tag keys beginning with aws: are reserved.") // [U]
			}
			i := slices.IndexFunc(tags, func(x wafmodel.Tag) bool { return x.Key == t.Key })
			if i >= 0 {
				tags[i] = t
			} else {
				tags = append(tags, t)
			}
		}
		if len(tags) > maxTags {
			return nil, wafmodel.LimitsExceeded("tags per resource")
		}
		return tags, nil
	})
	return nil, err
}

func (a *API) untagResource(ctx context.Context, r *restjson.Request) (any, error) {
	var in tagInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.ARN(in.ResourceARN, "resourceARN")
	if in.TagKeys == nil {
		c.Null("tagKeys")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	_, err := a.tagged(ctx, in.ResourceARN, func(tags []wafmodel.Tag) ([]wafmodel.Tag, error) {
		return slices.DeleteFunc(tags, func(t wafmodel.Tag) bool { return slices.Contains(in.TagKeys, t.Key) }), nil
	})
	return nil, err
}

func (a *API) listTags(ctx context.Context, r *restjson.Request) (any, error) {
	var in tagInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.ARN(in.ResourceARN, "resourceARN")
	if in.Limit != nil {
		c.Range(*in.Limit, "limit", 1, 100)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	tags, err := a.tagged(ctx, in.ResourceARN, nil)
	if err != nil {
		return nil, err
	}
	return map[string]any{"TagInfoForResource": map[string]any{"ResourceARN": in.ResourceARN, "TagList": nonNil(tags)}}, nil
}
