package acmapi

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/tollgate/tollgate/internal/acm"
)

// CertificateDetail is DescribeCertificate's certificate [M]; members are
// those ACM returns for an imported or an issued certificate [V:
// LocalStack's ACM snapshot recorded on AWS].
type CertificateDetail struct {
	CertificateArn          string             `json:"CertificateArn"`
	CreatedAt               acm.Time           `json:"CreatedAt"`
	DomainName              string             `json:"DomainName"`
	DomainValidationOptions []DomainValidation `json:"DomainValidationOptions"`
	ExtendedKeyUsages       []ExtendedKeyUsage `json:"ExtendedKeyUsages"`
	ImportedAt              *acm.Time          `json:"ImportedAt,omitempty"`
	InUseBy                 []string           `json:"InUseBy"`
	IssuedAt                *acm.Time          `json:"IssuedAt,omitempty"`
	Issuer                  string             `json:"Issuer"`
	KeyAlgorithm            string             `json:"KeyAlgorithm"`
	KeyUsages               []KeyUsage         `json:"KeyUsages"`
	NotAfter                acm.Time           `json:"NotAfter"`
	NotBefore               acm.Time           `json:"NotBefore"`
	Options                 Options            `json:"Options"`
	RenewalEligibility      string             `json:"RenewalEligibility"`
	Serial                  string             `json:"Serial"`
	SignatureAlgorithm      string             `json:"SignatureAlgorithm"`
	Status                  string             `json:"Status"`
	Subject                 string             `json:"Subject"`
	SubjectAlternativeNames []string           `json:"SubjectAlternativeNames"`
	Type                    string             `json:"Type"`
}

// DomainValidation is one name's validation record [M]. An imported
// certificate has only DomainName [V].
type DomainValidation struct {
	DomainName       string          `json:"DomainName"`
	ResourceRecord   *ResourceRecord `json:"ResourceRecord,omitempty"`
	ValidationDomain string          `json:"ValidationDomain,omitempty"`
	ValidationEmails *[]string       `json:"ValidationEmails,omitempty"`
	ValidationMethod string          `json:"ValidationMethod,omitempty"`
	ValidationStatus string          `json:"ValidationStatus,omitempty"`
}

