package credentials

import (
	"fmt"
	"os"
	"path/filepath"
)

// Save makes <dataDir>/credentials hold p (the pair a cluster keeps in its
// store), replacing the file atomically when it holds another pair. It
// reports whether the file changed.
func Save(dataDir string, p Pair) (Source, bool, error) {
	path := filepath.Join(dataDir, FileName)
	if have, err := read(path); err == nil && have == p {
		return Source{Path: path}, false, nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return Source{}, false, fmt.Errorf("credentials: %w", err)
	}
	tmp := filepath.Join(dataDir, ".credentials-cluster")
	_ = os.Remove(tmp)
	if err := write(tmp, p); err != nil {
		return Source{}, false, err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return Source{}, false, fmt.Errorf("credentials: %w", err)
	}
	return Source{Path: path, Generated: true}, true, nil
}
