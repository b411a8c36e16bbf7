package postgres

import (
	"context"
	"fmt"
	"time"
)

// Now reads the database server's clock (clock_timestamp(), microsecond
// resolution): one clock for every gateway of a cluster, for stamps that
// must order events across them whatever their own clocks say.
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	if err := s.lc.Begin("now"); err != nil {
		return time.Time{}, err
	}
	defer s.lc.Done()
	var t time.Time
	if err := s.pool.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("postgres: clock: %w", ctxErr(ctx, err))
	}
	return t, nil
}
