package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/gateway/clientauth"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// storedDomain is a custom domain name with what routes through it, as
// read from the store in one view (package domain lists the keys).
type storedDomain struct {
	domain.Domain
	mappings []domain.Mapping
	rules    []domain.RoutingRule
	extra    domainExtra // what the data plane needs besides routing
}

// syncDomains publishes every stored custom domain name and drops the
// published ones that are gone.
func (w *Watcher) syncDomains(ctx context.Context) error {
	var names []string
	err := w.Store.View(ctx, func(r store.Reader) error {
		items, err := r.List(ctx, domain.PrefixDomains, store.ListOptions{})
		for _, it := range items {
			names = append(names, strings.TrimPrefix(it.Key, domain.PrefixDomains))
		}
		return err
	})
	if err != nil {
		return err
	}
	stored := make(map[string]bool, len(names))
	for _, name := range names {
		stored[name] = true
		if err := w.applyDomain(ctx, name); err != nil {
			return err
		}
	}
	for _, name := range w.Front.Domains() {
		if !stored[name] {
			w.removeDomain(name)
		}
	}
	return nil
}

// applyDomainChange applies a change to a key of a custom domain name:
// the domain itself, one of its mappings or rules, or a certificate.
// handled is false for keys of other resources.
func (w *Watcher) applyDomainChange(ctx context.Context, key string) (handled bool, err error) {
	var name string
	switch {
	case strings.HasPrefix(key, domain.PrefixDomains):
		name = strings.TrimPrefix(key, domain.PrefixDomains)
	case strings.HasPrefix(key, domain.PrefixMappings):
		name, _, _ = strings.Cut(strings.TrimPrefix(key, domain.PrefixMappings), "/")
	case strings.HasPrefix(key, domain.PrefixRules):
		name, _, _ = strings.Cut(strings.TrimPrefix(key, domain.PrefixRules), "/")
	default:
		return w.applyDomainDependency(ctx, key)
	}
	return true, w.applyDomain(ctx, name)
}

// applyDomain (re)publishes the custom domain name from the store, or
// unpublishes it when it is gone. A domain that does not compile keeps
// its previous version serving. It fails only when the store cannot be
// read.
func (w *Watcher) applyDomain(ctx context.Context, name string) error {
	sd, err := w.readDomain(ctx, name)
	var bad *badRecordError
	switch {
	case errors.Is(err, store.ErrNotFound):
		w.removeDomain(name)
		w.setFailure("domain/"+name, "")
		return nil
	case errors.As(err, &bad):
		w.setFailure("domain/"+name, err.Error())
		w.log().Error("custom domain does not decode; the previous version keeps serving", "domain", name, "err", err)
		return nil
	case err != nil:
		return fmt.Errorf("reading custom domain %s: %w", name, err)
	}
	d, err := w.compileDomain(sd)
	if err != nil {
		w.setFailure("domain/"+name, err.Error())
		w.log().Error("custom domain compile failed; the previous version keeps serving", "domain", name, "err", err)
		return nil
	}
	w.Front.SetDomain(d)
	w.publishDomainExtra(sd)
	w.setFailure("domain/"+name, "")
	w.log().Info("custom domain published", "domain", name, "mappings", len(sd.mappings), "rules", len(sd.rules))
	return nil
}

// readDomain reads a domain, its mappings and rules, and what its TLS
// needs, in one view.
func (w *Watcher) readDomain(ctx context.Context, name string) (*storedDomain, error) {
	sd := &storedDomain{}
	err := w.Store.View(ctx, func(r store.Reader) error {
		if err := getRecord(ctx, r, domain.Key(name), &sd.Domain); err != nil {
			return err
		}
		var err error
		if sd.mappings, err = listRecords[domain.Mapping](ctx, r, domain.MappingsPrefix(name)); err != nil {
			return err
		}
		if sd.rules, err = listRecords[domain.RoutingRule](ctx, r, domain.RulesPrefix(name)); err != nil {
			return err
		}
		return w.readDomainExtra(ctx, r, sd)
	})
	return sd, err
}

// compileDomain builds what the front door routes for a domain.
func (w *Watcher) compileDomain(sd *storedDomain) (*front.Domain, error) {
	d := &front.Domain{
		Name:        sd.Name,
		UseRules:    sd.RoutingMode.UsesRules(),
		UseMappings: sd.RoutingMode.UsesMappings(),
		Strict:      sd.EndpointAccessMode == "STRICT",
	}
	if m := sd.MutualTLS; m != nil && m.TruststoreURI != "" {
		d.ClientAuth = clientauth.New(m.TruststorePEM)
	}
	for _, m := range sd.mappings {
		d.Mappings = append(d.Mappings, front.Mapping{Key: m.Key, APIID: m.APIID, Stage: m.Stage})
	}
	for _, r := range sd.rules {
		fr := front.Rule{ID: r.ID, Priority: r.Priority}
		for _, c := range r.Conditions {
			if c.MatchHeaders != nil {
				for _, h := range c.MatchHeaders.AnyOf {
					fr.Headers = append(fr.Headers, front.HeaderMatch{Header: h.Header, ValueGlob: h.ValueGlob})
				}
			}
			if c.MatchBasePaths != nil && len(c.MatchBasePaths.AnyOf) > 0 {
				fr.BasePath = c.MatchBasePaths.AnyOf[0]
			}
		}
		if len(r.Actions) == 0 || r.Actions[0].InvokeAPI == nil {
			return nil, fmt.Errorf("routing rule %s has no invokeApi action", r.ID)
		}
		a := r.Actions[0].InvokeAPI
		fr.APIID, fr.Stage, fr.StripBasePath = a.APIID, a.Stage, a.StripBasePath
		d.Rules = append(d.Rules, fr)
	}
	if err := w.compileDomainExtra(sd, d); err != nil {
		return nil, err
	}
	return d, nil
}

// removeDomain stops serving a domain.
func (w *Watcher) removeDomain(name string) {
	w.Front.RemoveDomain(name)
	w.removeDomainExtra(name)
}

// listRecords decodes every document under prefix (model.Record).
func listRecords[T any](ctx context.Context, r store.Reader, prefix string) ([]T, error) {
	items, err := r.List(ctx, prefix, store.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]T, len(items))
	for i, it := range items {
		rec := model.Record[*T]{V: &out[i]}
		if err := json.Unmarshal(it.Value, &rec); err != nil {
			return nil, &badRecordError{fmt.Errorf("decode %s: %w", it.Key, err)}
		}
	}
	return out, nil
}
