package gateway

import (
	"strconv"
	"strings"
	"time"
)

// CtxVar identifies a $context variable. Formats and templates resolve
// variable names to CtxVars once, when a stage is compiled.
type CtxVar uint16

// Supported $context variables (reference §7.1).
const (
	CtxUnknown CtxVar = iota
	CtxAccountID
	CtxAPIID
	CtxDeploymentID
	CtxDomainName
	CtxDomainPrefix
	CtxErrorMessage
	CtxErrorMessageString
	CtxErrorResponseType
	CtxErrorValidationErrorString
	CtxExtendedRequestID
	CtxHTTPMethod
	CtxIdentitySourceIP
	CtxIdentityUserAgent
	CtxIntegrationLatency
	CtxIntegrationStatus
	CtxIsCanaryRequest
	CtxOperationName
	CtxPath
	CtxProtocol
	CtxRequestID
	CtxRequestTime
	CtxRequestTimeEpoch
	CtxResourceID
	CtxResourcePath
	CtxResponseLatency
	CtxResponseLength
	CtxStage
	CtxStatus
	// CtxNull are variables Tollgate knows but that have no value without
	// features such as IAM auth or authorizers (identity.caller, …).
	CtxNull
)

var ctxVarNames = map[string]CtxVar{
	"accountId":                     CtxAccountID,
	"apiId":                         CtxAPIID,
	"deploymentId":                  CtxDeploymentID,
	"domainName":                    CtxDomainName,
	"domainPrefix":                  CtxDomainPrefix,
	"error.message":                 CtxErrorMessage,
	"error.messageString":           CtxErrorMessageString,
	"error.responseType":            CtxErrorResponseType,
	"error.validationErrorString":   CtxErrorValidationErrorString,
	"extendedRequestId":             CtxExtendedRequestID,
	"httpMethod":                    CtxHTTPMethod,
	"identity.sourceIp":             CtxIdentitySourceIP,
	"identity.userAgent":            CtxIdentityUserAgent,
	"integrationLatency":            CtxIntegrationLatency,
	"integration.latency":           CtxIntegrationLatency,
	"integrationStatus":             CtxIntegrationStatus,
	"integration.integrationStatus": CtxIntegrationStatus,
	"integration.status":            CtxIntegrationStatus,
	"isCanaryRequest":               CtxIsCanaryRequest,
	"operationName":                 CtxOperationName,
	"path":                          CtxPath,
	"protocol":                      CtxProtocol,
	"requestId":                     CtxRequestID,
	"awsEndpointRequestId":          CtxRequestID,
	"requestTime":                   CtxRequestTime,
	"requestTimeEpoch":              CtxRequestTimeEpoch,
	"resourceId":                    CtxResourceID,
	"resourcePath":                  CtxResourcePath,
	"responseLatency":               CtxResponseLatency,
	"responseLength":                CtxResponseLength,
	"stage":                         CtxStage,
	"status":                        CtxStatus,
}

// ParseContextVar resolves a variable name (without "$context.").
// Unknown names that AWS defines (identity.*, authorizer.*, …) resolve to
// CtxNull; names AWS does not define resolve to CtxUnknown.
func ParseContextVar(name string) CtxVar {
	if v, ok := ctxVarNames[name]; ok {
		return v
	}
	for _, p := range []string{"identity.", "authorizer.", "authorize.", "authenticate.", "integration.", "waf.", "customDomain.", "requestOverride.", "responseOverride.", "error."} {
		if strings.HasPrefix(name, p) {
			return CtxNull
		}
	}
	switch name {
	case "webaclArn", "wafResponseCode", "xrayTraceId", "integrationErrorMessage", "endpointType":
		return CtxNull
	}
	return CtxUnknown
}

