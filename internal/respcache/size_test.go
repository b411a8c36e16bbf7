package respcache

import (
	"errors"
	"testing"
)

func TestCapacityForClusterSize(t *testing.T) {
	const gb = int64(1) << 30
	for size, want := range map[string]int64{
		"0.5":  512 << 20,
		"1.6":  16 * gb / 10,
		"6.1":  61 * gb / 10,
		"13.5": 135 * gb / 10,
		"28.4": 284 * gb / 10,
		"58.2": 582 * gb / 10,
		"118":  118 * gb,
		"237":  237 * gb,
	} {
		got, err := CapacityForClusterSize(size)
		if err != nil || got != want {
			t.Errorf("CapacityForClusterSize(%q) = %d, %v; want %d", size, got, err, want)
		}
	}
	if got, _ := CapacityForClusterSize("1.6"); got != 1717986918 {
		t.Errorf("1.6 GB = %d bytes, want 1717986918", got)
	}
	for _, bad := range []string{"", "0", "1", "0.50", ".5", "118.0", "237 ", "500", "1.6GB", "-0.5"} {
		if got, err := CapacityForClusterSize(bad); !errors.Is(err, ErrBadClusterSize) || got != 0 {
			t.Errorf("CapacityForClusterSize(%q) = %d, %v; want ErrBadClusterSize", bad, got, err)
		}
	}
}
