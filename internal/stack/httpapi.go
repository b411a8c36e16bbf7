package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tollgate/tollgate/internal/cfn"
)

// HTTP and WebSocket APIs: AWS::ApiGatewayV2::* through the apigatewayv2
// operations (design §7.2; property names from the CloudFormation resource
// reference, the operations' members being the same names camel-cased [M]).

func (a *applier) httpAPI(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	id := a.existing["v2apis/"+r.ID]
	created := id == ""
	var out struct {
		ApiID    string `json:"apiId"`
		Name     string `json:"name"`
		Endpoint string `json:"apiEndpoint"`
		Protocol string `json:"protocolType"`
	}
	if body, ok := p["Body"]; ok {
		text, isStr := body.(string)
		if !isStr {
			b, err := json.Marshal(body)
			if err != nil {
				return err
			}
			text = string(b)
		}
		q := url.Values{}
		if boolOf(p["FailOnWarnings"]) {
			q.Set("failOnWarnings", "true")
		}
		if bp := str(p, "BasePath"); bp != "" {
			q.Set("basepath", bp)
		}
		path := "/v2/apis"
		if !created {
			path += "/" + url.PathEscape(id)
		}
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		if err := a.c.Call(ctx, svcAPIGW, http.MethodPut, path, map[string]any{"body": text}, &out); err != nil {
			return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "Body", Err: err}
		}
		id = out.ApiID
		// Top-level properties given with a body apply over it [D].
		upd := pick(p, "Name", "Description", "CorsConfiguration", "DisableExecuteApiEndpoint")
		if len(upd) > 0 {
			if c, ok := upd["corsConfiguration"].(map[string]any); ok {
				fixCors(c)
			}
			if err := a.c.Call(ctx, svcAPIGW, http.MethodPatch, "/v2/apis/"+url.PathEscape(id), upd, &out); err != nil {
				return err
			}
		}
	} else if _, ok := p["BodyS3Location"]; ok {
		return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "BodyS3Location", Err: fmt.Errorf("Tollgate has no S3: give the definition as Body (or SAM's DefinitionUri with a local file)")}
	} else {
		in := pick(p, "Name", "ProtocolType", "RouteSelectionExpression", "ApiKeySelectionExpression", "CorsConfiguration",
			"Description", "DisableExecuteApiEndpoint", "DisableSchemaValidation", "Version", "Target", "RouteKey", "CredentialsArn", "IpAddressType")
		if c, ok := in["corsConfiguration"].(map[string]any); ok {
			fixCors(c)
		}
		if created {
			if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, "/v2/apis", in, &out); err != nil {
				return err
			}
			id = out.ApiID
		} else {
			if err := a.clearHTTPAPI(ctx, id); err != nil {
				return err
			}
			delete(in, "protocolType")
			delete(in, "target")
			delete(in, "routeKey")
			delete(in, "credentialsArn")
			if err := a.c.Call(ctx, svcAPIGW, http.MethodPatch, "/v2/apis/"+url.PathEscape(id), in, &out); err != nil {
				return err
			}
		}
	}
	if created {
		a.undoCreate(svcAPIGW, "/v2/apis/"+url.PathEscape(id))
	}
	arn := fmt.Sprintf("arn:aws:apigateway:%s::/apis/%s", a.opt.Region, id)
	if err := a.tagResource(ctx, r.ID, p, http.MethodPost, "/v2/tags/", arn); err != nil {
		return err
	}
	if err := a.c.Call(ctx, svcAPIGW, http.MethodGet, "/v2/apis/"+url.PathEscape(id), nil, &out); err != nil {
		return err
	}
	a.set(r.ID, id, map[string]any{"ApiId": id, "ApiEndpoint": out.Endpoint}, created)
	a.res.HTTPAPIs = append(a.res.HTTPAPIs, API{LogicalID: r.ID, ID: id, Name: out.Name, Protocol: out.Protocol})
	return nil
}

