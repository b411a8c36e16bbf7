package domains

import (
	"context"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

// basePathMapping is apigateway's BasePathMapping [M].
type basePathMapping struct {
	BasePath  string `json:"basePath"`
	RestAPIID string `json:"restApiId"`
	Stage     string `json:"stage,omitempty"`
}

func v1Mapping(m domain.Mapping) basePathMapping {
	bp := m.Key
	if bp == "" {
		bp = none
	}
	return basePathMapping{BasePath: bp, RestAPIID: m.APIID, Stage: m.Stage}
}

var v1Rules = mappingRules{v1: true, conflict: errBasePathExists}

type basePathInput struct {
	BasePath  *string `json:"basePath"`
	RestAPIID *string `json:"restApiId"`
	Stage     *string `json:"stage"`
}

// createBasePathMapping maps a base path (one segment; multi-level keys
// are made through apigatewayv2) to a REST API and optionally a stage.
func (a *API) createBasePathMapping(ctx context.Context, r *restjson.Request) (any, error) {
	var in basePathInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.RestAPIID == nil {
		var v awserr.Validation
		nullAt(&v, "createBasePathMappingInput.restApiId")
		return nil, v.Err()
	}
	key, err := v1Key(deref(in.BasePath))
	if err != nil {
		return nil, err
	}
	name := r.Path("domain_name")
	m := domain.Mapping{Key: key, APIID: *in.RestAPIID, Stage: deref(in.Stage)}
	err = a.update(ctx, func(tx store.Tx) error {
		d, _, err := a.loadDomain(ctx, tx, r, name, errDomainV1)
		if err != nil {
			return err
		}
		if err := a.resolveV1(ctx, tx, &m); err != nil {
			return err
		}
		maps, err := mappingsOf(ctx, tx, name)
		if err != nil {
			return err
		}
		if err := checkMapping(&d, maps, m, v1Rules); err != nil {
			return err
		}
		m.ID = a.ids.ID(mappingIDLength)
		return docstore.Put(ctx, tx, domain.MappingKey(name, m.ID), a.seq.Next(), m)
	})
	if err != nil {
		return nil, err
	}
	return v1Mapping(m), nil
}

// resolveV1 checks that m names a REST API and, when it names one, an
// existing stage of it.
func (a *API) resolveV1(ctx context.Context, rd store.Reader, m *domain.Mapping) error {
	ref, err := resolveAPI(ctx, rd, m.APIID)
	if err != nil {
		return err
	}
	if ref.typ != domain.APIRest {
		return errRestAPI
	}
	m.APIType = ref.typ
	if m.Stage == "" {
		return nil
	}
	ok, err := stageExists(ctx, rd, ref.typ, m.APIID, m.Stage)
	if err != nil {
		return err
	}
	if !ok {
		return errStage
	}
	return nil
}

// findV1 finds the mapping of the base path in the request path.
func (a *API) findV1(ctx context.Context, rd store.Reader, r *restjson.Request) (domain.Domain, domain.Mapping, []domain.Mapping, error) {
	name := r.Path("domain_name")
	d, _, err := a.loadDomain(ctx, rd, r, name, errDomainV1)
	if err != nil {
		return d, domain.Mapping{}, nil, err
	}
	key := r.Path("base_path")
	if key == none {
		key = ""
	}
	maps, err := mappingsOf(ctx, rd, name)
	if err != nil {
		return d, domain.Mapping{}, nil, err
	}
	for _, m := range maps {
		if m.Key == key {
			return d, m, maps, nil
		}
	}
	return d, domain.Mapping{}, nil, errBasePathV1
}

func (a *API) getBasePathMapping(ctx context.Context, r *restjson.Request) (any, error) {
	var m domain.Mapping
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		_, m, _, err = a.findV1(ctx, rd, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v1Mapping(m), nil
}

func (a *API) getBasePathMappings(ctx context.Context, r *restjson.Request) (any, error) {
	maps, err := a.listMappings(ctx, r, "domain_name", errDomainV1)
	if err != nil {
		return nil, err
	}
	items := make([]basePathMapping, len(maps))
	for i, m := range maps {
		items[i] = v1Mapping(m)
	}
	page, err := restjson.Paginate(r, items, func(m basePathMapping) string { return m.BasePath })
	if err != nil {
		return nil, err
	}
	if page.Item == nil {
		page.Item = []basePathMapping{}
	}
	return page, nil
}

// updateBasePathMapping applies replace operations on /basePath (the docs
// also write /basepath), /restapiId (sic; /restApiId is accepted too) and
// /stage [D][X].
func (a *API) updateBasePathMapping(ctx context.Context, r *restjson.Request) (any, error) {
	var in patch.Request
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	patch.Validate(in.PatchOperations, "updateBasePathMappingInput", &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out domain.Mapping
	err := a.update(ctx, func(tx store.Tx) error {
		d, m, maps, err := a.findV1(ctx, tx, r)
		if err != nil {
			return err
		}
		seq := int64(0)
		if _, s, err := docstore.Get[domain.Mapping](ctx, tx, domain.MappingKey(d.Name, m.ID)); err == nil {
			seq = s
		}
		for _, op := range in.PatchOperations {
			if op.Op != "replace" {
				return patch.InvalidOp("replace") // [U]
			}
			switch op.Path {
			case "/basePath", "/basepath":
				if m.Key, err = v1Key(op.Str()); err != nil {
					return err
				}
			case "/restapiId", "/restApiId":
				m.APIID = op.Str()
			case "/stage":
				m.Stage = op.Str()
			default:
				return patch.InvalidPath(op)
			}
		}
		if err := a.resolveV1(ctx, tx, &m); err != nil {
			return err
		}
		if err := checkMapping(&d, without(maps, m.ID), m, v1Rules); err != nil {
			return err
		}
		out = m
		return docstore.Put(ctx, tx, domain.MappingKey(d.Name, m.ID), seq, m)
	})
	if err != nil {
		return nil, err
	}
	return v1Mapping(out), nil
}

func (a *API) deleteBasePathMapping(ctx context.Context, r *restjson.Request) (any, error) {
	return nil, a.update(ctx, func(tx store.Tx) error {
		d, m, _, err := a.findV1(ctx, tx, r)
		if err != nil {
			return err
		}
		return tx.Delete(ctx, domain.MappingKey(d.Name, m.ID))
	})
}
