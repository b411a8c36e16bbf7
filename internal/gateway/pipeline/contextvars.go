package pipeline

import (
	"iter"
	"maps"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/xray"
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
	CtxAuthorizerPrincipalID
	// CtxAuthorizerKey is $context.authorizer.{key}: a Lambda authorizer's
	// context value.
	CtxAuthorizerKey
	// CtxAuthorizerClaim is $context.authorizer.claims.{name}.
	CtxAuthorizerClaim
	CtxAuthorizerLatency
	CtxIdentityAPIKey
	CtxIdentityAPIKeyID
	CtxIdentityAccessKey
	CtxIdentityAccountID
	CtxIdentityCaller
	CtxIdentityUser
	CtxIdentityUserARN
	CtxIdentityVpceID
	CtxIdentityVpcID
	// CtxRouteKey is $context.routeKey (HTTP APIs).
	CtxRouteKey
	// CtxAuthorizerError is $context.authorizer.error (HTTP APIs).
	CtxAuthorizerError
	// CtxIntegrationError is $context.integrationErrorMessage (HTTP APIs).
	CtxIntegrationError
	// CtxDataProcessed is $context.dataProcessed (HTTP APIs).
	CtxDataProcessed
	// Custom domain names and mutual TLS (domain.go).
	CtxCustomDomainBasePathMatched
	CtxCustomDomainRoutingRuleIDMatched
	CtxIdentityClientCertPem
	CtxIdentityClientCertSubjectDN
	CtxIdentityClientCertIssuerDN
	CtxIdentityClientCertSerialNumber
	CtxIdentityClientCertNotBefore
	CtxIdentityClientCertNotAfter
	// CtxXrayTraceID is $context.xrayTraceId: the X-Ray trace id
	// ("1-5759e988-bd862e3fe1be46a994272793") of a traced stage's request
	// [D; U: the "1-…" form rather than "Root=1-…"], null elsewhere.
	CtxXrayTraceID
	// AWS WAF: $context.webaclArn, wafResponseCode, waf.status,
	// waf.latency, waf.error (waf.go).
	CtxWebACLArn
	CtxWAFResponseCode
	CtxWAFStatus
	CtxWAFLatency
	CtxWAFError
	// CtxNull are variables Tollgate knows but that have no value without
	// features such as IAM auth or authorizers (identity.caller, …).
	CtxNull
)

var ctxVarNames = map[string]CtxVar{
	"accountId":                     CtxAccountID,
	"xrayTraceId":                   CtxXrayTraceID,
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
	"authorizer.principalId":        CtxAuthorizerPrincipalID,
	"authorizer.latency":            CtxAuthorizerLatency,
	"authorizer.integrationLatency": CtxAuthorizerLatency,
	"identity.apiKey":               CtxIdentityAPIKey,
	"identity.apiKeyId":             CtxIdentityAPIKeyID,
	"identity.accessKey":            CtxIdentityAccessKey,
	"identity.accountId":            CtxIdentityAccountID,
	"identity.caller":               CtxIdentityCaller,
	"identity.user":                 CtxIdentityUser,
	"identity.userArn":              CtxIdentityUserARN,
	"identity.vpceId":               CtxIdentityVpceID,
	"identity.vpcId":                CtxIdentityVpcID,

	"customDomain.basePathMatched":           CtxCustomDomainBasePathMatched,
	"customDomain.routingRuleIdMatched":      CtxCustomDomainRoutingRuleIDMatched,
	"identity.clientCert.clientCertPem":      CtxIdentityClientCertPem,
	"identity.clientCert.subjectDN":          CtxIdentityClientCertSubjectDN,
	"identity.clientCert.issuerDN":           CtxIdentityClientCertIssuerDN,
	"identity.clientCert.serialNumber":       CtxIdentityClientCertSerialNumber,
	"identity.clientCert.validity.notBefore": CtxIdentityClientCertNotBefore,
	"identity.clientCert.validity.notAfter":  CtxIdentityClientCertNotAfter,

	"webaclArn":       CtxWebACLArn,
	"wafResponseCode": CtxWAFResponseCode,
	"waf.status":      CtxWAFStatus,
	"waf.latency":     CtxWAFLatency,
	"waf.error":       CtxWAFError,
}

// httpVarNames are the variables only HTTP APIs define, or define
// differently (reference: "Customize HTTP API access logs", [D]).
var httpVarNames = map[string]CtxVar{
	"routeKey":                CtxRouteKey,
	"authorizer.error":        CtxAuthorizerError,
	"integrationErrorMessage": CtxIntegrationError,
	"integration.error":       CtxIntegrationError,
	"dataProcessed":           CtxDataProcessed,
}

