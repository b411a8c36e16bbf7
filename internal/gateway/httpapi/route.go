package httpapi

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/router"
)

// Route is a compiled route: its key, authorization and integration.
type Route struct {
	pipeline.RouteInfo
	// Key is the route key ("GET /pets/{id}", "$default").
	Key string
	// Default is set on the $default route.
	Default bool
	// Integration is the route's target (nil: the route has none, and
	// answers 404 [U]).
	Integration Integration
	// Auth authorizes requests (nil: authorizationType NONE).
	Auth Authorizer
	// Scopes are the route's authorizationScopes (JWT authorizers).
	Scopes []string
}

// Routes selects a request's route as HTTP APIs do [D: "Working with
// routes for HTTP APIs", route evaluation]:
//
//  1. a full match on method and path, literal segments before {variable}
//     ones, the exact method before ANY;
//  2. a match through a greedy {proxy+} route, which needs at least one
//     segment, the deepest (longest literal prefix) first;
//  3. the $default route.
//
// A path that matches only routes of other methods is not found (404,
// not 405) [L]. Immutable once compiled.
type Routes struct {
	exact, greedy router.Tree[Route]
	def           *Route
}

// Add registers r under its key. Keys are validated by the management API
// already; a snapshot that holds a malformed or duplicate key anyway does
// not compile.
func (rs *Routes) Add(r *Route) error {
	if r.Key == defaultKey {
		if rs.def != nil {
			return errors.New("duplicate $default route")
		}
		r.Default = true
		rs.def = r
		return nil
	}
	method, path, ok := strings.Cut(r.Key, " ")
	verb, known := router.ParseVerb(method)
	if !ok || !known || !strings.HasPrefix(path, "/") {
		return fmt.Errorf("route key %q: not METHOD /path", r.Key)
	}
	tree := &rs.exact
	if strings.HasSuffix(path, "+}") {
		tree = &rs.greedy
	}
	if err := tree.Add(path, verb, r); err != nil {
		return fmt.Errorf("route key %q: %w", r.Key, err)
	}
	return nil
}

// defaultKey is the catch-all route's key.
const defaultKey = "$default"

// Lookup finds the route for a request method and a path relative to the
// stage, filling m; false when none matches. A method no route key can
// name ("TRACE") is served by ANY routes and $default only [U].
func (rs *Routes) Lookup(method, path string, m *router.Match[Route]) bool {
	verb, ok := router.ParseVerb(method)
	if !ok {
		verb = router.ANY
	}
	if rs.exact.Lookup(verb, path, m) || rs.greedy.Lookup(verb, path, m) {
		return true
	}
	if rs.def != nil {
		m.Params = router.Params{}
		m.Route, m.Resource = rs.def, defaultKey
		return true
	}
	return false
}