// fixCors types CorsConfiguration's members (MaxAge a number,
// AllowCredentials a boolean).
func fixCors(c map[string]any) {
	if v, ok := c["maxAge"]; ok {
		c["maxAge"] = numberOf(v)
	}
	if v, ok := c["allowCredentials"]; ok {
		c["allowCredentials"] = boolOf(v)
	}
}

// clearHTTPAPI removes routes, integrations and authorizers before an
// update creates them again from the template.
func (a *applier) clearHTTPAPI(ctx context.Context, api string) error {
	base := "/v2/apis/" + url.PathEscape(api)
	for _, kind := range []struct{ path, id string }{{"routes", "routeId"}, {"integrations", "integrationId"}, {"authorizers", "authorizerId"}} {
		var page struct {
			Items []map[string]any `json:"items"`
		}
		if err := a.c.Call(ctx, svcAPIGW, http.MethodGet, base+"/"+kind.path+"?maxResults=500", nil, &page); err != nil {
			return err
		}
		for _, it := range page.Items {
			if err := a.c.Call(ctx, svcAPIGW, http.MethodDelete, base+"/"+kind.path+"/"+url.PathEscape(cfn.String(it[kind.id])), nil, nil); err != nil && statusOf(err) != http.StatusNotFound {
				return err
			}
		}
	}
	return nil
}

func (a *applier) httpIntegration(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := pick(p, "IntegrationType", "IntegrationUri", "IntegrationMethod", "PayloadFormatVersion", "RequestParameters",
		"ResponseParameters", "RequestTemplates", "TemplateSelectionExpression", "CredentialsArn", "ConnectionType",
		"ConnectionId", "IntegrationSubtype", "TlsConfig", "PassthroughBehavior", "ContentHandlingStrategy", "Description")
	if v, ok := p["TimeoutInMillis"]; ok {
		in["timeoutInMillis"] = numberOf(v)
	}
	if v, ok := in["payloadFormatVersion"]; ok {
		in["payloadFormatVersion"] = cfn.String(v)
	}
	return a.createChild(ctx, r, "/v2/apis/"+a.api(p, "ApiId")+"/integrations", in, "integrationId", "IntegrationId")
}

func (a *applier) httpRoute(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := pick(p, "RouteKey", "Target", "AuthorizationType", "AuthorizerId", "AuthorizationScopes", "OperationName",
		"RouteResponseSelectionExpression", "ModelSelectionExpression", "RequestModels")
	if v, ok := p["ApiKeyRequired"]; ok {
		in["apiKeyRequired"] = boolOf(v)
	}
	if rp, ok := p["RequestParameters"].(map[string]any); ok {
		m := map[string]any{}
		for k, v := range rp {
			if pm, ok := v.(map[string]any); ok {
				m[k] = map[string]any{"required": boolOf(pm["Required"])}
			} else {
				m[k] = map[string]any{"required": boolOf(v)}
			}
		}
		in["requestParameters"] = m
	}
	return a.createChild(ctx, r, "/v2/apis/"+a.api(p, "ApiId")+"/routes", in, "routeId", "RouteId")
}

func (a *applier) httpAuthorizer(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := pick(p, "Name", "AuthorizerType", "IdentitySource", "AuthorizerUri", "AuthorizerCredentialsArn", "IdentityValidationExpression")
	if jc, ok := p["JwtConfiguration"].(map[string]any); ok {
		in["jwtConfiguration"] = map[string]any{"audience": jc["Audience"], "issuer": jc["Issuer"]}
	}
	if v, ok := p["AuthorizerPayloadFormatVersion"]; ok {
		in["authorizerPayloadFormatVersion"] = cfn.String(v)
	}
	if v, ok := p["EnableSimpleResponses"]; ok {
		in["enableSimpleResponses"] = boolOf(v)
	}
	if v, ok := p["AuthorizerResultTtlInSeconds"]; ok {
		in["authorizerResultTtlInSeconds"] = numberOf(v)
	}
	return a.createChild(ctx, r, "/v2/apis/"+a.api(p, "ApiId")+"/authorizers", in, "authorizerId", "AuthorizerId")
}

