package apigwv2

import (
	"context"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/oas"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// errInvalidOpenAPI answers a body that is not a JSON or YAML object
// [U: REST's answer to the same mistake, which AWS records].
var errInvalidOpenAPI = bad("Invalid OpenAPI input.")

// importOptions are ImportApi's and ReimportApi's query parameters [M].
type importOptions struct {
	basePath       string
	failOnWarnings bool
}

// readImport reads the body ({"body": "<document>"} [M]) and options of
// ImportApi and ReimportApi, and plans the document.
func (a *API) readImport(r *restjson.Request) (*importPlan, importOptions, error) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := decode(r, &in); err != nil {
		return nil, importOptions{}, err
	}
	var c checker
	c.required(in.Body != nil, "body")
	if c.err != nil {
		return nil, importOptions{}, c.err
	}
	mode, _ := r.Query("basepath")
	fail, _ := r.Query("failOnWarnings")
	opts := importOptions{failOnWarnings: strings.EqualFold(fail, "true")}
	var err error
	if opts.basePath, err = oas.BasePathMode(mode); err != nil {
		return nil, opts, err
	}
	doc, warnings, err := a.readOpenAPI(*in.Body)
	if err != nil {
		return nil, opts, err
	}
	return planImport(doc, warnings, opts.basePath), opts, nil
}

// readOpenAPI decodes an OpenAPI 3 document and resolves its AWS
// variables. HTTP APIs import OpenAPI 3.0 only: a Swagger 2.0 document is
// an error [D].
func (a *API) readOpenAPI(body string) (oas.Obj, []string, error) {
	raw, warnings, err := oas.Decode([]byte(body))
	doc, ok := raw.(oas.Obj)
	if err != nil || !ok {
		return nil, nil, errInvalidOpenAPI
	}
	if sw, v := oas.Str(doc["swagger"]), oas.Str(doc["openapi"]); sw != "" || !strings.HasPrefix(v, "3.") {
		what := "declares no openapi version"
		switch {
		case sw != "":
			what = "is swagger " + sw
		case v != "":
			what = "is openapi " + v
		}
		return nil, nil, oas.ErrorsFound([]string{"HTTP APIs import OpenAPI 3.0 definitions only; this document " + what})
	}
	if _, ok := doc["info"].(oas.Obj); !ok && doc["info"] != nil {
		return nil, nil, errInvalidOpenAPI
	}
	oas.ResolveVariables(doc, oas.Variables(a.region, a.accountID))
	return doc, warnings, nil
}

// importApi is ImportApi (PUT /v2/apis): a new HTTP API from an OpenAPI
// document, with its routes, integrations and authorizers, in one
// transaction. It creates no stage [L][U].
func (a *API) importApi(ctx context.Context, r *restjson.Request) (any, error) {
	plan, opts, err := a.readImport(r)
	if err != nil {
		return nil, err
	}
	now := a.now()
	api := modelv2.Api{
		ProtocolType:              modelv2.ProtocolHTTP,
		RouteSelectionExpression:  modelv2.HTTPRouteSelection,
		ApiKeySelectionExpression: modelv2.DefaultAPIKeySelection,
		CreatedDate:               modelv2.TimeOf(now),
		IPAddressType:             "ipv4",
		Name:                      oas.ImportedName(now), // [U: as REST APIs without info.title]
	}
	plan.applyTo(&api, false)
	err = a.update(ctx, func(tx store.Tx) error {
		if err := plan.verdict(false); err != nil {
			return err // errors of the document alone: nothing to draw ids for
		}
		id, err := a.newApiID(ctx, tx)
		if err != nil {
			return err
		}
		api.ApiID, api.ApiEndpoint = id, a.endpoint(modelv2.ProtocolHTTP, id)
		if err := docstore.Put(ctx, tx, modelv2.KeyApi(id), a.seq.Next(), api); err != nil {
			return err
		}
		if err := a.writePlan(ctx, tx, api, plan); err != nil {
			return err
		}
		return plan.verdict(opts.failOnWarnings)
	})
	if err != nil {
		return nil, err
	}
	return plan.output(api), nil
}

// reimportApi is ReimportApi (PUT /v2/apis/{apiId}): the document replaces
// the API's routes, integrations and authorizers, and its title,
// description, version and CORS configuration, in one transaction;
// stages and deployments stay, and auto-deploying stages are redeployed.
// A document with errors (or, with failOnWarnings, warnings) changes
// nothing.
func (a *API) reimportApi(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("apiId")
	plan, opts, planErr := a.readImport(r)
	var out modelv2.Api
	err := a.update(ctx, func(tx store.Tx) error {
		api, seq, err := a.loadAPI(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case api.ProtocolType != modelv2.ProtocolHTTP:
			return bad("ReimportApi is supported only for HTTP APIs") // [M][U: text]
		case api.ApiGatewayManaged:
			return bad("Cannot update an API managed by API Gateway") // [U]
		case planErr != nil:
			return planErr
		}
		plan.applyTo(&api, true)
		if err := plan.verdict(false); err != nil {
			return err
		}
		for _, kind := range []string{modelv2.KindRoute, modelv2.KindIntegration, modelv2.KindAuthorizer} {
			if _, err := tx.DeletePrefix(ctx, modelv2.ChildPrefix(kind, id)); err != nil {
				return err
			}
		}
		if err := docstore.Put(ctx, tx, modelv2.KeyApi(id), seq, api); err != nil {
			return err
		}
		if err := a.writePlan(ctx, tx, api, plan); err != nil {
			return err
		}
		if err := plan.verdict(opts.failOnWarnings); err != nil {
			return err
		}
		out = api
		return a.autoDeploy(ctx, tx, id)
	})
	if err != nil {
		return nil, err
	}
	return plan.output(out), nil
}

