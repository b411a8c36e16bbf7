package apigw

import (
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
)

// stagePathsMessage is the list AWS prints for an invalid stage patch path,
// verbatim (including its missing commas) [V].
const stagePathsMessage = "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]"

func errStagePath(path string) error {
	return awserr.BadRequest("Invalid method setting path: %s. Must be one of: %s", path, stagePathsMessage)
}

func errCannotRemove(setting string) error {
	return awserr.BadRequest("Cannot remove method setting %s because there is no method setting for this method ", setting)
}

var errAccessLogPath = awserr.BadRequest("Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]")

// stagePatcher applies UpdateStage operations to a stage.
type stagePatcher struct {
	st               *model.Stage
	deploymentExists func(id string) error
	clientCertExists func(id string) error
}

func (p *stagePatcher) apply(op patch.Operation) error {
	if op.Op == "copy" {
		return p.copy(op)
	}
	seg := patch.Segments(op.Path)
	if len(seg) == 0 {
		return errStagePath(op.Path)
	}
	switch seg[0] {
	case "deploymentId", "description", "cacheClusterEnabled", "cacheClusterSize", "clientCertificateId", "tracingEnabled":
		if len(seg) == 1 {
			if op.Op != "replace" {
				return patch.InvalidOp("replace")
			}
			return p.replaceField(seg[0], op.Str())
		}
	case "variables":
		if len(seg) == 2 {
			return p.variable(seg[1], op)
		}
	case "accessLogSettings":
		return p.accessLog(seg, op)
	case "canarySettings":
		return p.canary(seg, op)
	}
	return p.methodSetting(seg, op)
}

func (p *stagePatcher) replaceField(field, val string) error {
	st := p.st
	switch field {
	case "deploymentId":
		if err := p.deploymentExists(val); err != nil {
			return err
		}
		st.DeploymentID = val
	case "description":
		st.Description = optional(val)
	case "cacheClusterEnabled":
		on, _ := parseBool(val)
		setCacheCluster(st, on)
	case "cacheClusterSize":
		if err := checkCacheClusterSize(&val); err != nil {
			return err
		}
		st.CacheClusterSize = &val
	case "clientCertificateId":
		// "" detaches the certificate; any other value must name one.
		if val != "" {
			if err := p.clientCertExists(val); err != nil {
				return err
			}
		}
		st.ClientCertificateID = optional(val)
	case "tracingEnabled":
		st.TracingEnabled, _ = parseBool(val)
	}
	return nil
}

func (p *stagePatcher) variable(name string, op patch.Operation) error {
	st := p.st
	switch op.Op {
	case "add", "replace":
		if st.Variables == nil {
			st.Variables = map[string]string{}
		}
		st.Variables[name] = op.Str()
	case "remove":
		delete(st.Variables, name)
		if len(st.Variables) == 0 {
			st.Variables = nil
		}
	default:
		return patch.OpNotAllowed(op, "add", "remove", "replace")
	}
	return nil
}

func (p *stagePatcher) accessLog(seg []string, op patch.Operation) error {
	st := p.st
	if op.Op == "remove" {
		if len(seg) == 1 {
			st.AccessLogSettings = nil
			return nil
		}
		return errCannotRemove(strings.Join(seg, "/"))
	}
	if op.Op != "add" && op.Op != "replace" {
		return patch.OpNotAllowed(op, "add", "remove", "replace")
	}
	if len(seg) != 2 || (seg[1] != "destinationArn" && seg[1] != "format") {
		return errAccessLogPath
	}
	if op.Str() == "" {
		return awserr.BadRequest("Access Log value must not be empty")
	}
	if st.AccessLogSettings == nil {
		st.AccessLogSettings = &model.AccessLogSettings{}
	}
	val := op.Str()
	if seg[1] == "destinationArn" {
		st.AccessLogSettings.DestinationArn = &val
	} else {
		st.AccessLogSettings.Format = &val
	}
	return nil
}

func (p *stagePatcher) canary(seg []string, op patch.Operation) error {
	st := p.st
	switch op.Op {
	case "remove":
		switch {
		case len(seg) == 1:
			st.CanarySettings = nil
			return nil
		case len(seg) == 3 && seg[1] == "stageVariableOverrides" && st.CanarySettings != nil:
			delete(st.CanarySettings.StageVariableOverrides, seg[2])
			if len(st.CanarySettings.StageVariableOverrides) == 0 {
				st.CanarySettings.StageVariableOverrides = nil
			}
			return nil
		}
		return errCannotRemove(strings.Join(seg, "/"))
	case "add":
		if len(seg) == 3 && seg[1] == "stageVariableOverrides" {
			break
		}
		return awserr.BadRequest("Invalid add operation with path: %s", op.Path)
	case "replace":
	default:
		return patch.OpNotAllowed(op, "add", "remove", "replace")
	}
	if len(seg) < 2 {
		return errStagePath(op.Path)
	}
	if st.CanarySettings == nil {
		// A canary created by patching starts on the stage's deployment
		// with no traffic [V].
		st.CanarySettings = &model.CanarySettings{DeploymentID: model.Ptr(st.DeploymentID), PercentTraffic: model.Ptr(model.Double(0))}
	}
	cs := st.CanarySettings
	val := op.Str()
	switch {
	case len(seg) == 2 && seg[1] == "percentTraffic":
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || f < 0 || f > 100 {
			return awserr.BadRequest("Canary weight must be between 0.0 and 100.0") // [U]
		}
		cs.PercentTraffic = model.Ptr(model.Double(f))
	case len(seg) == 2 && seg[1] == "deploymentId":
		if err := p.deploymentExists(val); err != nil {
			return err
		}
		cs.DeploymentID = &val
	case len(seg) == 2 && seg[1] == "useStageCache":
		cs.UseStageCache, _ = parseBool(val)
	case len(seg) == 3 && seg[1] == "stageVariableOverrides":
		if cs.StageVariableOverrides == nil {
			cs.StageVariableOverrides = map[string]string{}
		}
		cs.StageVariableOverrides[seg[2]] = val
	default:
		return errStagePath(op.Path)
	}
	return nil
}

