package acm

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Info is what ACM reports about a certificate, read from the X.509
// itself (DescribeCertificate, ListCertificates) [V: LocalStack's ACM
// snapshot recorded on AWS, tests/aws/services/acm/test_acm.snapshot.json].
type Info struct {
	// DomainName is the subject CN, or the first SAN when there is none
	// [U for the fallback].
	DomainName string
	// SubjectAlternativeNames are the DNS SANs in certificate order.
	SubjectAlternativeNames []string
	// Subject lists the subject's attributes in certificate order,
	// TYPE=value joined by commas ("C=AU,ST=Some-State,…,CN=localhost").
	Subject string
	// Issuer is the issuer's organization, or its CN when it has none.
	Issuer string
	// Serial is the serial number as lower-case hex bytes joined by
	// colons ("03:e9").
	Serial string
	// KeyAlgorithm is the enum value (RSA_2048, EC_prime256v1); see
	// KeyAlgorithmDisplay for how DescribeCertificate prints it.
	KeyAlgorithm string
	// SignatureAlgorithm as ACM prints it (SHA256WITHRSA).
	SignatureAlgorithm string
	// KeyUsages and ExtendedKeyUsages are ACM's names.
	KeyUsages         []string
	ExtendedKeyUsages []ExtendedKeyUsage
	NotBefore         time.Time
	NotAfter          time.Time
	// Leaf is the parsed certificate.
	Leaf *x509.Certificate
}

// ExtendedKeyUsage is one EKU: ACM's name and the OID.
type ExtendedKeyUsage struct {
	Name string
	OID  string
}

// Describe reads what ACM reports from a PEM certificate.
func Describe(certPEM string) (*Info, error) {
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("acm: not a PEM certificate")
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("acm: %w", err)
	}
	return describe(leaf), nil
}

func describe(c *x509.Certificate) *Info {
	in := &Info{
		DomainName:              c.Subject.CommonName,
		SubjectAlternativeNames: append([]string(nil), c.DNSNames...),
		Subject:                 dn(c.Subject.Names),
		Serial:                  SerialHex(c),
		KeyAlgorithm:            KeyAlgorithmOf(c.PublicKey),
		SignatureAlgorithm:      signatureName(c.SignatureAlgorithm),
		KeyUsages:               keyUsages(c.KeyUsage),
		ExtendedKeyUsages:       extKeyUsages(c),
		NotBefore:               c.NotBefore,
		NotAfter:                c.NotAfter,
		Leaf:                    c,
	}
	if in.DomainName == "" && len(in.SubjectAlternativeNames) > 0 {
		in.DomainName = in.SubjectAlternativeNames[0]
	}
	switch {
	case len(c.Issuer.Organization) > 0:
		in.Issuer = c.Issuer.Organization[0]
	default:
		in.Issuer = c.Issuer.CommonName
	}
	return in
}

// Names are the names the certificate covers: its DNS SANs, or its CN
// when it has none (as TLS clients once did).
func (in *Info) Names() []string {
	if len(in.SubjectAlternativeNames) > 0 {
		return in.SubjectAlternativeNames
	}
	if in.Leaf.Subject.CommonName != "" {
		return []string{in.Leaf.Subject.CommonName}
	}
	return nil
}

// Covers reports whether the certificate is valid for host: a name equal
// to it (case-insensitively), or a "*.rest" name covering exactly one
// label in front of rest. A wildcard host ("*.example.com", a wildcard
// custom domain) is covered only by the same wildcard name.
func (in *Info) Covers(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, n := range in.Names() {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if n == host {
			return true
		}
		if rest, ok := strings.CutPrefix(n, "*."); ok && !strings.HasPrefix(host, "*.") {
			if label, after, ok := strings.Cut(host, "."); ok && label != "" && after == rest {
				return true
			}
		}
	}
	return false
}

// Status is the certificate's status at now: ISSUED while valid, EXPIRED
// after NotAfter [M].
func (in *Info) Status(now time.Time) string {
	if now.After(in.NotAfter) {
		return StatusExpired
	}
	return StatusIssued
}

// attrNames are the short names ACM prints for subject attributes.
var attrNames = map[string]string{
	"2.5.4.6": "C", "2.5.4.8": "ST", "2.5.4.7": "L", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.3": "CN",
	"2.5.4.9": "STREET", "2.5.4.17": "POSTALCODE", "2.5.4.5": "SERIALNUMBER", "0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1": "UID", "1.2.840.113549.1.9.1": "EMAILADDRESS",
}

// dn renders attributes in certificate order, TYPE=value joined by ","
// without spaces [V].
func dn(attrs []pkix.AttributeTypeAndValue) string {
	parts := make([]string, 0, len(attrs))
	for _, a := range attrs {
		name, ok := attrNames[a.Type.String()]
		if !ok {
			name = a.Type.String()
		}
		parts = append(parts, name+"="+fmt.Sprint(a.Value))
	}
	return strings.Join(parts, ",")
}

// SerialHex renders the serial as lower-case hex bytes joined by ":",
// zero-padded to whole bytes (1001 → "03:e9") [V].
func SerialHex(c *x509.Certificate) string {
	b := c.SerialNumber.Bytes()
	if len(b) == 0 {
		b = []byte{0}
	}
	h := hex.EncodeToString(b)
	var sb strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}

