package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// record is the stored form of a document (model.Record).
type record[T any] = model.Record[T]

// get reads the document at key into a T. It returns an error wrapping
// store.ErrNotFound when absent.
func get[T any](ctx context.Context, r store.Reader, key string) (T, int64, error) {
	var rec record[T]
	it, err := r.Get(ctx, key)
	if err != nil {
		return rec.V, 0, err
	}
	if err := json.Unmarshal(it.Value, &rec); err != nil {
		return rec.V, 0, fmt.Errorf("decode %s: %w", key, err)
	}
	return rec.V, rec.Seq, nil
}

// put writes v at key with creation stamp seq.
func put[T any](ctx context.Context, tx store.Tx, key string, seq int64, v T) error {
	b, err := json.Marshal(record[T]{Seq: seq, V: v})
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return tx.Put(ctx, key, b)
}

// list reads every document under prefix, in creation order.
func list[T any](ctx context.Context, r store.Reader, prefix string) ([]T, error) {
	recs, err := listRecords[T](ctx, r, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(recs))
	for i := range recs {
		out[i] = recs[i].V
	}
	return out, nil
}

// exists reports whether key is present.
func exists(ctx context.Context, r store.Reader, key string) (bool, error) {
	_, err := r.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// notFound maps store.ErrNotFound to the given API error and passes other
// errors through.
func notFound(err error, apiErr error) error {
	if errors.Is(err, store.ErrNotFound) {
		return apiErr
	}
	return err
}

func unmarshal(it store.Item, v any) error {
	if err := json.Unmarshal(it.Value, v); err != nil {
		return fmt.Errorf("decode %s: %w", it.Key, err)
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// listRecords reads every record under prefix with its creation stamp,
// oldest first.
func listRecords[T any](ctx context.Context, r store.Reader, prefix string) ([]record[T], error) {
	items, err := r.List(ctx, prefix, store.ListOptions{})
	if err != nil {
		return nil, err
	}
	recs := make([]record[T], len(items))
	for i, it := range items {
		if err := json.Unmarshal(it.Value, &recs[i]); err != nil {
			return nil, fmt.Errorf("decode %s: %w", it.Key, err)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Seq < recs[j].Seq })
	return recs, nil
}
