package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/cfn"
)

// REST APIs: AWS::ApiGateway::* through the apigateway operations (design
// §7.1; property names from the CloudFormation resource reference [M]).

const svcAPIGW = "apigateway"

func (a *applier) api(p map[string]any, k string) string {
	return url.PathEscape(str(p, k))
}

func (a *applier) restAPI(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	id := a.existing["restapis/"+r.ID]
	created := id == ""
	var out struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if body, ok := p["Body"]; ok {
		doc, ok := body.(map[string]any)
		if !ok {
			if s, isStr := body.(string); isStr {
				parsed, err := cfn.Parse([]byte(s))
				if err != nil {
					return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "Body", Err: err}
				}
				doc = parsed
			} else {
				return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "Body", Err: fmt.Errorf("must be an OpenAPI document")}
			}
		}
		info, _ := doc["info"].(map[string]any)
		if info == nil {
			info = map[string]any{}
			doc["info"] = info
		}
		// Properties given with a body override the body's [D].
		if n := str(p, "Name"); n != "" {
			info["title"] = n
		}
		if d := str(p, "Description"); d != "" {
			info["description"] = d
		}
		if bm, ok := p["BinaryMediaTypes"]; ok {
			doc["x-amazon-apigateway-binary-media-types"] = bm
		}
		q := url.Values{}
		if boolOf(p["FailOnWarnings"]) {
			q.Set("failonwarnings", "true")
		}
		for k, v := range stringMap(p["Parameters"]) {
			q.Set(k, v)
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		rc, ok := a.c.(RawCaller)
		if !ok {
			return fmt.Errorf("the client cannot import definitions")
		}
		if created {
			q.Set("mode", "import")
			err = rc.CallRaw(ctx, svcAPIGW, http.MethodPost, "/restapis?"+q.Encode(), "application/json", b, &out)
		} else {
			q.Set("mode", "overwrite")
			err = rc.CallRaw(ctx, svcAPIGW, http.MethodPut, "/restapis/"+url.PathEscape(id)+"?"+q.Encode(), "application/json", b, &out)
		}
		if err != nil {
			return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "Body", Err: err}
		}
		id = out.ID
	} else if _, ok := p["BodyS3Location"]; ok {
		return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "BodyS3Location", Err: fmt.Errorf("Tollgate has no S3: give the definition as Body (or SAM's DefinitionUri with a local file)")}
	} else if created {
		in := pick(p, "Name", "Description", "BinaryMediaTypes", "ApiKeySourceType", "EndpointConfiguration", "DisableExecuteApiEndpoint")
		if v, ok := in["apiKeySourceType"]; ok {
			delete(in, "apiKeySourceType")
			in["apiKeySource"] = v
		}
		if v, ok := p["MinimumCompressionSize"]; ok {
			in["minimumCompressionSize"] = numberOf(v)
		}
		if v, ok := p["Policy"]; ok {
			in["policy"] = jsonText(v)
		}
		if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, "/restapis", in, &out); err != nil {
			return err
		}
		id = out.ID
	} else {
		if err := a.clearRestAPI(ctx, id); err != nil {
			return err
		}
		ops := []map[string]any{{"op": "replace", "path": "/name", "value": str(p, "Name")}}
		if d := str(p, "Description"); d != "" {
			ops = append(ops, map[string]any{"op": "replace", "path": "/description", "value": d})
		}
		if err := a.c.Call(ctx, svcAPIGW, http.MethodPatch, "/restapis/"+url.PathEscape(id), map[string]any{"patchOperations": ops}, &out); err != nil {
			return err
		}
	}
	if created {
		a.undoCreate(svcAPIGW, "/restapis/"+url.PathEscape(id))
	}
	arn := fmt.Sprintf("arn:aws:apigateway:%s::/restapis/%s", a.opt.Region, id)
	if err := a.tagResource(ctx, r.ID, p, http.MethodPut, "/tags/", arn); err != nil {
		return err
	}
	root, err := a.rootResource(ctx, id)
	if err != nil {
		return err
	}
	var got struct {
		Name string `json:"name"`
	}
	if err := a.c.Call(ctx, svcAPIGW, http.MethodGet, "/restapis/"+url.PathEscape(id), nil, &got); err != nil {
		return err
	}
	a.set(r.ID, id, map[string]any{"RootResourceId": root, "RestApiId": id}, created)
	a.res.RestAPIs = append(a.res.RestAPIs, API{LogicalID: r.ID, ID: id, Name: got.Name})
	return nil
}