// applyTo sets the API fields the document defines. A reimport keeps the
// name when the document has no title, and the tags it does not name;
// the description, version and CORS configuration are the document's,
// absent or not [U: terraform-provider-aws restores the ones its
// configuration sets after a ReimportApi]. What would make the API
// invalid is recorded as an error.
func (p *importPlan) applyTo(api *modelv2.Api, reimport bool) {
	if p.title != nil {
		api.Name = *p.title
	}
	api.Description, api.Version = p.description, p.version
	api.CorsConfiguration = p.cors
	if p.disableExecuteAPIEndpoint != nil {
		api.DisableExecuteApiEndpoint = *p.disableExecuteAPIEndpoint
	}
	if len(p.tags) > 0 {
		tags := map[string]string{}
		if reimport {
			for k, v := range api.Tags {
				tags[k] = v
			}
		}
		for k, v := range p.tags {
			tags[k] = v
		}
		api.Tags = tags
		if err := checkTags(tags); err != nil {
			p.fail("Invalid tags: %s", message(err))
		}
	}
	var c checker
	c.length(&api.Name, "info.title", 1, 128)
	c.length(api.Description, "info.description", 0, 1024)
	c.length(api.Version, "info.version", 1, 64)
	if c.err != nil {
		p.fail("%s", message(c.err))
	}
	if err := checkCors(api.CorsConfiguration); err != nil {
		p.fail("Invalid %s: %s", extCors, message(err))
	}
}

// output is the API as ImportApi and ReimportApi return it, with the
// import's info and warnings [M].
func (p *importPlan) output(api modelv2.Api) modelv2.Api {
	out := apiOutput(api)
	out.ImportInfo, out.Warnings = p.info, p.warnings
	return out
}

// writePlan stores the plan's authorizers, integrations and routes under
// api, checking each as its Create* operation does (quotas included).
// What is refused is recorded in the plan's errors; other errors end the
// transaction.
func (a *API) writePlan(ctx context.Context, tx store.Tx, api modelv2.Api, plan *importPlan) error {
	for _, q := range []struct {
		n    int
		kind childKind
	}{{len(plan.routes), routeKind}, {len(plan.integrations), integrationKind}, {len(plan.authorizers), authorizerKind}} {
		if q.n > q.kind.max {
			plan.fail("%s", message(tooMany(q.kind.what, q.kind.max)))
		}
	}
	if len(plan.errors) > 0 {
		return nil // nothing will be kept
	}
	authIDs := map[string]string{}
	for _, au := range plan.authorizers {
		au.AuthorizerID = a.ids.ID(lenAuthorizerID)
		authIDs[au.Name] = au.AuthorizerID
		if err := docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindAuthorizer, api.ApiID, au.AuthorizerID), a.seq.Next(), au); err != nil {
			return err
		}
	}
	igIDs := make([]string, len(plan.integrations))
	for i, pi := range plan.integrations {
		ig := pi.ig
		ig.IntegrationID = a.ids.ID(lenIntegrationID)
		if err := checkIntegration(ctx, tx, modelv2.ProtocolHTTP, &ig); err != nil {
			if err := plan.refused(err, "Unable to create the integration of %s", pi.where); err != nil {
				return err
			}
			continue
		}
		igIDs[i] = ig.IntegrationID
		if err := docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindIntegration, api.ApiID, ig.IntegrationID), a.seq.Next(), ig); err != nil {
			return err
		}
	}
	var stored []modelv2.Route
	for _, pr := range plan.routes {
		rt := pr.rt
		rt.RouteID = a.ids.ID(lenRouteID)
		if pr.integration >= 0 {
			if igIDs[pr.integration] == "" {
				continue // its integration was refused
			}
			rt.Target = modelv2.Ptr(modelv2.TargetPrefix + igIDs[pr.integration])
		}
		if id, ok := authIDs[pr.authorizer]; ok {
			rt.AuthorizerID = &id
		}
		if err := a.checkRoute(ctx, tx, api, &rt, stored); err != nil {
			if err := plan.refused(err, "Unable to create route %s", rt.RouteKey); err != nil {
				return err
			}
			continue
		}
		stored = append(stored, rt)
		if err := docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindRoute, api.ApiID, rt.RouteID), a.seq.Next(), rt); err != nil {
			return err
		}
	}
	return nil
}

// refused records an operation's refusal (an AWS error) as an error of the
// plan, prefixed by what was being made; other errors are returned.
func (p *importPlan) refused(err error, format string, args ...any) error {
	e, ok := awserr.As(err)
	if !ok {
		return err
	}
	p.fail("%s: %s", fmt.Sprintf(format, args...), e.Message)
	return nil
}
