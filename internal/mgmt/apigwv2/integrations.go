package apigwv2

import (
	"context"
	"errors"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// integrationInput is the body of CreateIntegration and UpdateIntegration.
type integrationInput struct {
	ConnectionID                *string                       `json:"connectionId"`
	ConnectionType              *string                       `json:"connectionType"`
	ContentHandlingStrategy     *string                       `json:"contentHandlingStrategy"`
	CredentialsArn              *string                       `json:"credentialsArn"`
	Description                 *string                       `json:"description"`
	IntegrationMethod           *string                       `json:"integrationMethod"`
	IntegrationSubtype          *string                       `json:"integrationSubtype"`
	IntegrationType             *string                       `json:"integrationType"`
	IntegrationURI              *string                       `json:"integrationUri"`
	PassthroughBehavior         *string                       `json:"passthroughBehavior"`
	PayloadFormatVersion        *string                       `json:"payloadFormatVersion"`
	RequestParameters           map[string]string             `json:"requestParameters"`
	RequestTemplates            map[string]string             `json:"requestTemplates"`
	ResponseParameters          map[string]map[string]*string `json:"responseParameters"`
	TemplateSelectionExpression *string                       `json:"templateSelectionExpression"`
	TimeoutInMillis             *int64                        `json:"timeoutInMillis"`
	TLSConfig                   *modelv2.TLSConfig            `json:"tlsConfig"`
}

// integrationMethods are the methods an integration may use [U].
var integrationMethods = []string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

// check enforces the model's constraints on the members sent.
func (in *integrationInput) check(c *checker) {
	c.enum(in.IntegrationType, "integrationType", modelv2.IntegrationTypes)
	c.enum(in.ConnectionType, "connectionType", modelv2.ConnectionTypes)
	c.enum(in.PassthroughBehavior, "passthroughBehavior", modelv2.PassthroughBehavior)
	c.enum(in.ContentHandlingStrategy, "contentHandlingStrategy", modelv2.ContentHandling)
	c.length(in.Description, "description", 0, 1024)
	c.length(in.ConnectionID, "connectionId", 0, 1024)
	c.length(in.IntegrationURI, "integrationUri", 0, 2048)
	c.length(in.IntegrationSubtype, "integrationSubtype", 0, 128)
	c.length(in.PayloadFormatVersion, "payloadFormatVersion", 1, 64)
	if m := in.IntegrationMethod; m != nil && *m != "" && !oneOf(strings.ToUpper(*m), integrationMethods) {
		c.fail("Invalid integration method specified: %s", *m) // [U]
	}
	c.between(in.TimeoutInMillis, "timeoutInMillis", modelv2.MinTimeout, modelv2.DefaultTimeoutHTTP)
}

// newIntegration is an integration of an API of the given protocol with
// AWS's defaults [M][X]: WebSocket integrations pass unmatched bodies
// through (passthroughBehavior WHEN_NO_MATCH), as AWS's own CLI examples
// of WebSocket integrations show [D].
func newIntegration(id, protocol string) modelv2.Integration {
	ig := modelv2.Integration{IntegrationID: id, ConnectionType: modelv2.ConnectionInternet,
		PayloadFormatVersion: "1.0", TimeoutInMillis: modelv2.DefaultTimeoutHTTP}
	if protocol == modelv2.ProtocolWebSocket {
		ig.TimeoutInMillis = modelv2.DefaultTimeoutWebSocket
		ig.PassthroughBehavior = modelv2.Ptr(modelv2.PassthroughBehavior[0])
	}
	return ig
}

// applyTo changes the members of ig that in sends. Map members are partial
// updates: a key sent with an empty value is removed, and a status code
// sent with an empty map removes all of its response mappings [D]. The
// request templates a create sends are kept as sent, empty ones included
// [C: terraform-provider-aws TestAccAPIGatewayV2Integration_integrationTypeHTTP].
func (in *integrationInput) applyTo(ig *modelv2.Integration, protocol string, create bool) {
	if in.IntegrationType != nil {
		ig.IntegrationType = *in.IntegrationType
	}
	if in.ConnectionType != nil {
		ig.ConnectionType = *in.ConnectionType
	}
	setOptional(&ig.ConnectionID, in.ConnectionID)
	setOptional(&ig.CredentialsArn, in.CredentialsArn)
	setOptional(&ig.Description, in.Description)
	setOptional(&ig.IntegrationSubtype, in.IntegrationSubtype)
	setOptional(&ig.IntegrationURI, in.IntegrationURI)
	if in.IntegrationMethod != nil {
		ig.IntegrationMethod = optional(upper(in.IntegrationMethod))
	}
	if in.PayloadFormatVersion != nil {
		ig.PayloadFormatVersion = *in.PayloadFormatVersion
	}
	if in.TimeoutInMillis != nil {
		ig.TimeoutInMillis = *in.TimeoutInMillis
	}
	if in.TLSConfig != nil {
		ig.TLSConfig = in.TLSConfig
		if in.TLSConfig.ServerNameToVerify == nil {
			ig.TLSConfig = nil
		}
	}
	empty := func(v string) bool { return v == "" }
	ig.RequestParameters = mergeMap(ig.RequestParameters, in.RequestParameters, empty)
	if in.ResponseParameters != nil {
		out := make(map[string]map[string]string, len(ig.ResponseParameters)+len(in.ResponseParameters))
		for k, v := range ig.ResponseParameters {
			out[k] = v
		}
		for status, upd := range in.ResponseParameters {
			m := map[string]string{}
			if len(upd) > 0 {
				for k, v := range out[status] {
					m[k] = v
				}
			}
			for k, v := range upd {
				if v == nil || *v == "" {
					delete(m, k)
				} else {
					m[k] = *v
				}
			}
			if len(m) == 0 {
				delete(out, status)
			} else {
				out[status] = m
			}
		}
		ig.ResponseParameters = out
		if len(out) == 0 {
			ig.ResponseParameters = nil
		}
	}
	if protocol != modelv2.ProtocolWebSocket {
		// Members "supported only for WebSocket APIs" are accepted and
		// ignored for HTTP APIs [M][U: whether AWS ignores or refuses them].
		return
	}
	setOptional(&ig.PassthroughBehavior, in.PassthroughBehavior)
	setOptional(&ig.ContentHandlingStrategy, in.ContentHandlingStrategy)
	setOptional(&ig.TemplateSelectionExpression, in.TemplateSelectionExpression)
	if create && len(in.RequestTemplates) > 0 {
		ig.RequestTemplates = in.RequestTemplates
	} else {
		ig.RequestTemplates = mergeMap(ig.RequestTemplates, in.RequestTemplates, empty)
	}
}

// setOptional sets *dst from an update member: absent keeps it, "" clears it.
func setOptional(dst **string, v *string) {
	if v != nil {
		*dst = optional(v)
	}
}

func upper(s *string) *string {
	u := strings.ToUpper(*s)
	return &u
}

// checkIntegration validates an integration as it would be stored.
func checkIntegration(ctx context.Context, rd store.Reader, protocol string, ig *modelv2.Integration) error {
	if protocol == modelv2.ProtocolWebSocket {
		return checkWebSocketIntegration(ig)
	}
	typ := ig.IntegrationType
	if typ != modelv2.IntegrationAWSProxy && typ != modelv2.IntegrationHTTPProxy {
		return bad("Integration type %s is not supported for HTTP APIs. Supported types: AWS_PROXY, HTTP_PROXY", typ) // [M][U: text]
	}
	subtype := ig.IntegrationSubtype != nil
	if subtype && typ != modelv2.IntegrationAWSProxy {
		return bad("integrationSubtype is supported only for AWS_PROXY integrations") // [M][U: text]
	}
	switch pfv := ig.PayloadFormatVersion; {
	case pfv != "1.0" && pfv != "2.0":
		return bad("Invalid payload format version specified: %s. Supported values are 1.0 and 2.0", pfv) // [U]
	case pfv == "2.0" && (typ != modelv2.IntegrationAWSProxy || subtype):
		return bad("Payload format version 2.0 is supported only for Lambda proxy integrations") // [M][U: text]
	}
	if err := checkIntegrationURI(ig, subtype); err != nil {
		return err
	}
	if err := checkConnection(ctx, rd, ig); err != nil {
		return err
	}
	if typ == modelv2.IntegrationHTTPProxy && ig.IntegrationMethod == nil {
		return bad("An integrationMethod is required for HTTP_PROXY integrations") // [U]
	}
	return checkMappings(ig, subtype)
}

// checkMappings validates an integration's parameter mappings with the
// rules the data plane compiles them by (parammap), so that management
// and data plane agree on what is valid. The requestParameters of an AWS
// service integration (integrationSubtype) are the action's parameters,
// not mappings: only their values' length is checked [D][U].
func checkMappings(ig *modelv2.Integration, subtype bool) error {
	if subtype {
		for k, v := range ig.RequestParameters {
			if v == "" || len(v) > parammap.MaxValueLength {
				return bad("Invalid request parameter specified for %s: values must be between 1 and %d characters long", k, parammap.MaxValueLength) // [U]
			}
		}
	} else if err := parammap.ValidateRequestParameters(ig.RequestParameters); err != nil {
		return mappingError(err)
	}
	return mappingError(parammap.ValidateResponseParameters(ig.ResponseParameters))
}

// mappingError turns a parammap validation error into the
// BadRequestException carrying its message.
func mappingError(err error) error {
	if errors.Is(err, parammap.ErrInvalid) {
		return bad("%s", err.Error())
	}
	return err
}

// checkIntegrationURI checks that an HTTP API integration has the URI its
// type needs: a Lambda ARN (or its apigateway invocation URI), an
// http(s) URL, or a load balancer / Cloud Map ARN for a VPC link [M][D].
func checkIntegrationURI(ig *modelv2.Integration, subtype bool) error {
	if ig.IntegrationURI == nil {
		if subtype {
			return nil
		}
		return bad("An integrationUri is required for %s integrations", ig.IntegrationType) // [U]
	}
	uri := *ig.IntegrationURI
	lower := strings.ToLower(uri)
	var ok bool
	switch {
	case ig.IntegrationType == modelv2.IntegrationAWSProxy:
		ok = strings.HasPrefix(uri, "arn:")
	case ig.ConnectionType == modelv2.ConnectionVPCLink:
		ok = strings.HasPrefix(uri, "arn:")
	default:
		ok = strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") ||
			strings.HasPrefix(uri, "${stageVariables.")
	}
	if !ok {
		return bad("Invalid integration URI specified: %s", uri) // [U]
	}
	return nil
}

// checkConnection checks that a private integration names a VPC link that
// exists, and that an internet one names none.
func checkConnection(ctx context.Context, rd store.Reader, ig *modelv2.Integration) error {
	if ig.ConnectionType != modelv2.ConnectionVPCLink {
		if ig.ConnectionID != nil {
			return bad("A connectionId can be set only for connection type VPC_LINK") // [U]
		}
		return nil
	}
	if ig.ConnectionID == nil {
		return bad("A connectionId is required for connection type VPC_LINK") // [U]
	}
	if strings.HasPrefix(*ig.ConnectionID, "${stageVariables.") {
		return nil
	}
	ok, err := docstore.Exists(ctx, rd, modelv2.KeyVpcLink(*ig.ConnectionID))
	if err != nil {
		return err
	}
	if !ok {
		return bad("Invalid VPC link identifier specified: %s", *ig.ConnectionID) // [U]
	}
	return nil
}

// checkWebSocketIntegration checks what the WebSocket shapes require:
// every type but MOCK needs a URI of its kind (a Lambda or AWS service ARN
// for AWS and AWS_PROXY, an http(s) URL for HTTP and HTTP_PROXY, which
// also need a method); the mappings, templates and selection expressions
// are WebSocket's; response mappings, subtypes and TLS settings are
// HTTP-only [M][D].
func checkWebSocketIntegration(ig *modelv2.Integration) error {
	typ := ig.IntegrationType
	switch {
	case ig.ResponseParameters != nil:
		return bad("responseParameters are supported only for HTTP APIs") // [M][U: text]
	case ig.IntegrationSubtype != nil:
		return bad("integrationSubtype is supported only for HTTP APIs") // [M][U: text]
	case ig.TLSConfig != nil:
		return bad("tlsConfig is supported only for HTTP APIs") // [M][U: text]
	case typ != modelv2.IntegrationMock && ig.IntegrationURI == nil:
		return bad("An integrationUri is required for %s integrations", typ) // [U]
	case ig.TimeoutInMillis > modelv2.DefaultTimeoutWebSocket:
		return bad("timeoutInMillis must be between %d and %d for WebSocket APIs", modelv2.MinTimeout, modelv2.DefaultTimeoutWebSocket) // [M][U: text]
	case ig.PayloadFormatVersion != "1.0":
		return bad("Payload format version %s is not supported for WebSocket APIs", ig.PayloadFormatVersion) // [U]
	case (typ == modelv2.IntegrationHTTP || typ == modelv2.IntegrationHTTPProxy) && ig.IntegrationMethod == nil:
		return bad("An integrationMethod is required for %s integrations", typ) // [U]
	case ig.ConnectionType == modelv2.ConnectionVPCLink && ig.ConnectionID == nil:
		// The connection of a WebSocket private integration is a VPC link of
		// REST APIs, which this gateway does not keep: any id is accepted.
		return bad("A connectionId is required for connection type VPC_LINK") // [U]
	case ig.ConnectionType != modelv2.ConnectionVPCLink && ig.ConnectionID != nil:
		return bad("A connectionId can be set only for connection type VPC_LINK") // [U]
	}
	if uri := ig.IntegrationURI; uri != nil && typ != modelv2.IntegrationMock {
		lower := strings.ToLower(*uri)
		ok := strings.HasPrefix(*uri, "arn:")
		if typ == modelv2.IntegrationHTTP || typ == modelv2.IntegrationHTTPProxy {
			ok = strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(*uri, "${stageVariables.")
		}
		if !ok {
			return bad("Invalid integration URI specified: %s", *uri) // [U]
		}
	}
	if err := checkWSRequestMappings(ig.RequestParameters); err != nil {
		return err
	}
	return checkTemplates("requestTemplates", ig.RequestTemplates)
}

// isLambdaURI reports whether an integration URI names a Lambda function,
// directly or by its apigateway invocation URI.
func isLambdaURI(uri *string) bool {
	return uri != nil && (strings.HasPrefix(*uri, "arn:aws:lambda:") || strings.Contains(*uri, ":lambda:path/"))
}

func (a *API) createIntegration(ctx context.Context, r *restjson.Request) (any, error) {
	required := func(in *integrationInput, c *checker) { c.required(in.IntegrationType != nil, "integrationType") }
	return createChild(a, integrationKind, required, func(ctx context.Context, tx store.Tx, api modelv2.Api, id string, in *integrationInput) (modelv2.Integration, error) {
		if api.ProtocolType == modelv2.ProtocolHTTP && in.PayloadFormatVersion == nil {
			return modelv2.Integration{}, bad("A payloadFormatVersion is required for HTTP APIs") // [M][U: text]
		}
		ig := newIntegration(id, api.ProtocolType)
		in.applyTo(&ig, api.ProtocolType, true)
		defaultMethod(&ig, api.ProtocolType)
		return ig, checkIntegration(ctx, tx, api.ProtocolType, &ig)
	})(ctx, r)
}

// defaultMethod fills in what AWS derives: Lambda proxy integrations, and
// WebSocket Lambda (AWS) integrations, call POST [X][C]; a WebSocket
// integration's integrationResponseSelectionExpression follows from its
// type: HTTP and MOCK integrations select their integration responses by
// status code, AWS integrations by the Lambda error message, proxy
// integrations have none [D][C: terraform-provider-aws
// TestAccAPIGatewayV2Integration_lambdaWebSocket].
func defaultMethod(ig *modelv2.Integration, protocol string) {
	if ig.IntegrationType == modelv2.IntegrationAWSProxy && ig.IntegrationSubtype == nil && ig.IntegrationMethod == nil {
		ig.IntegrationMethod = modelv2.Ptr("POST")
	}
	if protocol != modelv2.ProtocolWebSocket {
		return
	}
	switch ig.IntegrationType {
	case modelv2.IntegrationMock, modelv2.IntegrationHTTP:
		ig.IntegrationResponseSelectionExpression = modelv2.Ptr("${integration.response.statuscode}")
	case modelv2.IntegrationAWS:
		ig.IntegrationResponseSelectionExpression = modelv2.Ptr("${integration.response.body.errorMessage}")
		if ig.IntegrationMethod == nil && isLambdaURI(ig.IntegrationURI) {
			ig.IntegrationMethod = modelv2.Ptr("POST")
		}
	default:
		ig.IntegrationResponseSelectionExpression = nil
	}
}

func (a *API) getIntegrations(ctx context.Context, r *restjson.Request) (any, error) {
	return listChildren(ctx, a, r, modelv2.KindIntegration, func(ig modelv2.Integration) string { return ig.IntegrationID })
}

func (a *API) getIntegration(ctx context.Context, r *restjson.Request) (any, error) {
	return getChild[modelv2.Integration](a, integrationKind)(ctx, r)
}

func (a *API) updateIntegration(ctx context.Context, r *restjson.Request) (any, error) {
	return updateChild(a, integrationKind, func(ctx context.Context, tx store.Tx, api modelv2.Api, ig *modelv2.Integration, in *integrationInput) error {
		in.applyTo(ig, api.ProtocolType, false)
		defaultMethod(ig, api.ProtocolType)
		return checkIntegration(ctx, tx, api.ProtocolType, ig)
	})(ctx, r)
}

// deleteIntegration refuses to delete a managed integration [M] or one
// that routes target, naming them [L].
func (a *API) deleteIntegration(ctx context.Context, r *restjson.Request) (any, error) {
	return deleteChild(a, integrationKind, func(ctx context.Context, tx store.Tx, apiID string, ig modelv2.Integration) error {
		if ig.ApiGatewayManaged {
			return bad("Cannot delete an integration managed by API Gateway") // [M][U: text]
		}
		target := modelv2.TargetPrefix + ig.IntegrationID
		users, err := routeKeysWhere(ctx, tx, apiID, func(rt modelv2.Route) bool { return rt.Target != nil && *rt.Target == target })
		if err != nil || len(users) == 0 {
			return err
		}
		return bad("Unable to delete integration %s: it is the target of route(s) %s", ig.IntegrationID, strings.Join(users, ", ")) // [L][U: text]
	})(ctx, r)
}
