package apigw

import (
	"context"
	"regexp"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

// checkResponseType records the model violation for an unknown type.
func checkResponseType(t string, v *awserr.Validation) {
	if !model.IsGatewayResponseType(t) {
		v.Enum(t, "responseType", model.GatewayResponseTypes)
	}
}

// customResponses loads an API's customised gateway responses by type.
func (a *API) customResponses(ctx context.Context, rd store.Reader, apiID string) (map[string]*model.GatewayResponse, error) {
	if _, err := a.loadAPI(ctx, rd, apiID); err != nil {
		return nil, err
	}
	list, err := list[model.GatewayResponse](ctx, rd, model.ChildPrefix(model.KindGatewayResponse, apiID))
	if err != nil {
		return nil, err
	}
	out := make(map[string]*model.GatewayResponse, len(list))
	for i := range list {
		out[list[i].ResponseType] = &list[i]
	}
	return out, nil
}

func (a *API) getGatewayResponses(ctx context.Context, r *restjson.Request) (any, error) {
	var custom map[string]*model.GatewayResponse
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		custom, err = a.customResponses(ctx, rd, r.Path("restapi_id"))
		return err
	})
	if err != nil {
		return nil, err
	}
	types := model.GatewayResponseTypesSorted()
	all := make([]model.GatewayResponse, len(types))
	for i, t := range types {
		all[i] = model.EffectiveGatewayResponse(t, custom)
	}
	return restjson.Paginate(r, all, func(g model.GatewayResponse) string { return g.ResponseType })
}

func (a *API) getGatewayResponse(ctx context.Context, r *restjson.Request) (any, error) {
	t := r.Path("response_type")
	var v awserr.Validation
	checkResponseType(t, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var custom map[string]*model.GatewayResponse
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		custom, err = a.customResponses(ctx, rd, r.Path("restapi_id"))
		return err
	})
	if err != nil {
		return nil, err
	}
	return model.EffectiveGatewayResponse(t, custom), nil
}

type putGatewayResponseInput struct {
	StatusCode         *string           `json:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
}

func (a *API) putGatewayResponse(ctx context.Context, r *restjson.Request) (any, error) {
	var in putGatewayResponseInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	t := r.Path("response_type")
	var v awserr.Validation
	checkResponseType(t, &v)
	if in.StatusCode != nil {
		checkStatusCode(*in.StatusCode, &v)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	gr := model.EffectiveGatewayResponse(t, nil)
	gr.DefaultResponse = false
	if in.StatusCode != nil {
		gr.StatusCode = in.StatusCode
	}
	if in.ResponseParameters != nil {
		gr.ResponseParameters = in.ResponseParameters
	}
	if in.ResponseTemplates != nil {
		gr.ResponseTemplates = in.ResponseTemplates
	}
	err := a.update(ctx, func(tx store.Tx) error {
		if _, err := a.loadAPI(ctx, tx, apiID); err != nil {
			return err
		}
		if err := checkGatewayResponse(&gr); err != nil {
			return err
		}
		return put(ctx, tx, model.ChildKey(model.KindGatewayResponse, apiID, t), a.seq.next(), gr)
	})
	if err != nil {
		return nil, err
	}
	return gr, nil
}

var gatewayTargetRE = regexp.MustCompile(`^gatewayresponse\.(header|querystring|path)\.[^\s]+$`)

func checkGatewayResponse(gr *model.GatewayResponse) error {
	for target, source := range gr.ResponseParameters {
		if !gatewayTargetRE.MatchString(target) {
			return invalidMapping(target)
		}
		switch {
		case literalRE.MatchString(source), varSourceRE.MatchString(source), methodSourceRE.MatchString(source):
		default:
			return invalidMapping(source)
		}
	}
	for ct := range gr.ResponseTemplates {
		if err := checkTemplates(map[string]*string{ct: nil}); err != nil {
			return err
		}
	}
	return nil
}

func (a *API) updateGatewayResponse(ctx context.Context, r *restjson.Request) (any, error) {
	t := r.Path("response_type")
	ops, err := decodePatch(r, "updateGatewayResponseInput", func(v *awserr.Validation) { checkResponseType(t, v) })
	if err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	var gr model.GatewayResponse
	err = a.update(ctx, func(tx store.Tx) error {
		custom, err := a.customResponses(ctx, tx, apiID)
		if err != nil {
			return err
		}
		// Patching an uncustomised type customises it, starting from its
		// effective response [V].
		gr = model.EffectiveGatewayResponse(t, custom)
		gr.DefaultResponse = false
		for _, op := range ops {
			if err := patchGatewayResponse(&gr, op); err != nil {
				return err
			}
		}
		if err := checkGatewayResponse(&gr); err != nil {
			return err
		}
		return put(ctx, tx, model.ChildKey(model.KindGatewayResponse, apiID, t), a.seq.next(), gr)
	})
	if err != nil {
		return nil, err
	}
	return gr, nil
}

func patchGatewayResponse(gr *model.GatewayResponse, op patch.Operation) error {
	if op.Path == "" {
		return awserr.BadRequest("Invalid patch path null")
	}
	seg := patch.Segments(op.Path)
	switch {
	case len(seg) == 1 && seg[0] == "statusCode":
		if op.Op != "replace" {
			return patch.InvalidPath(op)
		}
		var v awserr.Validation
		checkStatusCode(op.Str(), &v)
		if err := v.Err(); err != nil {
			return err
		}
		gr.StatusCode = op.Value
	case len(seg) == 2 && (seg[0] == "responseParameters" || seg[0] == "responseTemplates"):
		mp := &gr.ResponseParameters
		if seg[0] == "responseTemplates" {
			mp = &gr.ResponseTemplates
		}
		if (op.Op == "add" || op.Op == "replace") && op.Str() == "" {
			return awserr.BadRequest("Invalid null or empty value in %s", seg[0])
		}
		if err := patchStringMap(mp, seg[1], op, errParameterNotFound); err != nil {
			return err
		}
		if *mp == nil {
			*mp = map[string]string{}
		}
	default:
		return patch.InvalidPath(op)
	}
	return nil
}

func (a *API) deleteGatewayResponse(ctx context.Context, r *restjson.Request) (any, error) {
	t := r.Path("response_type")
	var v awserr.Validation
	checkResponseType(t, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	return nil, a.update(ctx, func(tx store.Tx) error {
		custom, err := a.customResponses(ctx, tx, apiID)
		if err != nil {
			return err
		}
		if custom[t] == nil {
			return errGatewayResponseUnset
		}
		return tx.Delete(ctx, model.ChildKey(model.KindGatewayResponse, apiID, t))
	})
}
