package apigw

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// API key limits and AWS's messages for them [V].
const (
	maxKeyName        = 1024
	minKeyValue       = 20
	maxKeyValue       = 128
	maxKeyDescription = 125000
)

var (
	errKeyNameTooLong     = awserr.BadRequest("Invalid API Key name, can be at most 1024 characters.")
	errKeyValueTooShort   = awserr.BadRequest("API Key value should be at least 20 characters")
	errKeyValueTooLong    = awserr.BadRequest("API Key value exceeds maximum size of 128 characters")
	errKeyDescription     = awserr.BadRequest("Invalid API Key description specified.")
	errKeyValueTaken      = awserr.Conflict("API Key already exists")               // [C]
	errStageKeyIdentifier = awserr.BadRequest("Invalid stage identifier specified") // [U] (moto's text)
)

// valueOwner is the document of the value index: which key has a value.
type valueOwner struct {
	KeyID string `json:"keyId"`
}

type stageKeyInput struct {
	RestApiID *string `json:"restApiId"`
	StageName *string `json:"stageName"`
}

type createApiKeyInput struct {
	Name               *string           `json:"name"`
	Description        *string           `json:"description"`
	Enabled            *bool             `json:"enabled"`
	GenerateDistinctID *bool             `json:"generateDistinctId"` // legacy; ids are always distinct
	Value              *string           `json:"value"`
	StageKeys          []stageKeyInput   `json:"stageKeys"`
	CustomerID         *string           `json:"customerId"`
	Tags               map[string]string `json:"tags"`
}

func (a *API) createApiKey(ctx context.Context, r *restjson.Request) (any, error) {
	if mode, ok := r.Query("mode"); ok && mode == "import" {
		return nil, awserr.BadRequest("Importing API keys is not supported yet")
	}
	var in createApiKeyInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	// AWS's order of checks: name, value, description [L].
	if len(model.Deref(in.Name)) > maxKeyName {
		return nil, errKeyNameTooLong
	}
	value := model.Deref(in.Value)
	if err := checkKeyValue(value); err != nil {
		return nil, err
	}
	if len(model.Deref(in.Description)) > maxKeyDescription {
		return nil, errKeyDescription
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	if value == "" {
		value = a.newValue() // an empty value is generated too [V]
	}
	sealed, digest, err := a.sealValue(value)
	if err != nil {
		return nil, err
	}
	now := model.TimeOf(a.now())
	k := model.StoredApiKey{
		ApiKey: model.ApiKey{
			Name:            optional(model.Deref(in.Name)), // an empty name is no name [V]
			Description:     optional(model.Deref(in.Description)),
			CustomerID:      optional(model.Deref(in.CustomerID)),
			Enabled:         model.Deref(in.Enabled), // false unless asked [V]
			CreatedDate:     now,
			LastUpdatedDate: now,
			StageKeys:       []string{},
		},
		SealedValue: sealed,
		ValueDigest: digest,
	}
	if len(in.Tags) > 0 {
		k.Tags = in.Tags
	}
	err = a.update(ctx, func(tx store.Tx) error {
		for _, sk := range in.StageKeys {
			ref := model.Deref(sk.RestApiID) + "/" + model.Deref(sk.StageName)
			if err := a.checkStageKey(ctx, tx, ref); err != nil {
				return err
			}
			if !in1(ref, k.StageKeys) {
				k.StageKeys = append(k.StageKeys, ref)
			}
		}
		k.ID = a.ids.ID(lenApiKeyID)
		if taken, err := exists(ctx, tx, model.KeyApiKey(k.ID)); err != nil || taken {
			return errors.Join(err, errors.New("api key id collision"))
		}
		taken, err := exists(ctx, tx, model.KeyApiKeyValue(digest))
		if err != nil {
			return err
		}
		if taken {
			return errKeyValueTaken
		}
		if err := put(ctx, tx, model.KeyApiKeyValue(digest), 0, valueOwner{KeyID: k.ID}); err != nil {
			return err
		}
		return put(ctx, tx, model.KeyApiKey(k.ID), a.seq.next(), k)
	})
	if err != nil {
		return nil, err
	}
	out := k.ApiKey
	out.Value = &value
	return out, nil
}

// checkKeyValue enforces AWS's limits on a given value ("" means none).
func checkKeyValue(v string) error {
	switch {
	case len(v) > maxKeyValue:
		return errKeyValueTooLong
	case v != "" && len(v) < minKeyValue:
		return errKeyValueTooShort
	}
	return nil
}

// checkStageKey checks that a "restApiId/stageName" stage key names an
// existing stage.
func (a *API) checkStageKey(ctx context.Context, rd store.Reader, ref string) error {
	apiID, stage, ok := strings.Cut(ref, "/")
	if !ok || apiID == "" || stage == "" {
		return errStageKeyIdentifier
	}
	found, err := exists(ctx, rd, model.ChildKey(model.KindStage, apiID, stage))
	if err != nil {
		return err
	}
	if !found {
		return errStageKeyIdentifier
	}
	return nil
}

func (a *API) loadApiKey(ctx context.Context, rd store.Reader, id string) (model.StoredApiKey, int64, error) {
	k, seq, err := get[model.StoredApiKey](ctx, rd, model.KeyApiKey(id))
	return k, seq, notFound(err, errApiKey)
}

// apiKeyWithTags renders a key with "tags" always present, as AWS does in
// GetApiKey and UpdateApiKey responses [V].
type apiKeyWithTags struct {
	model.ApiKey
	Tags map[string]string `json:"tags"`
}

func withTags(k model.ApiKey) apiKeyWithTags {
	tags := k.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return apiKeyWithTags{ApiKey: k, Tags: tags}
}

func (a *API) getApiKey(ctx context.Context, r *restjson.Request) (any, error) {
	var k model.StoredApiKey
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		k, _, err = a.loadApiKey(ctx, rd, r.Path("api_Key"))
		return err
	})
	if err != nil {
		return nil, err
	}
	out := k.ApiKey
	if queryBool(r, "includeValue") {
		if out, err = a.withValue(&k); err != nil {
			return nil, err
		}
	}
	return withTags(out), nil
}

