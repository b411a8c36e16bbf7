package apigwv2

import (
	"context"
	"regexp"
	"sort"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/modelschema"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// modelInput is the body of CreateModel and UpdateModel.
type modelInput struct {
	ContentType *string `json:"contentType"`
	Description *string `json:"description"`
	Name        *string `json:"name"`
	Schema      *string `json:"schema"`
}

// modelNameRE: model names are alphanumeric [M].
var modelNameRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// check enforces the model's constraints on the members sent [M]; the
// schema is checked as JSON Schema draft 4, as REST API models are.
func (in *modelInput) check(c *checker) {
	c.length(in.ContentType, "contentType", 1, 256)
	c.length(in.Description, "description", 0, 1024)
	if n := in.Name; n != nil && !modelNameRE.MatchString(*n) {
		c.fail("Model name must be alphanumeric: %s", *n) // [M][U: text]
	}
	c.length(in.Name, "name", 1, 128)
	if s := in.Schema; s != nil {
		if len(*s) > 32<<10 {
			c.fail("schema must be between 0 and 32768 characters long") // [M][U: text]
		}
		c.add(modelschema.CheckDraft4(s))
	}
}

// applyTo changes the members of m that in sends; "" clears the
// description.
func (in *modelInput) applyTo(m *modelv2.Model) {
	if in.Name != nil {
		m.Name = *in.Name
	}
	if in.ContentType != nil {
		m.ContentType = in.ContentType
	}
	setOptional(&m.Description, in.Description)
	if in.Schema != nil {
		m.Schema = in.Schema
	}
}

// checkModelName refuses a name another model of the API has [U: text of
// REST APIs].
func checkModelName(ctx context.Context, rd store.Reader, apiID string, m *modelv2.Model) error {
	others, err := docstore.List[modelv2.Model](ctx, rd, modelv2.ChildPrefix(modelv2.KindModel, apiID))
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.ModelID != m.ModelID && o.Name == m.Name {
			return conflict("Model name already exists for this API") // [U]
		}
	}
	return nil
}

func (a *API) createModel(ctx context.Context, r *restjson.Request) (any, error) {
	required := func(in *modelInput, c *checker) {
		c.required(in.Name != nil, "name")
		c.required(in.Schema != nil, "schema")
	}
	return createChild(a, modelKind, required, func(ctx context.Context, tx store.Tx, api modelv2.Api, id string, in *modelInput) (modelv2.Model, error) {
		m := modelv2.Model{ModelID: id}
		in.applyTo(&m)
		return m, checkModelName(ctx, tx, api.ApiID, &m)
	})(ctx, r)
}

func (a *API) getModels(ctx context.Context, r *restjson.Request) (any, error) {
	return listKind(ctx, a, r, modelKind, func(m modelv2.Model) string { return m.ModelID })
}

func (a *API) getModel(ctx context.Context, r *restjson.Request) (any, error) {
	return getChild[modelv2.Model](a, modelKind)(ctx, r)
}

func (a *API) updateModel(ctx context.Context, r *restjson.Request) (any, error) {
	return updateChild(a, modelKind, func(ctx context.Context, tx store.Tx, api modelv2.Api, m *modelv2.Model, in *modelInput) error {
		old := m.Name
		in.applyTo(m)
		if m.Name == old {
			return nil
		}
		if err := checkModelName(ctx, tx, api.ApiID, m); err != nil {
			return err
		}
		return refuseIfModelUsed(ctx, tx, api.ApiID, old, "rename")
	})(ctx, r)
}

func (a *API) deleteModel(ctx context.Context, r *restjson.Request) (any, error) {
	return deleteChild(a, modelKind, func(ctx context.Context, tx store.Tx, apiID string, m modelv2.Model) error {
		return refuseIfModelUsed(ctx, tx, apiID, m.Name, "delete")
	})(ctx, r)
}

// refuseIfModelUsed refuses to delete or rename a model that a route's
// requestModels or a route response's responseModels name, as REST APIs
// refuse it for methods [V: REST's text, adapted], or that another
// model's schema refers to [U].
func refuseIfModelUsed(ctx context.Context, rd store.Reader, apiID, name, what string) error {
	routes, err := docstore.List[modelv2.Route](ctx, rd, modelv2.ChildPrefix(modelv2.KindRoute, apiID))
	if err != nil {
		return err
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].RouteKey < routes[j].RouteKey })
	for _, rt := range routes {
		if usesModel(rt.RequestModels, name) {
			return conflict("Cannot %s model '%s', is referenced in route request: %s", what, name, rt.RouteKey)
		}
		rrs, err := docstore.List[modelv2.RouteResponse](ctx, rd, modelv2.SubPrefix(modelv2.KindRouteResponse, apiID, rt.RouteID))
		if err != nil {
			return err
		}
		for _, rr := range rrs {
			if usesModel(rr.ResponseModels, name) {
				return conflict("Cannot %s model '%s', is referenced in route response: %s/%s", what, name, rt.RouteKey, rr.RouteResponseKey) // [U]
			}
		}
	}
	models, err := docstore.List[modelv2.Model](ctx, rd, modelv2.ChildPrefix(modelv2.KindModel, apiID))
	if err != nil {
		return err
	}
	url := modelschema.ModelURL(apiID, name)
	for _, m := range models {
		if m.Name == name {
			continue
		}
		for _, ref := range modelschema.References(model.Deref(m.Schema)) {
			if ref == url {
				return conflict("Cannot %s model '%s', is referenced in model: %s", what, name, m.Name) // [U]
			}
		}
	}
	return nil
}

func usesModel(models map[string]string, name string) bool {
	for _, used := range models {
		if used == name {
			return true
		}
	}
	return false
}

// checkModelsExist: the models a route's requestModels or a route
// response's responseModels name must exist, as for REST API methods [V].
func checkModelsExist(ctx context.Context, rd store.Reader, apiID string, names map[string]string) error {
	if len(names) == 0 {
		return nil
	}
	models, err := docstore.List[modelv2.Model](ctx, rd, modelv2.ChildPrefix(modelv2.KindModel, apiID))
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(models))
	for _, m := range models {
		have[m.Name] = true
	}
	for _, key := range sortedKeys(names) {
		if !have[names[key]] {
			return bad("Invalid model identifier specified: %s", names[key]) // [V: REST's text]
		}
	}
	return nil
}

// getModelTemplate derives a mapping template from a model's schema, its
// references to other models of the API inlined, as REST APIs do [U].
func (a *API) getModelTemplate(ctx context.Context, r *restjson.Request) (any, error) {
	sc, id := modelKind.scopeOf(r), r.Path(modelKind.param)
	var schema string
	err := a.store.View(ctx, func(rd store.Reader) error {
		m, _, err := get[modelv2.Model](ctx, a, rd, sc, id)
		if err != nil {
			return err
		}
		models, err := docstore.List[modelv2.Model](ctx, rd, sc.prefix())
		if err != nil {
			return err
		}
		schema, err = modelschema.Flatten(model.Deref(m.Schema), func(name string) (string, bool) {
			for _, o := range models {
				if o.Name == name && o.Schema != nil {
					return *o.Schema, true
				}
			}
			return "", false
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Value string `json:"value"`
	}{modelschema.Template(schema)}, nil
}
