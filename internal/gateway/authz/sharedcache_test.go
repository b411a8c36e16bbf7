package authz_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/pipeline/authcachetest"
	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/respcache"
	rcredis "github.com/tollgate/tollgate/internal/respcache/redis"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/testsvc"
)

var redisSrv *testsvc.Redis

func TestMain(m *testing.M) { testsvc.MainWithRedis(m, &redisSrv) }

func testBox(t *testing.T) *secret.Box {
	t.Helper()
	b, err := secret.New(bytes.Repeat([]byte{9}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var namespaces atomic.Int64

// TestSharedCacheConformance: the shared authorizer cache passes the
// suite over an in-memory response cache and over Redis.
func TestSharedCacheConformance(t *testing.T) {
	t.Run("Memory", func(t *testing.T) {
		authcachetest.Run(t, func(t *testing.T) pipeline.AuthCache {
			return authz.SharedCache{Store: respcache.NewMemory(1<<20, testBox(t))}
		})
	})
	t.Run("Redis", func(t *testing.T) {
		c, err := redisclient.Open(context.Background(), redisSrv.URL(), redisclient.Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		authcachetest.Run(t, func(t *testing.T) pipeline.AuthCache {
			ns := fmt.Sprintf("auth/api%d/stage", namespaces.Add(1))
			return authz.SharedCache{Store: rcredis.New(c, ns, testBox(t), rcredis.Options{})}
		})
	})
}

// TestSharedCacheAcrossNodes: a result one node stores is a hit on
// another (two clients on one Redis), and a flush on either empties both.
func TestSharedCacheAcrossNodes(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	var nodes []pipeline.AuthCache
	for range 2 {
		c, err := redisclient.Open(ctx, redisSrv.URL(), redisclient.Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		nodes = append(nodes, authz.SharedCache{Store: rcredis.New(c, "auth/shared/prod", testBox(t), rcredis.Options{})})
	}
	e := &pipeline.AuthEntry{PrincipalID: "user-1", Policy: []byte(`{"Statement":[]}`), Context: map[string]string{"secretish": "s3cr3t-ctx"}}
	if err := nodes[0].Put(ctx, "auth1\x00token", e, time.Minute, now); err != nil {
		t.Fatal(err)
	}
	got, ok, err := nodes[1].Get(ctx, "auth1\x00token", now)
	if !ok || err != nil || got.PrincipalID != "user-1" || got.Context["secretish"] != "s3cr3t-ctx" {
		t.Fatalf("the other node reads %+v %v %v", got, ok, err)
	}
	if err := nodes[1].Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := nodes[0].Get(ctx, "auth1\x00token", now); ok {
		t.Fatal("a flush on one node left the entry on the other")
	}
}
