package wafapi

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// What the Create/Get/Update/List/Delete operations of every kind share:
// names unique per kind and scope, lock tokens, ids, summaries, pages.

// entity is a stored document of one kind.
type entity[T any] interface {
	*T
	Base() *wafmodel.Entity
}

// ref names an entity as Get, Update and Delete do.
type ref struct {
	Name  string `json:"Name"`
	Scope string `json:"Scope"`
	ID    string `json:"Id"`
}

// check validates the reference (and a lock token when token is set).
func (r *ref) check(c *wafmodel.Checks, token *string) {
	c.Name(r.Name, "name")
	c.Scope(r.Scope, "scope")
	c.ID(r.ID, "id")
	if token != nil {
		c.ID(*token, "lockToken")
	}
}

// load reads the entity r names; an unknown name, or a known name with
// another id, is WAFNonexistentItemException.
func load[T any, P entity[T]](ctx context.Context, rd store.Reader, kind string, r ref) (P, error) {
	v := P(new(T))
	if err := getDoc(ctx, rd, wafmodel.Key(kind, r.Scope, r.Name), v); err != nil {
		return nil, notFound(err)
	}
	if v.Base().ID != r.ID {
		return nil, wafmodel.Nonexistent()
	}
	return v, nil
}

// get reads, in a view, the entity a Get call's ref names.
func get[T any, P entity[T]](ctx context.Context, a *API, r *restjson.Request, kind string) (P, error) {
	var in ref
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	in.check(&c, nil)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return view[T, P](ctx, a, kind, in)
}

// view reads the entity target names in a view of the store.
func view[T any, P entity[T]](ctx context.Context, a *API, kind string, target ref) (P, error) {
	var v P
	err := a.store.View(ctx, func(rd store.Reader) error {
		var err error
		v, err = load[T, P](ctx, rd, kind, target)
		return err
	})
	return v, err
}

// create stores a new entity named name in scope, refusing a duplicate
// name; fill completes the document in the transaction.
func (a *API) create(ctx context.Context, kind, scope, name string, doc *wafmodel.Entity, v any, fill func(tx store.Tx) error) (any, error) {
	if err := a.checkScope(scope); err != nil {
		return nil, err
	}
	id := a.newID()
	doc.Name, doc.ID, doc.Scope, doc.LockToken = name, id, scope, a.newID()
	doc.ARN = wafmodel.ARN(a.region, a.accountID, scope, kind, name, id)
	_, err := a.store.Update(ctx, func(tx store.Tx) error {
		if fill != nil {
			if err := fill(tx); err != nil {
				return err
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		err = tx.Create(ctx, wafmodel.Key(kind, scope, name), b)
		if errors.Is(err, store.ErrConflict) {
			return wafmodel.Duplicate()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"Summary": doc.Summarize()}, nil
}

// update changes the entity r names when token is its current lock
// token, and answers the next one.
func update[T any, P entity[T]](ctx context.Context, a *API, kind string, r ref, token string, change func(tx store.Tx, v P) error) (any, error) {
	next := a.newID()
	_, err := a.store.Update(ctx, func(tx store.Tx) error {
		v, err := load[T, P](ctx, tx, kind, r)
		if err != nil {
			return err
		}
		if v.Base().LockToken != token {
			return wafmodel.OptimisticLock()
		}
		if err := change(tx, v); err != nil {
			return err
		}
		v.Base().LockToken = next
		return putDoc(ctx, tx, wafmodel.Key(kind, r.Scope, r.Name), v)
	})
	if err != nil {
		return nil, err
	}
	return map[string]string{"NextLockToken": next}, nil
}

// remove deletes the entity r names when token is current and inUse
// (when set) finds nothing using it.
func remove[T any, P entity[T]](ctx context.Context, a *API, kind string, r ref, token string, inUse func(tx store.Tx, v P) (bool, error)) (any, error) {
	_, err := a.store.Update(ctx, func(tx store.Tx) error {
		v, err := load[T, P](ctx, tx, kind, r)
		if err != nil {
			return err
		}
		if v.Base().LockToken != token {
			return wafmodel.OptimisticLock()
		}
		if inUse != nil {
			used, err := inUse(tx, v)
			if err != nil {
				return err
			}
			if used {
				return wafmodel.Associated()
			}
		}
		return tx.Delete(ctx, wafmodel.Key(kind, r.Scope, r.Name))
	})
	return nil, err
}

// listInput is every List operation's input.
type listInput struct {
	Scope      string  `json:"Scope"`
	NextMarker *string `json:"NextMarker"`
	Limit      *int64  `json:"Limit"`
}

// defaultLimit is a page's size when Limit is absent [U].
const defaultLimit = 100

// check validates the input.
func (in *listInput) check(c *wafmodel.Checks) {
	c.Scope(in.Scope, "scope")
	if in.NextMarker != nil {
		c.Length(*in.NextMarker, "nextMarker", 1, 256)
	}
	if in.Limit != nil {
		c.Range(*in.Limit, "limit", 1, 100)
	}
}

// page lists one page of kind's entities in name order. AWS answers the
// last item's name as NextMarker even on a last, short page [X:
// list-ip-sets]; a page after the last is empty and has none.
func page[T any, P entity[T]](ctx context.Context, a *API, r *restjson.Request, kind, member string) (any, error) {
	var in listInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	in.check(&c)
	if err := c.Err(); err != nil {
		return nil, err
	}
	limit := defaultLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	opts := store.ListOptions{Limit: limit}
	if in.NextMarker != nil {
		opts.After = wafmodel.Key(kind, in.Scope, *in.NextMarker)
	}
	var items []store.Item
	err := a.store.View(ctx, func(rd store.Reader) error {
		var err error
		items, err = rd.List(ctx, wafmodel.KindPrefix(kind, in.Scope), opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	sums := []wafmodel.Summary{}
	for _, it := range items {
		v := P(new(T))
		if err := json.Unmarshal(it.Value, v); err != nil {
			return nil, err
		}
		sums = append(sums, v.Base().Summarize())
	}
	out[member] = sums
	if len(sums) > 0 {
		out["NextMarker"] = sums[len(sums)-1].Name
	}
	return out, nil
}
