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

// TestInstallCA: a CA exported from one data dir (PEM, KeyPEM) and
// installed in another becomes its CA; the server certificate there is
// issued again by it; installing it twice changes nothing.
func TestInstallCA(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	caA, err := LoadCA(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Ensure(b, DefaultNames); err != nil {
		t.Fatal(err)
	}
	keyPEM, err := caA.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	changed, err := InstallCA(b, caA.PEM(), keyPEM)
	if err != nil || !changed {
		t.Fatalf("install: changed %v, %v", changed, err)
	}
	caB, err := LoadCA(b)
	if err != nil || !caB.Cert.Equal(caA.Cert) {
		t.Fatalf("the installed CA is not A's: %v", err)
	}
	cfg, _, err := Ensure(b, DefaultNames)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Certificates[0].Leaf.CheckSignatureFrom(caA.Cert); err != nil {
		t.Fatalf("the server certificate is not signed by the installed CA: %v", err)
	}
	if changed, err := InstallCA(b, caA.PEM(), keyPEM); err != nil || changed {
		t.Fatalf("second install: changed %v, %v", changed, err)
	}
	if _, err := InstallCA(b, []byte("junk"), keyPEM); err == nil {
		t.Fatal("junk accepted")
	}
}
