package httpapi

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/proxyevent"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/respcache"
	"github.com/tollgate/tollgate/internal/secret"
)

// sharedAuthCache is a stage authorizer cache that keeps entries as a
// cluster's does: serialised (authz.SharedCache), so that what one node
// reads back is what another stored, not the same value.
func sharedAuthCache(t *testing.T) pipeline.AuthCache {
	t.Helper()
	box, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return authz.SharedCache{Store: respcache.NewMemory(1<<20, box)}
}

// node publishes a's deployment as stage $default with env's Lambda and
// the given authorizer cache, as one node of a cluster would.
func node(t *testing.T, a *api, env *Env, cache pipeline.AuthCache) *front.Door {
	t.Helper()
	d, err := Compile(env, "dep1", &a.snap)
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewStage(env, &modelv2.Stage{StageName: "$default"}, d, testAPI)
	if err != nil {
		t.Fatal(err)
	}
	st.AuthCache = cache
	door := &front.Door{}
	door.Set(testAPI, "$default", st)
	return door
}

// TestLambdaAuthorizerSharedCache: an HTTP API Lambda authorizer's result
// cached by one node is a hit on another that shares the stage's cache
// (its function is not invoked), the context keeping its JSON types in
// the 2.0 event and $context.authorizer.* reading it as text; a policy
// answer is evaluated per request on every node; flushing the shared
// cache (ResetAuthorizersCache) makes every node invoke again.
func TestLambdaAuthorizerSharedCache(t *testing.T) {
	for _, c := range []struct {
		name    string
		version string
		simple  bool
	}{{"2.0 simple", "2.0", true}, {"2.0 policy", "2.0", false}, {"1.0 policy", "1.0", false}} {
		t.Run(c.name, func(t *testing.T) {
			au := modelv2.Authorizer{AuthorizerPayloadFormatVersion: model.Ptr(c.version),
				EnableSimpleResponses: model.Ptr(c.simple), IdentitySource: []string{"$request.header.X-Token"},
				AuthorizerResultTTLInSeconds: model.Ptr(int64(300))}
			a, flA, envA := lambdaAuthAPI(t, au)
			_, flB, envB := lambdaAuthAPI(t, au)
			shared := sharedAuthCache(t)
			nodeA, nodeB := node(t, a, envA, shared), node(t, a, envB, shared)

			if r := do(nodeA, "GET", "/pets/1", nil, "X-Token", "allow"); r.Code != 200 {
				t.Fatalf("node A: %d %s", r.Code, r.BodyBuf)
			}
			if r := do(nodeB, "GET", "/pets/1", nil, "X-Token", "allow"); r.Code != 200 {
				t.Fatalf("node B: %d %s", r.Code, r.BodyBuf)
			}
			if flA.calls("auth") != 1 || flB.calls("auth") != 0 {
				t.Fatalf("invocations: A %d, B %d; want 1, 0 (B reads A's result)", flA.calls("auth"), flB.calls("auth"))
			}
			ev := flB.lastEvent(t, "arn:aws:lambda:us-east-1:"+account+":function:echo")
			lam := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["lambda"].(map[string]any)
			if lam["user"] != "u1" || lam["n"] != float64(1) || lam["ok"] != true {
				t.Errorf("node B's authorizer.lambda: %v", lam)
			}
			if !c.simple {
				// The cached policy allows /pets/1 only, on either node.
				expect(t, "node B, another route", do(nodeB, "GET", "/pets/2", nil, "X-Token", "allow"), 403, `{"message":"Forbidden"}`)
				if flB.calls("auth") != 0 {
					t.Errorf("node B invoked its authorizer for a cached identity")
				}
			}
			if err := nodeA.Lookup(testAPI, "$default").(*Stage).AuthCache.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if do(nodeB, "GET", "/pets/1", nil, "X-Token", "allow"); flB.calls("auth") != 1 {
				t.Errorf("after a flush on A: B invoked %d times, want 1", flB.calls("auth"))
			}
		})
	}
}

// TestLambdaAuthorizerCacheEntry: what the cache keeps of an answer is
// only what API Gateway reads of it, the context's JSON types included;
// an entry that does not decode for the authorizer (stored by a node
// serving another deployment) is a miss, and the function runs.
func TestLambdaAuthorizerCacheEntry(t *testing.T) {
	ctx, err := proxyevent.NewContext([]byte(`{"n":1,"ok":true,"s":"Zoë \"q\"","o":{"a":[1,null]}}`))
	if err != nil {
		t.Fatal(err)
	}
	simple := &lambdaResult{simple: true, authorized: true, context: ctx}
	if got, want := string(simple.entry().Answer), `{"isAuthorized":true,"context":{"n":1,"ok":true,"s":"Zoë \"q\"","o":{"a":[1,null]}}}`; got != want {
		t.Errorf("simple entry:\n got %s\nwant %s", got, want)
	}
	la := &lambdaAuthorizer{v2: true}
	pol, err := la.decode([]byte(`{"principalId":"p\"1","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[]}","context":null,"extra":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(pol.entry().Answer), `{"principalId":"p\"1","policyDocument":{"Version":"2012-10-17","Statement":[]},"context":null}`; got != want {
		t.Errorf("policy entry:\n got %s\nwant %s", got, want)
	}
	back, err := la.decode(pol.entry().Answer)
	if err != nil || back.policy.PrincipalID != `p"1` {
		t.Errorf("policy entry decodes to %+v, %v", back, err)
	}

	// A simple answer cached under the authorizer's key while a policy
	// authorizer serves: a miss.
	a, fl, env := lambdaAuthAPI(t, modelv2.Authorizer{AuthorizerPayloadFormatVersion: model.Ptr("2.0"),
		IdentitySource: []string{"$request.header.X-Token"}, AuthorizerResultTTLInSeconds: model.Ptr(int64(300))})
	shared := sharedAuthCache(t)
	id := a.snap.Authorizers[0].AuthorizerID
	if err := shared.Put(context.Background(), cacheKey(id, []string{"allow"}),
		&pipeline.AuthEntry{Answer: simple.entry().Answer}, time.Minute, time.Now()); err != nil {
		t.Fatal(err)
	}
	door := node(t, a, env, shared)
	if r := do(door, "GET", "/pets/1", nil, "X-Token", "allow"); r.Code != 200 || fl.calls("auth") != 1 {
		t.Errorf("foreign entry: %d, %d invocations; want 200 after invoking once", r.Code, fl.calls("auth"))
	}
}
