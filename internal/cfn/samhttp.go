package cfn

import (
	"fmt"
	"strings"
)

// AWS::Serverless::HttpApi [C: samtranslator model/api/http_api_generator.py,
// open_api/open_api.py; fixtures http_api_*].

// expandHTTPAPI writes ApiGatewayV2 Api and Stage [C: http_api_generator.py].
func (c *samCtx) expandHTTPAPI(a *samAPI) error {
	implicit := a.attr["__implicit"] == true
	delete(a.attr, "__implicit")
	if implicit && a.events == 0 {
		return nil
	}
	p := a.props
	if a.body == nil && p["DefinitionUri"] == nil {
		return resourceErr(a.id, "'DefinitionUri' or 'DefinitionBody' are required properties of an 'AWS::Serverless::HttpApi'. Add a value for one of these properties or add a 'HttpApi' event to an 'AWS::Serverless::Function'.")
	}
	tags := map[string]any{}
	if tm, ok := p["Tags"].(map[string]any); ok {
		for k, v := range tm {
			tags[k] = v
		}
	}
	tags["httpapi:createdBy"] = "SAM"
	if a.body != nil {
		var bodyTags []any
		for _, k := range sortedKeys(tags) {
			bodyTags = append(bodyTags, map[string]any{"name": k, "x-amazon-apigateway-tag-value": tags[k]})
		}
		a.body["tags"] = bodyTags
		if n, ok := p["Name"]; ok {
			ensureMap(a.body, "info")["title"] = n
		}
		if cors := p["CorsConfiguration"]; cors != nil {
			out, err := httpCors(a.id, cors)
			if err != nil {
				return err
			}
			a.body["x-amazon-apigateway-cors"] = out
		}
		if err := c.addHTTPAuth(a); err != nil {
			return err
		}
		stripEventAuth(a.body)
		if String(p["FailOnWarnings"]) == "true" {
			if paths, ok := a.body["paths"].(map[string]any); ok {
				if v, ok := paths["$default"]; ok {
					delete(paths, "$default")
					paths["/$default"] = v
				}
			}
		}
	}
	api := map[string]any{"Body": a.body}
	copyProps(api, p, "FailOnWarnings", "DisableExecuteApiEndpoint", "Description")
	c.add(a.id, map[string]any{"Type": "AWS::ApiGatewayV2::Api", "Properties": api}, a.attr)
	stage := p["StageName"]
	if stage == nil {
		stage = "$default"
	}
	stageName := c.literalString(stage)
	stageID := a.id + "ApiGatewayDefaultStage"
	if stageName != "$default" {
		stageID = a.id + stageName + "Stage"
		if !alnum.MatchString(stageName) {
			stageID = a.id + "Stage"
		}
	}
	sp := map[string]any{"ApiId": map[string]any{"Ref": a.id}, "StageName": stage, "AutoDeploy": true, "Tags": tags}
	copyProps(sp, p, "StageVariables", "AccessLogSettings", "DefaultRouteSettings", "RouteSettings")
	c.add(stageID, map[string]any{"Type": "AWS::ApiGatewayV2::Stage", "Properties": sp}, a.attr)
	c.refs[a.id+".Stage"] = stageID
	if d, ok := p["Domain"]; ok && d != nil {
		c.warn(fmt.Sprintf("%s: Domain is not created locally (use tollgate's custom domains)", a.id))
	}
	return nil
}

func httpCors(id string, v any) (any, error) {
	if b, ok := v.(bool); ok {
		if !b {
			return nil, nil
		}
		return map[string]any{"allowOrigins": []any{"*"}}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, resourceErr(id, "Invalid value for 'CorsConfiguration' property.")
	}
	if fn, arg, isFn := IsIntrinsic(m); isFn {
		return map[string]any{fn: camelCors(arg)}, nil
	}
	out := camelCors(m).(map[string]any)
	if out["allowCredentials"] == true || String(out["allowCredentials"]) == "true" {
		for _, o := range asList(out["allowOrigins"]) {
			if String(o) == "*" {
				return nil, resourceErr(id, "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set.")
			}
		}
	} else {
		delete(out, "allowCredentials")
	}
	return out, nil
}

func camelCors(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			if _, _, fn := IsIntrinsic(t); fn {
				out[k] = camelCors(x)
				continue
			}
			out[strings.ToLower(k[:1])+k[1:]] = x
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = camelCors(x)
		}
		return out
	}
	return v
}

