package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// reimportDoc is an HTTP API definition with n routes /{prefix}{i}, each
// with its own integration, and (withAuth) a JWT authorizer on them.
func reimportDoc(prefix string, n int, withAuth bool) string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.1\ninfo: {title: " + prefix + "}\npaths:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  /%s%02d:\n    get:\n", prefix, i)
		if withAuth {
			b.WriteString("      security: [{jwt: [read]}]\n")
		}
		fmt.Fprintf(&b, "      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'https://%s.example.com/%d', payloadFormatVersion: '1.0'}\n", prefix, i)
	}
	if withAuth {
		b.WriteString("components:\n  securitySchemes:\n    jwt:\n      type: oauth2\n" +
			"      x-amazon-apigateway-authorizer: {type: jwt, identitySource: $request.header.Authorization, jwtConfiguration: {issuer: 'https://issuer.example.com'}}\n")
	}
	return b.String()
}

// TestCrashReimport kills the gateway with SIGKILL while clients reimport
// one HTTP API with two alternating definitions, restarts it on the same
// data dir, and checks that the API is whole: ReimportApi replaces the
// routes, integrations and authorizers in one transaction, so the API has
// exactly one definition's routes, each with its integration, never a mix
// or a half-replaced set.
func TestCrashReimport(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	const n = 20
	docs := map[string]string{"a": reimportDoc("a", n, false), "b": reimportDoc("b", n, true)}
	var apiID string
	var acked atomic.Int64
	for round := 0; round < 3; round++ {
		g := startGateway(t, dataDir)
		c := g.client(t)
		if round == 0 {
			status, body, err := c.do(context.Background(), "PUT", "/v2/apis", map[string]any{"body": docs["a"]})
			if err != nil || status != 201 {
				t.Fatalf("ImportApi: %d %v %s", status, err, body)
			}
			var api struct {
				APIID string `json:"apiId"`
			}
			_ = json.Unmarshal(body, &api)
			apiID = api.APIID
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					doc := docs[[]string{"a", "b"}[(w+i)%2]]
					if status, _, err := c.do(ctx, "PUT", "/v2/apis/"+apiID, map[string]any{"body": doc}); err == nil && status == 201 {
						acked.Add(1)
					}
				}
			}(w)
		}
		// Kill once this round has seen a reimport acknowledged (a loaded
		// machine may take longer than the random delay for the first),
		// while the others are in flight.
		before := acked.Load()
		for deadline := time.Now().Add(30 * time.Second); acked.Load() == before && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(time.Duration(200+rand.IntN(300)) * time.Millisecond)
		g.Kill()
		cancel()
		wg.Wait()
	}
	if acked.Load() == 0 {
		t.Fatal("no reimport was acknowledged before the kills")
	}
	g := startGateway(t, dataDir)
	c := g.client(t)
	list := func(what string) []map[string]any {
		status, body, err := c.do(context.Background(), "GET", "/v2/apis/"+apiID+"/"+what+"?maxResults=500", nil)
		if err != nil || status != 200 {
			t.Fatalf("GET %s: %d %v %s", what, status, err, body)
		}
		var out struct{ Items []map[string]any }
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		return out.Items
	}
	routes, integs, auths := list("routes"), list("integrations"), list("authorizers")
	var keys []string
	targets := map[string]bool{}
	for _, rt := range routes {
		keys = append(keys, rt["routeKey"].(string))
		target, _ := rt["target"].(string)
		targets[strings.TrimPrefix(target, "integrations/")] = true
	}
	sort.Strings(keys)
	prefix := "a"
	if len(keys) > 0 && strings.HasPrefix(keys[0], "GET /b") {
		prefix = "b"
	}
	for i, k := range keys {
		if want := fmt.Sprintf("GET /%s%02d", prefix, i); k != want {
			t.Fatalf("routes after the kills mix definitions or lack some: %v", keys)
		}
	}
	wantAuths := map[string]int{"a": 0, "b": 1}[prefix]
	if len(keys) != n || len(integs) != n || len(auths) != wantAuths {
		t.Fatalf("definition %s: %d routes, %d integrations, %d authorizers; want %d, %d, %d", prefix, len(keys), len(integs), len(auths), n, n, wantAuths)
	}
	for _, ig := range integs {
		if !targets[ig["integrationId"].(string)] {
			t.Errorf("integration %v is no route's target", ig["integrationId"])
		}
	}
	t.Logf("%d reimports acknowledged; after 3 SIGKILLs the API has definition %s whole", acked.Load(), prefix)
}
