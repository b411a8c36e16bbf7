package apigwv2

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// quickCreate is what CreateApi's target, routeKey and credentialsArn ask
// for: an integration with the target, a route to it and an
// auto-deploying $default stage, all managed by API Gateway [M][D][X].
type quickCreate struct {
	target      string
	routeKey    string
	credentials *string
}

// newQuickCreate validates the quick-create members.
func newQuickCreate(target string, routeKey, credentials *string) (*quickCreate, error) {
	q := &quickCreate{target: target, routeKey: modelv2.DefaultKey, credentials: optional(credentials)}
	if routeKey != nil {
		q.routeKey = *routeKey
	}
	if _, err := quickIntegrationType(target); err != nil {
		return nil, err
	}
	if _, err := parseHTTPRouteKey(q.routeKey); err != nil {
		return nil, err
	}
	return q, nil
}

// quickIntegrationType is AWS_PROXY for a Lambda function ARN and
// HTTP_PROXY for a URL [M].
func quickIntegrationType(target string) (string, error) {
	lower := strings.ToLower(target)
	switch {
	case strings.HasPrefix(target, "arn:"):
		return modelv2.IntegrationAWSProxy, nil
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
		return modelv2.IntegrationHTTPProxy, nil
	}
	return "", bad("Invalid target specified: %s. The target of quick create is a Lambda function ARN or an HTTP URL", target) // [U]
}

// setTarget points a quick-create integration at target: Lambda proxy
// integrations use POST and payload format 2.0, HTTP proxy ones ANY and
// 1.0 [D][X].
func setTarget(ig *modelv2.Integration, target string) error {
	typ, err := quickIntegrationType(target)
	if err != nil {
		return err
	}
	ig.IntegrationType = typ
	ig.IntegrationURI = modelv2.Ptr(target)
	if typ == modelv2.IntegrationAWSProxy {
		ig.IntegrationMethod, ig.PayloadFormatVersion = modelv2.Ptr("POST"), "2.0"
	} else {
		ig.IntegrationMethod, ig.PayloadFormatVersion = modelv2.Ptr("ANY"), "1.0"
	}
	return nil
}

// quickCreate stores the integration, route and stage of a quick create
// and deploys the API to the stage.
func (a *API) quickCreate(ctx context.Context, tx store.Tx, apiID string, q *quickCreate, now modelv2.Time) error {
	ig := newIntegration(a.ids.ID(lenIntegrationID), modelv2.ProtocolHTTP)
	ig.ApiGatewayManaged = true
	ig.CredentialsArn = q.credentials
	if err := setTarget(&ig, q.target); err != nil {
		return err
	}
	if err := docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindIntegration, apiID, ig.IntegrationID), a.seq.Next(), ig); err != nil {
		return err
	}
	rt := modelv2.Route{
		ApiGatewayManaged: true, AuthorizationType: modelv2.AuthNone, RouteID: a.ids.ID(lenRouteID),
		RouteKey: q.routeKey, Target: modelv2.Ptr(modelv2.TargetPrefix + ig.IntegrationID),
	}
	if err := docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindRoute, apiID, rt.RouteID), a.seq.Next(), rt); err != nil {
		return err
	}
	st := newStage(modelv2.DefaultKey, now)
	st.AutoDeploy, st.ApiGatewayManaged = true, true
	return a.deployStage(ctx, tx, apiID, a.seq.Next(), &st)
}

// updateQuickCreate applies UpdateApi's quick-create members to the
// managed integration and route [M]; an API made without quick create has
// none to update [U].
func (a *API) updateQuickCreate(ctx context.Context, tx store.Tx, apiID string, in *apiInput) error {
	igs, err := docstore.ListRecords[modelv2.Integration](ctx, tx, modelv2.ChildPrefix(modelv2.KindIntegration, apiID))
	if err != nil {
		return err
	}
	var ig *model.Record[modelv2.Integration]
	for i := range igs {
		if igs[i].V.ApiGatewayManaged {
			ig = &igs[i]
		}
	}
	if ig == nil {
		return bad("target, routeKey and credentialsArn can be updated only for APIs made by quick create") // [U]
	}
	if in.Target != nil {
		if err := setTarget(&ig.V, *in.Target); err != nil {
			return err
		}
	}
	setOptional(&ig.V.CredentialsArn, in.CredentialsArn)
	if err := docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindIntegration, apiID, ig.V.IntegrationID), ig.Seq, ig.V); err != nil {
		return err
	}
	if in.RouteKey == nil {
		return nil
	}
	routes, err := docstore.ListRecords[modelv2.Route](ctx, tx, modelv2.ChildPrefix(modelv2.KindRoute, apiID))
	if err != nil {
		return err
	}
	for _, rt := range routes {
		if !rt.V.ApiGatewayManaged || model.Deref(rt.V.Target) != modelv2.TargetPrefix+ig.V.IntegrationID {
			continue
		}
		others, err := a.routesExcept(ctx, tx, apiID, rt.V.RouteID)
		if err != nil {
			return err
		}
		if err := checkRouteKey(modelv2.ProtocolHTTP, *in.RouteKey, others); err != nil {
			return err
		}
		rt.V.RouteKey = *in.RouteKey
		return docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindRoute, apiID, rt.V.RouteID), rt.Seq, rt.V)
	}
	return nil
}