// cfnTags reads Tags as a list of {Key, Value} or a map.
func cfnTags(v any) map[string]string {
	out := map[string]string{}
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			if m, ok := x.(map[string]any); ok {
				out[str(m, "Key")] = str(m, "Value")
			}
		}
	case map[string]any:
		for k, x := range t {
			out[k] = cfn.String(x)
		}
	}
	return out
}

type restResourceItem struct {
	ID              string         `json:"id"`
	ParentID        string         `json:"parentId"`
	Path            string         `json:"path"`
	ResourceMethods map[string]any `json:"resourceMethods"`
}

func (a *applier) resources(ctx context.Context, api string) ([]restResourceItem, error) {
	var all []restResourceItem
	position := ""
	for {
		var page struct {
			Item     []restResourceItem `json:"item"`
			Position string             `json:"position"`
		}
		p := "/restapis/" + url.PathEscape(api) + "/resources?limit=500&embed=methods"
		if position != "" {
			p += "&position=" + url.QueryEscape(position)
		}
		if err := a.c.Call(ctx, svcAPIGW, http.MethodGet, p, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Item...)
		if page.Position == "" {
			return all, nil
		}
		position = page.Position
	}
}

func (a *applier) rootResource(ctx context.Context, api string) (string, error) {
	items, err := a.resources(ctx, api)
	if err != nil {
		return "", err
	}
	for _, it := range items {
		if it.Path == "/" {
			return it.ID, nil
		}
	}
	return "", fmt.Errorf("REST API %s has no root resource", api)
}

