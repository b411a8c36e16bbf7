package storetest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
)

// The crash tests of the implementations run a writer process (the test
// binary running CrashWriter), kill it with SIGKILL (KillWriter) or crash
// the database under it, and check what was committed (CheckCrashed).

// CrashTx writes transaction n: three keys and the counter, in one
// Update. It reads the counter to find n, so a restarted writer continues
// where the killed one stopped.
func CrashTx(ctx context.Context, s store.Store) (n int, rev int64, err error) {
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

// CrashWriter is the writer process of a crash test, and does not return:
// it opens the store, prints "ready", then "ack N" after each committed
// transaction, until it is killed (or 60 s pass, should the parent be
// gone). It exits with status 2 if the store fails it.
func CrashWriter(open func(context.Context) (store.Store, error)) {
	ctx := context.Background()
	s, err := open(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	fmt.Println("ready")
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		n, rev, err := CrashTx(ctx, s)
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

// KillWriter starts cmd, a process running CrashWriter, kills it with
// SIGKILL delay after it is ready and returns the highest transaction it
// acknowledged (or acked if none). It fails the test if the writer ends
// by itself.
func KillWriter(t *testing.T, cmd *exec.Cmd, delay time.Duration, acked int) int {
	t.Helper()
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

// CheckCrashed checks s, reopened after a crash of transactions written
// by CrashTx, and returns the number of committed transactions: every
// acknowledged transaction is there and at most the one in flight
// besides, each whole, with a matching revision and change feed.
func CheckCrashed(t *testing.T, s store.Store, acked int) int {
	t.Helper()
	ctx := t.Context()
	count := 0
	var items []store.Item
	err := s.View(ctx, func(r store.Reader) error {
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
	if rev, err := s.Revision(ctx); err != nil || rev != int64(count) {
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
