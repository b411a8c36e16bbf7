// Package testinvoke runs the management API's test invocations
// (TestInvokeMethod, TestInvokeAuthorizer) on an API's working copy: it
// compiles the copy as a deployment is compiled (internal/deploy) and runs
// the request through the REST data plane in-process
// (internal/gateway/rest), as API Gateway's console Test button does.
package testinvoke

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/tollgate/tollgate/internal/deploy"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/rest/access"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/model"
)

// Tester implements apigw.Tester over the data plane's compiler.
type Tester struct {
	// Watcher compiles the working copies (set before the management API
	// serves).
	Watcher *deploy.Watcher
}

var _ apigw.Tester = (*Tester)(nil)

// TestInvokeMethod implements apigw.Tester.
func (t *Tester) TestInvokeMethod(ctx context.Context, snap *model.Snapshot, resourceID, httpMethod string, in *apigw.TestInvokeMethodInput) (*apigw.TestInvokeMethodOutput, error) {
	st, err := t.Watcher.TestStage(ctx, snap, in.StageVariables, model.Deref(in.ClientCertificateID))
	if err != nil {
		return nil, configError(err)
	}
	r := st.Deployment.FindRoute(resourceID, httpMethod)
	if r == nil {
		return nil, fmt.Errorf("%w: method %s of resource %s did not compile", apigw.ErrInvalidConfig, httpMethod, resourceID)
	}
	res := st.TestInvoke(ctx, r, &rest.TestRequest{
		PathWithQueryString: model.Deref(in.PathWithQueryString),
		Headers:             requestHeaders(in.Headers, in.MultiValueHeaders),
		Body:                []byte(model.Deref(in.Body)),
	})
	out := &apigw.TestInvokeMethodOutput{Status: res.Status, Body: string(res.Body), Log: res.Log,
		Latency: res.Latency.Milliseconds(), Headers: map[string]string{}, MultiValueHeaders: map[string][]string{}}
	for _, h := range res.Headers {
		out.Headers[h[0]] = h[1]
		out.MultiValueHeaders[h[0]] = append(out.MultiValueHeaders[h[0]], h[1])
	}
	return out, nil
}

// requestHeaders orders the request's headers: by name, each with its
// multiValueHeaders values when it has some, else its headers value.
func requestHeaders(single map[string]string, multi map[string][]string) [][2]string {
	names := make([]string, 0, len(single)+len(multi))
	for k := range single {
		names = append(names, k)
	}
	for k := range multi {
		if _, ok := single[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var out [][2]string
	for _, k := range names {
		if vs := multi[k]; len(vs) > 0 {
			for _, v := range slices.Clone(vs) {
				out = append(out, [2]string{k, v})
			}
			continue
		}
		if v, ok := single[k]; ok {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// configError marks compile failures as the API's configuration problem.
func configError(err error) error {
	if errors.Is(err, deploy.ErrTestCompile) {
		return fmt.Errorf("%w: %w", apigw.ErrInvalidConfig, err)
	}
	return err
}

// TestInvokeAuthorizer implements apigw.Tester.
func (t *Tester) TestInvokeAuthorizer(ctx context.Context, snap *model.Snapshot, authorizerID string, in *apigw.TestInvokeAuthorizerInput) (*apigw.TestInvokeAuthorizerOutput, error) {
	st, err := t.Watcher.TestStage(ctx, snap, in.StageVariables, "")
	if err != nil {
		return nil, configError(err)
	}
	ac := t.Watcher.Compiler.Access
	if ac == nil {
		ac = &access.Compiler{}
	}
	d, err := ac.Deployment(snap)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", apigw.ErrInvalidConfig, err)
	}
	x := st.TestExchange(ctx, &rest.TestRequest{
		PathWithQueryString: model.Deref(in.PathWithQueryString),
		Headers:             requestHeaders(in.Headers, in.MultiValueHeaders),
		Body:                []byte(model.Deref(in.Body)),
		Context:             in.AdditionalContext,
	})
	res, ok := d.TestAuthorizer(x, authorizerID)
	if !ok {
		return nil, fmt.Errorf("%w: authorizer %s did not compile", apigw.ErrInvalidConfig, authorizerID)
	}
	out := &apigw.TestInvokeAuthorizerOutput{ClientStatus: res.ClientStatus, Log: rest.TestLog(x.RequestID, x.Start, res.Lines),
		Latency: res.Latency.Milliseconds(), PrincipalID: res.PrincipalID, Policy: res.Policy, Claims: res.Claims}
	if len(res.Context) > 0 {
		// The authorizer's context, each value as a one-element list [T].
		out.Authorization = map[string][]string{}
		for k, v := range res.Context {
			out.Authorization[k] = []string{v}
		}
	}
	return out, nil
}
