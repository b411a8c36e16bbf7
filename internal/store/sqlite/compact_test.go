package sqlite_test

import (
	"testing"

	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

func TestCompaction(t *testing.T) {
	storetest.RunCompaction(t, func(t *testing.T, keep int64) storetest.Compacting {
		s, _ := openTemp(t, sqlite.WithKeepRevisions(keep))
		return s
	})
}
