package secret

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func testBox(t *testing.T) *Box {
	t.Helper()
	b, err := New(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := testBox(t)
	for _, p := range []string{"", "x", "abcdefghijklmnopqrstuvwxyz0123456789ABCD", strings.Repeat("k", 4096)} {
		s, err := b.Seal([]byte(p))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(s, "v1:") {
			t.Fatalf("sealed form %q lacks the version prefix", s)
		}
		if len(p) >= 8 && strings.Contains(s, p) {
			t.Fatalf("sealed form contains the plaintext")
		}
		got, err := b.Open(s)
		if err != nil || string(got) != p {
			t.Fatalf("Open(Seal(%q)) = %q, %v", p, got, err)
		}
	}
	s1, _ := b.Seal([]byte("same"))
	s2, _ := b.Seal([]byte("same"))
	if s1 == s2 {
		t.Error("two seals of the same plaintext are equal: nonce reuse")
	}
}

func TestOpenRejects(t *testing.T) {
	b := testBox(t)
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	s, _ := b.Seal([]byte("secret value"))
	if _, err := other.Open(s); !errors.Is(err, ErrDecrypt) {
		t.Errorf("other key: %v, want ErrDecrypt", err)
	}
	// Flip one ciphertext character.
	raw := []byte(s)
	i := len(raw) - 5
	if raw[i] == 'A' {
		raw[i] = 'B'
	} else {
		raw[i] = 'A'
	}
	if _, err := b.Open(string(raw)); !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrMalformed) {
		t.Errorf("altered: %v", err)
	}
	for _, bad := range []string{"", "plain", "v1:", "v1:!!!", "v2:" + s[3:], "v1:AAAA"} {
		if _, err := b.Open(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("Open(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestDigest(t *testing.T) {
	b := testBox(t)
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	d1, d2 := b.Digest([]byte("value-1")), b.Digest([]byte("value-1"))
	if d1 != d2 {
		t.Error("digest is not deterministic")
	}
	if d1 == b.Digest([]byte("value-2")) {
		t.Error("different values, same digest")
	}
	if d1 == other.Digest([]byte("value-1")) {
		t.Error("digest does not depend on the key")
	}
	if strings.ContainsAny(d1, "/+=") {
		t.Errorf("digest %q is not URL-safe (it is used in store keys)", d1)
	}
}

func TestNewKeySize(t *testing.T) {
	if _, err := New(make([]byte, 16)); err == nil {
		t.Error("16-byte key accepted")
	}
}

func TestLoadOrCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	b1, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() != KeySize {
		t.Errorf("key file mode %o size %d", fi.Mode().Perm(), fi.Size())
	}
	s, _ := b1.Seal([]byte("persisted"))
	b2, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b2.Open(s); err != nil || string(got) != "persisted" {
		t.Fatalf("reloaded key cannot open: %q %v", got, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".secret-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestLoadOrCreateConcurrent(t *testing.T) {
	dir := t.TempDir()
	boxes := make([]*Box, 8)
	var wg sync.WaitGroup
	for i := range boxes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := LoadOrCreate(dir)
			if err != nil {
				t.Error(err)
				return
			}
			boxes[i] = b
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	s, _ := boxes[0].Seal([]byte("x"))
	for i, b := range boxes {
		if _, err := b.Open(s); err != nil {
			t.Errorf("box %d has another key: %v", i, err)
		}
	}
}

func TestLoadOrCreateRefusesBadFiles(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		mode os.FileMode
		want string
	}{
		{"short", make([]byte, 16), 0o600, "holds 16 bytes"},
		{"long", make([]byte, 33), 0o600, "holds 33 bytes"},
		{"group-readable", make([]byte, KeySize), 0o640, "group or others"},
		{"world-readable", make([]byte, KeySize), 0o604, "group or others"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, KeyFile)
			if err := os.WriteFile(path, c.data, c.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, c.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreate(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, c.data) {
				t.Error("the refused key file was changed")
			}
		})
	}
}
