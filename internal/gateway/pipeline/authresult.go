package pipeline

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"
)

// AuthEntry is one cached authorizer result, in a form every node of a
// cluster can read: what the authorizer answered, not what a node compiled
// from it.
type AuthEntry struct {
	// PrincipalID is the authorizer's principalId.
	PrincipalID string `json:"principalId,omitempty"`
	// Policy is the policy document as the authorizer returned it.
	Policy json.RawMessage `json:"policy,omitempty"`
	// Context is the authorizer's context, stringified.
	Context map[string]string `json:"context,omitempty"`
	// UsageKey is the authorizer's usageIdentifierKey.
	UsageKey string `json:"usageKey,omitempty"`
	// Answer is an HTTP API Lambda authorizer's answer, reduced to what
	// API Gateway reads of it ({"isAuthorized":…,"context":…} or
	// {"principalId":…,"policyDocument":…,"context":…}): its context
	// keeps its JSON types, which payload 2.0 events carry as they are.
	// REST entries leave it empty.
	Answer json.RawMessage `json:"answer,omitempty"`

	// compiled is what the authorizer built from the entry (a parsed
	// policy): an in-memory cache hands back the same *AuthEntry, so it
	// is built once per entry; an entry read from a shared cache is new
	// and builds it again.
	compiled atomic.Pointer[any]
}

// Compiled returns what SetCompiled stored on e, or nil.
func (e *AuthEntry) Compiled() any {
	if p := e.compiled.Load(); p != nil {
		return *p
	}
	return nil
}

// SetCompiled keeps v with e (see Compiled).
func (e *AuthEntry) SetCompiled(v any) { e.compiled.Store(&v) }

// AuthCache is the authorizer result cache of one stage: results keyed
// by the authorizer and its identity-source values, each with its own
// TTL, flushed by FlushStageAuthorizersCache. It is in memory
// (NewMemoryAuthCache) or shared by a cluster; implementations must be
// safe for concurrent use.
type AuthCache interface {
	// Get returns the live entry for key. An error (a shared cache that
	// does not answer) is for the log: callers treat it as a miss.
	Get(ctx context.Context, key string, now time.Time) (*AuthEntry, bool, error)
	// Put stores e under key until now+ttl; the cache keeps e (callers
	// must not change it afterwards).
	Put(ctx context.Context, key string, e *AuthEntry, ttl time.Duration, now time.Time) error
	// Flush empties the cache.
	Flush(ctx context.Context) error
}

// memoryAuthCache is the in-memory AuthCache: an AuthorizerCache holding
// *AuthEntry values.
type memoryAuthCache struct{ c *AuthorizerCache }

// NewMemoryAuthCache returns an empty in-memory AuthCache (bounded as
// AuthorizerCache is).
func NewMemoryAuthCache() AuthCache { return memoryAuthCache{NewAuthorizerCache()} }

func (m memoryAuthCache) Get(_ context.Context, key string, now time.Time) (*AuthEntry, bool, error) {
	v, ok := m.c.Get(key, now)
	if !ok {
		return nil, false, nil
	}
	return v.(*AuthEntry), true, nil
}

func (m memoryAuthCache) Put(_ context.Context, key string, e *AuthEntry, ttl time.Duration, now time.Time) error {
	m.c.Put(key, e, ttl, now)
	return nil
}

func (m memoryAuthCache) Flush(context.Context) error {
	m.c.Flush()
	return nil
}
