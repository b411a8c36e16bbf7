package v2compile

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

func TestRouteLimits(t *testing.T) {
	rate, burst := model.Double(5), int64(7)
	st := &modelv2.Stage{StageName: "prod",
		DefaultRouteSettings: modelv2.RouteSettings{ThrottlingBurstLimit: &burst},
		RouteSettings:        map[string]modelv2.RouteSettings{"b": {ThrottlingRateLimit: &rate}, "c": {}}}
	keys := []string{"a", "b", "c"}
	got := RouteLimits(nil, st, "v2stage", "api1", keys, func(k string) string { return k })
	acct := throttle.DefaultAccountLimit
	want := []throttle.RouteLimit{
		{Key: "v2stage/api1/prod/a", Limit: ratelimit.Limit{Rate: acct.Rate, Burst: 7}},
		{Key: "v2stage/api1/prod/b", Limit: ratelimit.Limit{Rate: 5, Burst: acct.Burst}},
		{Key: "v2stage/api1/prod/c", Limit: ratelimit.Limit{Rate: acct.Rate, Burst: 7}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := RouteLimits(nil, &modelv2.Stage{}, "wsstage", "api1", keys, func(k string) string { return k }); got != nil {
		t.Errorf("no settings: %+v", got)
	}
}

func TestTargetAndAuthorizer(t *testing.T) {
	target, authID := "integrations/i1", "a1"
	ints := map[string]error{"i1": errors.New("one")}
	if in, err := Target(&modelv2.Route{Target: &target}, ints); err != nil || in != ints["i1"] {
		t.Errorf("target: %v, %v", in, err)
	}
	if in, err := Target(&modelv2.Route{}, ints); err != nil || in != nil {
		t.Errorf("no target: %v, %v", in, err)
	}
	bad := "i1"
	if _, err := Target(&modelv2.Route{Target: &bad}, ints); err == nil {
		t.Error("a target without the prefix was accepted")
	}
	if _, err := Authorizer(&modelv2.Route{AuthorizerID: &authID}, ints); err == nil {
		t.Error("an unknown authorizer was accepted")
	}
}

func TestLambdaFunctionAndTTL(t *testing.T) {
	arn := "arn:aws:lambda:us-east-1:123456789012:function:f"
	a, err := LambdaFunction(arn)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LambdaFunction("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arn + "/invocations")
	if err != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("ARN %+v, URI %+v (%v)", a, b, err)
	}
	for in, want := range map[int64]time.Duration{-1: 0, 0: 0, 60: time.Minute, 9999: time.Hour} {
		if got := AuthorizerTTL(&modelv2.Authorizer{AuthorizerResultTTLInSeconds: &in}); got != want {
			t.Errorf("ttl %d: %v, want %v", in, got, want)
		}
	}
	if got := AuthorizerTTL(&modelv2.Authorizer{}); got != 300*time.Second {
		t.Errorf("unset ttl: %v", got)
	}
}
