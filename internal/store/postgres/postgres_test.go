package postgres_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/postgres"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/testsvc"
)

// guard bounds waits; reaching it is a failure.
const guard = 30 * time.Second

// pg is this test binary's private server.
var pg *testsvc.Postgres

func TestMain(m *testing.M) {
	pg = testsvc.MustStartPostgres()
	if schema := os.Getenv(crashEnv); schema != "" {
		crashWriter(schema) // does not return
	}
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

var schemas atomic.Int64

// newSchema returns a schema name no other test uses.
func newSchema() string {
	return fmt.Sprintf("t%d_%d", os.Getpid(), schemas.Add(1))
}

// openSchema opens a store on schema, closed at cleanup.
func openSchema(t testing.TB, schema string, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), pg.URL(), append([]postgres.Option{postgres.WithSchema(schema)}, opts...)...)
	if err != nil {
		t.Fatalf("open schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close %s: %v", schema, err)
		}
	})
	return s
}

// openNew opens a store on a new schema.
func openNew(t testing.TB, opts ...postgres.Option) (*postgres.Store, string) {
	t.Helper()
	schema := newSchema()
	return openSchema(t, schema, opts...), schema
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openNew(t)
		return s
	})
}

// TestHandles: two Stores on one schema, as two gateways of a cluster
// open it. The safety poll is long, so watchers see the other handle's
// commits through LISTEN/NOTIFY.
func TestHandles(t *testing.T) {
	storetest.RunHandles(t, func(t *testing.T) (store.Store, store.Store) {
		schema := newSchema()
		opt := postgres.WithPollInterval(time.Minute, time.Minute)
		return openSchema(t, schema, opt), openSchema(t, schema, opt)
	})
}

func put(t testing.TB, s store.Store, key, value string) int64 {
	t.Helper()
	rev, err := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.Put(context.Background(), key, []byte(value))
	})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return rev
}
