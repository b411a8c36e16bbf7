package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestCrashConsistency kills the gateway with SIGKILL while clients write,
// restarts it on the same data dir, and checks that every acknowledged
// write survived and every API is whole: CreateRestApi writes the API, its
// root resource and two default models in one transaction, so an API
// without them would be a torn write.
func TestCrashConsistency(t *testing.T) {
	dataDir := t.TempDir()
	acked := map[string]bool{}
	for round := 0; round < 3; round++ {
		g := startGateway(t, dataDir)
		c := g.client(t)
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					status, body, err := c.do(ctx, "POST", "/restapis", map[string]any{"name": fmt.Sprintf("r%d-w%d-%d", round, w, i)})
					if err != nil || status != 201 {
						continue // the kill interrupts requests
					}
					var api struct{ ID, RootResourceID string }
					if json.Unmarshal(body, &api) == nil {
						mu.Lock()
						acked[api.ID] = true
						mu.Unlock()
					}
					// A second multi-document write: a child resource.
					_, _, _ = c.do(ctx, "POST", "/restapis/"+api.ID+"/resources/"+api.RootResourceID, map[string]any{"pathPart": "child"})
				}
			}(w)
		}
		// Kill mid-write, once this round has had a write acknowledged (on a
		// loaded machine the first can take longer than the kill delay).
		mu.Lock()
		before := len(acked)
		mu.Unlock()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n > before {
				break
			}
		}
		time.Sleep(time.Duration(rand.IntN(250)) * time.Millisecond)
		g.Kill()
		cancel()
		wg.Wait()
	}
	g := startGateway(t, dataDir)
	c := g.client(t)
	ctx := context.Background()
	found := map[string]bool{}
	position := ""
	for {
		path := "/restapis?limit=500"
		if position != "" {
			path += "&position=" + position
		}
		status, body, err := c.do(ctx, "GET", path, nil)
		if err != nil || status != 200 {
			t.Fatalf("list: %d %v %s", status, err, body)
		}
		var page struct {
			Item     []struct{ ID string }
			Position string
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Item {
			found[a.ID] = true
		}
		if page.Position == "" {
			break
		}
		position = page.Position
	}
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kills")
	}
	for id := range acked {
		if !found[id] {
			t.Errorf("acknowledged API %s lost after SIGKILL", id)
		}
	}
	for id := range found {
		status, body, _ := c.do(ctx, "GET", "/restapis/"+id+"/resources", nil)
		var res struct{ Item []struct{ Path string } }
		_ = json.Unmarshal(body, &res)
		if status != 200 || len(res.Item) == 0 || res.Item[0].Path != "/" {
			t.Errorf("API %s has no root resource after restart: %d %s", id, status, body)
		}
		status, body, _ = c.do(ctx, "GET", "/restapis/"+id+"/models", nil)
		var models struct{ Item []struct{ Name string } }
		_ = json.Unmarshal(body, &models)
		if status != 200 || len(models.Item) != 2 {
			t.Errorf("API %s lacks its default models after restart: %d %s", id, status, body)
		}
	}
	t.Logf("%d APIs acknowledged, %d present after 3 SIGKILLs", len(acked), len(found))
}
