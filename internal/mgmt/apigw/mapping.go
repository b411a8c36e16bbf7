package apigw

import (
	"mime"
	"regexp"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/model"
)

// Parameter-mapping grammar (reference §1.5, "Parameter mapping syntax").
var (
	integrationTargetRE = regexp.MustCompile(`^integration\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.[^\s]+$`)
	methodSourceRE      = regexp.MustCompile(`^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.([^\s]+)$`)
	bodySourceRE        = regexp.MustCompile(`^(method\.request|integration\.response)\.body(\.[^\s]+)?$`)
	varSourceRE         = regexp.MustCompile(`^(stageVariables|context)\.[A-Za-z0-9_.\-]+$`)
	responseSourceRE    = regexp.MustCompile(`^integration\.response\.(header|multivalueheader)\.[^\s]+$`)
	literalRE           = regexp.MustCompile(`^'[^']*'$`)
)

// checkRequestMappings validates an integration's requestParameters
// against the method's declared request parameters.
func checkRequestMappings(params map[string]string, declared map[string]bool) error {
	for target, source := range params {
		if !integrationTargetRE.MatchString(target) {
			return invalidMapping(target)
		}
		switch {
		case literalRE.MatchString(source), varSourceRE.MatchString(source):
		case strings.HasPrefix(source, "method.request.body"):
			if !bodySourceRE.MatchString(source) {
				return invalidMapping(source)
			}
		case methodSourceRE.MatchString(source):
			m := methodSourceRE.FindStringSubmatch(source)
			loc := strings.TrimPrefix(m[1], "multivalue")
			if !declaredParam(declared, loc, m[2]) {
				return invalidMappingParameter(source)
			}
		default:
			return invalidMapping(source)
		}
	}
	return nil
}

func declaredParam(declared map[string]bool, loc, name string) bool {
	for _, l := range []string{loc, "multivalue" + loc} {
		if _, ok := declared["method.request."+l+"."+name]; ok {
			return true
		}
	}
	return false
}

// checkResponseMappings validates an integration response's
// responseParameters against the method response's declared headers.
func checkResponseMappings(params map[string]string, declared map[string]bool) error {
	for target, source := range params {
		if !responseHeaderRE.MatchString(target) {
			return invalidMapping(target)
		}
		if _, ok := declared[target]; !ok {
			return invalidMappingParameter(target)
		}
		switch {
		case literalRE.MatchString(source), varSourceRE.MatchString(source), responseSourceRE.MatchString(source):
		case strings.HasPrefix(source, "integration.response.body") && bodySourceRE.MatchString(source):
		default:
			return invalidMapping(source)
		}
	}
	return nil
}

// checkTemplates validates template content types.
func checkTemplates(templates map[string]*string) error {
	for ct := range templates {
		if _, _, err := mime.ParseMediaType(ct); err != nil || !strings.Contains(ct, "/") {
			return awserr.BadRequest("Validation Result: warnings : [], errors : [Invalid content type specified: %s]", ct)
		}
	}
	return nil
}

// declaredHeaders returns a method response's declared headers (nil-safe).
func declaredHeaders(mr *model.MethodResponse) map[string]bool {
	if mr == nil {
		return nil
	}
	return mr.ResponseParameters
}

// nullEmpty stores empty templates as null, as AWS does [V].
func nullEmpty(templates map[string]*string) map[string]*string {
	for ct, t := range templates {
		if t != nil && *t == "" {
			templates[ct] = nil
		}
	}
	return templates
}