// clearRestAPI removes the parts of an API built from separate resources,
// before an update creates them again from the template.
func (a *applier) clearRestAPI(ctx context.Context, api string) error {
	base := "/restapis/" + url.PathEscape(api)
	items, err := a.resources(ctx, api)
	if err != nil {
		return err
	}
	root := ""
	for _, it := range items {
		if it.Path == "/" {
			root = it.ID
			for m := range it.ResourceMethods {
				if err := a.c.Call(ctx, svcAPIGW, http.MethodDelete, base+"/resources/"+it.ID+"/methods/"+m, nil, nil); err != nil {
					return err
				}
			}
		}
	}
	for _, it := range items {
		if it.ParentID == root && it.ID != root {
			if err := a.c.Call(ctx, svcAPIGW, http.MethodDelete, base+"/resources/"+it.ID, nil, nil); err != nil {
				return err
			}
		}
	}
	for _, kind := range []string{"authorizers", "requestvalidators", "models"} {
		var page struct {
			Item []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"item"`
		}
		if err := a.c.Call(ctx, svcAPIGW, http.MethodGet, base+"/"+kind+"?limit=500", nil, &page); err != nil {
			return err
		}
		for _, it := range page.Item {
			key := it.ID
			if kind == "models" {
				key = it.Name
			}
			if err := a.c.Call(ctx, svcAPIGW, http.MethodDelete, base+"/"+kind+"/"+url.PathEscape(key), nil, nil); err != nil && statusOf(err) != http.StatusNotFound {
				return err
			}
		}
	}
	return nil
}

func (a *applier) restResource(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	var out struct {
		ID string `json:"id"`
	}
	path := "/restapis/" + a.api(p, "RestApiId") + "/resources/" + a.api(p, "ParentId")
	if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, path, map[string]any{"pathPart": str(p, "PathPart")}, &out); err != nil {
		return err
	}
	a.set(r.ID, out.ID, map[string]any{"ResourceId": out.ID}, true)
	return nil
}

func (a *applier) restMethod(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	verb := strings.ToUpper(str(p, "HttpMethod"))
	base := "/restapis/" + a.api(p, "RestApiId") + "/resources/" + a.api(p, "ResourceId") + "/methods/" + url.PathEscape(verb)
	in := pick(p, "AuthorizerId", "AuthorizationScopes", "RequestParameters", "RequestModels", "RequestValidatorId", "OperationName")
	in["authorizationType"] = "NONE"
	if t := str(p, "AuthorizationType"); t != "" {
		in["authorizationType"] = t
	}
	if v, ok := p["ApiKeyRequired"]; ok {
		in["apiKeyRequired"] = boolOf(v)
	}
	if rp, ok := p["RequestParameters"].(map[string]any); ok {
		m := map[string]any{}
		for k, v := range rp {
			m[k] = boolOf(v)
		}
		in["requestParameters"] = m
	}
	if err := a.c.Call(ctx, svcAPIGW, http.MethodPut, base, in, nil); err != nil {
		return err
	}
	for _, x := range asList(p["MethodResponses"]) {
		mr, _ := x.(map[string]any)
		body := map[string]any{}
		if rp, ok := mr["ResponseParameters"].(map[string]any); ok {
			m := map[string]any{}
			for k, v := range rp {
				m[k] = boolOf(v)
			}
			body["responseParameters"] = m
		}
		if rm, ok := mr["ResponseModels"]; ok {
			body["responseModels"] = rm
		}
		if err := a.c.Call(ctx, svcAPIGW, http.MethodPut, base+"/responses/"+url.PathEscape(str(mr, "StatusCode")), body, nil); err != nil {
			return err
		}
	}
	if integ, ok := p["Integration"].(map[string]any); ok {
		in := camel(integ).(map[string]any)
		delete(in, "integrationResponses")
		if v, ok := in["integrationHttpMethod"]; ok {
			delete(in, "integrationHttpMethod")
			in["httpMethod"] = v
		}
		if v, ok := in["timeoutInMillis"]; ok {
			in["timeoutInMillis"] = numberOf(v)
		}
		if err := a.c.Call(ctx, svcAPIGW, http.MethodPut, base+"/integration", in, nil); err != nil {
			return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "Integration", Err: err}
		}
		for _, x := range asList(integ["IntegrationResponses"]) {
			ir, _ := x.(map[string]any)
			body := pick(ir, "SelectionPattern", "ResponseParameters", "ResponseTemplates", "ContentHandling")
			if err := a.c.Call(ctx, svcAPIGW, http.MethodPut, base+"/integration/responses/"+url.PathEscape(str(ir, "StatusCode")), body, nil); err != nil {
				return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "Integration.IntegrationResponses", Err: err}
			}
		}
	}
	a.set(r.ID, a.physName(r.ID, 64), map[string]any{}, true)
	return nil
}

func (a *applier) restAuthorizer(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := pick(p, "Name", "Type", "AuthorizerUri", "IdentitySource", "IdentityValidationExpression", "AuthorizerCredentials", "ProviderARNs", "AuthType")
	if v, ok := p["AuthorizerResultTtlInSeconds"]; ok {
		in["authorizerResultTtlInSeconds"] = numberOf(v)
	}
	if v, ok := in["providerARNs"]; ok {
		delete(in, "providerARNs")
		in["providerARNs"] = v
	}
	return a.createChild(ctx, r, "/restapis/"+a.api(p, "RestApiId")+"/authorizers", in, "id", "AuthorizerId")
}

func (a *applier) restModel(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	name := str(p, "Name")
	if name == "" {
		name = r.ID // model names are alphanumeric [M]
	}
	in := map[string]any{"name": name, "contentType": "application/json"}
	if ct := str(p, "ContentType"); ct != "" {
		in["contentType"] = ct
	}
	if d := str(p, "Description"); d != "" {
		in["description"] = d
	}
	if s, ok := p["Schema"]; ok {
		in["schema"] = jsonText(s)
	}
	if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, "/restapis/"+a.api(p, "RestApiId")+"/models", in, nil); err != nil {
		return err
	}
	a.set(r.ID, name, map[string]any{}, true)
	return nil
}

func (a *applier) restValidator(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := map[string]any{"name": str(p, "Name"), "validateRequestBody": boolOf(p["ValidateRequestBody"]),
		"validateRequestParameters": boolOf(p["ValidateRequestParameters"])}
	if in["name"] == "" {
		in["name"] = r.ID
	}
	return a.createChild(ctx, r, "/restapis/"+a.api(p, "RestApiId")+"/requestvalidators", in, "id", "RequestValidatorId")
}

func (a *applier) restGatewayResponse(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := pick(p, "StatusCode", "ResponseParameters", "ResponseTemplates")
	if v, ok := in["statusCode"]; ok {
		in["statusCode"] = cfn.String(v)
	}
	path := "/restapis/" + a.api(p, "RestApiId") + "/gatewayresponses/" + url.PathEscape(str(p, "ResponseType"))
	if err := a.c.Call(ctx, svcAPIGW, http.MethodPut, path, in, nil); err != nil {
		return err
	}
	a.set(r.ID, a.physName(r.ID, 64), map[string]any{}, true)
	return nil
}

func (a *applier) restDeployment(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	in := map[string]any{}
	if d := str(p, "Description"); d != "" {
		in["description"] = d
	}
	stage := str(p, "StageName")
	if stage != "" {
		in["stageName"] = stage
		if sd, ok := p["StageDescription"].(map[string]any); ok {
			if v, ok := sd["Variables"]; ok {
				in["variables"] = v
			}
			if d := str(sd, "Description"); d != "" {
				in["stageDescription"] = d
			}
		}
	}
	var out struct {
		ID string `json:"id"`
	}
	api := str(p, "RestApiId")
	if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, "/restapis/"+url.PathEscape(api)+"/deployments", in, &out); err != nil {
		return err
	}
	if stage != "" {
		a.addStage(api, stage, false)
	}
	a.set(r.ID, out.ID, map[string]any{"DeploymentId": out.ID}, true)
	return nil
}

// addStage records a stage for the summary.
func (a *applier) addStage(api, stage string, http bool) {
	list := a.res.RestAPIs
	if http {
		list = a.res.HTTPAPIs
	}
	for i := range list {
		if list[i].ID == api {
			for _, s := range list[i].Stages {
				if s == stage {
					return
				}
			}
			list[i].Stages = append(list[i].Stages, stage)
			sort.Strings(list[i].Stages)
		}
	}
}

// methodSettingPaths maps MethodSettings members to UpdateStage paths [M].
var methodSettingPaths = map[string]string{
	"MetricsEnabled": "metrics/enabled", "LoggingLevel": "logging/loglevel", "DataTraceEnabled": "logging/dataTrace",
	"ThrottlingBurstLimit": "throttling/burstLimit", "ThrottlingRateLimit": "throttling/rateLimit",
	"CachingEnabled": "caching/enabled", "CacheTtlInSeconds": "caching/ttlInSeconds",
	"CacheDataEncrypted": "caching/dataEncrypted",
}

func (a *applier) restStage(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	api, name := str(p, "RestApiId"), str(p, "StageName")
	base := "/restapis/" + url.PathEscape(api) + "/stages"
	err := a.c.Call(ctx, svcAPIGW, http.MethodGet, base+"/"+url.PathEscape(name), nil, nil)
	created := statusOf(err) == http.StatusNotFound
	var ops []map[string]any
	replace := func(path string, v any) {
		ops = append(ops, map[string]any{"op": "replace", "path": path, "value": cfn.String(v)})
	}
	switch {
	case created:
		in := pick(p, "StageName", "DeploymentId", "Description", "Variables", "CacheClusterSize", "DocumentationVersion")
		if v, ok := p["CacheClusterEnabled"]; ok {
			in["cacheClusterEnabled"] = boolOf(v)
		}
		if v, ok := p["TracingEnabled"]; ok {
			in["tracingEnabled"] = boolOf(v)
		}
		in["tags"] = cfnTags(p["Tags"])
		if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, base, in, nil); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		replace("/deploymentId", p["DeploymentId"])
		if d, ok := p["Description"]; ok {
			replace("/description", d)
		}
		for k, v := range stringMap(p["Variables"]) {
			replace("/variables/"+k, v)
		}
		if v, ok := p["TracingEnabled"]; ok {
			replace("/tracingEnabled", v)
		}
	}
	for _, x := range asList(p["MethodSettings"]) {
		ms, _ := x.(map[string]any)
		rp, verb := str(ms, "ResourcePath"), str(ms, "HttpMethod")
		if rp == "" {
			rp = "/*"
		}
		if verb == "" {
			verb = "*"
		}
		for k, sub := range methodSettingPaths {
			if v, ok := ms[k]; ok {
				replace(rp+"/"+verb+"/"+sub, v)
			}
		}
	}
	if al, ok := p["AccessLogSetting"].(map[string]any); ok {
		if v, ok := al["DestinationArn"]; ok {
			replace("/accessLogSettings/destinationArn", v)
		}
		if v, ok := al["Format"]; ok {
			replace("/accessLogSettings/format", v)
		}
	}
	if len(ops) > 0 {
		if err := a.c.Call(ctx, svcAPIGW, http.MethodPatch, base+"/"+url.PathEscape(name), map[string]any{"patchOperations": ops}, nil); err != nil {
			return err
		}
	}
	a.addStage(api, name, false)
	a.set(r.ID, name, map[string]any{}, created)
	return nil
}

func (a *applier) apiKey(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	var out struct {
		ID    string `json:"id"`
		Value string `json:"value"`
	}
	id := a.existing["apikeys/"+r.ID]
	created := id == ""
	if created {
		in := map[string]any{"name": str(p, "Name"), "enabled": true, "tags": a.tags(r.ID)}
		if in["name"] == "" {
			in["name"] = a.physName(r.ID, 128)
		}
		if v, ok := p["Enabled"]; ok {
			in["enabled"] = boolOf(v)
		}
		for _, k := range []string{"Description", "Value", "CustomerId"} {
			if v := str(p, k); v != "" {
				in[lowerFirst(k)] = v
			}
		}
		var keys []any
		for _, x := range asList(p["StageKeys"]) {
			sk, _ := x.(map[string]any)
			keys = append(keys, map[string]any{"restApiId": str(sk, "RestApiId"), "stageName": str(sk, "StageName")})
		}
		if keys != nil {
			in["stageKeys"] = keys
		}
		if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, "/apikeys", in, &out); err != nil {
			return err
		}
		a.undoCreate(svcAPIGW, "/apikeys/"+url.PathEscape(out.ID))
	} else if err := a.c.Call(ctx, svcAPIGW, http.MethodGet, "/apikeys/"+url.PathEscape(id)+"?includeValue=true", nil, &out); err != nil {
		return err
	}
	if str(p, "Value") == "" {
		a.res.APIKeys = append(a.res.APIKeys, APIKey{LogicalID: r.ID, ID: out.ID, Value: out.Value})
	}
	a.set(r.ID, out.ID, map[string]any{"APIKeyId": out.ID}, created)
	return nil
}

func (a *applier) usagePlan(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	if old := a.existing["usageplans/"+r.ID]; old != "" {
		// Replaced: its keys are linked again by the UsagePlanKey resources.
		if err := a.c.Call(ctx, svcAPIGW, http.MethodDelete, "/usageplans/"+url.PathEscape(old), nil, nil); err != nil && statusOf(err) != http.StatusNotFound {
			return err
		}
	}
	in := map[string]any{"name": str(p, "UsagePlanName"), "tags": a.tags(r.ID)}
	if in["name"] == "" {
		in["name"] = a.physName(r.ID, 128)
	}
	if d := str(p, "Description"); d != "" {
		in["description"] = d
	}
	var stages []any
	for _, x := range asList(p["ApiStages"]) {
		s, _ := x.(map[string]any)
		stages = append(stages, map[string]any{"apiId": str(s, "ApiId"), "stage": str(s, "Stage")})
	}
	if stages != nil {
		in["apiStages"] = stages
	}
	if t, ok := p["Throttle"].(map[string]any); ok {
		in["throttle"] = map[string]any{"burstLimit": numberOf(t["BurstLimit"]), "rateLimit": numberOf(t["RateLimit"])}
	}
	if q, ok := p["Quota"].(map[string]any); ok {
		quota := map[string]any{"limit": numberOf(q["Limit"]), "period": str(q, "Period")}
		if v, ok := q["Offset"]; ok {
			quota["offset"] = numberOf(v)
		}
		in["quota"] = quota
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, "/usageplans", in, &out); err != nil {
		return err
	}
	a.undoCreate(svcAPIGW, "/usageplans/"+url.PathEscape(out.ID))
	a.set(r.ID, out.ID, map[string]any{"Id": out.ID}, true)
	return nil
}

func (a *applier) usagePlanKey(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	plan, key := str(p, "UsagePlanId"), str(p, "KeyId")
	in := map[string]any{"keyId": key, "keyType": str(p, "KeyType")}
	err := a.c.Call(ctx, svcAPIGW, http.MethodPost, "/usageplans/"+url.PathEscape(plan)+"/keys", in, nil)
	if err != nil && statusOf(err) != http.StatusConflict {
		return err
	}
	a.set(r.ID, key+":"+plan, map[string]any{"Id": key + ":" + plan}, true)
	return nil
}
