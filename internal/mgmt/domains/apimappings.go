package domains

import (
	"context"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
)

// apiMapping is apigatewayv2's ApiMapping [M][X].
type apiMapping struct {
	APIID         string `json:"apiId"`
	APIMappingID  string `json:"apiMappingId"`
	APIMappingKey string `json:"apiMappingKey"`
	Stage         string `json:"stage,omitempty"`
}

func v2Mapping(m domain.Mapping) apiMapping {
	return apiMapping{APIID: m.APIID, APIMappingID: m.ID, APIMappingKey: m.Key, Stage: m.Stage}
}

// v2Rules: apigatewayv2 lets the empty key sit beside others (it catches
// what no other key matches) [D: http-api-mappings].
var v2Rules = mappingRules{conflict: awserr.Conflict("An ApiMapping with the same apiMappingKey already exists for this domain name.")} // [U]

type apiMappingInput struct {
	APIID         *string `json:"apiId"`
	APIMappingKey *string `json:"apiMappingKey"`
	Stage         *string `json:"stage"`
}

// resolveV2 checks that m names an existing API (REST, HTTP or
// WebSocket) and one of its stages.
func (a *API) resolveV2(ctx context.Context, rd store.Reader, m *domain.Mapping) error {
	ref, err := resolveAPI(ctx, rd, m.APIID)
	if err != nil {
		return err
	}
	if ref.typ == "" {
		return errAPIV2(a.accountID, m.APIID)
	}
	m.APIType = ref.typ
	ok, err := stageExists(ctx, rd, ref.typ, m.APIID, m.Stage)
	if err != nil {
		return err
	}
	if !ok {
		return errStage // [C: aws-cdk#8983]
	}
	return nil
}

func (a *API) createApiMapping(ctx context.Context, r *restjson.Request) (any, error) {
	var in apiMappingInput
	if err := decodeV2(r, &in); err != nil {
		return nil, err
	}
	switch {
	case in.APIID == nil:
		return nil, awserr.BadRequest("apiId is a required parameter") // [U]
	case in.Stage == nil:
		return nil, awserr.BadRequest("stage is a required parameter") // [U]
	}
	key := deref(in.APIMappingKey)
	if err := checkKey(key); err != nil {
		return nil, err
	}
	name := r.Path("domainName")
	m := domain.Mapping{Key: key, APIID: *in.APIID, Stage: *in.Stage}
	err := a.update(ctx, func(tx store.Tx) error {
		d, _, err := a.loadDomain(ctx, tx, r, name, errDomainV2(name))
		if err != nil {
			return err
		}
		if err := a.resolveV2(ctx, tx, &m); err != nil {
			return err
		}
		maps, err := mappingsOf(ctx, tx, name)
		if err != nil {
			return err
		}
		if err := checkMapping(&d, maps, m, v2Rules); err != nil {
			return err
		}
		m.ID = a.ids.ID(mappingIDLength)
		return docstore.Put(ctx, tx, domain.MappingKey(name, m.ID), a.seq.Next(), m)
	})
	if err != nil {
		return nil, err
	}
	return v2Mapping(m), nil
}

// findV2 reads the mapping with the id in the request path.
func (a *API) findV2(ctx context.Context, rd store.Reader, r *restjson.Request) (domain.Domain, domain.Mapping, int64, error) {
	name := r.Path("domainName")
	d, _, err := a.loadDomain(ctx, rd, r, name, errDomainV2(name))
	if err != nil {
		return d, domain.Mapping{}, 0, err
	}
	id := r.Path("apiMappingId")
	m, seq, err := docstore.Get[domain.Mapping](ctx, rd, domain.MappingKey(name, id))
	return d, m, seq, docstore.NotFound(err, errMappingV2(id))
}

func (a *API) getApiMapping(ctx context.Context, r *restjson.Request) (any, error) {
	var m domain.Mapping
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		_, m, _, err = a.findV2(ctx, rd, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v2Mapping(m), nil
}

func (a *API) getApiMappings(ctx context.Context, r *restjson.Request) (any, error) {
	maps, err := a.listMappings(ctx, r, "domainName", errDomainV2(r.Path("domainName")))
	if err != nil {
		return nil, err
	}
	items := make([]apiMapping, len(maps))
	for i, m := range maps {
		items[i] = v2Mapping(m)
	}
	page, err := restjson.PaginateItems(r, items, func(m apiMapping) string { return m.APIMappingID })
	if err != nil {
		return nil, err
	}
	if page.Items == nil {
		page.Items = []apiMapping{}
	}
	return page, nil
}

// updateApiMapping changes the members given; apiId is required [M].
func (a *API) updateApiMapping(ctx context.Context, r *restjson.Request) (any, error) {
	var in apiMappingInput
	if err := decodeV2(r, &in); err != nil {
		return nil, err
	}
	if in.APIID == nil {
		return nil, awserr.BadRequest("apiId is a required parameter") // [U]
	}
	if in.APIMappingKey != nil {
		if err := checkKey(*in.APIMappingKey); err != nil {
			return nil, err
		}
	}
	var out domain.Mapping
	err := a.update(ctx, func(tx store.Tx) error {
		d, m, seq, err := a.findV2(ctx, tx, r)
		if err != nil {
			return err
		}
		m.APIID = *in.APIID
		if in.APIMappingKey != nil {
			m.Key = *in.APIMappingKey
		}
		if in.Stage != nil {
			m.Stage = *in.Stage
		}
		if err := a.resolveV2(ctx, tx, &m); err != nil {
			return err
		}
		maps, err := mappingsOf(ctx, tx, d.Name)
		if err != nil {
			return err
		}
		if err := checkMapping(&d, without(maps, m.ID), m, v2Rules); err != nil {
			return err
		}
		out = m
		return docstore.Put(ctx, tx, domain.MappingKey(d.Name, m.ID), seq, m)
	})
	if err != nil {
		return nil, err
	}
	return v2Mapping(out), nil
}

func (a *API) deleteApiMapping(ctx context.Context, r *restjson.Request) (any, error) {
	return nil, a.update(ctx, func(tx store.Tx) error {
		d, m, _, err := a.findV2(ctx, tx, r)
		if err != nil {
			return err
		}
		return tx.Delete(ctx, domain.MappingKey(d.Name, m.ID))
	})
}
