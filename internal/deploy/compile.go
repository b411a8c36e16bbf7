// Package deploy turns stored deployments into served stages: it compiles a
// deployment snapshot and a stage's settings once into an immutable target
// (a rest.Stage for REST APIs, an httpapi.Stage for HTTP APIs), and
// publishes it through the front door, which swaps its table atomically
// and retires the version it replaced. A compile failure keeps the
// previous version serving.
package deploy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/httpapi"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/rest/access"
	"github.com/tollgate/tollgate/internal/gateway/rest/integration"
	"github.com/tollgate/tollgate/internal/gateway/rest/validate"
	"github.com/tollgate/tollgate/internal/gateway/router"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/tracing"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/respcache"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/waf"
)

// Compiler builds deployments and stages.
type Compiler struct {
	// Env is what every REST stage shares: the account, the log, private
	// networks and throttles (nil: none of them).
	Env     *rest.Env
	Clients *upstream.Clients
	// Lambda invokes functions for AWS and AWS_PROXY integrations.
	Lambda  invoker.Lambda
	Metrics *observe.Metrics
	Logs    *observe.LogSinks
	// Tracer records the spans of stages with tracingEnabled (nil: no
	// collector is configured; no stage traces).
	Tracer *tracing.Tracer
	// Access compiles resource policies, authorizers, IAM and API-key
	// checks (nil: a Compiler with no users, keys or token verifier).
	Access *access.Compiler
	// Secrets seals stage cache entries of methods with
	// cacheDataEncrypted (nil: such entries are not cached).
	Secrets *secret.Box
	// HTTP is what every HTTP API stage shares (nil: nothing; HTTP APIs
	// then serve without throttles, logs, metrics, JWT verification or
	// IAM users, and their Lambda and HTTP targets fail).
	HTTP *httpapi.Env
	// WebSocket is what every WebSocket API stage shares (nil: nothing;
	// such stages then refuse handshakes).
	WebSocket *wsapi.Env
	// StageCaches, when set, makes the response cache of a stage (apiID,
	// stage, the capacity cacheClusterSize gives, the Secrets box): a
	// cluster's shared one. Nil means in memory.
	StageCaches func(apiID, stage string, capacity int64, box *secret.Box) respcache.Cache
	// AuthCaches, when set, makes the authorizer result cache of a stage:
	// a cluster's shared one. Nil means in memory.
	AuthCaches func(apiID, stage string, box *secret.Box) pipeline.AuthCache
	// WAF is what every stage's web ACL shares: metrics, samples and the
	// rate-based rules' counters (waf.go).
	WAF waf.Options
}

// errNotYet marks integration types a later part of Tollgate serves.
var errNotYet = errors.New("not supported yet")

// CompileDeployment compiles a snapshot's routes, integrations and gateway
// responses.
func (c *Compiler) CompileDeployment(id string, snap *model.Snapshot) (*rest.Deployment, error) {
	d := &rest.Deployment{
		ID:                        id,
		APIID:                     snap.API.ID,
		APIName:                   snap.API.Name,
		GatewayResponses:          rest.CompileGatewayResponses(snap.GatewayResponses),
		BinaryMediaTypes:          snap.API.BinaryMediaTypes,
		DisableExecuteAPIEndpoint: snap.API.DisableExecuteApiEndpoint,
	}
	ac := c.Access
	if ac == nil {
		ac = &access.Compiler{}
	}
	acc, err := ac.Deployment(snap)
	if err != nil {
		return nil, err
	}
	d.HasPolicy = acc.HasPolicy()
	validators := validate.NewDeployment(snap)
	if ec := snap.API.EndpointConfiguration; ec != nil && slices.Contains(ec.Types, "PRIVATE") {
		d.Private = true
	}
	for i := range snap.Resources {
		res := &snap.Resources[i]
		for _, verbName := range sortedVerbs(res.ResourceMethods) {
			m := res.ResourceMethods[verbName]
			verb, ok := router.ParseVerb(verbName)
			if !ok {
				return nil, fmt.Errorf("%s %s: unknown method", verbName, res.Path)
			}
			r := &rest.Route{
				RouteInfo: pipeline.RouteInfo{
					Index:             len(d.RouteList),
					ResourceID:        res.ID,
					ResourcePath:      res.Path,
					HTTPMethod:        verbName,
					OperationName:     model.Deref(m.OperationName),
					AuthorizationType: m.AuthorizationType,
				},
				APIKeyRequired: m.ApiKeyRequired,
			}
			integ, err := c.compileIntegration(m.MethodIntegration)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", verbName, res.Path, err)
			}
			r.Integration = integ
			_, r.Mock = integ.(*integration.Mock)
			if r.CacheNamespace, r.CacheKey, err = compileCacheKey(m.MethodIntegration, res.ID); err != nil {
				return nil, fmt.Errorf("%s %s: %w", verbName, res.Path, err)
			}
			if r.Guard, err = acc.Guard(m); err != nil {
				return nil, fmt.Errorf("%s %s: %w", verbName, res.Path, err)
			}
			r.Validator = validators.Method(m)
			if err := d.Routes.Add(res.Path, verb, r); err != nil {
				return nil, err
			}
			d.RouteList = append(d.RouteList, r)
		}
	}
	d.NumRoutes = len(d.RouteList)
	return d, nil
}

