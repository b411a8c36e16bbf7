package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/store"
)

// reader implements store.Reader on a SQL transaction.
type reader struct {
	tx *sql.Tx
}

var _ store.Reader = reader{}

// Get implements store.Reader.
func (r reader) Get(ctx context.Context, key string) (store.Item, error) {
	var it store.Item
	err := r.tx.QueryRowContext(ctx, `SELECT value, rev FROM kv WHERE key = ?`, key).Scan(&it.Value, &it.Revision)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Item{}, fmt.Errorf("get %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return store.Item{}, fmt.Errorf("get %q: %w", key, err)
	}
	it.Key = key
	return it, nil
}

// List implements store.Reader. It scans the primary key over
// [max(prefix, after), store.PrefixEnd(prefix)).
func (r reader) List(ctx context.Context, prefix string, opts store.ListOptions) ([]store.Item, error) {
	if opts.Limit < 0 {
		return nil, fmt.Errorf("list %q: negative limit %d", prefix, opts.Limit)
	}
	var q strings.Builder
	args := make([]any, 0, 3)
	q.WriteString(`SELECT key, value, rev FROM kv WHERE `)
	if opts.After >= prefix {
		q.WriteString(`key > ?`)
		args = append(args, opts.After)
	} else {
		q.WriteString(`key >= ?`)
		args = append(args, prefix)
	}
	if end, ok := store.PrefixEnd(prefix); ok {
		q.WriteString(` AND key < ?`)
		args = append(args, end)
	}
	q.WriteString(` ORDER BY key`)
	if opts.Limit > 0 {
		q.WriteString(` LIMIT ?`)
		args = append(args, opts.Limit)
	}
	rows, err := r.tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	defer rows.Close()
	var items []store.Item
	for rows.Next() {
		var it store.Item
		if err := rows.Scan(&it.Key, &it.Value, &it.Revision); err != nil {
			return nil, fmt.Errorf("list %q: %w", prefix, err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	return items, nil
}
