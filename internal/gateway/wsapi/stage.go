package wsapi

import (
	"log/slog"
	"time"

	"github.com/tollgate/tollgate/internal/apikey"
	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/connreg"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

// Route keys with a meaning of their own [D].
const (
	connectKey    = "$connect"
	disconnectKey = "$disconnect"
	defaultKey    = "$default"
)

// Limits of WebSocket APIs [D: "Amazon API Gateway quotas for WebSocket
// APIs"].
const (
	MaxFrame    = 32 << 10
	MaxMessage  = 128 << 10
	IdleTimeout = 10 * time.Minute
	MaxDuration = 2 * time.Hour
	// DefaultTimeout is the integration timeout when none is set.
	DefaultTimeout = 29 * time.Second
)

// DefaultConnectLimit is the account's new-connection rate: 500 per
// second [D]; the burst is [U].
var DefaultConnectLimit = ratelimit.Limit{Rate: 500, Burst: 500}

// Deployment is a compiled deployment of a WebSocket API: everything
// that changes only when the API is redeployed. It is immutable.
type Deployment struct {
	ID, APIID, APIName string
	// Selection evaluates the routeSelectionExpression on a message.
	Selection *Selection
	// Routes by route key; Connect, Disconnect and Default are the
	// reserved routes (nil: the API has none).
	Routes                       map[string]*Route
	Connect, Disconnect, Default *Route
	// RouteList holds every route by Route.Index.
	RouteList []*Route
	// DisableExecuteAPIEndpoint makes the execute-api addresses answer 403.
	DisableExecuteAPIEndpoint bool
	// KeyFromAuthorizer: the API key is the $connect authorizer's
	// usageIdentifierKey (apiKeySelectionExpression
	// $context.authorizer.usageIdentifierKey), not the x-api-key header.
	KeyFromAuthorizer bool
}

// Route is a compiled route.
type Route struct {
	pipeline.RouteInfo
	Key string
	// Integration is the route's backend (nil: none).
	Integration Integration
	// Auth authorizes $connect (nil: NONE).
	Auth Authorizer
	// TwoWay: the route has a route response ($default key with
	// routeResponseSelectionExpression), so what the integration answers
	// is sent to the client [D].
	TwoWay bool
	// APIKeyRequired ($connect only): the connection needs an API key of a
	// usage plan bound to the stage [D].
	APIKeyRequired bool
	// Models validate messages (nil: none); Required are $connect's
	// required request parameters (nil: none) (validate.go).
	Models   *messageModels
	Required *requiredParams
}

// Stage is a compiled stage: a deployment plus the stage's own settings.
// A Stage is a pipeline.Target.
type Stage struct {
	pipeline.StageInfo
	// Deployment is what the stage serves; nil for a stage that has no
	// deployment yet, which refuses every handshake (403 [U]).
	Deployment *Deployment
	// RouteLimits are the stage's route throttles by Route.Index; an empty
	// Key means the account limit only.
	RouteLimits []throttle.RouteLimit
	// AccessLog is the stage's access log (nil: none).
	AccessLog *observe.AccessLog
	// Metrics count the stage's events by route (nil: none).
	Metrics *observe.StageMetrics
	Env     *Env
}

// Env is what every WebSocket stage of a node shares, fixed at start-up.
type Env struct {
	Region, AccountID string
	Log               *slog.Logger
	// Throttling enforces account and route throttles on messages and
	// @connections calls (nil: none).
	Throttling *throttle.Throttling
	// ConnectLimit is the account's new-connection rate (zero:
	// DefaultConnectLimit), taken from Throttling's limiter.
	ConnectLimit ratelimit.Limit
	// Clients reach HTTP backends (nil: HTTP_PROXY routes fail).
	Clients *upstream.Clients
	// Lambda invokes integrations and authorizers.
	Lambda invoker.Lambda
	// Users authenticate AWS_IAM $connect routes and @connections calls.
	Users *authz.Users
	// Hub holds this node's connections (nil: a Stage refuses handshakes).
	Hub *Hub
	// Logs open the stages' access-log destinations (nil: no access logs).
	Logs *observe.LogSinks
	// Metrics record what stages serve (nil: nothing).
	Metrics *observe.Metrics
	// Keys are the API keys and usage plans $connect routes with
	// apiKeyRequired check (nil: no key is valid).
	Keys *apikey.Index
}

var discardLog = slog.New(slog.DiscardHandler)

func (e *Env) log() *slog.Logger {
	if e == nil || e.Log == nil {
		return discardLog
	}
	return e.Log
}

var noEnv = &Env{}

func (st *Stage) env() *Env {
	if st.Env == nil {
		return noEnv
	}
	return st.Env
}

// Retire implements pipeline.Retirer: a stage removed (next nil) closes
// its connections with 1001 Going away [U]; a stage replaced by a new
// version keeps them, and their next messages use that version. The
// metric series the successor does not take over are released.
func (st *Stage) Retire(next pipeline.Target) {
	var metrics *observe.StageMetrics
	if n, ok := next.(*Stage); ok && n != nil {
		metrics = n.Metrics
	}
	st.Metrics.Retire(metrics)
	if next != nil {
		return
	}
	if h := st.env().Hub; h != nil {
		h.closeStage(st.APIID, st.Name)
	}
}

var (
	_ pipeline.Target  = (*Stage)(nil)
	_ pipeline.Retirer = (*Stage)(nil)
)

// Registry is the connection registry the Hub writes (re-exported for
// callers that build an Env).
type Registry = connreg.Registry
