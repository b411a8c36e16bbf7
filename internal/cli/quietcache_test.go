package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/respcache"
)

// flakyCache is a respcache.Cache whose Redis is down while down is set.
type flakyCache struct {
	respcache.Cache
	down *bool
}

var errDown = fmt.Errorf("redis 127.0.0.1:6379: cache get: %w: i/o timeout", redisclient.ErrUnavailable)

func (f flakyCache) Get(ctx context.Context, key string, now time.Time) (*respcache.Entry, bool, error) {
	if *f.down {
		return nil, false, errDown
	}
	return f.Cache.Get(ctx, key, now)
}

func (f flakyCache) Set(ctx context.Context, key string, e *respcache.Entry, ttl time.Duration, enc bool, now time.Time) error {
	if *f.down {
		return errDown
	}
	return f.Cache.Set(ctx, key, e, ttl, enc, now)
}

func (f flakyCache) Flush(ctx context.Context) error {
	if *f.down {
		return errDown
	}
	return f.Cache.Flush(ctx)
}

// TestQuietCache: while Redis does not answer, a shared cache misses and
// stores nothing without errors, the outage is logged once and its end
// once; a failed Flush is still reported.
func TestQuietCache(t *testing.T) {
	logs := &syncBuffer{}
	down := false
	q := quietCache{flakyCache{respcache.NewMemory(1<<20, nil), &down}, &outageLog{log: slog.New(slog.NewTextHandler(logs, nil))}}
	ctx, now := context.Background(), time.Now()
	e := &respcache.Entry{Status: 200, Body: []byte("x")}
	if err := q.Set(ctx, "k", e, time.Minute, false, now); err != nil {
		t.Fatal(err)
	}
	down = true
	for range 5 {
		if got, ok, err := q.Get(ctx, "k", now); ok || got != nil || err != nil {
			t.Fatalf("Get while down: %v %v %v, want a quiet miss", got, ok, err)
		}
		if err := q.Set(ctx, "k2", e, time.Minute, false, now); err != nil {
			t.Fatalf("Set while down: %v", err)
		}
	}
	if err := q.Flush(ctx); !errors.Is(err, redisclient.ErrUnavailable) {
		t.Errorf("Flush while down: %v, want the failure", err)
	}
	down = false
	if _, ok, err := q.Get(ctx, "k", now); !ok || err != nil {
		t.Fatalf("Get after recovery: %v %v", ok, err)
	}
	out := logs.String()
	if strings.Count(out, "Redis does not answer") != 1 || strings.Count(out, "Redis answers again") != 1 {
		t.Errorf("want one line for the outage and one for its end:\n%s", out)
	}
}
