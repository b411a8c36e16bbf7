package apigw

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

// apiKeyPaths are the replaceable members, in the order AWS lists them [V].
var apiKeyPaths = []string{"/description", "/enabled", "/name", "/customerId"}

func (a *API) updateApiKey(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("api_Key")
	k, err := patchDocument(ctx, a, r, "updateApiKeyInput", model.KeyApiKey(id),
		func(rd store.Reader) (model.StoredApiKey, int64, error) { return a.loadApiKey(ctx, rd, id) },
		func(tx store.Tx, k *model.StoredApiKey, ops []patch.Operation) error {
			for _, op := range ops {
				if err := a.patchApiKey(ctx, tx, k, op); err != nil {
					return err
				}
			}
			k.LastUpdatedDate = model.TimeOf(a.now())
			return nil
		})
	if err != nil {
		return nil, err
	}
	return withTags(k.ApiKey), nil // no value, tags always [V]
}

// patchApiKey applies one operation: replace of the members AWS lists, and
// add/remove of /stages ("restApiId/stageName") [U].
func (a *API) patchApiKey(ctx context.Context, rd store.Reader, k *model.StoredApiKey, op patch.Operation) error {
	if op.Path == "/stages" {
		return a.patchStageKeys(ctx, rd, k, op)
	}
	if !in1(op.Path, apiKeyPaths) {
		return patch.InvalidPathFor(op, apiKeyPaths...)
	}
	if op.Op != "replace" {
		return patch.UnsupportedOp(op)
	}
	val := op.Str()
	switch op.Path {
	case "/name":
		if len(val) > maxKeyName {
			return errKeyNameTooLong
		}
		k.Name = optional(val)
	case "/description":
		if len(val) > maxKeyDescription {
			return errKeyDescription
		}
		k.Description = optional(val)
	case "/enabled":
		k.Enabled, _ = parseBool(val) // anything but "true" is false [V]
	case "/customerId":
		k.CustomerID = optional(val)
	}
	return nil
}

func (a *API) patchStageKeys(ctx context.Context, rd store.Reader, k *model.StoredApiKey, op patch.Operation) error {
	ref := op.Str()
	switch op.Op {
	case "add":
		if err := a.checkStageKey(ctx, rd, ref); err != nil {
			return err
		}
		if !in1(ref, k.StageKeys) {
			k.StageKeys = append(k.StageKeys, ref)
		}
	case "remove":
		if !strings.Contains(ref, "/") {
			return errStageKeyIdentifier
		}
		k.StageKeys = without(k.StageKeys, ref)
	default:
		return patch.OpNotAllowed(op, "add", "remove")
	}
	if k.StageKeys == nil {
		k.StageKeys = []string{}
	}
	return nil
}
