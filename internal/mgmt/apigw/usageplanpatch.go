package apigw

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

// updateUsagePlan applies the operations in order, then checks the result
// as a whole (limits, and that no key of the plan ends up in two plans
// bound to a newly added API stage). Any error leaves the plan unchanged.
func (a *API) updateUsagePlan(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("usageplanId")
	var before []model.ApiStage
	plan, err := patchDocument(ctx, a, r, "updateUsagePlanInput", model.KeyUsagePlan(id),
		func(rd store.Reader) (model.UsagePlan, int64, error) {
			p, seq, err := a.loadUsagePlan(ctx, rd, id)
			before = append([]model.ApiStage(nil), p.ApiStages...)
			return p, seq, err
		},
		func(tx store.Tx, p *model.UsagePlan, ops []patch.Operation) error {
			for _, op := range ops {
				if err := a.patchUsagePlan(ctx, tx, p, op); err != nil {
					return err
				}
			}
			if err := checkPlanLimits(p); err != nil {
				return err
			}
			return a.checkAddedStages(ctx, tx, p, before)
		})
	if err != nil {
		return nil, err
	}
	return planWithTags(plan), nil // tags always [V]
}

// checkAddedStages refuses API stages added to p that one of p's keys
// already reaches through another plan.
func (a *API) checkAddedStages(ctx context.Context, rd store.Reader, p *model.UsagePlan, before []model.ApiStage) error {
	var added []model.ApiStage
	for _, st := range p.ApiStages {
		old := model.UsagePlan{ApiStages: before}
		if findApiStage(&old, st.ApiID, st.Stage) < 0 {
			added = append(added, st)
		}
	}
	if len(added) == 0 {
		return nil
	}
	members, err := a.planMembers(ctx, rd, p.ID)
	if err != nil {
		return err
	}
	for _, m := range members {
		if err := a.checkKeyConflict(ctx, rd, p.ID, m.V.KeyID, added); err != nil {
			return err
		}
	}
	return nil
}

// patchUsagePlan applies one operation to p.
func (a *API) patchUsagePlan(ctx context.Context, rd store.Reader, p *model.UsagePlan, op patch.Operation) error {
	switch op.Path {
	case "/name":
		if op.Op != "replace" {
			return patch.UnsupportedOp(op)
		}
		if strings.TrimSpace(op.Str()) == "" {
			return errUsagePlanName
		}
		p.Name = op.Str()
	case "/description", "/productCode":
		field := &p.Description
		if op.Path == "/productCode" {
			field = &p.ProductCode
		}
		switch op.Op {
		case "replace":
			*field = optional(op.Str())
		case "remove":
			*field = nil
		default:
			return patch.UnsupportedOp(op)
		}
	case "/throttle", "/quota":
		if op.Op != "remove" {
			return patch.UnsupportedOp(op)
		}
		if op.Path == "/throttle" {
			p.Throttle = nil
		} else {
			p.Quota = nil
		}
	case "/throttle/burstLimit", "/throttle/rateLimit":
		if op.Op != "replace" {
			return patch.UnsupportedOp(op)
		}
		if p.Throttle == nil {
			p.Throttle = &model.ThrottleSettings{}
		}
		return setThrottleField(p.Throttle, strings.TrimPrefix(op.Path, "/throttle/"), op.Str())
	case "/quota/limit", "/quota/offset", "/quota/period":
		if op.Op != "replace" {
			return patch.UnsupportedOp(op)
		}
		if p.Quota == nil {
			p.Quota = &model.QuotaSettings{}
		}
		return setQuotaField(p.Quota, strings.TrimPrefix(op.Path, "/quota/"), op.Str())
	case "/apiStages":
		return a.patchApiStages(ctx, rd, p, op)
	default:
		if strings.HasPrefix(op.Path, "/apiStages/") {
			return patchStageThrottle(p, op)
		}
		return patch.InvalidPath(op)
	}
	return nil
}

func setThrottleField(t *model.ThrottleSettings, field, val string) error {
	switch field {
	case "burstLimit":
		n, err := strconv.ParseInt(val, 10, 32)
		if err != nil {
			return awserr.BadRequest("Invalid throttle burstLimit specified: %s", val) // [U]
		}
		t.BurstLimit = n
	case "rateLimit":
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return awserr.BadRequest("Invalid throttle rateLimit specified: %s", val) // [U]
		}
		t.RateLimit = model.Double(f)
	}
	return nil
}

func setQuotaField(q *model.QuotaSettings, field, val string) error {
	if field == "period" {
		if !in1(val, model.QuotaPeriods) {
			return errQuotaPeriod
		}
		q.Period = val
		return nil
	}
	n, err := strconv.ParseInt(val, 10, 32)
	if err != nil {
		return awserr.BadRequest("Invalid quota %s specified: %s", field, val) // [U]
	}
	if field == "limit" {
		q.Limit = n
	} else {
		q.Offset = n
	}
	return nil
}

