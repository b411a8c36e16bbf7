package apigw

import (
	"context"
	"encoding/json"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

var (
	errDocPart    = awserr.NotFound("Invalid Documentation part identifier specified")
	errDocVersion = awserr.NotFound("Invalid Documentation version identifier specified") // [U]
)

type createDocPartInput struct {
	Location *struct {
		Type       *string `json:"type"`
		Path       *string `json:"path"`
		Method     *string `json:"method"`
		StatusCode *string `json:"statusCode"`
		Name       *string `json:"name"`
	} `json:"location"`
	Properties *string `json:"properties"`
}

func (a *API) createDocPart(ctx context.Context, r *restjson.Request) (any, error) {
	var in createDocPartInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	switch {
	case in.Location == nil:
		nullAt(&v, "createDocumentationPartInput.location")
	case in.Location.Type == nil:
		nullAt(&v, "createDocumentationPartInput.location.type")
	case !in1(*in.Location.Type, model.DocumentationPartTypes):
		v.Enum(*in.Location.Type, "createDocumentationPartInput.location.type", model.DocumentationPartTypes)
	}
	if in.Properties == nil {
		nullAt(&v, "createDocumentationPartInput.properties")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	l := in.Location
	part := model.DocumentationPart{
		Location:   model.DocumentationLocation{Type: *l.Type, Path: l.Path, Method: l.Method, StatusCode: l.StatusCode, Name: l.Name},
		Properties: *in.Properties,
	}
	err := a.update(ctx, func(tx store.Tx) error {
		if _, err := a.loadAPI(ctx, tx, apiID); err != nil {
			return err
		}
		if !json.Valid([]byte(part.Properties)) {
			return awserr.BadRequest("Documentation part properties must be a valid JSON object") // [U]
		}
		parts, err := list[model.DocumentationPart](ctx, tx, model.ChildPrefix(model.KindDocPart, apiID))
		if err != nil {
			return err
		}
		for _, p := range parts {
			if sameLocation(p.Location, part.Location) {
				return awserr.Conflict("Documentation part already exists for the specified location") // [U]
			}
		}
		part.ID = a.ids.ID(lenChildID)
		return put(ctx, tx, model.ChildKey(model.KindDocPart, apiID, part.ID), a.seq.next(), part)
	})
	if err != nil {
		return nil, err
	}
	return part, nil
}

func sameLocation(x, y model.DocumentationLocation) bool {
	return x.Type == y.Type && model.Deref(x.Path) == model.Deref(y.Path) && model.Deref(x.Method) == model.Deref(y.Method) &&
		model.Deref(x.StatusCode) == model.Deref(y.StatusCode) && model.Deref(x.Name) == model.Deref(y.Name)
}

func (a *API) getDocParts(ctx context.Context, r *restjson.Request) (any, error) {
	apiID := r.Path("restapi_id")
	var parts []model.DocumentationPart
	err := a.view(ctx, func(rd store.Reader) error {
		if _, err := a.loadAPI(ctx, rd, apiID); err != nil {
			return err
		}
		var err error
		parts, err = list[model.DocumentationPart](ctx, rd, model.ChildPrefix(model.KindDocPart, apiID))
		return err
	})
	if err != nil {
		return nil, err
	}
	typ, byType := r.Query("type")
	name, byName := r.Query("name")
	path, byPath := r.Query("path")
	var out []model.DocumentationPart
	for _, p := range parts {
		if (byType && p.Location.Type != typ) || (byName && model.Deref(p.Location.Name) != name) || (byPath && model.Deref(p.Location.Path) != path) {
			continue
		}
		out = append(out, p)
	}
	return restjson.Paginate(r, out, func(p model.DocumentationPart) string { return p.ID })
}

func (a *API) loadDocPart(ctx context.Context, rd store.Reader, apiID, id string) (model.DocumentationPart, int64, error) {
	p, seq, err := get[model.DocumentationPart](ctx, rd, model.ChildKey(model.KindDocPart, apiID, id))
	return p, seq, notFound(err, errDocPart)
}

func (a *API) getDocPart(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("part_id")
	return readDoc(ctx, a, func(rd store.Reader) (model.DocumentationPart, int64, error) {
		return a.loadDocPart(ctx, rd, apiID, id)
	})
}

func (a *API) updateDocPart(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("part_id")
	return output(patchDocument(ctx, a, r, "updateDocumentationPartInput", model.ChildKey(model.KindDocPart, apiID, id),
		func(rd store.Reader) (model.DocumentationPart, int64, error) {
			return a.loadDocPart(ctx, rd, apiID, id)
		},
		func(_ store.Tx, p *model.DocumentationPart, ops []patch.Operation) error {
			return eachOp(p, ops, func(p *model.DocumentationPart, op patch.Operation) error {
				if op.Op != "replace" {
					return patch.UnsupportedOp(op)
				}
				if op.Path != "/properties" {
					return patch.InvalidPathFor(op, "/properties")
				}
				if !json.Valid([]byte(op.Str())) {
					return awserr.BadRequest("Documentation part properties must be a valid JSON object") // [U]
				}
				p.Properties = op.Str()
				return nil
			})
		}))
}

func (a *API) deleteDocPart(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("part_id")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, err := a.loadAPI(ctx, tx, apiID); err != nil {
			return err
		}
		if _, _, err := a.loadDocPart(ctx, tx, apiID, id); err != nil {
			return err
		}
		return tx.Delete(ctx, model.ChildKey(model.KindDocPart, apiID, id))
	})
}

