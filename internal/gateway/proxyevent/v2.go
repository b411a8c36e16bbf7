package proxyevent

import (
	"github.com/tollgate/tollgate/internal/jsonw"
)

// AppendV2 appends the payload format 2.0 event for r (aws-lambda-go
// events.APIGatewayV2HTTPRequest):
//
//   - rawPath is r.RawPath, stage prefix included; rawQueryString is
//     always present ("" without a query);
//   - cookies holds the cookie headers split into cookies, and is left out
//     when there are none;
//   - headers has lower-cased names, repeated headers joined with ",", no
//     cookie header, and the headers API Gateway sets (see
//     collectHeaders);
//   - queryStringParameters holds decoded parameters, repeated keys joined
//     with ","; it, pathParameters, stageVariables and body are left out
//     when empty;
//   - isBase64Encoded follows [IsTextual].
//
// [D: "Create AWS Lambda proxy integrations for HTTP APIs"; C: captured
// events in aws-lambda-go's testdata.]
func AppendV2(dst []byte, r *Request) []byte {
	s := getScratch()
	defer putScratch(s)
	s.collectHeaders(r, modeV2)
	s.collectQuery(r.RawQuery)
	dst = append(dst, `{"version":"2.0","routeKey":`...)
	dst = jsonw.String(dst, r.RouteKey)
	dst = append(dst, ',')
	dst = s.appendV2Request(dst, r)
	dst = append(dst, ',')
	dst = s.appendBody(dst, r.Body, true)
	return append(dst, '}')
}

