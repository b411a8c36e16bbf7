package stack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Go source without a bootstrap: a provided.* (or go1.x) function whose
// CodeUri holds Go source is built natively, as SAM's Go builder does with
// `go build` for GOOS=linux and the function's architecture [C:
// aws-lambda-builders go_modules; U: building at deploy time, when `go` is
// on the PATH]. The binary goes to a cache outside the source directory, so
// that building does not look like a code change.

// hasGoSource reports whether dir holds Go files and no bootstrap.
func hasGoSource(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err == nil {
		return false
	}
	m, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(m) > 0
}

// buildGo builds dir's main package into a cache directory holding only
// bootstrap and returns that directory.
func buildGo(dir string, arch string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("%s holds Go source and no bootstrap, and no go command is on the PATH to build it", dir)
	}
	goarch := runtime.GOARCH
	switch arch {
	case "arm64":
		goarch = "arm64"
	case "x86_64":
		goarch = "amd64"
	}
	if runtime.GOOS == "linux" && goarch != runtime.GOARCH {
		// The function runs on this machine: build for it (the template's
		// architecture is for AWS) [U].
		goarch = runtime.GOARCH
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	sum := sha256.Sum256([]byte(dir))
	out := filepath.Join(cache, "tollgate", "go-build", hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command(goBin, "build", "-tags", "lambda.norpc", "-o", filepath.Join(out, "bootstrap"), ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build in %s: %v: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
