package lambda

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/store"
)

// In a cluster (Config.ShareCode), a deployment package uploaded through
// one node is kept in the store as well, under "lambdacode/{name}/{package
// dir}", written before the function document that refers to it; any
// other node unpacks it into its own code dir the first time it runs that
// code. Stored paths are the uploading node's; each node maps them to its
// own <CodeDir>/<name>/<package dir> (localPaths).

// codePrefix starts the store keys of a function's shared packages.
func codePrefix(name string) string { return "lambdacode/" + name + "/" }

// codeKey is the store key of the package unpacked into dir.
func codeKey(name, dir string) string { return codePrefix(name) + filepath.Base(dir) }

// localPaths maps a stored function's code directory and executable, made
// by whichever node unpacked the package, to this node's code dir.
func (s *Service) localPaths(name, dir, exe string) (string, string) {
	if dir == "" || s.cfg.CodeDir == "" {
		return dir, exe
	}
	local := filepath.Join(s.cfg.CodeDir, name, filepath.Base(dir))
	if local == dir {
		return dir, exe
	}
	if rel, err := filepath.Rel(dir, exe); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		exe = filepath.Join(local, rel)
	}
	return local, exe
}

// shareCode keeps zipBytes, unpacked into dir, in the store for the
// other nodes (a no-op unless Config.ShareCode).
func (s *Service) shareCode(ctx context.Context, name, dir string, zipBytes []byte) error {
	if !s.cfg.ShareCode {
		return nil
	}
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		return tx.Put(ctx, codeKey(name, dir), zipBytes)
	})
	if err != nil {
		return fmt.Errorf("keeping the deployment package for the cluster: %w", err)
	}
	return nil
}

// ensureCode unpacks fn's package from the store when this node does not
// have it yet (it was uploaded through another node of the cluster).
func (s *Service) ensureCode(fn Function) error {
	if !s.cfg.ShareCode || fn.Static || fn.CodeDir == "" {
		return nil
	}
	if _, err := os.Stat(fn.CodeDir); err == nil {
		return nil
	}
	s.unpackMu.Lock()
	defer s.unpackMu.Unlock()
	if _, err := os.Stat(fn.CodeDir); err == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var zipBytes []byte
	err := s.cfg.Store.View(ctx, func(r store.Reader) error {
		it, err := r.Get(ctx, codeKey(fn.FunctionName, fn.CodeDir))
		zipBytes = it.Value
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("function %s: its code is not on this node and the store does not hold it (uploaded before the cluster shared code?): upload it again", fn.FunctionName)
	}
	if err != nil {
		return fmt.Errorf("function %s: reading its code from the store: %w", fn.FunctionName, err)
	}
	_, dir, err := s.unpack(fn.FunctionName, zipBytes, executableHandler(fn))
	if err != nil {
		return fmt.Errorf("function %s: unpacking its code from the store: %w", fn.FunctionName, err)
	}
	if dir != fn.CodeDir {
		return fmt.Errorf("function %s: the stored package unpacks to %s, not %s", fn.FunctionName, dir, fn.CodeDir)
	}
	s.log.Info("function code fetched from the store", "function", fn.FunctionName, "dir", dir)
	return nil
}
