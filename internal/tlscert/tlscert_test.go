package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
)

func TestEnsureCreatesThenReuses(t *testing.T) {
	dir := t.TempDir()
	cfg, caPath, err := Ensure(dir, DefaultNames)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("min version %x", cfg.MinVersion)
	}
	pemCA, err := os.ReadFile(caPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemCA) {
		t.Fatal("CA file is not PEM")
	}
	leaf := cfg.Certificates[0].Leaf
	for _, name := range []string{"localhost", "abc123.execute-api.localhost", "127.0.0.1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: name}); err != nil {
			t.Errorf("verify %s: %v", name, err)
		}
	}
	fi, _ := os.Stat(filepath.Join(dir, caKeyFile))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("CA key mode %v", fi.Mode().Perm())
	}
	cfg2, _, err := Ensure(dir, DefaultNames)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg2.Certificates[0].Leaf.Equal(leaf) {
		t.Error("second Ensure must reuse the certificate")
	}
	cfg3, _, err := Ensure(dir, append(DefaultNames, "gw.example.test"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg3.Certificates[0].Leaf.Equal(leaf) {
		t.Error("a new name must reissue the server certificate")
	}
	if _, err := cfg3.Certificates[0].Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "gw.example.test"}); err != nil {
		t.Errorf("reissued certificate not signed by the same CA: %v", err)
	}
}
