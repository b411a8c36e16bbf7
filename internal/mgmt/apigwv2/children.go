package apigwv2

import (
	"context"
	"sort"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// childKind describes one kind of document an API owns whose changes
// redeploy the API's auto-deploying stages: routes, integrations and
// authorizers.
type childKind struct {
	kind    string // store kind
	param   string // path parameter holding a document's id
	idLen   int
	max     int // per-API quota [D]
	what    string
	missing func(id string) error
}

var (
	routeKind       = childKind{modelv2.KindRoute, "routeId", lenRouteID, maxRoutes, "routes", errRoute}
	integrationKind = childKind{modelv2.KindIntegration, "integrationId", lenIntegrationID, maxIntegrations, "integrations", errIntegration}
	authorizerKind  = childKind{modelv2.KindAuthorizer, "authorizerId", lenAuthorizerID, maxAuthorizers, "authorizers", errAuthorizer}
)

// input is a request body: decoded, then checked against the model.
type input interface{ check(*checker) }

// readInput decodes r's body into in and checks it; required (for a
// create) adds the checks of required members first.
func readInput(r *restjson.Request, in input, required func(*checker)) error {
	if err := decode(r, in); err != nil {
		return err
	}
	var c checker
	if required != nil {
		required(&c)
	}
	in.check(&c)
	return c.err
}

// createChild is the Create* operation of a kind: in one transaction it
// checks the quota, lets build make the document from the body (and check
// it against the API), stores it and redeploys.
func createChild[T any, I any, P interface {
	*I
	input
}](a *API, k childKind, required func(P, *checker), build func(ctx context.Context, tx store.Tx, api modelv2.Api, id string, in P) (T, error)) restjson.Handler {
	return func(ctx context.Context, r *restjson.Request) (any, error) {
		in := P(new(I))
		if err := readInput(r, in, func(c *checker) { required(in, c) }); err != nil {
			return nil, err
		}
		apiID := r.Path("apiId")
		var doc T
		err := a.change(ctx, apiID, func(tx store.Tx, api modelv2.Api) error {
			n, err := countChildren(ctx, tx, k.kind, apiID)
			if err != nil {
				return err
			}
			if n >= k.max {
				return tooMany(k.what, k.max)
			}
			id := a.ids.ID(k.idLen)
			if doc, err = build(ctx, tx, api, id, in); err != nil {
				return err
			}
			return docstore.Put(ctx, tx, modelv2.ChildKey(k.kind, apiID, id), a.seq.Next(), doc)
		})
		return restjson.Output(doc, err)
	}
}

// getChild is the Get* operation of a kind.
func getChild[T any](a *API, k childKind) restjson.Handler {
	return func(ctx context.Context, r *restjson.Request) (any, error) {
		id := r.Path(k.param)
		return restjson.Output(readChild[T](ctx, a, k.kind, r.Path("apiId"), id, k.missing(id)))
	}
}

// updateChild is the Update* operation of a kind: in one transaction it
// loads the document, lets apply change and check it, stores it and
// redeploys.
func updateChild[T any, I any, P interface {
	*I
	input
}](a *API, k childKind, apply func(ctx context.Context, tx store.Tx, api modelv2.Api, doc *T, in P) error) restjson.Handler {
	return func(ctx context.Context, r *restjson.Request) (any, error) {
		in := P(new(I))
		if err := readInput(r, in, nil); err != nil {
			return nil, err
		}
		apiID, id := r.Path("apiId"), r.Path(k.param)
		var doc T
		err := a.change(ctx, apiID, func(tx store.Tx, api modelv2.Api) error {
			key := modelv2.ChildKey(k.kind, apiID, id)
			d, seq, err := docstore.Get[T](ctx, tx, key)
			if err != nil {
				return docstore.NotFound(err, k.missing(id))
			}
			if err := apply(ctx, tx, api, &d, in); err != nil {
				return err
			}
			doc = d
			return docstore.Put(ctx, tx, key, seq, d)
		})
		return restjson.Output(doc, err)
	}
}

// deleteChild is the Delete* operation of a kind: refuse (nil: never)
// may refuse to delete a document, e.g. one that routes use.
func deleteChild[T any](a *API, k childKind, refuse func(ctx context.Context, tx store.Tx, apiID string, doc T) error) restjson.Handler {
	return func(ctx context.Context, r *restjson.Request) (any, error) {
		apiID, id := r.Path("apiId"), r.Path(k.param)
		return nil, a.change(ctx, apiID, func(tx store.Tx, _ modelv2.Api) error {
			key := modelv2.ChildKey(k.kind, apiID, id)
			doc, _, err := docstore.Get[T](ctx, tx, key)
			if err != nil {
				return docstore.NotFound(err, k.missing(id))
			}
			if refuse != nil {
				if err := refuse(ctx, tx, apiID, doc); err != nil {
					return err
				}
			}
			return tx.Delete(ctx, key)
		})
	}
}

// routeKeysWhere lists, sorted, the keys of the API's routes that match.
func routeKeysWhere(ctx context.Context, rd store.Reader, apiID string, match func(modelv2.Route) bool) ([]string, error) {
	all, err := docstore.List[modelv2.Route](ctx, rd, modelv2.ChildPrefix(modelv2.KindRoute, apiID))
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, rt := range all {
		if match(rt) {
			keys = append(keys, rt.RouteKey)
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// countChildren counts one kind of document an API owns.
func countChildren(ctx context.Context, rd store.Reader, kind, apiID string) (int, error) {
	items, err := rd.List(ctx, modelv2.ChildPrefix(kind, apiID), store.ListOptions{})
	return len(items), err
}
