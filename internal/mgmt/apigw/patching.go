package apigw

import (
	"context"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

// decodePatch reads an Update* body and checks its operations against the
// model (unknown ops are a ValidationException naming input, e.g.
// "updateStageInput"); extra adds operation-specific model checks, such
// as a malformed {status_code}, to the same error.
func decodePatch(r *restjson.Request, input string, extra ...func(*awserr.Validation)) ([]patch.Operation, error) {
	var in patch.Request
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	patch.Validate(in.PatchOperations, input, &v)
	for _, f := range extra {
		f(&v)
	}
	return in.PatchOperations, v.Err()
}

// patchDocument implements the Update* operation of a document stored on
// its own: it decodes the operations, then in one transaction loads the
// document, lets apply change it (apply sees the transaction, for
// cross-checks) and stores it. Any error leaves the store unchanged.
func patchDocument[T any](ctx context.Context, a *API, r *restjson.Request, input, key string,
	load func(store.Reader) (T, int64, error), apply func(tx store.Tx, doc *T, ops []patch.Operation) error) (T, error) {
	var doc T
	ops, err := decodePatch(r, input)
	if err != nil {
		return doc, err
	}
	err = a.update(ctx, func(tx store.Tx) error {
		d, seq, err := load(tx)
		if err != nil {
			return err
		}
		if err := apply(tx, &d, ops); err != nil {
			return err
		}
		doc = d
		return put(ctx, tx, key, seq, d)
	})
	return doc, err
}

// eachOp applies f to every operation in order, stopping at the first error.
func eachOp[T any](doc *T, ops []patch.Operation, f func(*T, patch.Operation) error) error {
	for _, op := range ops {
		if err := f(doc, op); err != nil {
			return err
		}
	}
	return nil
}

// output turns a typed result into a handler's (any, error), never a typed
// nil inside a non-nil interface.
func output[T any](v T, err error) (any, error) { return restjson.Output(v, err) }

// loadChild reads a document an API owns: an unknown API answers with the
// API's not-found error, an unknown document with missing.
func loadChild[T any](ctx context.Context, a *API, rd store.Reader, kind, apiID, id string, missing error) (T, int64, error) {
	if _, err := a.loadAPI(ctx, rd, apiID); err != nil {
		var zero T
		return zero, 0, err
	}
	doc, seq, err := get[T](ctx, rd, model.ChildKey(kind, apiID, id))
	return doc, seq, notFound(err, missing)
}

// readDoc implements a Get* operation: load in a read transaction.
func readDoc[T any](ctx context.Context, a *API, load func(store.Reader) (T, int64, error)) (any, error) {
	return output(docstore.Read(ctx, a.store, load))
}

// listChildren implements a Get* collection operation over one kind of
// document an API owns, in creation order, paginated.
func listChildren[T any](ctx context.Context, a *API, r *restjson.Request, kind string, key func(T) string) (any, error) {
	apiID := r.Path("restapi_id")
	var items []T
	err := a.view(ctx, func(rd store.Reader) error {
		if _, err := a.loadAPI(ctx, rd, apiID); err != nil {
			return err
		}
		var err error
		items, err = list[T](ctx, rd, model.ChildPrefix(kind, apiID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return restjson.Paginate(r, items, key)
}
