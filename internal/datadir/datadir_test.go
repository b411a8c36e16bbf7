package datadir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLockRefusesASecondHolder(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A second open file description, as a second process has.
	_, err = Acquire(dir)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second Acquire: %v, want a *LockedError", err)
	}
	if le.PID != os.Getpid() || le.Dir != dir {
		t.Errorf("LockedError %+v, want pid %d dir %s", le, os.Getpid(), dir)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, dir) {
		t.Errorf("message %q: want one line naming the dir", msg)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := Acquire(dir)
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	_ = again.Release()
	if st, err := os.Stat(filepath.Join(dir, LockFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v %v", st, err)
	}
}

func TestCreateAndExposed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "data")
	if err := Create(dir); err != nil {
		t.Fatal(err)
	}
	if perm, exposed := Exposed(dir); exposed || perm != 0o700 {
		t.Errorf("new dir: %o exposed=%v, want 700 private", perm, exposed)
	}
	if err := os.Chmod(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if perm, exposed := Exposed(dir); !exposed || perm != 0o750 {
		t.Errorf("0750 dir: %o exposed=%v, want exposed", perm, exposed)
	}
	if err := Create(dir); err != nil {
		t.Fatal(err)
	}
	if perm, _ := Exposed(dir); perm != 0o750 {
		t.Errorf("Create changed an existing dir's mode to %o", perm)
	}
}
