package access

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/rest/integration"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/policy"
)

// Authorizer result TTLs (reference §4.3): default 300 s, at most 3600 s,
// 0 turns the cache off.
const (
	defaultResultTTL = 300 * time.Second
	maxResultTTL     = 3600 * time.Second
)

// lambdaAuthorizer is a compiled TOKEN or REQUEST authorizer.
type lambdaAuthorizer struct {
	id      string
	request bool // REQUEST (else TOKEN)
	fn      upstream.LambdaFunction
	inv     invoker.Lambda
	sources []rest.Source // identity sources, in order
	// sourceNames are the sources as configured, for execution logs.
	sourceNames []string
	validate    *regexp.Regexp // TOKEN: identityValidationExpression
	ttl         time.Duration
}

// authResult is a Lambda authorizer's parsed output, as cached.
type authResult struct {
	principalID string
	policy      *policy.Policy
	context     map[string]string
	usageKey    string
	// entry is the result as a cache keeps it.
	entry *pipeline.AuthEntry
}

// cached returns the live result cached under key, or nil. A cache that
// fails is a miss (logged); so is an entry whose policy no longer parses.
func (la *lambdaAuthorizer) cached(ctx context.Context, x *rest.Exchange, cache pipeline.AuthCache, key string) *authResult {
	e, ok, err := cache.Get(ctx, key, time.Now())
	if err != nil {
		x.Log().Warn("authorizer cache: reading failed; calling the authorizer", "authorizer", la.id, "err", err)
	}
	if !ok {
		return nil
	}
	if r, ok := e.Compiled().(*authResult); ok {
		return r
	}
	p, err := policy.Parse(e.Policy)
	if err != nil {
		x.Log().Warn("authorizer cache: a cached policy does not parse; calling the authorizer", "authorizer", la.id, "err", err)
		return nil
	}
	r := &authResult{principalID: e.PrincipalID, policy: p, context: e.Context, usageKey: e.UsageKey, entry: e}
	e.SetCompiled(r)
	return r
}

func compileLambdaAuthorizer(a *model.Authorizer, inv invoker.Lambda) (*lambdaAuthorizer, error) {
	fn, err := upstream.ParseLambdaFunction(model.Deref(a.AuthorizerURI))
	if err != nil {
		return nil, fmt.Errorf("authorizer %s: %w", a.ID, err)
	}
	la := &lambdaAuthorizer{id: a.ID, request: a.Type == "REQUEST", fn: fn, inv: inv, ttl: defaultResultTTL}
	if a.AuthorizerResultTTLInSeconds != nil {
		la.ttl = min(time.Duration(*a.AuthorizerResultTTLInSeconds)*time.Second, maxResultTTL)
	}
	srcs := model.Deref(a.IdentitySource)
	if srcs == "" && !la.request {
		srcs = "method.request.header.Authorization"
	}
	for _, s := range strings.Split(srcs, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		src, err := rest.ParseRequestSource(s)
		if err != nil {
			return nil, fmt.Errorf("authorizer %s: identity source: %w", a.ID, err)
		}
		la.sources = append(la.sources, src)
		la.sourceNames = append(la.sourceNames, s)
		if !la.request {
			break // TOKEN: a single header
		}
	}
	if expr := model.Deref(a.IdentityValidationExpression); expr != "" && !la.request {
		// The whole token must match [U: AWS does not say whether the
		// expression is anchored; anchoring is the safe reading].
		re, err := regexp.Compile(`^(?:` + expr + `)$`)
		if err != nil {
			return nil, fmt.Errorf("authorizer %s: identityValidationExpression: %w", a.ID, err)
		}
		la.validate = re
	}
	return la, nil
}

// authorize runs the authorizer for x (or takes its cached result) and
// returns its policy's decision for arn.
func (la *lambdaAuthorizer) authorize(x *rest.Exchange, arn string) (policy.Decision, error) {
	values := make([]string, len(la.sources))
	for i, s := range la.sources {
		v, ok := s.Resolve(x)
		if (!ok || v == "") && (!la.request || la.ttl > 0) {
			// Missing identity: 401 without invoking (TOKEN always;
			// REQUEST when caching is on) [D].
			return policy.NotApplicable, pipeline.Fail(pipeline.Unauthorized, nil)
		}
		values[i] = v
	}
	if la.validate != nil && !la.validate.MatchString(values[0]) {
		return policy.NotApplicable, pipeline.Fail(pipeline.Unauthorized, nil)
	}
	var cache pipeline.AuthCache
	var key string
	if la.ttl > 0 && x.Stage != nil {
		cache = x.Stage.AuthCache
		key = la.id + "\x00" + strings.Join(values, "\x00")
	}
	ctx := x.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	var res *authResult
	if cache != nil {
		res = la.cached(ctx, x, cache, key)
		x.Auth.AuthorizerCache = pipeline.CacheLookupMiss
		if res != nil {
			x.Auth.AuthorizerCache = pipeline.CacheLookupHit
		}
	}
	if res == nil {
		start := time.Now()
		r, err := la.invoke(x, arn, values)
		x.Auth.Latency = time.Since(start)
		if err != nil {
			return policy.NotApplicable, err
		}
		res = r
		if cache != nil {
			if err := cache.Put(ctx, key, res.entry, la.ttl, time.Now()); err != nil {
				x.Log().Warn("authorizer cache: storing a result failed; the next request calls the authorizer again", "authorizer", la.id, "err", err)
			}
		}
	}
	x.Auth.Authorized = true
	x.Auth.PrincipalID = res.principalID
	x.Auth.Context = res.context
	x.Auth.UsageIdentifierKey = res.usageKey
	// A cached policy is evaluated against the new request's ARN: one
	// that allowed only the first method denies others until it expires
	// (reference §4.3).
	return res.policy.Evaluate(&policy.Request{Action: authz.InvokeAction, Resource: arn,
		Principal: policy.Principal{Anonymous: true}}), nil
}