// queryBool reads a boolean query parameter as the SDKs send it.
func queryBool(r *restjson.Request, name string) bool {
	v, _ := r.Query(name)
	return strings.EqualFold(v, "true")
}

// getApiKeys lists keys newest first [L: LocalStack lists them so, and the
// recordings agree], filtered by name prefix (case-sensitive [V]) and
// customer id, with values only when includeValues is true [V].
func (a *API) getApiKeys(ctx context.Context, r *restjson.Request) (any, error) {
	name, byName := r.Query("name")
	customer, byCustomer := r.Query("customerId")
	var keys []model.StoredApiKey
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		keys, err = list[model.StoredApiKey](ctx, rd, model.PrefixApiKeys)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(keys)
	selected := make([]model.StoredApiKey, 0, len(keys))
	for _, k := range keys {
		if byName && (k.Name == nil || !strings.HasPrefix(*k.Name, name)) {
			continue
		}
		if byCustomer && model.Deref(k.CustomerID) != customer {
			continue
		}
		selected = append(selected, k)
	}
	page, err := restjson.Paginate(r, selected, func(k model.StoredApiKey) string { return k.ID })
	if err != nil {
		return nil, err
	}
	out := restjson.List[model.ApiKey]{Item: make([]model.ApiKey, len(page.Item)), Position: page.Position}
	values := queryBool(r, "includeValues")
	for i := range page.Item {
		out.Item[i] = page.Item[i].ApiKey
		if values {
			if out.Item[i], err = a.withValue(&page.Item[i]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (a *API) deleteApiKey(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("api_Key")
	return nil, a.update(ctx, func(tx store.Tx) error {
		k, _, err := a.loadApiKey(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tx.Delete(ctx, model.KeyApiKey(id)); err != nil {
			return err
		}
		if err := tx.Delete(ctx, model.KeyApiKeyValue(k.ValueDigest)); err != nil && !isNotFound(err) {
			return err
		}
		// The key leaves every usage plan [V: GetUsagePlanKeys no longer
		// lists it].
		plans, err := a.keyPlans(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, planID := range plans {
			if err := a.unlinkKey(ctx, tx, planID, id); err != nil {
				return err
			}
		}
		return nil
	})
}
