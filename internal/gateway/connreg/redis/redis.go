// Package redis is the WebSocket connection registry of a cluster, on the
// Redis its nodes share (connreg.Registry), and the relay that carries
// @connections calls to the node holding a connection (connreg.Relay).
//
// # Records
//
// A connection is a hash, <prefix>{ws}:c:<connectionId>, holding its
// owning node (n), its record as JSON (r) and its lastActiveAt in
// microseconds (a, which Touch moves forward only). Records are written
// once, at $connect, and deleted when the connection ends; they carry a
// TTL of the longest a connection may live (2 hours) plus slack, so a
// record whose node died never outlives the connection it stood for.
//
// Whether a node is alive is not kept per connection: each node holds a
// lease, <prefix>{ws}:n:<node>, that it sets every LeaseTTL/5 (one
// second) with a TTL of LeaseTTL (5 seconds). Get returns a record only
// while its node's lease is live (one Lua script reads both), so the
// connections of a node killed with kill -9 answer GoneException on every
// other node within LeaseTTL, and keeping a node's thousands of
// connections alive costs one write a second, not one per connection.
// Node ids are unique per process (a restarted node does not revive its
// predecessor's records). When a node finds its lease had lapsed (Redis
// was unreachable, or restarted empty), or a write of its own failed, it
// records all its open connections again. All registry keys share one
// hash tag ({ws}), so the script's two keys are in one Redis Cluster
// slot.
//
// Connection ids are 88 random bits drawn by each node (wsapi), so ids of
// different nodes do not collide (2^-44 odds after 2^22 ids); a record
// is keyed by id alone.
//
// # The relay
//
// A call for a connection of another node (PostToConnection,
// DeleteConnection) is published on that node's channel,
// <prefix>ws:node:<node>, with a request id and the caller's node; the
// owner performs it and publishes the answer on the caller's channel:
// done once the frame is written (or the close started), gone when the
// connection is not open there. PUBLISH reports how many subscribers
// received the call: none means the owner is not listening, and then
// its lease decides — lapsed: gone (410); live (it is between two
// subscriptions): published again until the deadline. A call with no
// answer within CallTimeout (12 s: the 10 s a frame write may take, and
// slack) is gone if the owner's lease lapsed meanwhile, else fails with
// connreg.ErrNoAnswer. Pub/sub was chosen over forwarding HTTP requests
// between the nodes' listeners because it needs no node addresses, no
// credentials between nodes and no extra listener, and rueidis runs
// subscriptions on its pipelined connections; its cost is two
// round trips through Redis per relayed call: BenchmarkRelayedPost
// measures 2.0× BenchmarkGet's time (one script) in the same run. A
// connection held by the node a call reaches is served without Redis, and
// a client's messages never wait for it (their lastActiveAt is written
// once a second, in one pipeline per node).
//
// # When Redis does not answer
//
// Calls for connections of other nodes cannot be told apart from calls
// for closed ones. The hub (wsapi) answers them as --redis-fail-mode
// says: fail open, 410 GoneException, as a node on its own would; fail
// closed, 503 with Retry-After (on a real node every @connections call
// gets that 503 first: the account throttle it counts against is in
// Redis too). New connections are accepted either way and recorded once
// Redis answers again.
//
// Redis is trusted as the rest of the cluster's shared state is: relayed
// calls carry no credentials (the node a call reaches has checked its
// signature and policy).
//
// GetConnection reads the record (one script) rather than asking the
// owner: its lastActiveAt is the owner's, written at most once a second
// per connection in one pipeline (TouchMany).
package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"

	"github.com/tollgate/tollgate/internal/gateway/connreg"
	"github.com/tollgate/tollgate/internal/redisclient"
)

// DefaultPrefix starts every key when Options.Prefix is empty.
const DefaultPrefix = "tollgate:"

// Defaults of Options.
const (
	DefaultLeaseTTL    = 5 * time.Second
	DefaultRecordTTL   = 2*time.Hour + 10*time.Minute
	DefaultCallTimeout = 12 * time.Second
)

