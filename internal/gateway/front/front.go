// Package front is the data plane's front door: it maps a request's host
// and path to the Target that serves it (a stage of an API of any type)
// through one immutable table, swapped atomically when what is deployed
// changes, and answers what reaches no target. The path policy every API
// type shares is applied here, before any routing.
package front

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tollgate/tollgate/internal/gateway/pathsafe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// DefaultStage is the name of an HTTP API's stage that serves at the root
// of the API's host: a path whose first segment names no stage of the API
// goes to it, whole.
const DefaultStage = pipeline.DefaultStage

// Door is the front door. Readers take the current table with one atomic
// load; writers build a new table beside it and swap it in (copy on
// write), so that a request in flight finishes on the table it started
// with. The zero Door serves nothing.
type Door struct {
	mu    sync.Mutex // serialises writers
	table atomic.Pointer[table]
	// Log, when set, receives why requests to custom domains were
	// refused (mutual TLS failures).
	Log *slog.Logger
	// Connections, when set, locates WebSocket connections for
	// @connections calls on a host that names no API (connections.go).
	Connections ConnectionLocator
}

// table is one immutable version of what is served: the stages of every
// API, by API id, and the custom domain names that route to them.
type table struct {
	apis    map[string]stages
	domains *domains
}

// stages are one API's targets by stage name.
type stages map[string]pipeline.Target

// Serve answers one request: the engine calls it once per request and
// sends resp when it returns (see pipeline.Target).
func (d *Door) Serve(ctx context.Context, req pipeline.Request, resp pipeline.Response) {
	path := req.Path()
	// A path with a dot-segment, in any spelling a backend may resolve, is
	// refused here, before anything reads it: routing, access control and
	// the backend then all see the same path, which is forwarded as sent
	// (package pathsafe says why refusing beats normalising). Every API
	// type's requests pass here before their own routing.
	if pathsafe.HasDotSegment(path) {
		refuse(resp, pipeline.ErrBadRequest)
		return
	}
	if tb := d.table.Load(); tb != nil && tb.domains != nil {
		// A custom domain name routes by its own mappings and rules.
		host := hostName(req.Host())
		if e := tb.domains.lookup(host); e != nil {
			d.serveDomain(ctx, tb, e, host, req, resp, path)
			return
		}
	}
	at, t := d.resolve(req.Host(), path)
	if t == nil && at.APIID == "" && d.serveConnection(ctx, req, resp, path) {
		return
	}
	if t == nil {
		// A deployed API without this stage answers as its type does (an
		// HTTP API: 404); an unknown API, or a REST API without the stage:
		// 403 {"message":"Forbidden"} [C/U].
		if u, ok := d.anyStage(at.APIID).(pipeline.UnknownStage); ok {
			u.ServeUnknownStage(ctx, req, resp, at)
			return
		}
		refuse(resp, pipeline.ErrForbidden)
		return
	}
	t.Serve(ctx, req, resp, at)
}

// anyStage returns one published stage of an API (nil: none).
func (d *Door) anyStage(apiID string) pipeline.Target {
	if apiID == "" {
		return nil
	}
	tb := d.table.Load()
	if tb == nil {
		return nil
	}
	for _, t := range tb.apis[apiID] {
		return t
	}
	return nil
}

// refuse answers a request that reaches no target, with the identifiers
// every response carries (CONTRACT.md).
func refuse(resp pipeline.Response, err error) {
	id, ext := pipeline.NewRequestIDs()
	resp.SetHeader("x-amzn-RequestId", id)
	resp.SetHeader("x-amz-apigw-id", ext)
	pipeline.Refuse(resp, err)
}

// resolve finds the target a request addresses and where (CONTRACT.md
// "Data-plane addressing"):
//
//	/_aws/execute-api/{apiId}/{stage}/{path}
//	/restapis/{apiId}/{stage}/_user_request_/{path}
//	Host: {apiId}.execute-api.{anything}, path /{stage}/{path}, or /{path}
//	      for an API whose $default stage serves at the root
func (d *Door) resolve(host, path string) (pipeline.Address, pipeline.Target) {
	at := pipeline.Address{DomainName: host}
	var ok, root bool
	at.APIID, at.StageName, at.StagePath, root, ok = address(host, path)
	if !ok {
		return at, nil
	}
	tb := d.table.Load()
	if tb == nil {
		return at, nil
	}
	api := tb.apis[at.APIID]
	t := api[at.StageName]
	if t == nil && root {
		if t = api[DefaultStage]; t != nil {
			at.StageName, at.StagePath = DefaultStage, path
		}
	}
	if t == nil {
		return at, nil
	}
	// "/stage//pets" routes and reaches a Lambda proxy event as "/pets",
	// while $context.path keeps "/stage//pets" (recorded
	// invocation-payload-with-prepended-slash and -hardcoded).
	at.RawStagePath = at.StagePath
	if strings.HasPrefix(at.StagePath, "//") {
		at.StagePath = "/" + strings.TrimLeft(at.StagePath, "/")
	}
	return at, t
}

// address parses the API, stage and stage-relative path out of a request's
// host and path. root reports the host form, where a first segment that
// names no stage may be a path of the API's $default stage.
func address(host, path string) (apiID, stage, rest string, root, ok bool) {
	if p, found := strings.CutPrefix(path, "/_aws/execute-api/"); found {
		apiID, p, _ = strings.Cut(p, "/")
		stage, rest = splitStage(p)
		if strings.EqualFold(stage, "%24default") {
			// "$" percent-encoded, as URL builders write it.
			stage = DefaultStage
		}
		return apiID, stage, rest, false, apiID != "" && stage != ""
	}
	if p, found := strings.CutPrefix(path, "/restapis/"); found && strings.Contains(p, "/_user_request_") {
		apiID, p, _ = strings.Cut(p, "/")
		stage, p, _ = strings.Cut(p, "/")
		rest, found = strings.CutPrefix(p, "_user_request_")
		return apiID, stage, rest, false, found && apiID != "" && stage != "" && (rest == "" || rest[0] == '/')
	}
	if i := strings.Index(host, ".execute-api."); i > 0 {
		// "//stage/pets" is "/stage/pets" (recorded
		// invocation-payload-with-prepended-slash-to-stage).
		stage, rest = splitStage(strings.TrimLeft(path, "/"))
		return host[:i], stage, rest, true, true
	}
	return "", "", "", false, false
}

// splitStage splits "stage/rest..." into "stage" and "/rest...".
func splitStage(p string) (stage, rest string) {
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i:]
	}
	return p, ""
}
