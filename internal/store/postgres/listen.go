package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tollgate/tollgate/internal/store/storeutil"
)

// listenConn opens a connection of its own and LISTENs on the store's
// channel.
func (s *Store) listenConn(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, s.listenCfg)
	if err != nil {
		return nil, fmt.Errorf("listen: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		cctx, cancel := cleanupCtx(ctx)
		defer cancel()
		_ = conn.Close(cctx)
		return nil, fmt.Errorf("listen on %s: %w", s.channel, err)
	}
	return conn, nil
}

// listen runs until Close: it wakes the watchers on every notification,
// and when the connection breaks it reconnects with backoff and wakes
// them once more, so that each catches up from its cursor on whatever was
// committed while no notification could arrive. It owns conn.
func (s *Store) listen(conn *pgx.Conn) {
	life := s.lc.Context()
	backoff := storeutil.MinBackoff
	for {
		if conn != nil {
			s.listening.Store(true)
			s.notify.Broadcast()
			err := s.receive(conn)
			s.listening.Store(false)
			cctx, cancel := cleanupCtx(context.Background())
			_ = conn.Close(cctx)
			cancel()
			if life.Err() != nil {
				return
			}
			s.logger().Warn("store listener: connection lost; watchers poll until it is back", "store", s.desc, "err", err)
			backoff = storeutil.MinBackoff
		}
		if !storeutil.Sleep(life, backoff) {
			return
		}
		var err error
		if conn, err = s.listenConn(life); err != nil {
			if life.Err() != nil {
				return
			}
			backoff = storeutil.NextBackoff(backoff)
			s.logger().Warn("store listener: reconnect failed", "store", s.desc, "retry_in", backoff, "err", err)
			continue
		}
		s.logger().Info("store listener: reconnected", "store", s.desc)
	}
}

// receive wakes the watchers on each notification until the connection
// fails or the store is closed.
func (s *Store) receive(conn *pgx.Conn) error {
	for {
		if _, err := conn.WaitForNotification(s.lc.Context()); err != nil {
			return err
		}
		s.notify.Broadcast()
	}
}
