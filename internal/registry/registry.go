// Package registry is the list of a cluster's nodes: each node writes a
// heartbeat to Redis every Interval with what it serves (its store
// revision, readiness, addresses), and any node can list them all, for
// /_tollgate/cluster. Heartbeat times are Redis's clock, not the nodes',
// so a node's age reads the same from every node whatever their clocks
// say.
//
// A node whose heartbeats stop (killed, cut off) is listed as "lost" once
// it has missed LostAfter of them, and forgotten after ForgetAfter; a node
// that stops cleanly removes itself.
package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/tollgate/tollgate/internal/redisclient"
)

// Defaults of a Registry's timing.
const (
	DefaultInterval    = time.Second
	DefaultLostAfter   = 3 * time.Second
	DefaultForgetAfter = 10 * time.Minute
)

// Node states, as List reports them.
const (
	StateUp   = "up"
	StateLost = "lost"
)

// Node is what a node reports about itself.
type Node struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Admin     string    `json:"adminAddress"`
	DataPlane []string  `json:"dataPlane"`
	Started   time.Time `json:"started"`
	// Ready, Reason: the node's /healthz.
	Ready  bool   `json:"ready"`
	Reason string `json:"reason,omitempty"`
	// StoreRevision is the store's revision when the node last looked;
	// ServingRevision what its data plane serves; Lag the difference.
	StoreRevision   int64 `json:"storeRevision"`
	ServingRevision int64 `json:"servingRevision"`
	Lag             int64 `json:"lag"`
	// CompileFailures are the stages ("api/stage") whose latest version
	// this node could not compile, with the error: it serves their
	// previous version.
	CompileFailures map[string]string `json:"compileFailures,omitempty"`

	// State and SinceHeartbeat are filled in by List.
	State          string `json:"state"`
	SinceHeartbeat string `json:"sinceHeartbeat"`
}

// Registry is one node's view of the registry. Set the fields before Run.
type Registry struct {
	Client *redisclient.Client
	// Prefix starts the registry's keys ("tollgate:" if empty).
	Prefix string
	// ID identifies this node (unique per process start).
	ID string
	// Self reports this node's state for each heartbeat.
	Self func(ctx context.Context) Node
	Log  *slog.Logger
	// Outage, when set, says in the warning logged when heartbeats start
	// failing what else this node does while Redis does not answer.
	Outage string

	Interval, LostAfter, ForgetAfter time.Duration
}

// heartbeat records ARGV[2] (the node's JSON) for node ARGV[1] at
// Redis's time, and forgets nodes silent for ARGV[3] ms.
var heartbeat = rueidis.NewLuaScript(`
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ms, ARGV[1])
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ms - tonumber(ARGV[3]))
for _, id in ipairs(old) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return ms
`)

// list returns Redis's time in ms, then id, heartbeat ms, JSON for each
// node.
var list = rueidis.NewLuaScript(`
local t = redis.call('TIME')
local out = {tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))}
local ids = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = 1, #ids, 2 do
  out[#out + 1] = ids[i]
  out[#out + 1] = ids[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[1], ids[i]) or ''
end
return out
`)

func (r *Registry) keys() []string {
	p := r.Prefix
	if p == "" {
		p = "tollgate:"
	}
	return []string{p + "nodes", p + "nodes:beats"}
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Run sends heartbeats until ctx ends, then removes this node from the
// registry. A Redis that does not answer is logged once (and its
// recovery once); heartbeats carry on meanwhile.
func (r *Registry) Run(ctx context.Context) {
	interval := orDefault(r.Interval, DefaultInterval)
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		err := r.beat(ctx)
		switch {
		case err != nil && !failing && ctx.Err() == nil:
			msg := "cluster registry: heartbeat failed; this node is missing from /_tollgate/cluster until Redis answers"
			if r.Outage != "" {
				msg += "; meanwhile " + r.Outage
			}
			r.log().Warn(msg, "err", err)
			failing = true
		case err == nil && failing:
			r.log().Info("cluster registry: heartbeats resumed")
			failing = false
		}
		select {
		case <-ctx.Done():
			r.leave()
			return
		case <-t.C:
		}
	}
}

// beat sends one heartbeat.
func (r *Registry) beat(ctx context.Context) error {
	n := r.Self(ctx)
	n.ID = r.ID
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	forget := strconv.FormatInt(orDefault(r.ForgetAfter, DefaultForgetAfter).Milliseconds(), 10)
	return r.Client.Do(ctx, "heartbeat", func(ctx context.Context, rc rueidis.Client) error {
		return heartbeat.Exec(ctx, rc, r.keys(), []string{r.ID, string(b), forget}).Error()
	})
}

// leave removes this node (best effort, bounded by the client's timeout).
func (r *Registry) leave() {
	k := r.keys()
	_ = r.Client.Do(context.Background(), "leave", func(ctx context.Context, rc rueidis.Client) error {
		for _, resp := range rc.DoMulti(ctx,
			rc.B().Hdel().Key(k[0]).Field(r.ID).Build(),
			rc.B().Zrem().Key(k[1]).Member(r.ID).Build()) {
			if err := resp.Error(); err != nil {
				return err
			}
		}
		return nil
	})
}

// List returns the registered nodes, by name: "up" while their
// heartbeats arrive, "lost" once they have been silent for LostAfter.
func (r *Registry) List(ctx context.Context) ([]Node, error) {
	var vals []string
	err := r.Client.Do(ctx, "list nodes", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		vals, err = list.Exec(ctx, rc, r.keys(), nil).AsStrSlice()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cluster registry: %w", err)
	}
	if len(vals) == 0 {
		return nil, fmt.Errorf("cluster registry: empty answer")
	}
	now, _ := strconv.ParseInt(vals[0], 10, 64)
	lost := orDefault(r.LostAfter, DefaultLostAfter).Milliseconds()
	nodes := []Node{}
	for i := 1; i+2 < len(vals); i += 3 {
		var n Node
		if json.Unmarshal([]byte(vals[i+2]), &n) != nil {
			continue
		}
		beat, _ := strconv.ParseFloat(vals[i+1], 64)
		since := now - int64(beat)
		n.ID, n.State = vals[i], StateUp
		if since > lost {
			n.State = StateLost
		}
		n.SinceHeartbeat = (time.Duration(max(since, 0)) * time.Millisecond).String()
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool {
		if nodes[i].Name != nodes[j].Name {
			return nodes[i].Name < nodes[j].Name
		}
		return nodes[i].ID < nodes[j].ID
	})
	return nodes, nil
}

func (r *Registry) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}
