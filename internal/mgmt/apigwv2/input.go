package apigwv2

import (
	"context"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// decode reads a JSON body into v. The protocol's serialization errors
// are BadRequestExceptions here: apigatewayv2 models no other 400 [M].
func decode(r *restjson.Request, v any) error {
	err := r.Decode(v)
	if e, ok := awserr.As(err); ok && e.Code == "SerializationException" {
		return bad("%s", e.Message)
	}
	return err
}

// checker collects the first constraint a request violates; AWS reports
// one problem at a time for apigatewayv2 [U].
type checker struct{ err error }

func (c *checker) fail(format string, args ...any) {
	if c.err == nil {
		c.err = bad(format, args...)
	}
}

// add records err (if it is the first).
func (c *checker) add(err error) {
	if c.err == nil {
		c.err = err
	}
}

// required records a missing required member.
func (c *checker) required(present bool, member string) {
	if !present {
		c.fail("%s is a required parameter", member) // [U]
	}
}

// length checks a string member's length in characters, when present.
func (c *checker) length(v *string, member string, lo, hi int) {
	if v == nil {
		return
	}
	if n := utf8.RuneCountInString(*v); n < lo || n > hi {
		c.fail("%s must be between %d and %d characters long", member, lo, hi) // [U]
	}
}

// enum checks a member's value against its enumeration, when present.
func (c *checker) enum(v *string, member string, allowed []string) {
	if v != nil && !oneOf(*v, allowed) {
		c.fail("Invalid %s specified. Must be one of %v", member, allowed) // [U]
	}
}

// between checks an integer member's range, when present.
func (c *checker) between(v *int64, member string, lo, hi int64) {
	if v != nil && (*v < lo || *v > hi) {
		c.fail("%s must be between %d and %d", member, lo, hi) // [U]
	}
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

// tagLimits are apigatewayv2's tag limits: values of up to 1600
// characters [M], 50 tags per resource [D].
var tagLimits = docstore.TagLimits{MaxTags: 50, MaxValue: 1600}

// checkTags validates tags against tagLimits.
func checkTags(tags map[string]string) error { return docstore.CheckTags(tags, tagLimits) }

// orEmpty returns m, or an empty map for nil: AWS prints empty maps as {}.
func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// optional turns "" into nil: an update that sends an empty string clears
// an optional member [U].
func optional(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// loadAPI reads an API or answers with AWS's not-found error.
func (a *API) loadAPI(ctx context.Context, rd store.Reader, id string) (modelv2.Api, int64, error) {
	api, seq, err := docstore.Get[modelv2.Api](ctx, rd, modelv2.KeyApi(id))
	return api, seq, docstore.NotFound(err, a.errAPI(id))
}

// loadChild reads a document an API owns: an unknown API answers with the
// API's not-found error, an unknown document with missing.
func loadChild[T any](ctx context.Context, a *API, rd store.Reader, kind, apiID, id string, missing error) (T, int64, error) {
	if _, _, err := a.loadAPI(ctx, rd, apiID); err != nil {
		var zero T
		return zero, 0, err
	}
	doc, seq, err := docstore.Get[T](ctx, rd, modelv2.ChildKey(kind, apiID, id))
	return doc, seq, docstore.NotFound(err, missing)
}

// readChild implements a Get* operation of a document an API owns.
func readChild[T any](ctx context.Context, a *API, kind, apiID, id string, missing error) (T, error) {
	return docstore.Read(ctx, a.store, func(rd store.Reader) (T, int64, error) {
		return loadChild[T](ctx, a, rd, kind, apiID, id, missing)
	})
}

// listChildren implements a Get* collection operation over one kind of
// document an API owns, in creation order, paginated.
func listChildren[T any](ctx context.Context, a *API, r *restjson.Request, kind string, key func(T) string) (any, error) {
	return listKind(ctx, a, r, childKind{kind: kind}, key)
}
