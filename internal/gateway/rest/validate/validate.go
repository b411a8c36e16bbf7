// Package validate is API Gateway's request validation (reference §2.3
// step 10): a method's request validator checks that required request
// parameters are present and not blank, then that the body matches the
// JSON Schema (draft 4) model of its content type. Everything is compiled
// once per deployment; a method without a validator gets none and pays
// nothing.
package validate

import (
	"fmt"
	"mime"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
)

// emptyModel is the model every API owns that accepts any body [U: AWS
// documents it as "no validation"; its schema says type object].
const emptyModel = "Empty"

// defaultContentType is the content type of a request without one, as for
// template selection: a GET without Content-Type is validated against the
// application/json model [V: test_api_gateway_request_validator].
const defaultContentType = "application/json"

// Deployment compiles the request validators of one deployment's methods.
// It shares the compiled models between methods.
type Deployment struct {
	validators map[string]model.RequestValidator
	models     *Models
}

// NewDeployment prepares the validators and models of a snapshot. Models
// are compiled when a method first needs them.
func NewDeployment(snap *model.Snapshot) *Deployment {
	d := &Deployment{validators: map[string]model.RequestValidator{}, models: NewModels(snap.API.ID, snap.Models)}
	for _, v := range snap.Validators {
		d.validators[v.ID] = v
	}
	return d
}

// Method returns the validator of m, or nil when m has no request
// validator or it validates nothing. A model that does not compile does not
// fail the deployment: the method answers 500 (API_CONFIGURATION_ERROR)
// with the cause in the log.
func (d *Deployment) Method(m *model.Method) rest.RequestValidator {
	id := strings.TrimSpace(model.Deref(m.RequestValidatorID))
	if id == "" {
		return nil
	}
	rv, ok := d.validators[id]
	if !ok || (!rv.ValidateRequestParameters && !rv.ValidateRequestBody) {
		// PutMethod rejects unknown validators; one missing from a
		// snapshot validates nothing [L].
		return nil
	}
	v := &Validator{}
	if rv.ValidateRequestParameters {
		v.params = requiredParams(m.RequestParameters)
	}
	if rv.ValidateRequestBody {
		for _, ct := range sortedKeys(m.RequestModels) {
			name := m.RequestModels[ct]
			b := body{contentType: strings.ToLower(ct), any: name == emptyModel}
			if !b.any {
				s, err := d.models.Schema(name)
				if err != nil {
					v.broken = fmt.Errorf("request model %q for %s: %w", name, ct, err)
					break
				}
				b.schema = s
			}
			v.bodies = append(v.bodies, b)
		}
	}
	if v.broken == nil && len(v.params) == 0 && len(v.bodies) == 0 {
		return nil
	}
	return v
}

// Validator is one method's compiled request validator.
type Validator struct {
	// params are the required parameters in AWS's reporting order.
	params []param
	// bodies are the models by lower-cased content type ("$default"
	// included), sorted.
	bodies []body
	// broken is why the method cannot be validated (answered with 500).
	broken error
}

// param is one required request parameter.
type param struct {
	kind rest.SourceKind // SrcHeader, SrcQuery or SrcPath
	name string
}

// body is the model of one content type.
type body struct {
	contentType string
	schema      *Schema
	any         bool // the Empty model: no validation
}

// Validate implements rest.RequestValidator: parameters first, then the
// body [V][L].
func (v *Validator) Validate(x *rest.Exchange) error {
	if v.broken != nil {
		return pipeline.Fail(pipeline.APIConfigurationError, v.broken)
	}
	if len(v.params) > 0 {
		if msg := v.missingParameters(x); msg != "" {
			return pipeline.FailWith(pipeline.BadRequestParameters, msg, nil)
		}
	}
	if len(v.bodies) > 0 {
		return v.validateBody(x)
	}
	return nil
}

// requiredParams lists the required method.request.{header,path,
// querystring} parameters sorted by their full key, the order AWS reports
// them in ("[x-header-param, issuer, qs1]": header < path < querystring)
// [V].
func requiredParams(rp map[string]bool) []param {
	var out []param
	for _, key := range sortedKeys(rp) {
		if !rp[key] {
			continue
		}
		loc, name, ok := strings.Cut(strings.TrimPrefix(key, "method.request."), ".")
		if !ok || name == "" {
			continue
		}
		switch loc {
		case "header":
			out = append(out, param{rest.SrcHeader, name})
		case "querystring":
			out = append(out, param{rest.SrcQuery, name})
		case "path":
			out = append(out, param{rest.SrcPath, name})
		}
	}
	return out
}

// missingParameters returns AWS's message naming every required parameter
// that is absent or blank [D: "included and not blank"], or "".
func (v *Validator) missingParameters(x *rest.Exchange) string {
	var missing []string
	for _, p := range v.params {
		if !present(x, p) {
			missing = append(missing, p.name)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"
}

func present(x *rest.Exchange, p param) bool {
	switch p.kind {
	case rest.SrcHeader:
		return strings.TrimSpace(x.Req.Header(p.name)) != ""
	case rest.SrcQuery:
		for _, val := range x.Query()[p.name] {
			if strings.TrimSpace(val) != "" {
				return true
			}
		}
		return false
	default:
		val, _ := x.Match.Params.Get(p.name)
		return val != ""
	}
}

// model returns the body model for a request's Content-Type: its own,
// else "$default", else none (no validation) [D]. A request without
// Content-Type is application/json [V].
func (v *Validator) model(contentType string) *body {
	ct := defaultContentType
	if contentType != "" {
		ct = contentType
		if mt, _, err := mime.ParseMediaType(contentType); err == nil {
			ct = mt
		} else if i := strings.IndexByte(ct, ';'); i >= 0 {
			ct = strings.TrimSpace(ct[:i])
		}
		ct = strings.ToLower(ct)
	}
	var dflt *body
	for i := range v.bodies {
		b := &v.bodies[i]
		switch b.contentType {
		case ct:
			return b
		case "$default":
			dflt = b
		}
	}
	return dflt
}

// validateBody checks the body against its content type's model.
func (v *Validator) validateBody(x *rest.Exchange) error {
	b := v.model(x.Req.Header("Content-Type"))
	if b == nil || b.any {
		return nil
	}
	raw, err := x.ReadBody()
	if err != nil {
		return fmt.Errorf("reading the request body: %w", err)
	}
	if msg := b.schema.Check(raw); msg != "" {
		x.ValidationError = msg
		return pipeline.Fail(pipeline.BadRequestBody, nil)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
