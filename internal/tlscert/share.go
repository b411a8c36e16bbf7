package tlscert

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// KeyPEM returns the CA's private key, PEM-encoded, for a cluster to
// keep sealed in its store (see InstallCA).
func (ca *CA) KeyPEM() ([]byte, error) {
	if ca == nil || ca.key == nil {
		return nil, errors.New("tls: no CA")
	}
	kb, err := x509.MarshalECPrivateKey(ca.key)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), nil
}

// InstallCA makes the CA certificate and key given (PEM, as PEM and
// KeyPEM return them) the CA of dir, the one the nodes of a cluster
// share: the files are replaced when they differ, and the server
// certificate, no longer signed by the CA, is then issued again by
// Ensure. It reports whether anything changed.
func InstallCA(dir string, certPEM, keyPEM []byte) (bool, error) {
	cblock, _ := pem.Decode(certPEM)
	kblock, _ := pem.Decode(keyPEM)
	if cblock == nil || kblock == nil {
		return false, errors.New("tls: shared CA: not PEM")
	}
	cert, err := x509.ParseCertificate(cblock.Bytes)
	if err != nil {
		return false, fmt.Errorf("tls: shared CA: %w", err)
	}
	if _, err := x509.ParseECPrivateKey(kblock.Bytes); err != nil {
		return false, fmt.Errorf("tls: shared CA key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("tls: %w", err)
	}
	certPath, keyPath := filepath.Join(dir, CAFile), filepath.Join(dir, caKeyFile)
	if have, _, err := loadPair(certPath, keyPath); err == nil && bytes.Equal(have.Raw, cert.Raw) {
		return false, nil
	}
	key, _ := x509.ParseECPrivateKey(kblock.Bytes)
	if err := writePair(certPath, keyPath, cert.Raw, key); err != nil {
		return false, err
	}
	return true, nil
}
