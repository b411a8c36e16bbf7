package apigwv2

import (
	"context"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// integrationResponseInput is the body of CreateIntegrationResponse and
// UpdateIntegrationResponse.
type integrationResponseInput struct {
	ContentHandlingStrategy     *string           `json:"contentHandlingStrategy"`
	IntegrationResponseKey      *string           `json:"integrationResponseKey"`
	ResponseParameters          map[string]string `json:"responseParameters"`
	ResponseTemplates           map[string]string `json:"responseTemplates"`
	TemplateSelectionExpression *string           `json:"templateSelectionExpression"`
}

// check enforces the model's constraints on the members sent.
func (in *integrationResponseInput) check(c *checker) {
	c.enum(in.ContentHandlingStrategy, "contentHandlingStrategy", modelv2.ContentHandling)
	c.length(in.TemplateSelectionExpression, "templateSelectionExpression", 0, 1024)
	if k := in.IntegrationResponseKey; k != nil {
		c.add(checkIntegrationResponseKey(*k))
	}
}

// applyTo changes the members of ir that in sends. On create every
// template is kept as sent, an empty one included [C: terraform-provider-aws
// TestAccAPIGatewayV2IntegrationResponse_allAttributes]; an update merges
// the maps per key, a key sent with an empty value being removed [D][U].
func (in *integrationResponseInput) applyTo(ir *modelv2.IntegrationResponse, create bool) {
	if in.IntegrationResponseKey != nil {
		ir.IntegrationResponseKey = *in.IntegrationResponseKey
	}
	setOptional(&ir.ContentHandlingStrategy, in.ContentHandlingStrategy)
	setOptional(&ir.TemplateSelectionExpression, in.TemplateSelectionExpression)
	empty := func(v string) bool { return v == "" }
	ir.ResponseParameters = mergeMap(ir.ResponseParameters, in.ResponseParameters, empty)
	if create {
		ir.ResponseTemplates = in.ResponseTemplates
		if len(ir.ResponseTemplates) == 0 {
			ir.ResponseTemplates = nil
		}
	} else {
		ir.ResponseTemplates = mergeMap(ir.ResponseTemplates, in.ResponseTemplates, empty)
	}
}

// checkIntegrationResponse validates an integration response as it would
// be stored, against its integration's other responses (whose keys must
// differ [U]).
func checkIntegrationResponse(ir *modelv2.IntegrationResponse, others []modelv2.IntegrationResponse) error {
	for _, o := range others {
		if o.IntegrationResponseID != ir.IntegrationResponseID && o.IntegrationResponseKey == ir.IntegrationResponseKey {
			return conflict("Integration response with key %s already exists for this integration", ir.IntegrationResponseKey) // [U]
		}
	}
	if err := checkWSResponseMappings(ir.ResponseParameters); err != nil {
		return err
	}
	return checkTemplates("responseTemplates", ir.ResponseTemplates)
}

func (a *API) createIntegrationResponse(ctx context.Context, r *restjson.Request) (any, error) {
	required := func(in *integrationResponseInput, c *checker) {
		c.required(in.IntegrationResponseKey != nil, "integrationResponseKey")
	}
	sc := integrationResponseKind.scopeOf(r)
	return createChild(a, integrationResponseKind, required, func(ctx context.Context, tx store.Tx, _ modelv2.Api, id string, in *integrationResponseInput) (modelv2.IntegrationResponse, error) {
		ir := modelv2.IntegrationResponse{IntegrationResponseID: id}
		in.applyTo(&ir, true)
		others, err := docstore.List[modelv2.IntegrationResponse](ctx, tx, sc.prefix())
		if err != nil {
			return ir, err
		}
		return ir, checkIntegrationResponse(&ir, others)
	})(ctx, r)
}

func (a *API) getIntegrationResponses(ctx context.Context, r *restjson.Request) (any, error) {
	return listKind(ctx, a, r, integrationResponseKind, func(ir modelv2.IntegrationResponse) string { return ir.IntegrationResponseID })
}

func (a *API) getIntegrationResponse(ctx context.Context, r *restjson.Request) (any, error) {
	return getChild[modelv2.IntegrationResponse](a, integrationResponseKind)(ctx, r)
}

func (a *API) updateIntegrationResponse(ctx context.Context, r *restjson.Request) (any, error) {
	sc := integrationResponseKind.scopeOf(r)
	return updateChild(a, integrationResponseKind, func(ctx context.Context, tx store.Tx, _ modelv2.Api, ir *modelv2.IntegrationResponse, in *integrationResponseInput) error {
		in.applyTo(ir, false)
		others, err := docstore.List[modelv2.IntegrationResponse](ctx, tx, sc.prefix())
		if err != nil {
			return err
		}
		return checkIntegrationResponse(ir, others)
	})(ctx, r)
}

func (a *API) deleteIntegrationResponse(ctx context.Context, r *restjson.Request) (any, error) {
	return deleteChild[modelv2.IntegrationResponse](a, integrationResponseKind, nil)(ctx, r)
}
