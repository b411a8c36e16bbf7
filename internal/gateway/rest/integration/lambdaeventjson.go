package integration

import (
	"encoding/json"
	"slices"
	"strconv"
)

// AppendJSON appends the event as encoding/json marshals it, byte for byte
// (field order, null for nil maps and pointers, sorted map keys, the same
// string escaping), without reflection: on a warm Lambda request the
// reflective encoder was about a tenth of Tollgate's CPU. Strings that need
// escaping, and the authorizer's context (any values), still go through
// encoding/json; TestAppendJSONMatchesMarshal pins the equivalence.
func (ev *ProxyEventV1) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"resource":`...)
	dst = appendJSONString(dst, ev.Resource)
	dst = append(dst, `,"path":`...)
	dst = appendJSONString(dst, ev.Path)
	dst = append(dst, `,"httpMethod":`...)
	dst = appendJSONString(dst, ev.HTTPMethod)
	dst = append(dst, `,"headers":`...)
	dst = appendStringMap(dst, ev.Headers)
	dst = append(dst, `,"multiValueHeaders":`...)
	dst = appendMultiMap(dst, ev.MultiValueHeaders)
	dst = append(dst, `,"queryStringParameters":`...)
	dst = appendStringMap(dst, ev.QueryStringParameters)
	dst = append(dst, `,"multiValueQueryStringParameters":`...)
	dst = appendMultiMap(dst, ev.MultiValueQueryStringParameters)
	dst = append(dst, `,"pathParameters":`...)
	dst = appendStringMap(dst, ev.PathParameters)
	dst = append(dst, `,"stageVariables":`...)
	dst = appendStringMap(dst, ev.StageVariables)
	dst = append(dst, `,"requestContext":`...)
	dst = ev.RequestContext.appendJSON(dst)
	dst = append(dst, `,"body":`...)
	dst = appendNullableString(dst, ev.Body)
	dst = append(dst, `,"isBase64Encoded":`...)
	dst = strconv.AppendBool(dst, ev.IsBase64Encoded)
	return append(dst, '}')
}

func (rc *RequestContextV1) appendJSON(dst []byte) []byte {
	for _, f := range [...]struct{ name, v string }{
		{`{"accountId":`, rc.AccountID}, {`,"apiId":`, rc.APIID}, {`,"resourceId":`, rc.ResourceID},
		{`,"resourcePath":`, rc.ResourcePath}, {`,"stage":`, rc.Stage}, {`,"deploymentId":`, rc.DeploymentID},
		{`,"httpMethod":`, rc.HTTPMethod}, {`,"path":`, rc.Path}, {`,"protocol":`, rc.Protocol},
		{`,"requestId":`, rc.RequestID}, {`,"extendedRequestId":`, rc.ExtendedRequestID},
		{`,"requestTime":`, rc.RequestTime},
	} {
		dst = appendJSONString(append(dst, f.name...), f.v)
	}
	dst = strconv.AppendInt(append(dst, `,"requestTimeEpoch":`...), rc.RequestTimeEpoch, 10)
	dst = appendJSONString(append(dst, `,"domainName":`...), rc.DomainName)
	dst = appendJSONString(append(dst, `,"domainPrefix":`...), rc.DomainPrefix)
	if rc.OperationName != "" {
		dst = appendJSONString(append(dst, `,"operationName":`...), rc.OperationName)
	}
	dst = rc.Identity.appendJSON(append(dst, `,"identity":`...))
	if len(rc.Authorizer) > 0 {
		dst = appendMarshal(append(dst, `,"authorizer":`...), rc.Authorizer)
	}
	return append(dst, '}')
}

func (id *Identity) appendJSON(dst []byte) []byte {
	dst = appendNullableString(append(dst, `{"cognitoIdentityPoolId":`...), id.CognitoIdentityPoolID)
	dst = appendNullableString(append(dst, `,"accountId":`...), id.AccountID)
	dst = appendNullableString(append(dst, `,"cognitoIdentityId":`...), id.CognitoIdentityID)
	dst = appendNullableString(append(dst, `,"caller":`...), id.Caller)
	dst = appendJSONString(append(dst, `,"sourceIp":`...), id.SourceIP)
	dst = appendNullableString(append(dst, `,"principalOrgId":`...), id.PrincipalOrgID)
	dst = appendNullableString(append(dst, `,"accessKey":`...), id.AccessKey)
	dst = appendNullableString(append(dst, `,"cognitoAuthenticationType":`...), id.CognitoAuthenticationType)
	dst = appendNullableString(append(dst, `,"cognitoAuthenticationProvider":`...), id.CognitoAuthenticationProvider)
	dst = appendNullableString(append(dst, `,"userArn":`...), id.UserArn)
	dst = appendJSONString(append(dst, `,"userAgent":`...), id.UserAgent)
	dst = appendNullableString(append(dst, `,"user":`...), id.User)
	for _, f := range [...]struct {
		name string
		v    *string
	}{{`,"apiKey":`, id.APIKey}, {`,"apiKeyId":`, id.APIKeyID}, {`,"vpceId":`, id.VpceID}, {`,"vpcId":`, id.VpcID}} {
		if f.v != nil {
			dst = appendJSONString(append(dst, f.name...), *f.v)
		}
	}
	if id.ClientCert != nil {
		dst = appendMarshal(append(dst, `,"clientCert":`...), id.ClientCert)
	}
	return append(dst, '}')
}

// appendMarshal appends v as encoding/json marshals it (every value here
// marshals without error).
func appendMarshal(dst []byte, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

func appendNullableString(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, *s)
}

func appendStringMap(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	for i, k := range eventKeys(m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = appendJSONString(append(dst, ':'), m[k])
	}
	return append(dst, '}')
}

func appendMultiMap(dst []byte, m map[string][]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	for i, k := range eventKeys(m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(appendJSONString(dst, k), ':')
		vs := m[k]
		if vs == nil {
			dst = append(dst, "null"...)
			continue
		}
		dst = append(dst, '[')
		for j, v := range vs {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, v)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// eventKeys returns m's keys in the order encoding/json writes them.
func eventKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendJSONString appends s quoted as encoding/json quotes it: printable
// ASCII other than the characters it escapes goes as is; anything else
// (control characters, '"', '\\', '<', '>', '&', non-ASCII) is left to
// encoding/json itself.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return appendMarshal(dst, s)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
