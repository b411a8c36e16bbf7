package apigw

import (
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/oas"
)

// errInvalidOpenAPI is AWS's answer to a body it cannot read as OpenAPI [V].
var errInvalidOpenAPI = awserr.BadRequest("Invalid OpenAPI input.")

// parseOpenAPI reads a Swagger 2.0 or OpenAPI 3.0 document, JSON or YAML,
// and returns it with the warnings reading it gave (repeated keys).
func parseOpenAPI(body []byte) (oas.Obj, []string, error) {
	raw, warnings, err := oas.Decode(body)
	if err != nil {
		return nil, nil, errInvalidOpenAPI
	}
	doc, ok := raw.(oas.Obj)
	if !ok {
		return nil, nil, errInvalidOpenAPI
	}
	// An unquoted swagger: 2.0 is a number; str renders it "2.0" and AWS
	// accepts it: SAM templates write DefinitionBody with swagger: 2.0
	// unquoted, which reaches the import as the JSON number 2.0 [C].
	sw, oa := oas.Str(doc["swagger"]), oas.Str(doc["openapi"])
	if sw != "2.0" && !strings.HasPrefix(oa, "3.") {
		return nil, nil, errInvalidOpenAPI
	}
	if _, ok := doc["paths"].(oas.Obj); !ok && doc["paths"] != nil {
		return nil, nil, errInvalidOpenAPI
	}
	// info (and its title) may be missing: the API is then named after
	// the time of the import (see importRestApi).
	if _, ok := doc["info"].(oas.Obj); !ok && doc["info"] != nil {
		return nil, nil, errInvalidOpenAPI
	}
	return doc, warnings, nil
}

// readDocument parses an import body and resolves its AWS variables.
func (a *API) readDocument(body []byte) (oas.Obj, []string, error) {
	doc, warnings, err := parseOpenAPI(body)
	if err != nil {
		return nil, nil, err
	}
	oas.ResolveVariables(doc, oas.Variables(a.region, a.accountID))
	return doc, warnings, nil
}
