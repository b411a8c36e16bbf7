package acm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/tlscert"
)

// ValidationError is an import refused with ACM's ValidationException
// message.
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return e.Message }

func invalid(msg string) error { return &ValidationError{Message: msg} }

// Import messages. The PEM, expiry and not-yet-valid texts are moto's
// (getmoto/moto moto/acm); "more than one certificate" and the chain
// text are AWS's as users quote them (terraform-provider-aws#19400 and
// issue threads); the key-mismatch and algorithm texts are [U].
const (
	msgCertNotPEM   = "The certificate is not PEM-encoded or is not valid."
	msgKeyNotPEM    = "The private key is not PEM-encoded or is not valid."
	msgChainNotPEM  = "The certificate chain is not PEM-encoded or is not valid."
	msgCertMany     = "The certificate field contains more than one certificate. You can specify only one certificate in this field."
	msgExpired      = "The certificate has expired, is not valid."
	msgNotYet       = "The certificate is not in effect yet, is not valid."
	msgChainInvalid = "Could not validate the certificate with the certificate chain."
	msgKeyMismatch  = "The private key does not match the certificate."          // [U]
	msgAlgorithm    = "The certificate's key algorithm is not supported by ACM." // [U]
)

// Imported is a certificate that passed the import rules, in the form it
// is stored: one PEM block for the leaf, the chain's blocks, and the key
// as PKCS #8 PEM (to be sealed).
type Imported struct {
	CertificatePEM string
	ChainPEM       string
	KeyPEM         []byte
	Info           *Info
}

// ParseImport applies ImportCertificate's rules [D: ACM
// import-certificate-prerequisites]: PEM only; one certificate; an
// unencrypted private key of a supported algorithm that matches it; valid
// at now; a chain in which each certificate certifies the one before. A
// refusal is a *ValidationError.
func ParseImport(certPEM, keyPEM, chainPEM []byte, now time.Time) (*Imported, error) {
	certs, err := certificates(certPEM)
	if err != nil || len(certs) == 0 {
		return nil, invalid(msgCertNotPEM)
	}
	if len(certs) > 1 {
		return nil, invalid(msgCertMany)
	}
	leaf := certs[0]
	key, err := privateKey(keyPEM)
	if err != nil {
		return nil, invalid(msgKeyNotPEM)
	}
	if KeyAlgorithmOf(leaf.PublicKey) == "" {
		return nil, invalid(msgAlgorithm)
	}
	if !samePublicKey(leaf.PublicKey, key.Public()) {
		return nil, invalid(msgKeyMismatch)
	}
	if now.After(leaf.NotAfter) {
		return nil, invalid(msgExpired)
	}
	if now.Before(leaf.NotBefore) {
		return nil, invalid(msgNotYet)
	}
	var chain []*x509.Certificate
	if len(bytes.TrimSpace(chainPEM)) > 0 {
		if chain, err = certificates(chainPEM); err != nil || len(chain) == 0 {
			return nil, invalid(msgChainNotPEM)
		}
		prev := leaf
		for _, c := range chain {
			if prev.CheckSignatureFrom(c) != nil {
				return nil, invalid(msgChainInvalid)
			}
			prev = c
		}
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, invalid(msgKeyNotPEM)
	}
	return &Imported{
		CertificatePEM: encodeCerts(leaf),
		ChainPEM:       encodeCerts(chain...),
		KeyPEM:         pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		Info:           describe(leaf),
	}, nil
}

// certificates parses every PEM block of b, which must all be
// certificates, with nothing but white space around them.
func certificates(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := b
	for {
		block, r := pem.Decode(rest)
		if block == nil {
			if len(bytes.TrimSpace(rest)) > 0 {
				return nil, errors.New("acm: data outside PEM blocks")
			}
			return out, nil
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) > 0 {
			return nil, fmt.Errorf("acm: PEM block %q", block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		rest = r
	}
}

// privateKey parses one unencrypted PEM private key (PKCS #8, PKCS #1
// RSA or SEC 1 EC).
func privateKey(b []byte) (crypto.Signer, error) {
	block, rest := pem.Decode(b)
	if block == nil || len(bytes.TrimSpace(rest)) > 0 || len(block.Headers) > 0 {
		return nil, errors.New("acm: not one PEM key")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("acm: PEM block %q", block.Type)
	}
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	}
	return nil, errors.New("acm: unsupported key type")
}

func samePublicKey(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

func encodeCerts(certs ...*x509.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	return b.String()
}

// IssuedLifetime is how long an issued certificate is valid: ACM's
// public certificates last 395 days [D: ACM managed renewal].
const IssuedLifetime = 395 * 24 * time.Hour

// RequestKeyAlgorithms are the algorithms RequestCertificate accepts
// [D: ACM "Key algorithms"]; RSA_2048 is the default.
var RequestKeyAlgorithms = []string{"RSA_2048", "EC_prime256v1", "EC_secp384r1"}

// Issued is a certificate the local CA issued, ready to store.
type Issued struct {
	CertificatePEM string
	ChainPEM       string
	KeyPEM         []byte
}

// Issue has ca sign a certificate for names (the first is the subject
// CN; all are DNS SANs) with a new key of algorithm alg, valid from now
// for IssuedLifetime, for TLS server and client authentication, as ACM
// issues them [V: LocalStack's ACM snapshot of an issued certificate].
// The chain is the CA certificate.
func Issue(ca *tlscert.CA, names []string, alg string, now time.Time) (*Issued, error) {
	var key crypto.Signer
	var err error
	usage := x509.KeyUsageDigitalSignature
	switch alg {
	case "RSA_2048":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		usage |= x509.KeyUsageKeyEncipherment
	case "EC_prime256v1":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "EC_secp384r1":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		return nil, fmt.Errorf("acm: key algorithm %q", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("acm: generate key: %w", err)
	}
	now = now.Truncate(time.Second)
	der, err := ca.Issue(tlscert.Leaf{
		Subject:     pkix.Name{CommonName: names[0]},
		DNSNames:    names,
		NotBefore:   now,
		NotAfter:    now.Add(IssuedLifetime),
		KeyUsage:    usage,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}, key.Public())
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("acm: %w", err)
	}
	return &Issued{
		CertificatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		ChainPEM:       string(ca.PEM()),
		KeyPEM:         pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
	}, nil
}
