// authorizer is a Lambda authorizer (TOKEN or REQUEST) whose answer is
// chosen by the token: for TOKEN events the authorizationToken, for REQUEST
// events the x-token header or the token query parameter.
//
//	allow           Allow on exactly the methodArn
//	allow-all       Allow on every method of every stage of the API (wildcards)
//	allow-key:K     Allow on the methodArn with usageIdentifierKey K
//	deny            Deny on the methodArn
//	other           Allow on a different resource only (no statement matches)
//	unauthorized    fails with "Unauthorized"
//	error           fails with another error
//	malformed       answers without principalId
//	badcontext      answers a context holding an object
//
// Allowed answers carry principalId "user-1" and a context with a string, a
// number, a boolean, the invocation count of this process ("n"), and what
// the event said (methodArn, type, and for REQUEST events path/resource,
// and clientSubject with a mutual TLS client certificate).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
)

var calls int

type event struct {
	Type                  string            `json:"type"`
	AuthorizationToken    string            `json:"authorizationToken"`
	MethodArn             string            `json:"methodArn"`
	Path                  string            `json:"path"`
	Resource              string            `json:"resource"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
	RequestContext        struct {
		RequestID string `json:"requestId"`
		Identity  struct {
			ClientCert *struct {
				SubjectDN string `json:"subjectDN"`
			} `json:"clientCert"`
		} `json:"identity"`
	} `json:"requestContext"`
}

func policy(effect, resource string) map[string]any {
	return map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource,
		}},
	}
}

func handle(_ context.Context, ev event) (map[string]any, error) {
	calls++
	token := ev.AuthorizationToken
	if ev.Type == "REQUEST" {
		for k, v := range ev.Headers {
			if strings.EqualFold(k, "x-token") {
				token = v
			}
		}
		if token == "" {
			token = ev.QueryStringParameters["token"]
		}
	}
	ctx := map[string]any{
		"stringKey": "value", "numberKey": 1, "booleanKey": true,
		"n": strconv.Itoa(calls), "methodArn": ev.MethodArn, "type": ev.Type,
	}
	if ev.Type == "REQUEST" {
		ctx["path"], ctx["resource"] = ev.Path, ev.Resource
		if cc := ev.RequestContext.Identity.ClientCert; cc != nil {
			ctx["clientSubject"] = cc.SubjectDN // mutual TLS
		}
	}
	out := map[string]any{"principalId": "user-1", "context": ctx}
	// arn:aws:execute-api:{region}:{account}:{api}/{stage}/{verb}/{path}
	apiPart := ev.MethodArn
	if i := strings.IndexByte(apiPart, '/'); i > 0 {
		apiPart = apiPart[:i]
	}
	switch {
	case token == "allow":
		out["policyDocument"] = policy("Allow", ev.MethodArn)
	case token == "allow-all":
		out["policyDocument"] = policy("Allow", apiPart+"/*")
	case strings.HasPrefix(token, "allow-key:"):
		out["policyDocument"] = policy("Allow", ev.MethodArn)
		out["usageIdentifierKey"] = strings.TrimPrefix(token, "allow-key:")
	case token == "deny":
		out["policyDocument"] = policy("Deny", ev.MethodArn)
	case token == "other":
		out["policyDocument"] = policy("Allow", apiPart+"/nostage/GET/nothing")
	case token == "unauthorized":
		return nil, errors.New("Unauthorized")
	case token == "error":
		return nil, errors.New("boom")
	case token == "malformed":
		delete(out, "principalId")
		out["policyDocument"] = policy("Allow", ev.MethodArn)
	case token == "badcontext":
		out["policyDocument"] = policy("Allow", ev.MethodArn)
		ctx["nested"] = map[string]any{"a": 1}
	default:
		return nil, errors.New("Unauthorized")
	}
	b, _ := json.Marshal(out)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m, nil
}

func main() { lambda.Start(handle) }
