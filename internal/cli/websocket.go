package cli

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/gateway/authz"
	connredis "github.com/tollgate/tollgate/internal/gateway/connreg/redis"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/redisclient"
)

// newWebSocketEnv builds what WebSocket API stages share: the node's
// connection hub (the front door locates connections for @connections
// calls on a bare host) and the stages' environment. Connections are
// recorded in memory, or with --redis in the cluster's registry, which
// also relays @connections calls to the node holding the connection
// (start hub.Run).
func newWebSocketEnv(s config.Settings, shared *sharedState, door *front.Door, throttling *throttle.Throttling, clients *upstream.Clients,
	lambda invoker.Lambda, users *authz.Users, logs *observe.LogSinks, metrics *observe.Metrics, log *slog.Logger) (*wsapi.Hub, *wsapi.Env) {
	name := s.NodeName
	if name == "" {
		host, _ := os.Hostname()
		name = fmt.Sprintf("%s/%d", host, os.Getpid())
	}
	// Unique per process: a node restarted under the same name does not
	// revive its predecessor's connections.
	var b [4]byte
	_, _ = rand.Read(b[:])
	node := name + "#" + hex.EncodeToString(b[:])
	cfg := wsapi.HubConfig{Node: node, Lookup: door.Lookup, Users: users, Log: log}
	if shared.Redis != nil {
		reg := connredis.New(shared.Redis, connredis.Options{Prefix: shared.Prefix, Node: node,
			Log: log.With("component", "websocket-relay")})
		cfg.Registry, cfg.Relay, cfg.FailOpen = reg, reg, shared.FailMode == redisclient.FailOpen
	}
	hub := wsapi.NewHub(cfg)
	door.Connections = hub
	return hub, &wsapi.Env{Region: s.Region, AccountID: s.AccountID, Log: log, Throttling: throttling,
		Clients: clients, Lambda: lambda, Users: users, Hub: hub, Logs: logs, Metrics: metrics}
}
