package postgres_test

import (
	"testing"

	"github.com/tollgate/tollgate/internal/store/postgres"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

func TestCompaction(t *testing.T) {
	storetest.RunCompaction(t, func(t *testing.T, keep int64) storetest.Compacting {
		s, _ := openNew(t, postgres.WithKeepRevisions(keep))
		return s
	})
}
