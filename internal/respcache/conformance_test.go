package respcache_test

import (
	"bytes"
	"testing"

	"github.com/tollgate/tollgate/internal/respcache"
	"github.com/tollgate/tollgate/internal/respcache/cachetest"
	"github.com/tollgate/tollgate/internal/secret"
)

func TestMemoryConformance(t *testing.T) {
	box, err := secret.New(bytes.Repeat([]byte{3}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	cachetest.Run(t, func(*testing.T) respcache.Cache {
		return respcache.NewMemory(16<<20, box)
	})
}
