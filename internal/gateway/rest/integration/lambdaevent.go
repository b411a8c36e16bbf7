package integration

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
)

// ProxyEventV1 is the event an AWS_PROXY integration sends to a Lambda
// function: payload format 1.0 (reference §3.1). Nil maps and pointers
// marshal as null, as AWS sends them.
type ProxyEventV1 struct {
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  RequestContextV1    `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// RequestContextV1 is the event's requestContext.
type RequestContextV1 struct {
	AccountID         string         `json:"accountId"`
	APIID             string         `json:"apiId"`
	ResourceID        string         `json:"resourceId"`
	ResourcePath      string         `json:"resourcePath"`
	Stage             string         `json:"stage"`
	DeploymentID      string         `json:"deploymentId"`
	HTTPMethod        string         `json:"httpMethod"`
	Path              string         `json:"path"`
	Protocol          string         `json:"protocol"`
	RequestID         string         `json:"requestId"`
	ExtendedRequestID string         `json:"extendedRequestId"`
	RequestTime       string         `json:"requestTime"`
	RequestTimeEpoch  int64          `json:"requestTimeEpoch"`
	DomainName        string         `json:"domainName"`
	DomainPrefix      string         `json:"domainPrefix"`
	OperationName     string         `json:"operationName,omitempty"`
	Identity          Identity       `json:"identity"`
	Authorizer        map[string]any `json:"authorizer,omitempty"`
}

// Identity is requestContext.identity; members Tollgate cannot know yet
// (IAM and Cognito callers) are null, as AWS sends them for anonymous calls.
type Identity struct {
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	AccountID                     *string `json:"accountId"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	Caller                        *string `json:"caller"`
	SourceIP                      string  `json:"sourceIp"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	AccessKey                     *string `json:"accessKey"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	UserArn                       *string `json:"userArn"`
	UserAgent                     string  `json:"userAgent"`
	User                          *string `json:"user"`
	APIKey                        *string `json:"apiKey,omitempty"`
	APIKeyID                      *string `json:"apiKeyId,omitempty"`
	VpceID                        *string `json:"vpceId,omitempty"`
	VpcID                         *string `json:"vpcId,omitempty"`
	// ClientCert is the client certificate of a mutual TLS custom domain
	// (absent without one) [D: rest-api-mutual-tls].
	ClientCert *ClientCert `json:"clientCert,omitempty"`
}

// ClientCert is identity.clientCert.
type ClientCert struct {
	ClientCertPem string   `json:"clientCertPem"`
	SubjectDN     string   `json:"subjectDN"`
	IssuerDN      string   `json:"issuerDN"`
	SerialNumber  string   `json:"serialNumber"`
	Validity      Validity `json:"validity"`
}

// Validity is identity.clientCert.validity.
type Validity struct {
	NotBefore string `json:"notBefore"`
	NotAfter  string `json:"notAfter"`
}

// NewProxyEventV1 builds the event for x with the request body.
func NewProxyEventV1(x *rest.Exchange, body []byte) *ProxyEventV1 {
	r := x.Route
	ev := &ProxyEventV1{
		Resource:   r.ResourcePath,
		Path:       x.StagePath,
		HTTPMethod: x.Req.Method(),
	}
	if x.Domain != nil {
		// Through a custom domain the path keeps its base path (and a
		// path-supplied stage) [C: localstack#12295, measured on AWS].
		ev.Path = x.Path
	}
	if ev.Path == "" {
		ev.Path = "/"
	}
	ev.Headers, ev.MultiValueHeaders = EventHeaders(x)
	ev.QueryStringParameters, ev.MultiValueQueryStringParameters = EventQuery(x)
	ev.PathParameters = EventPathParameters(x)
	if vars := x.Variables(); len(vars) > 0 {
		ev.StageVariables = vars
	}
	ev.RequestContext = RequestContextOf(x)
	if len(body) > 0 {
		var s string
		if isBinary(x, x.Req.Header("Content-Type")) || !utf8.Valid(body) {
			s, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		} else {
			s = string(body)
		}
		ev.Body = &s
	}
	return ev
}

// EventPathParameters returns the decoded path parameters (nil when none).
func EventPathParameters(x *rest.Exchange) map[string]string {
	n := x.Match.Params.Len()
	if n == 0 {
		return nil
	}
	out := make(map[string]string, n)
	for i := range n {
		k, v := x.Match.Params.At(i)
		out[k] = v
	}
	return out
}

