package apigw

import (
	"context"
	"errors"

	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// cloneInto creates api as a copy of the API src: resources (with methods
// and integrations), models, request validators, authorizers and gateway
// responses, with fresh identifiers and references remapped. Deployments
// and stages are not copied.
func (a *API) cloneInto(ctx context.Context, tx store.Tx, src string, api *model.RestApi) error {
	snap, err := a.takeSnapshot(ctx, tx, src)
	if err != nil {
		return err
	}
	if taken, err := exists(ctx, tx, model.KeyRestApi(api.ID)); err != nil || taken {
		return errors.Join(err, errors.New("rest api id collision"))
	}
	if api.Description == nil {
		api.Description = snap.API.Description
	}
	if api.BinaryMediaTypes == nil {
		api.BinaryMediaTypes = snap.API.BinaryMediaTypes
	}
	if api.Policy == nil {
		api.Policy = snap.API.Policy
	}
	if err := put(ctx, tx, model.KeyRestApi(api.ID), a.seq.next(), *api); err != nil {
		return err
	}
	ids := map[string]string{}
	for _, v := range snap.Validators {
		ids[v.ID] = a.ids.ID(lenChildID)
		v.ID = ids[v.ID]
		if err := put(ctx, tx, model.ChildKey(model.KindValidator, api.ID, v.ID), a.seq.next(), v); err != nil {
			return err
		}
	}
	for _, au := range snap.Authorizers {
		ids[au.ID] = a.ids.ID(lenChildID)
		au.ID = ids[au.ID]
		if err := put(ctx, tx, model.ChildKey(model.KindAuthorizer, api.ID, au.ID), a.seq.next(), au); err != nil {
			return err
		}
	}
	for _, m := range snap.Models {
		m.ID = a.ids.ID(lenChildID)
		if err := put(ctx, tx, model.ChildKey(model.KindModel, api.ID, m.Name), a.seq.next(), m); err != nil {
			return err
		}
	}
	for _, g := range snap.GatewayResponses {
		if err := put(ctx, tx, model.ChildKey(model.KindGatewayResponse, api.ID, g.ResponseType), a.seq.next(), g); err != nil {
			return err
		}
	}
	for _, res := range snap.Resources {
		if res.ParentID == "" {
			ids[res.ID] = api.RootResourceID
		} else {
			ids[res.ID] = a.ids.ID(lenChildID)
		}
	}
	for _, res := range snap.Resources {
		res.ID = ids[res.ID]
		if res.ParentID != "" {
			res.ParentID = ids[res.ParentID]
		}
		for _, m := range res.ResourceMethods {
			if m.AuthorizerID != nil {
				m.AuthorizerID = model.Ptr(ids[*m.AuthorizerID])
			}
			if m.RequestValidatorID != nil {
				m.RequestValidatorID = model.Ptr(ids[*m.RequestValidatorID])
			}
			if in := m.MethodIntegration; in != nil && in.CacheNamespace != nil {
				if n, ok := ids[*in.CacheNamespace]; ok {
					in.CacheNamespace = &n
				}
			}
		}
		if err := putChildIndex(ctx, tx, api.ID, &res); err != nil {
			return err
		}
		if err := put(ctx, tx, model.ChildKey(model.KindResource, api.ID, res.ID), a.seq.next(), res); err != nil {
			return err
		}
	}
	return nil
}
