package apigw

import (
	"context"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

type createUsagePlanKeyInput struct {
	KeyID   *string `json:"keyId"`
	KeyType *string `json:"keyType"`
}

func (a *API) createUsagePlanKey(ctx context.Context, r *restjson.Request) (any, error) {
	var in createUsagePlanKeyInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.KeyID == nil {
		nullAt(&v, "createUsagePlanKeyInput.keyId")
	}
	if in.KeyType == nil {
		nullAt(&v, "createUsagePlanKeyInput.keyType")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if *in.KeyType != model.KeyTypeApiKey {
		return nil, awserr.BadRequest("Invalid Usage Plan Key type specified. Valid options are API_KEY") // [U]
	}
	planID, keyID := r.Path("usageplanId"), *in.KeyID
	var out model.UsagePlanKey
	err := a.update(ctx, func(tx store.Tx) error {
		plan, _, err := a.loadUsagePlan(ctx, tx, planID)
		if err != nil {
			return err
		}
		k, _, err := a.loadApiKey(ctx, tx, keyID)
		if err != nil {
			return err
		}
		member, err := exists(ctx, tx, model.KeyUsagePlanKey(planID, keyID))
		if err != nil {
			return err
		}
		if member {
			return awserr.Conflict("Usage Plan Key already exists") // [U]
		}
		if err := a.checkKeyConflict(ctx, tx, planID, keyID, plan.ApiStages); err != nil {
			return err
		}
		if out, err = a.usagePlanKey(&k); err != nil {
			return err
		}
		return a.linkKey(ctx, tx, planID, keyID)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// usagePlanKey is the wire form of a key as a plan member, value included [V].
func (a *API) usagePlanKey(k *model.StoredApiKey) (model.UsagePlanKey, error) {
	v, err := a.openValue(k)
	if err != nil {
		return model.UsagePlanKey{}, err
	}
	return model.UsagePlanKey{ID: k.ID, Type: model.KeyTypeApiKey, Value: v, Name: k.Name}, nil
}

// getUsagePlanKeys lists a plan's keys newest first [V], filtered by name
// prefix (case-sensitive [V]). An unknown plan has no keys: AWS answers 200
// with an empty list [V].
func (a *API) getUsagePlanKeys(ctx context.Context, r *restjson.Request) (any, error) {
	planID := r.Path("usageplanId")
	name, byName := r.Query("name")
	var keys []model.StoredApiKey
	err := a.view(ctx, func(rd store.Reader) error {
		members, err := a.planMembers(ctx, rd, planID)
		if err != nil {
			return err
		}
		slices.Reverse(members)
		for _, m := range members {
			k, _, err := get[model.StoredApiKey](ctx, rd, model.KeyApiKey(m.V.KeyID))
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if byName && (k.Name == nil || !strings.HasPrefix(*k.Name, name)) {
				continue
			}
			keys = append(keys, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, err := restjson.Paginate(r, keys, func(k model.StoredApiKey) string { return k.ID })
	if err != nil {
		return nil, err
	}
	out := restjson.List[model.UsagePlanKey]{Item: make([]model.UsagePlanKey, len(page.Item)), Position: page.Position}
	for i := range page.Item {
		if out.Item[i], err = a.usagePlanKey(&page.Item[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadPlanKey reads a key that must be a member of the plan.
func (a *API) loadPlanKey(ctx context.Context, rd store.Reader, planID, keyID string) (model.StoredApiKey, error) {
	if _, _, err := a.loadUsagePlan(ctx, rd, planID); err != nil {
		return model.StoredApiKey{}, err
	}
	member, err := exists(ctx, rd, model.KeyUsagePlanKey(planID, keyID))
	if err != nil {
		return model.StoredApiKey{}, err
	}
	if !member {
		return model.StoredApiKey{}, errUsagePlanKey
	}
	k, _, err := get[model.StoredApiKey](ctx, rd, model.KeyApiKey(keyID))
	return k, notFound(err, errUsagePlanKey)
}

func (a *API) getUsagePlanKey(ctx context.Context, r *restjson.Request) (any, error) {
	var k model.StoredApiKey
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		k, err = a.loadPlanKey(ctx, rd, r.Path("usageplanId"), r.Path("keyId"))
		return err
	})
	if err != nil {
		return nil, err
	}
	return output(a.usagePlanKey(&k))
}

func (a *API) deleteUsagePlanKey(ctx context.Context, r *restjson.Request) (any, error) {
	planID, keyID := r.Path("usageplanId"), r.Path("keyId")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, err := a.loadPlanKey(ctx, tx, planID, keyID); err != nil {
			return err
		}
		return a.unlinkKey(ctx, tx, planID, keyID)
	})
}