// appendV2Request appends the members the 2.0 integration and authorizer
// events share, from rawPath to stageVariables.
func (s *scratch) appendV2Request(dst []byte, r *Request) []byte {
	dst = append(dst, `"rawPath":`...)
	dst = jsonw.String(dst, r.RawPath)
	dst = append(dst, `,"rawQueryString":`...)
	dst = jsonw.String(dst, r.RawQuery)
	if len(s.cookies) > 0 {
		dst = append(dst, `,"cookies":[`...)
		for i, c := range s.cookies {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonw.Bytes(dst, s.bytes(c))
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"headers":`...)
	dst = s.appendJoined(dst, s.headers)
	if len(s.query) > 0 {
		dst = append(dst, `,"queryStringParameters":`...)
		dst = s.appendJoined(dst, s.query)
	}
	if r.PathParams != nil && r.PathParams.Len() > 0 {
		dst = append(dst, `,"pathParameters":`...)
		dst = appendParams(dst, r.PathParams)
	}
	dst = append(dst, `,"requestContext":`...)
	dst = s.appendContextV2(dst, r)
	if len(r.StageVariables) > 0 {
		dst = append(dst, `,"stageVariables":`...)
		dst = appendStringMap(dst, r.StageVariables)
	}
	return dst
}

// appendJoined appends entries as an object whose repeated names are one
// member with the values joined by ",".
func (s *scratch) appendJoined(dst []byte, entries []entry) []byte {
	dst = append(dst, '{')
	first := true
	s.groups(entries, func(name []byte, idx []int32) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = jsonw.Bytes(dst, name)
		dst = append(dst, ':', '"')
		for i, k := range idx {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonw.EscapedBytes(dst, s.bytes(entries[k].value))
		}
		dst = append(dst, '"')
	})
	return append(dst, '}')
}

func appendParams(dst []byte, p Params) []byte {
	dst = append(dst, '{')
	for i := range p.Len() {
		if i > 0 {
			dst = append(dst, ',')
		}
		k, v := p.At(i)
		dst = jsonw.Key(dst, k)
		dst = jsonw.String(dst, v)
	}
	return append(dst, '}')
}

func appendStringMap(dst []byte, m map[string]string) []byte {
	dst = append(dst, '{')
	first := true
	for k, v := range m {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = jsonw.Key(dst, k)
		dst = jsonw.String(dst, v)
	}
	return append(dst, '}')
}

func appendStrings(dst []byte, list []string) []byte {
	dst = append(dst, '[')
	for i, v := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonw.String(dst, v)
	}
	return append(dst, ']')
}

// appendContextV2 appends the 2.0 requestContext, members in the order of
// a captured event.
func (s *scratch) appendContextV2(dst []byte, r *Request) []byte {
	dst = append(dst, `{"accountId":`...)
	dst = jsonw.String(dst, r.AccountID)
	dst = append(dst, `,"apiId":`...)
	dst = jsonw.String(dst, r.APIID)
	if c := r.ClientCert; c != nil {
		dst = append(dst, `,"authentication":{"clientCert":`...)
		dst = appendClientCert(dst, c)
		dst = append(dst, '}')
	}
	if a := r.Authorizer; a != nil {
		dst = append(dst, `,"authorizer":`...)
		dst = appendAuthorizerV2(dst, a)
	}
	dst = append(dst, `,"domainName":`...)
	dst = jsonw.String(dst, r.DomainName)
	dst = append(dst, `,"domainPrefix":`...)
	dst = jsonw.String(dst, domainPrefix(r))
	dst = append(dst, `,"http":{"method":`...)
	dst = jsonw.String(dst, r.Method)
	dst = append(dst, `,"path":`...)
	dst = jsonw.String(dst, r.RawPath)
	dst = append(dst, `,"protocol":`...)
	dst = jsonw.String(dst, protocol(r))
	dst = append(dst, `,"sourceIp":`...)
	dst = jsonw.String(dst, r.SourceIP)
	dst = append(dst, `,"userAgent":`...)
	dst = s.appendUserAgent(dst, r)
	dst = append(dst, `},"requestId":`...)
	dst = jsonw.String(dst, r.RequestID)
	dst = append(dst, `,"routeKey":`...)
	dst = jsonw.String(dst, r.RouteKey)
	dst = append(dst, `,"stage":`...)
	dst = jsonw.String(dst, r.Stage)
	dst = append(dst, `,"time":"`...)
	dst = AppendRequestTime(dst, r.Time)
	dst = append(dst, `","timeEpoch":`...)
	dst = jsonw.Int(dst, r.Time.UnixMilli())
	return append(dst, '}')
}

func appendClientCert(dst []byte, c *ClientCert) []byte {
	dst = append(dst, `{"clientCertPem":`...)
	dst = jsonw.String(dst, c.ClientCertPEM)
	dst = append(dst, `,"subjectDN":`...)
	dst = jsonw.String(dst, c.SubjectDN)
	dst = append(dst, `,"issuerDN":`...)
	dst = jsonw.String(dst, c.IssuerDN)
	dst = append(dst, `,"serialNumber":`...)
	dst = jsonw.String(dst, c.SerialNumber)
	dst = append(dst, `,"validity":{"notBefore":`...)
	dst = jsonw.String(dst, c.NotBefore)
	dst = append(dst, `,"notAfter":`...)
	dst = jsonw.String(dst, c.NotAfter)
	return append(dst, `}}`...)
}

// appendAuthorizerV2 appends requestContext.authorizer of a 2.0 event:
// {"jwt":{"claims":{…},"scopes":[…]|null}}, {"lambda":{…}|null} or
// {"iam":{…}} [G: aws-lambda-go testdata; C: scopes null without a scope
// claim, lambda null without a context].
func appendAuthorizerV2(dst []byte, a *Authorizer) []byte {
	switch {
	case a.JWT != nil:
		dst = append(dst, `{"jwt":{"claims":`...)
		dst = appendStringMap(dst, a.JWT.Claims)
		dst = append(dst, `,"scopes":`...)
		if a.JWT.Scopes == nil {
			dst = append(dst, "null"...)
		} else {
			dst = appendStrings(dst, a.JWT.Scopes)
		}
		return append(dst, `}}`...)
	case a.Lambda != nil:
		dst = append(dst, `{"lambda":`...)
		dst = a.Lambda.Context.AppendJSON(dst)
		return append(dst, '}')
	case a.IAM != nil:
		dst = append(dst, `{"iam":`...)
		dst = appendIAM(dst, a.IAM)
		return append(dst, '}')
	}
	return append(dst, "{}"...)
}

// appendIAM appends the IAM caller [G: apigw-v2-request-iam.json; C:
// cognitoIdentity and principalOrgId null when the caller has none].
func appendIAM(dst []byte, c *IAMAuth) []byte {
	dst = append(dst, `{"accessKey":`...)
	dst = jsonw.String(dst, c.AccessKey)
	dst = append(dst, `,"accountId":`...)
	dst = jsonw.String(dst, c.AccountID)
	dst = append(dst, `,"callerId":`...)
	dst = jsonw.String(dst, c.CallerID)
	dst = append(dst, `,"cognitoIdentity":`...)
	if ci := c.CognitoIdentity; ci != nil {
		dst = append(dst, `{"amr":`...)
		dst = appendStrings(dst, ci.AMR)
		dst = append(dst, `,"identityId":`...)
		dst = jsonw.String(dst, ci.IdentityID)
		dst = append(dst, `,"identityPoolId":`...)
		dst = jsonw.String(dst, ci.IdentityPoolID)
		dst = append(dst, '}')
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"principalOrgId":`...)
	dst = jsonw.StringOrNull(dst, c.PrincipalOrgID)
	dst = append(dst, `,"userArn":`...)
	dst = jsonw.String(dst, c.UserARN)
	dst = append(dst, `,"userId":`...)
	dst = jsonw.String(dst, c.UserID)
	return append(dst, '}')
}
