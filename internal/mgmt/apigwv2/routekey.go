package apigwv2

import (
	"strings"

	"github.com/tollgate/tollgate/internal/modelv2"
)

// routeMethods are the methods an HTTP route key may name [D].
var routeMethods = []string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

// segment is one segment of a route path: a literal, a {variable} or a
// greedy {variable+}.
type segment struct {
	literal  string
	variable string
	greedy   bool
}

// httpRouteKey is a parsed HTTP route key; $default has no method.
type httpRouteKey struct {
	method string
	path   []segment
}

// errRouteKey is the answer for a malformed route key [U: AWS's text].
func errRouteKey(key string) error {
	return bad("Invalid route key specified: %q. An HTTP API route key is \"$default\" or an HTTP method (%s) followed by a space and a path starting with /; path variables are whole segments ({name}), and a greedy variable ({name+}) must be the last segment", key, strings.Join(routeMethods, ", "))
}

// parseHTTPRouteKey parses "METHOD /path/{var}/{greedy+}" or "$default".
func parseHTTPRouteKey(key string) (httpRouteKey, error) {
	if key == modelv2.DefaultKey {
		return httpRouteKey{}, nil
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok || !oneOf(method, routeMethods) || !strings.HasPrefix(path, "/") {
		return httpRouteKey{}, errRouteKey(key)
	}
	k := httpRouteKey{method: method}
	if path == "/" {
		return k, nil
	}
	parts := strings.Split(path[1:], "/")
	for i, p := range parts {
		s, ok := parseSegment(p)
		if !ok || (s.greedy && i != len(parts)-1) {
			return httpRouteKey{}, errRouteKey(key)
		}
		k.path = append(k.path, s)
	}
	return k, nil
}

// parseSegment reads one path segment.
func parseSegment(p string) (segment, bool) {
	if p == "" || strings.ContainsAny(p, " \t?#") {
		return segment{}, false
	}
	if !strings.HasPrefix(p, "{") {
		return segment{literal: p}, !strings.ContainsAny(p, "{}")
	}
	name, ok := strings.CutSuffix(p[1:], "}")
	if !ok {
		return segment{}, false
	}
	s := segment{}
	name, s.greedy = strings.CutSuffix(name, "+")
	if !validVariable(name) {
		return segment{}, false
	}
	s.variable = name
	return s, true
}

// validVariable accepts path variable names of letters, digits, '.', '_'
// and '-' [U].
func validVariable(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// conflictingVariable reports whether two route paths name the variable at
// the same level of the path tree differently: routes share one tree
// whatever their method, so "GET /a/{x}/b" and "POST /a/{y}" conflict [C].
func conflictingVariable(a, b httpRouteKey) bool {
	for i := 0; i < len(a.path) && i < len(b.path); i++ {
		sa, sb := a.path[i], b.path[i]
		switch {
		case sa.variable != "" && sb.variable != "":
			if sa.variable != sb.variable {
				return true
			}
		case sa.literal != sb.literal:
			return false
		}
	}
	return false
}

// checkRouteKey validates key for an API of the given protocol against
// the other routes' keys (the route being updated excluded).
func checkRouteKey(protocol, key string, others []modelv2.Route) error {
	if protocol == modelv2.ProtocolWebSocket {
		if key == "" || len(key) > 128 || (strings.HasPrefix(key, "$") && !oneOf(key, webSocketKeys)) {
			return bad("Invalid route key specified: %q. A WebSocket route key is $connect, $disconnect, $default or a custom key that does not start with $", key) // [U]
		}
	}
	var parsed httpRouteKey
	if protocol == modelv2.ProtocolHTTP {
		var err error
		if parsed, err = parseHTTPRouteKey(key); err != nil {
			return err
		}
	}
	for _, o := range others {
		if o.RouteKey == key {
			return conflict("Route with key %s already exists for this API", key) // [U]
		}
	}
	if protocol != modelv2.ProtocolHTTP || len(parsed.path) == 0 {
		return nil
	}
	for _, o := range others {
		if other, _ := parseHTTPRouteKey(o.RouteKey); conflictingVariable(parsed, other) {
			return conflict("The provided route key %q has a conflicting variable on the same hierarchical level as %q", key, o.RouteKey) // [C]
		}
	}
	return nil
}

// webSocketKeys are the predefined WebSocket route keys [D].
var webSocketKeys = []string{"$connect", "$disconnect", modelv2.DefaultKey}
