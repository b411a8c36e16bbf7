package proxyevent

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/valyala/fastjson"

	"github.com/tollgate/tollgate/internal/jsonw"
	"github.com/tollgate/tollgate/internal/policy"
)

// InvokeAction is the IAM action an authorizer's policy must allow.
const InvokeAction = "execute-api:Invoke"

// ErrMalformedAuthorizerResponse is wrapped by every decoding error of an
// authorizer's answer. API Gateway answers them with 500
// {"message":"Internal Server Error"} [D].
var ErrMalformedAuthorizerResponse = errors.New("malformed Lambda authorizer response")

// AppendAuthorizerV2 appends the payload format 2.0 REQUEST authorizer
// event (aws-lambda-go events.APIGatewayV2CustomAuthorizerV2Request): the
// 2.0 integration event's members without body and isBase64Encoded [D],
// plus "type":"REQUEST", routeArn and identitySource, the values (not the
// expressions) of the authorizer's identity sources in their configured
// order ([] without identity sources [U]). r.Authorizer is ignored.
func AppendAuthorizerV2(dst []byte, r *Request, routeARN string, identity []string) []byte {
	s := getScratch()
	defer putScratch(s)
	s.collectHeaders(r, modeV2)
	s.collectQuery(r.RawQuery)
	rr := *r
	rr.Authorizer = nil
	dst = append(dst, `{"version":"2.0","type":"REQUEST","routeArn":`...)
	dst = jsonw.String(dst, routeARN)
	dst = append(dst, `,"identitySource":`...)
	if identity == nil {
		identity = []string{}
	}
	dst = appendStrings(dst, identity)
	dst = append(dst, `,"routeKey":`...)
	dst = jsonw.String(dst, r.RouteKey)
	dst = append(dst, ',')
	dst = s.appendV2Request(dst, &rr)
	return append(dst, '}')
}

// AppendAuthorizerV1 appends the payload format 1.0 REQUEST authorizer
// event (aws-lambda-go events.APIGatewayV2CustomAuthorizerV1Request):
// "version":"1.0", "type":"REQUEST", methodArn, identitySource and
// authorizationToken (both the identity values joined with ","), then the
// REST-style request members — resource, path, httpMethod, headers,
// multiValueHeaders, queryStringParameters,
// multiValueQueryStringParameters, pathParameters, stageVariables — and
// the 1.0 requestContext without authorizer [D: "Control access to HTTP
// APIs with AWS Lambda authorizers", payload 1.0; U: the multi-value maps,
// which REST REQUEST authorizers receive].
func AppendAuthorizerV1(dst []byte, r *Request, methodARN string, identity []string) []byte {
	s := getScratch()
	defer putScratch(s)
	s.collectHeaders(r, modeV1)
	s.collectQuery(r.RawQuery)
	dst = append(dst, `{"version":"1.0","type":"REQUEST","methodArn":`...)
	dst = jsonw.String(dst, methodARN)
	start := len(dst)
	dst = append(dst, `,"identitySource":"`...)
	for i, v := range identity {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonw.Escaped(dst, v)
	}
	dst = append(dst, '"')
	joined := dst[start+len(`,"identitySource":`):]
	dst = append(dst, `,"authorizationToken":`...)
	dst = append(dst, joined...)
	dst = append(dst, ',')
	dst = s.appendV1Request(dst, r)
	dst = append(dst, ',')
	dst = appendNullableParams(dst, r)
	dst = append(dst, `,"requestContext":`...)
	dst = s.appendContextV1(dst, r, false)
	return append(dst, '}')
}

// SimpleResult is a simple authorizer answer.
type SimpleResult struct {
	Authorized bool
	Context    *Context
}

