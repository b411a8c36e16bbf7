package sqlite_test

import (
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// TestHandles: two Stores on one file (as two processes would open it)
// behave as one store; watchers see the other handle's commits by polling.
func TestHandles(t *testing.T) {
	storetest.RunHandles(t, func(t *testing.T) (store.Store, store.Store) {
		a, path := openTemp(t, sqlite.WithPollInterval(20*time.Millisecond))
		b := openPath(t, path, sqlite.WithPollInterval(20*time.Millisecond))
		return a, b
	})
}