// Options configure a Shared registry.
type Options struct {
	// Prefix starts every key and channel (DefaultPrefix if empty).
	Prefix string
	// Node is this node's id, unique per process.
	Node string
	// LeaseTTL is how long this node's connections outlive its last
	// lease write (DefaultLeaseTTL); the lease is written every
	// LeaseTTL/5.
	LeaseTTL time.Duration
	// RecordTTL bounds a record's life (DefaultRecordTTL): at least a
	// connection's longest.
	RecordTTL time.Duration
	// CallTimeout bounds Deliver (DefaultCallTimeout).
	CallTimeout time.Duration
	Log         *slog.Logger
}

// Shared is a connreg.Registry and connreg.Relay on Redis, safe for
// concurrent use.
type Shared struct {
	c *redisclient.Client
	o Options

	recKeys, leaseKeys, channels string

	seq     atomic.Uint64
	mu      sync.Mutex
	pending map[string]chan string // request id → answer

	// resync is set when a write of this node's failed: its records are
	// written again at the next lease write.
	resync atomic.Bool
	// stale holds connections whose removal failed, removed again at the
	// next lease write.
	staleMu sync.Mutex
	stale   map[string]struct{}

	ready     chan struct{}
	readyOnce sync.Once
}

var (
	_ connreg.Registry = (*Shared)(nil)
	_ connreg.Relay    = (*Shared)(nil)
)

