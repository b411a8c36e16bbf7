package access

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/policy"
)

// AuthorizerTest is the outcome of a test invocation of an authorizer
// (TestInvokeAuthorizer; reference §5).
type AuthorizerTest struct {
	// ClientStatus is what the caller of a method would get: 200 when the
	// policy allows the method, 401 unauthorized, 403 denied, 500 for an
	// authorizer that misbehaves [T: AWS's model says 0 on success; emulators
	// answer 200].
	ClientStatus int
	PrincipalID  string
	// Policy is the returned policy document, as JSON text.
	Policy string
	// Context is the Lambda authorizer's context; Claims a Cognito token's.
	Context map[string]string
	Claims  map[string]string
	// Lines are the execution log's lines, in AWS's order.
	Lines   []string
	Latency time.Duration
}

// TestAuthorizer runs authorizer id of the deployment once for x, as
// TestInvokeAuthorizer does: the result cache is neither read nor
// written, and the method ARN names the test stage [T]. ok is false when
// the deployment has no such authorizer.
func (d *Deployment) TestAuthorizer(x *rest.Exchange, id string) (_ *AuthorizerTest, ok bool) {
	start := time.Now()
	out := &AuthorizerTest{}
	add := func(s string) { out.Lines = append(out.Lines, s) }
	add("Starting authorizer: " + id + " for request: " + x.RequestID)
	arn := "arn:aws:execute-api:" + d.c.Region + ":" + d.c.AccountID + ":" + x.APIID + "/" + x.StageName + "/" +
		x.Route.HTTPMethod + x.StagePath
	if la, found := d.lambdas[id]; found {
		d.testLambda(x, la, arn, out, add)
	} else if ca, found := d.cognitos[id]; found {
		testCognito(x, ca, out, add)
	} else {
		return nil, false
	}
	out.Latency = time.Since(start)
	return out, true
}

// testLambda runs a TOKEN or REQUEST authorizer [C: console logs of 2017
// and 2019 test invocations].
func (d *Deployment) testLambda(x *rest.Exchange, la *lambdaAuthorizer, arn string, out *AuthorizerTest, add func(string)) {
	values := make([]string, len(la.sources))
	missing := false
	for i, s := range la.sources {
		v, ok := s.Resolve(x)
		values[i] = v
		missing = missing || !ok || v == ""
	}
	if la.request {
		parts := make([]string, len(values))
		for i, v := range values {
			parts[i] = la.sourceNames[i] + "=" + rest.Mask(v)
		}
		add("Incoming identity: {" + strings.Join(parts, ", ") + "}")
	} else {
		add("Incoming identity: " + rest.Mask(values[0]))
	}
	unauthorized := func() {
		out.ClientStatus = 401
		add("Unauthorized request: " + x.RequestID)
		add("Unauthorized")
	}
	if (missing && (!la.request || la.ttl > 0)) || (la.validate != nil && !la.validate.MatchString(values[0])) {
		unauthorized()
		return
	}
	fn := la.fn.Resolve(x.Variables())
	uri := "https://lambda." + d.c.Region + ".amazonaws.com/2015-03-31/functions/" + fn + "/invocations"
	event, _ := json.Marshal(la.event(x, arn, values))
	add("Endpoint request URI: " + uri)
	add("Endpoint request body after transformations: " + string(event))
	add("Sending request to " + uri)
	payload, err := authz.InvokeAuthorizer(invoker.WithTraceHeader(x.Ctx, x.TraceHeader()), la.inv, fn, event)
	var f *pipeline.Failure
	if errors.As(err, &f) && f.Type == pipeline.Unauthorized {
		unauthorized()
		return
	}
	configError := func(msg string) {
		out.ClientStatus = 500
		add("Execution failed due to configuration error: " + msg)
		add("AuthorizerConfigurationException")
	}
	if err != nil {
		configError(err.Error())
		return
	}
	add("Authorizer result body before parsing: " + string(payload))
	res, err := parseAuthorizerOutput(payload)
	if err != nil {
		configError("Invalid JSON in response: " + string(payload))
		return
	}
	out.PrincipalID, out.Policy, out.Context = res.principalID, string(res.entry.Policy), res.context
	add("Using valid authorizer policy for principal: " + rest.Mask(res.principalID))
	add("Successfully completed authorizer execution")
	switch res.policy.Evaluate(&policy.Request{Action: authz.InvokeAction, Resource: arn, Principal: policy.Principal{Anonymous: true}}) {
	case policy.Allow:
		out.ClientStatus = 200
	default:
		out.ClientStatus = 403
	}
}

// testCognito verifies a Cognito user pool token.
func testCognito(x *rest.Exchange, ca *cognitoAuthorizer, out *AuthorizerTest, add func(string)) {
	token, _ := ca.source.Resolve(x)
	add("Incoming identity: " + rest.Mask(token))
	if err := ca.authenticate(x); err != nil {
		out.ClientStatus = 401
		add("Unauthorized request: " + x.RequestID)
		add("Unauthorized")
		return
	}
	out.ClientStatus = 200
	out.Claims, out.PrincipalID = x.Auth.Claims, x.Auth.PrincipalID
	add("Successfully completed authorizer execution")
}
