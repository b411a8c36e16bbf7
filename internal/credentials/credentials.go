// Package credentials provides the management API's access key: from
// TOLLGATE_ACCESS_KEY_ID / TOLLGATE_SECRET_ACCESS_KEY when set, otherwise
// from <data-dir>/credentials, generating that file (AWS shared-credentials
// format, profile "tollgate", mode 0600) on first start.
package credentials

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Profile is the profile name written to the credentials file.
const Profile = "tollgate"

// FileName is the credentials file's name inside the data dir.
const FileName = "credentials"

// Pair is an access key and its secret.
type Pair struct {
	// AccessKeyID identifies the key in SigV4 Authorization headers; a
	// generated one is "AKIA" and 16 characters of A–Z and 2–7.
	AccessKeyID string
	// SecretAccessKey is the SigV4 signing secret (40 base64 characters
	// when generated); clients sign with it, it is never sent.
	SecretAccessKey string
}

// Source says where a Pair came from.
type Source struct {
	// Path is the credentials file, or "" when the environment supplied them.
	Path string
	// Generated is true when the file was created by this call.
	Generated bool
}

// Load returns the management credentials.
func Load(dataDir string, getenv func(string) string) (Pair, Source, error) {
	id, secret := getenv("TOLLGATE_ACCESS_KEY_ID"), getenv("TOLLGATE_SECRET_ACCESS_KEY")
	switch {
	case id != "" && secret != "":
		return Pair{id, secret}, Source{}, nil
	case id != "" || secret != "":
		return Pair{}, Source{}, errors.New("set both TOLLGATE_ACCESS_KEY_ID and TOLLGATE_SECRET_ACCESS_KEY, or neither")
	}
	path := filepath.Join(dataDir, FileName)
	p, err := read(path)
	if err == nil {
		return p, Source{Path: path}, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Pair{}, Source{}, err
	}
	p = Generate()
	if err := write(path, p); err != nil {
		return Pair{}, Source{}, err
	}
	return p, Source{Path: path, Generated: true}, nil
}

// Generate makes a fresh pair: an "AKIA"-style 20-character key id and a
// 40-character secret.
func Generate() Pair {
	return Pair{AccessKeyID: "AKIA" + random(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
		SecretAccessKey: random(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
}

func random(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// write creates the file atomically (temp file + rename) with mode 0600 and
// refuses to replace an existing one.
func write(path string, p Pair) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".credentials-*")
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	defer os.Remove(tmp.Name())
	content := fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", Profile, p.AccessKeyID, p.SecretAccessKey)
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return fmt.Errorf("credentials: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("credentials: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	// Link fails if another process created the file meanwhile.
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	return nil
}

// read parses the [tollgate] profile of a shared-credentials file.
func read(path string) (Pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return Pair{}, err
	}
	defer f.Close()
	var p Pair
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
		case section == Profile:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "aws_access_key_id":
				p.AccessKeyID = strings.TrimSpace(v)
			case "aws_secret_access_key":
				p.SecretAccessKey = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Pair{}, fmt.Errorf("credentials %s: %w", path, err)
	}
	if p.AccessKeyID == "" || p.SecretAccessKey == "" {
		return Pair{}, fmt.Errorf("credentials %s: profile [%s] lacks aws_access_key_id or aws_secret_access_key", path, Profile)
	}
	return p, nil
}
