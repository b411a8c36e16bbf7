package apigw

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/oas"
	"github.com/tollgate/tollgate/internal/model"
)

// importOptions are ImportRestApi's and PutRestApi's query parameters.
type importOptions struct {
	failOnWarnings bool
	basePath       string // ignore, prepend or split
	endpointTypes  []string
	// ignoreDocumentation (ignore=documentation) skips
	// x-amazon-apigateway-documentation.
	ignoreDocumentation bool
}

// importPlan is everything an OpenAPI document defines, with identifiers
// already chosen, ready to be written in one transaction.
type importPlan struct {
	api              model.RestApi
	resources        []*model.Resource // root first, parents before children
	models           []model.Model
	validators       []model.RequestValidator
	authorizers      []model.Authorizer
	gatewayResponses []model.GatewayResponse
	docParts         []model.DocumentationPart
	warnings         []string
}

// importer turns one document into a plan.
type importer struct {
	a        *API
	doc      oas.Obj
	oas3     bool
	apiID    string
	plan     *importPlan
	byPath   map[string]*model.Resource
	authByID map[string]*model.Authorizer // by security scheme name
	validIDs map[string]string            // validator name → id
	modelSet map[string]bool
}

// modelURLBase is where API Gateway's model URLs point [V].
const modelURLBase = "https://apigateway.amazonaws.com/restapis/"

// buildPlan maps doc onto an API with identifier apiID and root resource
// rootID. warnings are those reading the document gave.
func (a *API) buildPlan(doc oas.Obj, warnings []string, opts importOptions, apiID, rootID string) (*importPlan, error) {
	im := &importer{a: a, doc: doc, oas3: oas.Str(doc["openapi"]) != "", apiID: apiID,
		plan: &importPlan{warnings: append([]string(nil), warnings...)}, byPath: map[string]*model.Resource{}, authByID: map[string]*model.Authorizer{},
		validIDs: map[string]string{}, modelSet: map[string]bool{}}
	if err := im.apiFields(opts); err != nil {
		return nil, err
	}
	root := &model.Resource{ID: rootID, Path: "/"}
	im.plan.resources = append(im.plan.resources, root)
	im.byPath["/"] = root
	if err := im.models(); err != nil {
		return nil, err
	}
	im.validators()
	if err := im.authorizers(); err != nil {
		return nil, err
	}
	if err := im.gatewayResponses(); err != nil {
		return nil, err
	}
	prefix := oas.PathPrefix(oas.BasePath(doc), opts.basePath)
	paths := oas.ObjAt(doc, "paths")
	for _, p := range oas.SortedKeys(paths) {
		item, ok := paths[p].(oas.Obj)
		if !ok {
			return nil, errInvalidOpenAPI
		}
		full := strings.TrimSuffix(prefix+"/"+strings.Trim(p, "/"), "/")
		if full == "" {
			full = "/"
		}
		res, err := im.resource(full)
		if err != nil {
			return nil, err
		}
		if err := im.pathItem(res, item); err != nil {
			return nil, err
		}
	}
	if !opts.ignoreDocumentation {
		if err := im.documentation(); err != nil {
			return nil, err
		}
	}
	if len(im.plan.warnings) > 0 && opts.failOnWarnings {
		return nil, oas.WarningsFound(im.plan.warnings)
	}
	return im.plan, nil
}