// RequestContextOf builds the payload 1.0 requestContext for x (Lambda
// proxy events and REQUEST authorizer events).
func RequestContextOf(x *rest.Exchange) RequestContextV1 {
	r := x.Route
	ctx := func(v pipeline.CtxVar) string { b, _ := x.AppendContext(nil, v); return string(b) }
	rc := RequestContextV1{
		AccountID:         ctx(pipeline.CtxAccountID),
		APIID:             x.APIID,
		ResourceID:        r.ResourceID,
		ResourcePath:      r.ResourcePath,
		Stage:             x.StageName,
		DeploymentID:      x.Deployment.ID,
		HTTPMethod:        x.Req.Method(),
		Path:              ctx(pipeline.CtxPath),
		Protocol:          x.Req.Protocol(),
		RequestID:         x.RequestID,
		ExtendedRequestID: x.ExtendedID,
		RequestTime:       ctx(pipeline.CtxRequestTime),
		RequestTimeEpoch:  x.Start.UnixMilli(),
		DomainName:        x.DomainName,
		DomainPrefix:      ctx(pipeline.CtxDomainPrefix),
		OperationName:     r.OperationName,
		Identity: Identity{
			SourceIP:  ctx(pipeline.CtxIdentitySourceIP),
			UserAgent: x.Req.Header("User-Agent"),
		},
	}
	a := &x.Auth
	if a.APIKey != "" {
		rc.Identity.APIKey, rc.Identity.APIKeyID = &a.APIKey, &a.APIKeyID
	}
	if c := a.IAM; c != nil {
		rc.Identity.AccessKey, rc.Identity.AccountID = &c.AccessKey, &c.AccountID
		rc.Identity.Caller, rc.Identity.User, rc.Identity.UserArn = &c.UserID, &c.UserID, &c.ARN
	}
	if c := x.ClientCert; c != nil {
		rc.Identity.ClientCert = &ClientCert{ClientCertPem: c.PEM, SubjectDN: c.SubjectDN, IssuerDN: c.IssuerDN,
			SerialNumber: c.SerialNumber, Validity: Validity{NotBefore: c.NotBefore, NotAfter: c.NotAfter}}
	}
	if x.Network != nil {
		rc.Identity.VpceID = &x.Network.Name
		if x.Network.VPC != "" {
			rc.Identity.VpcID = &x.Network.VPC
		}
	}
	if a.Authorized {
		// Lambda authorizers: principalId, integrationLatency and the
		// context (values as strings for REST APIs [U]); Cognito: claims.
		rc.Authorizer = make(map[string]any, len(a.Context)+2)
		if a.Claims != nil {
			rc.Authorizer["claims"] = a.Claims
		} else {
			rc.Authorizer["principalId"] = a.PrincipalID
			rc.Authorizer["integrationLatency"] = a.Latency.Milliseconds()
			for k, v := range a.Context {
				rc.Authorizer[k] = v
			}
		}
	}
	return rc
}

// EventHeaders returns the single- and multi-value header maps, with the
// client's casing except Authorization and User-Agent, which AWS
// canonicalises [V] (every name in lower case through a custom domain
// with multi-level mappings, see pipeline.DomainRoute.LowerHeaderNames);
// the single-value map keeps the last value. The
// X-Amzn-Trace-Id is the client's as sent, or the one API Gateway adds
// [C: captured events].
func EventHeaders(x *rest.Exchange) (map[string]string, map[string][]string) {
	var single map[string]string
	var multi map[string][]string
	passes := x.PassesTraceHeader()
	lower := x.LowerHeaderNames()
	x.Req.VisitHeaders(func(k, v []byte) {
		name := string(k)
		lname := strings.ToLower(name)
		if lower {
			name = lname
		}
		switch lname {
		case "authorization", "user-agent":
			if !lower {
				name = canonicalName(lname)
			}
		case "content-length", "connection":
			return // not included [L]
		case "x-amzn-trace-id":
			if !passes {
				return
			}
		}
		if single == nil {
			single, multi = map[string]string{}, map[string][]string{}
		}
		val := string(v)
		single[name] = val
		multi[name] = append(multi[name], val)
	})
	if !passes {
		if single == nil {
			single, multi = map[string]string{}, map[string][]string{}
		}
		h, name := x.TraceHeader(), "X-Amzn-Trace-Id"
		if lower {
			name = "x-amzn-trace-id"
		}
		single[name], multi[name] = h, []string{h}
	}
	return single, multi
}

// canonicalName is how AWS spells the headers it canonicalises in REST
// proxy events [V].
func canonicalName(lname string) string {
	if lname == "authorization" {
		return "Authorization"
	}
	return "User-Agent"
}

// EventQuery returns decoded query parameters: the last value per key, and
// all of them.
func EventQuery(x *rest.Exchange) (map[string]string, map[string][]string) {
	q := x.Query()
	if len(q) == 0 {
		return nil, nil
	}
	single := make(map[string]string, len(q))
	for k, vs := range q {
		single[k] = vs[len(vs)-1]
	}
	return single, q
}

// isBinary reports whether a content type matches the API's binary media
// types ("image/png", "image/*", "*/*").
func isBinary(x *rest.Exchange, contentType string) bool {
	types := x.Deployment.BinaryMediaTypes
	if len(types) == 0 || contentType == "" {
		return false
	}
	mt := mediaType(contentType)
	for _, t := range types {
		t = strings.ToLower(t)
		switch {
		case t == "*/*", t == mt:
			return true
		case strings.HasSuffix(t, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(t, "*")):
			return true
		}
	}
	return false
}

// MarshalEvent encodes an event.
func MarshalEvent(ev any) ([]byte, error) { return json.Marshal(ev) }
