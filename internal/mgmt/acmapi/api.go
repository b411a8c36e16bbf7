// Package acmapi serves Tollgate's stand-in for AWS Certificate Manager
// (acm 2015-12-08, AWS JSON 1.1, SigV4 service "acm") on the management
// listener, so that the usual flow works unchanged: `aws acm
// import-certificate`, request-certificate, describe-certificate,
// list-certificates, get-certificate, delete-certificate and the tag
// operations. Custom domain names refer to these certificates by ARN.
//
// Differences from ACM, by design (Tollgate choices):
//   - RequestCertificate issues at once from the data dir's local CA
//     (Status ISSUED, validation SUCCESS with a synthetic DNS record), so a
//     developer gets a working certificate without openssl; clients trust
//     it through <data-dir>/tls/ca.pem.
//   - Private keys are sealed with the data dir's secret (secret.Box)
//     before they reach the store, and no operation returns them (there is
//     no ExportCertificate).
//   - Certificates of another region or account are "not found".
package acmapi

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate/internal/acm"
	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/awsjson"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tlscert"
)

// SigningName is the SigV4 service name of ACM; TargetPrefix what
// X-Amz-Target holds before the operation name [M].
const (
	SigningName  = "acm"
	TargetPrefix = "CertificateManager"
)

// Config configures the operations.
type Config struct {
	Store     store.Store
	Region    string
	AccountID string
	// Secrets seals private keys; the operations that store one fail
	// (500) without it.
	Secrets *secret.Box
	// CA issues requested certificates; RequestCertificate fails (500)
	// without it.
	CA *tlscert.CA
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID generates certificate ids; nil means random UUIDs.
	NewID func() string
}

// API serves the ACM operations.
type API struct {
	store     store.Store
	region    string
	accountID string
	secrets   *secret.Box
	ca        *tlscert.CA
	now       func() time.Time
	newID     func() string
	seq       docstore.Sequence
}

// New returns the operations bound to cfg.
func New(cfg Config) *API {
	a := &API{store: cfg.Store, region: cfg.Region, accountID: cfg.AccountID, secrets: cfg.Secrets, ca: cfg.CA,
		now: cfg.Now, newID: cfg.NewID}
	if a.now == nil {
		a.now = time.Now
	}
	if a.newID == nil {
		a.newID = uuid.NewString
	}
	return a
}

// Register adds every operation to rt.
func (a *API) Register(rt *restjson.Router) {
	awsjson.Service{TargetPrefix: TargetPrefix, SigningName: SigningName, Ops: map[string]awsjson.Handler{
		"ImportCertificate":         a.importCertificate,
		"RequestCertificate":        a.requestCertificate,
		"DescribeCertificate":       a.describeCertificate,
		"GetCertificate":            a.getCertificate,
		"ListCertificates":          a.listCertificates,
		"DeleteCertificate":         a.deleteCertificate,
		"AddTagsToCertificate":      a.addTags,
		"RemoveTagsFromCertificate": a.removeTags,
		"ListTagsForCertificate":    a.listTags,
	}}.Register(rt)
}

// Errors. Every ACM error is a 400 in the JSON 1.1 shape [M].

func errorOf(code, format string, args ...any) *awserr.Error {
	e := awserr.BadRequest(format, args...)
	e.Code = code
	return e
}

func validation(format string, args ...any) *awserr.Error {
	return errorOf("ValidationException", format, args...)
}

// errNotFound: an ARN of no certificate of this account and region
// [C: "Could not find certificate {arn}.", pulumi transcript of an
// ImportCertificate re-import].
func errNotFound(arn string) error {
	return errorOf("ResourceNotFoundException", "Could not find certificate %s.", arn)
}

// errInUse: DeleteCertificate of a certificate a domain uses [C:
// terraform-provider-aws and sst#4963 logs].
func (a *API) errInUse(arn string) error {
	return errorOf("ResourceInUseException", "Certificate %s in account %s is in use.", arn, a.accountID)
}

// resolve checks arn and returns the store key of its certificate.
// Malformed ARNs fail the model's pattern (ValidationException); an ARN
// of the right pattern that names no certificate is
// InvalidArnException [U: text] when it is not a certificate ARN, and
// ResourceNotFoundException when it belongs to another region or account
// or is unknown.
func (a *API) resolve(arn, at string) (string, error) {
	if len(arn) < 20 || len(arn) > 2048 || !acm.MatchesPattern(arn) {
		var v awserr.Validation
		v.Pattern(arn, at, acm.ARNPattern)
		return "", v.Err()
	}
	p, ok := acm.ParseARN(arn)
	if !ok {
		return "", errorOf("InvalidArnException", "%s is not a valid certificate ARN.", arn) // [U]
	}
	if p.Region != a.region || p.Account != a.accountID {
		return "", errNotFound(arn)
	}
	return acm.Key(p.ID), nil
}

// load reads the certificate arn names.
func (a *API) load(ctx context.Context, rd store.Reader, arn, at string) (acm.Certificate, int64, error) {
	key, err := a.resolve(arn, at)
	if err != nil {
		return acm.Certificate{}, 0, err
	}
	c, seq, err := docstore.Get[acm.Certificate](ctx, rd, key)
	if err != nil {
		return c, 0, docstore.NotFound(err, errNotFound(arn))
	}
	return c, seq, nil
}

func (a *API) arn(id string) string { return acm.ARN(a.region, a.accountID, id) }

// usedBy lists, per certificate ARN, the ARNs of the domain names using
// it (as their serving or ownership-verification certificate).
func (a *API) usedBy(ctx context.Context, rd store.Reader) (map[string][]string, error) {
	domains, err := docstore.List[domain.Domain](ctx, rd, domain.PrefixDomains)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, d := range domains {
		use := domain.ARN(a.region, d.Name)
		for _, c := range []string{d.ServingCertificateARN(), d.OwnershipVerificationCertificateARN} {
			if c != "" {
				out[c] = append(out[c], use)
			}
		}
	}
	return out, nil
}

func (a *API) sealKey(keyPEM []byte) (string, error) {
	if a.secrets == nil {
		return "", awserr.Internal()
	}
	return a.secrets.Seal(keyPEM)
}
