package cfn

import (
	"fmt"
	"sort"
	"strings"
)

// AWS::Serverless::Api and AWS::Serverless::HttpApi [C: samtranslator
// model/api/api_generator.py, http_api_generator.py, swagger/swagger.py,
// open_api/open_api.py; fixtures api_with_*, http_api_*].

func (c *samCtx) readAPI(id string, r map[string]any, http bool) error {
	props, _ := r["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		r["Properties"] = props
	}
	implicit := props["__implicit"] == true
	delete(props, "__implicit")
	a := &samAPI{id: id, http: http, props: props, attr: map[string]any{}}
	for _, k := range []string{"Condition", "DependsOn"} {
		if v, ok := r[k]; ok {
			a.attr[k] = v
		}
	}
	body, hasBody := props["DefinitionBody"]
	uri, hasURI := props["DefinitionUri"]
	if hasBody && hasURI {
		return resourceErr(id, "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.")
	}
	if !http && !implicit {
		if _, ok := props["StageName"]; !ok {
			return resourceErr(id, "Missing required property 'StageName'.")
		}
		if c.literalString(props["StageName"]) == "" {
			if _, _, isFn := IsIntrinsic(props["StageName"]); !isFn {
				return resourceErr(id, "StageName cannot be empty.")
			}
		}
	}
	switch {
	case hasBody:
		m, ok := deepCopy(body).(map[string]any)
		if !ok {
			return resourceErr(id, "'DefinitionBody' must be a map.")
		}
		a.body = m
		a.managed = String(props["MergeDefinitions"]) == "true"
	case hasURI:
		s, ok := c.literal(uri)
		path, isStr := s.(string)
		if !ok || !isStr || strings.HasPrefix(path, "s3://") {
			return resourceErr(id, "'DefinitionUri' must be a local file path: Tollgate does not read S3.")
		}
		doc, err := loadInclude(map[string]any{"Location": path}, c.dir)
		if err != nil {
			return resourceErr(id, "%v", err)
		}
		a.body = doc.(map[string]any)
	default:
		a.managed = true
		title := map[string]any{"Ref": "AWS::StackName"}
		if http {
			a.body = map[string]any{"openapi": "3.0.1", "info": map[string]any{"version": "1.0", "title": title}, "paths": map[string]any{}}
		} else {
			a.body = map[string]any{"swagger": "2.0", "info": map[string]any{"version": "1.0", "title": title}, "paths": map[string]any{}}
			if v := c.literalString(props["OpenApiVersion"]); strings.HasPrefix(v, "3") {
				delete(a.body, "swagger")
				a.body["openapi"] = v
			}
		}
	}
	if implicit {
		a.attr["__implicit"] = true
	}
	c.apis[id] = a
	return nil
}

func isOpenAPI3(body map[string]any) bool {
	_, ok := body["openapi"]
	return ok
}

