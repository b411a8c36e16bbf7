package proxyevent

import (
	"github.com/tollgate/tollgate/internal/jsonw"
)

// AppendV1 appends the payload format 1.0 event as HTTP APIs send it
// (aws-lambda-go events.APIGatewayProxyRequest), which differs from a REST
// API's:
//
//   - a top-level "version":"1.0";
//   - resource and requestContext.resourcePath are the route's path
//     ("/pets/{id}", "$default" for the default route); path and
//     requestContext.path are r.RawPath, stage prefix included;
//   - requestContext.resourceId is null, extendedRequestId equals
//     requestId, there is no operationName, and authorizer is
//     {"claims":null,"scopes":null} unless a JWT or Lambda authorizer ran;
//   - headers keep the client's casing except those API Gateway sets or
//     normalises (Host, User-Agent, Content-Length, X-Forwarded-*,
//     X-Amzn-Trace-Id); cookie stays a header;
//   - headers and queryStringParameters hold the last value of a repeated
//     name [U: as REST APIs do], multiValueHeaders and
//     multiValueQueryStringParameters all of them;
//   - queryStringParameters, multiValue…, pathParameters and
//     stageVariables are null when empty, body is null without a body;
//   - isBase64Encoded follows [IsTextual] as in 2.0 [U].
//
// [D: "Create AWS Lambda proxy integrations for HTTP APIs", payload 1.0
// example; C: captured 1.0 events of HTTP APIs.]
func AppendV1(dst []byte, r *Request) []byte {
	s := getScratch()
	defer putScratch(s)
	s.collectHeaders(r, modeV1)
	s.collectQuery(r.RawQuery)
	dst = append(dst, `{"version":"1.0",`...)
	dst = s.appendV1Request(dst, r)
	dst = append(dst, `,"requestContext":`...)
	dst = s.appendContextV1(dst, r, true)
	dst = append(dst, ',')
	dst = appendNullableParams(dst, r)
	dst = append(dst, ',')
	dst = s.appendBody(dst, r.Body, false)
	return append(dst, '}')
}

// appendV1Request appends resource, path, httpMethod and the header and
// query maps.
func (s *scratch) appendV1Request(dst []byte, r *Request) []byte {
	dst = append(dst, `"resource":`...)
	dst = jsonw.String(dst, routePath(r.RouteKey))
	dst = append(dst, `,"path":`...)
	dst = jsonw.String(dst, r.RawPath)
	dst = append(dst, `,"httpMethod":`...)
	dst = jsonw.String(dst, r.Method)
	dst = append(dst, `,"headers":`...)
	dst = s.appendLast(dst, s.headers)
	dst = append(dst, `,"multiValueHeaders":`...)
	dst = s.appendMulti(dst, s.headers)
	if len(s.query) == 0 {
		return append(dst, `,"queryStringParameters":null,"multiValueQueryStringParameters":null`...)
	}
	dst = append(dst, `,"queryStringParameters":`...)
	dst = s.appendLast(dst, s.query)
	dst = append(dst, `,"multiValueQueryStringParameters":`...)
	return s.appendMulti(dst, s.query)
}