// apiFields reads info and the root-level extensions.
func (im *importer) apiFields(opts importOptions) error {
	info := oas.ObjAt(im.doc, "info")
	api := &im.plan.api
	api.Name = oas.Str(info["title"])
	api.Description = oas.OptStr(info["description"])
	api.Version = oas.OptStr(info["version"])
	api.BinaryMediaTypes = dedupe(oas.StrList(im.doc["x-amazon-apigateway-binary-media-types"]))
	api.ApiKeySource = "HEADER"
	if s := strings.ToUpper(oas.Str(im.doc["x-amazon-apigateway-api-key-source"])); s != "" {
		if !in1(s, model.ApiKeySources) {
			return awserr.BadRequest("Invalid API Key source specified. Valid options are HEADER,AUTHORIZER") // [U]
		}
		api.ApiKeySource = s
	}
	if v, ok := im.doc["x-amazon-apigateway-minimum-compression-size"]; ok {
		n, ok := oas.IntOf(v)
		if !ok || n < 0 || n > maxCompressionSize {
			return awserr.BadRequest("Invalid minimum compression size, must be between 0 and 10485760")
		}
		api.MinimumCompressionSize = &n
	}
	in := &endpointConfigurationInput{}
	if len(opts.endpointTypes) > 0 {
		in.Types = opts.endpointTypes
	}
	ext := oas.ObjAt(im.doc, "x-amazon-apigateway-endpoint-configuration")
	if servers := oas.ListAt(im.doc, "servers"); ext == nil && len(servers) > 0 {
		s0, _ := servers[0].(oas.Obj)
		ext = oas.ObjAt(s0, "x-amazon-apigateway-endpoint-configuration")
	}
	if ext != nil {
		in.VpcEndpointIds = oas.StrList(ext["vpcEndpointIds"])
		api.DisableExecuteApiEndpoint = oas.BoolOf(ext["disableExecuteApiEndpoint"])
		if len(in.VpcEndpointIds) > 0 && in.Types == nil {
			in.Types = []string{model.EndpointPrivate}
		}
	}
	ec, err := newEndpointConfiguration(in)
	if err != nil {
		return err
	}
	api.EndpointConfiguration = ec
	if p, ok := im.doc["x-amazon-apigateway-policy"]; ok && p != nil {
		s, ok := p.(string)
		if !ok {
			var err error
			if s, err = oas.MarshalCompact(p); err != nil {
				return err
			}
		}
		api.Policy = &s
	}
	return nil
}

// resource returns (creating the chain of) the resource at path.
func (im *importer) resource(path string) (*model.Resource, error) {
	if r, ok := im.byPath[path]; ok {
		return r, nil
	}
	i := strings.LastIndex(path, "/")
	parentPath := path[:i]
	if parentPath == "" {
		parentPath = "/"
	}
	part := path[i+1:]
	if part == "" || (strings.ContainsAny(part, "{}") && !(strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}"))) {
		// Path parameters must be whole segments [D].
		return nil, awserr.BadRequest("Invalid OpenAPI input. Resource path %s is invalid.", path) // [U]
	}
	parent, err := im.resource(parentPath)
	if err != nil {
		return nil, err
	}
	res := &model.Resource{ID: im.a.ids.ID(lenChildID), ParentID: parent.ID, PathPart: part, Path: path}
	im.byPath[path] = res
	im.plan.resources = append(im.plan.resources, res)
	return res, nil
}

// schemaRefPrefix is where the document keeps its schemas.
func (im *importer) schemaRefPrefix() string {
	if im.oas3 {
		return "#/components/schemas/"
	}
	return "#/definitions/"
}

// schemas returns the document's named schemas.
func (im *importer) schemas() oas.Obj {
	if im.oas3 {
		return oas.ObjAt(oas.ObjAt(im.doc, "components"), "schemas")
	}
	return oas.ObjAt(im.doc, "definitions")
}

