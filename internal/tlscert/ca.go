package tlscert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"
)

// CA is the local certificate authority of a data dir: the one that signs
// the data plane's default certificate (Ensure), and that Tollgate's ACM
// stand-in issues requested certificates from. Clients trust it through
// its CA file.
type CA struct {
	// Cert is the CA certificate.
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// LoadCA loads the CA in dir, creating it (and dir) if there is none or
// it is about to expire, exactly as Ensure does.
func LoadCA(dir string) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	cert, key, err := loadOrCreateCA(dir)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, key: key}, nil
}

// PEM returns the CA certificate, PEM-encoded.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// Leaf describes a certificate for the CA to sign.
type Leaf struct {
	Subject     pkix.Name
	DNSNames    []string
	NotBefore   time.Time
	NotAfter    time.Time
	KeyUsage    x509.KeyUsage
	ExtKeyUsage []x509.ExtKeyUsage
}

// Issue signs l for the public key pub and returns the certificate's DER.
// The validity is clipped to the CA's own.
func (ca *CA) Issue(l Leaf, pub crypto.PublicKey) ([]byte, error) {
	if ca == nil || ca.key == nil {
		return nil, errors.New("tls: no CA")
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      l.Subject,
		DNSNames:     l.DNSNames,
		NotBefore:    l.NotBefore,
		NotAfter:     l.NotAfter,
		KeyUsage:     l.KeyUsage,
		ExtKeyUsage:  l.ExtKeyUsage,
	}
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.key)
	if err != nil {
		return nil, fmt.Errorf("tls: issue: %w", err)
	}
	return der, nil
}

// SelfSigned makes a self-signed certificate of tmpl for key (used for
// the client certificates API Gateway presents to backends). A zero
// SerialNumber gets a random one.
func SelfSigned(tmpl *x509.Certificate, key crypto.Signer) ([]byte, error) {
	t := *tmpl
	if t.SerialNumber == nil || t.SerialNumber.Sign() == 0 {
		t.SerialNumber = serial()
	}
	der, err := x509.CreateCertificate(rand.Reader, &t, &t, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("tls: self-signed: %w", err)
	}
	return der, nil
}
