package cfn

import (
	"fmt"
	"slices"
	"strings"
)

// Properties each Globals section accepts [C: samtranslator
// plugins/globals/globals.py, SAM 7000d0a3].
var globalProps = map[string][]string{
	"Function": {"Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize", "Timeout",
		"VpcConfig", "Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias",
		"AutoPublishAliasAllProperties", "Layers", "DeploymentPreference", "RolePath", "PermissionsBoundary",
		"ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig", "AssumeRolePolicyDocument",
		"EventInvokeConfig", "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart",
		"EphemeralStorage", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop",
		"SourceKMSKeyArn", "TenancyConfig", "DurableConfig", "CapacityProviderConfig", "FunctionScalingConfig",
		"PublishToLatestPublished", "VersionDeletionPolicy"},
	"Api": {"Auth", "Name", "DefinitionUri", "CacheClusterEnabled", "CacheClusterSize", "MergeDefinitions",
		"Variables", "EndpointConfiguration", "MethodSettings", "BinaryMediaTypes", "MinimumCompressionSize",
		"Cors", "GatewayResponses", "AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion",
		"Domain", "AlwaysDeploy", "PropagateTags", "SecurityPolicy", "EndpointAccessMode"},
	"HttpApi": {"Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration",
		"DefaultRouteSettings", "Domain", "RouteSettings", "FailOnWarnings", "PropagateTags"},
	"SimpleTable": {"SSESpecification"}, "StateMachine": {"PropagateTags"}, "LayerVersion": {"PropagateTags"},
	"CapacityProvider": {}, "WebSocketApi": {},
}

var globalTypes = map[string]string{
	"Function": "AWS::Serverless::Function", "Api": "AWS::Serverless::Api", "HttpApi": "AWS::Serverless::HttpApi",
	"SimpleTable": "AWS::Serverless::SimpleTable", "StateMachine": "AWS::Serverless::StateMachine",
	"LayerVersion": "AWS::Serverless::LayerVersion", "CapacityProvider": "AWS::Serverless::CapacityProvider",
	"WebSocketApi": "AWS::Serverless::WebSocketApi",
}

// samError is the SAM translator's error document.
func samError(reasons ...string) error {
	return fmt.Errorf("Invalid Serverless Application Specification document. Number of errors found: %d. %s", len(reasons), strings.Join(reasons, " "))
}

func resourceErr(id, format string, args ...any) error {
	return samError(fmt.Sprintf("Resource with id [%s] is invalid. ", id) + fmt.Sprintf(format, args...))
}

func eventErr(id, event, format string, args ...any) error {
	return samError(fmt.Sprintf("Resource with id [%s] is invalid. Event with id [%s] is invalid. ", id, event) + fmt.Sprintf(format, args...))
}

// checkGlobals validates the Globals section.
func checkGlobals(g map[string]any) error {
	for section, v := range g {
		allowed, ok := globalProps[section]
		if !ok {
			names := make([]string, 0, len(globalProps))
			for n := range globalProps {
				names = append(names, n)
			}
			slices.Sort(names)
			return samError(fmt.Sprintf("'Globals' section is invalid. '%s' is not supported. Must be one of the following values - %s", section, pyList(names)))
		}
		props, ok := v.(map[string]any)
		if !ok {
			return samError(fmt.Sprintf("'Globals' section is invalid. Value of '%s' must be a dictionary", section))
		}
		for p := range props {
			if !slices.Contains(allowed, p) {
				return samError(fmt.Sprintf("'Globals' section is invalid. '%s' is not a supported property of '%s'. Must be one of the following values - %s", p, section, pyList(allowed)))
			}
		}
	}
	return nil
}

func pyList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = "'" + s + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// applyGlobals merges the section for r's type into its properties.
func applyGlobals(g map[string]any, r map[string]any) {
	typ := String(r["Type"])
	var section map[string]any
	for s, t := range globalTypes {
		if t == typ {
			section, _ = g[s].(map[string]any)
		}
	}
	if len(section) == 0 {
		return
	}
	props, _ := r["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		r["Properties"] = props
	}
	ignore := map[string]bool{}
	switch ig := r["IgnoreGlobals"].(type) {
	case string:
		if ig == "*" {
			return
		}
		ignore[ig] = true
	case []any:
		for _, x := range ig {
			ignore[String(x)] = true
		}
	}
	for k, gv := range section {
		if ignore[k] {
			continue
		}
		if rv, ok := props[k]; ok {
			props[k] = mergeGlobal(gv, rv)
		} else {
			props[k] = deepCopy(gv)
		}
	}
}

// mergeGlobal merges a global value with the resource's: maps merge
// (resource keys win), lists concatenate (global first), anything else
// (intrinsics included) is the resource's [C: globals.py _do_merge].
func mergeGlobal(g, r any) any {
	_, _, gi := IsIntrinsic(g)
	_, _, ri := IsIntrinsic(r)
	if gi || ri {
		return r
	}
	switch gt := g.(type) {
	case map[string]any:
		rt, ok := r.(map[string]any)
		if !ok {
			return r
		}
		out := deepCopy(gt).(map[string]any)
		for k, v := range rt {
			if ov, ok := out[k]; ok {
				out[k] = mergeGlobal(ov, v)
			} else {
				out[k] = v
			}
		}
		return out
	case []any:
		rt, ok := r.([]any)
		if !ok {
			return r
		}
		return append(deepCopy(gt).([]any), rt...)
	}
	return r
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}
