package apigwv2

import (
	"context"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
)

// WebSocket APIs are stored with what the shared shapes allow (routes with
// WebSocket keys, integrations of every type, REQUEST authorizers, named
// stages), but their WebSocket-only operations (route responses,
// integration responses, models) are not implemented yet. They answer
// with a clear 400 instead of an unknown-operation 404, after checking
// the API exists.
func webSocketOnly() []struct{ pattern, name string } {
	const (
		api   = "/v2/apis/{apiId}"
		model = api + "/models"
	)
	return []struct{ pattern, name string }{
		{"GET " + model, "GetModels"},
		{"POST " + model, "CreateModel"},
		{"GET " + model + "/{modelId}", "GetModel"},
		{"PATCH " + model + "/{modelId}", "UpdateModel"},
		{"DELETE " + model + "/{modelId}", "DeleteModel"},
		{"GET " + model + "/{modelId}/template", "GetModelTemplate"},
	}
}

// notImplemented answers an operation that is not implemented yet, after
// checking that the API it names (if any) exists.
func (a *API) notImplemented(name, what string) restjson.Handler {
	return func(ctx context.Context, r *restjson.Request) (any, error) {
		if id := r.Path("apiId"); id != "" {
			err := a.store.View(ctx, func(rd store.Reader) error {
				_, _, err := a.loadAPI(ctx, rd, id)
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		return nil, bad("%s is not supported yet: %s are not implemented", name, what)
	}
}
