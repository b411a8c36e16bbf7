package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Code limits Lambda enforces [D].
const (
	// MaxZipBytes is the largest zip accepted in a request (50 MB).
	MaxZipBytes = 50 << 20
	// MaxUnzippedBytes is the largest unzipped code (250 MB).
	MaxUnzippedBytes = 262144000
)

// Errors for code that Lambda would refuse.
var (
	// ErrBadZip: the deployment package is not a readable zip, or a file
	// in it is corrupt or would land outside the code directory; the text
	// is Lambda's message.
	ErrBadZip = errors.New("Could not unzip uploaded file. Please check your file, then try to upload again.")
	// ErrZipTooLarge: the unzipped package exceeds MaxUnzippedBytes; the
	// text is Lambda's message.
	ErrZipTooLarge = errors.New("Unzipped size must be smaller than 262144000 bytes")
)

// codeSha returns Lambda's CodeSha256 (base64 of the zip's SHA-256).
func codeSha(zipBytes []byte) string {
	sum := sha256.Sum256(zipBytes)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// unpack extracts a deployment package into dir (which must not exist)
// and returns the executable to run: "bootstrap" for provided runtimes, or
// the handler file. Paths escaping dir are refused.
func unpack(zipBytes []byte, dir, handler string) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return "", ErrBadZip
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
	}
	if total > MaxUnzippedBytes {
		return "", ErrZipTooLarge
	}
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	// Function code may embed secrets: directories are the gateway user's
	// only (the files keep their modes inside them).
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", fmt.Errorf("unpack: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, f := range zr.File {
		name := filepath.Clean(filepath.FromSlash(f.Name))
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			return "", ErrBadZip
		}
		dst := filepath.Join(tmp, name)
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(dst, 0o700); err != nil {
				return "", fmt.Errorf("unpack: %w", err)
			}
			continue
		}
		if f.Mode()&os.ModeSymlink != 0 {
			continue // Lambda packages do not need symlinks; refuse to follow any
		}
		if err := writeZipFile(f, dst); err != nil {
			return "", err
		}
	}
	exe := "bootstrap"
	if _, err := os.Stat(filepath.Join(tmp, exe)); err != nil && handler != "" {
		exe = handler // e.g. the go1.x convention: the handler names the binary
	}
	if _, err := os.Stat(filepath.Join(tmp, exe)); err == nil {
		// Zips made on some systems drop the executable bit.
		_ = os.Chmod(filepath.Join(tmp, exe), 0o755)
	}
	if err := os.Rename(tmp, dir); err != nil && !errors.Is(err, os.ErrExist) {
		if _, statErr := os.Stat(dir); statErr != nil {
			return "", fmt.Errorf("unpack: %w", err)
		}
	}
	return filepath.Join(dir, exe), nil
}

func writeZipFile(f *zip.File, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("unpack: %w", err)
	}
	rc, err := f.Open()
	if err != nil {
		return ErrBadZip
	}
	defer rc.Close()
	mode := f.Mode().Perm() | 0o600
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return fmt.Errorf("unpack: %w", err)
	}
	_, err = io.Copy(out, io.LimitReader(rc, MaxUnzippedBytes+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return ErrBadZip
	}
	return nil
}
