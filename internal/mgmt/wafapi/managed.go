package wafapi

import (
	"context"
	"time"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// managedReleased is the date Tollgate reports for its managed rule
// group version: the CRS v4.25.0 release its detectors come from [T].
var managedReleased = time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC)

func (a *API) listManagedGroups(_ context.Context, r *restjson.Request) (any, error) {
	var in listInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	in.check(&c)
	if err := c.Err(); err != nil {
		return nil, err
	}
	limit := defaultLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	start := 0
	if in.NextMarker != nil {
		start = len(wafmodel.ManagedGroups)
		for i, g := range wafmodel.ManagedGroups {
			if g.Name == *in.NextMarker {
				start = i + 1
			}
		}
	}
	type summary struct {
		VendorName          string `json:"VendorName"`
		Name                string `json:"Name"`
		VersioningSupported bool   `json:"VersioningSupported"`
		Description         string `json:"Description"`
	}
	groups := []summary{}
	for _, g := range wafmodel.ManagedGroups[start:] {
		if len(groups) == limit {
			break
		}
		groups = append(groups, summary{g.Vendor, g.Name, g.Versioned, g.DescriptionText()})
	}
	out := map[string]any{"ManagedRuleGroups": groups}
	if len(groups) > 0 && start+len(groups) < len(wafmodel.ManagedGroups) {
		out["NextMarker"] = groups[len(groups)-1].Name
	}
	return out, nil
}

type groupInput struct {
	VendorName  string  `json:"VendorName"`
	Name        string  `json:"Name"`
	Scope       string  `json:"Scope"`
	VersionName *string `json:"VersionName"`
	NextMarker  *string `json:"NextMarker"`
	Limit       *int64  `json:"Limit"`
}

// group checks the input and finds its group: an unknown one is
// WAFNonexistentItemException [U].
func (in *groupInput) group() (*wafmodel.ManagedGroup, error) {
	var c wafmodel.Checks
	if in.VendorName == "" {
		c.Null("vendorName")
	}
	c.Name(in.Name, "name")
	c.Scope(in.Scope, "scope")
	if err := c.Err(); err != nil {
		return nil, err
	}
	g := wafmodel.LookupManagedGroup(in.VendorName, in.Name)
	if g == nil {
		return nil, wafmodel.Nonexistent()
	}
	return g, nil
}

func (a *API) describeManagedGroup(_ context.Context, r *restjson.Request) (any, error) {
	var in groupInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	g, err := in.group()
	if err != nil {
		return nil, err
	}
	if in.VersionName != nil && (!g.Versioned || *in.VersionName != wafmodel.ManagedVersion) {
		return nil, wafmodel.Nonexistent()
	}
	type action struct {
		Block *struct{} `json:"Block,omitempty"`
		Count *struct{} `json:"Count,omitempty"`
	}
	type rule struct {
		Name   string `json:"Name"`
		Action action `json:"Action"`
	}
	rules := make([]rule, len(g.Rules))
	labels := make([]wafmodel.Label, len(g.Rules))
	for i, r := range g.Rules {
		rules[i] = rule{Name: r.Name, Action: action{Block: &struct{}{}}}
		if r.Count {
			rules[i].Action = action{Count: &struct{}{}}
		}
		labels[i] = wafmodel.Label{Name: g.FullLabel(r)}
	}
	out := map[string]any{"Capacity": g.Capacity, "Rules": rules, "LabelNamespace": g.LabelNamespace(),
		"AvailableLabels": labels, "ConsumedLabels": []wafmodel.Label{}}
	if g.Versioned {
		out["VersionName"] = wafmodel.ManagedVersion
	}
	return out, nil
}

func (a *API) listManagedVersions(_ context.Context, r *restjson.Request) (any, error) {
	var in groupInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	g, err := in.group()
	if err != nil {
		return nil, err
	}
	type version struct {
		Name                string         `json:"Name"`
		LastUpdateTimestamp wafmodel.Epoch `json:"LastUpdateTimestamp"`
	}
	out := map[string]any{"Versions": []version{}}
	if g.Versioned {
		out["Versions"] = []version{{Name: wafmodel.ManagedVersion, LastUpdateTimestamp: wafmodel.Epoch(managedReleased)}}
		out["CurrentDefaultVersion"] = wafmodel.ManagedVersion
	}
	return out, nil
}