// appendNullableParams appends pathParameters and stageVariables, null when
// empty.
func appendNullableParams(dst []byte, r *Request) []byte {
	dst = append(dst, `"pathParameters":`...)
	if r.PathParams != nil && r.PathParams.Len() > 0 {
		dst = appendParams(dst, r.PathParams)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"stageVariables":`...)
	if len(r.StageVariables) > 0 {
		return appendStringMap(dst, r.StageVariables)
	}
	return append(dst, "null"...)
}

// appendLast appends entries as an object holding the last value of each
// name.
func (s *scratch) appendLast(dst []byte, entries []entry) []byte {
	dst = append(dst, '{')
	first := true
	s.groups(entries, func(name []byte, idx []int32) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = jsonw.Bytes(dst, name)
		dst = append(dst, ':')
		dst = jsonw.Bytes(dst, s.bytes(entries[idx[len(idx)-1]].value))
	})
	return append(dst, '}')
}

// appendMulti appends entries as an object of value lists.
func (s *scratch) appendMulti(dst []byte, entries []entry) []byte {
	dst = append(dst, '{')
	first := true
	s.groups(entries, func(name []byte, idx []int32) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = jsonw.Bytes(dst, name)
		dst = append(dst, ':', '[')
		for i, k := range idx {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonw.Bytes(dst, s.bytes(entries[k].value))
		}
		dst = append(dst, ']')
	})
	return append(dst, '}')
}

// appendContextV1 appends the 1.0 requestContext; withAuthorizer adds the
// authorizer member (integration events, not authorizer events).
func (s *scratch) appendContextV1(dst []byte, r *Request, withAuthorizer bool) []byte {
	dst = append(dst, `{"accountId":`...)
	dst = jsonw.String(dst, r.AccountID)
	dst = append(dst, `,"apiId":`...)
	dst = jsonw.String(dst, r.APIID)
	if withAuthorizer {
		dst = append(dst, `,"authorizer":`...)
		dst = appendAuthorizerV1(dst, r.Authorizer)
	}
	dst = append(dst, `,"domainName":`...)
	dst = jsonw.String(dst, r.DomainName)
	dst = append(dst, `,"domainPrefix":`...)
	dst = jsonw.String(dst, domainPrefix(r))
	dst = append(dst, `,"extendedRequestId":`...)
	dst = jsonw.String(dst, r.RequestID)
	dst = append(dst, `,"httpMethod":`...)
	dst = jsonw.String(dst, r.Method)
	dst = append(dst, `,"identity":`...)
	dst = s.appendIdentityV1(dst, r)
	dst = append(dst, `,"path":`...)
	dst = jsonw.String(dst, r.RawPath)
	dst = append(dst, `,"protocol":`...)
	dst = jsonw.String(dst, protocol(r))
	dst = append(dst, `,"requestId":`...)
	dst = jsonw.String(dst, r.RequestID)
	dst = append(dst, `,"requestTime":"`...)
	dst = AppendRequestTime(dst, r.Time)
	dst = append(dst, `","requestTimeEpoch":`...)
	dst = jsonw.Int(dst, r.Time.UnixMilli())
	dst = append(dst, `,"resourceId":null,"resourcePath":`...)
	dst = jsonw.String(dst, routePath(r.RouteKey))
	dst = append(dst, `,"stage":`...)
	dst = jsonw.String(dst, r.Stage)
	return append(dst, '}')
}

// appendIdentityV1 appends requestContext.identity: null members except
// sourceIp and userAgent, the IAM caller's members for AWS_IAM routes, and
// clientCert under mutual TLS.
func (s *scratch) appendIdentityV1(dst []byte, r *Request) []byte {
	var iam *IAMAuth
	if r.Authorizer != nil {
		iam = r.Authorizer.IAM
	}
	if iam == nil {
		iam = &noIAM
	}
	var poolID, identityID string
	if ci := iam.CognitoIdentity; ci != nil {
		poolID, identityID = ci.IdentityPoolID, ci.IdentityID
	}
	dst = append(dst, `{"accessKey":`...)
	dst = jsonw.StringOrNull(dst, iam.AccessKey)
	dst = append(dst, `,"accountId":`...)
	dst = jsonw.StringOrNull(dst, iam.AccountID)
	dst = append(dst, `,"caller":`...)
	dst = jsonw.StringOrNull(dst, iam.CallerID)
	dst = append(dst, `,"cognitoAuthenticationProvider":null,"cognitoAuthenticationType":null,"cognitoIdentityId":`...)
	dst = jsonw.StringOrNull(dst, identityID)
	dst = append(dst, `,"cognitoIdentityPoolId":`...)
	dst = jsonw.StringOrNull(dst, poolID)
	dst = append(dst, `,"principalOrgId":`...)
	dst = jsonw.StringOrNull(dst, iam.PrincipalOrgID)
	dst = append(dst, `,"sourceIp":`...)
	dst = jsonw.String(dst, r.SourceIP)
	dst = append(dst, `,"user":`...)
	dst = jsonw.StringOrNull(dst, iam.UserID)
	dst = append(dst, `,"userAgent":`...)
	dst = s.appendUserAgent(dst, r)
	dst = append(dst, `,"userArn":`...)
	dst = jsonw.StringOrNull(dst, iam.UserARN)
	if c := r.ClientCert; c != nil {
		dst = append(dst, `,"clientCert":`...)
		dst = appendClientCert(dst, c)
	}
	return append(dst, '}')
}

var noIAM IAMAuth

// appendAuthorizerV1 appends requestContext.authorizer of a 1.0 event:
// {"claims":null,"scopes":null} without a JWT authorizer [D], the claims
// and scopes with one [C: awsdocs/amazon-api-gateway-developer-guide#113],
// and for a Lambda authorizer principalId, integrationLatency and the
// context members, as REST APIs send them but with the values' JSON types
// kept [U].
func appendAuthorizerV1(dst []byte, a *Authorizer) []byte {
	switch {
	case a != nil && a.JWT != nil:
		dst = append(dst, `{"claims":`...)
		dst = appendStringMap(dst, a.JWT.Claims)
		dst = append(dst, `,"scopes":`...)
		if a.JWT.Scopes == nil {
			dst = append(dst, "null"...)
		} else {
			dst = appendStrings(dst, a.JWT.Scopes)
		}
		return append(dst, '}')
	case a != nil && a.Lambda != nil:
		dst = append(dst, `{"principalId":`...)
		dst = jsonw.String(dst, a.Lambda.PrincipalID)
		dst = append(dst, `,"integrationLatency":`...)
		dst = jsonw.Int(dst, a.Lambda.Latency.Milliseconds())
		c := a.Lambda.Context
		for i := range c.Len() {
			k, v := c.At(i)
			if k == "principalId" || k == "integrationLatency" {
				continue
			}
			dst = append(dst, ',')
			dst = jsonw.Key(dst, k)
			dst = append(dst, v...)
		}
		return append(dst, '}')
	}
	return append(dst, `{"claims":null,"scopes":null}`...)
}
