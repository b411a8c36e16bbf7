// Package wafapi serves Tollgate's AWS WAF (wafv2 2019-07-29, AWS JSON
// 1.1, X-Amz-Target AWSWAF_20190729.*, SigV4 service "wafv2") on the
// management listener: web ACLs, IP sets and regex pattern sets with
// their lock tokens, associations with REST API stages, capacity checks,
// the managed rule group catalogue, tags and sampled requests. The data
// plane enforces what is stored here (internal/waf, internal/deploy).
//
// Differences from AWS, by design (Tollgate choices):
//   - Only REST API stages can be associated (AWS: also load balancers,
//     AppSync, Cognito, …); HTTP API stages cannot, as on AWS.
//   - Changes reach the data plane at once, atomically, instead of within
//     AWS's propagation delay.
//   - Rule groups of your own, logging configurations, permission
//     policies, API keys and the vendor operations answer
//     WAFInvalidOperationException.
package wafapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate/internal/mgmt/awsjson"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// SigningName is the SigV4 service name of wafv2; TargetPrefix what
// X-Amz-Target holds before the operation name [M].
const (
	SigningName  = "wafv2"
	TargetPrefix = "AWSWAF_20190729"
)

// Samples is where the data plane keeps sampled requests
// (GetSampledRequests).
type Samples interface {
	// Sampled returns up to max samples of the web ACL's rule (or the web
	// ACL itself: its default action) by metric name, in [start, end],
	// and how many requests that rule matched in the window.
	Sampled(aclARN, metric string, start, end time.Time, max int) ([]wafmodel.Sample, int64)
}

// Config configures the operations.
type Config struct {
	Store     store.Store
	Region    string
	AccountID string
	// Samples answers GetSampledRequests (nil: no samples).
	Samples Samples
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID generates ids and lock tokens; nil means random UUIDs.
	NewID func() string
}

// API serves the wafv2 operations.
type API struct {
	store     store.Store
	region    string
	accountID string
	samples   Samples
	now       func() time.Time
	newID     func() string
}

// New returns the operations bound to cfg.
func New(cfg Config) *API {
	a := &API{store: cfg.Store, region: cfg.Region, accountID: cfg.AccountID, samples: cfg.Samples, now: cfg.Now, newID: cfg.NewID}
	if a.now == nil {
		a.now = time.Now
	}
	if a.newID == nil {
		a.newID = uuid.NewString
	}
	return a
}

// unsupported are operations of the model Tollgate does not offer [T].
var unsupported = []string{
	"CreateRuleGroup", "GetRuleGroup", "UpdateRuleGroup", "ListRuleGroups", "DeleteRuleGroup",
	"PutLoggingConfiguration", "GetLoggingConfiguration", "ListLoggingConfigurations", "DeleteLoggingConfiguration",
	"PutPermissionPolicy", "GetPermissionPolicy", "DeletePermissionPolicy",
	"CreateAPIKey", "DeleteAPIKey", "ListAPIKeys", "GetDecryptedAPIKey",
	"GenerateMobileSdkReleaseUrl", "GetMobileSdkRelease", "ListMobileSdkReleases",
	"GetManagedRuleSet", "ListManagedRuleSets", "PutManagedRuleSetVersions", "UpdateManagedRuleSetVersionExpiryDate",
	"DescribeAllManagedProducts", "DescribeManagedProductsByVendor", "DeleteFirewallManagerRuleGroups",
	"GetRateBasedStatementManagedKeys", "GetTopPathStatisticsByTraffic",
}

// Register adds every operation to rt.
func (a *API) Register(rt *restjson.Router) {
	ops := map[string]awsjson.Handler{
		"CreateIPSet":                           a.createIPSet,
		"GetIPSet":                              a.getIPSet,
		"UpdateIPSet":                           a.updateIPSet,
		"ListIPSets":                            a.listIPSets,
		"DeleteIPSet":                           a.deleteIPSet,
		"CreateRegexPatternSet":                 a.createRegexSet,
		"GetRegexPatternSet":                    a.getRegexSet,
		"UpdateRegexPatternSet":                 a.updateRegexSet,
		"ListRegexPatternSets":                  a.listRegexSets,
		"DeleteRegexPatternSet":                 a.deleteRegexSet,
		"CreateWebACL":                          a.createWebACL,
		"GetWebACL":                             a.getWebACL,
		"UpdateWebACL":                          a.updateWebACL,
		"ListWebACLs":                           a.listWebACLs,
		"DeleteWebACL":                          a.deleteWebACL,
		"AssociateWebACL":                       a.associate,
		"DisassociateWebACL":                    a.disassociate,
		"GetWebACLForResource":                  a.webACLForResource,
		"ListResourcesForWebACL":                a.resourcesForWebACL,
		"CheckCapacity":                         a.checkCapacity,
		"ListAvailableManagedRuleGroups":        a.listManagedGroups,
		"DescribeManagedRuleGroup":              a.describeManagedGroup,
		"ListAvailableManagedRuleGroupVersions": a.listManagedVersions,
		"GetSampledRequests":                    a.sampledRequests,
		"TagResource":                           a.tagResource,
		"UntagResource":                         a.untagResource,
		"ListTagsForResource":                   a.listTags,
	}
	for _, name := range unsupported {
		ops[name] = func(context.Context, *restjson.Request) (any, error) {
			return nil, wafmodel.InvalidOperation("Tollgate does not support " + name + ".")
		}
	}
	awsjson.Service{TargetPrefix: TargetPrefix, SigningName: SigningName, Ops: ops}.Register(rt)
}

// decode reads the request body into v.
func decode(r *restjson.Request, v any) error { return awsjson.Decode(r, v) }

// getDoc reads the document at key into v.
func getDoc(ctx context.Context, rd store.Reader, key string, v any) error {
	it, err := rd.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(it.Value, v); err != nil {
		return fmt.Errorf("wafapi: decode %s: %w", key, err)
	}
	return nil
}

// putDoc writes v at key.
func putDoc(ctx context.Context, tx store.Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("wafapi: encode %s: %w", key, err)
	}
	return tx.Put(ctx, key, b)
}

// notFound maps a missing document to WAFNonexistentItemException.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return wafmodel.Nonexistent()
	}
	return err
}

// checkScope refuses CLOUDFRONT outside us-east-1, where AWS keeps
// CloudFront's entities [D] [U: the error].
func (a *API) checkScope(scope string) error {
	if scope == wafmodel.ScopeCloudFront && a.region != "us-east-1" {
		return wafmodel.InvalidParameter("SCOPE_VALUE", scope, wafmodel.ReasonNotAllowed)
	}
	return nil
}
