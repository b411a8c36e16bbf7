package respcache

import (
	"errors"
	"fmt"
)

// ErrBadClusterSize reports a cacheClusterSize that API Gateway does not
// offer.
var ErrBadClusterSize = errors.New("respcache: invalid cache cluster size")

// clusterTenthsGB maps each cacheClusterSize, as AWS writes it, to tenths
// of a gigabyte.
var clusterTenthsGB = map[string]int64{
	"0.5":  5,
	"1.6":  16,
	"6.1":  61,
	"13.5": 135,
	"28.4": 284,
	"58.2": 582,
	"118":  1180,
	"237":  2370,
}

// CapacityForClusterSize returns the capacity in bytes of a stage cache of
// the given cacheClusterSize ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2",
// "118" or "237" GB), counting 1 GB as 1<<30 bytes and rounding down:
// "0.5" is 512 MiB. Any other string is an error wrapping
// ErrBadClusterSize.
func CapacityForClusterSize(size string) (int64, error) {
	tenths, ok := clusterTenthsGB[size]
	if !ok {
		return 0, fmt.Errorf("%w: %q (want one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237)", ErrBadClusterSize, size)
	}
	return tenths * (1 << 30) / 10, nil
}
