package httpapi

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/proxyevent"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/jsonw"
)

// authorizerTimeout bounds a Lambda authorizer's invocation [D: "Amazon
// API Gateway quotas for HTTP APIs", Lambda authorizer response timeout].
const authorizerTimeout = 10 * time.Second

// lambdaAuthorizer is a Lambda (REQUEST) authorizer [D: "Controlling
// access to HTTP APIs with AWS Lambda authorizers"].
type lambdaAuthorizer struct {
	id              string
	region, account string
	inv             invoker.Lambda
	fn              upstream.LambdaFunction
	v2              bool // authorizerPayloadFormatVersion 2.0
	simple          bool // enableSimpleResponses (2.0 only)
	sources         []*parammap.Value
	ttl             time.Duration // 0: no caching
}

// lambdaResult is an authorizer's answer, as cached: a simple answer's
// verdict, or an IAM policy decided per request ARN.
type lambdaResult struct {
	simple     bool
	authorized bool
	policy     *proxyevent.PolicyResult
	context    *proxyevent.Context
	text       map[string]string // context as $context.authorizer.{key} reads it
}

// entry is r as the stage's authorizer cache keeps it: the answer,
// reduced to what API Gateway reads of it, so that any node of a cluster
// can decode it again (see cached). r rides along for the node that
// cached it.
func (r *lambdaResult) entry() *pipeline.AuthEntry {
	b := make([]byte, 0, 128)
	if r.simple {
		b = append(jsonw.Bool(append(b, `{"isAuthorized":`...), r.authorized), `,"context":`...)
	} else {
		b = jsonw.String(append(b, `{"principalId":`...), r.policy.PrincipalID)
		b = append(append(append(b, `,"policyDocument":`...), r.policy.Document...), `,"context":`...)
	}
	b = append(r.context.AppendJSON(b), '}')
	e := &pipeline.AuthEntry{Answer: b}
	e.SetCompiled(r)
	return e
}

// cached returns the live result cached under key, or nil. An entry
// another node stored is decoded as the function's own answer would be;
// a cache that fails, or an entry that does not decode (one stored by a
// node serving another deployment of the API), is a miss, logged.
func (a *lambdaAuthorizer) cached(ctx context.Context, x *Exchange, cache pipeline.AuthCache, key string) *lambdaResult {
	e, ok, err := cache.Get(ctx, key, time.Now())
	if err != nil {
		x.log().Warn("authorizer cache: reading failed; calling the authorizer",
			"api", x.APIID, "stage", x.StageName, "authorizer", a.id, "err", err)
	}
	if !ok {
		return nil
	}
	if r, ok := e.Compiled().(*lambdaResult); ok && r.simple == (a.v2 && a.simple) {
		return r
	}
	r, err := a.decode(e.Answer)
	if err != nil {
		x.log().Warn("authorizer cache: a cached answer does not decode; calling the authorizer",
			"api", x.APIID, "stage", x.StageName, "authorizer", a.id, "err", err)
		return nil
	}
	e.SetCompiled(r)
	return r
}

