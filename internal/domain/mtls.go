package domain

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
)

// MaxTrustChain is how many CA certificates may stand above a client
// certificate in a mutual TLS chain: a root and up to three intermediates
// [D: rest-api-mutual-tls].
const MaxTrustChain = 4

// Weakness names why mutual TLS refuses a certificate's algorithms ("" when
// it does not): a signature algorithm weaker than SHA-256, an RSA key under
// 2048 bits, an ECDSA key under 256, another key type [D:
// rest-api-mutual-tls]. It applies to truststore certificates and client
// certificates alike.
func Weakness(c *x509.Certificate) string {
	switch c.SignatureAlgorithm {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return "Certificate uses an insecure signature algorithm"
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return "Certificate key is shorter than 2048 bits"
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize < 256 {
			return "Certificate key is shorter than 256 bits"
		}
	default:
		return "Certificate key algorithm is not supported"
	}
	return ""
}