func (a *applier) httpStage(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	api, name := str(p, "ApiId"), str(p, "StageName")
	base := "/v2/apis/" + url.PathEscape(api) + "/stages"
	in := pick(p, "DeploymentId", "Description", "StageVariables", "DefaultRouteSettings", "RouteSettings", "AccessLogSettings", "ClientCertificateId")
	if v, ok := p["AutoDeploy"]; ok {
		in["autoDeploy"] = boolOf(v)
	}
	typeRouteSettings(in["defaultRouteSettings"])
	if rs, ok := in["routeSettings"].(map[string]any); ok {
		for _, v := range rs {
			typeRouteSettings(v)
		}
	}
	err := a.c.Call(ctx, svcAPIGW, http.MethodGet, base+"/"+url.PathEscape(name), nil, nil)
	created := statusOf(err) == http.StatusNotFound
	switch {
	case created:
		in["stageName"] = name
		in["tags"] = cfnTags(p["Tags"])
		if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, base, in, nil); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if err := a.c.Call(ctx, svcAPIGW, http.MethodPatch, base+"/"+url.PathEscape(name), in, nil); err != nil {
			return err
		}
	}
	a.addStage(api, name, true)
	a.set(r.ID, name, map[string]any{}, created)
	return nil
}

func typeRouteSettings(v any) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"throttlingBurstLimit", "throttlingRateLimit"} {
		if x, ok := m[k]; ok {
			m[k] = numberOf(x)
		}
	}
	for _, k := range []string{"detailedMetricsEnabled", "dataTraceEnabled"} {
		if x, ok := m[k]; ok {
			m[k] = boolOf(x)
		}
	}
}

func (a *applier) httpDeployment(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := pick(p, "StageName", "Description")
	return a.createChild(ctx, r, "/v2/apis/"+a.api(p, "ApiId")+"/deployments", in, "deploymentId", "DeploymentId")
}

func (a *applier) httpRouteResponse(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := pick(p, "RouteResponseKey", "ModelSelectionExpression", "ResponseModels")
	if rp, ok := p["ResponseParameters"].(map[string]any); ok {
		m := map[string]any{}
		for k, v := range rp {
			pm, _ := v.(map[string]any)
			m[k] = map[string]any{"required": boolOf(pm["Required"])}
		}
		in["responseParameters"] = m
	}
	var out struct {
		ID string `json:"routeResponseId"`
	}
	path := "/v2/apis/" + a.api(p, "ApiId") + "/routes/" + a.api(p, "RouteId") + "/routeresponses"
	if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, path, in, &out); err != nil {
		return err
	}
	a.set(r.ID, out.ID, map[string]any{"RouteResponseId": out.ID}, true)
	return nil
}

func (a *applier) httpIntegrationResponse(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := pick(p, "IntegrationResponseKey", "ResponseParameters", "ResponseTemplates", "TemplateSelectionExpression", "ContentHandlingStrategy")
	var out struct {
		ID string `json:"integrationResponseId"`
	}
	path := "/v2/apis/" + a.api(p, "ApiId") + "/integrations/" + a.api(p, "IntegrationId") + "/integrationresponses"
	if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, path, in, &out); err != nil {
		return err
	}
	a.set(r.ID, out.ID, map[string]any{"IntegrationResponseId": out.ID}, true)
	return nil
}

func (a *applier) httpModel(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := pick(p, "Name", "ContentType", "Description")
	if s, ok := p["Schema"]; ok {
		in["schema"] = jsonText(s)
	}
	return a.createChild(ctx, r, "/v2/apis/"+a.api(p, "ApiId")+"/models", in, "modelId", "ModelId")
}
