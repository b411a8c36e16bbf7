package apigwv2

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"

	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/vtl"
)

// Validation of the members only WebSocket APIs have: mapping templates,
// selection keys and the route/integration parameter mappings.

// maxTemplate bounds one template (TemplateMap values are 0 to 32K
// characters [M]).
const maxTemplate = 32 << 10

// checkTemplates parses every template of a requestTemplates or
// responseTemplates map with the VTL engine the data plane renders them
// with, so that a template the data plane could not run is refused when
// it is stored, as AWS validates templates [D][U: text]. Keys are
// template selection keys ("$default", a static value), not content types.
func checkTemplates(member string, templates map[string]string) error {
	for _, key := range sortedKeys(templates) {
		src := templates[key]
		switch {
		case key == "":
			return bad("Invalid %s specified: a template key is empty", member) // [U]
		case len(src) > maxTemplate:
			return bad("Invalid %s specified: the template for %s is longer than %d characters", member, key, maxTemplate) // [M][U: text]
		}
		if _, err := vtl.Parse(key, src); err != nil {
			var e *vtl.Error
			if errors.As(err, &e) {
				return bad("Invalid mapping template specified for %s: line %d, column %d: %s", key, e.Line, e.Col, e.Msg) // [U]
			}
			return bad("Invalid mapping template specified for %s: %v", key, err) // [U]
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkIntegrationResponseKey accepts "$default" or a regular expression
// between slashes ("/4\d\d/"), which must compile [D]. Java and Go regular
// expressions differ at the edges (back-references, look-around): what Go
// cannot compile the data plane could not match, so it is refused [U].
func checkIntegrationResponseKey(key string) error {
	if key == modelv2.DefaultResponseKey {
		return nil
	}
	pattern, ok := modelv2.IntegrationResponsePattern(key)
	if !ok || pattern == "" {
		return bad("Invalid integration response key specified: %s. An integration response key is $default or a regular expression between slashes, such as /4\\d\\d/", key) // [D][U: text]
	}
	if _, err := regexp.Compile(pattern); err != nil {
		return bad("Invalid integration response key specified: %s: %v", key, unwrapRegexp(err)) // [U]
	}
	return nil
}

// unwrapRegexp shortens a regular expression syntax error to its code and
// expression.
func unwrapRegexp(err error) string {
	var e *syntax.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%s: %s", e.Code, e.Expr)
	}
	return err.Error()
}

// Parameter mappings of WebSocket integrations and integration responses
// [D][M]: targets name an integration request parameter or a method
// response header; sources are route request data, the integration
// response, stage or context variables, or a 'static' value.
var (
	wsRequestTargetRE  = regexp.MustCompile(`^integration\.request\.(header|querystring|path)\.[a-zA-Z0-9._$-]+$`)
	wsRequestSourceRE  = regexp.MustCompile(`^route\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.[a-zA-Z0-9._$-]+$`)
	wsBodySourceRE     = regexp.MustCompile(`^(route\.request|integration\.response)\.body(\.[^\s]+)?$`)
	wsVarSourceRE      = regexp.MustCompile(`^(stageVariables|context)\.[A-Za-z0-9_.\-]+$`)
	wsResponseTargetRE = regexp.MustCompile(`^method\.response\.header\.[a-zA-Z0-9._$-]+$`)
	wsResponseSourceRE = regexp.MustCompile(`^integration\.response\.(header|multivalueheader)\.[a-zA-Z0-9._$-]+$`)
	wsLiteralRE        = regexp.MustCompile(`^'[^']*'$`)
	// wsRouteParamRE: a route's request parameters are headers and query
	// string parameters of the $connect request [D].
	wsRouteParamRE = regexp.MustCompile(`^route\.request\.(header|querystring)\.[a-zA-Z0-9._$-]+$`)
)

// invalidMapping is AWS's error for a malformed mapping expression, as
// REST APIs answer it [V].
func invalidMapping(expr string) error {
	return bad("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: %s]", expr)
}

// checkWSRequestMappings validates a WebSocket integration's
// requestParameters.
func checkWSRequestMappings(params map[string]string) error {
	for _, target := range sortedKeys(params) {
		source := params[target]
		if !wsRequestTargetRE.MatchString(target) {
			return invalidMapping(target)
		}
		if !wsLiteralRE.MatchString(source) && !wsVarSourceRE.MatchString(source) && !wsRequestSourceRE.MatchString(source) &&
			!(wsBodySourceRE.MatchString(source) && source[0] == 'r') {
			return invalidMapping(source)
		}
	}
	return nil
}

// checkWSResponseMappings validates an integration response's
// responseParameters.
func checkWSResponseMappings(params map[string]string) error {
	for _, target := range sortedKeys(params) {
		source := params[target]
		if !wsResponseTargetRE.MatchString(target) {
			return invalidMapping(target)
		}
		if !wsLiteralRE.MatchString(source) && !wsVarSourceRE.MatchString(source) && !wsResponseSourceRE.MatchString(source) &&
			!(wsBodySourceRE.MatchString(source) && source[0] == 'i') {
			return invalidMapping(source)
		}
	}
	return nil
}

// checkRouteParameters validates a WebSocket route's requestParameters
// names.
func checkRouteParameters(params map[string]modelv2.ParameterConstraints) error {
	for _, name := range sortedKeys(params) {
		if !wsRouteParamRE.MatchString(name) {
			return invalidMapping(name)
		}
	}
	return nil
}