// expandRESTAPI writes RestApi, Deployment and Stage (+ usage plans).
func (c *samCtx) expandRESTAPI(a *samAPI) error {
	implicit := a.attr["__implicit"] == true
	delete(a.attr, "__implicit")
	if implicit && a.events == 0 {
		return nil
	}
	p := a.props
	if a.body == nil || !a.managed && p["DefinitionUri"] != nil {
		for _, k := range []string{"Cors", "Auth", "GatewayResponses", "Models"} {
			if p[k] != nil {
				return resourceErr(a.id, "%s works only with inline Swagger specified in 'DefinitionBody' property.", k)
			}
		}
	}
	stage := p["StageName"]
	if stage == nil {
		stage = "Prod"
	}
	stageName := c.literalString(stage)
	if cors := p["Cors"]; cors != nil {
		if err := c.addRESTCors(a, cors); err != nil {
			return err
		}
	}
	if err := c.addRESTAuth(a); err != nil {
		return err
	}
	if gr, ok := p["GatewayResponses"].(map[string]any); ok {
		out, err := gatewayResponses(a.id, gr)
		if err != nil {
			return err
		}
		a.body["x-amazon-apigateway-gateway-responses"] = out
	}
	if models, ok := p["Models"].(map[string]any); ok {
		if isOpenAPI3(a.body) {
			ensureMap(ensureMap(a.body, "components"), "schemas")
			for k, v := range models {
				a.body["components"].(map[string]any)["schemas"].(map[string]any)[k] = v
			}
		} else {
			defs := ensureMap(a.body, "definitions")
			for k, v := range models {
				defs[k] = v
			}
		}
	}
	if bm, ok := p["BinaryMediaTypes"].([]any); ok {
		var types []any
		for _, t := range bm {
			if s, ok := t.(string); ok {
				types = append(types, strings.ReplaceAll(s, "~1", "/"))
			} else {
				types = append(types, t)
			}
		}
		a.body["x-amazon-apigateway-binary-media-types"] = types
	}
	stripEventAuth(a.body)
	api := map[string]any{"Body": a.body}
	copyProps(api, p, "Name", "Description", "MinimumCompressionSize", "Mode", "ApiKeySourceType", "FailOnWarnings", "DisableExecuteApiEndpoint", "Tags")
	if bm, ok := p["BinaryMediaTypes"].([]any); ok {
		types := make([]any, len(bm))
		for i, t := range bm {
			types[i] = t
			if s, ok := t.(string); ok {
				types[i] = strings.ReplaceAll(s, "~1", "/")
			}
		}
		api["BinaryMediaTypes"] = types
	}
	if ec, ok := p["EndpointConfiguration"]; ok {
		if s, isStr := ec.(string); isStr {
			api["EndpointConfiguration"] = map[string]any{"Types": []any{s}}
		} else if m, isMap := ec.(map[string]any); isMap {
			e := map[string]any{}
			if t, ok := m["Type"]; ok {
				e["Types"] = []any{t}
			}
			if v, ok := m["VPCEndpointIds"]; ok {
				e["VpcEndpointIds"] = v
			}
			api["EndpointConfiguration"] = e
		}
	}
	c.add(a.id, map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": api}, a.attr)
	sum := sha1Hex(map[string]any{"body": a.body, "stage": stageName})
	dep := a.id + "Deployment" + sum[:10]
	depProps := map[string]any{"RestApiId": map[string]any{"Ref": a.id}, "Description": "RestApi deployment id: " + sum}
	if p["OpenApiVersion"] == nil {
		// SAM's extra stage named "Stage" [D: "OpenApiVersion"].
		depProps["StageName"] = "Stage"
	}
	c.add(dep, map[string]any{"Type": "AWS::ApiGateway::Deployment", "Properties": depProps}, a.attr)
	stageID := a.id + "Stage"
	if _, _, isFn := IsIntrinsic(stage); !isFn {
		if alnum.MatchString(stageName) {
			stageID = a.id + stageName + "Stage"
		} else {
			stageID = a.id + "Stage" + hash10(stageName)
		}
	}
	sp := map[string]any{"DeploymentId": map[string]any{"Ref": dep}, "RestApiId": map[string]any{"Ref": a.id}, "StageName": stage}
	copyProps(sp, p, "Variables", "MethodSettings", "CacheClusterEnabled", "CacheClusterSize", "AccessLogSetting", "CanarySetting", "TracingEnabled", "Description")
	c.add(stageID, map[string]any{"Type": "AWS::ApiGateway::Stage", "Properties": sp}, a.attr)
	c.refs[a.id+".Stage"], c.refs[a.id+".Deployment"] = stageID, dep
	if d, ok := p["Domain"]; ok && d != nil {
		c.warn(fmt.Sprintf("%s: Domain is not created locally (use tollgate's custom domains)", a.id))
	}
	return c.addUsagePlan(a, stageID)
}

// stripEventAuth removes the markers events left on methods.
func stripEventAuth(body map[string]any) {
	paths, _ := body["paths"].(map[string]any)
	for _, pi := range paths {
		m, _ := pi.(map[string]any)
		for verb, op := range m {
			o, ok := op.(map[string]any)
			if !ok {
				continue
			}
			delete(o, eventAuthKey)
			if cond, ok := o[conditionKey]; ok {
				delete(o, conditionKey)
				m[verb] = map[string]any{"Fn::If": []any{cond, o, map[string]any{"Ref": "AWS::NoValue"}}}
			}
		}
	}
}

// methods calls f for each operation of the definition, in path order.
func methods(body map[string]any, f func(path, method string, op map[string]any) error) error {
	paths, _ := body["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		pi, _ := paths[path].(map[string]any)
		for _, m := range sortedKeys(pi) {
			if op, ok := pi[m].(map[string]any); ok && isMethod(m) {
				if err := f(path, m, op); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func isMethod(m string) bool {
	switch m {
	case "get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method":
		return true
	}
	return false
}

var corsKeys = []string{"AllowMethods", "AllowHeaders", "AllowOrigin", "MaxAge", "AllowCredentials"}

// addRESTCors adds SAM's MOCK OPTIONS method to every path without one
// [C: SwaggerEditor.add_cors].
func (c *samCtx) addRESTCors(a *samAPI, cors any) error {
	cfg := map[string]any{}
	switch t := cors.(type) {
	case map[string]any:
		if _, _, fn := IsIntrinsic(t); fn {
			cfg["AllowOrigin"] = t
			break
		}
		for k, v := range t {
			found := false
			for _, ck := range corsKeys {
				found = found || ck == k
			}
			if !found {
				return resourceErr(a.id, "Invalid key '%s' for 'Cors' property.", k)
			}
			cfg[k] = v
		}
	default:
		cfg["AllowOrigin"] = t
	}
	origin, hasOrigin := cfg["AllowOrigin"]
	if !hasOrigin {
		origin = "'*'"
	}
	if String(origin) == "" {
		if _, _, fn := IsIntrinsic(origin); !fn {
			return resourceErr(a.id, "Invalid input. Value for AllowedOrigins is required")
		}
	}
	creds := String(cfg["AllowCredentials"]) == "true"
	if creds && (String(origin) == "'*'") {
		return resourceErr(a.id, "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set")
	}
	paths := ensureMap(a.body, "paths")
	seen := map[string]bool{}
	for _, path := range sortedKeys(paths) {
		norm := strings.TrimSuffix(path, "/")
		if seen[norm] {
			continue
		}
		seen[norm] = true
		pi, _ := paths[path].(map[string]any)
		if pi == nil {
			continue
		}
		if _, ok := pi["options"]; ok {
			continue
		}
		methodsHeader := cfg["AllowMethods"]
		if methodsHeader == nil {
			set := map[string]bool{"OPTIONS": true}
			for m := range pi {
				switch {
				case m == "x-amazon-apigateway-any-method":
					for _, x := range []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"} {
						set[x] = true
					}
				case isMethod(m):
					set[strings.ToUpper(m)] = true
				}
			}
			var l []string
			for m := range set {
				l = append(l, m)
			}
			sort.Strings(l)
			methodsHeader = "'" + strings.Join(l, ",") + "'"
		}
		rp := map[string]any{"method.response.header.Access-Control-Allow-Origin": origin}
		headers := map[string]any{"Access-Control-Allow-Origin": map[string]any{"type": "string"}}
		set := func(name string, v any) {
			if v == nil {
				return
			}
			rp["method.response.header."+name] = v
			headers[name] = map[string]any{"type": "string"}
		}
		set("Access-Control-Allow-Headers", cfg["AllowHeaders"])
		set("Access-Control-Allow-Methods", methodsHeader)
		set("Access-Control-Max-Age", cfg["MaxAge"])
		if creds {
			set("Access-Control-Allow-Credentials", "'true'")
		}
		op := map[string]any{
			"summary": "CORS support", "consumes": []any{"application/json"}, "produces": []any{"application/json"},
			"x-amazon-apigateway-integration": map[string]any{
				"type":             "mock",
				"requestTemplates": map[string]any{"application/json": "{\n  \"statusCode\" : 200\n}\n"},
				"responses": map[string]any{"default": map[string]any{
					"statusCode": "200", "responseParameters": rp,
					"responseTemplates": map[string]any{"application/json": "{}\n"}}},
			},
			"responses": map[string]any{"200": map[string]any{"description": "Default response for CORS method", "headers": headers}},
			corsMarker:  true,
		}
		if isOpenAPI3(a.body) {
			delete(op, "consumes")
			delete(op, "produces")
		}
		pi["options"] = op
	}
	return nil
}

// corsMarker flags SAM's preflight methods until Auth is applied.
const corsMarker = "x-tollgate-sam-cors"

// addRESTAuth writes the authorizers and method security [C:
// api_generator._add_auth, SwaggerEditor.add_authorizers_security_definitions,
// set_path_default_authorizer, add_auth_to_method].
func (c *samCtx) addRESTAuth(a *samAPI) error {
	auth, _ := a.props["Auth"].(map[string]any)
	defer methods(a.body, func(_, _ string, op map[string]any) error { delete(op, corsMarker); return nil })
	if auth == nil {
		// Events may still name NONE/authorizers: without Auth on the API
		// they are errors.
		return methods(a.body, func(path, method string, op map[string]any) error {
			if ea, ok := op[eventAuthKey].(map[string]any); ok {
				if name := String(ea["Authorizer"]); name != "" && name != "AWS_IAM" {
					if name == "NONE" {
						return resourceErr(a.id, "Unable to set Authorizer on API method [%s] for path [%s] because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified.", method, path)
					}
					return resourceErr(a.id, "Unable to set Authorizer [%s] on API method [%s] for path [%s] because the related API does not define any Authorizers.", name, method, path)
				}
				if name := String(ea["Authorizer"]); name == "AWS_IAM" {
					c.addIAMScheme(a.body)
					op["security"] = []any{map[string]any{"AWS_IAM": []any{}}}
				}
				if String(ea["ApiKeyRequired"]) == "true" {
					c.addAPIKeyScheme(a.body)
					op["security"] = append(asList(op["security"]), map[string]any{"api_key": []any{}})
				}
			}
			return nil
		})
	}
	for k := range auth {
		switch k {
		case "Authorizers", "DefaultAuthorizer", "InvokeRole", "AddDefaultAuthorizerToCorsPreflight",
			"AddApiKeyRequiredToCorsPreflight", "ApiKeyRequired", "ResourcePolicy", "UsagePlan":
		default:
			return resourceErr(a.id, "Invalid value for 'Auth' property")
		}
	}
	authorizers, _ := auth["Authorizers"].(map[string]any)
	schemes := securityContainer(a.body)
	for _, name := range sortedKeys(authorizers) {
		cfg, _ := authorizers[name].(map[string]any)
		s, err := restAuthorizer(a.id, name, cfg)
		if err != nil {
			return err
		}
		schemes[name] = s
		c.authorizerPermission(a, name, cfg)
	}
	def := c.literalString(auth["DefaultAuthorizer"])
	if def != "" && def != "AWS_IAM" {
		if _, ok := authorizers[def]; !ok {
			return resourceErr(a.id, "Unable to set DefaultAuthorizer because '%s' was not defined in 'Authorizers'.", def)
		}
	}
	if def == "AWS_IAM" {
		c.addIAMScheme(a.body)
	}
	apiKey := String(auth["ApiKeyRequired"]) == "true"
	if apiKey {
		c.addAPIKeyScheme(a.body)
	}
	preflightAuth := String(auth["AddDefaultAuthorizerToCorsPreflight"]) != "false"
	preflightKey := String(auth["AddApiKeyRequiredToCorsPreflight"]) != "false"
	return methods(a.body, func(path, method string, op map[string]any) error {
		if _, ok := op["x-amazon-apigateway-integration"]; !ok {
			return nil
		}
		isCors := op[corsMarker] == true
		ea, _ := op[eventAuthKey].(map[string]any)
		var sec []any
		name := String(ea["Authorizer"])
		scopes := asList(ea["AuthorizationScopes"])
		switch {
		case name == "NONE":
			if def == "" {
				return resourceErr(a.id, "Unable to set Authorizer on API method [%s] for path [%s] because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified.", method, path)
			}
			sec = append(sec, map[string]any{"NONE": []any{}})
		case name == "AWS_IAM":
			c.addIAMScheme(a.body)
			sec = append(sec, map[string]any{"AWS_IAM": []any{}})
		case name != "":
			cfg, ok := authorizers[name].(map[string]any)
			if !ok {
				return resourceErr(a.id, "Unable to set Authorizer [%s] on API method [%s] for path [%s] because it wasn't defined in the API's Authorizers.", name, method, path)
			}
			if scopes == nil {
				scopes = asList(cfg["AuthorizationScopes"])
			}
			sec = append(sec, map[string]any{name: orEmpty(scopes)})
		case def != "" && (!isCors || preflightAuth):
			if _, has := op["security"]; has && !isCors {
				break
			}
			if cfg, ok := authorizers[def].(map[string]any); ok && scopes == nil {
				scopes = asList(cfg["AuthorizationScopes"])
			}
			sec = append(sec, map[string]any{def: orEmpty(scopes)})
		}
		key := apiKey
		if v := String(ea["ApiKeyRequired"]); v != "" {
			if v == "false" && !apiKey && !isCors {
				// allowed: nothing to opt out of
			}
			key = v == "true"
			if key {
				c.addAPIKeyScheme(a.body)
			}
		}
		if key && (!isCors || preflightKey) {
			sec = append(sec, map[string]any{"api_key": []any{}})
		}
		if len(sec) > 0 {
			op["security"] = append(asList(op["security"]), sec...)
		}
		return nil
	})
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func securityContainer(body map[string]any) map[string]any {
	if isOpenAPI3(body) {
		return ensureMap(ensureMap(body, "components"), "securitySchemes")
	}
	return ensureMap(body, "securityDefinitions")
}

func (c *samCtx) addIAMScheme(body map[string]any) {
	securityContainer(body)["AWS_IAM"] = map[string]any{"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
}

func (c *samCtx) addAPIKeyScheme(body map[string]any) {
	securityContainer(body)["api_key"] = map[string]any{"type": "apiKey", "name": "x-api-key", "in": "header"}
}

func restAuthorizer(apiID, name string, cfg map[string]any) (map[string]any, error) {
	identity, _ := cfg["Identity"].(map[string]any)
	header := "Authorization"
	if h := String(identity["Header"]); h != "" {
		header = h
	}
	if pools, ok := cfg["UserPoolArn"]; ok {
		arns := pools
		if _, isList := pools.([]any); !isList {
			arns = []any{pools}
		}
		ext := map[string]any{"type": "cognito_user_pools", "providerARNs": arns}
		if v, ok := identity["ValidationExpression"]; ok {
			ext["identityValidationExpression"] = v
		}
		return map[string]any{"type": "apiKey", "name": header, "in": "header",
			"x-amazon-apigateway-authtype": "cognito_user_pools", "x-amazon-apigateway-authorizer": ext}, nil
	}
	fnArn, ok := cfg["FunctionArn"]
	if !ok {
		return nil, resourceErr(apiID, "Authorizer %s must have either 'UserPoolArn' or 'FunctionArn'.", name)
	}
	uri := map[string]any{"Fn::Sub": []any{"arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
		map[string]any{"__FunctionArn__": fnArn}}}
	ext := map[string]any{"authorizerUri": uri}
	if v, ok := identity["ReauthorizeEvery"]; ok {
		ext["authorizerResultTtlInSeconds"] = v
	}
	if v, ok := cfg["FunctionInvokeRole"]; ok && String(v) != "NONE" {
		ext["authorizerCredentials"] = v
	}
	s := map[string]any{"type": "apiKey", "in": "header", "x-amazon-apigateway-authtype": "custom", "x-amazon-apigateway-authorizer": ext}
	if strings.EqualFold(String(cfg["FunctionPayloadType"]), "REQUEST") {
		ext["type"] = "request"
		s["name"] = "Unused"
		var src []string
		for _, part := range []struct{ key, prefix string }{
			{"Headers", "method.request.header."}, {"QueryStrings", "method.request.querystring."},
			{"StageVariables", "stageVariables."}, {"Context", "context."}} {
			for _, x := range asList(identity[part.key]) {
				src = append(src, part.prefix+String(x))
			}
		}
		if len(src) > 0 {
			ext["identitySource"] = strings.Join(src, ", ")
		}
	} else {
		ext["type"] = "token"
		s["name"] = header
		if v, ok := identity["ValidationExpression"]; ok {
			ext["identityValidationExpression"] = v
		}
	}
	return s, nil
}

// gatewayResponses converts SAM's GatewayResponses [C: fixture
// api_with_gateway_responses].
func gatewayResponses(apiID string, gr map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for typ, v := range gr {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, resourceErr(apiID, "Invalid gateway response '%s': it must be a map.", typ)
		}
		r := map[string]any{}
		if sc, ok := m["StatusCode"]; ok {
			r["statusCode"] = String(sc)
		}
		if rp, ok := m["ResponseParameters"].(map[string]any); ok {
			params := map[string]any{}
			for kind, prefix := range map[string]string{"Headers": "header", "Paths": "path", "QueryStrings": "querystring"} {
				if vals, ok := rp[kind].(map[string]any); ok {
					for k, x := range vals {
						params["gatewayresponse."+prefix+"."+k] = x
					}
				}
			}
			r["responseParameters"] = params
		}
		if rt, ok := m["ResponseTemplates"]; ok {
			r["responseTemplates"] = rt
		}
		out[typ] = r
	}
	return out, nil
}

// addUsagePlan writes Auth.UsagePlan's resources [C: fixture api_with_usageplans].
func (c *samCtx) addUsagePlan(a *samAPI, stageID string) error {
	auth, _ := a.props["Auth"].(map[string]any)
	up, _ := auth["UsagePlan"].(map[string]any)
	if up == nil {
		return nil
	}
	mode := String(up["CreateUsagePlan"])
	switch mode {
	case "NONE":
		return nil
	case "PER_API", "SHARED":
	default:
		return resourceErr(a.id, "'CreateUsagePlan' accepts only PER_API, SHARED or NONE.")
	}
	planID, keyID, linkID := a.id+"UsagePlan", a.id+"ApiKey", a.id+"UsagePlanKey"
	if mode == "SHARED" {
		planID, keyID, linkID = "ServerlessUsagePlan", "ServerlessApiKey", "ServerlessUsagePlanKey"
	}
	stageRef := map[string]any{"ApiId": map[string]any{"Ref": a.id}, "Stage": map[string]any{"Ref": stageID}}
	if existing, ok := c.res[planID].(map[string]any); ok && mode == "SHARED" {
		props := existing["Properties"].(map[string]any)
		props["ApiStages"] = append(asList(props["ApiStages"]), stageRef)
		existing["DependsOn"] = append(asList(existing["DependsOn"]), a.id)
	} else {
		plan := map[string]any{"ApiStages": []any{stageRef}}
		copyProps(plan, up, "Description", "Quota", "Throttle", "UsagePlanName", "Tags")
		c.add(planID, map[string]any{"Type": "AWS::ApiGateway::UsagePlan", "DependsOn": []any{a.id}, "Properties": plan}, a.attr)
		c.add(keyID, map[string]any{"Type": "AWS::ApiGateway::ApiKey", "DependsOn": []any{planID}, "Properties": map[string]any{
			"Enabled": true, "StageKeys": []any{map[string]any{"RestApiId": map[string]any{"Ref": a.id}, "StageName": map[string]any{"Ref": stageID}}}}}, a.attr)
		c.add(linkID, map[string]any{"Type": "AWS::ApiGateway::UsagePlanKey", "DependsOn": []any{keyID}, "Properties": map[string]any{
			"KeyId": map[string]any{"Ref": keyID}, "KeyType": "API_KEY", "UsagePlanId": map[string]any{"Ref": planID}}}, a.attr)
	}
	c.refs[a.id+".UsagePlan"], c.refs[a.id+".ApiKey"], c.refs[a.id+".UsagePlanKey"] = planID, keyID, linkID
	return nil
}

// authorizerPermission adds the permission SAM gives API Gateway to call a
// Lambda authorizer, <Api><Authorizer>AuthorizerPermission [C: fixture
// api_with_auth_all_minimum]; recorded, not enforced locally.
func (c *samCtx) authorizerPermission(a *samAPI, name string, cfg map[string]any) {
	fn, ok := cfg["FunctionArn"]
	if !ok {
		return
	}
	c.add(a.id+name+"AuthorizerPermission", map[string]any{"Type": "AWS::Lambda::Permission", "Properties": map[string]any{
		"Action": "lambda:InvokeFunction", "FunctionName": fn, "Principal": "apigateway.amazonaws.com",
		"SourceArn": map[string]any{"Fn::Sub": []any{"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*",
			map[string]any{"__ApiId__": map[string]any{"Ref": a.id}}}}}}, a.attr)
}