// tokenEvent is a TOKEN authorizer's input (reference §4.1).
type tokenEvent struct {
	Type               string `json:"type"`
	AuthorizationToken string `json:"authorizationToken"`
	MethodArn          string `json:"methodArn"`
}

// requestEvent is a REQUEST authorizer's input (reference §4.2).
type requestEvent struct {
	Type                            string                       `json:"type"`
	MethodArn                       string                       `json:"methodArn"`
	Resource                        string                       `json:"resource"`
	Path                            string                       `json:"path"`
	HTTPMethod                      string                       `json:"httpMethod"`
	Headers                         map[string]string            `json:"headers"`
	MultiValueHeaders               map[string][]string          `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string            `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string          `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string            `json:"pathParameters"`
	StageVariables                  map[string]string            `json:"stageVariables"`
	RequestContext                  integration.RequestContextV1 `json:"requestContext"`
}

func (la *lambdaAuthorizer) event(x *rest.Exchange, arn string, values []string) any {
	if !la.request {
		return tokenEvent{Type: "TOKEN", AuthorizationToken: values[0], MethodArn: arn}
	}
	ev := requestEvent{Type: "REQUEST", MethodArn: arn, Resource: x.Route.ResourcePath,
		Path: x.StagePath, HTTPMethod: x.Req.Method()}
	if ev.Path == "" {
		ev.Path = "/"
	}
	ev.Headers, ev.MultiValueHeaders = integration.EventHeaders(x)
	ev.QueryStringParameters, ev.MultiValueQueryStringParameters = integration.EventQuery(x)
	ev.PathParameters = integration.EventPathParameters(x)
	if vars := x.Variables(); len(vars) > 0 {
		ev.StageVariables = vars
	}
	ev.RequestContext = integration.RequestContextOf(x)
	return ev
}

// errConfig is an authorizer that misbehaved: 500 {"message": null} with
// AuthorizerConfigurationException (reference §4.3).
func errConfig(cause error) *pipeline.Failure {
	return pipeline.Fail(pipeline.AuthorizerConfigurationError, cause)
}

func (la *lambdaAuthorizer) invoke(x *rest.Exchange, arn string, values []string) (*authResult, error) {
	event, err := json.Marshal(la.event(x, arn, values))
	if err != nil {
		return nil, errConfig(err)
	}
	fn := la.fn.Resolve(x.Variables())
	payload, err := authz.InvokeAuthorizer(invoker.WithTraceHeader(x.Ctx, x.TraceHeader()), la.inv, fn, event)
	var f *pipeline.Failure
	switch {
	case errors.As(err, &f):
		return nil, f
	case err != nil:
		return nil, errConfig(fmt.Errorf("authorizer %s (%s): %w", la.id, fn, err))
	}
	out, err := parseAuthorizerOutput(payload)
	if err != nil {
		return nil, errConfig(fmt.Errorf("authorizer %s (%s): %w", la.id, fn, err))
	}
	return out, nil
}

// parseAuthorizerOutput checks and compiles an authorizer's answer
// (reference §4.3): principalId and policyDocument are required, context
// values must be strings, numbers or booleans.
func parseAuthorizerOutput(b []byte) (*authResult, error) {
	var out struct {
		PrincipalID        json.RawMessage            `json:"principalId"`
		PolicyDocument     json.RawMessage            `json:"policyDocument"`
		Context            map[string]json.RawMessage `json:"context"`
		UsageIdentifierKey *string                    `json:"usageIdentifierKey"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("malformed authorizer output: %w", err)
	}
	res := &authResult{}
	switch {
	case len(out.PrincipalID) == 0 || string(out.PrincipalID) == "null":
		return nil, errors.New("authorizer output has no principalId")
	case out.PrincipalID[0] == '"':
		if err := json.Unmarshal(out.PrincipalID, &res.principalID); err != nil {
			return nil, err
		}
	default:
		res.principalID = string(out.PrincipalID)
	}
	doc := out.PolicyDocument
	if len(doc) > 0 && doc[0] == '"' {
		// A policy document sent as a JSON string.
		var s string
		if err := json.Unmarshal(doc, &s); err != nil {
			return nil, err
		}
		doc = []byte(s)
	}
	if len(doc) == 0 || string(doc) == "null" {
		return nil, errors.New("authorizer output has no policyDocument")
	}
	p, err := policy.Parse(doc)
	if err != nil {
		return nil, fmt.Errorf("authorizer policyDocument: %w", err)
	}
	res.policy = p
	if len(out.Context) > 0 {
		res.context = make(map[string]string, len(out.Context))
		for k, raw := range out.Context {
			v, err := contextValue(raw)
			if err != nil {
				return nil, fmt.Errorf("authorizer context %q: %w", k, err)
			}
			res.context[k] = v
		}
	}
	if out.UsageIdentifierKey != nil {
		res.usageKey = *out.UsageIdentifierKey
	}
	res.entry = &pipeline.AuthEntry{PrincipalID: res.principalID, Policy: doc, Context: res.context, UsageKey: res.usageKey}
	res.entry.SetCompiled(res)
	return res, nil
}

// contextValue stringifies a context value as REST integrations see it
// ("1", "true"); objects and arrays are not allowed.
func contextValue(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", errors.New("empty value")
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case '{', '[':
		return "", errors.New("objects and arrays are not allowed in an authorizer context")
	case 't', 'f':
		b, err := strconv.ParseBool(string(raw))
		return strconv.FormatBool(b), err
	case 'n':
		return "", errors.New("null is not allowed in an authorizer context")
	}
	return string(raw), nil
}
