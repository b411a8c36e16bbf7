package apigw

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

type putIntegrationInput struct {
	Type                 *string            `json:"type"`
	HTTPMethod           *string            `json:"httpMethod"`
	URI                  *string            `json:"uri"`
	ConnectionType       *string            `json:"connectionType"`
	ConnectionID         *string            `json:"connectionId"`
	Credentials          *string            `json:"credentials"`
	RequestParameters    map[string]string  `json:"requestParameters"`
	RequestTemplates     map[string]*string `json:"requestTemplates"`
	PassthroughBehavior  *string            `json:"passthroughBehavior"`
	CacheNamespace       *string            `json:"cacheNamespace"`
	CacheKeyParameters   []string           `json:"cacheKeyParameters"`
	ContentHandling      *string            `json:"contentHandling"`
	TimeoutInMillis      *int64             `json:"timeoutInMillis"`
	TLSConfig            *model.TLSConfig   `json:"tlsConfig"`
	ResponseTransferMode *string            `json:"responseTransferMode"`
	IntegrationTarget    *string            `json:"integrationTarget"`
}

// Integration timeout bounds in milliseconds. A streamed response may take
// up to 15 minutes [D: "Stream the integration response for your proxy
// integrations in API Gateway"].
const (
	minTimeoutMillis       = 50
	maxTimeoutMillis       = 29000
	maxStreamTimeoutMillis = 900000
	defaultTimeoutMillis   = 29000
)

// maxTimeout is the longest timeout in allows.
func maxTimeout(in *model.Integration) int64 {
	if model.Deref(in.ResponseTransferMode) == "STREAM" {
		return maxStreamTimeoutMillis
	}
	return maxTimeoutMillis
}

// errTimeout is the answer to a timeout outside in's bounds.
func errTimeout(in *model.Integration) error {
	return awserr.BadRequest("Timeout should be between %d ms and %d ms", minTimeoutMillis, maxTimeout(in)) // [U]
}

