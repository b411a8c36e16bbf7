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

type putIntegrationResponseInput struct {
	SelectionPattern   *string            `json:"selectionPattern"`
	ResponseParameters map[string]string  `json:"responseParameters"`
	ResponseTemplates  map[string]*string `json:"responseTemplates"`
	ContentHandling    *string            `json:"contentHandling"`
}

func (a *API) putIntegrationResponse(ctx context.Context, r *restjson.Request) (any, error) {
	var in putIntegrationResponseInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	code := r.Path("status_code")
	var v awserr.Validation
	checkStatusCode(code, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	ir := model.IntegrationResponse{
		StatusCode:         code,
		SelectionPattern:   in.SelectionPattern,
		ResponseParameters: in.ResponseParameters,
		ResponseTemplates:  nullEmpty(in.ResponseTemplates),
		ContentHandling:    in.ContentHandling,
	}
	_, err := a.mutateMethod(ctx, r, func(_ store.Tx, m *model.Method) error {
		integ := m.MethodIntegration
		if integ == nil {
			return errIntegration
		}
		if err := checkIntegrationResponse(&ir, m); err != nil {
			return err
		}
		if integ.IntegrationResponses == nil {
			integ.IntegrationResponses = map[string]*model.IntegrationResponse{}
		}
		integ.IntegrationResponses[code] = &ir
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ir, nil
}

func checkIntegrationResponse(ir *model.IntegrationResponse, m *model.Method) error {
	if p := ir.SelectionPattern; p != nil && *p != "" {
		if _, err := regexp.Compile(*p); err != nil {
			// Java and Go regex dialects differ at the edges; reject only
			// what neither accepts [U].
			return awserr.BadRequest("Invalid selection pattern specified: %s", *p)
		}
	}
	if ch := ir.ContentHandling; ch != nil && *ch != "" && !in1(*ch, model.ContentHandlings) {
		return awserr.BadRequest("Invalid content handling specified: %s. Valid values are CONVERT_TO_BINARY, CONVERT_TO_TEXT", *ch) // [U]
	}
	if err := checkResponseMappings(ir.ResponseParameters, declaredHeaders(m.MethodResponses[ir.StatusCode])); err != nil {
		return err
	}
	return checkTemplates(ir.ResponseTemplates)
}

func (a *API) readIntegrationResponse(ctx context.Context, r *restjson.Request) (*model.IntegrationResponse, error) {
	var v awserr.Validation
	checkStatusCode(r.Path("status_code"), &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	m, err := a.readMethod(ctx, r)
	if err != nil {
		return nil, err
	}
	if m.MethodIntegration == nil {
		return nil, errIntegration
	}
	ir := m.MethodIntegration.IntegrationResponses[r.Path("status_code")]
	if ir == nil {
		return nil, errResponseCode
	}
	return ir, nil
}

func (a *API) getIntegrationResponse(ctx context.Context, r *restjson.Request) (any, error) {
	return a.readIntegrationResponse(ctx, r)
}

func (a *API) deleteIntegrationResponse(ctx context.Context, r *restjson.Request) (any, error) {
	code := r.Path("status_code")
	var v awserr.Validation
	checkStatusCode(code, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, err := a.mutateMethod(ctx, r, func(_ store.Tx, m *model.Method) error {
		integ := m.MethodIntegration
		if integ == nil {
			return errIntegration
		}
		if integ.IntegrationResponses[code] == nil {
			return errResponseCode
		}
		delete(integ.IntegrationResponses, code)
		if len(integ.IntegrationResponses) == 0 {
			integ.IntegrationResponses = nil
		}
		return nil
	})
	if err == errMethod {
		// DeleteIntegrationResponse reports a missing method as a missing
		// integration [V].
		err = errIntegration
	}
	return nil, err
}

func (a *API) updateIntegrationResponse(ctx context.Context, r *restjson.Request) (any, error) {
	code := r.Path("status_code")
	ops, err := decodePatch(r, "updateIntegrationResponseInput", func(v *awserr.Validation) { checkStatusCode(code, v) })
	if err != nil {
		return nil, err
	}
	var out model.IntegrationResponse
	_, err = a.mutateMethod(ctx, r, func(_ store.Tx, m *model.Method) error {
		if m.MethodIntegration == nil {
			return errIntegration
		}
		ir := m.MethodIntegration.IntegrationResponses[code]
		if ir == nil {
			return errResponseCode
		}
		for _, op := range ops {
			if err := patchIntegrationResponse(ir, op); err != nil {
				return err
			}
		}
		if err := checkIntegrationResponse(ir, m); err != nil {
			return err
		}
		out = *ir
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func patchIntegrationResponse(ir *model.IntegrationResponse, op patch.Operation) error {
	seg := patch.Segments(op.Path)
	switch {
	case len(seg) == 1 && (seg[0] == "selectionPattern" || seg[0] == "contentHandling"):
		if op.Op != "replace" {
			return patch.InvalidOp("replace")
		}
		if seg[0] == "selectionPattern" {
			ir.SelectionPattern = op.Value
		} else {
			ir.ContentHandling = optional(op.Str())
		}
	case len(seg) == 2 && seg[0] == "responseParameters":
		return patchStringMap(&ir.ResponseParameters, seg[1], op, errParameterNotFound)
	case len(seg) == 2 && seg[0] == "responseTemplates":
		return patchTemplates(&ir.ResponseTemplates, seg[1], op)
	default:
		return patch.InvalidPath(op)
	}
	return nil
}
