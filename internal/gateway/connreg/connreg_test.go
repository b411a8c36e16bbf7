package connreg_test

import (
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/connreg"
	"github.com/tollgate/tollgate/internal/gateway/connreg/connregtest"
)

func TestMemoryConformance(t *testing.T) {
	connregtest.Run(t, func(*testing.T) connreg.Registry { return connreg.NewMemory() })
}