// models creates one model per named schema, $refs rewritten to model URLs.
func (im *importer) models() error {
	schemas := im.schemas()
	for _, name := range oas.SortedKeys(schemas) {
		if err := im.addModel(name, schemas[name]); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) addModel(name string, schema any) error {
	if !modelNameRE.MatchString(name) {
		im.plan.warnings = append(im.plan.warnings, fmt.Sprintf("Model name '%s' is invalid; only alphanumeric characters are allowed", name)) // [U]
		return nil
	}
	s := im.rewriteRefs(oas.DeepCopy(schema))
	text, err := oas.MarshalCompact(s)
	if err != nil {
		return err
	}
	m := model.Model{ID: im.a.ids.ID(lenChildID), Name: name, Schema: &text, ContentType: "application/json"}
	if o, ok := schema.(oas.Obj); ok {
		m.Description = oas.OptStr(o["description"])
	}
	im.plan.models = append(im.plan.models, m)
	im.modelSet[name] = true
	return nil
}

// rewriteRefs points every local schema $ref at the API's model URL.
func (im *importer) rewriteRefs(v any) any {
	switch t := v.(type) {
	case oas.Obj:
		for k, x := range t {
			if ref, ok := x.(string); k == "$ref" && ok {
				if name, ok := strings.CutPrefix(ref, im.schemaRefPrefix()); ok {
					t[k] = modelURLBase + im.apiID + "/models/" + name
				}
				continue
			}
			t[k] = im.rewriteRefs(x)
		}
	case []any:
		for i, x := range t {
			t[i] = im.rewriteRefs(x)
		}
	}
	return v
}

// modelFor names the model describing schema: the referenced one, or a
// new model holding an inline schema.
func (im *importer) modelFor(schema any) (string, error) {
	o, ok := schema.(oas.Obj)
	if !ok {
		return "", nil
	}
	if ref := oas.Str(o["$ref"]); ref != "" {
		name, ok := strings.CutPrefix(ref, im.schemaRefPrefix())
		if !ok || !im.modelSet[name] {
			return "", awserr.BadRequest("Invalid OpenAPI input. Unresolvable reference %s", ref) // [U]
		}
		return name, nil
	}
	text, err := oas.MarshalCompact(o)
	if err != nil {
		return "", err
	}
	sum := sha1.Sum([]byte(text))
	name := "MODEL" + hex.EncodeToString(sum[:])[:8]
	if !im.modelSet[name] {
		if err := im.addModel(name, o); err != nil {
			return "", err
		}
	}
	return name, nil
}

// validators creates the request validators the document names.
func (im *importer) validators() {
	vs := oas.ObjAt(im.doc, "x-amazon-apigateway-request-validators")
	for _, name := range oas.SortedKeys(vs) {
		v, _ := vs[name].(oas.Obj)
		val := model.RequestValidator{ID: im.a.ids.ID(lenChildID), Name: name,
			ValidateRequestBody: oas.BoolOf(v["validateRequestBody"]), ValidateRequestParameters: oas.BoolOf(v["validateRequestParameters"])}
		im.validIDs[name] = val.ID
		im.plan.validators = append(im.plan.validators, val)
	}
}

// gatewayResponses reads x-amazon-apigateway-gateway-responses.
func (im *importer) gatewayResponses() error {
	grs := oas.ObjAt(im.doc, "x-amazon-apigateway-gateway-responses")
	for _, t := range oas.SortedKeys(grs) {
		g, _ := grs[t].(oas.Obj)
		gr := model.GatewayResponse{ResponseType: t, StatusCode: oas.OptStr(g["statusCode"]),
			ResponseParameters: strMap(oas.ObjAt(g, "responseParameters")), ResponseTemplates: strMap(oas.ObjAt(g, "responseTemplates"))}
		if !in1(t, model.GatewayResponseTypes) {
			return awserr.BadRequest("Invalid OpenAPI input. Invalid gateway response type %s", t) // [U]
		}
		if err := checkGatewayResponse(&gr); err != nil {
			return err
		}
		im.plan.gatewayResponses = append(im.plan.gatewayResponses, gr)
	}
	return nil
}

// strMap reads an object of scalars as a string map (nil when empty).
func strMap(o oas.Obj) map[string]string {
	if len(o) == 0 {
		return map[string]string{}
	}
	out := make(map[string]string, len(o))
	for k, v := range o {
		out[k] = oas.Str(v)
	}
	return out
}

// documentation reads x-amazon-apigateway-documentation.
func (im *importer) documentation() error {
	d := oas.ObjAt(im.doc, "x-amazon-apigateway-documentation")
	for _, p := range oas.ListAt(d, "documentationParts") {
		po, _ := p.(oas.Obj)
		loc := oas.ObjAt(po, "location")
		part := model.DocumentationPart{ID: im.a.ids.ID(lenChildID), Location: model.DocumentationLocation{
			Type: oas.Str(loc["type"]), Path: oas.OptStr(loc["path"]), Method: oas.OptStr(loc["method"]),
			StatusCode: oas.OptStr(loc["statusCode"]), Name: oas.OptStr(loc["name"])}}
		if !in1(part.Location.Type, model.DocumentationPartTypes) {
			return awserr.BadRequest("Invalid OpenAPI input. Invalid documentation part type %s", part.Location.Type) // [U]
		}
		props, err := oas.MarshalCompact(po["properties"])
		if err != nil {
			return err
		}
		part.Properties = props
		im.plan.docParts = append(im.plan.docParts, part)
	}
	return nil
}
