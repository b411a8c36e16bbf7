package apigw

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/tollgate/tollgate/internal/apikey"
	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/store"
)

// Usage is GetUsage's and UpdateUsage's answer: under "values", per key
// id, one [used, remaining] pair per day from startDate to endDate
// (reference §1.1).
type Usage struct {
	UsagePlanID string                `json:"usagePlanId"`
	StartDate   string                `json:"startDate"`
	EndDate     string                `json:"endDate"`
	Position    string                `json:"position,omitempty"`
	Items       map[string][][2]int64 `json:"values"`
}

const usageDate = "2006-01-02"

// usageQuota is the plan's quota as the counter takes it (nil: the plan
// has none, and requests are not counted).
func usageQuota(plan *model.UsagePlan) (*ratelimit.Quota, error) {
	if plan.Quota == nil {
		return nil, nil
	}
	p, err := ratelimit.ParsePeriod(plan.Quota.Period)
	if err != nil {
		return nil, err
	}
	return &ratelimit.Quota{Limit: plan.Quota.Limit, Period: p}, nil
}

func (a *API) getUsage(ctx context.Context, r *restjson.Request) (any, error) {
	planID := r.Path("usageplanId")
	start, okStart := r.Query("startDate")
	end, okEnd := r.Query("endDate")
	if !okStart || !okEnd {
		return nil, awserr.BadRequest("Start date and end date are required") // [U]
	}
	from, err1 := time.Parse(usageDate, start)
	to, err2 := time.Parse(usageDate, end)
	if err1 != nil || err2 != nil {
		return nil, awserr.BadRequest("Invalid date format. Dates should be in the format yyyy-MM-dd") // [U]
	}
	if to.Before(from) {
		return nil, awserr.BadRequest("The end date must not be before the start date") // [U]
	}
	if to.Sub(from) > (ratelimit.MaxUsageDays-1)*24*time.Hour {
		return nil, awserr.BadRequest("The date range must not exceed 90 days") // [U]
	}
	keyID, oneKey := r.Query("keyId")
	var plan model.UsagePlan
	var keys []string
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		if plan, _, err = a.loadUsagePlan(ctx, rd, planID); err != nil {
			return err
		}
		if oneKey {
			if _, err := a.loadPlanKey(ctx, rd, planID, keyID); err != nil {
				return err
			}
			keys = []string{keyID}
			return nil
		}
		members, err := a.planMembers(ctx, rd, planID)
		for _, m := range members {
			keys = append(keys, m.V.KeyID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	page, err := restjson.Paginate(r, keys, func(k string) string { return k })
	if err != nil {
		return nil, err
	}
	out := Usage{UsagePlanID: planID, StartDate: start, EndDate: end, Position: page.Position, Items: map[string][][2]int64{}}
	q, err := usageQuota(&plan)
	if err != nil || q == nil || a.usage == nil {
		// Without a quota requests are not counted [U: AWS's answer].
		return out, err
	}
	for _, k := range page.Item {
		days, err := a.usage.Usage(ctx, apikey.QuotaKey(planID, k), *q, from, to)
		if err != nil {
			return nil, err
		}
		pairs := make([][2]int64, len(days))
		for i, d := range days {
			pairs[i] = [2]int64{d.Used, d.Remaining}
		}
		out.Items[k] = pairs
	}
	return out, nil
}

// updateUsage grants quota: `replace /remaining` sets what is left of the
// key's current period (UpdateUsage).
func (a *API) updateUsage(ctx context.Context, r *restjson.Request) (any, error) {
	planID, keyID := r.Path("usageplanId"), r.Path("keyId")
	ops, err := decodePatch(r, "updateUsageInput")
	if err != nil {
		return nil, err
	}
	var plan model.UsagePlan
	err = a.view(ctx, func(rd store.Reader) error {
		var err error
		if plan, _, err = a.loadUsagePlan(ctx, rd, planID); err != nil {
			return err
		}
		_, err = a.loadPlanKey(ctx, rd, planID, keyID)
		return err
	})
	if err != nil {
		return nil, err
	}
	q, err := usageQuota(&plan)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, awserr.BadRequest("Usage plan %s has no quota", planID) // [U]
	}
	var remaining *int64
	for _, op := range ops {
		if op.Op != "replace" || op.Path != "/remaining" {
			return nil, patch.InvalidPathFor(op, "/remaining")
		}
		n, err := strconv.ParseInt(op.Str(), 10, 64)
		if err != nil || n < 0 {
			return nil, awserr.BadRequest("Invalid remaining value %q", op.Str()) // [U]
		}
		remaining = &n
	}
	now := a.now().UTC()
	if remaining != nil && a.usage != nil {
		if err := a.usage.SetRemaining(ctx, apikey.QuotaKey(planID, keyID), *q, *remaining, now); err != nil {
			return nil, err
		}
	}
	day := now.Format(usageDate)
	out := Usage{UsagePlanID: planID, StartDate: day, EndDate: day, Items: map[string][][2]int64{}}
	if a.usage == nil {
		return out, errors.New("no usage counter configured")
	}
	days, err := a.usage.Usage(ctx, apikey.QuotaKey(planID, keyID), *q, now, now)
	if err != nil {
		return nil, err
	}
	for _, d := range days {
		out.Items[keyID] = append(out.Items[keyID], [2]int64{d.Used, d.Remaining})
	}
	return out, nil
}
