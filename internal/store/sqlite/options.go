package sqlite

import (
	"fmt"
	"runtime"
	"time"
)

// Defaults for the options.
const (
	// DefaultKeepRevisions is how many revisions of the change feed automatic
	// compaction keeps.
	DefaultKeepRevisions = 10_000
	// DefaultPollInterval is how often a watcher looks for changes committed
	// by other processes sharing the file.
	DefaultPollInterval = time.Second
	// DefaultBusyTimeout is how long a statement waits for a lock held by
	// another connection or process before failing with SQLITE_BUSY.
	DefaultBusyTimeout = 10 * time.Second
)

// Option configures Open.
type Option func(*config) error

type config struct {
	keepRevisions int64
	pollInterval  time.Duration
	busyTimeout   time.Duration
	readConns     int
}

func defaultConfig() config {
	return config{
		keepRevisions: DefaultKeepRevisions,
		pollInterval:  DefaultPollInterval,
		busyTimeout:   DefaultBusyTimeout,
		readConns:     max(4, runtime.GOMAXPROCS(0)),
	}
}

// WithKeepRevisions sets how many revisions of the change feed automatic
// compaction keeps after each commit. Zero disables automatic compaction
// (Compact can still be called).
func WithKeepRevisions(n int64) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("keep revisions: %d is negative", n)
		}
		c.keepRevisions = n
		return nil
	}
}

// WithPollInterval sets how often watchers poll the file for changes made by
// other processes. Changes made through the same Store wake watchers at once.
func WithPollInterval(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("poll interval: %v is not positive", d)
		}
		c.pollInterval = d
		return nil
	}
}

// WithBusyTimeout sets SQLite's busy_timeout: how long a connection waits for
// a lock held by another process before giving up.
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("busy timeout: %v is negative", d)
		}
		c.busyTimeout = d
		return nil
	}
}

// WithReadConns sets the size of the read connection pool used by View,
// Revision, Changes and watchers.
func WithReadConns(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("read conns: %d is less than 1", n)
		}
		c.readConns = n
		return nil
	}
}
