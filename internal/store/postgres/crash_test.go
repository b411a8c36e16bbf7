package postgres_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/postgres"
)

// crashEnv names the environment variable that makes the test binary the
// writer process of TestCrashWriter; its value is the schema.
const crashEnv = "TOLLGATE_POSTGRES_CRASH_WRITER"

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

// crashWriter is the writer process of TestCrashWriter (TestMain runs it
// instead of the tests when crashEnv is set). It prints "ready", then
// "ack N" after each committed transaction, until it is killed (or 60 s
// pass, should the parent be gone).
func crashWriter(schema string) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, pg.URL(), postgres.WithSchema(schema), postgres.WithKeepRevisions(0))
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
	case <-time.After(guard):
		t.Errorf("writer not ready within %v", guard)
	}
	_ = cmd.Process.Kill() // SIGKILL
	<-readDone
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != -1 {
		t.Fatalf("writer exited by itself (%v, code %d): %s", err, code, stderr.String())
	}
	return int(last.Load())
}

// checkCrashed opens schema after a crash and checks it; it returns the
// number of committed transactions. At most the one transaction in flight
// may be committed without its acknowledgement.
func checkCrashed(t *testing.T, schema string, acked int) int {
	t.Helper()
	ctx := t.Context()
	s, err := postgres.Open(ctx, pg.URL(), postgres.WithSchema(schema), postgres.WithKeepRevisions(0))
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	defer s.Close()
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
		t.Fatalf("read after crash: %v", err)
	}
	if count < acked || count > acked+1 {
		t.Fatalf("counter = %d, but the writer acknowledged transaction %d", count, acked)
	}
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
	if rev, err := s.Revision(ctx); err != nil || rev != int64(count) {
		t.Fatalf("revision = %d, %v; want %d", rev, err, count)
	}
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
				n, _, err := crashTx(ctx, s)
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
			if n, _, err = crashTx(t.Context(), s); err == nil {
				acked = n
				break
			}
		}
		if err != nil {
			t.Fatalf("the Store did not recover after the restart: %v", err)
		}
	}
}
