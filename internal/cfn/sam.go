package cfn

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// The SAM transform, after the translator's model (aws/serverless-
// application-model, samtranslator/) and its fixtures in
// tests/translator/{input,output} [C]. Deviations, by design [U]:
//   - a local CodeUri (directory or .zip) is kept as the function's local
//     code, as SAM CLI does (the translator itself wants S3 URIs);
//   - DefinitionUri may be a local file.

// samCtx carries the expansion's state.
type samCtx struct {
	doc   map[string]any
	res   map[string]any // doc's Resources
	lit   *Evaluator     // parameters and pseudo parameters only
	dir   string
	warn  func(string)
	apis  map[string]*samAPI // REST and HTTP APIs by logical id
	refs  map[string]string  // "Api.Stage" → generated logical id
	added map[string]bool    // generated logical ids
}

// samAPI is an AWS::Serverless::Api or ::HttpApi being expanded.
type samAPI struct {
	id      string
	http    bool
	props   map[string]any
	body    map[string]any // the definition (nil: DefinitionUri)
	managed bool           // SAM adds event integrations to body
	attr    map[string]any // resource attributes to copy (Condition, DependsOn)
	events  int
}

func expandSAM(doc map[string]any, ev *Evaluator, dir string, warn func(string)) error {
	res, _ := doc["Resources"].(map[string]any)
	c := &samCtx{doc: doc, res: res, dir: dir, warn: warn, apis: map[string]*samAPI{}, refs: map[string]string{}, added: map[string]bool{}}
	lit := *ev
	lit.Resources = map[string]string{}
	c.lit = &lit
	globals, _ := doc["Globals"].(map[string]any)
	if err := checkGlobals(globals); err != nil {
		return err
	}
	delete(doc, "Globals")
	ids := sortedKeys(res)
	for _, id := range ids {
		r, ok := res[id].(map[string]any)
		if !ok {
			return fmt.Errorf("%w: [/Resources/%s] resource definition is malformed", ErrFormat, id)
		}
		applyGlobals(globals, r)
	}
	// APIs first: events add their routes to them.
	for _, id := range ids {
		r := res[id].(map[string]any)
		switch String(r["Type"]) {
		case "AWS::Serverless::Api":
			if err := c.readAPI(id, r, false); err != nil {
				return err
			}
		case "AWS::Serverless::HttpApi":
			if err := c.readAPI(id, r, true); err != nil {
				return err
			}
		}
	}
	var fns []string
	for _, id := range ids {
		if String(res[id].(map[string]any)["Type"]) == "AWS::Serverless::Function" {
			fns = append(fns, id)
		}
	}
	for _, id := range fns {
		if err := c.functionEvents(id, res[id].(map[string]any), globals); err != nil {
			return err
		}
	}
	for _, id := range sortedAPIKeys(c.apis) {
		a := c.apis[id]
		var err error
		if a.http {
			err = c.expandHTTPAPI(a)
		} else {
			err = c.expandRESTAPI(a)
		}
		if err != nil {
			return err
		}
	}
	for _, id := range fns {
		if err := c.expandFunction(id, res[id].(map[string]any)); err != nil {
			return err
		}
	}
	for _, id := range sortedKeys(res) {
		r, _ := res[id].(map[string]any)
		if t := String(r["Type"]); strings.HasPrefix(t, "AWS::Serverless::") && !c.added[id] {
			switch t {
			case "AWS::Serverless::Function", "AWS::Serverless::Api", "AWS::Serverless::HttpApi":
			default:
				warn(fmt.Sprintf("%s (%s): not expanded locally (Tollgate serves functions, REST and HTTP APIs)", id, t))
			}
		}
	}
	// SAM's property references (MyApi.Stage, MyFn.Alias …) name the
	// generated resources [C: intrinsics/resource_refs].
	rewriteRefs(doc["Resources"], c.refs)
	rewriteRefs(doc["Outputs"], c.refs)
	return nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedAPIKeys(m map[string]*samAPI) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// literal evaluates v over parameters and pseudo parameters (what SAM
// needs as a literal while expanding, §5.7 of the design); ok is false
// when v depends on a resource.
func (c *samCtx) literal(v any) (any, bool) {
	r, err := c.lit.Eval(v)
	if err != nil {
		return v, false
	}
	return r, true
}

func (c *samCtx) literalString(v any) string {
	r, _ := c.literal(v)
	return String(r)
}

// add puts a generated resource into the template.
func (c *samCtx) add(id string, r map[string]any, attr map[string]any) {
	for _, k := range []string{"Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy"} {
		if v, ok := attr[k]; ok {
			if _, set := r[k]; !set {
				r[k] = v
			}
		}
	}
	c.res[id] = r
	c.added[id] = true
}

func hash10(v any) string {
	full := sha1Hex(v)
	return full[:10]
}

func sha1Hex(v any) string {
	sum := sha1.Sum(canonicalJSON(v))
	return hex.EncodeToString(sum[:])
}

var alnum = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// functionEvents adds each Api/HttpApi event of a function to its API
// (the implicit ServerlessRestApi/ServerlessHttpApi when none is named).
func (c *samCtx) functionEvents(id string, r map[string]any, globals map[string]any) error {
	props, _ := r["Properties"].(map[string]any)
	events, _ := props["Events"].(map[string]any)
	for _, name := range sortedKeys(events) {
		e, ok := events[name].(map[string]any)
		if !ok {
			return eventErr(id, name, "Event must be a map.")
		}
		typ := String(e["Type"])
		ep, _ := e["Properties"].(map[string]any)
		if ep == nil {
			ep = map[string]any{}
		}
		switch typ {
		case "Api":
			if err := c.restEvent(id, r, name, ep, globals); err != nil {
				return err
			}
		case "HttpApi":
			if err := c.httpEvent(id, r, name, ep, globals); err != nil {
				return err
			}
		default:
			c.warn(fmt.Sprintf("%s: event %s of type %s is not triggered locally", id, name, typ))
		}
	}
	return nil
}

// apiOf finds the API an event names (RestApiId/ApiId), or the implicit
// one, created on first use.
func (c *samCtx) apiOf(fnID, event string, ref any, http bool, globals map[string]any, fnAttr map[string]any) (*samAPI, error) {
	implicit, typ, prop := "ServerlessRestApi", "AWS::Serverless::Api", "RestApiId"
	if http {
		implicit, typ, prop = "ServerlessHttpApi", "AWS::Serverless::HttpApi", "ApiId"
	}
	if ref == nil {
		a := c.apis[implicit]
		if a == nil {
			if _, taken := c.res[implicit]; taken {
				return nil, eventErr(fnID, event, "%s is a reserved logical id of the implicit API and is already used.", implicit)
			}
			r := map[string]any{"Type": typ, "Properties": map[string]any{}}
			if !http {
				r["Properties"].(map[string]any)["StageName"] = "Prod"
			}
			applyGlobals(globals, r)
			r["Properties"].(map[string]any)["__implicit"] = true
			if err := c.readAPI(implicit, r, http); err != nil {
				return nil, err
			}
			a = c.apis[implicit]
			if cond, ok := fnAttr["Condition"]; ok {
				a.attr["Condition"] = cond
			}
		} else if _, ok := fnAttr["Condition"]; !ok {
			delete(a.attr, "Condition")
		} else if a.attr["Condition"] != fnAttr["Condition"] {
			// Several conditional functions: the implicit API would need
			// Fn::Or of their conditions; it is kept unconditional [U].
			delete(a.attr, "Condition")
		}
		return a, nil
	}
	name := ""
	if fn, arg, ok := IsIntrinsic(ref); ok && fn == "Ref" {
		name = String(arg)
	} else if s, ok := ref.(string); ok {
		name = s
	}
	a := c.apis[name]
	if a == nil || a.http != http {
		if http {
			return nil, eventErr(fnID, event, "ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template.")
		}
		return nil, eventErr(fnID, event, "RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template.")
	}
	_ = prop
	return a, nil
}

// invokeTarget is the ARN expression API integrations call: the function,
// or its alias with AutoPublishAlias [C: fixture
// function_with_alias_and_event_sources].
func (c *samCtx) invokeTarget(id string, r map[string]any) string {
	props, _ := r["Properties"].(map[string]any)
	if alias := c.literalString(props["AutoPublishAlias"]); alias != "" {
		return "${" + id + "Alias" + alias + "}"
	}
	return "${" + id + ".Arn}"
}

func (c *samCtx) restEvent(fnID string, fn map[string]any, event string, ep map[string]any, globals map[string]any) error {
	path := c.literalString(ep["Path"])
	method := strings.ToLower(c.literalString(ep["Method"]))
	if path == "" {
		return eventErr(fnID, event, "Property 'Path' is required.")
	}
	if method == "" {
		return eventErr(fnID, event, "Property 'Method' is required.")
	}
	if method == "any" {
		method = "x-amazon-apigateway-any-method"
	}
	a, err := c.apiOf(fnID, event, ep["RestApiId"], false, globals, fn)
	if err != nil {
		return err
	}
	a.events++
	stage := c.literalString(a.props["StageName"])
	permID := fnID + event + "Permission" + stageSuffix(stage)
	c.add(permID, map[string]any{"Type": "AWS::Lambda::Permission", "Properties": map[string]any{
		"Action": "lambda:InvokeFunction", "FunctionName": map[string]any{"Ref": fnID},
		"Principal": "apigateway.amazonaws.com",
		"SourceArn": map[string]any{"Fn::Sub": []any{
			"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/" + permMethod(method) + permPath(path),
			map[string]any{"__ApiId__": map[string]any{"Ref": a.id}, "__Stage__": "*"}}},
	}}, fn)
	if !a.managed {
		return nil // a user definition carries its own integrations [C]
	}
	paths := ensureMap(a.body, "paths")
	pi := ensureMap(paths, path)
	if _, dup := pi[method]; dup {
		return eventErr(fnID, event, "API method \"%s\" defined multiple times for path \"%s\".", method, path)
	}
	// REST integrations name the aws partition literally [C: push.py Api,
	// fixture implicit_api].
	uri := "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/" + c.invokeTarget(fnID, fn) + "/invocations"
	integ := map[string]any{"type": "aws_proxy", "httpMethod": "POST", "uri": map[string]any{"Fn::Sub": uri}}
	if t, ok := ep["TimeoutInMillis"]; ok {
		integ["timeoutInMillis"] = t
	}
	op := map[string]any{"x-amazon-apigateway-integration": integ, "responses": map[string]any{}}
	if auth, ok := ep["Auth"].(map[string]any); ok {
		op[eventAuthKey] = auth
	}
	if rp, ok := ep["RequestParameters"].([]any); ok {
		if err := addRequestParameters(op, rp); err != nil {
			return eventErr(fnID, event, "%v", err)
		}
	}
	if cond, ok := fn["Condition"]; ok {
		op[conditionKey] = cond
	}
	pi[method] = op
	return nil
}

// eventAuthKey holds an event's Auth on its method until the API's Auth is
// applied (then removed).
const eventAuthKey = "x-tollgate-sam-event-auth"

// conditionKey holds the Condition of the function an event belongs to:
// when the API is written, the method is wrapped in Fn::If [cond, method,
// AWS::NoValue], so that it goes with its function [C: fixture
// implicit_api_with_many_conditions].
const conditionKey = "x-tollgate-sam-condition"

func addRequestParameters(op map[string]any, rp []any) error {
	var params []any
	reqParams := map[string]any{}
	for _, p := range rp {
		var name string
		required := false
		switch t := p.(type) {
		case string:
			name = t
		case map[string]any:
			for k, v := range t {
				name = k
				if m, ok := v.(map[string]any); ok {
					required = String(m["Required"]) == "true"
				}
			}
		}
		parts := strings.SplitN(name, ".", 4)
		if len(parts) != 4 || parts[0] != "method" || parts[1] != "request" {
			return fmt.Errorf("Invalid value for 'RequestParameters' property. Keys must be in the format 'method.request.[querystring|path|header].{value}', e.g 'method.request.header.Authorization'.")
		}
		in := map[string]string{"querystring": "query", "path": "path", "header": "header"}[parts[2]]
		if in == "" {
			return fmt.Errorf("Invalid value for 'RequestParameters' property. Keys must be in the format 'method.request.[querystring|path|header].{value}', e.g 'method.request.header.Authorization'.")
		}
		params = append(params, map[string]any{"in": in, "name": parts[3], "required": required, "type": "string"})
		reqParams[name] = required
	}
	op["parameters"] = params
	return nil
}

func stageSuffix(stage string) string {
	if alnum.MatchString(stage) {
		return stage
	}
	return ""
}

func permMethod(m string) string {
	if m == "x-amazon-apigateway-any-method" {
		return "*"
	}
	return strings.ToUpper(m)
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

func permPath(p string) string {
	return pathParam.ReplaceAllString(p, "*")
}

// httpPermSuffix is the method/path part of an HttpApi event's permission:
// "*" for the $default route [C: fixture implicit_http_api].
func httpPermSuffix(method, path string) string {
	if path == "$default" {
		return "*"
	}
	return permMethod(method) + permPath(path)
}

func ensureMap(m map[string]any, k string) map[string]any {
	v, ok := m[k].(map[string]any)
	if !ok {
		v = map[string]any{}
		m[k] = v
	}
	return v
}

func (c *samCtx) httpEvent(fnID string, fn map[string]any, event string, ep map[string]any, globals map[string]any) error {
	path := c.literalString(ep["Path"])
	method := strings.ToLower(c.literalString(ep["Method"]))
	switch {
	case path == "" && method == "":
		path, method = "$default", "x-amazon-apigateway-any-method"
	case path == "":
		return eventErr(fnID, event, "Property 'Path' is required.")
	case method == "":
		return eventErr(fnID, event, "Property 'Method' is required.")
	case method == "any":
		method = "x-amazon-apigateway-any-method"
	}
	a, err := c.apiOf(fnID, event, ep["ApiId"], true, globals, fn)
	if err != nil {
		return err
	}
	a.events++
	c.add(fnID+event+"Permission", map[string]any{"Type": "AWS::Lambda::Permission", "Properties": map[string]any{
		"Action": "lambda:InvokeFunction", "FunctionName": map[string]any{"Ref": fnID},
		"Principal": "apigateway.amazonaws.com",
		"SourceArn": map[string]any{"Fn::Sub": []any{
			"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/" + httpPermSuffix(method, path),
			map[string]any{"__ApiId__": map[string]any{"Ref": a.id}, "__Stage__": "*"}}},
	}}, fn)
	if a.body == nil {
		return nil
	}
	paths := ensureMap(a.body, "paths")
	pi := ensureMap(paths, path)
	if op, dup := pi[method].(map[string]any); dup {
		if _, has := op["x-amazon-apigateway-integration"]; has || a.managed {
			return eventErr(fnID, event, "API method '%s' defined multiple times for path '%s'.", method, path)
		}
	}
	pfv := "2.0"
	if v := c.literalString(ep["PayloadFormatVersion"]); v != "" {
		pfv = v
	}
	uri := "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/" + c.invokeTarget(fnID, fn) + "/invocations"
	integ := map[string]any{"type": "aws_proxy", "httpMethod": "POST", "payloadFormatVersion": pfv, "uri": map[string]any{"Fn::Sub": uri}}
	if t, ok := ep["TimeoutInMillis"]; ok {
		integ["timeoutInMillis"] = t
	}
	op, _ := pi[method].(map[string]any)
	if op == nil {
		op = map[string]any{}
	}
	op["x-amazon-apigateway-integration"] = integ
	if _, ok := op["responses"]; !ok {
		op["responses"] = map[string]any{}
	}
	if path == "$default" {
		op["isDefaultRoute"] = true
	}
	var params []any
	for _, m := range pathParam.FindAllString(path, -1) {
		params = append(params, map[string]any{"name": strings.Trim(m, "{}+"), "in": "path", "required": true})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if auth, ok := ep["Auth"].(map[string]any); ok {
		op[eventAuthKey] = auth
	}
	if cond, ok := fn["Condition"]; ok {
		op[conditionKey] = cond
	}
	pi[method] = op
	return nil
}

// expandFunction turns AWS::Serverless::Function into AWS::Lambda::Function
// (+ the IAM role SAM generates, Version and Alias with AutoPublishAlias)
// [C: samtranslator/model/sam_resources.py SamFunction].
func (c *samCtx) expandFunction(id string, r map[string]any) error {
	props, _ := r["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	out := map[string]any{}
	copyProps(out, props, "Handler", "Runtime", "Description", "MemorySize", "Timeout", "Architectures", "Layers",
		"ReservedConcurrentExecutions", "FunctionName", "KmsKeyArn", "TracingConfig", "VpcConfig", "FileSystemConfigs",
		"EphemeralStorage", "SnapStart", "RuntimeManagementConfig", "LoggingConfig", "PackageType", "ImageConfig",
		"CodeSigningConfigArn", "Environment")
	if tr := props["Tracing"]; tr != nil {
		out["TracingConfig"] = map[string]any{"Mode": tr}
	}
	pkg := c.literalString(props["PackageType"])
	if pkg == "" {
		pkg = "Zip"
	}
	if pkg == "Zip" && (props["Handler"] == nil || props["Runtime"] == nil) {
		return resourceErr(id, "Runtime and Handler needs to be present when PackageType is of type `Zip`")
	}
	local := ""
	switch {
	case props["InlineCode"] != nil:
		out["Code"] = map[string]any{"ZipFile": props["InlineCode"]}
	case props["ImageUri"] != nil:
		out["Code"] = map[string]any{"ImageUri": props["ImageUri"]}
	default:
		code, ok := c.literal(props["CodeUri"])
		if !ok {
			return resourceErr(id, "'CodeUri' must be a string or a map of Bucket and Key, not a reference to a resource.")
		}
		switch t := code.(type) {
		case nil:
			local = c.dir // SAM CLI's default, "." [C: local_uri_plugin.py]
		case string:
			if strings.HasPrefix(t, "s3://") {
				b, k, _ := strings.Cut(strings.TrimPrefix(t, "s3://"), "/")
				out["Code"] = map[string]any{"S3Bucket": b, "S3Key": k}
			} else {
				local = t
				if !filepath.IsAbs(local) {
					local = filepath.Join(c.dir, local)
				}
			}
		case map[string]any:
			out["Code"] = map[string]any{"S3Bucket": t["Bucket"], "S3Key": t["Key"]}
		default:
			return resourceErr(id, "'CodeUri' must be a string or a map of Bucket and Key.")
		}
	}
	if props["Role"] != nil {
		out["Role"] = props["Role"]
	} else {
		out["Role"] = map[string]any{"Fn::GetAtt": []any{id + "Role", "Arn"}}
		c.add(id+"Role", map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
			"ManagedPolicyArns": []any{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
			"Tags":              []any{map[string]any{"Key": "lambda:createdBy", "Value": "SAM"}},
		}}, r)
	}
	tags := []any{map[string]any{"Key": "lambda:createdBy", "Value": "SAM"}}
	if tm, ok := props["Tags"].(map[string]any); ok {
		for _, k := range sortedKeys(tm) {
			tags = append(tags, map[string]any{"Key": k, "Value": tm[k]})
		}
	}
	out["Tags"] = tags
	fr := map[string]any{"Type": "AWS::Lambda::Function", "Properties": out}
	for _, k := range []string{"Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"} {
		if v, ok := r[k]; ok {
			fr[k] = v
		}
	}
	if local != "" {
		fr[codeKey] = local
	}
	c.res[id] = fr
	c.added[id] = true
	if alias := c.literalString(props["AutoPublishAlias"]); alias != "" {
		if !alnum.MatchString(alias) {
			return resourceErr(id, "'AutoPublishAlias' must be alphanumeric.")
		}
		ver := id + "Version" + hash10(map[string]any{"p": out, "code": local})
		c.add(ver, map[string]any{"Type": "AWS::Lambda::Version", "DeletionPolicy": "Retain",
			"Properties": map[string]any{"FunctionName": map[string]any{"Ref": id}}}, r)
		al := id + "Alias" + alias
		c.add(al, map[string]any{"Type": "AWS::Lambda::Alias", "Properties": map[string]any{
			"Name": alias, "FunctionName": map[string]any{"Ref": id},
			"FunctionVersion": map[string]any{"Fn::GetAtt": []any{ver, "Version"}}}}, r)
		c.refs[id+".Alias"], c.refs[id+".Version"] = al, ver
	}
	if fu, ok := props["FunctionUrlConfig"]; ok && fu != nil {
		c.warn(fmt.Sprintf("%s: FunctionUrlConfig is not served locally", id))
	}
	return nil
}

func copyProps(dst, src map[string]any, names ...string) {
	for _, n := range names {
		if v, ok := src[n]; ok {
			dst[n] = v
		}
	}
}

// rewriteRefs replaces SAM property references (Ref "Api.Stage", GetAtt
// "Fn.Alias.Name", ${Api.Stage}) with the generated logical ids.
func rewriteRefs(v any, refs map[string]string) {
	if len(refs) == 0 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		if fn, arg, ok := IsIntrinsic(t); ok {
			switch fn {
			case "Ref":
				if to, ok := refs[String(arg)]; ok {
					t["Ref"] = to
				}
				return
			case "Fn::GetAtt":
				var parts []string
				switch a := arg.(type) {
				case string:
					parts = strings.Split(a, ".")
				case []any:
					for _, x := range a {
						parts = append(parts, strings.Split(String(x), ".")...)
					}
				}
				if len(parts) >= 3 {
					if to, ok := refs[parts[0]+"."+parts[1]]; ok {
						t["Fn::GetAtt"] = []any{to, strings.Join(parts[2:], ".")}
					}
				}
				return
			case "Fn::Sub":
				switch a := arg.(type) {
				case string:
					t["Fn::Sub"] = rewriteSub(a, refs)
				case []any:
					if len(a) == 2 {
						if s, ok := a[0].(string); ok {
							a[0] = rewriteSub(s, refs)
						}
						rewriteRefs(a[1], refs)
					}
				}
				return
			}
		}
		for _, x := range t {
			rewriteRefs(x, refs)
		}
	case []any:
		for _, x := range t {
			rewriteRefs(x, refs)
		}
	}
}

func rewriteSub(s string, refs map[string]string) string {
	for from, to := range refs {
		s = strings.ReplaceAll(s, "${"+from+"}", "${"+to+"}")
		s = strings.ReplaceAll(s, "${"+from+".", "${"+to+".")
	}
	return s
}
