package domains

import (
	"context"
	"regexp"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// none is how apigateway shows and takes the empty base path [M][X].
const none = "(none)"

// mappingKeyRE: letters, digits, $-_.+!*'() and "/" between segments
// [D: rest-api-mappings].
var mappingKeyRE = regexp.MustCompile(`^[A-Za-z0-9$\-_.+!*'()]+(/[A-Za-z0-9$\-_.+!*'()]+)*$`)

// checkKey checks a mapping key ("" is the root).
func checkKey(key string) error {
	if key == "" {
		return nil
	}
	if len(key) > maxMappingKey || !mappingKeyRE.MatchString(key) {
		return errMappingKey
	}
	return nil
}

// apiRef is an API a mapping or rule can name.
type apiRef struct {
	typ     string // domain.APIRest, APIHTTP or APIWebSocket; "" when unknown
	private bool   // a PRIVATE REST API
}

// resolveAPI finds the API with id: a REST API or an HTTP/WebSocket API.
func resolveAPI(ctx context.Context, rd store.Reader, id string) (apiRef, error) {
	if id == "" {
		return apiRef{}, nil
	}
	rest, _, err := docstore.Get[model.RestApi](ctx, rd, model.KeyRestApi(id))
	if err == nil {
		ec := rest.EndpointConfiguration
		return apiRef{typ: domain.APIRest, private: ec != nil && len(ec.Types) > 0 && ec.Types[0] == model.EndpointPrivate}, nil
	}
	if !docstore.IsNotFound(err) {
		return apiRef{}, err
	}
	api, _, err := docstore.Get[modelv2.Api](ctx, rd, modelv2.KeyApi(id))
	if docstore.IsNotFound(err) {
		return apiRef{}, nil
	}
	if err != nil {
		return apiRef{}, err
	}
	if api.ProtocolType == "WEBSOCKET" {
		return apiRef{typ: domain.APIWebSocket}, nil
	}
	return apiRef{typ: domain.APIHTTP}, nil
}

// stageExists reports whether the API of type typ has the stage.
func stageExists(ctx context.Context, rd store.Reader, typ, apiID, stage string) (bool, error) {
	key := model.ChildKey(model.KindStage, apiID, stage)
	if typ != domain.APIRest {
		key = modelv2.ChildKey(modelv2.KindStage, apiID, stage)
	}
	return docstore.Exists(ctx, rd, key)
}

// mappingRules are the differences between the two APIs' checks.
type mappingRules struct {
	v1       bool  // apigateway: the empty base path stands alone [C]
	conflict error // a key already mapped
}

// checkMapping checks m against its domain and the domain's other
// mappings (m itself left out) [D: rest-api-mappings, http-api-mappings,
// rest-api-routing-mode].
func checkMapping(d *domain.Domain, others []domain.Mapping, m domain.Mapping, rules mappingRules) error {
	if !d.RoutingMode.UsesMappings() {
		return errMappingMode
	}
	multi := 0
	for _, o := range others {
		if o.Key == m.Key {
			return rules.conflict
		}
		if rules.v1 && (o.Key == "" || m.Key == "") {
			return errOnlyOneEmpty
		}
		if (o.APIType == domain.APIWebSocket) != (m.APIType == domain.APIWebSocket) {
			return errMixedWebSocket
		}
		if o.MultiLevel() {
			multi++
		}
	}
	if m.MultiLevel() {
		if !multiLevelOK(d) {
			return errMultiLevel
		}
		if m.APIType == domain.APIWebSocket {
			return awserr.BadRequest("Multi-level API mappings are not supported for WebSocket APIs.") // [D; U text]
		}
		if multi >= maxMultiLevel {
			return awserr.LimitExceeded("The maximum number of multi-level API mappings (%d) for this custom domain name has been reached.", maxMultiLevel) // [U]
		}
	}
	if m.APIType == domain.APIHTTP && domain.Policies[d.SecurityPolicy].Enhanced {
		return errHTTPEnhanced
	}
	if d.RoutingMode.UsesRules() && mixesRESTAndHTTP(append(append([]domain.Mapping{}, others...), m)) {
		return errRulesMixed
	}
	return nil
}

// mappingsOf lists a domain's mappings in creation order.
func mappingsOf(ctx context.Context, rd store.Reader, name string) ([]domain.Mapping, error) {
	return docstore.List[domain.Mapping](ctx, rd, domain.MappingsPrefix(name))
}

// listMappings reads the mappings of the domain the request names (its
// path member key), answering notFound when there is no such domain.
func (a *API) listMappings(ctx context.Context, r *restjson.Request, key string, notFound error) ([]domain.Mapping, error) {
	var maps []domain.Mapping
	err := a.view(ctx, func(rd store.Reader) error {
		name := r.Path(key)
		if _, _, err := a.loadDomain(ctx, rd, r, name, notFound); err != nil {
			return err
		}
		var err error
		maps, err = mappingsOf(ctx, rd, name)
		return err
	})
	return maps, err
}

// without returns maps without the mapping with id.
func without(maps []domain.Mapping, id string) []domain.Mapping {
	out := make([]domain.Mapping, 0, len(maps))
	for _, m := range maps {
		if m.ID != id {
			out = append(out, m)
		}
	}
	return out
}

// Mapped reports whether a domain name maps or routes to the API (a base
// path mapping, API mapping or routing rule names it): such an API cannot
// be deleted [C: serverless-domain-manager#406].
func Mapped(ctx context.Context, rd store.Reader, apiID string) (bool, error) {
	maps, err := docstore.List[domain.Mapping](ctx, rd, domain.PrefixMappings)
	if err != nil {
		return false, err
	}
	for _, m := range maps {
		if m.APIID == apiID {
			return true, nil
		}
	}
	rules, err := docstore.List[domain.RoutingRule](ctx, rd, domain.PrefixRules)
	if err != nil {
		return false, err
	}
	for _, r := range rules {
		for _, act := range r.Actions {
			if act.InvokeAPI != nil && act.InvokeAPI.APIID == apiID {
				return true, nil
			}
		}
	}
	return false, nil
}

// v1Key reads apigateway's base path: "(none)" or "" is the root.
func v1Key(basePath string) (string, error) {
	if basePath == none {
		return "", nil
	}
	if strings.Contains(basePath, "/") {
		return "", errSlashV1
	}
	return basePath, checkKey(basePath)
}
