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
// redeploy the API's auto-deploying stages: routes, integrations,
// authorizers, and the WebSocket-only models, route responses (under a
// route) and integration responses (under an integration).
type childKind struct {
	kind    string // store kind
	param   string // path parameter holding a document's id
	idLen   int
	max     int // per-API (or per-parent) quota [D]; 0: none
	what    string
	missing func(id string) error
	// parent is the kind of document this kind is stored under (nil: the
	// API itself); a request naming a parent that does not exist answers
	// with the parent's not-found error.
	parent *childKind
	// children are the kinds stored under documents of this kind, deleted
	// with them.
	children []string
	// webSocket marks the kinds only WebSocket APIs have; what names them
	// in the refusal HTTP APIs get.
	webSocket bool
}

var (
	routeKind = childKind{kind: modelv2.KindRoute, param: "routeId", idLen: lenRouteID, max: maxRoutes, what: "routes",
		missing: errRoute, children: []string{modelv2.KindRouteResponse}}
	integrationKind = childKind{kind: modelv2.KindIntegration, param: "integrationId", idLen: lenIntegrationID, max: maxIntegrations,
		what: "integrations", missing: errIntegration, children: []string{modelv2.KindIntegrationResponse}}
	authorizerKind = childKind{kind: modelv2.KindAuthorizer, param: "authorizerId", idLen: lenAuthorizerID, max: maxAuthorizers,
		what: "authorizers", missing: errAuthorizer}
	modelKind = childKind{kind: modelv2.KindModel, param: "modelId", idLen: lenModelID, what: "Models",
		missing: errModel, webSocket: true}
	routeResponseKind = childKind{kind: modelv2.KindRouteResponse, param: "routeResponseId", idLen: lenRouteResponseID,
		what: "Route responses", missing: errRouteResponse, parent: &routeKind, webSocket: true}
	integrationResponseKind = childKind{kind: modelv2.KindIntegrationResponse, param: "integrationResponseId", idLen: lenIntegrationResponseID,
		what: "Integration responses", missing: errIntegrationResponse, parent: &integrationKind, webSocket: true}
)

// scope is where the documents of one kind a request names live: under
// its API, or under one route or integration of it.
type scope struct {
	k               childKind
	apiID, parentID string
}

// scopeOf reads the scope of a request's path.
func (k childKind) scopeOf(r *restjson.Request) scope {
	s := scope{k: k, apiID: r.Path("apiId")}
	if k.parent != nil {
		s.parentID = r.Path(k.parent.param)
	}
	return s
}

// key is the store key of the document id in the scope.
func (s scope) key(id string) string {
	if s.k.parent == nil {
		return modelv2.ChildKey(s.k.kind, s.apiID, id)
	}
	return modelv2.SubKey(s.k.kind, s.apiID, s.parentID, id)
}

// prefix is the store prefix of every document of the scope.
func (s scope) prefix() string {
	if s.k.parent == nil {
		return modelv2.ChildPrefix(s.k.kind, s.apiID)
	}
	return modelv2.SubPrefix(s.k.kind, s.apiID, s.parentID)
}

// check refuses a request on an API of the wrong protocol (WebSocket-only
// kinds on an HTTP API [M]) and answers for a parent that does not exist.
func (s scope) check(ctx context.Context, rd store.Reader, api modelv2.Api) error {
	if s.k.webSocket && api.ProtocolType != modelv2.ProtocolWebSocket {
		return bad("%s are supported only for WebSocket APIs", s.k.what) // [M][U: text]
	}
	if s.k.parent == nil {
		return nil
	}
	ok, err := docstore.Exists(ctx, rd, modelv2.ChildKey(s.k.parent.kind, s.apiID, s.parentID))
	if err != nil {
		return err
	}
	if !ok {
		return s.k.parent.missing(s.parentID)
	}
	return nil
}

// get reads the API, checks the scope, then reads the document id.
func get[T any](ctx context.Context, a *API, rd store.Reader, s scope, id string) (T, int64, error) {
	var zero T
	api, _, err := a.loadAPI(ctx, rd, s.apiID)
	if err != nil {
		return zero, 0, err
	}
	if err := s.check(ctx, rd, api); err != nil {
		return zero, 0, err
	}
	doc, seq, err := docstore.Get[T](ctx, rd, s.key(id))
	return doc, seq, docstore.NotFound(err, s.k.missing(id))
}

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
		sc := k.scopeOf(r)
		var doc T
		err := a.change(ctx, sc.apiID, func(tx store.Tx, api modelv2.Api) error {
			if err := sc.check(ctx, tx, api); err != nil {
				return err
			}
			if k.max > 0 {
				items, err := tx.List(ctx, sc.prefix(), store.ListOptions{})
				if err != nil {
					return err
				}
				if len(items) >= k.max {
					return tooMany(k.what, k.max)
				}
			}
			id := a.ids.ID(k.idLen)
			var err error
			if doc, err = build(ctx, tx, api, id, in); err != nil {
				return err
			}
			return docstore.Put(ctx, tx, sc.key(id), a.seq.Next(), doc)
		})
		return restjson.Output(doc, err)
	}
}

// getChild is the Get* operation of a kind.
func getChild[T any](a *API, k childKind) restjson.Handler {
	return func(ctx context.Context, r *restjson.Request) (any, error) {
		sc, id := k.scopeOf(r), r.Path(k.param)
		return restjson.Output(docstore.Read(ctx, a.store, func(rd store.Reader) (T, int64, error) {
			return get[T](ctx, a, rd, sc, id)
		}))
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
		sc, id := k.scopeOf(r), r.Path(k.param)
		var doc T
		err := a.change(ctx, sc.apiID, func(tx store.Tx, api modelv2.Api) error {
			if err := sc.check(ctx, tx, api); err != nil {
				return err
			}
			key := sc.key(id)
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
// may refuse to delete a document, e.g. one that routes use. The
// documents stored under it (k.children) go with it.
func deleteChild[T any](a *API, k childKind, refuse func(ctx context.Context, tx store.Tx, apiID string, doc T) error) restjson.Handler {
	return func(ctx context.Context, r *restjson.Request) (any, error) {
		sc, id := k.scopeOf(r), r.Path(k.param)
		return nil, a.change(ctx, sc.apiID, func(tx store.Tx, api modelv2.Api) error {
			if err := sc.check(ctx, tx, api); err != nil {
				return err
			}
			key := sc.key(id)
			doc, _, err := docstore.Get[T](ctx, tx, key)
			if err != nil {
				return docstore.NotFound(err, k.missing(id))
			}
			if refuse != nil {
				if err := refuse(ctx, tx, sc.apiID, doc); err != nil {
					return err
				}
			}
			if err := tx.Delete(ctx, key); err != nil {
				return err
			}
			for _, kind := range k.children {
				if _, err := tx.DeletePrefix(ctx, modelv2.SubPrefix(kind, sc.apiID, id)); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// listKind implements a Get* collection operation over the documents of
// one kind in a request's scope, in creation order, paginated.
func listKind[T any](ctx context.Context, a *API, r *restjson.Request, k childKind, key func(T) string) (any, error) {
	sc := k.scopeOf(r)
	var items []T
	err := a.store.View(ctx, func(rd store.Reader) error {
		api, _, err := a.loadAPI(ctx, rd, sc.apiID)
		if err != nil {
			return err
		}
		if err := sc.check(ctx, rd, api); err != nil {
			return err
		}
		items, err = docstore.List[T](ctx, rd, sc.prefix())
		return err
	})
	if err != nil {
		return nil, err
	}
	return restjson.PaginateItems(r, items, key)
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
