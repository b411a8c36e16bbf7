// Package authcachetest is the conformance suite of pipeline.AuthCache:
// every implementation (in memory, shared through Redis) runs Run.
package authcachetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// Run runs the suite. newCache must return an empty cache for the calling
// test.
func Run(t *testing.T, newCache func(t *testing.T) pipeline.AuthCache) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	entry := func(p string) *pipeline.AuthEntry {
		return &pipeline.AuthEntry{PrincipalID: p,
			Policy:  json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`),
			Context: map[string]string{"n": "1", "name": "Zoë"}, UsageKey: "key-" + p}
	}
	same := func(t *testing.T, got, want *pipeline.AuthEntry) {
		t.Helper()
		var g, w map[string]any
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		_ = json.Unmarshal(gb, &g)
		_ = json.Unmarshal(wb, &w)
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("got %s, want %s", gb, wb)
		}
	}
	t.Run("MissThenHit", func(t *testing.T) {
		c := newCache(t)
		if _, ok, err := c.Get(ctx, "a\x00tok", t0); ok || err != nil {
			t.Fatalf("empty cache: hit %v, %v", ok, err)
		}
		if err := c.Put(ctx, "a\x00tok", entry("u1"), time.Minute, t0); err != nil {
			t.Fatal(err)
		}
		got, ok, err := c.Get(ctx, "a\x00tok", t0.Add(59*time.Second))
		if !ok || err != nil {
			t.Fatalf("after Put: hit %v, %v", ok, err)
		}
		same(t, got, entry("u1"))
		if _, ok, _ := c.Get(ctx, "a\x00other", t0); ok {
			t.Fatal("another key hits")
		}
	})
	t.Run("ExpiresAtTTL", func(t *testing.T) {
		c := newCache(t)
		if err := c.Put(ctx, "k", entry("u1"), 10*time.Second, t0); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := c.Get(ctx, "k", t0.Add(10*time.Second-time.Nanosecond)); !ok {
			t.Fatal("missed just before the TTL")
		}
		if _, ok, _ := c.Get(ctx, "k", t0.Add(10*time.Second)); ok {
			t.Fatal("hit at the TTL")
		}
	})
	t.Run("PutReplaces", func(t *testing.T) {
		c := newCache(t)
		_ = c.Put(ctx, "k", entry("u1"), time.Minute, t0)
		_ = c.Put(ctx, "k", entry("u2"), time.Minute, t0.Add(time.Second))
		got, ok, err := c.Get(ctx, "k", t0.Add(2*time.Second))
		if !ok || err != nil {
			t.Fatalf("hit %v, %v", ok, err)
		}
		same(t, got, entry("u2"))
	})
	t.Run("Flush", func(t *testing.T) {
		c := newCache(t)
		for _, k := range []string{"a", "b", "c"} {
			_ = c.Put(ctx, k, entry(k), time.Minute, t0)
		}
		if err := c.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a", "b", "c"} {
			if _, ok, _ := c.Get(ctx, k, t0); ok {
				t.Fatalf("%s survived Flush", k)
			}
		}
		_ = c.Put(ctx, "a", entry("a"), time.Minute, t0)
		if _, ok, _ := c.Get(ctx, "a", t0); !ok {
			t.Fatal("Put after Flush does not hit")
		}
	})
	t.Run("EmptyFields", func(t *testing.T) {
		c := newCache(t)
		e := &pipeline.AuthEntry{PrincipalID: "p", Policy: json.RawMessage(`{"Statement":[]}`)}
		_ = c.Put(ctx, "k", e, time.Minute, t0)
		got, ok, err := c.Get(ctx, "k", t0)
		if !ok || err != nil {
			t.Fatalf("hit %v, %v", ok, err)
		}
		same(t, got, e)
	})
	t.Run("HTTPAPIAnswer", func(t *testing.T) {
		// An HTTP API authorizer's answer: its context keeps its JSON
		// types (payload 2.0 events carry numbers as numbers).
		c := newCache(t)
		e := &pipeline.AuthEntry{Answer: json.RawMessage(`{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[]},"context":{"n":1,"ok":true,"s":"Zoë","o":{"a":[1,2.5,null]}}}`)}
		_ = c.Put(ctx, "k", e, time.Minute, t0)
		got, ok, err := c.Get(ctx, "k", t0)
		if !ok || err != nil {
			t.Fatalf("hit %v, %v", ok, err)
		}
		same(t, got, e)
		var answer struct {
			Context map[string]any `json:"context"`
		}
		if err := json.Unmarshal(got.Answer, &answer); err != nil {
			t.Fatalf("answer %s: %v", got.Answer, err)
		}
		if answer.Context["n"] != float64(1) || answer.Context["ok"] != true {
			t.Errorf("context lost its JSON types: %s", got.Answer)
		}
	})
}
