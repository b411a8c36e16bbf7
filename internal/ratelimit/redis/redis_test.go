package redis_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/ratelimit/countertest"
	"github.com/tollgate/tollgate/internal/ratelimit/limitertest"
	rlredis "github.com/tollgate/tollgate/internal/ratelimit/redis"
	"github.com/tollgate/tollgate/internal/ratelimit/windowtest"
	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/testsvc"
)

// srv is this test binary's private Redis.
var srv *testsvc.Redis

func TestMain(m *testing.M) { testsvc.MainWithRedis(m, &srv) }

var prefixes atomic.Int64

// newPrefix returns a key prefix no other test uses: each test gets a
// fresh, empty limiter or counter on the shared server.
func newPrefix() string { return fmt.Sprintf("t%d:", prefixes.Add(1)) }

// dial opens a client (a gateway's connection), closed at cleanup. Tests
// that do not set a timeout get a long one: they check results, not
// latency, on a machine whose few cores the race detector and other test
// binaries share.
func dial(t testing.TB, o redisclient.Options) *redisclient.Client {
	t.Helper()
	return srv.Dial(t, o)
}

func TestLimiterConformance(t *testing.T) {
	c := dial(t, redisclient.Options{})
	limitertest.Run(t, func(t *testing.T) ratelimit.Limiter {
		return rlredis.NewLimiter(c, rlredis.Options{Prefix: newPrefix()})
	})
}

func TestLimiterMultiConformance(t *testing.T) {
	c := dial(t, redisclient.Options{})
	limitertest.RunMulti(t, func(t *testing.T) ratelimit.MultiLimiter {
		return rlredis.NewLimiter(c, rlredis.Options{Prefix: newPrefix()})
	})
}

func TestCounterConformance(t *testing.T) {
	c := dial(t, redisclient.Options{})
	countertest.Run(t, func(t *testing.T) ratelimit.Counter {
		return rlredis.NewCounter(c, rlredis.Options{Prefix: newPrefix()})
	})
}

func TestWindowsConformance(t *testing.T) {
	c := dial(t, redisclient.Options{})
	windowtest.Run(t, func(t *testing.T) ratelimit.Windows {
		return rlredis.NewWindows(c, rlredis.Options{Prefix: newPrefix()})
	})
}
