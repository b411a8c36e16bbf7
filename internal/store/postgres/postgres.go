// Package postgres implements store.Store on PostgreSQL (github.com/jackc/pgx/v5),
// for clusters: every gateway of a cluster opens the same database, and
// each sees the others' commits through the change feed within
// milliseconds.
//
// # Schema
//
// The tables live in a schema of their own ("tollgate" unless WithSchema
// says otherwise), created and migrated by Open: versioned migrations,
// each in one transaction with the version bump, under a transaction-level
// advisory lock, so that gateways starting together migrate once and none
// sees half a schema. A database migrated by a newer Tollgate is refused.
//
//	kv       (key bytea PRIMARY KEY, value bytea, rev bigint)
//	changes  (rev bigint, seq int, op smallint, key bytea, PRIMARY KEY (rev, seq))
//	meta     (id = 1, rev bigint, floor bigint)   -- current revision, compaction floor
//	schema_version (version int)
//
// Keys are bytea, so they compare byte-wise (memcmp) as Go compares
// strings, whatever the database's collation, and a prefix is the range
// [prefix, store.PrefixEnd(prefix)) even when that end is not valid UTF-8.
//
// # Writers
//
// Every write transaction first locks the meta row (SELECT … FOR UPDATE)
// and holds it until it commits: writers of all gateways are serialised,
// each reads the revision its predecessor committed and commits the next
// one, so revisions are gap-free and in commit order, and a watcher never
// sees revision n+1 before n. Within one Store a Go semaphore queues
// writers before they take a pooled connection. Transactions run at READ
// COMMITTED: under the meta lock no other writer can commit between their
// statements, so they are serializable in effect. Commits wait for the WAL
// flush (synchronous_commit is raised to on for the store's sessions if
// the server has it off), so a write whose Update returned survives a
// crash of the gateway or of the server.
//
// # Change feed
//
// Update sends pg_notify(channel, revision) inside the transaction, so the
// notification goes out when, and only if, the transaction commits, in
// commit order. Each Store keeps one connection LISTENing on the channel
// and wakes its watchers on every notification; watchers then read the
// changes table from their own cursor. A notification is only a wake-up:
// a watcher reads nothing from its payload, so one lost while the
// listening connection was down loses no change. The listener reconnects
// with backoff and wakes every watcher when it is back (catch-up from each
// cursor), and while it is down watchers poll (WithPollInterval). Watchers
// retry failed reads with backoff instead of closing, so a database
// restart is a pause in the feed, not its end; only compaction past a
// watcher (store.ErrCompacted) and Close end it.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/storeutil"
)

// idleInTxTimeout is the store's sessions' idle_in_transaction_session_timeout
// (unless the URL sets one): the server ends a session that sits in a
// transaction this long, releasing its locks.
const idleInTxTimeout = time.Minute

