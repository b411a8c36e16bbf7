package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tollgate/tollgate/internal/store"
)

// reader implements store.Reader on a transaction.
type reader struct {
	tx pgx.Tx
	q  *queries
}

var _ store.Reader = reader{}

// Get implements store.Reader.
func (r reader) Get(ctx context.Context, key string) (store.Item, error) {
	it := store.Item{Key: key}
	err := r.tx.QueryRow(ctx, r.q.get, []byte(key)).Scan(&it.Value, &it.Revision)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Item{}, fmt.Errorf("get %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return store.Item{}, fmt.Errorf("get %q: %w", key, ctxErr(ctx, err))
	}
	if it.Value == nil {
		it.Value = []byte{}
	}
	return it, nil
}

// List implements store.Reader: a range scan of the primary key over
// [max(prefix, after), PrefixEnd(prefix)).
func (r reader) List(ctx context.Context, prefix string, opts store.ListOptions) ([]store.Item, error) {
	if opts.Limit < 0 {
		return nil, fmt.Errorf("list %q: negative limit %d", prefix, opts.Limit)
	}
	exclusive, from := false, prefix
	if opts.After >= prefix {
		exclusive, from = true, opts.After
	}
	var limit *int64
	if opts.Limit > 0 {
		n := int64(opts.Limit)
		limit = &n
	}
	end, bounded := store.PrefixEnd(prefix)
	args := []any{[]byte(from)}
	if bounded {
		args = append(args, []byte(end))
	}
	args = append(args, limit)
	rows, err := r.tx.Query(ctx, r.q.list[listIndex(exclusive, bounded)], args...)
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, ctxErr(ctx, err))
	}
	defer rows.Close()
	var items []store.Item
	var key []byte
	for rows.Next() {
		var it store.Item
		if err := rows.Scan(&key, &it.Value, &it.Revision); err != nil {
			return nil, fmt.Errorf("list %q: %w", prefix, err)
		}
		it.Key = string(key)
		if it.Value == nil {
			it.Value = []byte{}
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, ctxErr(ctx, err))
	}
	return items, nil
}