// addHTTPAuth writes JWT and Lambda authorizers and route security
// [C: OpenApiEditor.add_authorizers_security_definitions, fixtures
// http_api_with_auth, http_api_lambda_auth].
func (c *samCtx) addHTTPAuth(a *samAPI) error {
	auth, _ := a.props["Auth"].(map[string]any)
	authorizers, _ := auth["Authorizers"].(map[string]any)
	if len(authorizers) > 0 {
		schemes := ensureMap(ensureMap(a.body, "components"), "securitySchemes")
		for _, name := range sortedKeys(authorizers) {
			cfg, _ := authorizers[name].(map[string]any)
			s, err := httpAuthorizer(a.id, name, cfg)
			if err != nil {
				return err
			}
			schemes[name] = s
			c.authorizerPermission(a, name, cfg)
		}
	}
	if String(auth["EnableIamAuthorizer"]) == "true" {
		ensureMap(ensureMap(a.body, "components"), "securitySchemes")["AWS_IAM"] = map[string]any{
			"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
	}
	def := c.literalString(auth["DefaultAuthorizer"])
	if def != "" && def != "AWS_IAM" {
		if _, ok := authorizers[def]; !ok {
			return resourceErr(a.id, "Unable to set DefaultAuthorizer because '%s' was not defined in 'Authorizers'.", def)
		}
	}
	return methods(a.body, func(path, method string, op map[string]any) error {
		if _, ok := op["x-amazon-apigateway-integration"]; !ok {
			return nil
		}
		ea, _ := op[eventAuthKey].(map[string]any)
		name := String(ea["Authorizer"])
		scopes := asList(ea["AuthorizationScopes"])
		switch {
		case name == "NONE":
			if def == "" {
				return resourceErr(a.id, "Unable to set Authorizer on API method [%s] for path [%s] because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified.", method, path)
			}
			op["security"] = []any{}
			return nil
		case name != "":
			cfg, ok := authorizers[name].(map[string]any)
			if !ok && name != "AWS_IAM" {
				return resourceErr(a.id, "Unable to set Authorizer [%s] on API method [%s] for path [%s] because it wasn't defined in the API's Authorizers.", name, method, path)
			}
			if scopes == nil {
				scopes = asList(cfg["AuthorizationScopes"])
			}
			op["security"] = []any{map[string]any{name: orEmpty(scopes)}}
		case def != "":
			if _, has := op["security"]; has {
				return nil
			}
			if cfg, ok := authorizers[def].(map[string]any); ok && scopes == nil {
				scopes = asList(cfg["AuthorizationScopes"])
			}
			op["security"] = []any{map[string]any{def: orEmpty(scopes)}}
		}
		return nil
	})
}

func httpAuthorizer(apiID, name string, cfg map[string]any) (map[string]any, error) {
	if jc, ok := cfg["JwtConfiguration"].(map[string]any); ok {
		conf := map[string]any{}
		for k, v := range jc {
			conf[strings.ToLower(k)] = v
		}
		ext := map[string]any{"type": "jwt", "jwtConfiguration": conf}
		if v, ok := cfg["IdentitySource"]; ok {
			ext["identitySource"] = v
		}
		return map[string]any{"type": "oauth2", "x-amazon-apigateway-authorizer": ext}, nil
	}
	fnArn, ok := cfg["FunctionArn"]
	if !ok {
		return nil, resourceErr(apiID, "%s Authorizer must define 'JwtConfiguration' or 'FunctionArn'.", name)
	}
	pfv, ok := cfg["AuthorizerPayloadFormatVersion"]
	if !ok {
		return nil, resourceErr(apiID, "%s Lambda Authorizer must define 'AuthorizerPayloadFormatVersion'.", name)
	}
	// Copied as written (SAM keeps a YAML 1.0 a number) [C: fixture http_api_lambda_auth].
	ext := map[string]any{"type": "request", "authorizerPayloadFormatVersion": pfv,
		"authorizerUri": map[string]any{"Fn::Sub": []any{"arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
			map[string]any{"__FunctionArn__": fnArn}}}}
	if v, ok := cfg["EnableSimpleResponses"]; ok {
		ext["enableSimpleResponses"] = v
	}
	if v, ok := cfg["FunctionInvokeRole"]; ok {
		ext["authorizerCredentials"] = v
	}
	identity, _ := cfg["Identity"].(map[string]any)
	if v, ok := identity["ReauthorizeEvery"]; ok {
		ext["authorizerResultTtlInSeconds"] = v
	}
	var src []any
	for _, part := range []struct{ key, prefix string }{
		{"Headers", "$request.header."}, {"QueryStrings", "$request.querystring."},
		{"StageVariables", "$stageVariables."}, {"Context", "$context."}} {
		for _, x := range asList(identity[part.key]) {
			src = append(src, part.prefix+String(x))
		}
	}
	if len(src) > 0 {
		ext["identitySource"] = src
	}
	return map[string]any{"type": "apiKey", "name": "Unused", "in": "header", "x-amazon-apigateway-authorizer": ext}, nil
}
