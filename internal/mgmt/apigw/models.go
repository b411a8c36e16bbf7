package apigw

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/modelschema"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

var modelNameRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)

type createModelInput struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Schema      *string `json:"schema"`
	ContentType *string `json:"contentType"`
}

func (a *API) createModel(ctx context.Context, r *restjson.Request) (any, error) {
	var in createModelInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Name == nil {
		nullAt(&v, "createModelInput.name")
	}
	if in.ContentType == nil {
		nullAt(&v, "createModelInput.contentType")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	m := model.Model{Name: *in.Name, Description: optional(model.Deref(in.Description)), Schema: in.Schema, ContentType: *in.ContentType}
	err := a.update(ctx, func(tx store.Tx) error {
		if _, err := a.loadAPI(ctx, tx, apiID); err != nil {
			return err
		}
		if m.Name == "" {
			return awserr.BadRequest("Model name must be non-empty")
		}
		if !modelNameRE.MatchString(m.Name) {
			return awserr.BadRequest("Model name must be alphanumeric: %s", m.Name) // [U]
		}
		if err := modelschema.Check(m.Schema); err != nil {
			return err
		}
		key := model.ChildKey(model.KindModel, apiID, m.Name)
		taken, err := exists(ctx, tx, key)
		if err != nil {
			return err
		}
		if taken {
			return awserr.Conflict("Model name already exists for this REST API")
		}
		m.ID = a.ids.ID(lenChildID)
		return put(ctx, tx, key, a.seq.next(), m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (a *API) listModels(ctx context.Context, rd store.Reader, apiID string) ([]model.Model, error) {
	if _, err := a.loadAPI(ctx, rd, apiID); err != nil {
		return nil, err
	}
	models, err := list[model.Model](ctx, rd, model.ChildPrefix(model.KindModel, apiID))
	if err != nil {
		return nil, err
	}
	// Models are listed by name [V].
	sort.Slice(models, func(i, j int) bool { return models[i].Name < models[j].Name })
	return models, nil
}

func (a *API) getModels(ctx context.Context, r *restjson.Request) (any, error) {
	var models []model.Model
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		models, err = a.listModels(ctx, rd, r.Path("restapi_id"))
		return err
	})
	if err != nil {
		return nil, err
	}
	return restjson.Paginate(r, models, func(m model.Model) string { return m.Name })
}

// loadModel reads one model; an unknown API reads as an unknown model [V].
func (a *API) loadModel(ctx context.Context, rd store.Reader, apiID, name string) (model.Model, int64, error) {
	m, seq, err := get[model.Model](ctx, rd, model.ChildKey(model.KindModel, apiID, name))
	return m, seq, notFound(err, errModel(name))
}

func (a *API) getModel(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name := r.Path("restapi_id"), r.Path("model_name")
	flatten, _ := r.Query("flatten")
	var m model.Model
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		m, _, err = a.loadModel(ctx, rd, apiID, name)
		if err != nil || !strings.EqualFold(flatten, "true") || m.Schema == nil {
			return err
		}
		flat, err := a.flattenSchema(ctx, rd, apiID, *m.Schema)
		if err != nil {
			return err
		}
		m.Schema = &flat
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// flattenSchema inlines $ref references to other models (GetModel?flatten=true).
func (a *API) flattenSchema(ctx context.Context, rd store.Reader, apiID, schema string) (string, error) {
	return modelschema.Flatten(schema, func(name string) (string, bool) {
		other, _, err := get[model.Model](ctx, rd, model.ChildKey(model.KindModel, apiID, name))
		if err != nil || other.Schema == nil {
			return "", false
		}
		return *other.Schema, true
	})
}

func (a *API) updateModel(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name := r.Path("restapi_id"), r.Path("model_name")
	return output(patchDocument(ctx, a, r, "updateModelInput", model.ChildKey(model.KindModel, apiID, name),
		func(rd store.Reader) (model.Model, int64, error) { return a.loadModel(ctx, rd, apiID, name) },
		func(_ store.Tx, m *model.Model, ops []patch.Operation) error { return eachOp(m, ops, patchModel) }))
}

func patchModel(m *model.Model, op patch.Operation) error {
	if op.Op != "replace" {
		return patch.UnsupportedOp(op)
	}
	switch op.Path {
	case "/description":
		m.Description = optional(op.Str())
	case "/schema":
		if err := modelschema.Check(op.Value); err != nil {
			return err
		}
		m.Schema = op.Value
	default:
		return patch.InvalidPathFor(op, "/description", "/schema")
	}
	return nil
}

func (a *API) deleteModel(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name := r.Path("restapi_id"), r.Path("model_name")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, _, err := a.loadModel(ctx, tx, apiID, name); err != nil {
			return err
		}
		t, err := a.loadTree(ctx, tx, apiID)
		if err != nil {
			return err
		}
		// AWS names the most recently added path first [V]; descending path
		// order reproduces the recorded cases.
		all := t.sorted()
		for i := len(all) - 1; i >= 0; i-- {
			res := all[i]
			for _, verb := range sortedKeys(res.ResourceMethods) {
				m := res.ResourceMethods[verb]
				for _, used := range m.RequestModels {
					if used == name {
						return awserr.Conflict("Cannot delete model '%s', is referenced in method request: %s/%s", name, res.Path, verb)
					}
				}
				for _, code := range sortedKeys(m.MethodResponses) {
					for _, used := range m.MethodResponses[code].ResponseModels {
						if used == name {
							// [U] AWS's text for a model used by a method response.
							return awserr.Conflict("Cannot delete model '%s', is referenced in method response: %s/%s/%s", name, res.Path, verb, code)
						}
					}
				}
			}
		}
		return tx.Delete(ctx, model.ChildKey(model.KindModel, apiID, name))
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (a *API) getModelTemplate(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name := r.Path("restapi_id"), r.Path("model_name")
	var m model.Model
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		m, _, err = a.loadModel(ctx, rd, apiID, name)
		if err != nil || m.Schema == nil {
			return err
		}
		flat, err := a.flattenSchema(ctx, rd, apiID, *m.Schema)
		m.Schema = &flat
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Value string `json:"value"`
	}{modelschema.Template(model.Deref(m.Schema))}, nil
}
