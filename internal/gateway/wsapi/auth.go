package wsapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/proxyevent"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/policy"
)

// Authorizer authorizes a connection on $connect, the only route
// WebSocket APIs authorize [D]. It returns the status refusing the
// handshake (401, 403, 500) as a *refusal, or sets what the connection's
// events carry: requestContext.authorizer and, for IAM, the caller.
type Authorizer interface {
	Authorize(h *handshake) error
}

// refusal refuses the opening handshake with a status and message.
type refusal struct {
	status  int
	message string
	cause   error
}

func (r *refusal) Error() string {
	if r.cause != nil {
		return fmt.Sprintf("%d %s: %v", r.status, r.message, r.cause)
	}
	return fmt.Sprintf("%d %s", r.status, r.message)
}

func (r *refusal) Unwrap() error { return r.cause }

func refuse(status int, message string, cause error) *refusal {
	return &refusal{status: status, message: message, cause: cause}
}

// identitySource is a REQUEST authorizer's identity source on $connect:
// route.request.header.X or route.request.querystring.X [M].
type identitySource struct {
	header bool
	name   string
}

func compileIdentitySource(s string) (identitySource, error) {
	if n, ok := strings.CutPrefix(s, "route.request.header."); ok && n != "" {
		return identitySource{header: true, name: n}, nil
	}
	if n, ok := strings.CutPrefix(s, "route.request.querystring."); ok && n != "" {
		return identitySource{name: n}, nil
	}
	return identitySource{}, fmt.Errorf("identity source %q: not route.request.header.X or route.request.querystring.X", s)
}

// lambdaAuthorizer is a Lambda REQUEST authorizer on $connect: a REST
// style REQUEST event, an IAM policy answer [D].
type lambdaAuthorizer struct {
	id              string
	region, account string
	inv             invoker.Lambda
	fn              upstream.LambdaFunction
	sources         []identitySource
	ttl             time.Duration
}

// authResult is an authorizer's answer as cached.
type authResult struct {
	policy *proxyevent.PolicyResult
	// usageKey is the answer's usageIdentifierKey (API keys from the
	// authorizer).
	usageKey string
}

// Authorize implements Authorizer: every identity source must be present
// and non-empty, else 401 without invoking the function [M][U: the
// status]; the answer is cached by the sources' values for the TTL; a
// policy that does not allow execute-api:Invoke on the $connect ARN is
// 403; the function failing with "Unauthorized" is 401; any other
// failure 500 [D].
func (a *lambdaAuthorizer) Authorize(h *handshake) error {
	values := make([]string, 0, len(a.sources))
	for _, s := range a.sources {
		var v string
		if s.header {
			v = h.req.Header(s.name)
		} else {
			v = h.query().Get(s.name)
		}
		if v == "" {
			return refuse(401, "Unauthorized", nil)
		}
		values = append(values, v)
	}
	arn := h.connectARN()
	cache := h.stage.AuthorizerCache
	if a.ttl <= 0 || len(values) == 0 {
		cache = nil
	}
	key := a.id + "\x00" + strings.Join(values, "\x00")
	var res *authResult
	if cache != nil {
		if v, ok := cache.Get(key, time.Now()); ok {
			res = v.(*authResult)
		}
	}
	start := time.Now()
	if res == nil {
		ev := h.authorizerEvent(arn)
		fn := a.fn.Resolve(h.stage.Variables)
		payload, err := authz.InvokeAuthorizer(h.ctx, a.inv, fn, ev)
		var f *pipeline.Failure
		switch {
		case errors.As(err, &f):
			return refuse(401, "Unauthorized", nil)
		case err != nil:
			return refuse(500, "Internal server error", fmt.Errorf("authorizer %s (%s): %w", a.id, fn, err))
		}
		pr, err := proxyevent.DecodePolicyResponse(payload)
		if err != nil {
			return refuse(500, "Internal server error", fmt.Errorf("authorizer %s: %w", a.id, err))
		}
		var extra struct {
			UsageIdentifierKey string `json:"usageIdentifierKey"`
		}
		_ = json.Unmarshal(payload, &extra)
		res = &authResult{policy: pr, usageKey: extra.UsageIdentifierKey}
		if cache != nil {
			cache.Put(key, res, a.ttl, time.Now())
		}
	}
	latency := time.Since(start)
	if !res.policy.Allows(arn) {
		return refuse(403, "Forbidden", nil)
	}
	h.conn.authorizer = authorizerObject(res.policy, latency)
	h.usageKey = res.usageKey
	return nil
}

// authorizerObject is requestContext.authorizer of the connection's
// events: principalId, the context's values as strings, and
// integrationLatency [D: WebSocket $context.authorizer values are
// strings][C: boto3#3789].
func authorizerObject(p *proxyevent.PolicyResult, latency time.Duration) []byte {
	b := []byte(`{"principalId":`)
	b = appendJSONString(b, p.PrincipalID)
	for i := range p.Context.Len() {
		k, _ := p.Context.At(i)
		if k == "principalId" || k == "integrationLatency" {
			continue
		}
		v, _ := p.Context.Text(k)
		b = append(b, ',')
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, v)
	}
	b = append(b, `,"integrationLatency":`...)
	b = strconv.AppendInt(b, latency.Milliseconds(), 10)
	return append(b, '}')
}

// iamAuthorizer checks an AWS_IAM $connect: the handshake must be signed
// (SigV4, service execute-api) by a known user whose identity policies
// allow execute-api:Invoke on the $connect ARN; otherwise 403 [D][U: the
// status of an unsigned handshake].
type iamAuthorizer struct {
	region, account string
	users           *authz.Users
}

// Authorize implements Authorizer.
func (a *iamAuthorizer) Authorize(h *handshake) error {
	x := h.exchange()
	user, err := a.users.Authenticate(x)
	if err != nil {
		return refuse(403, "Forbidden", err)
	}
	caller := user.Caller
	arn := h.connectARN()
	if caller.AccountID != a.account || user.Decide(authz.PolicyRequest(x, arn, &caller)) != policy.Allow {
		return refuse(403, "Forbidden", fmt.Errorf("%s may not invoke %s", caller.ARN, arn))
	}
	h.conn.identity.AccessKey = caller.AccessKey
	h.conn.identity.AccountID = caller.AccountID
	h.conn.identity.Caller = caller.UserID
	h.conn.identity.User = caller.UserID
	h.conn.identity.UserARN = caller.ARN
	return nil
}

// authorizerEventJSON is the REQUEST authorizer event of $connect: the
// REST-style REQUEST event with the CONNECT event's requestContext [D].
type authorizerEventJSON struct {
	Type                            string              `json:"type"`
	MethodArn                       string              `json:"methodArn"`
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string   `json:"stageVariables,omitempty"`
	RequestContext                  eventContext        `json:"requestContext"`
}

func (h *handshake) authorizerEvent(arn string) []byte {
	ev := h.connectEvent()
	b, _ := json.Marshal(authorizerEventJSON{
		Type: "REQUEST", MethodArn: arn, Headers: ev.Headers, MultiValueHeaders: ev.MultiValueHeaders,
		QueryStringParameters: ev.QueryStringParameters, MultiValueQueryStringParameters: ev.MultiValueQueryStringParameters,
		StageVariables: ev.StageVariables, RequestContext: ev.RequestContext,
	})
	return b
}
