package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// crashEnv names the environment variable that turns TestCrashHelper into
// the writer process of TestCrashConsistency; its value is the store path.
const crashEnv = "TOLLGATE_SQLITE_CRASH_WRITER"

// crashTx writes transaction n: three keys and the counter, in one Update.
// It reads the counter to find n, so a restarted writer continues where the
// killed one stopped.
func crashTx(ctx context.Context, s store.Store) (n int, rev int64, err error) {
	rev, err = s.Update(ctx, func(tx store.Tx) error {
		n = 0
		it, err := tx.Get(ctx, "meta/count")
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			if n, err = strconv.Atoi(string(it.Value)); err != nil {
				return err
			}
		}
		n++
		for _, k := range []string{"a", "b", "c"} {
			if err := tx.Put(ctx, fmt.Sprintf("t/%d/%s", n, k), fmt.Appendf(nil, `{"n":%d}`, n)); err != nil {
				return err
			}
		}
		return tx.Put(ctx, "meta/count", []byte(strconv.Itoa(n)))
	})
	return n, rev, err
}

// TestCrashHelper is the writer process of TestCrashConsistency and does
// nothing in a normal run. It prints "ready", then "ack N" after each
// committed transaction, until it is killed (or 60 s pass, should the parent
// be gone).
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("writer process of TestCrashConsistency")
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.WithKeepRevisions(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	fmt.Println("ready")
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		n, rev, err := crashTx(ctx, s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "update:", err)
			os.Exit(2)
		}
		if rev != int64(n) {
			fmt.Fprintf(os.Stderr, "transaction %d committed as revision %d\n", n, rev)
			os.Exit(2)
		}
		fmt.Printf("ack %d\n", n)
	}
	os.Exit(3)
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
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	ready := make(chan struct{})
	readDone := make(chan struct{})
	var last atomic.Int64
	last.Store(int64(acked))
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(stdout)
		isReady := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "ready" && !isReady:
				isReady = true
				close(ready)
			case strings.HasPrefix(line, "ack "):
				if n, err := strconv.Atoi(strings.TrimPrefix(line, "ack ")); err == nil {
					last.Store(int64(n))
				}
			}
		}
	}()

	select {
	case <-ready:
		time.Sleep(delay)
	case <-readDone:
		// The writer ended before it was ready; Wait reports why below.
	case <-time.After(guard):
		t.Errorf("writer not ready within %v", guard)
	}
	_ = cmd.Process.Kill() // SIGKILL on Unix
	<-readDone
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != -1 { // -1: killed by a signal
		t.Fatalf("writer exited by itself (%v, code %d): %s", err, code, stderr.String())
	}
	return int(last.Load())
}

// checkCrashedStore reopens path after a crash and checks it; it returns the
// number of committed transactions.
func checkCrashedStore(t *testing.T, path string, acked int) int {
	t.Helper()
	ctx := t.Context()
	checkIntegrity(t, path)
	s, err := sqlite.Open(ctx, path, sqlite.WithKeepRevisions(0))
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()

	count := 0
	var items []store.Item
	err = s.View(ctx, func(r store.Reader) error {
		it, err := r.Get(ctx, "meta/count")
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			if count, err = strconv.Atoi(string(it.Value)); err != nil {
				return err
			}
			if it.Revision != int64(count) {
				return fmt.Errorf("meta/count = %d at revision %d", count, it.Revision)
			}
		}
		items, err = r.List(ctx, "t/", store.ListOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("read after kill: %v", err)
	}

	// Durability: everything acknowledged survived, and at most the one
	// transaction in flight was committed without its acknowledgement.
	if count < acked || count > acked+1 {
		t.Fatalf("counter = %d, but the writer acknowledged transaction %d", count, acked)
	}
	// Atomicity: exactly transactions 1..count, each whole.
	if len(items) != 3*count {
		t.Fatalf("%d t/ keys for %d transactions, want %d", len(items), count, 3*count)
	}
	for _, it := range items {
		var n int
		var k string
		if _, err := fmt.Sscanf(it.Key, "t/%d/%s", &n, &k); err != nil {
			t.Fatalf("unexpected key %q: %v", it.Key, err)
		}
		if n < 1 || n > count || it.Revision != int64(n) || string(it.Value) != fmt.Sprintf(`{"n":%d}`, n) {
			t.Fatalf("key %q = %s at revision %d, counter %d", it.Key, it.Value, it.Revision, count)
		}
	}
	// The revision counts the committed transactions.
	rev, err := s.Revision(ctx)
	if err != nil || rev != int64(count) {
		t.Fatalf("revision = %d, %v; want %d", rev, err, count)
	}
	// The change feed matches the data: four puts per revision.
	feed, err := s.Changes(ctx, 0, 0)
	if err != nil {
		t.Fatalf("changes: %v", err)
	}
	if len(feed) != 4*count {
		t.Fatalf("%d changes for %d transactions, want %d", len(feed), count, 4*count)
	}
	for i, c := range feed {
		n := i/4 + 1
		key := "meta/count"
		if i%4 < 3 {
			key = fmt.Sprintf("t/%d/%c", n, 'a'+i%4)
		}
		if c != (store.Change{Revision: int64(n), Op: store.OpPut, Key: key}) {
			t.Fatalf("change %d = %v, want put %s at %d", i, c, key, n)
		}
	}
	return count
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
