package acmapi

import (
	"context"
	"errors"
	"time"

	"github.com/tollgate/tollgate/internal/acm"
	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/awsjson"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
)

type arnOutput struct {
	CertificateArn string `json:"CertificateArn"`
}

type importInput struct {
	CertificateArn   *string   `json:"CertificateArn"`
	Certificate      []byte    `json:"Certificate"`
	PrivateKey       []byte    `json:"PrivateKey"`
	CertificateChain []byte    `json:"CertificateChain"`
	Tags             []acm.Tag `json:"Tags"`
}

// importCertificate imports a certificate, or replaces the one
// CertificateArn names (re-import keeps the ARN, its creation date and
// tags). The private key is sealed before anything is stored, and the
// request's copies of it are wiped once sealed.
func (a *API) importCertificate(ctx context.Context, r *restjson.Request) (any, error) {
	var in importInput
	defer func() { clear(in.PrivateKey) }()
	if err := awsjson.Decode(r, &in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Certificate == nil {
		null(&v, "certificate")
	} else {
		blob(&v, in.Certificate, "certificate", maxCertificate)
	}
	if in.PrivateKey == nil {
		null(&v, "privateKey")
	} else {
		blob(&v, in.PrivateKey, "privateKey", maxPrivateKey)
	}
	if in.CertificateChain != nil {
		blob(&v, in.CertificateChain, "certificateChain", maxChain)
	}
	checkTags(&v, in.Tags, "tags")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var key string
	if in.CertificateArn != nil {
		var err error
		if key, err = a.resolve(*in.CertificateArn, "certificateArn"); err != nil {
			return nil, err
		}
		if in.Tags != nil {
			return nil, validation("Tags cannot be specified when reimporting a certificate.") // [U: text; M: "You cannot apply tags when reimporting"]
		}
	}
	if err := reservedTags(in.Tags); err != nil {
		return nil, err
	}
	now := a.now()
	imp, err := acm.ParseImport(in.Certificate, in.PrivateKey, in.CertificateChain, now)
	var ve *acm.ValidationError
	if errors.As(err, &ve) {
		return nil, validation("%s", ve.Message)
	}
	if err != nil {
		return nil, err
	}
	sealed, err := a.sealKey(imp.KeyPEM)
	clear(imp.KeyPEM)
	if err != nil {
		return nil, err
	}
	at := acm.TimeOf(now)
	if in.CertificateArn != nil {
		_, err := a.store.Update(ctx, func(tx store.Tx) error {
			c, seq, err := docstore.Get[acm.Certificate](ctx, tx, key)
			if err != nil {
				return docstore.NotFound(err, errNotFound(*in.CertificateArn))
			}
			if c.Type != acm.TypeImported {
				return validation("Certificate %s was not imported and cannot be reimported.", *in.CertificateArn) // [U]
			}
			c.CertificatePEM, c.ChainPEM, c.SealedKey = imp.CertificatePEM, imp.ChainPEM, sealed
			c.ImportedAt = &at
			c.Revision++
			return docstore.Put(ctx, tx, key, seq, c)
		})
		if err != nil {
			return nil, err
		}
		return arnOutput{*in.CertificateArn}, nil
	}
	c := acm.Certificate{ID: a.newID(), Type: acm.TypeImported, CertificatePEM: imp.CertificatePEM, ChainPEM: imp.ChainPEM,
		SealedKey: sealed, CreatedAt: at, ImportedAt: &at, Tags: in.Tags}
	if err := a.create(ctx, c); err != nil {
		return nil, err
	}
	return arnOutput{a.arn(c.ID)}, nil
}

// create stores a new certificate within the account's quota.
func (a *API) create(ctx context.Context, c acm.Certificate) error {
	_, err := a.store.Update(ctx, func(tx store.Tx) error { return a.put(ctx, tx, c) })
	return err
}

// put stores a new certificate within the account's quota.
func (a *API) put(ctx context.Context, tx store.Tx, c acm.Certificate) error {
	n, err := tx.List(ctx, acm.PrefixCertificates, store.ListOptions{Limit: maxCertificates})
	if err != nil {
		return err
	}
	if len(n) >= maxCertificates {
		return errorOf("LimitExceededException", "the maximum number of certificates (%d) has been reached", maxCertificates) // [U]
	}
	return docstore.Put(ctx, tx, acm.Key(c.ID), a.seq.Next(), c)
}

type requestInput struct {
	DomainName              *string   `json:"DomainName"`
	ValidationMethod        *string   `json:"ValidationMethod"`
	SubjectAlternativeNames []string  `json:"SubjectAlternativeNames"`
	IdempotencyToken        *string   `json:"IdempotencyToken"`
	Options                 *options  `json:"Options"`
	CertificateAuthorityArn *string   `json:"CertificateAuthorityArn"`
	Tags                    []acm.Tag `json:"Tags"`
	KeyAlgorithm            *string   `json:"KeyAlgorithm"`
}

type options struct {
	CertificateTransparencyLoggingPreference *string `json:"CertificateTransparencyLoggingPreference"`
}

// idempotencyWindow is how long a RequestCertificate idempotency token
// returns the same certificate [M].
const idempotencyWindow = time.Hour

// requestCertificate issues a certificate at once from the local CA
// (Tollgate choice: ACM would wait for domain validation). The names are
// DomainName followed by the other SubjectAlternativeNames, as ACM lists
// them; the key algorithm defaults to RSA_2048 and validation to EMAIL
// [V: a request without ValidationMethod recorded as EMAIL].
func (a *API) requestCertificate(ctx context.Context, r *restjson.Request) (any, error) {
	var in requestInput
	if err := awsjson.Decode(r, &in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.DomainName == nil {
		null(&v, "domainName")
	} else {
		checkDomain(&v, *in.DomainName, "domainName")
	}
	if in.SubjectAlternativeNames != nil {
		if len(in.SubjectAlternativeNames) < 1 || len(in.SubjectAlternativeNames) > maxSANs {
			v.Add("Value at 'subjectAlternativeNames' failed to satisfy constraint: Member must have length between 1 and 100") // [U: value rendering]
		}
		for i, n := range in.SubjectAlternativeNames {
			checkDomain(&v, n, "subjectAlternativeNames."+itoa(i+1)+".member")
		}
	}
	method := "EMAIL"
	if in.ValidationMethod != nil {
		method = *in.ValidationMethod
		enum(&v, method, "validationMethod", validationMethods)
	}
	alg := "RSA_2048"
	if in.KeyAlgorithm != nil {
		alg = *in.KeyAlgorithm
		enum(&v, alg, "keyAlgorithm", keyAlgorithms)
	}
	if t := in.IdempotencyToken; t != nil && minLength(&v, *t, "idempotencyToken", 1) && maxLength(&v, *t, "idempotencyToken", 32) && !tokenRE.MatchString(*t) {
		v.Pattern(*t, "idempotencyToken", tokenPattern)
	}
	ct := "ENABLED"
	if in.Options != nil && in.Options.CertificateTransparencyLoggingPreference != nil {
		ct = *in.Options.CertificateTransparencyLoggingPreference
		enum(&v, ct, "options.certificateTransparencyLoggingPreference", preferences)
	}
	checkTags(&v, in.Tags, "tags")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := reservedTags(in.Tags); err != nil {
		return nil, err
	}
	if in.CertificateAuthorityArn != nil {
		// Tollgate choice: there is no AWS Private CA to issue from.
		return nil, validation("Private certificate authorities are not supported: omit CertificateAuthorityArn to have Tollgate's local CA issue the certificate.")
	}
	if !contains(acm.RequestKeyAlgorithms, alg) {
		return nil, validation("The key algorithm %s is not supported for certificate requests; use one of %v.", alg, acm.RequestKeyAlgorithms) // [U]
	}
	if len(*in.DomainName) > maxCommonName {
		return nil, validation("The first domain name can't exceed %d octets; put longer names in SubjectAlternativeNames.", maxCommonName) // [U]
	}
	names := []string{*in.DomainName}
	for _, n := range in.SubjectAlternativeNames {
		if !contains(names, n) {
			names = append(names, n)
		}
	}
	token := ""
	if in.IdempotencyToken != nil {
		token = *in.IdempotencyToken
	}
	if token != "" {
		id, err := docstore.Read(ctx, a.store, func(rd store.Reader) (string, int64, error) {
			id, err := a.byToken(ctx, rd, token)
			return id, 0, err
		})
		if err != nil {
			return nil, err
		}
		if id != "" {
			return arnOutput{a.arn(id)}, nil
		}
	}
	if a.ca == nil {
		return nil, awserr.Internal()
	}
	now := a.now()
	iss, err := acm.Issue(a.ca, names, alg, now)
	if err != nil {
		return nil, err
	}
	sealed, err := a.sealKey(iss.KeyPEM)
	clear(iss.KeyPEM)
	if err != nil {
		return nil, err
	}
	at := acm.TimeOf(now)
	c := acm.Certificate{ID: a.newID(), Type: acm.TypeAmazonIssued, CertificatePEM: iss.CertificatePEM, ChainPEM: iss.ChainPEM,
		SealedKey: sealed, CreatedAt: at, IssuedAt: &at, Tags: in.Tags,
		Request: &acm.Request{ValidationMethod: method, IdempotencyToken: token, TransparencyLogging: ct}}
	id := c.ID
	_, err = a.store.Update(ctx, func(tx store.Tx) error {
		if token != "" {
			// A concurrent request with the same token won the race.
			prev, err := a.byToken(ctx, tx, token)
			if err != nil || prev != "" {
				id = prev
				return err
			}
		}
		return a.put(ctx, tx, c)
	})
	if err != nil {
		return nil, err
	}
	return arnOutput{a.arn(id)}, nil
}

// byToken finds the certificate requested with token within the
// idempotency window ("" when none).
func (a *API) byToken(ctx context.Context, rd store.Reader, token string) (string, error) {
	certs, err := docstore.List[acm.Certificate](ctx, rd, acm.PrefixCertificates)
	if err != nil {
		return "", err
	}
	since := a.now().Add(-idempotencyWindow)
	for _, c := range certs {
		if c.Request != nil && c.Request.IdempotencyToken == token && c.CreatedAt.Time().After(since) {
			return c.ID, nil
		}
	}
	return "", nil
}

type arnInput struct {
	CertificateArn *string `json:"CertificateArn"`
}

// certificateArn decodes a body whose only required member is
// CertificateArn.
func certificateArn(r *restjson.Request, in any, arn func() *string) error {
	if err := awsjson.Decode(r, in); err != nil {
		return err
	}
	if arn() == nil {
		var v awserr.Validation
		null(&v, "certificateArn")
		return v.Err()
	}
	return nil
}

func (a *API) describeCertificate(ctx context.Context, r *restjson.Request) (any, error) {
	var in arnInput
	if err := certificateArn(r, &in, func() *string { return in.CertificateArn }); err != nil {
		return nil, err
	}
	var out CertificateDetail
	err := a.store.View(ctx, func(rd store.Reader) error {
		c, _, err := a.load(ctx, rd, *in.CertificateArn, "certificateArn")
		if err != nil {
			return err
		}
		info, err := acm.Describe(c.CertificatePEM)
		if err != nil {
			return err
		}
		used, err := a.usedBy(ctx, rd)
		if err != nil {
			return err
		}
		out = a.detail(view{c, info}, used[a.arn(c.ID)])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Certificate CertificateDetail `json:"Certificate"`
	}{out}, nil
}

type getOutput struct {
	Certificate      string `json:"Certificate"`
	CertificateChain string `json:"CertificateChain,omitempty"`
}

// getCertificate returns the certificate and its chain (PEM), never the
// key. An imported certificate without a chain has none [U].
func (a *API) getCertificate(ctx context.Context, r *restjson.Request) (any, error) {
	var in arnInput
	if err := certificateArn(r, &in, func() *string { return in.CertificateArn }); err != nil {
		return nil, err
	}
	c, err := docstore.Read(ctx, a.store, func(rd store.Reader) (acm.Certificate, int64, error) {
		return a.load(ctx, rd, *in.CertificateArn, "certificateArn")
	})
	if err != nil {
		return nil, err
	}
	return getOutput{Certificate: c.CertificatePEM, CertificateChain: c.ChainPEM}, nil
}

// deleteCertificate deletes a certificate no domain name uses.
func (a *API) deleteCertificate(ctx context.Context, r *restjson.Request) (any, error) {
	var in arnInput
	if err := certificateArn(r, &in, func() *string { return in.CertificateArn }); err != nil {
		return nil, err
	}
	_, err := a.store.Update(ctx, func(tx store.Tx) error {
		c, _, err := a.load(ctx, tx, *in.CertificateArn, "certificateArn")
		if err != nil {
			return err
		}
		used, err := a.usedBy(ctx, tx)
		if err != nil {
			return err
		}
		if len(used[a.arn(c.ID)]) > 0 {
			return a.errInUse(*in.CertificateArn)
		}
		return tx.Delete(ctx, acm.Key(c.ID))
	})
	return nil, err
}