func (a *API) putIntegration(ctx context.Context, r *restjson.Request) (any, error) {
	var in putIntegrationInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Type == nil {
		nullAt(&v, "putIntegrationInput.type")
	} else if !in1(*in.Type, model.IntegrationTypes) {
		v.Enum(*in.Type, "putIntegrationInput.type", model.IntegrationTypes)
	}
	if m := in.ResponseTransferMode; m != nil && !in1(*m, model.ResponseTransferModes) {
		v.Enum(*m, "putIntegrationInput.responseTransferMode", model.ResponseTransferModes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	resID := r.Path("resource_id")
	integ := model.Integration{
		Type:                 *in.Type,
		HTTPMethod:           in.HTTPMethod,
		URI:                  in.URI,
		ConnectionType:       in.ConnectionType,
		ConnectionID:         in.ConnectionID,
		Credentials:          in.Credentials,
		RequestParameters:    in.RequestParameters,
		RequestTemplates:     nullEmpty(in.RequestTemplates),
		PassthroughBehavior:  in.PassthroughBehavior,
		ContentHandling:      in.ContentHandling,
		TimeoutInMillis:      defaultTimeoutMillis,
		CacheNamespace:       in.CacheNamespace,
		CacheKeyParameters:   in.CacheKeyParameters,
		TLSConfig:            in.TLSConfig,
		ResponseTransferMode: in.ResponseTransferMode,
		IntegrationTarget:    in.IntegrationTarget,
	}
	if in.TimeoutInMillis != nil {
		integ.TimeoutInMillis = *in.TimeoutInMillis
	}
	if integ.PassthroughBehavior == nil {
		integ.PassthroughBehavior = model.Ptr("WHEN_NO_MATCH")
	}
	if integ.CacheNamespace == nil {
		integ.CacheNamespace = model.Ptr(resID)
	}
	if integ.CacheKeyParameters == nil {
		integ.CacheKeyParameters = []string{}
	}
	if integ.ConnectionType == nil && (integ.Type == "HTTP" || integ.Type == "HTTP_PROXY") {
		integ.ConnectionType = model.Ptr("INTERNET")
	}
	_, err := a.mutateMethod(ctx, r, func(_ store.Tx, m *model.Method) error {
		if err := checkIntegration(&integ, m); err != nil {
			return err
		}
		m.MethodIntegration = &integ
		return nil
	})
	if err != nil {
		return nil, err
	}
	return integ, nil
}

var (
	errHTTPEndpoint = awserr.BadRequest("Invalid HTTP endpoint specified for URI")
	errARN          = awserr.BadRequest("Invalid ARN specified in the request")
	errARNPath      = awserr.BadRequest("AWS ARN for integration must contain path or action")
	errProxyTarget  = awserr.BadRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
)

// checkIntegration validates an integration as AWS does on PutIntegration
// and UpdateIntegration.
func checkIntegration(in *model.Integration, m *model.Method) error {
	needsMethod := in.Type != "MOCK"
	if needsMethod && (in.HTTPMethod == nil || *in.HTTPMethod == "") {
		return awserr.BadRequest("Enumeration value for HttpMethod must be non-empty")
	}
	if in.HTTPMethod != nil && *in.HTTPMethod != "" && !in1(*in.HTTPMethod, model.HTTPMethods) {
		return errHTTPMethod
	}
	uri := model.Deref(in.URI)
	switch in.Type {
	case "HTTP", "HTTP_PROXY":
		if !validHTTPURI(uri) {
			return errHTTPEndpoint
		}
	case "AWS", "AWS_PROXY":
		service, err := integrationARNService(uri)
		if err != nil {
			return err
		}
		if in.Type == "AWS_PROXY" && service != "lambda" && service != "firehose" {
			return errProxyTarget
		}
	}
	if ct := model.Deref(in.ConnectionType); ct != "" {
		if !in1(ct, model.ConnectionTypes) {
			return awserr.BadRequest("Invalid connection type specified. Valid options are INTERNET,VPC_LINK") // [U]
		}
		if ct == "VPC_LINK" && model.Deref(in.ConnectionID) == "" {
			return awserr.BadRequest("ConnectionId must be specified for connection type VPC_LINK") // [U]
		}
	}
	if pb := model.Deref(in.PassthroughBehavior); !in1(pb, model.PassthroughBehaviors) {
		return awserr.BadRequest("Invalid passthrough behavior specified: %s. Valid values are WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER", pb) // [U]
	}
	if ch := in.ContentHandling; ch != nil && *ch != "" && !in1(*ch, model.ContentHandlings) {
		return awserr.BadRequest("Invalid content handling specified: %s. Valid values are CONVERT_TO_BINARY, CONVERT_TO_TEXT", *ch) // [U]
	}
	if err := checkTransferMode(in); err != nil {
		return err
	}
	if err := checkRequestMappings(in.RequestParameters, m.RequestParameters); err != nil {
		return err
	}
	if err := checkTemplates(in.RequestTemplates); err != nil {
		return err
	}
	for _, k := range in.CacheKeyParameters {
		if _, ok := m.RequestParameters[k]; !ok && !strings.HasPrefix(k, "integration.request.") {
			return awserr.BadRequest("Invalid cache key parameter specified") // [U]
		}
	}
	return nil
}

// checkTransferMode validates responseTransferMode and the timeout it
// allows: STREAM only on proxy integrations [D], with up to 15 minutes.
func checkTransferMode(in *model.Integration) error {
	switch mode := model.Deref(in.ResponseTransferMode); mode {
	case "", "BUFFERED":
	case "STREAM":
		if in.Type != "HTTP_PROXY" && in.Type != "AWS_PROXY" {
			return awserr.BadRequest("Response transfer mode STREAM is only supported for HTTP_PROXY and AWS_PROXY integrations") // [U]
		}
	default:
		return awserr.BadRequest("Invalid response transfer mode specified: %s. Valid values are BUFFERED, STREAM", mode) // [U]
	}
	if in.TimeoutInMillis < minTimeoutMillis || in.TimeoutInMillis > maxTimeout(in) {
		return errTimeout(in)
	}
	return nil
}

var stageVarRE = regexp.MustCompile(`\$\{stageVariables\.[A-Za-z0-9_]+\}`)
var pathParamRE = regexp.MustCompile(`\{[A-Za-z0-9._\-]+\+?\}`)

// validHTTPURI reports whether uri is an absolute http(s) URL once stage
// variables and path placeholders are substituted.
func validHTTPURI(uri string) bool {
	s := stageVarRE.ReplaceAllString(uri, "stagevar")
	s = pathParamRE.ReplaceAllString(s, "param")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	return true
}

// integrationARNService parses arn:{partition}:apigateway:{region}:{service}:{path|action}/…
// and returns the service.
func integrationARNService(uri string) (string, error) {
	parts := strings.SplitN(uri, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[2] != "apigateway" || parts[4] == "" {
		return "", errARN
	}
	rest := parts[5]
	if !strings.HasPrefix(rest, "path/") && !strings.HasPrefix(rest, "action/") {
		return "", errARNPath
	}
	svc := parts[4] // "{service}" or "{subdomain}.{service}"
	if i := strings.LastIndexByte(svc, '.'); i >= 0 {
		svc = svc[i+1:]
	}
	return svc, nil
}

func (a *API) getIntegration(ctx context.Context, r *restjson.Request) (any, error) {
	m, err := a.readMethod(ctx, r)
	if err != nil {
		return nil, err
	}
	if m.MethodIntegration == nil {
		return nil, errIntegration
	}
	return m.MethodIntegration, nil
}

func (a *API) deleteIntegration(ctx context.Context, r *restjson.Request) (any, error) {
	_, err := a.mutateMethod(ctx, r, func(_ store.Tx, m *model.Method) error {
		if m.MethodIntegration == nil {
			return errIntegration
		}
		m.MethodIntegration = nil
		return nil
	})
	return nil, err
}

func (a *API) updateIntegration(ctx context.Context, r *restjson.Request) (any, error) {
	ops, err := decodePatch(r, "updateIntegrationInput")
	if err != nil {
		return nil, err
	}
	var out model.Integration
	_, err = a.mutateMethod(ctx, r, func(_ store.Tx, m *model.Method) error {
		integ := m.MethodIntegration
		if integ == nil {
			return errIntegration
		}
		for _, op := range ops {
			if err := patchIntegration(integ, op); err != nil {
				return err
			}
		}
		if err := checkIntegration(integ, m); err != nil {
			return err
		}
		out = *integ
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func patchIntegration(in *model.Integration, op patch.Operation) error {
	seg := patch.Segments(op.Path)
	if len(seg) == 0 {
		return patch.InvalidPath(op)
	}
	val := op.Str()
	switch {
	case len(seg) == 1 && in1(seg[0], []string{"uri", "httpMethod", "credentials", "passthroughBehavior", "timeoutInMillis", "contentHandling", "connectionType", "connectionId", "cacheNamespace", "type", "responseTransferMode", "integrationTarget"}):
		if op.Op != "replace" {
			return patch.InvalidOp("replace")
		}
		switch seg[0] {
		case "uri":
			in.URI = optional(val)
		case "httpMethod":
			in.HTTPMethod = optional(val)
		case "credentials":
			in.Credentials = optional(val)
		case "passthroughBehavior":
			in.PassthroughBehavior = &val
		case "timeoutInMillis":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return awserr.BadRequest("Invalid timeout specified: %s", val) // [U]
			}
			in.TimeoutInMillis = n
		case "contentHandling":
			in.ContentHandling = optional(val)
		case "connectionType":
			in.ConnectionType = optional(val)
		case "connectionId":
			in.ConnectionID = optional(val)
		case "cacheNamespace":
			in.CacheNamespace = optional(val)
		case "type":
			in.Type = val
		case "responseTransferMode":
			in.ResponseTransferMode = optional(val)
		case "integrationTarget":
			in.IntegrationTarget = optional(val)
		}
	case len(seg) == 2 && seg[0] == "tlsConfig" && seg[1] == "insecureSkipVerification":
		if op.Op != "replace" {
			return patch.InvalidOp("replace")
		}
		b, _ := parseBool(val)
		in.TLSConfig = &model.TLSConfig{InsecureSkipVerification: b}
	case len(seg) == 2 && seg[0] == "requestParameters":
		return patchStringMap(&in.RequestParameters, seg[1], op, errParameterNotFound)
	case len(seg) == 2 && seg[0] == "requestTemplates":
		return patchTemplates(&in.RequestTemplates, seg[1], op)
	case len(seg) == 2 && seg[0] == "cacheKeyParameters":
		switch op.Op {
		case "add":
			if !in1(seg[1], in.CacheKeyParameters) {
				in.CacheKeyParameters = append(in.CacheKeyParameters, seg[1])
			}
		case "remove":
			in.CacheKeyParameters = without(in.CacheKeyParameters, seg[1])
		default:
			return patch.OpNotAllowed(op, "add", "remove")
		}
	default:
		return patch.InvalidPath(op)
	}
	return nil
}

// patchTemplates applies one operation to a template map.
func patchTemplates(mp *map[string]*string, ct string, op patch.Operation) error {
	switch op.Op {
	case "add", "replace":
		if op.Op == "replace" {
			if _, ok := (*mp)[ct]; !ok {
				return errContentTypeNotFound
			}
		}
		if *mp == nil {
			*mp = map[string]*string{}
		}
		(*mp)[ct] = op.Value
	case "remove":
		if _, ok := (*mp)[ct]; !ok {
			return errContentTypeNotFound
		}
		delete(*mp, ct)
		if len(*mp) == 0 {
			*mp = nil
		}
	default:
		return patch.OpNotAllowed(op, "add", "remove", "replace")
	}
	return nil
}
