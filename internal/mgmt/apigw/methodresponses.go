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

var statusCodeRE = regexp.MustCompile(`^[1-5]\d\d$`)

// checkStatusCode records the model violation for a malformed
// {status_code} path parameter.
func checkStatusCode(code string, v *awserr.Validation) {
	if !statusCodeRE.MatchString(code) {
		v.Pattern(code, "statusCode", `[1-5]\d\d`)
	}
}

var responseHeaderRE = regexp.MustCompile(`^method\.response\.header\.[^.\s]+$`)

type putMethodResponseInput struct {
	ResponseParameters map[string]bool   `json:"responseParameters"`
	ResponseModels     map[string]string `json:"responseModels"`
}

func (a *API) putMethodResponse(ctx context.Context, r *restjson.Request) (any, error) {
	var in putMethodResponseInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	code := r.Path("status_code")
	var v awserr.Validation
	checkStatusCode(code, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	mr := model.MethodResponse{StatusCode: code, ResponseParameters: in.ResponseParameters, ResponseModels: in.ResponseModels}
	_, err := a.mutateMethod(ctx, r, func(tx store.Tx, m *model.Method) error {
		if err := a.checkMethodResponse(ctx, tx, apiID, &mr); err != nil {
			return err
		}
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*model.MethodResponse{}
		}
		m.MethodResponses[code] = &mr
		return nil
	})
	if err != nil {
		return nil, err
	}
	return mr, nil
}

func (a *API) checkMethodResponse(ctx context.Context, rd store.Reader, apiID string, mr *model.MethodResponse) error {
	for key := range mr.ResponseParameters {
		if !responseHeaderRE.MatchString(key) {
			return invalidMapping(key)
		}
	}
	for _, name := range mr.ResponseModels {
		ok, err := exists(ctx, rd, model.ChildKey(model.KindModel, apiID, name))
		if err != nil {
			return err
		}
		if !ok {
			return awserr.BadRequest("Invalid model identifier specified: %s", name)
		}
	}
	return nil
}

func (a *API) getMethodResponse(ctx context.Context, r *restjson.Request) (any, error) {
	var v awserr.Validation
	checkStatusCode(r.Path("status_code"), &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	m, err := a.readMethod(ctx, r)
	if err != nil {
		return nil, err
	}
	mr := m.MethodResponses[r.Path("status_code")]
	if mr == nil {
		return nil, errResponseCode
	}
	return mr, nil
}

func (a *API) deleteMethodResponse(ctx context.Context, r *restjson.Request) (any, error) {
	code := r.Path("status_code")
	var v awserr.Validation
	checkStatusCode(code, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, err := a.mutateMethod(ctx, r, func(_ store.Tx, m *model.Method) error {
		if m.MethodResponses[code] == nil {
			return errResponseCode
		}
		delete(m.MethodResponses, code)
		if len(m.MethodResponses) == 0 {
			m.MethodResponses = nil
		}
		return nil
	})
	return nil, err
}

func (a *API) updateMethodResponse(ctx context.Context, r *restjson.Request) (any, error) {
	code := r.Path("status_code")
	ops, err := decodePatch(r, "updateMethodResponseInput", func(v *awserr.Validation) { checkStatusCode(code, v) })
	if err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	var out model.MethodResponse
	_, err = a.mutateMethod(ctx, r, func(tx store.Tx, m *model.Method) error {
		mr := m.MethodResponses[code]
		if mr == nil {
			return errResponseCode
		}
		for _, op := range ops {
			if err := patchMethodResponse(mr, op); err != nil {
				return err
			}
		}
		if err := a.checkMethodResponse(ctx, tx, apiID, mr); err != nil {
			return err
		}
		out = *mr
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func patchMethodResponse(mr *model.MethodResponse, op patch.Operation) error {
	seg := patch.Segments(op.Path)
	if len(seg) != 2 {
		return patch.InvalidPath(op)
	}
	switch seg[0] {
	case "responseParameters":
		return patchBoolMap(&mr.ResponseParameters, seg[1], op)
	case "responseModels":
		return patchStringMap(&mr.ResponseModels, seg[1], op, errContentTypeNotFound)
	}
	return patch.InvalidPath(op)
}