// Store is a store.Store on a PostgreSQL database. Its methods are safe
// for concurrent use.
type Store struct {
	cfg     config
	q       queries
	channel string // NOTIFY channel of this schema
	desc    string // host:port/database, for errors and logs

	pool      *pgxpool.Pool
	listenCfg *pgx.ConnConfig

	// wsem queues this Store's writers before they take a connection.
	wsem storeutil.WriteLock

	notify    *storeutil.Notifier // wakes watchers after each commit seen
	listening atomic.Bool         // the LISTEN connection is up

	lc *storeutil.Lifecycle // running operations, watchers and the listener; Close
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// or postgresql://
// URL, or a libpq key=value string), creates or migrates the store's
// schema and starts listening for commits. ctx bounds the open only. An
// unreachable server fails within the connect timeout (5 s unless the
// URL's connect_timeout or WithConnectTimeout says otherwise), with an
// error naming host, port and database.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("postgres: open: %w", err)
		}
	}
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err) // pgx redacts the password
	}
	cc := pcfg.ConnConfig
	if cfg.connectTimeout > 0 || cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = cfg.connectTimeoutOr(5 * time.Second)
	}
	desc := describe(cc)
	if cfg.maxConns > 0 {
		pcfg.MaxConns = cfg.maxConns
	}
	pcfg.AfterConnect = syncCommit
	// A gateway cut off mid-transaction must not hold the meta row lock,
	// and with it every writer of the cluster, until TCP gives up on it.
	if _, set := cc.RuntimeParams["idle_in_transaction_session_timeout"]; !set {
		cc.RuntimeParams["idle_in_transaction_session_timeout"] = strconv.FormatInt(idleInTxTimeout.Milliseconds(), 10)
	}
	listenCfg := cc.Copy()

	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", desc, err)
	}
	pctx, cancel := context.WithTimeout(ctx, cc.ConnectTimeout+time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", desc, ctxErr(pctx, err))
	}
	if err := migrate(ctx, pool, cfg.schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", desc, err)
	}
	s := &Store{
		cfg:       cfg,
		q:         newQueries(cfg.schema),
		channel:   channelName(cfg.schema),
		desc:      desc,
		pool:      pool,
		listenCfg: listenCfg,
		wsem:      storeutil.NewWriteLock(),
		notify:    storeutil.NewNotifier(),
		lc:        storeutil.NewLifecycle("postgres"),
	}
	// The first LISTEN is made here, so that Open fails if it cannot be
	// and watchers started right after Open are woken by commits.
	conn, err := s.listenConn(ctx)
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", desc, err)
	}
	s.lc.Go(func() { s.listen(conn) })
	return s, nil
}

// syncCommit raises synchronous_commit to on for a new session if the
// server or database has it off (or local): a commit must be flushed
// before Update reports it. Stronger settings (remote_write,
// remote_apply) are kept.
func syncCommit(ctx context.Context, c *pgx.Conn) error {
	var v string
	if err := c.QueryRow(ctx, "SELECT current_setting('synchronous_commit')").Scan(&v); err != nil {
		return err
	}
	if v == "off" || v == "local" {
		_, err := c.Exec(ctx, "SET synchronous_commit = on")
		return err
	}
	return nil
}

// describe names the server and database of cc, without credentials.
func describe(cc *pgx.ConnConfig) string {
	host := cc.Host
	if len(host) > 0 && host[0] == '/' {
		host = "unix:" + host
	}
	return net.JoinHostPort(host, strconv.Itoa(int(cc.Port))) + "/" + cc.Database
}

// Ping checks that the database answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.lc.Begin("ping"); err != nil {
		return err
	}
	defer s.lc.Done()
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping %s: %w", s.desc, ctxErr(ctx, err))
	}
	return nil
}

// Listening reports whether the connection that receives other gateways'
// commits is up (while it is down, watchers poll).
func (s *Store) Listening() bool { return s.listening.Load() }

// String names the database the Store is open on (host:port/database).
func (s *Store) String() string { return "postgres " + s.desc }

// Close stops the watchers (their Err reports store.ErrClosed) and the
// listener, waits for running operations to finish and closes the
// connections. It is idempotent.
func (s *Store) Close() error {
	return s.lc.Close(func() error { s.pool.Close(); return nil })
}

// logger returns the configured logger.
func (s *Store) logger() *slog.Logger { return s.cfg.logger }

// cleanupCtx returns a context for rolling back after ctx may have ended:
// not cancelled with ctx, but bounded.
func cleanupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}

// ctxErr returns err as the store reports it: wrapping ctx's error if
// ctx has ended (pgx reports a cancelled query with errors of its own,
// which do not always wrap it), else wrapping store.ErrUnavailable if the
// database could not be reached.
func ctxErr(ctx context.Context, err error) error {
	if ce := ctx.Err(); ce != nil && !errors.Is(err, ce) {
		return fmt.Errorf("%w (%v)", ce, err)
	}
	if unreachable(err) && !errors.Is(err, store.ErrUnavailable) {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}

// unreachable reports whether err means the database could not be
// reached or went away: a failed connect, a broken connection, a timeout,
// or the server shutting down or starting up (SQLSTATE classes 08 and
// 57P).
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		pgconn.SafeToRetry(err)
}
