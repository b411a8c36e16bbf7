package lambda

import "github.com/tollgate/tollgate/internal/lambda/runtime"

// PoolStats is the state of one function version's execution
// environments.
type PoolStats struct {
	Function, Version string
	runtime.Stats
}

// PoolStats returns the state of every local function version's pool, for
// metrics: instances running and busy, instances started (cold starts).
func (s *Service) PoolStats() []PoolStats {
	type entry struct {
		key  poolKey
		pool *runtime.Pool
	}
	s.mu.Lock()
	entries := make([]entry, 0, len(s.pools))
	for k, e := range s.pools {
		entries = append(entries, entry{k, e.pool})
	}
	s.mu.Unlock()
	out := make([]PoolStats, len(entries))
	for i, e := range entries {
		out[i] = PoolStats{Function: e.key.name, Version: e.key.version, Stats: e.pool.Stats()}
	}
	return out
}
