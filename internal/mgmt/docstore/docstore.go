// Package docstore is the typed document layer every management package
// (apigateway, apigatewayv2, ...) keeps its resources in: JSON documents
// stored as model.Record values (the wire-shaped value plus a creation
// stamp that orders listings), identifiers of AWS's lengths, and the tag
// accessors the Tag* operations share.
package docstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// Get reads the document at key into a T with its creation stamp. It
// returns an error wrapping store.ErrNotFound when absent.
func Get[T any](ctx context.Context, r store.Reader, key string) (T, int64, error) {
	var rec model.Record[T]
	it, err := r.Get(ctx, key)
	if err != nil {
		return rec.V, 0, err
	}
	if err := json.Unmarshal(it.Value, &rec); err != nil {
		return rec.V, 0, fmt.Errorf("decode %s: %w", key, err)
	}
	return rec.V, rec.Seq, nil
}

// Put writes v at key with creation stamp seq.
func Put[T any](ctx context.Context, tx store.Tx, key string, seq int64, v T) error {
	b, err := json.Marshal(model.Record[T]{Seq: seq, V: v})
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return tx.Put(ctx, key, b)
}

// List reads every document under prefix, in creation order.
func List[T any](ctx context.Context, r store.Reader, prefix string) ([]T, error) {
	recs, err := ListRecords[T](ctx, r, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(recs))
	for i := range recs {
		out[i] = recs[i].V
	}
	return out, nil
}

// ListRecords reads every record under prefix with its creation stamp,
// oldest first.
func ListRecords[T any](ctx context.Context, r store.Reader, prefix string) ([]model.Record[T], error) {
	items, err := r.List(ctx, prefix, store.ListOptions{})
	if err != nil {
		return nil, err
	}
	recs := make([]model.Record[T], len(items))
	for i, it := range items {
		if err := json.Unmarshal(it.Value, &recs[i]); err != nil {
			return nil, fmt.Errorf("decode %s: %w", it.Key, err)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Seq < recs[j].Seq })
	return recs, nil
}

// Exists reports whether key is present.
func Exists(ctx context.Context, r store.Reader, key string) (bool, error) {
	_, err := r.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// NotFound maps store.ErrNotFound to apiErr (the operation's not-found
// answer) and passes other errors through.
func NotFound(err error, apiErr error) error {
	if errors.Is(err, store.ErrNotFound) {
		return apiErr
	}
	return err
}

// IsNotFound reports whether err wraps store.ErrNotFound.
func IsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// Unmarshal decodes a raw stored item (not a Record) into v.
func Unmarshal(it store.Item, v any) error {
	if err := json.Unmarshal(it.Value, v); err != nil {
		return fmt.Errorf("decode %s: %w", it.Key, err)
	}
	return nil
}

// Read runs load in a read transaction of st and returns what it read.
func Read[T any](ctx context.Context, st store.Store, load func(store.Reader) (T, int64, error)) (T, error) {
	var doc T
	err := st.View(ctx, func(rd store.Reader) error {
		var err error
		doc, _, err = load(rd)
		return err
	})
	return doc, err
}
