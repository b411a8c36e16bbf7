package integration

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/rest"
)

// requestMapping is one compiled integration.request.* parameter.
type requestMapping struct {
	target string // "path", "querystring", "header" (multivalue folded)
	name   string
	src    rest.Source
}

// parseRequestMappings compiles integration requestParameters.
func parseRequestMappings(params map[string]string) ([]requestMapping, error) {
	var out []requestMapping
	for _, k := range sortedKeys(params) {
		target, ok := strings.CutPrefix(k, "integration.request.")
		if !ok {
			return nil, fmt.Errorf("request parameter %q: bad target", k)
		}
		loc, name, ok := strings.Cut(target, ".")
		if !ok || name == "" {
			return nil, fmt.Errorf("request parameter %q: bad target", k)
		}
		loc = strings.TrimPrefix(loc, "multivalue")
		if loc != "path" && loc != "querystring" && loc != "header" {
			return nil, fmt.Errorf("request parameter %q: bad location", k)
		}
		src, err := rest.ParseRequestSource(params[k])
		if err != nil {
			return nil, err
		}
		out = append(out, requestMapping{target: loc, name: name, src: src})
	}
	return out, nil
}
