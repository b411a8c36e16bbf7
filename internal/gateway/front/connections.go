package front

import (
	"context"
	"net/url"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// ConnectionLocator finds WebSocket connections for @connections calls on
// a host that names no API (implemented by wsapi.Hub).
type ConnectionLocator interface {
	// ConnectionAPI returns the API an open connection belongs to ("" when
	// none).
	ConnectionAPI(ctx context.Context, connectionID string) string
	// ServeGone answers a call for a connection ConnectionAPI did not
	// find (not open, or where it is cannot be told).
	ServeGone(ctx context.Context, req pipeline.Request, resp pipeline.Response, connectionID string)
}

// serveConnection answers /{stage}/@connections/{id} on a host that names
// no API (see resolveConnection); it reports false for other paths.
func (d *Door) serveConnection(ctx context.Context, req pipeline.Request, resp pipeline.Response, path string) bool {
	at, t, id, ok := d.resolveConnection(ctx, req.Host(), path)
	switch {
	case !ok:
		return false
	case t == nil:
		d.Connections.ServeGone(ctx, req, resp, id)
	default:
		t.Serve(ctx, req, resp, at)
	}
	return true
}

// resolveConnection routes /{stage}/@connections/{id} on a host that names
// no API (127.0.0.1:8080, a bare host name) to the connection's API: a
// function calls its connections back at the endpoint its event gives,
// https://{requestContext.domainName}/{stage} [D: "Use @connections
// commands in your backend service"], and for path-style connections the
// domain name is the gateway's own address.
//
// ok reports a path of that form, naming connection id; t is nil when the
// connection is not open (or its stage is not published).
func (d *Door) resolveConnection(ctx context.Context, host, path string) (at pipeline.Address, t pipeline.Target, id string, ok bool) {
	at = pipeline.Address{DomainName: host}
	if d.Connections == nil {
		return at, nil, "", false
	}
	stage, rest := splitStage(strings.TrimPrefix(path, "/"))
	raw, found := strings.CutPrefix(rest, "/@connections/")
	if !found || stage == "" || raw == "" || strings.Contains(raw, "/") {
		return at, nil, "", false
	}
	id, err := url.PathUnescape(raw)
	if err != nil {
		return at, nil, "", false
	}
	apiID := d.Connections.ConnectionAPI(ctx, id)
	if apiID == "" {
		return at, nil, id, true
	}
	if t = d.Lookup(apiID, stage); t == nil {
		return at, nil, id, true
	}
	at.APIID, at.StageName, at.StagePath, at.RawStagePath = apiID, stage, rest, rest
	return at, t, id, true
}
