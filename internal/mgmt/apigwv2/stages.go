package apigwv2

import (
	"context"
	"regexp"
	"strings"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// stageInput is the body of CreateStage and UpdateStage.
type stageInput struct {
	AccessLogSettings    *modelv2.AccessLogSettings     `json:"accessLogSettings"`
	AutoDeploy           *bool                          `json:"autoDeploy"`
	ClientCertificateID  *string                        `json:"clientCertificateId"`
	DefaultRouteSettings *routeSettingsInput            `json:"defaultRouteSettings"`
	DeploymentID         *string                        `json:"deploymentId"`
	Description          *string                        `json:"description"`
	RouteSettings        map[string]*routeSettingsInput `json:"routeSettings"`
	StageName            *string                        `json:"stageName"`
	StageVariables       map[string]string              `json:"stageVariables"`
	Tags                 map[string]string              `json:"tags"`
}

// routeSettingsInput is a RouteSettings member sent in a stage body.
type routeSettingsInput struct {
	DataTraceEnabled       *bool    `json:"dataTraceEnabled"`
	DetailedMetricsEnabled *bool    `json:"detailedMetricsEnabled"`
	LoggingLevel           *string  `json:"loggingLevel"`
	ThrottlingBurstLimit   *int64   `json:"throttlingBurstLimit"`
	ThrottlingRateLimit    *float64 `json:"throttlingRateLimit"`
}

// Stage name and stage variable patterns [M][D].
var (
	stageNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	varNameRE   = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	varValueRE  = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]+$`)
)

// maxAccessLogFormat bounds an access log format (3 KB) [D].
const maxAccessLogFormat = 3 << 10

// apply merges route settings sent into old: members sent replace the old
// ones; WebSocket-only members (logging level, data trace) are kept for
// WebSocket APIs only [M].
func (in *routeSettingsInput) apply(old modelv2.RouteSettings, protocol string) modelv2.RouteSettings {
	out := old
	if in.DetailedMetricsEnabled != nil {
		out.DetailedMetricsEnabled = in.DetailedMetricsEnabled
	}
	if in.ThrottlingBurstLimit != nil {
		out.ThrottlingBurstLimit = in.ThrottlingBurstLimit
	}
	if in.ThrottlingRateLimit != nil {
		out.ThrottlingRateLimit = modelv2.Ptr(model.Double(*in.ThrottlingRateLimit))
	}
	if protocol == modelv2.ProtocolWebSocket {
		if in.DataTraceEnabled != nil {
			out.DataTraceEnabled = in.DataTraceEnabled
		}
		if in.LoggingLevel != nil {
			out.LoggingLevel = in.LoggingLevel
		}
	}
	return out
}

func (in *routeSettingsInput) check(c *checker) {
	if in == nil {
		return
	}
	c.enum(in.LoggingLevel, "loggingLevel", modelv2.LoggingLevels)
	if b := in.ThrottlingBurstLimit; b != nil && *b < 0 {
		c.fail("throttlingBurstLimit must be at least 0") // [U]
	}
	if r := in.ThrottlingRateLimit; r != nil && *r < 0 {
		c.fail("throttlingRateLimit must be at least 0") // [U]
	}
}

// validLogDestination accepts a log group (or Firehose) ARN, written to
// the gateway's stdout, and — as for REST API stages — a file path
// (absolute, or file://…) or "-" for stdout: a self-hosted gateway has no
// log groups.
func validLogDestination(d string) bool {
	return strings.HasPrefix(d, "arn:") || d == "-" || strings.HasPrefix(d, "/") || strings.HasPrefix(d, "file:///")
}

// check validates the members sent, before the stage is read.
func (in *stageInput) check(c *checker, create bool) {
	c.length(in.Description, "description", 0, 1024)
	in.DefaultRouteSettings.check(c)
	for _, rs := range in.RouteSettings {
		rs.check(c)
	}
	if l := in.AccessLogSettings; l != nil {
		switch {
		case l.DestinationArn == nil || !validLogDestination(*l.DestinationArn):
			c.fail("Invalid destination ARN specified in access log settings") // [U]
		case l.Format == nil || *l.Format == "" || len(*l.Format) > maxAccessLogFormat:
			c.fail("Access log format must be between 1 and %d characters long", maxAccessLogFormat) // [D][U: text]
		case !strings.Contains(*l.Format, "$context.requestId") && !strings.Contains(*l.Format, "$context.extendedRequestId"):
			c.fail("Access log format must contain at least one of $context.requestId or $context.extendedRequestId") // [M][U: text]
		}
	}
	for k, v := range in.StageVariables {
		switch {
		case !varNameRE.MatchString(k):
			c.fail("Stage variable names must match [A-Za-z0-9_]+: %s", k) // [M][U: text]
		case v == "" && create, v != "" && (!varValueRE.MatchString(v) || len(v) > 2048):
			c.fail("Stage variable values must match [A-Za-z0-9-._~:/?#&=,]+ and be at most 2048 characters long: %s", k) // [M][U: text]
		}
	}
	if in.Tags != nil {
		c.add(checkTags(in.Tags))
	}
}

// applyTo merges the members sent into st: stage variables sent with an
// empty value are removed [D], route settings are merged per route key and
// member [U].
func (in *stageInput) applyTo(st *modelv2.Stage, protocol string) {
	if in.AutoDeploy != nil {
		st.AutoDeploy = *in.AutoDeploy
	}
	if in.DeploymentID != nil {
		st.DeploymentID = optional(in.DeploymentID)
	}
	setOptional(&st.Description, in.Description)
	if protocol == modelv2.ProtocolWebSocket {
		setOptional(&st.ClientCertificateID, in.ClientCertificateID)
	}
	if in.AccessLogSettings != nil {
		st.AccessLogSettings = in.AccessLogSettings
	}
	if in.DefaultRouteSettings != nil {
		st.DefaultRouteSettings = in.DefaultRouteSettings.apply(st.DefaultRouteSettings, protocol)
	}
	if in.RouteSettings != nil {
		rs := make(map[string]modelv2.RouteSettings, len(st.RouteSettings)+len(in.RouteSettings))
		for k, v := range st.RouteSettings {
			rs[k] = v
		}
		for k, v := range in.RouteSettings {
			if v == nil {
				delete(rs, k)
			} else {
				rs[k] = v.apply(rs[k], protocol)
			}
		}
		st.RouteSettings = rs
	}
	st.StageVariables = orEmpty(mergeMap(st.StageVariables, in.StageVariables, func(v string) bool { return v == "" }))
}

// checkStage validates a stage as it would be stored against its API: its
// deployment must exist, an auto-deploying stage takes none by hand [M],
// and route settings name existing routes [U].
func (a *API) checkStage(ctx context.Context, rd store.Reader, api modelv2.Api, st *modelv2.Stage, in *stageInput) error {
	if in.DeploymentID != nil && st.AutoDeploy && *in.DeploymentID != "" {
		return bad("A deploymentId cannot be set on a stage with autoDeploy enabled") // [M][U: text]
	}
	if id := st.DeploymentID; id != nil && in.DeploymentID != nil {
		ok, err := docstore.Exists(ctx, rd, modelv2.ChildKey(modelv2.KindDeployment, api.ApiID, *id))
		if err != nil {
			return err
		}
		if !ok {
			return bad("Invalid deployment identifier specified: %s", *id) // [U]
		}
	}
	if len(st.StageVariables) > maxStageVars {
		return bad("A stage can have at most %d stage variables", maxStageVars) // [D][U: text]
	}
	if id := st.ClientCertificateID; id != nil && in.ClientCertificateID != nil {
		// The client certificate a WebSocket stage presents to its HTTP
		// backends must exist (it is apigateway's /clientcertificates).
		ok, err := docstore.Exists(ctx, rd, model.KeyClientCertificate(*id))
		if err != nil {
			return err
		}
		if !ok {
			return bad("Invalid client certificate identifier specified") // [U]
		}
	}
	if len(in.RouteSettings) == 0 {
		return nil
	}
	routes, err := docstore.List[modelv2.Route](ctx, rd, modelv2.ChildPrefix(modelv2.KindRoute, api.ApiID))
	if err != nil {
		return err
	}
	for k := range in.RouteSettings {
		found := false
		for _, rt := range routes {
			found = found || rt.RouteKey == k
		}
		if !found {
			return bad("Unable to find Route by key %s within the provided RouteSettings", k) // [C][U]
		}
	}
	return nil
}

// checkStageName: "$default" (HTTP APIs only) or 1-128 of [A-Za-z0-9_-].
func checkStageName(protocol, name string) error {
	if name == modelv2.DefaultKey && protocol == modelv2.ProtocolHTTP || stageNameRE.MatchString(name) {
		return nil
	}
	return bad("Invalid stage name specified: %s. Stage names are $default (HTTP APIs) or 1 to 128 of the characters [A-Za-z0-9_-]", name) // [M][U: text]
}

// newStage is a stage as AWS creates it [X].
func newStage(name string, now modelv2.Time) modelv2.Stage {
	return modelv2.Stage{
		StageName:            name,
		CreatedDate:          now,
		LastUpdatedDate:      now,
		DefaultRouteSettings: modelv2.RouteSettings{DetailedMetricsEnabled: modelv2.Ptr(false)},
		RouteSettings:        map[string]modelv2.RouteSettings{},
		StageVariables:       map[string]string{},
	}
}

// stageOutput is a stage as the operations return it: tags as {} when none.
func stageOutput(st modelv2.Stage) modelv2.Stage {
	st.Tags = orEmpty(st.Tags)
	st.RouteSettings = orEmpty(st.RouteSettings)
	st.StageVariables = orEmpty(st.StageVariables)
	return st
}

func (a *API) createStage(ctx context.Context, r *restjson.Request) (any, error) {
	var in stageInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c checker
	c.required(in.StageName != nil, "stageName")
	in.check(&c, true)
	if c.err != nil {
		return nil, c.err
	}
	apiID := r.Path("apiId")
	var st modelv2.Stage
	err := a.update(ctx, func(tx store.Tx) error {
		api, _, err := a.loadAPI(ctx, tx, apiID)
		if err != nil {
			return err
		}
		if err := checkStageName(api.ProtocolType, *in.StageName); err != nil {
			return err
		}
		key := modelv2.ChildKey(modelv2.KindStage, apiID, *in.StageName)
		switch taken, err := docstore.Exists(ctx, tx, key); {
		case err != nil:
			return err
		case taken:
			return conflict("Stage already exists") // [U]
		}
		n, err := countChildren(ctx, tx, modelv2.KindStage, apiID)
		if err != nil {
			return err
		}
		if n >= maxStages {
			return tooMany("stages", maxStages)
		}
		st = newStage(*in.StageName, modelv2.TimeOf(a.now()))
		in.applyTo(&st, api.ProtocolType)
		if len(in.Tags) > 0 {
			st.Tags = in.Tags
		}
		if err := a.checkStage(ctx, tx, api, &st, &in); err != nil {
			return err
		}
		seq := a.seq.Next()
		if st.AutoDeploy {
			return a.deployStage(ctx, tx, apiID, seq, &st)
		}
		return docstore.Put(ctx, tx, key, seq, st)
	})
	return restjson.Output(stageOutput(st), err)
}

// deployStage stores an auto-deploying stage after deploying the API's
// configuration to it (or recording why it could not be deployed). A
// stage created with autoDeploy, or switched to it, serves the current
// configuration at once [U].
func (a *API) deployStage(ctx context.Context, tx store.Tx, apiID string, seq int64, st *modelv2.Stage) error {
	dep, err := a.deploy(ctx, tx, apiID, true, modelv2.Ptr(modelv2.AutoDeployDescription))
	if err != nil && !isDeployFailure(err) {
		return err
	}
	return a.autoDeployed(ctx, tx, apiID, seq, st, dep, err)
}

func (a *API) getStages(ctx context.Context, r *restjson.Request) (any, error) {
	page, err := listChildren(ctx, a, r, modelv2.KindStage, func(st modelv2.Stage) string { return st.StageName })
	if err != nil {
		return nil, err
	}
	items := page.(restjson.Items[modelv2.Stage])
	for i := range items.Items {
		items.Items[i] = stageOutput(items.Items[i])
	}
	return items, nil
}

func (a *API) getStage(ctx context.Context, r *restjson.Request) (any, error) {
	name := r.Path("stageName")
	st, err := readChild[modelv2.Stage](ctx, a, modelv2.KindStage, r.Path("apiId"), name, errStage(name))
	return restjson.Output(stageOutput(st), err)
}

func (a *API) updateStage(ctx context.Context, r *restjson.Request) (any, error) {
	var in stageInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c checker
	in.check(&c, false)
	if c.err != nil {
		return nil, c.err
	}
	if in.StageName != nil || in.Tags != nil {
		// Neither is a member of UpdateStage [M]: AWS ignores unknown members.
		in.StageName, in.Tags = nil, nil
	}
	apiID, name := r.Path("apiId"), r.Path("stageName")
	var st modelv2.Stage
	err := a.updateStageDoc(ctx, apiID, name, func(tx store.Tx, api modelv2.Api, seq int64, s *modelv2.Stage) error {
		wasAuto := s.AutoDeploy
		in.applyTo(s, api.ProtocolType)
		if err := a.checkStage(ctx, tx, api, s, &in); err != nil {
			return err
		}
		s.LastUpdatedDate = modelv2.TimeOf(a.now())
		st = *s
		if s.AutoDeploy && !wasAuto {
			err := a.deployStage(ctx, tx, apiID, seq, s)
			st = *s
			return err
		}
		return docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindStage, apiID, name), seq, *s)
	})
	return restjson.Output(stageOutput(st), err)
}

// updateStageDoc runs fn on a stage in one transaction; fn stores it.
func (a *API) updateStageDoc(ctx context.Context, apiID, name string, fn func(tx store.Tx, api modelv2.Api, seq int64, st *modelv2.Stage) error) error {
	return a.update(ctx, func(tx store.Tx) error {
		api, _, err := a.loadAPI(ctx, tx, apiID)
		if err != nil {
			return err
		}
		st, seq, err := docstore.Get[modelv2.Stage](ctx, tx, modelv2.ChildKey(modelv2.KindStage, apiID, name))
		if err != nil {
			return docstore.NotFound(err, errStage(name))
		}
		return fn(tx, api, seq, &st)
	})
}

func (a *API) deleteStage(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name := r.Path("apiId"), r.Path("stageName")
	return nil, a.updateStageDoc(ctx, apiID, name, func(tx store.Tx, _ modelv2.Api, _ int64, st *modelv2.Stage) error {
		if st.ApiGatewayManaged {
			return bad("Cannot delete a stage managed by API Gateway") // [M][U: text]
		}
		if err := tx.Delete(ctx, modelv2.ChildKey(modelv2.KindStage, apiID, name)); err != nil {
			return err
		}
		_, err := tx.DeletePrefix(ctx, modelv2.ChildKey(modelv2.KindFlush, apiID, name)+"/")
		return err
	})
}

func (a *API) deleteAccessLogSettings(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name := r.Path("apiId"), r.Path("stageName")
	return nil, a.updateStageDoc(ctx, apiID, name, func(tx store.Tx, _ modelv2.Api, seq int64, st *modelv2.Stage) error {
		if st.AccessLogSettings == nil {
			return nil
		}
		st.AccessLogSettings = nil
		st.LastUpdatedDate = modelv2.TimeOf(a.now())
		return docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindStage, apiID, name), seq, *st)
	})
}

func (a *API) deleteRouteSettings(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name, routeKey := r.Path("apiId"), r.Path("stageName"), r.Path("routeKey")
	return nil, a.updateStageDoc(ctx, apiID, name, func(tx store.Tx, _ modelv2.Api, seq int64, st *modelv2.Stage) error {
		if _, ok := st.RouteSettings[routeKey]; !ok {
			return notFound("RouteSettings", "Unable to find route settings for route key %s", routeKey) // [U]
		}
		delete(st.RouteSettings, routeKey)
		st.LastUpdatedDate = modelv2.TimeOf(a.now())
		return docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindStage, apiID, name), seq, *st)
	})
}

// flushMarker is the document ResetAuthorizersCache writes: the data plane
// empties the stage's authorizer cache when it changes.
type flushMarker struct {
	RequestedAt modelv2.Time `json:"requestedAt"`
}

func (a *API) resetAuthorizersCache(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name := r.Path("apiId"), r.Path("stageName")
	return nil, a.updateStageDoc(ctx, apiID, name, func(tx store.Tx, _ modelv2.Api, _ int64, _ *modelv2.Stage) error {
		key := modelv2.ChildKey(modelv2.KindFlush, apiID, name) + "/authorizers"
		return docstore.Put(ctx, tx, key, a.seq.Next(), flushMarker{RequestedAt: modelv2.TimeOf(a.now())})
	})
}
