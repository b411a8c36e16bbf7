package secret

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// KeyFile is the name of the key file in the data directory.
const KeyFile = "secret.key"

// LoadOrCreate returns a Box over the key in <dataDir>/secret.key, creating
// the directory and a new random key (mode 0600) if there is none. The file
// is created atomically: a crash or a concurrent start never leaves a
// partial key, and two processes starting together end up with the same
// one. An existing file must hold exactly KeySize bytes and, on Unix, be
// unreadable by group and others; anything else is refused rather than
// silently replaced, since values sealed with the old key would be lost.
func LoadOrCreate(dataDir string) (*Box, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("secret: data dir: %w", err)
	}
	path := filepath.Join(dataDir, KeyFile)
	key, err := readKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKey(dataDir, path)
	}
	if err != nil {
		return nil, err
	}
	return New(key)
}

// readKey reads and checks an existing key file.
func readKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err // fs.ErrNotExist is handled by the caller
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("secret: %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret: %s has mode %04o: group or others may read it; run chmod 600 %s",
			path, fi.Mode().Perm(), path)
	}
	if fi.Size() != KeySize {
		return nil, fmt.Errorf("secret: %s holds %d bytes, want %d (not a Tollgate key file, or damaged)", path, fi.Size(), KeySize)
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret: read key: %w", err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret: %s holds %d bytes, want %d", path, len(key), KeySize)
	}
	return key, nil
}

// createKey writes a new random key to a temporary file and links it into
// place, which fails if another process got there first: then that
// process's key is used.
func createKey(dir, path string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("secret: generate key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".secret-*.tmp") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("secret: create key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return nil, fmt.Errorf("secret: create key: %w", err)
	}
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("secret: write key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("secret: write key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("secret: write key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKey(path)
		}
		return nil, fmt.Errorf("secret: install key: %w", err)
	}
	syncDir(dir)
	return key, nil
}

// syncDir makes the new directory entry durable (best effort: not every
// platform can fsync a directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
