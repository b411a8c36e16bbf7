package model

import "sort"

// GatewayResponseTypes in the order AWS prints them in validation messages.
var GatewayResponseTypes = []string{
	"REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND", "AUTHORIZER_CONFIGURATION_ERROR", "MISSING_AUTHENTICATION_TOKEN",
	"BAD_REQUEST_BODY", "INVALID_SIGNATURE", "INVALID_API_KEY", "BAD_REQUEST_PARAMETERS", "AUTHORIZER_FAILURE",
	"UNAUTHORIZED", "INTEGRATION_TIMEOUT", "ACCESS_DENIED", "DEFAULT_4XX", "DEFAULT_5XX", "WAF_FILTERED",
	"QUOTA_EXCEEDED", "THROTTLED", "API_CONFIGURATION_ERROR", "UNSUPPORTED_MEDIA_TYPE", "INTEGRATION_FAILURE",
	"EXPIRED_TOKEN",
}

// gatewayResponseStatus is each type's default status code; DEFAULT_4XX and
// DEFAULT_5XX have none.
var gatewayResponseStatus = map[string]string{
	"ACCESS_DENIED":                  "403",
	"API_CONFIGURATION_ERROR":        "500",
	"AUTHORIZER_CONFIGURATION_ERROR": "500",
	"AUTHORIZER_FAILURE":             "500",
	"BAD_REQUEST_BODY":               "400",
	"BAD_REQUEST_PARAMETERS":         "400",
	"DEFAULT_4XX":                    "",
	"DEFAULT_5XX":                    "",
	"EXPIRED_TOKEN":                  "403",
	"INTEGRATION_FAILURE":            "504",
	"INTEGRATION_TIMEOUT":            "504",
	"INVALID_API_KEY":                "403",
	"INVALID_SIGNATURE":              "403",
	"MISSING_AUTHENTICATION_TOKEN":   "403",
	"QUOTA_EXCEEDED":                 "429",
	"REQUEST_TOO_LARGE":              "413",
	"RESOURCE_NOT_FOUND":             "404",
	"THROTTLED":                      "429",
	"UNAUTHORIZED":                   "401",
	"UNSUPPORTED_MEDIA_TYPE":         "415",
	"WAF_FILTERED":                   "403",
}

// DefaultGatewayResponseTemplate is the body template of every default
// gateway response.
const DefaultGatewayResponseTemplate = `{"message":$context.error.messageString}`

// IsGatewayResponseType reports whether t is a known response type.
func IsGatewayResponseType(t string) bool {
	_, ok := gatewayResponseStatus[t]
	return ok
}

// GatewayResponseTypesSorted returns every type in alphabetical order, the
// order GetGatewayResponses lists them.
func GatewayResponseTypesSorted() []string {
	out := make([]string, 0, len(gatewayResponseStatus))
	for t := range gatewayResponseStatus {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// GatewayResponseClass returns "DEFAULT_4XX" or "DEFAULT_5XX" for a type
// (by its default status), or "" for the two defaults themselves.
func GatewayResponseClass(t string) string {
	s := gatewayResponseStatus[t]
	switch {
	case s == "":
		return ""
	case s[0] == '5':
		return "DEFAULT_5XX"
	default:
		return "DEFAULT_4XX"
	}
}

// EffectiveGatewayResponse returns what AWS reports for type t given the
// API's customisations (keyed by type): the customisation itself if there is
// one; otherwise the type's default, inheriting parameters, templates and
// status code from a customised DEFAULT_4XX/DEFAULT_5XX of its class (and
// still reported as defaultResponse:true) [V].
func EffectiveGatewayResponse(t string, custom map[string]*GatewayResponse) GatewayResponse {
	if c, ok := custom[t]; ok && c != nil {
		return *c
	}
	gr := GatewayResponse{
		ResponseType:       t,
		ResponseParameters: map[string]string{},
		ResponseTemplates:  map[string]string{"application/json": DefaultGatewayResponseTemplate},
		DefaultResponse:    true,
	}
	if s := gatewayResponseStatus[t]; s != "" {
		gr.StatusCode = Ptr(s)
	}
	if parent, ok := custom[GatewayResponseClass(t)]; ok && parent != nil {
		gr.ResponseParameters = cloneMap(parent.ResponseParameters)
		gr.ResponseTemplates = cloneMap(parent.ResponseTemplates)
		if parent.StatusCode != nil {
			gr.StatusCode = Ptr(*parent.StatusCode)
		}
	}
	return gr
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
