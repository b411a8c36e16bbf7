package apigw

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

type createValidatorInput struct {
	Name                      *string `json:"name"`
	ValidateRequestBody       *bool   `json:"validateRequestBody"`
	ValidateRequestParameters *bool   `json:"validateRequestParameters"`
}

func (a *API) createValidator(ctx context.Context, r *restjson.Request) (any, error) {
	var in createValidatorInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	val := model.RequestValidator{
		Name:                      model.Deref(in.Name),
		ValidateRequestBody:       model.Deref(in.ValidateRequestBody),
		ValidateRequestParameters: model.Deref(in.ValidateRequestParameters),
	}
	err := a.update(ctx, func(tx store.Tx) error {
		if _, err := a.loadAPI(ctx, tx, apiID); err != nil {
			// CreateRequestValidator answers an unknown API with a 400 [V].
			return awserr.BadRequest("Invalid REST API identifier specified")
		}
		val.ID = a.ids.ID(lenChildID)
		return put(ctx, tx, model.ChildKey(model.KindValidator, apiID, val.ID), a.seq.next(), val)
	})
	if err != nil {
		return nil, err
	}
	return val, nil
}

func (a *API) getValidators(ctx context.Context, r *restjson.Request) (any, error) {
	return listChildren(ctx, a, r, model.KindValidator, func(v model.RequestValidator) string { return v.ID })
}

// loadValidator reads one validator; an unknown API reads as an unknown
// validator [V].
func (a *API) loadValidator(ctx context.Context, rd store.Reader, apiID, id string) (model.RequestValidator, int64, error) {
	v, seq, err := get[model.RequestValidator](ctx, rd, model.ChildKey(model.KindValidator, apiID, id))
	return v, seq, notFound(err, errValidator)
}

func (a *API) getValidator(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("requestvalidator_id")
	return readDoc(ctx, a, func(rd store.Reader) (model.RequestValidator, int64, error) {
		return a.loadValidator(ctx, rd, apiID, id)
	})
}

func (a *API) updateValidator(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("requestvalidator_id")
	return output(patchDocument(ctx, a, r, "updateRequestValidatorInput", model.ChildKey(model.KindValidator, apiID, id),
		func(rd store.Reader) (model.RequestValidator, int64, error) {
			return a.loadValidator(ctx, rd, apiID, id)
		},
		func(_ store.Tx, val *model.RequestValidator, ops []patch.Operation) error {
			return eachOp(val, ops, patchValidator)
		}))
}

func patchValidator(val *model.RequestValidator, op patch.Operation) error {
	if op.Op != "replace" {
		return patch.UnsupportedOp(op)
	}
	switch op.Path {
	case "/name":
		if strings.TrimSpace(op.Str()) == "" {
			return awserr.BadRequest("Request Validator name cannot be blank")
		}
		val.Name = op.Str()
	case "/validateRequestBody":
		val.ValidateRequestBody, _ = parseBool(op.Str())
	case "/validateRequestParameters":
		val.ValidateRequestParameters, _ = parseBool(op.Str())
	default:
		return patch.InvalidPathFor(op, "/name", "/validateRequestParameters", "/validateRequestBody")
	}
	return nil
}

func (a *API) deleteValidator(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("requestvalidator_id")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, _, err := a.loadValidator(ctx, tx, apiID, id); err != nil {
			return err
		}
		return tx.Delete(ctx, model.ChildKey(model.KindValidator, apiID, id))
	})
}
