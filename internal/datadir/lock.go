package datadir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockFile is the name of the lock file in the data directory.
const LockFile = "tollgate.lock"

// ErrLocked is wrapped by the error Lock returns when another process holds
// the lock.
var ErrLocked = errors.New("data dir is in use")

// LockedError says which directory is in use and, when it is known, by
// which process.
type LockedError struct {
	Dir string
	// PID is the process that holds the lock, 0 if unknown.
	PID int
}

func (e *LockedError) Error() string {
	by := "another tollgate serve"
	if e.PID > 0 {
		by += " (pid " + strconv.Itoa(e.PID) + ")"
	}
	return fmt.Sprintf("data dir %s is in use by %s: give each gateway its own --data-dir (gateways share configuration only through a cluster store)", e.Dir, by)
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock is a held data directory lock.
type Lock struct {
	f *os.File
}

// Acquire takes the exclusive lock on dir: an advisory lock (flock on Unix,
// LockFileEx on Windows) on dir/tollgate.lock, held until Release or until
// the process ends, however it ends (the kernel drops the lock of a killed
// process, so there is no stale lock to clean up). The lock file records
// the holder's pid for the error a second process gets, a *LockedError.
func Acquire(dir string) (*Lock, error) {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data dir lock: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("data dir lock %s: %w", path, err)
	}
	if !held {
		pid := readPID(f)
		f.Close()
		return nil, &LockedError{Dir: dir, PID: pid}
	}
	// Record the holder for the next one. The file is never removed:
	// removing a lock file while another process waits on it would let two
	// processes hold "the" lock on two different files.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release drops the lock. It is safe to call on a nil Lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor drops the lock
	l.f = nil
	return err
}

// readPID reads the pid the holder recorded, 0 if none.
func readPID(f *os.File) int {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 32))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