// New returns the registry of node o.Node on c.
func New(c *redisclient.Client, o Options) *Shared {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.RecordTTL <= 0 {
		o.RecordTTL = DefaultRecordTTL
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Shared{c: c, o: o, recKeys: o.Prefix + "{ws}:c:", leaseKeys: o.Prefix + "{ws}:n:", channels: o.Prefix + "ws:node:",
		pending: map[string]chan string{}, stale: map[string]struct{}{}, ready: make(chan struct{})}
}

// Node returns this node's id.
func (s *Shared) Node() string { return s.o.Node }

// Ready is closed once Serve has written this node's lease and listens
// for calls.
func (s *Shared) Ready() <-chan struct{} { return s.ready }

// addRecord: KEYS[1] the record; ARGV the node, the record's JSON, its
// lastActiveAt (µs) and its TTL (ms).
var addRecord = rueidis.NewLuaScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'n', ARGV[1], 'r', ARGV[2], 'a', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`)

// getRecord: KEYS[1] the record; ARGV[1] the prefix of lease keys. The
// record's JSON and lastActiveAt while its node's lease is live, else nil.
var getRecord = rueidis.NewLuaScript(`
local v = redis.call('HMGET', KEYS[1], 'n', 'r', 'a')
if not v[1] then return false end
if redis.call('EXISTS', ARGV[1] .. v[1]) == 0 then return false end
return {v[2], v[3]}
`)

// touchRecord: KEYS[1] the record; ARGV[1] a lastActiveAt (µs). 0 when
// there is no record.
var touchRecord = rueidis.NewLuaScript(`
local a = redis.call('HGET', KEYS[1], 'a')
if not a then return 0 end
if tonumber(ARGV[1]) > tonumber(a) then redis.call('HSET', KEYS[1], 'a', ARGV[1]) end
return 1
`)

// writeLease: KEYS[1] the lease; ARGV[1] its TTL (ms). 1 when it was
// live before.
var writeLease = rueidis.NewLuaScript(`
local e = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return e
`)

// do runs fn through the client, wrapping connreg.ErrUnavailable into the
// errors of calls Redis did not answer.
func (s *Shared) do(ctx context.Context, what string, fn func(ctx context.Context, rc rueidis.Client) error) error {
	err := s.c.Do(ctx, what, fn)
	if err == nil {
		return nil
	}
	if errors.Is(err, redisclient.ErrUnavailable) {
		return fmt.Errorf("connreg: %w: %w", connreg.ErrUnavailable, err)
	}
	return fmt.Errorf("connreg: %s: %w", what, err)
}

func (s *Shared) addArgs(r *connreg.Record) ([]string, []string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, nil, fmt.Errorf("connreg: record %s: %w", r.ID, err)
	}
	return []string{s.recKeys + r.ID},
		[]string{r.Node, string(b), strconv.FormatInt(r.LastActiveAt.UnixMicro(), 10), strconv.FormatInt(s.o.RecordTTL.Milliseconds(), 10)}, nil
}

// Add implements connreg.Registry: one script. When Redis does not answer
// for a record of this node, the record is written again with the next
// lease.
func (s *Shared) Add(ctx context.Context, r *connreg.Record) error {
	keys, args, err := s.addArgs(r)
	if err != nil {
		return err
	}
	err = s.do(ctx, "add connection", func(ctx context.Context, rc rueidis.Client) error {
		return addRecord.Exec(ctx, rc, keys, args).Error()
	})
	if err != nil && r.Node == s.o.Node {
		s.resync.Store(true)
	}
	return err
}

// Get implements connreg.Registry: one script; a record whose node's
// lease lapsed is not found.
func (s *Shared) Get(ctx context.Context, id string) (*connreg.Record, error) {
	var v []string
	err := s.do(ctx, "get connection", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		v, err = getRecord.Exec(ctx, rc, []string{s.recKeys + id}, []string{s.leaseKeys}).AsStrSlice()
		if rueidis.IsRedisNil(err) {
			v, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(v) != 2 {
		return nil, connreg.ErrNotFound
	}
	var r connreg.Record
	if err := json.Unmarshal([]byte(v[0]), &r); err != nil {
		return nil, fmt.Errorf("connreg: record %s: %w", id, err)
	}
	us, err := strconv.ParseInt(v[1], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("connreg: record %s: lastActiveAt %q: %w", id, v[1], err)
	}
	r.LastActiveAt = time.UnixMicro(us).UTC()
	if len(r.Authorizer) == 0 {
		r.Authorizer = nil
	}
	return &r, nil
}

// Touch implements connreg.Registry: one script.
func (s *Shared) Touch(ctx context.Context, id string, at time.Time) error {
	var n int64
	err := s.do(ctx, "touch connection", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		n, err = touchRecord.Exec(ctx, rc, []string{s.recKeys + id}, []string{strconv.FormatInt(at.UnixMicro(), 10)}).AsInt64()
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return connreg.ErrNotFound
	}
	return nil
}

// TouchMany sets the lastActiveAt of several connections in one pipeline
// (connections that are gone are skipped).
func (s *Shared) TouchMany(ctx context.Context, at map[string]time.Time) error {
	if len(at) == 0 {
		return nil
	}
	return s.do(ctx, "touch connections", func(ctx context.Context, rc rueidis.Client) error {
		execs := make([]rueidis.LuaExec, 0, len(at))
		for id, t := range at {
			execs = append(execs, rueidis.LuaExec{Keys: []string{s.recKeys + id}, Args: []string{strconv.FormatInt(t.UnixMicro(), 10)}})
		}
		for _, r := range touchRecord.ExecMulti(ctx, rc, execs...) {
			if err := r.Error(); err != nil {
				return err
			}
		}
		return nil
	})
}

// Remove implements connreg.Registry. When Redis does not answer, the
// removal is tried again with the next lease write.
func (s *Shared) Remove(ctx context.Context, id string) error {
	err := s.do(ctx, "remove connection", func(ctx context.Context, rc rueidis.Client) error {
		return rc.Do(ctx, rc.B().Del().Key(s.recKeys+id).Build()).Error()
	})
	if err != nil {
		s.staleMu.Lock()
		if len(s.stale) < maxStale {
			s.stale[id] = struct{}{}
		}
		s.staleMu.Unlock()
	}
	return err
}

// maxStale bounds the removals kept for retrying (the rest expire with
// their records' TTL, and their nodes answer gone for them meanwhile).
const maxStale = 100000

// live reports whether node's lease is live.
func (s *Shared) live(ctx context.Context, node string) (bool, error) {
	var n int64
	err := s.do(ctx, "node lease", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		n, err = rc.Do(ctx, rc.B().Exists().Key(s.leaseKeys+node).Build()).AsInt64()
		return err
	})
	return n == 1, err
}