type createDocVersionInput struct {
	DocumentationVersion *string `json:"documentationVersion"`
	StageName            *string `json:"stageName"`
	Description          *string `json:"description"`
}

func (a *API) createDocVersion(ctx context.Context, r *restjson.Request) (any, error) {
	var in createDocVersionInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.DocumentationVersion == nil {
		nullAt(&v, "createDocumentationVersionInput.documentationVersion")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	ver := model.DocumentationVersion{Version: *in.DocumentationVersion, CreatedDate: model.TimeOf(a.now()), Description: in.Description}
	err := a.update(ctx, func(tx store.Tx) error {
		if _, err := a.loadAPI(ctx, tx, apiID); err != nil {
			return err
		}
		key := model.ChildKey(model.KindDocVersion, apiID, ver.Version)
		taken, err := exists(ctx, tx, key)
		if err != nil {
			return err
		}
		if taken {
			return awserr.Conflict("Documentation version already exists") // [U]
		}
		if name := model.Deref(in.StageName); name != "" {
			skey := model.ChildKey(model.KindStage, apiID, name)
			st, seq, err := get[model.Stage](ctx, tx, skey)
			if err != nil {
				return notFound(err, errStage)
			}
			st.DocumentationVersion = &ver.Version
			if err := put(ctx, tx, skey, seq, st); err != nil {
				return err
			}
		}
		return put(ctx, tx, key, a.seq.next(), ver)
	})
	if err != nil {
		return nil, err
	}
	return ver, nil
}

func (a *API) getDocVersions(ctx context.Context, r *restjson.Request) (any, error) {
	return listChildren(ctx, a, r, model.KindDocVersion, func(v model.DocumentationVersion) string { return v.Version })
}

func (a *API) loadDocVersion(ctx context.Context, rd store.Reader, apiID, id string) (model.DocumentationVersion, int64, error) {
	return loadChild[model.DocumentationVersion](ctx, a, rd, model.KindDocVersion, apiID, id, errDocVersion)
}

func (a *API) getDocVersion(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("doc_version")
	return readDoc(ctx, a, func(rd store.Reader) (model.DocumentationVersion, int64, error) {
		return a.loadDocVersion(ctx, rd, apiID, id)
	})
}

func (a *API) updateDocVersion(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("doc_version")
	return output(patchDocument(ctx, a, r, "updateDocumentationVersionInput", model.ChildKey(model.KindDocVersion, apiID, id),
		func(rd store.Reader) (model.DocumentationVersion, int64, error) {
			return a.loadDocVersion(ctx, rd, apiID, id)
		},
		func(_ store.Tx, ver *model.DocumentationVersion, ops []patch.Operation) error {
			return eachOp(ver, ops, func(ver *model.DocumentationVersion, op patch.Operation) error {
				if op.Path != "/description" {
					return patch.InvalidPathFor(op, "/description")
				}
				if op.Op != "replace" {
					return patch.UnsupportedOp(op)
				}
				ver.Description = optional(op.Str())
				return nil
			})
		}))
}

func (a *API) deleteDocVersion(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("doc_version")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, _, err := a.loadDocVersion(ctx, tx, apiID, id); err != nil {
			return err
		}
		return tx.Delete(ctx, model.ChildKey(model.KindDocVersion, apiID, id))
	})
}