func (c *Compiler) compileIntegration(in *model.Integration) (rest.Integration, error) {
	if in == nil {
		return failing{pipeline.Fail(pipeline.APIConfigurationError, errors.New("method has no integration"))}, nil
	}
	switch in.Type {
	case "MOCK":
		return integration.NewMock(in)
	case "HTTP_PROXY":
		return integration.NewHTTPProxy(in, c.Clients)
	case "HTTP":
		return integration.NewHTTP(in, c.Clients)
	case "AWS_PROXY":
		return integration.NewLambdaProxy(in, c.Lambda)
	case "AWS":
		if strings.Contains(model.Deref(in.URI), ":lambda:path/") {
			return integration.NewLambda(in, c.Lambda)
		}
	}
	// Other AWS service integrations are not served: such methods answer
	// 500 Internal server error, with the cause in the log.
	return failing{pipeline.Fail(pipeline.APIConfigurationError, fmt.Errorf("%s integrations: %w", in.Type, errNotYet))}, nil
}

// failing is an integration that always answers with one gateway response.
type failing struct{ f *pipeline.Failure }

func (f failing) Invoke(*rest.Exchange) error { return f.f }

// CompileStage combines compiled deployments with a stage's settings.
func (c *Compiler) CompileStage(st *model.Stage, d, canary *rest.Deployment) (*rest.Stage, error) {
	env := c.Env
	if env == nil {
		env = &rest.Env{}
	}
	out := &rest.Stage{
		StageInfo: pipeline.StageInfo{
			Name:      st.StageName,
			APIID:     d.APIID,
			AccountID: env.AccountID,
			Variables: st.Variables,
		},
		Deployment: d,
		Env:        env,
	}
	if canary != nil && st.CanarySettings != nil {
		out.Canary = canary
		out.CanaryPercent = float64(model.Deref(st.CanarySettings.PercentTraffic))
		out.CanaryVariables = map[string]string{}
		for k, v := range st.Variables {
			out.CanaryVariables[k] = v
		}
		for k, v := range st.CanarySettings.StageVariableOverrides {
			out.CanaryVariables[k] = v
		}
	}
	if als := st.AccessLogSettings; als != nil && model.Deref(als.Format) != "" && c.Logs != nil {
		dest := model.Deref(als.DestinationArn)
		if dest == "" {
			dest = "-"
		}
		sink, err := c.Logs.Open(dest)
		if err != nil {
			return nil, err
		}
		out.AccessLog = observe.NewAccessLog(*als.Format, sink)
	}
	out.ExecLog = c.execLog(st, d, out.Canary)
	out.AuthorizerCache = pipeline.NewAuthorizerCache()
	if c.AuthCaches != nil {
		out.AuthCache = c.AuthCaches(d.APIID, st.StageName, c.Secrets)
	} else {
		out.AuthCache = pipeline.NewMemoryAuthCache()
	}
	out.RouteLimits = routeLimits(st, d)
	if out.Canary != nil {
		out.CanaryRouteLimits = routeLimits(st, out.Canary)
	}
	cache, err := c.compileStageCache(st, d, out.Canary)
	if err != nil {
		return nil, err
	}
	out.Cache = cache
	out.Metrics = c.Metrics.ForStage(st.StageName, metricRoutes(d), metricRoutes(out.Canary))
	if st.TracingEnabled {
		out.Tracing = c.Tracer.Stage(tracing.StageSpec{APIID: d.APIID, APIName: d.APIName, Stage: st.StageName, Type: tracing.REST})
	}
	return out, nil
}

// metricRoutes are d's routes as metrics label them (zero for no
// deployment).
func metricRoutes(d *rest.Deployment) observe.Routes {
	if d == nil {
		return observe.Routes{}
	}
	rs := observe.Routes{APIName: d.APIName, APIID: d.APIID, List: make([]*pipeline.RouteInfo, len(d.RouteList))}
	for i, r := range d.RouteList {
		rs.List[i] = &r.RouteInfo
	}
	return rs
}

func sortedVerbs(m map[string]*model.Method) []string {
	var out []string
	for _, v := range router.VerbNames() {
		if _, ok := m[v]; ok {
			out = append(out, v)
		}
	}
	return out
}

// routeLimits compiles a stage's method throttles: the setting for
// "{resourcePath}/{VERB}" (without the leading slash), else the stage-wide
// "*/*" one; routes that neither names are throttled by the account limit
// only. Each method has its own bucket (reference §5.1).
func routeLimits(st *model.Stage, d *rest.Deployment) []throttle.RouteLimit {
	if len(st.MethodSettings) == 0 {
		return nil
	}
	all := st.MethodSettings["*/*"]
	out := make([]throttle.RouteLimit, len(d.RouteList))
	for i, r := range d.RouteList {
		ms := st.MethodSettings[strings.TrimPrefix(r.ResourcePath, "/")+"/"+r.HTTPMethod]
		if ms == nil {
			ms = all
		}
		if ms == nil {
			continue
		}
		out[i] = throttle.RouteLimit{
			Key:   "stage/" + d.APIID + "/" + st.StageName + "/" + r.ResourcePath + "/" + r.HTTPMethod,
			Limit: ratelimit.Limit{Rate: float64(ms.ThrottlingRateLimit), Burst: int(ms.ThrottlingBurstLimit)},
		}
	}
	return out
}
