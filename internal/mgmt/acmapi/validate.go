package acmapi

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/acm"
	"github.com/tollgate/tollgate/internal/awserr"
)

// Model constraints [M: acm 2015-12-08].
const (
	maxCertificate = 32768
	maxPrivateKey  = 5120
	maxChain       = 2097152
	maxTags        = 50
	maxSANs        = 100
	maxDomain      = 253
	// maxCommonName is RFC 5280's bound on the CN, which DomainName
	// becomes [M: RequestCertificate DomainName documentation].
	maxCommonName = 64
	// maxCertificates is ACM's quota of certificates per account and
	// Region [D: ACM quotas].
	maxCertificates = 2500
)

const (
	domainPattern = `(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])`
	tagPattern    = `[\p{L}\p{Z}\p{N}_.:\/=+\-@]*`
	tokenPattern  = `\w+`
)

var (
	// domainRE is domainPattern without its negative lookaheads (Go's
	// regexp has none): labels may not start with "-" (checked apart).
	domainRE = regexp.MustCompile(`^(\*\.)?(([A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+([A-Za-z0-9-]{1,62}[A-Za-z0-9])$`)
	tagRE    = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	tokenRE  = regexp.MustCompile(`^\w+$`)
)

// Enumerations [M], in the model's order.
var (
	keyAlgorithms     = []string{"RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"}
	statuses          = []string{"PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"}
	validationMethods = []string{"EMAIL", "DNS", "HTTP"}
	keyUsageNames     = []string{"DIGITAL_SIGNATURE", "NON_REPUDIATION", "KEY_ENCIPHERMENT", "DATA_ENCIPHERMENT", "KEY_AGREEMENT", "CERTIFICATE_SIGNING", "CRL_SIGNING", "ENCIPHER_ONLY", "DECIPHER_ONLY", "ANY", "CUSTOM"}
	ekuNames          = []string{"TLS_WEB_SERVER_AUTHENTICATION", "TLS_WEB_CLIENT_AUTHENTICATION", "CODE_SIGNING", "EMAIL_PROTECTION", "TIME_STAMPING", "OCSP_SIGNING", "IPSEC_END_SYSTEM", "IPSEC_TUNNEL", "IPSEC_USER", "ANY", "NONE", "CUSTOM"}
	preferences       = []string{"ENABLED", "DISABLED"}
	sortOrders        = []string{"ASCENDING", "DESCENDING"}
)

func null(v *awserr.Validation, at string) {
	v.Add("Value null at '" + at + "' failed to satisfy constraint: Member must not be null")
}

// blob checks a blob member's length. AWS's Java front end prints a blob
// as its ByteBuffer, never its content [U], so no key material can reach
// a message.
func blob(v *awserr.Validation, b []byte, at string, maxLen int) {
	val := fmt.Sprintf("java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", len(b), len(b))
	switch {
	case len(b) < 1:
		v.Add(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", val, at))
	case len(b) > maxLen:
		v.Add(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", val, at, maxLen))
	}
}

func maxLength(v *awserr.Validation, s, at string, n int) bool {
	if len(s) > n {
		v.Add(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", s, at, n))
		return false
	}
	return true
}

func minLength(v *awserr.Validation, s, at string, n int) bool {
	if len(s) < n {
		v.Add(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", s, at, n))
		return false
	}
	return true
}

func enum(v *awserr.Validation, s, at string, allowed []string) {
	if !slices.Contains(allowed, s) {
		v.Enum(s, at, allowed)
	}
}

// checkDomain checks a DomainNameString member.
func checkDomain(v *awserr.Validation, s, at string) {
	if !minLength(v, s, at, 1) || !maxLength(v, s, at, maxDomain) {
		return
	}
	ok := domainRE.MatchString(s)
	for _, label := range strings.Split(strings.TrimPrefix(s, "*."), ".") {
		if strings.HasPrefix(label, "-") {
			ok = false
		}
	}
	if !ok {
		v.Pattern(s, at, domainPattern)
	}
}

// checkTags checks a TagList member.
func checkTags(v *awserr.Validation, tags []acm.Tag, at string) {
	if tags == nil {
		return
	}
	switch {
	case len(tags) < 1:
		v.Add(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", tagList(tags), at))
	case len(tags) > maxTags:
		v.Add(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", tagList(tags), at, maxTags))
	}
	for i, t := range tags {
		m := at + "." + strconv.Itoa(i+1) + ".member."
		if minLength(v, t.Key, m+"key", 1) && maxLength(v, t.Key, m+"key", 128) && !tagRE.MatchString(t.Key) {
			v.Pattern(t.Key, m+"key", tagPattern)
		}
		if t.Value != nil && maxLength(v, *t.Value, m+"value", 256) && !tagRE.MatchString(*t.Value) {
			v.Pattern(*t.Value, m+"value", tagPattern)
		}
	}
}

func tagList(tags []acm.Tag) string {
	parts := make([]string, len(tags))
	for i, t := range tags {
		val := "null"
		if t.Value != nil {
			val = *t.Value
		}
		parts[i] = "Tag(key=" + t.Key + ", value=" + val + ")"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// reservedTags refuses keys in AWS's reserved namespace [U: text].
func reservedTags(tags []acm.Tag) error {
	for _, t := range tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return errorOf("InvalidTagException", "Tag key %s is reserved: keys may not begin with aws:", t.Key)
		}
	}
	return nil
}

// mergeTags adds add to tags (a tag with a key already present replaces
// its value) and refuses a set of more than maxTags [U: text].
func mergeTags(tags, add []acm.Tag) ([]acm.Tag, error) {
	out := slices.Clone(tags)
	for _, t := range add {
		i := slices.IndexFunc(out, func(x acm.Tag) bool { return x.Key == t.Key })
		if i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, errorOf("TooManyTagsException", "the TagSet: %s contains too many Tags", tagList(out))
	}
	return out, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func contains(list []string, s string) bool { return slices.Contains(list, s) }
