package postgres

import (
	"fmt"
	"log/slog"
	"regexp"
	"time"
)

// Defaults for the options.
const (
	// DefaultSchema is the schema the store's tables live in.
	DefaultSchema = "tollgate"
	// DefaultKeepRevisions is how many revisions of the change feed
	// automatic compaction keeps.
	DefaultKeepRevisions = 10_000
	// DefaultPollInterval is how often watchers read the feed while the
	// listening connection is down (notifications wake them otherwise).
	DefaultPollInterval = 500 * time.Millisecond
	// DefaultSafetyPoll is how often watchers read the feed even while
	// notifications flow, a safety net that costs one indexed query.
	DefaultSafetyPoll = 10 * time.Second
)

// Option configures Open.
type Option func(*config) error

type config struct {
	schema         string
	keepRevisions  int64
	pollInterval   time.Duration
	safetyPoll     time.Duration
	maxConns       int32
	connectTimeout time.Duration
	logger         *slog.Logger
}

func defaultConfig() config {
	return config{
		schema:        DefaultSchema,
		keepRevisions: DefaultKeepRevisions,
		pollInterval:  DefaultPollInterval,
		safetyPoll:    DefaultSafetyPoll,
		logger:        slog.New(slog.DiscardHandler),
	}
}

func (c config) connectTimeoutOr(d time.Duration) time.Duration {
	if c.connectTimeout > 0 {
		return c.connectTimeout
	}
	return d
}

// schemaName is what WithSchema accepts: a lower-case SQL identifier short
// enough that the NOTIFY channel derived from it fits PostgreSQL's 63
// bytes.
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,47}$`)

// WithSchema sets the schema the store's tables live in (DefaultSchema
// unless set): several stores may share one database under different
// schemas. The name is lower-case letters, digits and underscores, at
// most 48 bytes.
func WithSchema(name string) Option {
	return func(c *config) error {
		if !schemaName.MatchString(name) {
			return fmt.Errorf("schema %q: want a lower-case identifier of at most 48 bytes ([a-z_][a-z0-9_]*)", name)
		}
		c.schema = name
		return nil
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

// WithPollInterval sets how often watchers read the feed while the
// listening connection is down; safety is how often they read it while
// notifications flow (a net under a lost notification, which the
// protocol does not let happen on a live connection).
func WithPollInterval(down, safety time.Duration) Option {
	return func(c *config) error {
		if down <= 0 || safety <= 0 {
			return fmt.Errorf("poll intervals %v, %v: not positive", down, safety)
		}
		c.pollInterval, c.safetyPoll = down, safety
		return nil
	}
}

// WithMaxConns sets the size of the connection pool (pgxpool's default,
// max(4, number of CPUs), unless set). The listening connection is
// extra.
func WithMaxConns(n int32) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("max conns: %d is less than 1", n)
		}
		c.maxConns = n
		return nil
	}
}

// WithConnectTimeout bounds each connection attempt (5 s unless set, or
// the URL's connect_timeout).
func WithConnectTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("connect timeout: %v is not positive", d)
		}
		c.connectTimeout = d
		return nil
	}
}

// WithLogger sets where the store logs lost and regained connections of
// its listener and watchers (nowhere unless set).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("logger: nil")
		}
		c.logger = l
		return nil
	}
}