// KeyAlgorithmOf names a public key as ACM's KeyAlgorithm enum does
// (RSA_2048, EC_prime256v1); "" for a key ACM does not support.
func KeyAlgorithmOf(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch n := k.N.BitLen(); n {
		case 1024, 2048, 3072, 4096:
			return "RSA_" + strconv.Itoa(n)
		}
	case *ecdsa.PublicKey:
		switch k.Curve.Params().Name {
		case "P-256":
			return "EC_prime256v1"
		case "P-384":
			return "EC_secp384r1"
		case "P-521":
			return "EC_secp521r1"
		}
	}
	return ""
}

// KeyAlgorithmDisplay is how DescribeCertificate and ListCertificates
// print a KeyAlgorithm: with a hyphen ("RSA-2048", "EC-prime256v1"),
// although the enum value has an underscore [V for RSA; U for EC].
func KeyAlgorithmDisplay(alg string) string { return strings.Replace(alg, "_", "-", 1) }

// signatureName prints a signature algorithm as ACM does
// ("SHA256WITHRSA") [V for RSA; U for the others].
func signatureName(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA1WithRSA:
		return "SHA1WITHRSA"
	case x509.SHA256WithRSA:
		return "SHA256WITHRSA"
	case x509.SHA384WithRSA:
		return "SHA384WITHRSA"
	case x509.SHA512WithRSA:
		return "SHA512WITHRSA"
	case x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
		return "RSASSA-PSS"
	case x509.ECDSAWithSHA1:
		return "SHA1WITHECDSA"
	case x509.ECDSAWithSHA256:
		return "SHA256WITHECDSA"
	case x509.ECDSAWithSHA384:
		return "SHA384WITHECDSA"
	case x509.ECDSAWithSHA512:
		return "SHA512WITHECDSA"
	}
	return strings.ToUpper(a.String())
}

// keyUsageNames are ACM's names of the KeyUsage bits, in bit order (the
// order AWS lists them) [M][V].
var keyUsageNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "DIGITAL_SIGNATURE"},
	{x509.KeyUsageContentCommitment, "NON_REPUDIATION"},
	{x509.KeyUsageKeyEncipherment, "KEY_ENCIPHERMENT"},
	{x509.KeyUsageDataEncipherment, "DATA_ENCIPHERMENT"},
	{x509.KeyUsageKeyAgreement, "KEY_AGREEMENT"},
	{x509.KeyUsageCertSign, "CERTIFICATE_SIGNING"},
	{x509.KeyUsageCRLSign, "CRL_SIGNING"},
	{x509.KeyUsageEncipherOnly, "ENCIPHER_ONLY"},
	{x509.KeyUsageDecipherOnly, "DECIPHER_ONLY"},
}

func keyUsages(u x509.KeyUsage) []string {
	out := []string{}
	for _, k := range keyUsageNames {
		if u&k.bit != 0 {
			out = append(out, k.name)
		}
	}
	return out
}

// extKeyUsages are ACM's EKU names with their OIDs [M].
var ekuNames = []struct {
	eku  x509.ExtKeyUsage
	name string
	oid  string
}{
	{x509.ExtKeyUsageServerAuth, "TLS_WEB_SERVER_AUTHENTICATION", "1.3.6.1.5.5.7.3.1"},
	{x509.ExtKeyUsageClientAuth, "TLS_WEB_CLIENT_AUTHENTICATION", "1.3.6.1.5.5.7.3.2"},
	{x509.ExtKeyUsageCodeSigning, "CODE_SIGNING", "1.3.6.1.5.5.7.3.3"},
	{x509.ExtKeyUsageEmailProtection, "EMAIL_PROTECTION", "1.3.6.1.5.5.7.3.4"},
	{x509.ExtKeyUsageIPSECEndSystem, "IPSEC_END_SYSTEM", "1.3.6.1.5.5.7.3.5"},
	{x509.ExtKeyUsageIPSECTunnel, "IPSEC_TUNNEL", "1.3.6.1.5.5.7.3.6"},
	{x509.ExtKeyUsageIPSECUser, "IPSEC_USER", "1.3.6.1.5.5.7.3.7"},
	{x509.ExtKeyUsageTimeStamping, "TIME_STAMPING", "1.3.6.1.5.5.7.3.8"},
	{x509.ExtKeyUsageOCSPSigning, "OCSP_SIGNING", "1.3.6.1.5.5.7.3.9"},
	{x509.ExtKeyUsageAny, "ANY", "2.5.29.37.0"},
}

func extKeyUsages(c *x509.Certificate) []ExtendedKeyUsage {
	out := []ExtendedKeyUsage{}
	for _, u := range c.ExtKeyUsage {
		for _, k := range ekuNames {
			if k.eku == u {
				out = append(out, ExtendedKeyUsage{Name: k.name, OID: k.oid})
			}
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		out = append(out, ExtendedKeyUsage{Name: "CUSTOM", OID: oid.String()})
	}
	return out
}