// patchApiStages handles add/remove of /apiStages, value "apiId:stage".
// The API stage must exist, also for a remove [V].
func (a *API) patchApiStages(ctx context.Context, rd store.Reader, p *model.UsagePlan, op patch.Operation) error {
	if op.Op != "add" && op.Op != "remove" {
		return patch.OpNotAllowed(op, "add", "remove")
	}
	apiID, stage, err := splitApiStage(op.Str())
	if err != nil {
		return err
	}
	found, err := a.stageExists(ctx, rd, apiID, stage)
	if err != nil {
		return err
	}
	i := findApiStage(p, apiID, stage)
	switch {
	case !found:
		return awserr.NotFound("%s", invalidApiStage(apiID, stage, p.ID)) // [V]
	case op.Op == "add" && i < 0:
		p.ApiStages = append(p.ApiStages, model.ApiStage{ApiID: apiID, Stage: stage})
	case op.Op == "remove" && i < 0:
		return awserr.NotFound("%s", invalidApiStage(apiID, stage, p.ID)) // [U] not in the plan
	case op.Op == "remove":
		p.ApiStages = append(p.ApiStages[:i:i], p.ApiStages[i+1:]...)
	}
	return nil
}

// splitApiStage parses "apiId:stage" [V].
func splitApiStage(s string) (string, string, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", errApiStageValue
	}
	return parts[0], parts[1], nil
}

// patchStageThrottle handles the per-method throttles of one API stage of
// the plan [D]:
//
//	replace /apiStages/{apiId}:{stage}/throttle              value: JSON map
//	remove  /apiStages/{apiId}:{stage}/throttle
//	replace /apiStages/{apiId}:{stage}/throttle/{key}/rateLimit|burstLimit
//	remove  /apiStages/{apiId}:{stage}/throttle/{key}
//
// {key} is "{resourcePath}/{VERB}", written either with its slashes as path
// separators (/throttle/pets/GET/rateLimit, root: /throttle//GET/…) or
// escaped as one segment (/throttle/~1pets~1GET/rateLimit).
func patchStageThrottle(p *model.UsagePlan, op patch.Operation) error {
	ref, sub, _ := strings.Cut(strings.TrimPrefix(op.Path, "/apiStages/"), "/")
	apiID, stage, err := splitApiStage(patch.Unescape(ref))
	if err != nil {
		return err
	}
	i := findApiStage(p, apiID, stage)
	if i < 0 {
		return awserr.NotFound("%s", invalidApiStage(apiID, stage, p.ID)) // [U]
	}
	if sub != "throttle" && !strings.HasPrefix(sub, "throttle/") {
		return patch.InvalidPath(op)
	}
	st := &p.ApiStages[i]
	inner := strings.TrimPrefix(sub, "throttle")
	if inner == "" {
		return replaceStageThrottle(st, op)
	}
	field := ""
	if op.Op == "replace" {
		for _, f := range []string{"rateLimit", "burstLimit"} {
			if rest, ok := strings.CutSuffix(inner, "/"+f); ok {
				field, inner = f, rest
				break
			}
		}
		if field == "" {
			return patch.InvalidPath(op)
		}
	}
	key := methodThrottleKey(inner)
	switch op.Op {
	case "replace":
		if err := checkMethodThrottleKey(key); err != nil {
			return err
		}
		t := st.Throttle[key]
		if err := setThrottleField(&t, field, op.Str()); err != nil {
			return err
		}
		if st.Throttle == nil {
			st.Throttle = map[string]model.ThrottleSettings{}
		}
		st.Throttle[key] = t
	case "remove":
		if _, ok := st.Throttle[key]; !ok {
			return awserr.NotFound("Invalid method throttle key specified: %s", key) // [U]
		}
		delete(st.Throttle, key)
		if len(st.Throttle) == 0 {
			st.Throttle = nil
		}
	default:
		return patch.UnsupportedOp(op)
	}
	return nil
}

// replaceStageThrottle replaces (JSON map value) or removes a stage's whole
// per-method throttle map.
func replaceStageThrottle(st *model.ApiStage, op patch.Operation) error {
	switch op.Op {
	case "remove":
		st.Throttle = nil
	case "replace":
		var in map[string]throttleInput
		if err := json.Unmarshal([]byte(op.Str()), &in); err != nil {
			return awserr.BadRequest("Invalid method throttle map specified") // [U]
		}
		st.Throttle = nil
		for k, t := range in {
			if st.Throttle == nil {
				st.Throttle = map[string]model.ThrottleSettings{}
			}
			st.Throttle[k] = t.settings()
		}
	default:
		return patch.UnsupportedOp(op)
	}
	return nil
}

// methodThrottleKey turns the raw path between "/throttle" and the field
// into a throttle key: "/~1pets~1GET" (one escaped segment) and
// "/pets/GET" both give "/pets/GET"; "//GET" is the root.
func methodThrottleKey(raw string) string {
	if strings.Count(raw, "/") == 1 {
		return patch.Unescape(raw[1:])
	}
	return patch.Unescape(raw)
}
