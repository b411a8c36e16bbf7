package wafapi

import (
	"context"
	"encoding/json"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

type webACLInput struct {
	ref
	ARN                          *string                                `json:"ARN"`
	DefaultAction                *wafmodel.DefaultAction                `json:"DefaultAction"`
	Description                  *string                                `json:"Description"`
	Rules                        []wafmodel.Rule                        `json:"Rules"`
	VisibilityConfig             *wafmodel.VisibilityConfig             `json:"VisibilityConfig"`
	DataProtectionConfig         json.RawMessage                        `json:"DataProtectionConfig"`
	Tags                         []wafmodel.Tag                         `json:"Tags"`
	CustomResponseBodies         map[string]wafmodel.CustomResponseBody `json:"CustomResponseBodies"`
	CaptchaConfig                json.RawMessage                        `json:"CaptchaConfig"`
	ChallengeConfig              json.RawMessage                        `json:"ChallengeConfig"`
	TokenDomains                 []string                               `json:"TokenDomains"`
	AssociationConfig            *wafmodel.AssociationConfig            `json:"AssociationConfig"`
	OnSourceDDoSProtectionConfig json.RawMessage                        `json:"OnSourceDDoSProtectionConfig"`
	ApplicationConfig            json.RawMessage                        `json:"ApplicationConfig"`
	LockToken                    *string                                `json:"LockToken"`
}

// spec is what the rule checks look at.
func (in *webACLInput) spec() *wafmodel.ACLSpec {
	return &wafmodel.ACLSpec{Scope: in.Scope, DefaultAction: in.DefaultAction, Rules: in.Rules, VisibilityConfig: in.VisibilityConfig,
		CustomResponseBodies: in.CustomResponseBodies, AssociationConfig: in.AssociationConfig}
}

// apply sets the mutable members of doc from the input: Update replaces
// every one of them, absent ones included [M doc].
func (in *webACLInput) apply(doc *wafmodel.WebACL, capacity int64) {
	doc.Description = deref(in.Description)
	doc.DefaultAction, doc.Rules, doc.VisibilityConfig = in.DefaultAction, in.Rules, in.VisibilityConfig
	doc.CustomResponseBodies, doc.CaptchaConfig, doc.ChallengeConfig = in.CustomResponseBodies, in.CaptchaConfig, in.ChallengeConfig
	doc.TokenDomains, doc.AssociationConfig, doc.DataProtectionConfig = in.TokenDomains, in.AssociationConfig, in.DataProtectionConfig
	doc.OnSourceDDoS, doc.ApplicationConfig = in.OnSourceDDoSProtectionConfig, in.ApplicationConfig
	doc.Capacity = capacity
	doc.Refs = wafmodel.References(in.Rules)
}

// checkRules checks the web ACL's members with the references resolved
// in rd, and returns its capacity.
func (a *API) checkRules(ctx context.Context, rd store.Reader, c *wafmodel.Checks, spec *wafmodel.ACLSpec, rulesOnly bool) int64 {
	return c.CheckACL(spec, a.region, a.accountID, func(p wafmodel.ParsedARN) bool {
		var e wafmodel.Entity
		return getDoc(ctx, rd, p.Key(), &e) == nil && e.ID == p.ID
	}, rulesOnly)
}

func (a *API) createWebACL(ctx context.Context, r *restjson.Request) (any, error) {
	var in webACLInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.Name(in.Name, "name")
	c.Scope(in.Scope, "scope")
	c.Description(in.Description, "description")
	c.Tags(in.Tags, "tags")
	if err := c.Err(); err != nil {
		return nil, err
	}
	doc := &wafmodel.WebACL{LabelNamespace: wafmodel.LabelNamespaceOf(a.accountID, in.Name)}
	doc.Tags = in.Tags
	return a.create(ctx, wafmodel.KindWebACL, in.Scope, in.Name, &doc.Entity, doc, func(tx store.Tx) error {
		capacity := a.checkRules(ctx, tx, &c, in.spec(), false)
		if err := c.Err(); err != nil {
			return err
		}
		in.apply(doc, capacity)
		return nil
	})
}

// webACLOutput is the WebACL shape Get answers [M], in the model's order.
type webACLOutput struct {
	Name                                 string                                 `json:"Name"`
	ID                                   string                                 `json:"Id"`
	ARN                                  string                                 `json:"ARN"`
	DefaultAction                        *wafmodel.DefaultAction                `json:"DefaultAction"`
	Description                          string                                 `json:"Description"`
	Rules                                []wafmodel.Rule                        `json:"Rules"`
	VisibilityConfig                     *wafmodel.VisibilityConfig             `json:"VisibilityConfig"`
	DataProtectionConfig                 json.RawMessage                        `json:"DataProtectionConfig,omitempty"`
	Capacity                             int64                                  `json:"Capacity"`
	PreProcessFirewallManagerRuleGroups  []struct{}                             `json:"PreProcessFirewallManagerRuleGroups"`
	PostProcessFirewallManagerRuleGroups []struct{}                             `json:"PostProcessFirewallManagerRuleGroups"`
	ManagedByFirewallManager             bool                                   `json:"ManagedByFirewallManager"`
	LabelNamespace                       string                                 `json:"LabelNamespace"`
	CustomResponseBodies                 map[string]wafmodel.CustomResponseBody `json:"CustomResponseBodies,omitempty"`
	CaptchaConfig                        json.RawMessage                        `json:"CaptchaConfig,omitempty"`
	ChallengeConfig                      json.RawMessage                        `json:"ChallengeConfig,omitempty"`
	TokenDomains                         []string                               `json:"TokenDomains,omitempty"`
	AssociationConfig                    *wafmodel.AssociationConfig            `json:"AssociationConfig,omitempty"`
	RetrofittedByFirewallManager         bool                                   `json:"RetrofittedByFirewallManager"`
	OnSourceDDoSProtectionConfig         json.RawMessage                        `json:"OnSourceDDoSProtectionConfig,omitempty"`
	ApplicationConfig                    json.RawMessage                        `json:"ApplicationConfig,omitempty"`
}

func webACLOut(v *wafmodel.WebACL) *webACLOutput {
	return &webACLOutput{Name: v.Name, ID: v.ID, ARN: v.ARN, DefaultAction: v.DefaultAction, Description: v.Description,
		Rules: nonNil(v.Rules), VisibilityConfig: v.VisibilityConfig, DataProtectionConfig: v.DataProtectionConfig, Capacity: v.Capacity,
		PreProcessFirewallManagerRuleGroups: []struct{}{}, PostProcessFirewallManagerRuleGroups: []struct{}{},
		LabelNamespace: v.LabelNamespace, CustomResponseBodies: v.CustomResponseBodies, CaptchaConfig: v.CaptchaConfig,
		ChallengeConfig: v.ChallengeConfig, TokenDomains: v.TokenDomains, AssociationConfig: v.AssociationConfig,
		OnSourceDDoSProtectionConfig: v.OnSourceDDoS, ApplicationConfig: v.ApplicationConfig}
}

// refOf returns the reference GetWebACL names: its ARN (newer model) or
// Name, Scope and Id.
func (a *API) refOf(c *wafmodel.Checks, in *webACLInput) ref {
	if in.ARN == nil {
		in.check(c, nil)
		return in.ref
	}
	if !c.ARN(*in.ARN, "aRN") {
		return ref{}
	}
	p, ok := wafmodel.ParseARN(*in.ARN)
	if !ok || p.Kind != wafmodel.KindWebACL {
		c.Fail(wafmodel.InvalidParameter("RESOURCE_ARN", *in.ARN, wafmodel.ReasonFormat))
		return ref{}
	}
	if p.Region != a.region || p.Account != a.accountID {
		c.Fail(wafmodel.Nonexistent())
	}
	return ref{Name: p.Name, Scope: p.Scope, ID: p.ID}
}

func (a *API) getWebACL(ctx context.Context, r *restjson.Request) (any, error) {
	var in webACLInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	target := a.refOf(&c, &in)
	if err := c.Err(); err != nil {
		return nil, err
	}
	v, err := view[wafmodel.WebACL](ctx, a, wafmodel.KindWebACL, target)
	if err != nil {
		return nil, err
	}
	return map[string]any{"WebACL": webACLOut(v), "LockToken": v.LockToken}, nil
}

func (a *API) updateWebACL(ctx context.Context, r *restjson.Request) (any, error) {
	var in webACLInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	in.check(&c, lockToken(&in.LockToken))
	c.Description(in.Description, "description")
	if err := c.Err(); err != nil {
		return nil, err
	}
	return update[wafmodel.WebACL](ctx, a, wafmodel.KindWebACL, in.ref, *in.LockToken, func(tx store.Tx, v *wafmodel.WebACL) error {
		capacity := a.checkRules(ctx, tx, &c, in.spec(), false)
		if err := c.Err(); err != nil {
			return err
		}
		in.apply(v, capacity)
		return nil
	})
}

func (a *API) listWebACLs(ctx context.Context, r *restjson.Request) (any, error) {
	return page[wafmodel.WebACL](ctx, a, r, wafmodel.KindWebACL, "WebACLs")
}

func (a *API) deleteWebACL(ctx context.Context, r *restjson.Request) (any, error) {
	var in webACLInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	in.check(&c, lockToken(&in.LockToken))
	if err := c.Err(); err != nil {
		return nil, err
	}
	return remove[wafmodel.WebACL](ctx, a, wafmodel.KindWebACL, in.ref, *in.LockToken, func(tx store.Tx, v *wafmodel.WebACL) (bool, error) {
		stages, err := a.associated(ctx, tx, v.ARN)
		return len(stages) > 0, err
	})
}

type capacityInput struct {
	Scope string          `json:"Scope"`
	Rules []wafmodel.Rule `json:"Rules"`
}

// checkCapacity answers the capacity of a rule list, with the checks of
// CreateWebACL [M].
func (a *API) checkCapacity(ctx context.Context, r *restjson.Request) (any, error) {
	var in capacityInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.Scope(in.Scope, "scope")
	if in.Rules == nil {
		c.Null("rules")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	var capacity int64
	err := a.store.View(ctx, func(rd store.Reader) error {
		capacity = a.checkRules(ctx, rd, &c, &wafmodel.ACLSpec{Scope: in.Scope, Rules: in.Rules}, true)
		return c.Err()
	})
	if err != nil {
		return nil, err
	}
	return map[string]int64{"Capacity": capacity}, nil
}
