package apigw

import (
	"context"
	"regexp"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

var errHTTPMethod = awserr.BadRequest("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")

const errAuthorizerRequired = "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."

// readMethod loads a resource and one of its methods.
func (a *API) readMethod(ctx context.Context, r *restjson.Request) (*model.Method, error) {
	var m *model.Method
	err := a.view(ctx, func(rd store.Reader) error {
		res, _, err := a.loadResource(ctx, rd, r.Path("restapi_id"), r.Path("resource_id"))
		if err != nil {
			return err
		}
		m = res.ResourceMethods[r.Path("http_method")]
		if m == nil {
			return errMethod
		}
		return nil
	})
	return m, err
}

// mutateResource runs fn on a resource inside a write transaction and
// stores the result. fn sees the tx for cross-checks (models, validators).
func (a *API) mutateResource(ctx context.Context, r *restjson.Request, fn func(tx store.Tx, res *model.Resource) error) error {
	apiID, resID := r.Path("restapi_id"), r.Path("resource_id")
	return a.update(ctx, func(tx store.Tx) error {
		res, seq, err := a.loadResource(ctx, tx, apiID, resID)
		if err != nil {
			return err
		}
		if err := fn(tx, &res); err != nil {
			return err
		}
		return put(ctx, tx, model.ChildKey(model.KindResource, apiID, resID), seq, res)
	})
}

// mutateMethod is mutateResource for an existing method.
func (a *API) mutateMethod(ctx context.Context, r *restjson.Request, fn func(tx store.Tx, m *model.Method) error) (model.Method, error) {
	var out model.Method
	err := a.mutateResource(ctx, r, func(tx store.Tx, res *model.Resource) error {
		m := res.ResourceMethods[r.Path("http_method")]
		if m == nil {
			return errMethod
		}
		if err := fn(tx, m); err != nil {
			return err
		}
		out = *m
		return nil
	})
	return out, err
}

type putMethodInput struct {
	AuthorizationType   *string           `json:"authorizationType"`
	AuthorizerID        *string           `json:"authorizerId"`
	ApiKeyRequired      *bool             `json:"apiKeyRequired"`
	OperationName       *string           `json:"operationName"`
	RequestParameters   map[string]bool   `json:"requestParameters"`
	RequestModels       map[string]string `json:"requestModels"`
	RequestValidatorID  *string           `json:"requestValidatorId"`
	AuthorizationScopes []string          `json:"authorizationScopes"`
}

func (a *API) putMethod(ctx context.Context, r *restjson.Request) (any, error) {
	var in putMethodInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.AuthorizationType == nil {
		nullAt(&v, "putMethodInput.authorizationType")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	apiID, verb := r.Path("restapi_id"), r.Path("http_method")
	var m model.Method
	err := a.mutateResource(ctx, r, func(tx store.Tx, res *model.Resource) error {
		if !in1(verb, model.HTTPMethods) {
			return errHTTPMethod
		}
		m = model.Method{
			HTTPMethod:          verb,
			AuthorizationType:   *in.AuthorizationType,
			AuthorizerID:        in.AuthorizerID,
			ApiKeyRequired:      model.Deref(in.ApiKeyRequired),
			OperationName:       in.OperationName,
			RequestParameters:   in.RequestParameters,
			RequestModels:       in.RequestModels,
			RequestValidatorID:  in.RequestValidatorID,
			AuthorizationScopes: in.AuthorizationScopes,
		}
		if err := a.checkMethod(ctx, tx, apiID, &m); err != nil {
			return err
		}
		if res.ResourceMethods == nil {
			res.ResourceMethods = map[string]*model.Method{}
		}
		res.ResourceMethods[verb] = &m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// checkMethod validates a method's references and parameters, and drops
// members that its authorization type makes meaningless.
func (a *API) checkMethod(ctx context.Context, rd store.Reader, apiID string, m *model.Method) error {
	// AWS accepts the type in any case ("none" [V: test_usage_plan_crud's
	// setup]); it is kept upper-case [U: whether AWS echoes it as given].
	if up := strings.ToUpper(m.AuthorizationType); in1(up, model.AuthorizationTypes) {
		m.AuthorizationType = up
	}
	if !in1(m.AuthorizationType, model.AuthorizationTypes) {
		// [U] AWS's text for an unknown authorization type.
		return awserr.BadRequest("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
	}
	switch m.AuthorizationType {
	case "CUSTOM", "COGNITO_USER_POOLS":
		if m.AuthorizerID == nil || *m.AuthorizerID == "" {
			return awserr.BadRequest(errAuthorizerRequired)
		}
		auth, _, err := get[model.Authorizer](ctx, rd, model.ChildKey(model.KindAuthorizer, apiID, *m.AuthorizerID))
		if err != nil {
			return notFound(err, awserr.BadRequest(errAuthorizerRequired))
		}
		wantCognito := m.AuthorizationType == "COGNITO_USER_POOLS"
		if (auth.Type == "COGNITO_USER_POOLS") != wantCognito {
			return awserr.BadRequest(errAuthorizerRequired)
		}
	default:
		// An authorizer id only means something for CUSTOM and COGNITO [V].
		m.AuthorizerID = nil
	}
	if m.RequestValidatorID != nil && *m.RequestValidatorID != "" {
		ok, err := exists(ctx, rd, model.ChildKey(model.KindValidator, apiID, *m.RequestValidatorID))
		if err != nil {
			return err
		}
		if !ok {
			return awserr.BadRequest("Invalid Request Validator identifier specified")
		}
	} else {
		m.RequestValidatorID = nil
	}
	for _, name := range m.RequestModels {
		ok, err := exists(ctx, rd, model.ChildKey(model.KindModel, apiID, name))
		if err != nil {
			return err
		}
		if !ok {
			return awserr.BadRequest("Invalid model identifier specified: %s", name)
		}
	}
	return checkMethodParameters(m.RequestParameters)
}

var methodParamRE = regexp.MustCompile(`^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$`)

// checkMethodParameters validates request parameter names.
func checkMethodParameters(params map[string]bool) error {
	seen := map[string]string{}
	for key := range params {
		m := methodParamRE.FindStringSubmatch(key)
		if m == nil {
			return invalidMapping(key)
		}
		loc := strings.TrimPrefix(m[1], "multivalue")
		if prev, ok := seen[m[2]]; ok && prev != loc {
			return awserr.BadRequest("Parameter names must be unique across querystring, header and path")
		}
		seen[m[2]] = loc
	}
	return nil
}

// invalidMapping is AWS's error for a malformed mapping expression [V].
func invalidMapping(expr string) error {
	return awserr.BadRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: %s]", expr)
}

// invalidMappingParameter is AWS's error for a mapping that refers to an
// undeclared parameter.
func invalidMappingParameter(expr string) error {
	return awserr.BadRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: %s]", expr)
}

func (a *API) getMethod(ctx context.Context, r *restjson.Request) (any, error) {
	return a.readMethod(ctx, r)
}

func (a *API) deleteMethod(ctx context.Context, r *restjson.Request) (any, error) {
	return nil, a.mutateResource(ctx, r, func(_ store.Tx, res *model.Resource) error {
		verb := r.Path("http_method")
		if res.ResourceMethods[verb] == nil {
			return errMethod
		}
		delete(res.ResourceMethods, verb)
		if len(res.ResourceMethods) == 0 {
			res.ResourceMethods = nil
		}
		return nil
	})
}

func (a *API) updateMethod(ctx context.Context, r *restjson.Request) (any, error) {
	ops, err := decodePatch(r, "updateMethodInput")
	if err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	return a.mutateMethod(ctx, r, func(tx store.Tx, m *model.Method) error {
		for _, op := range ops {
			if err := patchMethod(m, op); err != nil {
				return err
			}
		}
		return a.checkMethod(ctx, tx, apiID, m)
	})
}

// patchMethod applies one operation to a method.
func patchMethod(m *model.Method, op patch.Operation) error {
	seg := patch.Segments(op.Path)
	if len(seg) == 0 {
		return patch.InvalidPath(op)
	}
	switch seg[0] {
	case "authorizationType", "authorizerId", "apiKeyRequired", "operationName", "requestValidatorId":
		if len(seg) != 1 {
			return patch.InvalidPath(op)
		}
		if op.Op != "replace" {
			return patch.InvalidOp("replace")
		}
		val := op.Str()
		switch seg[0] {
		case "authorizationType":
			m.AuthorizationType = val
		case "authorizerId":
			m.AuthorizerID = optional(val)
		case "apiKeyRequired":
			m.ApiKeyRequired, _ = parseBool(val)
		case "operationName":
			m.OperationName = optional(val)
		case "requestValidatorId":
			m.RequestValidatorID = optional(val)
		}
	case "requestParameters":
		if len(seg) != 2 {
			return patch.InvalidPath(op)
		}
		return patchBoolMap(&m.RequestParameters, seg[1], op)
	case "requestModels":
		if len(seg) != 2 {
			return patch.InvalidPath(op)
		}
		return patchStringMap(&m.RequestModels, seg[1], op, errContentTypeNotFound)
	case "authorizationScopes":
		switch op.Op {
		case "add":
			for _, s := range splitList(op.Str()) {
				if !in1(s, m.AuthorizationScopes) {
					m.AuthorizationScopes = append(m.AuthorizationScopes, s)
				}
			}
		case "remove":
			if len(seg) == 1 && op.Value == nil {
				m.AuthorizationScopes = nil
			}
			for _, s := range splitList(op.Str()) {
				m.AuthorizationScopes = without(m.AuthorizationScopes, s)
			}
		case "replace":
			m.AuthorizationScopes = splitList(op.Str())
		default:
			return patch.OpNotAllowed(op, "add", "remove", "replace")
		}
		if len(m.AuthorizationScopes) == 0 {
			m.AuthorizationScopes = nil
		}
	default:
		return patch.InvalidPath(op)
	}
	return nil
}

var (
	errContentTypeNotFound = awserr.NotFound("Content-Type specified was not found")
	errParameterNotFound   = awserr.NotFound("Invalid parameter name specified")
)

// patchBoolMap applies add/replace/remove of one key of a map of required
// flags (values "true"/"false").
func patchBoolMap(mp *map[string]bool, key string, op patch.Operation) error {
	switch op.Op {
	case "add", "replace":
		if op.Op == "replace" {
			if _, ok := (*mp)[key]; !ok {
				return errParameterNotFound
			}
		}
		if *mp == nil {
			*mp = map[string]bool{}
		}
		(*mp)[key], _ = parseBool(op.Str())
	case "remove":
		if _, ok := (*mp)[key]; !ok {
			return errParameterNotFound
		}
		delete(*mp, key)
		if len(*mp) == 0 {
			*mp = nil
		}
	default:
		return patch.OpNotAllowed(op, "add", "remove", "replace")
	}
	return nil
}

// patchStringMap applies add/replace/remove of one key of a string map;
// missing is returned when replacing or removing an absent key.
func patchStringMap(mp *map[string]string, key string, op patch.Operation, missing error) error {
	switch op.Op {
	case "add", "replace":
		if op.Op == "replace" {
			if _, ok := (*mp)[key]; !ok {
				return missing
			}
		}
		if *mp == nil {
			*mp = map[string]string{}
		}
		(*mp)[key] = op.Str()
	case "remove":
		if _, ok := (*mp)[key]; !ok {
			return missing
		}
		delete(*mp, key)
		if len(*mp) == 0 {
			*mp = nil
		}
	default:
		return patch.OpNotAllowed(op, "add", "remove", "replace")
	}
	return nil
}
