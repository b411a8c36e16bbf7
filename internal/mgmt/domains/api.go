// Package domains serves custom domain names to both management APIs: the
// apigateway operations (/domainnames, base path mappings) and the
// apigatewayv2 ones (/v2/domainnames, API mappings, routing rules). As on
// AWS there is one domain resource behind both (internal/domain): a
// domain created through one API is read, updated and deleted through the
// other, and a base path mapping is an API mapping seen through v1.
//
// Certificates are ACM ARNs (internal/acm, served by acmapi); mutual TLS
// truststores are s3:// URIs read from the --s3-dir stand-in when a
// domain is created or its truststore changes.
//
// Tollgate choices: a domain is AVAILABLE as soon as it is created or
// updated; EDGE domains take certificates of Tollgate's own region (AWS
// wants us-east-1: there is one local ACM); private custom domains
// (domainNameId) are refused for now.
package domains

import (
	"context"
	"net/http"
	"time"

	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
)

// Signing name of both APIs [M].
const Service = "apigateway"

// Config configures the operations.
type Config struct {
	Store     store.Store
	Region    string
	AccountID string
	// S3Dir is the local stand-in for S3: s3://bucket/key is read from
	// S3Dir/bucket/key (mutual TLS truststores).
	S3Dir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// IDs generates identifiers; nil means random ones.
	IDs docstore.IDSource
}

// API serves the domain name operations.
type API struct {
	store     store.Store
	region    string
	accountID string
	s3Dir     string
	now       func() time.Time
	ids       docstore.IDSource
	seq       docstore.Sequence
}

// New returns the operations bound to cfg.
func New(cfg Config) *API {
	a := &API{store: cfg.Store, region: cfg.Region, accountID: cfg.AccountID, s3Dir: cfg.S3Dir, now: cfg.Now, ids: cfg.IDs}
	if a.now == nil {
		a.now = time.Now
	}
	if a.ids == nil {
		a.ids = docstore.RandomIDs{}
	}
	return a
}

// Register adds every operation to rt.
func (a *API) Register(rt *restjson.Router) {
	const (
		ok       = http.StatusOK
		created  = http.StatusCreated
		accepted = http.StatusAccepted
		noBody   = http.StatusNoContent
	)
	const (
		v1     = "/domainnames/{domain_name}"
		v1bpm  = v1 + "/basepathmappings"
		v2     = "/v2/domainnames/{domainName}"
		v2map  = v2 + "/apimappings"
		v2rule = v2 + "/routingrules"
	)
	rt.HandleAll(Service, []restjson.Route{
		{Pattern: "GET /domainnames", Name: "GetDomainNames", Status: ok, Handler: a.getDomainNamesV1},
		{Pattern: "POST /domainnames", Name: "CreateDomainName", Status: created, Handler: a.createDomainNameV1},
		{Pattern: "GET " + v1, Name: "GetDomainName", Status: ok, Handler: a.getDomainNameV1},
		{Pattern: "PATCH " + v1, Name: "UpdateDomainName", Status: ok, Handler: a.updateDomainNameV1},
		{Pattern: "DELETE " + v1, Name: "DeleteDomainName", Status: accepted, Handler: a.deleteDomainName},

		{Pattern: "GET " + v1bpm, Name: "GetBasePathMappings", Status: ok, Handler: a.getBasePathMappings},
		{Pattern: "POST " + v1bpm, Name: "CreateBasePathMapping", Status: created, Handler: a.createBasePathMapping},
		{Pattern: "GET " + v1bpm + "/{base_path}", Name: "GetBasePathMapping", Status: ok, Handler: a.getBasePathMapping},
		{Pattern: "PATCH " + v1bpm + "/{base_path}", Name: "UpdateBasePathMapping", Status: ok, Handler: a.updateBasePathMapping},
		{Pattern: "DELETE " + v1bpm + "/{base_path}", Name: "DeleteBasePathMapping", Status: accepted, Handler: a.deleteBasePathMapping},

		{Pattern: "GET /v2/domainnames", Name: "GetDomainNames", Status: ok, Handler: a.getDomainNamesV2},
		{Pattern: "POST /v2/domainnames", Name: "CreateDomainName", Status: created, Handler: a.createDomainNameV2},
		{Pattern: "GET " + v2, Name: "GetDomainName", Status: ok, Handler: a.getDomainNameV2},
		{Pattern: "PATCH " + v2, Name: "UpdateDomainName", Status: ok, Handler: a.updateDomainNameV2},
		{Pattern: "DELETE " + v2, Name: "DeleteDomainName", Status: noBody, Handler: a.deleteDomainNameV2},

		{Pattern: "GET " + v2map, Name: "GetApiMappings", Status: ok, Handler: a.getApiMappings},
		{Pattern: "POST " + v2map, Name: "CreateApiMapping", Status: created, Handler: a.createApiMapping},
		{Pattern: "GET " + v2map + "/{apiMappingId}", Name: "GetApiMapping", Status: ok, Handler: a.getApiMapping},
		{Pattern: "PATCH " + v2map + "/{apiMappingId}", Name: "UpdateApiMapping", Status: ok, Handler: a.updateApiMapping},
		{Pattern: "DELETE " + v2map + "/{apiMappingId}", Name: "DeleteApiMapping", Status: noBody, Handler: a.deleteApiMapping},

		{Pattern: "GET " + v2rule, Name: "ListRoutingRules", Status: ok, Handler: a.listRoutingRules},
		{Pattern: "POST " + v2rule, Name: "CreateRoutingRule", Status: created, Handler: a.createRoutingRule},
		{Pattern: "GET " + v2rule + "/{routingRuleId}", Name: "GetRoutingRule", Status: ok, Handler: a.getRoutingRule},
		{Pattern: "PUT " + v2rule + "/{routingRuleId}", Name: "PutRoutingRule", Status: ok, Handler: a.putRoutingRule},
		{Pattern: "DELETE " + v2rule + "/{routingRuleId}", Name: "DeleteRoutingRule", Status: noBody, Handler: a.deleteRoutingRule},
	})
}

// Quotas [D: api-gateway-execution-service-limits-table].
const (
	maxDomains         = 120 // public custom domain names per account and Region
	maxMultiLevel      = 200 // multi-level API mappings per domain
	maxRules           = 50  // routing rules per domain
	maxMappingKey      = 300 // characters of a base path / API mapping key
	domainNameIDLength = 8
	mappingIDLength    = 10
	ruleIDLength       = 6
	hostIDLength       = 13
)

// loadDomain reads the domain name; a missing one (or a private domain
// named by domainNameId, which Tollgate does not model yet) is errNotFound.
func (a *API) loadDomain(ctx context.Context, rd store.Reader, r *restjson.Request, name string, notFound error) (domain.Domain, int64, error) {
	if id, ok := r.Query("domainNameId"); ok && id != "" {
		return domain.Domain{}, 0, notFound
	}
	d, seq, err := docstore.Get[domain.Domain](ctx, rd, domain.Key(name))
	return d, seq, docstore.NotFound(err, notFound)
}

func (a *API) update(ctx context.Context, fn func(store.Tx) error) error {
	_, err := a.store.Update(ctx, fn)
	return err
}

func (a *API) view(ctx context.Context, fn func(store.Reader) error) error {
	return a.store.View(ctx, fn)
}
