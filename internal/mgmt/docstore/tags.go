package docstore

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/store"
)

// Tags reads and writes the tags of one taggable resource, whose tags live
// in its own document.
type Tags struct {
	get func(ctx context.Context, rd store.Reader) (map[string]string, error)
	set func(ctx context.Context, tx store.Tx, tags map[string]string) error
}

// TagsOf returns the accessor of the tags member (field) of the T stored at
// key; missing is the error for an absent document.
func TagsOf[T any](key string, field func(*T) *map[string]string, missing error) *Tags {
	return &Tags{
		get: func(ctx context.Context, rd store.Reader) (map[string]string, error) {
			v, _, err := Get[T](ctx, rd, key)
			if err != nil {
				return nil, NotFound(err, missing)
			}
			return *field(&v), nil
		},
		set: func(ctx context.Context, tx store.Tx, tags map[string]string) error {
			v, seq, err := Get[T](ctx, tx, key)
			if err != nil {
				return NotFound(err, missing)
			}
			if len(tags) == 0 {
				tags = nil
			}
			*field(&v) = tags
			return Put(ctx, tx, key, seq, v)
		},
	}
}

// Get returns the resource's tags, never nil.
func (t *Tags) Get(ctx context.Context, rd store.Reader) (map[string]string, error) {
	tags, err := t.get(ctx, rd)
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, nil
}

// Tag adds (or replaces) the tags in add, then checks the resulting set
// with check before storing it.
func (t *Tags) Tag(ctx context.Context, tx store.Tx, add map[string]string, check func(map[string]string) error) error {
	tags, err := t.get(ctx, tx)
	if err != nil {
		return err
	}
	merged := make(map[string]string, len(tags)+len(add))
	for k, v := range tags {
		merged[k] = v
	}
	for k, v := range add {
		merged[k] = v
	}
	if err := check(merged); err != nil {
		return err
	}
	return t.set(ctx, tx, merged)
}

// Untag removes the tags with the given keys (absent keys are ignored).
func (t *Tags) Untag(ctx context.Context, tx store.Tx, keys []string) error {
	tags, err := t.get(ctx, tx)
	if err != nil {
		return err
	}
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return t.set(ctx, tx, out)
}

// TagLimits are a service's limits on a resource's tags.
type TagLimits struct {
	// MaxTags is the number of tags a resource may have.
	MaxTags int
	// MaxValue is the length of the longest tag value.
	MaxValue int
}

// CheckTags enforces the tag limits common to AWS services (keys of 1 to
// 128 characters, no "aws:" prefix) and lim.
func CheckTags(tags map[string]string, lim TagLimits) error {
	if len(tags) > lim.MaxTags {
		return awserr.BadRequest("Too many tags specified. A resource can have at most %d tags.", lim.MaxTags) // [U]
	}
	for k, v := range tags {
		switch {
		case k == "" || len(k) > 128:
			return awserr.BadRequest("Tag keys must be between 1 and 128 characters long.") // [U]
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return awserr.BadRequest("Tag keys cannot start with the reserved prefix 'aws:'.") // [U]
		case len(v) > lim.MaxValue:
			return awserr.BadRequest("Tag values must be at most %d characters long.", lim.MaxValue) // [U]
		}
	}
	return nil
}
