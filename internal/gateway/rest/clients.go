package rest

import "github.com/tollgate/tollgate/internal/gateway/upstream"

// HTTPClients returns the clients an HTTP or HTTP_PROXY integration calls
// its backend with for x: the stage's, which present its client
// certificate, else def (the integration's own).
func (x *Exchange) HTTPClients(def *upstream.Clients) *upstream.Clients {
	if x.stage != nil && x.stage.Clients != nil {
		return x.stage.Clients
	}
	return def
}
