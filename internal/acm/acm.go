// Package acm is the stored model of Tollgate's stand-in for AWS
// Certificate Manager: the certificates custom domain names serve,
// imported (ImportCertificate) or issued by the data dir's local CA
// (RequestCertificate). It holds the stored document, its keys and ARNs,
// what ACM reports about a certificate (read from the X.509 itself), and
// the import and issue rules. No I/O beyond the store document shapes.
//
// A data-plane compiler builds a domain's TLS certificate from a
// Certificate: CertificatePEM followed by ChainPEM, with the private key
// from secret.Box.Open(SealedKey) (see Certificate.KeyPair).
package acm

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/secret"
)

// Certificate types [M].
const (
	TypeImported     = "IMPORTED"
	TypeAmazonIssued = "AMAZON_ISSUED"
)

// Certificate statuses Tollgate reports [M]: an imported or issued
// certificate is ISSUED while valid and EXPIRED after its NotAfter.
const (
	StatusIssued  = "ISSUED"
	StatusExpired = "EXPIRED"
)

// PrefixCertificates is the prefix of every certificate's store key.
const PrefixCertificates = "acmcert/"

// Key is the store key of the certificate with id (the ARN's UUID).
func Key(id string) string { return PrefixCertificates + id }

// Certificate is how a certificate is kept in the store. The private key
// never appears in clear: SealedKey is its PEM sealed by secret.Box.
type Certificate struct {
	// ID is the UUID at the end of the ARN.
	ID string `json:"id"`
	// Type is TypeImported or TypeAmazonIssued.
	Type string `json:"type"`
	// CertificatePEM is the leaf certificate (one PEM block).
	CertificatePEM string `json:"certificate"`
	// ChainPEM is what is served after the leaf: the imported chain, or
	// the local CA for an issued certificate. Empty when none.
	ChainPEM string `json:"chain,omitempty"`
	// SealedKey is the private key's PEM sealed by secret.Box.
	SealedKey string `json:"sealedKey"`
	// CreatedAt is when the ARN was created; ImportedAt when the current
	// certificate was (re)imported; IssuedAt when it was issued.
	CreatedAt  Time  `json:"createdAt"`
	ImportedAt *Time `json:"importedAt,omitempty"`
	IssuedAt   *Time `json:"issuedAt,omitempty"`
	// Tags in the order they were added; keys are unique.
	Tags []Tag `json:"tags,omitempty"`
	// Request records what RequestCertificate was asked (issued only).
	Request *Request `json:"request,omitempty"`
	// Revision counts certificate replacements (re-imports), so that
	// the data plane can tell a replaced certificate by its document.
	Revision int `json:"revision,omitempty"`
}

// Request is what RequestCertificate was asked.
type Request struct {
	// ValidationMethod is DNS, EMAIL or HTTP (DNS when not given).
	ValidationMethod string `json:"validationMethod"`
	// IdempotencyToken, within an hour of CreatedAt, returns this
	// certificate's ARN to a repeated request.
	IdempotencyToken string `json:"idempotencyToken,omitempty"`
	// TransparencyLogging is the CertificateTransparencyLoggingPreference.
	TransparencyLogging string `json:"transparencyLogging"`
}

// Tag is an ACM tag; Value is optional [M].
type Tag struct {
	Key   string  `json:"Key"`
	Value *string `json:"Value,omitempty"`
}

// KeyPair returns the certificate as the data plane serves it: the leaf
// and its chain, with the private key unsealed by box.
func (c *Certificate) KeyPair(box *secret.Box) (tls.Certificate, error) {
	key, err := box.Open(c.SealedKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("acm: certificate %s: %w", c.ID, err)
	}
	pair, err := tls.X509KeyPair([]byte(c.CertificatePEM+"\n"+c.ChainPEM), key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("acm: certificate %s: %w", c.ID, err)
	}
	return pair, nil
}

// ARN returns the ARN of certificate id in region and account:
// arn:aws:acm:{region}:{account}:certificate/{uuid} [M][X].
func ARN(region, account, id string) string {
	return "arn:aws:acm:" + region + ":" + account + ":certificate/" + id
}

// arnPattern is the model's pattern for an ACM ARN [M].
const arnPattern = `arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*`

// ARNPattern is arnPattern as AWS prints it in validation messages.
const ARNPattern = arnPattern

var arnRE = regexp.MustCompile(`^` + arnPattern + `$`)

// ParsedARN is an ACM certificate ARN taken apart.
type ParsedARN struct {
	Region, Account, ID string
}

// ParseARN splits an ACM certificate ARN. ok is false when arn does not
// have the form arn:{partition}:acm:{region}:{account}:certificate/{id}.
func ParseARN(arn string) (ParsedARN, bool) {
	if !arnRE.MatchString(arn) {
		return ParsedARN{}, false
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ParsedARN{}, false
	}
	id, ok := strings.CutPrefix(parts[5], "certificate/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return ParsedARN{}, false
	}
	return ParsedARN{Region: parts[3], Account: parts[4], ID: id}, true
}

// MatchesPattern reports whether arn satisfies the model's ARN pattern
// (what the service checks before anything else).
func MatchesPattern(arn string) bool { return arnRE.MatchString(arn) }

// Time is a timestamp sent as epoch seconds with a fraction
// (1446835267.0), as ACM's JSON 1.1 protocol does [X]. It holds
// milliseconds.
type Time int64

// TimeOf converts t to a Time.
func TimeOf(t time.Time) Time { return Time(t.UnixMilli()) }

// Time returns t as a time.Time.
func (t Time) Time() time.Time { return time.UnixMilli(int64(t)) }

// MarshalJSON implements json.Marshaler: seconds, always with a fraction.
func (t Time) MarshalJSON() ([]byte, error) {
	s := strconv.FormatFloat(float64(t)/1000, 'f', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return []byte(s), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("acm: timestamp: %w", err)
	}
	*t = Time(f*1000 + 0.5)
	return nil
}