// ResourceRecord is the DNS record DNS validation asks for [M].
type ResourceRecord struct {
	Name  string `json:"Name"`
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// ExtendedKeyUsage and KeyUsage are the described usages [M].
type (
	ExtendedKeyUsage struct {
		Name string `json:"Name"`
		OID  string `json:"OID"`
	}
	KeyUsage struct {
		Name string `json:"Name"`
	}
)

// Options are a certificate's options [M].
type Options struct {
	CertificateTransparencyLoggingPreference string `json:"CertificateTransparencyLoggingPreference"`
}

// CertificateSummary is ListCertificates' entry [M][V].
type CertificateSummary struct {
	CertificateArn                       string    `json:"CertificateArn"`
	DomainName                           string    `json:"DomainName"`
	SubjectAlternativeNameSummaries      []string  `json:"SubjectAlternativeNameSummaries"`
	HasAdditionalSubjectAlternativeNames bool      `json:"HasAdditionalSubjectAlternativeNames"`
	Status                               string    `json:"Status"`
	Type                                 string    `json:"Type"`
	KeyAlgorithm                         string    `json:"KeyAlgorithm"`
	KeyUsages                            []string  `json:"KeyUsages"`
	ExtendedKeyUsages                    []string  `json:"ExtendedKeyUsages"`
	InUse                                bool      `json:"InUse"`
	RenewalEligibility                   string    `json:"RenewalEligibility"`
	NotBefore                            acm.Time  `json:"NotBefore"`
	NotAfter                             acm.Time  `json:"NotAfter"`
	CreatedAt                            acm.Time  `json:"CreatedAt"`
	IssuedAt                             *acm.Time `json:"IssuedAt,omitempty"`
	ImportedAt                           *acm.Time `json:"ImportedAt,omitempty"`
}

// maxSummarySANs is how many SANs a summary lists [M].
const maxSummarySANs = 100

// view is one certificate with what is read from its X.509.
type view struct {
	cert acm.Certificate
	info *acm.Info
}

func (a *API) detail(v view, inUseBy []string) CertificateDetail {
	c, in := v.cert, v.info
	d := CertificateDetail{
		CertificateArn:          a.arn(c.ID),
		CreatedAt:               c.CreatedAt,
		DomainName:              in.DomainName,
		ExtendedKeyUsages:       []ExtendedKeyUsage{},
		ImportedAt:              c.ImportedAt,
		InUseBy:                 append([]string{}, inUseBy...),
		IssuedAt:                c.IssuedAt,
		Issuer:                  in.Issuer,
		KeyAlgorithm:            acm.KeyAlgorithmDisplay(in.KeyAlgorithm),
		KeyUsages:               []KeyUsage{},
		NotAfter:                acm.TimeOf(in.NotAfter),
		NotBefore:               acm.TimeOf(in.NotBefore),
		Options:                 Options{CertificateTransparencyLoggingPreference: "DISABLED"},
		RenewalEligibility:      "INELIGIBLE",
		Serial:                  in.Serial,
		SignatureAlgorithm:      in.SignatureAlgorithm,
		Status:                  in.Status(a.now()),
		Subject:                 in.Subject,
		SubjectAlternativeNames: append([]string{}, in.SubjectAlternativeNames...),
		Type:                    c.Type,
	}
	for _, u := range in.ExtendedKeyUsages {
		d.ExtendedKeyUsages = append(d.ExtendedKeyUsages, ExtendedKeyUsage{Name: u.Name, OID: u.OID})
	}
	for _, u := range in.KeyUsages {
		d.KeyUsages = append(d.KeyUsages, KeyUsage{Name: u})
	}
	if c.Request != nil {
		d.Options.CertificateTransparencyLoggingPreference = c.Request.TransparencyLogging
	}
	d.DomainValidationOptions = validations(c, in)
	return d
}

// validations are the DomainValidationOptions: for an imported
// certificate one {DomainName} per SAN [V]; for an issued one the
// completed validation of each name by the requested method, with a
// synthetic, stable DNS record (Tollgate validates nothing).
func validations(c acm.Certificate, in *acm.Info) []DomainValidation {
	out := []DomainValidation{}
	for _, n := range in.SubjectAlternativeNames {
		dv := DomainValidation{DomainName: n}
		if c.Request != nil {
			dv.ValidationDomain = n
			dv.ValidationMethod = c.Request.ValidationMethod
			dv.ValidationStatus = "SUCCESS"
			switch c.Request.ValidationMethod {
			case "DNS":
				dv.ResourceRecord = dnsRecord(c.ID, n)
			case "EMAIL":
				dv.ValidationEmails = &[]string{}
			}
		}
		out = append(out, dv)
	}
	return out
}

// dnsRecord is the CNAME ACM would ask for, "_{hash}.{name}." pointing at
// "_{hash}.{hash}.acm-validations.aws." [V: form], derived from the
// certificate id and name so that it is the same on every call.
func dnsRecord(id, name string) *ResourceRecord {
	h := sha256.Sum256([]byte(id + "\x00" + name))
	x := hex.EncodeToString(h[:])
	base := strings.TrimPrefix(name, "*.")
	return &ResourceRecord{Name: "_" + x[:32] + "." + base + ".", Type: "CNAME", Value: "_" + x[32:64] + ".acm-validations.aws."}
}

func (a *API) summary(v view, inUse bool) CertificateSummary {
	c, in := v.cert, v.info
	s := CertificateSummary{
		CertificateArn:                  a.arn(c.ID),
		DomainName:                      in.DomainName,
		SubjectAlternativeNameSummaries: append([]string{}, in.SubjectAlternativeNames...),
		Status:                          in.Status(a.now()),
		Type:                            c.Type,
		KeyAlgorithm:                    acm.KeyAlgorithmDisplay(in.KeyAlgorithm),
		KeyUsages:                       append([]string{}, in.KeyUsages...),
		ExtendedKeyUsages:               []string{},
		InUse:                           inUse,
		RenewalEligibility:              "INELIGIBLE",
		NotBefore:                       acm.TimeOf(in.NotBefore),
		NotAfter:                        acm.TimeOf(in.NotAfter),
		CreatedAt:                       c.CreatedAt,
		IssuedAt:                        c.IssuedAt,
		ImportedAt:                      c.ImportedAt,
	}
	if len(s.SubjectAlternativeNameSummaries) > maxSummarySANs {
		s.SubjectAlternativeNameSummaries = s.SubjectAlternativeNameSummaries[:maxSummarySANs]
		s.HasAdditionalSubjectAlternativeNames = true
	}
	for _, u := range in.ExtendedKeyUsages {
		s.ExtendedKeyUsages = append(s.ExtendedKeyUsages, u.Name)
	}
	return s
}

// nowTime is the clock as an acm.Time.
func (a *API) nowTime() acm.Time { return acm.TimeOf(a.now()) }
