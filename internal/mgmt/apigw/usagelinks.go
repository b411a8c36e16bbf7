package apigw

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// A key's membership in a plan is stored twice, by plan
// (usageplankey/{plan}/{key}) and by key (apikeyplan/{key}/{plan}), in one
// transaction, so that both directions are a prefix listing.

// keyPlans returns the ids of the plans key keyID belongs to.
func (a *API) keyPlans(ctx context.Context, rd store.Reader, keyID string) ([]string, error) {
	prefix := model.ApiKeyPlansPrefix(keyID)
	items, err := rd.List(ctx, prefix, store.ListOptions{})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = strings.TrimPrefix(it.Key, prefix)
	}
	return ids, nil
}

// planMembers returns a plan's memberships, oldest first.
func (a *API) planMembers(ctx context.Context, rd store.Reader, planID string) ([]record[model.UsagePlanKeyMember], error) {
	return listRecords[model.UsagePlanKeyMember](ctx, rd, model.UsagePlanKeysPrefix(planID))
}

// linkKey records key keyID as a member of plan planID.
func (a *API) linkKey(ctx context.Context, tx store.Tx, planID, keyID string) error {
	m := model.UsagePlanKeyMember{UsagePlanID: planID, KeyID: keyID}
	seq := a.seq.next()
	if err := put(ctx, tx, model.KeyUsagePlanKey(planID, keyID), seq, m); err != nil {
		return err
	}
	return put(ctx, tx, model.KeyApiKeyPlan(keyID, planID), seq, m)
}

// unlinkKey removes key keyID from plan planID (both index entries).
func (a *API) unlinkKey(ctx context.Context, tx store.Tx, planID, keyID string) error {
	for _, k := range []string{model.KeyUsagePlanKey(planID, keyID), model.KeyApiKeyPlan(keyID, planID)} {
		if err := tx.Delete(ctx, k); err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}

// checkKeyConflict enforces "one plan per API stage for a key" [D]: key
// keyID may not join (or stay in) plan while another plan it belongs to is
// bound to one of stages.
func (a *API) checkKeyConflict(ctx context.Context, rd store.Reader, planID, keyID string, stages []model.ApiStage) error {
	if len(stages) == 0 {
		return nil
	}
	others, err := a.keyPlans(ctx, rd, keyID)
	if err != nil {
		return err
	}
	for _, otherID := range others {
		if otherID == planID {
			continue
		}
		other, _, err := get[model.UsagePlan](ctx, rd, model.KeyUsagePlan(otherID))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		for _, st := range stages {
			if findApiStage(&other, st.ApiID, st.Stage) >= 0 {
				// [U] AWS's text, as remembered; not recorded.
				return awserr.Conflict("Usage Plan %s cannot be added because API Key %s cannot reference multiple Usage Plans with the same API Stage: %s:%s",
					planID, keyID, st.ApiID, st.Stage)
			}
		}
	}
	return nil
}

// detachStages removes apiID's stage (every stage of apiID when stage is
// "") from every usage plan. Deleting a stage or an API calls it in the
// same transaction, so that no plan points at a stage that is gone [U: AWS
// may instead refuse the delete; detaching keeps clients' clean-up order
// free].
func (a *API) detachStages(ctx context.Context, tx store.Tx, apiID, stage string) error {
	recs, err := listRecords[model.UsagePlan](ctx, tx, model.PrefixUsagePlans)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		plan := rec.V
		kept := make([]model.ApiStage, 0, len(plan.ApiStages))
		for _, st := range plan.ApiStages {
			if st.ApiID == apiID && (stage == "" || st.Stage == stage) {
				continue
			}
			kept = append(kept, st)
		}
		if len(kept) == len(plan.ApiStages) {
			continue
		}
		plan.ApiStages = kept
		if err := put(ctx, tx, model.KeyUsagePlan(plan.ID), rec.Seq, plan); err != nil {
			return err
		}
	}
	return nil
}
