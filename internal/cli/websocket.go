package cli

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
)

// newWebSocketEnv builds what WebSocket API stages share: the node's
// connection hub (connections in memory; the front door locates them for
// @connections calls on a bare host) and the stages' environment.
func newWebSocketEnv(s config.Settings, door *front.Door, throttling *throttle.Throttling, clients *upstream.Clients,
	lambda invoker.Lambda, users *authz.Users, logs *observe.LogSinks, metrics *observe.Metrics, log *slog.Logger) (*wsapi.Hub, *wsapi.Env) {
	node := s.NodeName
	if node == "" {
		host, _ := os.Hostname()
		node = fmt.Sprintf("%s/%d", host, os.Getpid())
	}
	hub := wsapi.NewHub(wsapi.HubConfig{Node: node, Lookup: door.Lookup, Users: users, Log: log})
	door.Connections = hub
	return hub, &wsapi.Env{Region: s.Region, AccountID: s.AccountID, Log: log, Throttling: throttling,
		Clients: clients, Lambda: lambda, Users: users, Hub: hub, Logs: logs, Metrics: metrics}
}
