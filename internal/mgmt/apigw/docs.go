package apigw

import (
	"context"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// The document helpers are docstore's, under the short names this
// package's files use.

// record is the stored form of a document (model.Record).
type record[T any] = model.Record[T]

func get[T any](ctx context.Context, r store.Reader, key string) (T, int64, error) {
	return docstore.Get[T](ctx, r, key)
}

func put[T any](ctx context.Context, tx store.Tx, key string, seq int64, v T) error {
	return docstore.Put(ctx, tx, key, seq, v)
}

func list[T any](ctx context.Context, r store.Reader, prefix string) ([]T, error) {
	return docstore.List[T](ctx, r, prefix)
}

func listRecords[T any](ctx context.Context, r store.Reader, prefix string) ([]record[T], error) {
	return docstore.ListRecords[T](ctx, r, prefix)
}

var (
	exists     = docstore.Exists
	notFound   = docstore.NotFound
	unmarshal  = docstore.Unmarshal
	isNotFound = docstore.IsNotFound
)
