package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/registry"
	"github.com/tollgate/tollgate/internal/supervise"
)

// clusterView is this node's part in /_tollgate/cluster: it describes the
// node, sends its heartbeats to the registry in Redis (when --redis is
// set) and lists every node.
type clusterView struct {
	self func(context.Context) registry.Node
	reg  *registry.Registry // nil without Redis
	id   string

	stop func()
}

// startClusterView starts the heartbeats; stop sends the last (leaving
// the registry) and waits for it.
func startClusterView(ctx context.Context, s config.Settings, shared *sharedState, admin string, data []dataListener,
	health func(context.Context) supervise.Health, failures func() map[string]string, log *slog.Logger) *clusterView {
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	name := s.NodeName
	if name == "" {
		host, _ := os.Hostname()
		name = host + "/" + admin
	}
	var urls []string
	for _, d := range data {
		urls = append(urls, d.scheme+"://"+d.addr)
	}
	started := time.Now().UTC().Truncate(time.Second)
	v := &clusterView{id: id, stop: func() {}}
	v.self = func(ctx context.Context) registry.Node {
		ctx, cancel := context.WithTimeout(ctx, healthTimeout)
		defer cancel()
		h := health(ctx)
		return registry.Node{ID: id, Name: name, Version: VersionString(), Admin: admin, DataPlane: urls, Started: started,
			Ready: h.Ready, Reason: h.Reason, StoreRevision: h.Revision, ServingRevision: h.Serving, Lag: h.Lag(),
			CompileFailures: failures()}
	}
	if shared.Redis == nil {
		return v
	}
	v.reg = &registry.Registry{Client: shared.Redis, Prefix: shared.Prefix, ID: id, Self: v.self, Log: log.With("component", "cluster"),
		Outage: shared.outageEffect()}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		v.reg.Run(rctx)
	}()
	v.stop = func() {
		cancel()
		wg.Wait()
	}
	return v
}

// clusterBody is /_tollgate/cluster's answer.
type clusterBody struct {
	// Self is this node's id.
	Self string `json:"self"`
	// Registry says where the node list comes from.
	Registry string `json:"registry"`
	// RegistryError is why the list holds this node only.
	RegistryError string          `json:"registryError,omitempty"`
	Nodes         []registry.Node `json:"nodes"`
}

// ServeHTTP answers GET /_tollgate/cluster: every node of the cluster,
// with its state, revisions and lag.
func (v *clusterView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	out := clusterBody{Self: v.id, Registry: "none: without --redis only this node is shown"}
	var err error
	if v.reg != nil {
		out.Registry = v.reg.Client.String()
		out.Nodes, err = v.reg.List(r.Context())
		if err != nil {
			out.RegistryError = err.Error()
		}
	}
	if v.reg == nil || err != nil {
		n := v.self(r.Context())
		n.State = registry.StateUp
		out.Nodes = []registry.Node{n}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}
