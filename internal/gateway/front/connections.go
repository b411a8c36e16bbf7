package front

import (
	"context"
	"net/url"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// ConnectionLocator returns the WebSocket API an open connection belongs
// to ("" when none).
type ConnectionLocator func(ctx context.Context, connectionID string) (apiID string)

// resolveConnection routes /{stage}/@connections/{id} on a host that names
// no API (127.0.0.1:8080, a bare host name) to the connection's API: a
// function calls its connections back at the endpoint its event gives,
// https://{requestContext.domainName}/{stage} [D: "Use @connections
// commands in your backend service"], and for path-style connections the
// domain name is the gateway's own address.
func (d *Door) resolveConnection(ctx context.Context, host, path string) (pipeline.Address, pipeline.Target) {
	at := pipeline.Address{DomainName: host}
	if d.Connections == nil {
		return at, nil
	}
	stage, rest := splitStage(strings.TrimPrefix(path, "/"))
	raw, ok := strings.CutPrefix(rest, "/@connections/")
	if !ok || stage == "" || raw == "" || strings.Contains(raw, "/") {
		return at, nil
	}
	id, err := url.PathUnescape(raw)
	if err != nil {
		return at, nil
	}
	apiID := d.Connections(ctx, id)
	if apiID == "" {
		return at, nil
	}
	t := d.Lookup(apiID, stage)
	if t == nil {
		return at, nil
	}
	at.APIID, at.StageName, at.StagePath, at.RawStagePath = apiID, stage, rest, rest
	return at, t
}
