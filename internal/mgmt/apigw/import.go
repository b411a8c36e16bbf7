package apigw

import (
	"context"
	"errors"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/oas"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// readImportOptions reads failonwarnings, basepath, ignore and
// endpointConfigurationTypes, each also accepted as parameters[name].
func readImportOptions(r *restjson.Request) (importOptions, error) {
	q := func(name string) string {
		for _, k := range []string{name, "parameters[" + name + "]"} {
			if v, ok := r.Query(k); ok {
				return v
			}
		}
		return ""
	}
	opts := importOptions{failOnWarnings: strings.EqualFold(q("failonwarnings"), "true"),
		// "To exclude DocumentationParts from the import, set parameters
		// as ignore=documentation" [D: ImportRestApi, PutRestApi].
		ignoreDocumentation: strings.EqualFold(q("ignore"), "documentation")}
	var err error
	if opts.basePath, err = oas.BasePathMode(q("basepath")); err != nil {
		return opts, err
	}
	if t := q("endpointConfigurationTypes"); t != "" {
		opts.endpointTypes = []string{strings.ToUpper(t)}
		if !in1(opts.endpointTypes[0], model.EndpointTypes) {
			return opts, awserr.BadRequest("Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE")
		}
	}
	return opts, nil
}

// importRestApi is ImportRestApi (POST /restapis?mode=import): a new API
// from an OpenAPI document, written in one transaction.
func (a *API) importRestApi(ctx context.Context, r *restjson.Request) (any, error) {
	opts, err := readImportOptions(r)
	if err != nil {
		return nil, err
	}
	doc, warnings, err := a.readDocument(r.Body)
	if err != nil {
		return nil, err
	}
	apiID, rootID := a.ids.ID(lenRestApiID), a.ids.ID(lenRootID)
	plan, err := a.buildPlan(doc, warnings, opts, apiID, rootID)
	if err != nil {
		return nil, err
	}
	now := a.now()
	api := plan.api
	api.ID, api.RootResourceID, api.CreatedDate = apiID, rootID, model.TimeOf(now)
	if strings.TrimSpace(api.Name) == "" {
		api.Name = oas.ImportedName(now)
	}
	if err := a.normalizePolicy(&api); err != nil {
		return nil, err
	}
	err = a.update(ctx, func(tx store.Tx) error {
		if taken, err := exists(ctx, tx, model.KeyRestApi(api.ID)); err != nil || taken {
			return errors.Join(err, errors.New("rest api id collision"))
		}
		if err := put(ctx, tx, model.KeyRestApi(api.ID), a.seq.next(), api); err != nil {
			return err
		}
		return a.writePlan(ctx, tx, api.ID, plan)
	})
	if err != nil {
		return nil, err
	}
	api.Warnings = plan.warnings
	return api, nil
}

// putRestApi is PutRestApi (PUT /restapis/{id}?mode=merge|overwrite).
func (a *API) putRestApi(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("restapi_id")
	mode, _ := r.Query("mode")
	mode = strings.ToLower(mode)
	if mode == "" {
		mode = "merge"
	}
	if mode != "merge" && mode != "overwrite" {
		return nil, awserr.BadRequest("Invalid PutMode specified. Valid options are merge,overwrite") // [U]
	}
	opts, err := readImportOptions(r)
	if err != nil {
		return nil, err
	}
	doc, docWarnings, err := a.readDocument(r.Body)
	if err != nil {
		return nil, err
	}
	var out model.RestApi
	var warnings []string
	err = a.update(ctx, func(tx store.Tx) error {
		api, seq, err := get[model.RestApi](ctx, tx, model.KeyRestApi(id))
		if err != nil {
			return notFound(err, a.errAPI(id))
		}
		plan, err := a.buildPlan(doc, docWarnings, opts, id, api.RootResourceID)
		if err != nil {
			return err
		}
		warnings = plan.warnings
		if err := mergeAPIFields(&api, &plan.api, mode, doc); err != nil {
			return err
		}
		if err := a.normalizePolicy(&api); err != nil {
			return err
		}
		if err := a.mergeIntoPlan(ctx, tx, id, plan, mode == "merge"); err != nil {
			return err
		}
		if mode == "overwrite" {
			if err := a.clearAPI(ctx, tx, id, opts.ignoreDocumentation); err != nil {
				return err
			}
		}
		out = api
		if err := put(ctx, tx, model.KeyRestApi(id), seq, api); err != nil {
			return err
		}
		return a.writePlan(ctx, tx, id, plan)
	})
	if err != nil {
		return nil, err
	}
	out.Warnings = warnings
	tags := out.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return restApiWithTags{RestApi: out, Tags: tags}, nil
}

// mergeAPIFields applies the document's API-level settings to api.
func mergeAPIFields(api, from *model.RestApi, mode string, doc oas.Obj) error {
	if from.Name != "" {
		api.Name = from.Name
	}
	_, hasPolicy := doc["x-amazon-apigateway-policy"]
	_, hasSource := doc["x-amazon-apigateway-api-key-source"]
	_, hasSize := doc["x-amazon-apigateway-minimum-compression-size"]
	if mode == "overwrite" {
		api.Description, api.Version = from.Description, from.Version
		api.BinaryMediaTypes = from.BinaryMediaTypes
		api.MinimumCompressionSize = from.MinimumCompressionSize
		api.ApiKeySource = from.ApiKeySource
		api.Policy = from.Policy
		return nil
	}
	if from.Description != nil {
		api.Description = from.Description
	}
	if from.Version != nil {
		api.Version = from.Version
	}
	api.BinaryMediaTypes = dedupe(append(append([]string{}, api.BinaryMediaTypes...), from.BinaryMediaTypes...))
	if hasSize {
		api.MinimumCompressionSize = from.MinimumCompressionSize
	}
	if hasSource {
		api.ApiKeySource = from.ApiKeySource
	}
	if hasPolicy {
		api.Policy = from.Policy
	}
	return nil
}

// clearAPI deletes everything an overwrite replaces: resources (the root
// is rewritten), models, validators, authorizers, gateway responses and,
// unless keepDocs (ignore=documentation: the import leaves documentation
// alone [U]), documentation parts. Deployments and stages stay.
func (a *API) clearAPI(ctx context.Context, tx store.Tx, id string, keepDocs bool) error {
	kinds := []string{model.KindResource, model.KindResourceChild, model.KindModel, model.KindValidator,
		model.KindAuthorizer, model.KindGatewayResponse}
	if !keepDocs {
		kinds = append(kinds, model.KindDocPart)
	}
	for _, kind := range kinds {
		if _, err := tx.DeletePrefix(ctx, model.ChildPrefix(kind, id)); err != nil {
			return err
		}
	}
	return nil
}

// mergeIntoPlan folds the existing API into plan: resources keep their
// identifiers by path (even when overwriting [V]), same-named models,
// validators and authorizers keep theirs. With keep (merge mode), methods
// and resources the document does not mention stay.
func (a *API) mergeIntoPlan(ctx context.Context, tx store.Tx, id string, plan *importPlan, keep bool) error {
	snap, err := a.takeSnapshot(ctx, tx, id)
	if err != nil {
		return err
	}
	remap := map[string]string{}
	for i := range plan.authorizers {
		for _, old := range snap.Authorizers {
			if old.Name == plan.authorizers[i].Name {
				remap[plan.authorizers[i].ID], plan.authorizers[i].ID = old.ID, old.ID
			}
		}
	}
	for i := range plan.validators {
		for _, old := range snap.Validators {
			if old.Name == plan.validators[i].Name {
				remap[plan.validators[i].ID], plan.validators[i].ID = old.ID, old.ID
			}
		}
	}
	for i := range plan.models {
		for _, old := range snap.Models {
			if old.Name == plan.models[i].Name {
				plan.models[i].ID = old.ID
			}
		}
	}
	byPath := map[string]*model.Resource{}
	for _, r := range plan.resources {
		byPath[r.Path] = r
	}
	for _, old := range snap.Resources {
		if r, ok := byPath[old.Path]; ok {
			remap[r.ID], r.ID = old.ID, old.ID
			if !keep {
				continue
			}
			for verb, m := range old.ResourceMethods {
				if r.ResourceMethods == nil {
					r.ResourceMethods = map[string]*model.Method{}
				}
				if _, redefined := r.ResourceMethods[verb]; !redefined {
					r.ResourceMethods[verb] = m
				}
			}
			continue
		}
		if keep {
			o := old
			plan.resources = append(plan.resources, &o)
		}
	}
	for _, r := range plan.resources {
		if n, ok := remap[r.ParentID]; ok {
			r.ParentID = n
		}
		for _, m := range r.ResourceMethods {
			if m.AuthorizerID != nil {
				if n, ok := remap[*m.AuthorizerID]; ok {
					m.AuthorizerID = &n
				}
			}
			if m.RequestValidatorID != nil {
				if n, ok := remap[*m.RequestValidatorID]; ok {
					m.RequestValidatorID = &n
				}
			}
			if in := m.MethodIntegration; in != nil && in.CacheNamespace != nil {
				if n, ok := remap[*in.CacheNamespace]; ok {
					in.CacheNamespace = &n
				}
			}
		}
	}
	return nil
}

// writePlan stores every child document of plan under API id.
func (a *API) writePlan(ctx context.Context, tx store.Tx, id string, plan *importPlan) error {
	for _, m := range plan.models {
		if err := put(ctx, tx, model.ChildKey(model.KindModel, id, m.Name), a.seq.next(), m); err != nil {
			return err
		}
	}
	for _, v := range plan.validators {
		if err := put(ctx, tx, model.ChildKey(model.KindValidator, id, v.ID), a.seq.next(), v); err != nil {
			return err
		}
	}
	for _, au := range plan.authorizers {
		if err := put(ctx, tx, model.ChildKey(model.KindAuthorizer, id, au.ID), a.seq.next(), au); err != nil {
			return err
		}
	}
	for _, g := range plan.gatewayResponses {
		if err := put(ctx, tx, model.ChildKey(model.KindGatewayResponse, id, g.ResponseType), a.seq.next(), g); err != nil {
			return err
		}
	}
	for _, p := range plan.docParts {
		if err := put(ctx, tx, model.ChildKey(model.KindDocPart, id, p.ID), a.seq.next(), p); err != nil {
			return err
		}
	}
	for _, res := range plan.resources {
		if err := putChildIndex(ctx, tx, id, res); err != nil {
			return err
		}
		if err := put(ctx, tx, model.ChildKey(model.KindResource, id, res.ID), a.seq.next(), *res); err != nil {
			return err
		}
	}
	return nil
}
