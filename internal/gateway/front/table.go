package front

import "github.com/tollgate/tollgate/internal/gateway/pipeline"

// Lookup returns the target published for an API's stage, or nil.
func (d *Door) Lookup(apiID, stage string) pipeline.Target {
	if tb := d.table.Load(); tb != nil {
		return tb.apis[apiID][stage]
	}
	return nil
}

// Each calls fn for every published target, of one table.
func (d *Door) Each(fn func(apiID, stage string, t pipeline.Target)) {
	tb := d.table.Load()
	if tb == nil {
		return
	}
	for apiID, api := range tb.apis {
		for name, t := range api {
			fn(apiID, name, t)
		}
	}
}

// Set publishes t as an API's stage, replacing what served it (t nil:
// removes the stage). Once the new table is in, the target it replaced is
// retired (pipeline.Retirer).
func (d *Door) Set(apiID, stage string, t pipeline.Target) {
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.table.Load()
	next := &table{apis: make(map[string]stages, len(old.all())+1), domains: old.domainTable()}
	for id, api := range old.all() {
		next.apis[id] = api
	}
	api := make(stages, len(next.apis[apiID])+1)
	for name, st := range next.apis[apiID] {
		api[name] = st
	}
	prev := api[stage]
	if t == nil {
		delete(api, stage)
	} else {
		api[stage] = t
	}
	if len(api) == 0 {
		delete(next.apis, apiID)
	} else {
		next.apis[apiID] = api
	}
	d.table.Store(next)
	retire(prev, t)
}

// RemoveAPI drops every stage of an API and retires them.
func (d *Door) RemoveAPI(apiID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.table.Load()
	gone, ok := old.all()[apiID]
	if !ok {
		return
	}
	next := &table{apis: make(map[string]stages, len(old.all())), domains: old.domainTable()}
	for id, api := range old.all() {
		if id != apiID {
			next.apis[id] = api
		}
	}
	d.table.Store(next)
	for _, t := range gone {
		retire(t, nil)
	}
}

// all returns the table's APIs (none for a nil table).
func (tb *table) all() map[string]stages {
	if tb == nil {
		return nil
	}
	return tb.apis
}

// retire tells a target that left the table which one took its place.
func retire(old, next pipeline.Target) {
	if r, ok := old.(pipeline.Retirer); ok && old != next {
		r.Retire(next)
	}
}
