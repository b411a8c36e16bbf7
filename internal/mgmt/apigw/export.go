package apigw

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/oas"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// exporter renders one deployed snapshot as an OpenAPI document.
type exporter struct {
	snap         *model.Snapshot
	oas3         bool
	integrations bool // x-amazon-apigateway-integration and validators
	authorizers  bool // x-amazon-apigateway-authorizer
	stage        string
	version      string // info.version: the API's, else the deployment date [V]
	host         string
	authByID     map[string]model.Authorizer
	validByID    map[string]string
	usedSchemes  oas.Obj
}

// getExport is GetExport: the stage's deployed API as Swagger 2.0 or
// OpenAPI 3.0, JSON or YAML.
func (a *API) getExport(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, stageName, typ := r.Path("restapi_id"), r.Path("stage_name"), r.Path("export_type")
	if typ != "swagger" && typ != "oas30" {
		return nil, awserr.BadRequest("No API exporter for type '%s'", typ) // [U]
	}
	var snap model.Snapshot
	var dep model.Deployment
	err := a.view(ctx, func(rd store.Reader) error {
		if _, err := a.loadAPI(ctx, rd, apiID); err != nil {
			return err
		}
		st, _, err := get[model.Stage](ctx, rd, model.ChildKey(model.KindStage, apiID, stageName))
		if err != nil {
			return notFound(err, errStage)
		}
		snap, _, err = get[model.Snapshot](ctx, rd, model.ChildKey(model.KindSnapshot, apiID, st.DeploymentID))
		if err != nil {
			return notFound(err, errDeployment)
		}
		dep, _, err = get[model.Deployment](ctx, rd, model.ChildKey(model.KindDeployment, apiID, st.DeploymentID))
		return notFound(err, errDeployment)
	})
	if err != nil {
		return nil, err
	}
	ex := &exporter{snap: &snap, oas3: typ == "oas30", stage: stageName,
		host:    fmt.Sprintf("%s.execute-api.%s.amazonaws.com", apiID, a.region),
		version: model.Deref(snap.API.Version)}
	if ex.version == "" {
		ex.version = time.Unix(int64(dep.CreatedDate), 0).UTC().Format("2006-01-02T15:04:05Z")
	}
	exts, _ := r.Query("parameters[extensions]")
	if exts == "" {
		exts, _ = r.Query("extensions")
	}
	for _, e := range strings.Split(exts, ",") {
		switch strings.TrimSpace(strings.ToLower(e)) {
		case "integrations":
			ex.integrations = true
		case "authorizers":
			ex.authorizers = true
		case "apigateway":
			ex.integrations, ex.authorizers = true, true
		}
	}
	doc := oas.Arrange(ex.document(), "root", restLayout{oas3: ex.oas3})
	// Accept: application/yaml asks for YAML [D: "Export a REST API from
	// API Gateway"]; its Content-Type, application/yaml, is [U].
	if strings.Contains(r.HTTP.Header.Get("Accept"), "yaml") {
		b, err := oas.YAML(doc)
		if err != nil {
			return nil, err
		}
		return &restjson.Raw{ContentType: "application/yaml", Body: b, Header: exportHeader(typ, ex.version, "yaml")}, nil
	}
	b, err := oas.JSON(doc)
	if err != nil {
		return nil, err
	}
	// AWS labels the JSON export application/octet-stream, even when the
	// request asks for application/json, as the SDKs and the CLI always do
	// (botocore adds Accept: application/json to every apigateway call) [V:
	// testdata/recorded/test_apigateway_extended__test_export_*].
	return &restjson.Raw{ContentType: "application/octet-stream", Body: b, Header: exportHeader(typ, ex.version, "json")}, nil
}

// exportHeader names the file "{type}_{info.version}.{ext}" [V].
func exportHeader(typ, version, ext string) http.Header {
	h := http.Header{}
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"%s_%s.%s\"", typ, version, ext))
	return h
}

