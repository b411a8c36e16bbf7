// Package secret encrypts small secrets (API key values) before they reach
// the store. A Box holds one 256-bit key; Seal gives a self-describing text
// form ("v1:" + base64(nonce|ciphertext), AES-256-GCM), Open reverses it.
// The key lives in the data directory (LoadOrCreate), never in the store,
// so a copy of the store alone reveals no key value.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a Box key in bytes (AES-256).
const KeySize = 32

// version1 prefixes every sealed value of the current format.
const version1 = "v1:"

// ErrMalformed: Open was given text that is not a sealed value of a known
// version.
var ErrMalformed = errors.New("secret: malformed sealed value")

// ErrDecrypt: the sealed value was not made with this Box's key, or was
// altered.
var ErrDecrypt = errors.New("secret: cannot decrypt (wrong key or altered value)")

// Box seals and opens secrets with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
	mac  []byte // HMAC key for Digest, derived from the Box key
}

// New returns a Box over key, which must be KeySize bytes.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	// A separate key for digests, so that no single key serves two
	// purposes.
	h := hmac.New(sha256.New, key)
	h.Write([]byte("tollgate secret digest v1"))
	return &Box{aead: aead, mac: h.Sum(nil)}, nil
}

// Seal encrypts plaintext under a fresh random nonce and returns the
// versioned text form.
func (b *Box) Seal(plaintext []byte) (string, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secret: nonce: %w", err)
	}
	sealed := b.aead.Seal(nonce, nonce, plaintext, []byte(version1))
	return version1 + base64.StdEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value made by Seal. It fails with ErrMalformed for text
// that is not a sealed value and ErrDecrypt for one made with another key
// or altered.
func (b *Box) Open(sealed string) ([]byte, error) {
	body, ok := strings.CutPrefix(sealed, version1)
	if !ok {
		return nil, ErrMalformed
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil || len(raw) < b.aead.NonceSize()+b.aead.Overhead() {
		return nil, ErrMalformed
	}
	n := b.aead.NonceSize()
	out, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(version1))
	if err != nil {
		return nil, ErrDecrypt
	}
	return out, nil
}

// Digest returns a keyed digest (HMAC-SHA256, base64url) of data: equal
// inputs give equal digests, and without the Box key a digest reveals
// nothing about its input. It indexes secrets by value (API keys are
// unique by value) without storing the value.
func (b *Box) Digest(data []byte) string {
	h := hmac.New(sha256.New, b.mac)
	h.Write(data)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
