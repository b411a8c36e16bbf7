package sqlite_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// crashEnv names the environment variable that turns TestCrashHelper into
// the writer process of TestCrashConsistency; its value is the store path.
const crashEnv = "TOLLGATE_SQLITE_CRASH_WRITER"

// TestCrashHelper is the writer process of TestCrashConsistency and does
// nothing in a normal run; see storetest.CrashWriter.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("writer process of TestCrashConsistency")
	}
	storetest.CrashWriter(func(ctx context.Context) (store.Store, error) {
		return sqlite.Open(ctx, path, sqlite.WithKeepRevisions(0))
	})
}

// TestCrashConsistency kills a writer process with SIGKILL at a random moment,
// reopens the file and checks that it holds exactly the committed
// transactions, whole, with a matching revision and change feed; ten times on
// the same file.
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("seed %d", seed)

	acked := 0 // highest transaction a writer reported committed
	for cycle := range 10 {
		delay := time.Duration(50+rng.IntN(251)) * time.Millisecond
		acked = crashCycle(t, path, delay, acked)
		count := checkCrashedStore(t, path, acked)
		t.Logf("cycle %d: killed after %v, %d transactions", cycle, delay, count)
		acked = count
	}
}

// crashCycle runs the writer on path, kills it delay after it is ready and
// returns the highest transaction it acknowledged (or acked if none).
func crashCycle(t *testing.T, path string, delay time.Duration, acked int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	return storetest.KillWriter(t, cmd, delay, acked)
}

// checkCrashedStore reopens path after a crash and checks it; it returns the
// number of committed transactions.
func checkCrashedStore(t *testing.T, path string, acked int) int {
	t.Helper()
	checkIntegrity(t, path)
	s, err := sqlite.Open(t.Context(), path, sqlite.WithKeepRevisions(0))
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	return storetest.CheckCrashed(t, s, acked)
}

// checkIntegrity runs SQLite's integrity check on the file.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(t.Context(), "PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatalf("integrity check: %v", err)
	}
	if res != "ok" {
		t.Fatalf("integrity check: %s", res)
	}
}