// AppendContext appends the value of v to buf. ok is false when the value
// is absent (null).
func (x *Exchange) AppendContext(buf []byte, v CtxVar) ([]byte, bool) {
	switch v {
	case CtxAccountID:
		if x.Stage != nil {
			return append(buf, x.accountID()...), true
		}
	case CtxAPIID:
		return append(buf, x.APIID...), x.APIID != ""
	case CtxDeploymentID:
		if x.Deployment != nil {
			return append(buf, x.Deployment.ID...), true
		}
	case CtxDomainName:
		return append(buf, x.DomainName...), x.DomainName != ""
	case CtxDomainPrefix:
		p, _, _ := strings.Cut(x.DomainName, ".")
		return append(buf, p...), p != ""
	case CtxErrorMessage:
		return append(buf, x.ErrorMessage...), x.ErrorType != NoError && x.ErrorMessage != ""
	case CtxErrorMessageString:
		if x.ErrorType == NoError || x.ErrorMessage == "" {
			return append(buf, "null"...), true
		}
		return strconv.AppendQuote(buf, x.ErrorMessage), true
	case CtxErrorResponseType:
		return append(buf, x.ErrorType.String()...), x.ErrorType != NoError
	case CtxErrorValidationErrorString:
		return buf, false
	case CtxExtendedRequestID:
		return append(buf, x.ExtendedID...), true
	case CtxHTTPMethod:
		return append(buf, x.Req.Method()...), true
	case CtxIdentitySourceIP:
		a := x.Req.RemoteAddr()
		if !a.IsValid() {
			return buf, false
		}
		return a.Addr().Unmap().AppendTo(buf), true
	case CtxIdentityUserAgent:
		ua := x.Req.Header("User-Agent")
		return append(buf, ua...), ua != ""
	case CtxIntegrationLatency:
		if x.integrationStart.IsZero() {
			return buf, false
		}
		return strconv.AppendInt(buf, x.IntegrationLatency.Milliseconds(), 10), true
	case CtxIntegrationStatus:
		if x.IntegrationStatus == 0 {
			return buf, false
		}
		return strconv.AppendInt(buf, int64(x.IntegrationStatus), 10), true
	case CtxIsCanaryRequest:
		if x.Stage == nil || x.Stage.Canary == nil {
			return buf, false
		}
		return strconv.AppendBool(buf, x.IsCanary), true
	case CtxOperationName:
		if r := x.Route(); r != nil && r.OperationName != "" {
			return append(buf, r.OperationName...), true
		}
	case CtxPath:
		buf = append(buf, '/')
		buf = append(buf, x.StageName...)
		if x.RawStagePath != "" {
			return append(buf, x.RawStagePath...), true
		}
		return append(buf, x.StagePath...), true
	case CtxProtocol:
		return append(buf, x.Req.Protocol()...), true
	case CtxRequestID:
		return append(buf, x.RequestID...), true
	case CtxRequestTime:
		return x.Start.UTC().AppendFormat(buf, "02/Jan/2006:15:04:05 -0700"), true
	case CtxRequestTimeEpoch:
		return strconv.AppendInt(buf, x.Start.UnixMilli(), 10), true
	case CtxResourceID:
		if r := x.Route(); r != nil {
			return append(buf, r.ResourceID...), true
		}
	case CtxResourcePath:
		if r := x.Route(); r != nil {
			return append(buf, r.ResourcePath...), true
		}
	case CtxResponseLatency:
		return strconv.AppendInt(buf, time.Since(x.Start).Milliseconds(), 10), true
	case CtxResponseLength:
		return strconv.AppendInt(buf, int64(x.ResponseLength), 10), x.ResponseLength >= 0
	case CtxStage:
		return append(buf, x.StageName...), x.StageName != ""
	case CtxStatus:
		return strconv.AppendInt(buf, int64(x.Status), 10), x.Status != 0
	}
	return buf, false
}

func (x *Exchange) accountID() string {
	if x.handler != nil {
		return x.handler.AccountID
	}
	return ""
}
