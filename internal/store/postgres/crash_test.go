package postgres_test

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/postgres"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// crashEnv names the environment variable that makes the test binary the
// writer process of TestCrashWriter; its value is the schema.
const crashEnv = "TOLLGATE_POSTGRES_CRASH_WRITER"

// crashWriter is the writer process of TestCrashWriter (TestMain runs it
// instead of the tests when crashEnv is set); see storetest.CrashWriter.
func crashWriter(schema string) {
	storetest.CrashWriter(func(ctx context.Context) (store.Store, error) {
		return postgres.Open(ctx, pg.URL(), postgres.WithSchema(schema), postgres.WithKeepRevisions(0))
	})
}

// TestCrashWriter kills a writer process (a gateway) with SIGKILL at a
// random moment mid-writes and checks that the database holds exactly the
// committed transactions, whole, every acknowledged one among them, with
// a matching revision and change feed; eight times on the same schema.
func TestCrashWriter(t *testing.T) {
	schema := newSchema()
	openSchema(t, schema).Close() // create it before the first writer
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("seed %d", seed)
	acked := 0
	for cycle := range 8 {
		delay := time.Duration(50+rng.IntN(251)) * time.Millisecond
		acked = crashCycle(t, schema, delay, acked)
		count := checkCrashed(t, schema, acked)
		t.Logf("cycle %d: killed after %v, %d transactions", cycle, delay, count)
		acked = count
	}
}

// crashCycle runs the writer on schema, kills it delay after it is ready
// and returns the highest transaction it acknowledged (or acked if none).
func crashCycle(t *testing.T, schema string, delay time.Duration, acked int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), crashEnv+"="+schema, pg.Env())
	return storetest.KillWriter(t, cmd, delay, acked)
}

// checkCrashed opens schema after a crash and checks it; it returns the
// number of committed transactions.
func checkCrashed(t *testing.T, schema string, acked int) int {
	t.Helper()
	s, err := postgres.Open(t.Context(), pg.URL(), postgres.WithSchema(schema), postgres.WithKeepRevisions(0))
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	defer s.Close()
	return storetest.CheckCrashed(t, s, acked)
}

// TestCrashServer crashes the database server itself (immediate shutdown:
// no checkpoint, recovery from the WAL) while a writer commits, restarts
// it, and checks that every acknowledged transaction is there, whole;
// three times. The writer's Store is the same throughout: it recovers
// without being reopened.
func TestCrashServer(t *testing.T) {
	schema := newSchema()
	s := openSchema(t, schema, postgres.WithKeepRevisions(0), postgres.WithConnectTimeout(2*time.Second))
	acked := 0
	for cycle := range 3 {
		var last atomic.Int64
		last.Store(int64(acked))
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				n, _, err := storetest.CrashTx(ctx, s)
				cancel()
				if err == nil {
					last.Store(int64(n))
				}
			}
		}()
		time.Sleep(time.Duration(100+50*cycle) * time.Millisecond)
		if err := pg.Crash(); err != nil {
			t.Fatal(err)
		}
		close(stop)
		<-done
		acked = int(last.Load())
		if err := pg.Start(); err != nil {
			t.Fatalf("restart: %v", err)
		}
		count := checkCrashed(t, schema, acked)
		t.Logf("cycle %d: %d transactions acknowledged, %d committed", cycle, acked, count)
		acked = count
		// The same Store writes again once the server is back.
		var err error
		for deadline := time.Now().Add(guard); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			var n int
			if n, _, err = storetest.CrashTx(t.Context(), s); err == nil {
				acked = n
				break
			}
		}
		if err != nil {
			t.Fatalf("the Store did not recover after the restart: %v", err)
		}
	}
}