// DecodeSimpleResponse decodes an answer of an authorizer with
// enableSimpleResponses: {"isAuthorized": bool, "context": {...}} [D].
// isAuthorized must be a boolean [U: a missing one is treated as an
// unreadable answer, 500, rather than a refusal]; context is an object or
// absent, whose values keep their JSON types and whose keys may not
// include "claims" [D: "claims" is reserved]. Errors wrap
// [ErrMalformedAuthorizerResponse].
func DecodeSimpleResponse(payload []byte) (SimpleResult, error) {
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(payload)
	if err != nil || v.Type() != fastjson.TypeObject {
		return SimpleResult{}, authMalformed("not a JSON object")
	}
	var res SimpleResult
	switch a := v.Get("isAuthorized"); {
	case a == nil || a.Type() == fastjson.TypeNull:
		return SimpleResult{}, authMalformed("no isAuthorized")
	case a.Type() == fastjson.TypeTrue:
		res.Authorized = true
	case a.Type() == fastjson.TypeFalse:
	default:
		return SimpleResult{}, authMalformed("isAuthorized is not a boolean")
	}
	if res.Context, err = authorizerContext(v.Get("context")); err != nil {
		return SimpleResult{}, err
	}
	return res, nil
}

// PolicyResult is an IAM-policy authorizer answer.
type PolicyResult struct {
	PrincipalID string
	Policy      *policy.Policy
	// Document is the policy document's JSON text, as the answer held it
	// (what a cache shared by several nodes keeps).
	Document []byte
	Context  *Context
}

// Allows reports whether the answer's policy allows execute-api:Invoke on
// arn (the route or method ARN the event carried, or — for a cached
// answer — the ARN of the request at hand). An explicit Deny, or no
// matching Allow, refuses: API Gateway answers 403 {"message":"Forbidden"}.
func (r *PolicyResult) Allows(arn string) bool {
	return r.Policy.Evaluate(&policy.Request{Action: InvokeAction, Resource: arn,
		Principal: policy.Principal{Anonymous: true}}) == policy.Allow
}

// DecodePolicyResponse decodes an IAM-policy answer: {"principalId": ...,
// "policyDocument": {...}, "context": {...}} [D]. principalId is required
// (a string, or a number or boolean taken as its text, as REST APIs accept
// [U]); policyDocument is an object, or a string holding one, and must be a
// valid policy (see internal/policy); context as in
// [DecodeSimpleResponse]. Errors wrap [ErrMalformedAuthorizerResponse].
func DecodePolicyResponse(payload []byte) (*PolicyResult, error) {
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(payload)
	if err != nil || v.Type() != fastjson.TypeObject {
		return nil, authMalformed("not a JSON object")
	}
	res := &PolicyResult{}
	switch pid := v.Get("principalId"); {
	case !present(pid):
		return nil, authMalformed("no principalId")
	case pid.Type() == fastjson.TypeString:
		b, _ := pid.StringBytes()
		res.PrincipalID = string(b)
	case pid.Type() == fastjson.TypeNumber || pid.Type() == fastjson.TypeTrue || pid.Type() == fastjson.TypeFalse:
		res.PrincipalID = string(pid.MarshalTo(nil))
	default:
		return nil, authMalformed("principalId is not a string")
	}
	doc := v.Get("policyDocument")
	var text []byte
	switch {
	case !present(doc):
		return nil, authMalformed("no policyDocument")
	case doc.Type() == fastjson.TypeString:
		text, _ = doc.StringBytes()
	case doc.Type() == fastjson.TypeObject:
		text = doc.MarshalTo(nil)
	default:
		return nil, authMalformed("policyDocument is not an object")
	}
	if res.Policy, err = policy.Parse(text); err != nil {
		return nil, fmt.Errorf("%w: policyDocument: %w", ErrMalformedAuthorizerResponse, err)
	}
	res.Document = bytes.Clone(text)
	if res.Context, err = authorizerContext(v.Get("context")); err != nil {
		return nil, err
	}
	return res, nil
}

func authorizerContext(v *fastjson.Value) (*Context, error) {
	c, err := contextOf(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedAuthorizerResponse, err)
	}
	if _, ok := c.Lookup("claims"); ok {
		return nil, authMalformed(`context uses the reserved key "claims"`)
	}
	return c, nil
}

func authMalformed(detail string) error {
	return fmt.Errorf("%w: %s", ErrMalformedAuthorizerResponse, detail)
}

// IsUnauthorizedError reports whether a function error's payload
// ({"errorMessage": ..., "errorType": ...}) carries the message
// "Unauthorized", with which an authorizer asks for 401 instead of 500
// [E: third-party emulators; U for HTTP APIs, documented for REST APIs].
func IsUnauthorizedError(payload []byte) bool {
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(payload)
	if err != nil {
		return false
	}
	return string(v.GetStringBytes("errorMessage")) == "Unauthorized"
}
