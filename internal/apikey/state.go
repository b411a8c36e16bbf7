package apikey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// batchWindow groups the changes of one transaction (and of a burst of
// management calls) into one snapshot rebuild.
const batchWindow = 2 * time.Millisecond

// state is the mutable source of snapshots: what the store holds, with key
// values already decrypted.
type state struct {
	keys    map[string]*keyState       // key id →
	plans   map[string]model.UsagePlan // plan id →
	members map[string]map[string]bool // plan id → key ids
}

type keyState struct {
	value   string
	sealed  string // to skip decrypting an unchanged value again
	enabled bool
}

func newState() state {
	return state{keys: map[string]*keyState{}, plans: map[string]model.UsagePlan{}, members: map[string]map[string]bool{}}
}

// relevant reports whether a store key affects the index.
func relevant(key string) bool {
	return strings.HasPrefix(key, model.PrefixApiKeys) || strings.HasPrefix(key, model.PrefixUsagePlans) ||
		strings.HasPrefix(key, model.PrefixUsagePlanKeys)
}

// reload reads everything and publishes it.
func (ix *Index) reload(ctx context.Context) error {
	rev, err := ix.st.Revision(ctx)
	if err != nil {
		return fmt.Errorf("apikey: %w", err)
	}
	old := ix.state.keys
	s := newState()
	err = ix.st.View(ctx, func(r store.Reader) error {
		for _, prefix := range []string{model.PrefixApiKeys, model.PrefixUsagePlans, model.PrefixUsagePlanKeys} {
			items, err := r.List(ctx, prefix, store.ListOptions{})
			if err != nil {
				return err
			}
			for _, it := range items {
				ix.set(&s, old, it.Key, it.Value)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("apikey: load: %w", err)
	}
	ix.state = s
	ix.publish()
	ix.rev.Store(rev)
	return nil
}

// follow applies the changes w delivers until it closes.
func (ix *Index) follow(ctx context.Context, w store.Watcher) error {
	pending := map[string]bool{}
	var last int64
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	armed := false
	for {
		select {
		case ch, ok := <-w.C():
			if !ok {
				if err := ix.flush(ctx, pending, last); err != nil {
					return err
				}
				return w.Err()
			}
			if ch.Revision <= last {
				continue // read with the rest of its revision
			}
			// The whole revision, so that the revision flush publishes is
			// never half applied.
			changes, err := store.RevisionChanges(ctx, ix.st, ch.Revision)
			if err != nil {
				return fmt.Errorf("read revision %d: %w", ch.Revision, err)
			}
			for _, c := range changes {
				if relevant(c.Key) {
					pending[c.Key] = true
				}
			}
			last = ch.Revision
			if !armed {
				timer.Reset(batchWindow)
				armed = true
			}
		case <-timer.C:
			armed = false
			if err := ix.flush(ctx, pending, last); err != nil {
				return err
			}
			clear(pending)
		}
	}
}

// flush re-reads the changed documents (their latest versions, in one
// consistent read) and publishes a new snapshot.
func (ix *Index) flush(ctx context.Context, pending map[string]bool, last int64) error {
	if len(pending) > 0 {
		err := ix.st.View(ctx, func(r store.Reader) error {
			for key := range pending {
				it, err := r.Get(ctx, key)
				switch {
				case errors.Is(err, store.ErrNotFound):
					ix.unset(&ix.state, key)
				case err != nil:
					return err
				default:
					ix.set(&ix.state, ix.state.keys, key, it.Value)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read changes: %w", err)
		}
		ix.publish()
	}
	if last > ix.rev.Load() {
		ix.rev.Store(last)
	}
	return nil
}

// set records the document stored at key. old holds the previous key
// states, whose decrypted values are reused when unchanged.
func (ix *Index) set(s *state, old map[string]*keyState, key string, raw []byte) {
	switch {
	case strings.HasPrefix(key, model.PrefixApiKeys):
		id := strings.TrimPrefix(key, model.PrefixApiKeys)
		var rec model.Record[model.StoredApiKey]
		if err := json.Unmarshal(raw, &rec); err != nil {
			ix.log.Error("api key document cannot be decoded; the key is unusable", "keyId", id, "err", err)
			delete(s.keys, id)
			return
		}
		ks := &keyState{sealed: rec.V.SealedValue, enabled: rec.V.Enabled}
		if prev := old[id]; prev != nil && prev.sealed == ks.sealed {
			ks.value = prev.value
		} else {
			v, err := ix.box.Open(ks.sealed)
			if err != nil {
				// The error names no value (secret's errors never do).
				ix.log.Error("api key value cannot be decrypted (was secret.key replaced?); the key is unusable", "keyId", id, "err", err)
				delete(s.keys, id)
				return
			}
			ks.value = string(v)
		}
		s.keys[id] = ks
	case strings.HasPrefix(key, model.PrefixUsagePlans):
		id := strings.TrimPrefix(key, model.PrefixUsagePlans)
		var rec model.Record[model.UsagePlan]
		if err := json.Unmarshal(raw, &rec); err != nil {
			ix.log.Error("usage plan document cannot be decoded; the plan is ignored", "usagePlanId", id, "err", err)
			delete(s.plans, id)
			return
		}
		s.plans[id] = rec.V
	case strings.HasPrefix(key, model.PrefixUsagePlanKeys):
		planID, keyID, ok := strings.Cut(strings.TrimPrefix(key, model.PrefixUsagePlanKeys), "/")
		if !ok {
			return
		}
		if s.members[planID] == nil {
			s.members[planID] = map[string]bool{}
		}
		s.members[planID][keyID] = true
	}
}

// unset forgets the document that was stored at key.
func (ix *Index) unset(s *state, key string) {
	switch {
	case strings.HasPrefix(key, model.PrefixApiKeys):
		delete(s.keys, strings.TrimPrefix(key, model.PrefixApiKeys))
	case strings.HasPrefix(key, model.PrefixUsagePlans):
		delete(s.plans, strings.TrimPrefix(key, model.PrefixUsagePlans))
	case strings.HasPrefix(key, model.PrefixUsagePlanKeys):
		planID, keyID, _ := strings.Cut(strings.TrimPrefix(key, model.PrefixUsagePlanKeys), "/")
		delete(s.members[planID], keyID)
		if len(s.members[planID]) == 0 {
			delete(s.members, planID)
		}
	}
}

// publish builds a snapshot from the state and swaps it in.
func (ix *Index) publish() {
	s := &ix.state
	plans := make(map[string]*Plan, len(s.plans))
	for id, m := range s.plans {
		plans[id] = planOf(m)
	}
	byValue := make(map[string]*entry, len(s.keys))
	for id, k := range s.keys {
		// Values are unique by construction (the management API refuses a
		// duplicate); should two keys share one anyway, the smaller id wins.
		if e := byValue[k.value]; e != nil && e.key.ID < id {
			continue
		}
		byValue[k.value] = &entry{key: Key{ID: id, Value: k.value, Enabled: k.enabled}}
	}
	planIDs := make([]string, 0, len(s.members))
	for id := range s.members {
		planIDs = append(planIDs, id)
	}
	sort.Strings(planIDs) // Key.Plans in plan id order; the first plan bound to a stage wins
	for _, pid := range planIDs {
		p := plans[pid]
		if p == nil {
			continue
		}
		for keyID := range s.members[pid] {
			k := s.keys[keyID]
			if k == nil {
				continue
			}
			e := byValue[k.value]
			if e.key.ID != keyID {
				continue
			}
			e.key.Plans = append(e.key.Plans, p)
			for _, st := range p.Stages {
				ref := stageRef{st.APIID, st.Stage}
				if e.byStage == nil {
					e.byStage = map[stageRef]*Plan{}
				}
				if e.byStage[ref] == nil {
					e.byStage[ref] = p
				}
			}
		}
	}
	ix.snap.Store(&snapshot{byValue: byValue})
}

// planOf converts a stored usage plan.
func planOf(m model.UsagePlan) *Plan {
	p := &Plan{ID: m.ID, Name: m.Name}
	if t := m.Throttle; t != nil {
		p.Throttle = &Throttle{BurstLimit: t.BurstLimit, RateLimit: float64(t.RateLimit)}
	}
	if q := m.Quota; q != nil {
		p.Quota = &Quota{Limit: q.Limit, Offset: q.Offset, Period: q.Period}
	}
	for _, st := range m.ApiStages {
		s := Stage{APIID: st.ApiID, Stage: st.Stage}
		for k, t := range st.Throttle {
			if s.Methods == nil {
				s.Methods = make(map[string]Throttle, len(st.Throttle))
			}
			s.Methods[k] = Throttle{BurstLimit: t.BurstLimit, RateLimit: float64(t.RateLimit)}
		}
		p.Stages = append(p.Stages, s)
	}
	return p
}