// document builds the whole export.
func (ex *exporter) document() oas.Obj {
	api := ex.snap.API
	info := oas.Obj{"title": api.Name, "version": ex.version}
	if api.Description != nil {
		info["description"] = *api.Description
	}
	doc := oas.Obj{"info": info}
	ex.authByID = map[string]model.Authorizer{}
	for _, au := range ex.snap.Authorizers {
		ex.authByID[au.ID] = au
	}
	ex.validByID = map[string]string{}
	for _, v := range ex.snap.Validators {
		ex.validByID[v.ID] = v.Name
	}
	ex.usedSchemes = oas.Obj{}
	paths := oas.Obj{}
	for _, res := range ex.snap.Resources {
		if len(res.ResourceMethods) == 0 {
			continue
		}
		item := oas.Obj{}
		for _, verb := range sortedKeys(res.ResourceMethods) {
			key := strings.ToLower(verb)
			if verb == "ANY" {
				key = "x-amazon-apigateway-any-method"
			}
			item[key] = ex.operation(res.ResourceMethods[verb], res.ID)
		}
		paths[res.Path] = item
	}
	doc["paths"] = paths
	schemas := oas.NewOrdered() // in the models' order, as AWS [V]
	for _, m := range ex.snap.Models {
		if s, err := oas.DecodeOrdered(model.Deref(m.Schema)); err == nil {
			schemas.Set(m.Name, ex.localRefs(s))
		}
	}
	if ex.oas3 {
		doc["openapi"] = "3.0.1"
		doc["servers"] = []any{oas.Obj{"url": "https://" + ex.host + "/{basePath}",
			"variables": oas.Obj{"basePath": oas.Obj{"default": ex.stage}}}}
		comps := oas.Obj{}
		if schemas.Len() > 0 {
			comps["schemas"] = schemas
		}
		if len(ex.usedSchemes) > 0 {
			comps["securitySchemes"] = ex.usedSchemes
		}
		doc["components"] = comps
	} else {
		doc["swagger"] = "2.0"
		doc["host"] = ex.host
		doc["basePath"] = "/" + ex.stage
		doc["schemes"] = []any{"https"}
		if schemas.Len() > 0 {
			doc["definitions"] = schemas
		}
		if len(ex.usedSchemes) > 0 {
			doc["securityDefinitions"] = ex.usedSchemes
		}
	}
	ex.rootExtensions(doc)
	return doc
}

// rootExtensions adds the API-level x-amazon-apigateway-* members.
func (ex *exporter) rootExtensions(doc oas.Obj) {
	api := ex.snap.API
	if !ex.integrations {
		return
	}
	if len(api.BinaryMediaTypes) > 0 {
		doc["x-amazon-apigateway-binary-media-types"] = api.BinaryMediaTypes
	}
	if api.ApiKeySource != "" && api.ApiKeySource != "HEADER" {
		doc["x-amazon-apigateway-api-key-source"] = api.ApiKeySource
	}
	if api.MinimumCompressionSize != nil {
		doc["x-amazon-apigateway-minimum-compression-size"] = *api.MinimumCompressionSize
	}
	if api.Policy != nil {
		var p any
		if json.Unmarshal([]byte(*api.Policy), &p) == nil {
			doc["x-amazon-apigateway-policy"] = p
		}
	}
	if ec := api.EndpointConfiguration; ec != nil && (len(ec.VpcEndpointIds) > 0 || api.DisableExecuteApiEndpoint) {
		e := oas.Obj{"disableExecuteApiEndpoint": api.DisableExecuteApiEndpoint}
		if len(ec.VpcEndpointIds) > 0 {
			e["vpcEndpointIds"] = ec.VpcEndpointIds
		}
		doc["x-amazon-apigateway-endpoint-configuration"] = e
	}
	if len(ex.snap.Validators) > 0 {
		vs := oas.Obj{}
		for _, v := range ex.snap.Validators {
			vs[v.Name] = oas.Obj{"validateRequestBody": v.ValidateRequestBody, "validateRequestParameters": v.ValidateRequestParameters}
		}
		doc["x-amazon-apigateway-request-validators"] = vs
	}
	if len(ex.snap.GatewayResponses) > 0 {
		grs := oas.Obj{}
		for _, g := range ex.snap.GatewayResponses {
			o := oas.Obj{}
			if g.StatusCode != nil {
				o["statusCode"] = *g.StatusCode
			}
			if len(g.ResponseParameters) > 0 {
				o["responseParameters"] = g.ResponseParameters
			}
			if len(g.ResponseTemplates) > 0 {
				o["responseTemplates"] = g.ResponseTemplates
			}
			grs[g.ResponseType] = o
		}
		doc["x-amazon-apigateway-gateway-responses"] = grs
	}
}

// localRefs turns model URLs back into document-local $refs.
func (ex *exporter) localRefs(v any) any {
	switch t := v.(type) {
	case *oas.Ordered:
		for _, k := range t.Keys() {
			x, _ := t.Get(k)
			t.Set(k, ex.localRef(k, x))
		}
	case map[string]any:
		for k, x := range t {
			t[k] = ex.localRef(k, x)
		}
	case []any:
		for i, x := range t {
			t[i] = ex.localRefs(x)
		}
	}
	return v
}

// localRef is member k's value x with model URLs made local.
func (ex *exporter) localRef(k string, x any) any {
	if s, ok := x.(string); ok && k == "$ref" {
		if i := strings.LastIndex(s, "/models/"); i >= 0 && strings.HasPrefix(s, "http") {
			return ex.schemaRef(s[i+len("/models/"):])
		}
		return x
	}
	return ex.localRefs(x)
}

func (ex *exporter) schemaRef(name string) string {
	if ex.oas3 {
		return "#/components/schemas/" + name
	}
	return "#/definitions/" + name
}
