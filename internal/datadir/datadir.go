// Package datadir prepares Tollgate's data directory: it creates it private
// to the gateway's user, tells whether other users can reach it, and takes
// the lock that keeps a second gateway off it.
//
// The data directory holds the management credentials, the key that seals
// API key values, the local CA's keys, function code and (by default) the
// SQLite store. One gateway owns it: a second one on the same directory
// would share the store but keep its own throttles, quotas and caches, so
// Lock refuses it.
package datadir

import (
	"fmt"
	"io/fs"
	"os"
)

// Create makes dir (and its parents) with mode 0700 if it does not exist.
// An existing directory keeps its mode; see Exposed.
func Create(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	return nil
}

// Exposed reports the permissions of path when users other than its owner
// may read or search it (any group or other bit set), and false when it is
// private (or cannot be examined).
func Exposed(path string) (fs.FileMode, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	perm := st.Mode().Perm()
	return perm, perm&0o077 != 0
}
