package apigw

import (
	"context"
	"errors"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

type throttleInput struct {
	BurstLimit *int64   `json:"burstLimit"`
	RateLimit  *float64 `json:"rateLimit"`
}

func (t throttleInput) settings() model.ThrottleSettings {
	return model.ThrottleSettings{BurstLimit: model.Deref(t.BurstLimit), RateLimit: model.Double(model.Deref(t.RateLimit))}
}

type quotaInput struct {
	Limit  *int64  `json:"limit"`
	Offset *int64  `json:"offset"`
	Period *string `json:"period"`
}

type apiStageInput struct {
	ApiID    *string                  `json:"apiId"`
	Stage    *string                  `json:"stage"`
	Throttle map[string]throttleInput `json:"throttle"`
}

type createUsagePlanInput struct {
	Name        *string           `json:"name"`
	Description *string           `json:"description"`
	ApiStages   []apiStageInput   `json:"apiStages"`
	Throttle    *throttleInput    `json:"throttle"`
	Quota       *quotaInput       `json:"quota"`
	Tags        map[string]string `json:"tags"`
}

func (a *API) createUsagePlan(ctx context.Context, r *restjson.Request) (any, error) {
	var in createUsagePlanInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Name == nil {
		nullAt(&v, "createUsagePlanInput.name")
	}
	if q := in.Quota; q != nil && q.Period != nil && !in1(*q.Period, model.QuotaPeriods) {
		v.Enum(*q.Period, "createUsagePlanInput.quota.period", model.QuotaPeriods)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(*in.Name) == "" {
		return nil, errUsagePlanName
	}
	plan := model.UsagePlan{
		ID:          a.ids.ID(lenUsagePlanID),
		Name:        *in.Name,
		Description: optional(model.Deref(in.Description)),
		ApiStages:   []model.ApiStage{},
	}
	if in.Throttle != nil {
		plan.Throttle = model.Ptr(in.Throttle.settings())
	}
	if q := in.Quota; q != nil {
		plan.Quota = &model.QuotaSettings{Limit: model.Deref(q.Limit), Offset: model.Deref(q.Offset), Period: model.Deref(q.Period)}
	}
	for _, s := range in.ApiStages {
		st := model.ApiStage{ApiID: model.Deref(s.ApiID), Stage: model.Deref(s.Stage)}
		for k, t := range s.Throttle {
			if st.Throttle == nil {
				st.Throttle = map[string]model.ThrottleSettings{}
			}
			st.Throttle[k] = t.settings()
		}
		plan.ApiStages = addApiStage(plan.ApiStages, st)
	}
	if err := checkPlanLimits(&plan); err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 {
		plan.Tags = in.Tags
	}
	err := a.update(ctx, func(tx store.Tx) error {
		if taken, err := exists(ctx, tx, model.KeyUsagePlan(plan.ID)); err != nil || taken {
			return errors.Join(err, errors.New("usage plan id collision"))
		}
		for _, st := range plan.ApiStages {
			found, err := a.stageExists(ctx, tx, st.ApiID, st.Stage)
			if err != nil {
				return err
			}
			if !found {
				// AWS sends this text with its placeholders unfilled
				// ("{api: %s, stage: %s} ... usageplan %s") [C]; ours are filled.
				return awserr.BadRequest("%s", invalidApiStage(st.ApiID, st.Stage, plan.ID))
			}
		}
		return put(ctx, tx, model.KeyUsagePlan(plan.ID), a.seq.next(), plan)
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// addApiStage adds st to list, replacing an entry for the same API stage.
func addApiStage(list []model.ApiStage, st model.ApiStage) []model.ApiStage {
	for i := range list {
		if list[i].ApiID == st.ApiID && list[i].Stage == st.Stage {
			list[i] = st
			return list
		}
	}
	return append(list, st)
}

// findApiStage returns the index of apiID:stage in plan, or -1.
func findApiStage(plan *model.UsagePlan, apiID, stage string) int {
	for i, st := range plan.ApiStages {
		if st.ApiID == apiID && st.Stage == stage {
			return i
		}
	}
	return -1
}

func (a *API) stageExists(ctx context.Context, rd store.Reader, apiID, stage string) (bool, error) {
	if apiID == "" || stage == "" {
		return false, nil
	}
	found, err := exists(ctx, rd, model.ChildKey(model.KindStage, apiID, stage))
	if found || err != nil {
		return found, err
	}
	// A WebSocket API's stage may be in a usage plan too (API keys on
	// $connect) [D: "API keys and usage plans" for WebSocket APIs].
	return webSocketStageExists(ctx, rd, apiID, stage)
}

func (a *API) loadUsagePlan(ctx context.Context, rd store.Reader, id string) (model.UsagePlan, int64, error) {
	plan, seq, err := get[model.UsagePlan](ctx, rd, model.KeyUsagePlan(id))
	return plan, seq, notFound(err, errUsagePlan)
}

// usagePlanWithTags renders a plan with "tags" always present, as AWS does
// in GetUsagePlan and UpdateUsagePlan responses [V].
type usagePlanWithTags struct {
	model.UsagePlan
	Tags map[string]string `json:"tags"`
}

func planWithTags(p model.UsagePlan) usagePlanWithTags {
	tags := p.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return usagePlanWithTags{UsagePlan: p, Tags: tags}
}

func (a *API) getUsagePlan(ctx context.Context, r *restjson.Request) (any, error) {
	var plan model.UsagePlan
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		plan, _, err = a.loadUsagePlan(ctx, rd, r.Path("usageplanId"))
		return err
	})
	if err != nil {
		return nil, err
	}
	return planWithTags(plan), nil
}

// getUsagePlans lists plans in creation order; keyId selects the plans
// that key belongs to (an unknown key has none [U]).
func (a *API) getUsagePlans(ctx context.Context, r *restjson.Request) (any, error) {
	keyID, byKey := r.Query("keyId")
	var plans []model.UsagePlan
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		if plans, err = list[model.UsagePlan](ctx, rd, model.PrefixUsagePlans); err != nil || !byKey {
			return err
		}
		ids, err := a.keyPlans(ctx, rd, keyID)
		if err != nil {
			return err
		}
		kept := plans[:0]
		for _, p := range plans {
			if in1(p.ID, ids) {
				kept = append(kept, p)
			}
		}
		plans = kept
		return nil
	})
	if err != nil {
		return nil, err
	}
	return restjson.Paginate(r, plans, func(p model.UsagePlan) string { return p.ID })
}

// deleteUsagePlan refuses a plan still bound to API stages, as AWS does
// [C]; the keys it holds simply leave it.
func (a *API) deleteUsagePlan(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("usageplanId")
	return nil, a.update(ctx, func(tx store.Tx) error {
		plan, _, err := a.loadUsagePlan(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(plan.ApiStages) > 0 {
			st := plan.ApiStages[0]
			return awserr.BadRequest("Cannot delete Usage Plan %s because there are API Stages associated with it, including %s:%s", id, st.ApiID, st.Stage)
		}
		members, err := a.planMembers(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, m := range members {
			if err := a.unlinkKey(ctx, tx, id, m.V.KeyID); err != nil {
				return err
			}
		}
		return tx.Delete(ctx, model.KeyUsagePlan(id))
	})
}