// ParseHTTPContextVar resolves a variable name (without "$context.") as
// HTTP APIs define them: ParseContextVar's, plus routeKey,
// authorizer.error, the integration's error message and dataProcessed.
func ParseHTTPContextVar(name string) CtxVar {
	if v, ok := httpVarNames[name]; ok {
		return v
	}
	return ParseContextVar(name)
}

// ContextVarNames yields every $context variable name (without
// "$context.") that resolves to a fixed variable, with its CtxVar.
func ContextVarNames() iter.Seq2[string, CtxVar] { return maps.All(ctxVarNames) }

// ParseContextVar resolves a variable name (without "$context.").
// Unknown names that AWS defines (identity.*, authorizer.*, …) resolve to
// CtxNull; names AWS does not define resolve to CtxUnknown.
func ParseContextVar(name string) CtxVar {
	if v, ok := ctxVarNames[name]; ok {
		return v
	}
	if claim, ok := strings.CutPrefix(name, "authorizer.claims."); ok && claim != "" {
		return CtxAuthorizerClaim
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok && key != "" && key != "claims" &&
		!strings.HasPrefix(key, "status") && !strings.HasPrefix(key, "error") && !strings.HasPrefix(key, "requestId") {
		return CtxAuthorizerKey
	}
	for _, p := range []string{"identity.", "authorizer.", "authorize.", "authenticate.", "integration.", "waf.", "customDomain.", "requestOverride.", "responseOverride.", "error."} {
		if strings.HasPrefix(name, p) {
			return CtxNull
		}
	}
	switch name {
	case "webaclArn", "wafResponseCode", "integrationErrorMessage", "endpointType":
		return CtxNull
	}
	return CtxUnknown
}

// AppendContext appends the value of v to buf. ok is false when the value
// is absent (null).
func (x *Exchange) AppendContext(buf []byte, v CtxVar) ([]byte, bool) {
	return x.AppendContextName(buf, v, "")
}

// AppendContextName is AppendContext for variables that carry a name
// ($context.authorizer.{key}, $context.authorizer.claims.{name}): name is
// the variable as ParseContextVar was given it.
func (x *Exchange) AppendContextName(buf []byte, v CtxVar, name string) ([]byte, bool) {
	a := &x.Auth
	switch v {
	case CtxConnectionID, CtxEventType, CtxMessageID, CtxConnectedAt:
		return x.appendConnection(buf, v) // websocket.go
	case CtxRouteKey:
		if r := x.Route; r != nil && r.RouteKey != "" {
			return append(buf, r.RouteKey...), true
		}
		return buf, false
	case CtxAuthorizerError:
		return append(buf, a.Error...), a.Error != ""
	case CtxIntegrationError:
		return append(buf, x.IntegrationError...), x.IntegrationError != ""
	case CtxDataProcessed:
		return strconv.AppendInt(buf, x.dataProcessed(), 10), true
	case CtxAuthorizerPrincipalID:
		return append(buf, a.PrincipalID...), a.PrincipalID != ""
	case CtxAuthorizerKey:
		val, ok := a.Context[strings.TrimPrefix(name, "authorizer.")]
		return append(buf, val...), ok
	case CtxAuthorizerClaim:
		val, ok := a.Claims[strings.TrimPrefix(name, "authorizer.claims.")]
		return append(buf, val...), ok
	case CtxAuthorizerLatency:
		return strconv.AppendInt(buf, a.Latency.Milliseconds(), 10), a.Authorized
	case CtxIdentityAPIKey:
		return append(buf, a.APIKey...), a.APIKey != ""
	case CtxIdentityAPIKeyID:
		return append(buf, a.APIKeyID...), a.APIKeyID != ""
	case CtxIdentityAccessKey:
		if a.IAM != nil {
			return append(buf, a.IAM.AccessKey...), true
		}
	case CtxIdentityAccountID:
		if a.IAM != nil {
			return append(buf, a.IAM.AccountID...), true
		}
	case CtxIdentityCaller, CtxIdentityUser:
		if a.IAM != nil {
			return append(buf, a.IAM.UserID...), true
		}
	case CtxIdentityUserARN:
		if a.IAM != nil {
			return append(buf, a.IAM.ARN...), true
		}
	case CtxIdentityVpceID:
		if x.Network != nil {
			return append(buf, x.Network.Name...), true
		}
	case CtxIdentityVpcID:
		if x.Network != nil && x.Network.VPC != "" {
			return append(buf, x.Network.VPC...), true
		}
	case CtxCustomDomainBasePathMatched, CtxCustomDomainRoutingRuleIDMatched,
		CtxIdentityClientCertPem, CtxIdentityClientCertSubjectDN, CtxIdentityClientCertIssuerDN,
		CtxIdentityClientCertSerialNumber, CtxIdentityClientCertNotBefore, CtxIdentityClientCertNotAfter:
		return x.appendDomainContext(buf, v)
	case CtxWebACLArn, CtxWAFResponseCode, CtxWAFStatus, CtxWAFLatency, CtxWAFError:
		return x.appendWAFContext(buf, v)
	}
	switch v {
	case CtxAccountID:
		if x.Stage != nil {
			return append(buf, x.Stage.AccountID...), true
		}
	case CtxAPIID:
		return append(buf, x.APIID...), x.APIID != ""
	case CtxDeploymentID:
		return append(buf, x.DeploymentID...), x.DeploymentID != ""
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
		return append(buf, x.ValidationError...), x.ValidationError != ""
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
		if x.IntegrationStart.IsZero() {
			return buf, false
		}
		return strconv.AppendInt(buf, x.IntegrationLatency.Milliseconds(), 10), true
	case CtxIntegrationStatus:
		if x.IntegrationStatus == 0 {
			return buf, false
		}
		return strconv.AppendInt(buf, int64(x.IntegrationStatus), 10), true
	case CtxIsCanaryRequest:
		if x.Stage == nil || x.Stage.CanaryVariables == nil {
			return buf, false
		}
		return strconv.AppendBool(buf, x.IsCanary), true
	case CtxOperationName:
		if r := x.Route; r != nil && r.OperationName != "" {
			return append(buf, r.OperationName...), true
		}
	case CtxPath:
		if x.Domain != nil {
			return append(buf, x.Path...), true
		}
		// An HTTP API's $default stage serves at the root: its path has
		// no stage segment (REST stage names cannot be "$default").
		if x.StageName != DefaultStage {
			buf = append(buf, '/')
			buf = append(buf, x.StageName...)
		}
		if x.RawStagePath != "" {
			return append(buf, x.RawStagePath...), true
		}
		return append(buf, x.StagePath...), true
	case CtxProtocol:
		return append(buf, x.Req.Protocol()...), true
	case CtxRequestID:
		return append(buf, x.RequestID...), true
	case CtxXrayTraceID:
		if x.Traced() {
			return xray.AppendRoot(buf, x.TraceID()), true
		}
	case CtxRequestTime:
		return appendRequestTime(buf, x.Start), true
	case CtxRequestTimeEpoch:
		return strconv.AppendInt(buf, x.Start.UnixMilli(), 10), true
	case CtxResourceID:
		if r := x.Route; r != nil {
			return append(buf, r.ResourceID...), true
		}
	case CtxResourcePath:
		if r := x.Route; r != nil {
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

// requestTimeLayout is $context.requestTime's CLF format.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// requestTimeText is $context.requestTime for one second.
type requestTimeText struct {
	sec  int64
	text []byte
}

// lastRequestTime caches the text of the latest second: every access-log
// line has the field, and formatting it each time was about 1% of a
// proxied request.
var lastRequestTime atomic.Pointer[requestTimeText]

// appendRequestTime appends t as $context.requestTime (UTC, to the second).
func appendRequestTime(buf []byte, t time.Time) []byte {
	sec := t.Unix()
	if c := lastRequestTime.Load(); c != nil && c.sec == sec {
		return append(buf, c.text...)
	}
	c := &requestTimeText{sec: sec, text: t.UTC().AppendFormat(nil, requestTimeLayout)}
	lastRequestTime.Store(c)
	return append(buf, c.text...)
}

// dataProcessed is $context.dataProcessed, "the amount of data processed
// in bytes" [D]: the request body and the response body [U: which bytes
// AWS counts]. A request body of unknown length streamed to a backend
// unread counts 0; a streamed response counts what was sent.
func (x *Exchange) dataProcessed() int64 {
	var n int64
	switch {
	case x.bodyRead:
		n = int64(len(x.body))
	case x.Req != nil && x.Req.ContentLength() > 0:
		n = x.Req.ContentLength()
	}
	if x.ResponseLength > 0 {
		n += int64(x.ResponseLength)
	}
	return n
}