// Authorize implements Authorizer:
//
//   - every identity source must be present and non-empty, else 401
//     without invoking the function [D];
//   - with a TTL and identity sources, the answer is cached by the
//     sources' values, for every route the authorizer guards [D];
//   - a simple answer allows when isAuthorized is true, an IAM policy
//     when it allows execute-api:Invoke on the request's ARN; otherwise
//     403 [D];
//   - the function failing with "Unauthorized" is 401 [L][U]; any other
//     failure, or an answer that cannot be read, is 500 [D].
//
// The answer's context reaches a 2.0 integration as
// requestContext.authorizer.lambda, types kept [D][G].
func (a *lambdaAuthorizer) Authorize(x *Exchange) error {
	var vbuf [4]string
	values := vbuf[:0]
	for _, s := range a.sources {
		v, ok := s.Eval(x)
		if !ok || v == "" {
			x.Auth.Error = "identity source " + s.String() + " is missing"
			return pipeline.Fail(pipeline.Unauthorized, nil)
		}
		values = append(values, v)
	}
	var cache pipeline.AuthCache
	var key string
	if a.ttl > 0 && len(values) > 0 {
		cache, key = x.Stage.AuthCache, cacheKey(a.id, values)
	}
	ctx := x.Ctx
	var res *lambdaResult
	if cache != nil {
		res = a.cached(ctx, x, cache, key)
	}
	arn := routeARN(a.region, a.account, x)
	if res == nil {
		start := time.Now()
		r, err := a.invoke(x, arn, values)
		x.Auth.Latency = time.Since(start)
		if err != nil {
			return err
		}
		res = r
		if cache != nil {
			if err := cache.Put(ctx, key, res.entry(), a.ttl, time.Now()); err != nil {
				x.log().Warn("authorizer cache: storing a result failed; the next request calls the authorizer again",
					"api", x.APIID, "stage", x.StageName, "authorizer", a.id, "err", err)
			}
		}
	}
	allowed := res.authorized
	if !res.simple {
		allowed = res.policy.Allows(arn)
	}
	if !allowed {
		x.Auth.Error = "the authorizer denied the request"
		return pipeline.Fail(pipeline.AccessDenied, nil)
	}
	la := &proxyevent.LambdaAuth{Context: res.context, Latency: x.Auth.Latency}
	if res.policy != nil {
		la.PrincipalID = res.policy.PrincipalID
		x.Auth.PrincipalID = la.PrincipalID
	}
	x.Auth.Authorized = true
	x.Auth.Context = res.text
	x.authorizer = &proxyevent.Authorizer{Lambda: la}
	return nil
}

// cacheKey is the authorizer cache's key for an authorizer and its
// identity values: each value prefixed with its length, so that no choice
// of values (a decoded query parameter may hold any byte) can spell
// another's key.
func cacheKey(id string, values []string) string {
	n := len(id) + 1
	for _, v := range values {
		n += len(v) + 8
	}
	b := make([]byte, 0, n)
	b = append(append(b, id...), 0)
	for _, v := range values {
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(append(b, ':'), v...)
	}
	return string(b)
}

// invoke runs the function with the event of the authorizer's payload
// version and reads its answer.
func (a *lambdaAuthorizer) invoke(x *Exchange, arn string, values []string) (*lambdaResult, error) {
	var ev proxyevent.Request
	x.eventRequest(&ev, nil)
	ev.Authorizer = nil
	var event []byte
	if a.v2 {
		event = proxyevent.AppendAuthorizerV2(nil, &ev, arn, values)
	} else {
		event = proxyevent.AppendAuthorizerV1(nil, &ev, arn, values)
	}
	ctx, cancel := context.WithTimeout(x.Ctx, authorizerTimeout)
	defer cancel()
	fn := a.fn.Resolve(x.Variables())
	payload, err := authz.InvokeAuthorizer(ctx, a.inv, fn, event)
	var f *pipeline.Failure
	switch {
	case errors.As(err, &f):
		x.Auth.Error = "Unauthorized"
		return nil, f
	case err != nil:
		x.Auth.Error = err.Error()
		return nil, pipeline.Fail(pipeline.AuthorizerFailure, fmt.Errorf("authorizer %s (%s): %w", a.id, fn, err))
	}
	res, err := a.decode(payload)
	if err != nil {
		x.Auth.Error = err.Error()
		return nil, pipeline.Fail(pipeline.AuthorizerConfigurationError, fmt.Errorf("authorizer %s: %w", a.id, err))
	}
	return res, nil
}

// decode reads an answer of the authorizer: a simple one (payload 2.0
// with enableSimpleResponses) or an IAM policy.
func (a *lambdaAuthorizer) decode(payload []byte) (*lambdaResult, error) {
	res := &lambdaResult{simple: a.v2 && a.simple}
	if res.simple {
		sr, err := proxyevent.DecodeSimpleResponse(payload)
		if err != nil {
			return nil, err
		}
		res.authorized, res.context = sr.Authorized, sr.Context
	} else {
		pr, err := proxyevent.DecodePolicyResponse(payload)
		if err != nil {
			return nil, err
		}
		res.policy, res.context = pr, pr.Context
	}
	res.text = contextText(res.context)
	return res, nil
}