// copy implements canary promotion: copy /canarySettings/deploymentId to
// /deploymentId and /canarySettings/stageVariableOverrides to /variables.
func (p *stagePatcher) copy(op patch.Operation) error {
	st := p.st
	from := model.Deref(op.From)
	switch {
	case op.Path == "/deploymentId" && from == "/canarySettings/deploymentId":
		if st.CanarySettings == nil || st.CanarySettings.DeploymentID == nil {
			return awserr.BadRequest("Promotion not available. Canary does not exist.")
		}
		st.DeploymentID = *st.CanarySettings.DeploymentID
	case op.Path == "/variables" && from == "/canarySettings/stageVariableOverrides":
		if st.CanarySettings == nil {
			return awserr.BadRequest("Promotion not available. Canary does not exist.")
		}
		for k, v := range st.CanarySettings.StageVariableOverrides {
			if st.Variables == nil {
				st.Variables = map[string]string{}
			}
			st.Variables[k] = v
		}
	default:
		return awserr.BadRequest("Invalid copy operation with path: %s and from %s. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]", op.Path, from)
	}
	return nil
}

// methodSetting handles /{resourcePath}/{httpMethod}/{group}/{field} and
// the removal of a whole setting, /{resourcePath}/{httpMethod}.
func (p *stagePatcher) methodSetting(seg []string, op patch.Operation) error {
	st := p.st
	if op.Op == "remove" {
		if len(seg) < 2 {
			return errStagePath(op.Path)
		}
		key := settingKey(seg[:len(seg)-1], seg[len(seg)-1])
		if st.MethodSettings[key] == nil {
			return errCannotRemove(key)
		}
		delete(st.MethodSettings, key)
		return nil
	}
	if len(seg) < 4 {
		return errStagePath(op.Path)
	}
	verb := seg[len(seg)-3]
	if verb != "*" && !in1(verb, model.HTTPMethods) {
		return errStagePath(op.Path)
	}
	field := seg[len(seg)-2] + "/" + seg[len(seg)-1]
	if !in1(field, methodSettingFields) {
		return errStagePath(op.Path)
	}
	if op.Op != "replace" && op.Op != "add" {
		return patch.InvalidOp("replace")
	}
	key := settingKey(seg[:len(seg)-3], verb)
	ms := st.MethodSettings[key]
	if ms == nil {
		base := model.DefaultMethodSetting()
		if all := st.MethodSettings["*/*"]; all != nil && key != "*/*" {
			base = *all
		}
		ms = &base
	}
	if err := setMethodSetting(ms, field, op.Str()); err != nil {
		return err
	}
	if st.MethodSettings == nil {
		st.MethodSettings = map[string]*model.MethodSetting{}
	}
	st.MethodSettings[key] = ms
	return nil
}

var methodSettingFields = []string{
	"metrics/enabled", "logging/dataTrace", "logging/loglevel", "throttling/burstLimit", "throttling/rateLimit",
	"caching/ttlInSeconds", "caching/enabled", "caching/dataEncrypted", "caching/requireAuthorizationForCacheControl",
	"caching/unauthorizedCacheControlHeaderStrategy",
}

// settingKey builds a methodSettings key from the resource-path segments
// and the verb: "*/*", "pets/GET", "pets/{id}/GET".
func settingKey(pathSegs []string, verb string) string {
	path := strings.Trim(strings.Join(pathSegs, "/"), "/")
	return path + "/" + verb
}

func setMethodSetting(ms *model.MethodSetting, field, val string) error {
	bad := func() error {
		return awserr.BadRequest("Invalid value %q specified for method setting %s", val, field) // [U]
	}
	switch field {
	case "metrics/enabled":
		ms.MetricsEnabled, _ = parseBool(val)
	case "logging/dataTrace":
		ms.DataTraceEnabled, _ = parseBool(val)
	case "logging/loglevel":
		if !in1(val, model.LoggingLevels) {
			return awserr.BadRequest("Invalid logging level specified: %s. Valid values are OFF, ERROR, INFO", val) // [U]
		}
		ms.LoggingLevel = &val
	case "throttling/burstLimit":
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n < 0 {
			return bad()
		}
		ms.ThrottlingBurstLimit = n
	case "throttling/rateLimit":
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || f < 0 {
			return bad()
		}
		ms.ThrottlingRateLimit = model.Double(f)
	case "caching/ttlInSeconds":
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n < 0 || n > 3600 {
			return bad()
		}
		ms.CacheTTLInSeconds = n
	case "caching/enabled":
		ms.CachingEnabled, _ = parseBool(val)
	case "caching/dataEncrypted":
		ms.CacheDataEncrypted, _ = parseBool(val)
	case "caching/requireAuthorizationForCacheControl":
		ms.RequireAuthorizationForCacheControl, _ = parseBool(val)
	case "caching/unauthorizedCacheControlHeaderStrategy":
		if !in1(val, model.CacheStrategies) {
			return bad()
		}
		ms.UnauthorizedCacheControlHeaderStrategy = val
	}
	return nil
}
