package domains

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/acm"
	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
)

// nameRE is a lower-case DNS name of at least two labels, with an
// optional leading "*." (a wildcard domain).
var nameRE = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// checkName: custom domain names are lower-case DNS names; upper case is
// not supported [D: CDK DomainName "Uppercase letters are not
// supported"] (texts [U]).
func checkName(name string) error {
	switch {
	case name != strings.ToLower(name):
		return awserr.BadRequest("Invalid domain name %s: upper-case letters are not supported in custom domain names.", name)
	case len(name) > 253 || !nameRE.MatchString(name):
		return awserr.BadRequest("Invalid domain name %s: a domain name is dot-separated labels of letters, digits and hyphens, optionally after '*.'.", name)
	}
	return nil
}

// loadCertificate reads the ACM certificate arn names and checks it can
// serve name: of this account and Region, issued, unexpired, covering the
// name.
func (a *API) loadCertificate(ctx context.Context, rd store.Reader, arn, name string) (acm.Certificate, *acm.Info, error) {
	p, ok := acm.ParseARN(arn)
	if !ok {
		return acm.Certificate{}, nil, errCertificateMissing
	}
	if p.Region != a.region {
		// EDGE domains too: there is one local ACM (Tollgate choice;
		// AWS wants edge certificates in us-east-1).
		return acm.Certificate{}, nil, errCertificateRegion(arn, a.region)
	}
	if p.Account != a.accountID {
		return acm.Certificate{}, nil, errCertificateAccount
	}
	c, _, err := docstore.Get[acm.Certificate](ctx, rd, acm.Key(p.ID))
	if err != nil {
		return c, nil, docstore.NotFound(err, errCertificateMissing)
	}
	info, err := acm.Describe(c.CertificatePEM)
	if err != nil {
		return c, nil, err
	}
	if info.Status(a.now()) != acm.StatusIssued || !info.Covers(name) {
		return c, nil, errCertificateInvalid
	}
	return c, info, nil
}

// checkDomain checks a domain as it is about to be stored (created or
// updated; prev is the stored one on update, nil on create) against the
// rules that tie its members together, the certificates it names and the
// mappings and rules it already has.
func (a *API) checkDomain(ctx context.Context, rd store.Reader, d *domain.Domain, prev *domain.Domain) error {
	switch d.EndpointType {
	case domain.Edge, domain.Regional:
	case domain.Private:
		return errPrivateDomain
	}
	if d.EndpointType == domain.Edge && d.RegionalCertificateARN != "" {
		return errWrongCertificateMember(domain.Regional, domain.Edge)
	}
	if d.EndpointType == domain.Regional && d.CertificateARN != "" {
		return errWrongCertificateMember(domain.Edge, domain.Regional)
	}
	arn := d.ServingCertificateARN()
	if arn == "" {
		return errNoCertificate(d.EndpointType)
	}
	cert, _, err := a.loadCertificate(ctx, rd, arn, d.Name)
	if err != nil {
		return err
	}
	pol, ok := domain.Policies[d.SecurityPolicy]
	if !ok || !pol.AppliesTo(d.EndpointType) {
		return awserr.BadRequest("The security policy %s is not supported for %s custom domain names.", d.SecurityPolicy, d.EndpointType) // [U]
	}
	switch {
	case pol.Enhanced && d.EndpointAccessMode == "":
		return awserr.BadRequest("An endpoint access mode (BASIC or STRICT) is required with the security policy %s.", d.SecurityPolicy) // [U; D]
	case !pol.Enhanced && d.EndpointAccessMode != "":
		return awserr.BadRequest("An endpoint access mode can only be set with an enhanced (SecurityPolicy_*) security policy.") // [U; D]
	case d.EndpointAccessMode != "" && d.EndpointAccessMode != "BASIC" && d.EndpointAccessMode != "STRICT":
		return awserr.BadRequest("Invalid endpoint access mode %s. Must be one of: [BASIC, STRICT]", d.EndpointAccessMode) // [U]
	}
	if prev != nil && prev.EndpointAccessMode == "STRICT" && prev.EndpointType != d.EndpointType {
		return awserr.BadRequest("The endpoint type of a custom domain name cannot change while its endpoint access mode is STRICT.") // [D; U text]
	}
	if d.MutualTLS != nil && (d.EndpointType != domain.Regional || d.SecurityPolicy != "TLS_1_2") {
		return awserr.BadRequest("Mutual TLS authentication is only supported for REGIONAL custom domain names with the TLS_1_2 security policy.") // [D; U text]
	}
	if d.MutualTLS != nil && cert.Type == acm.TypeImported && d.OwnershipVerificationCertificateARN == "" {
		return errOwnershipMissing
	}
	if own := d.OwnershipVerificationCertificateARN; own != "" {
		c, _, err := a.loadCertificate(ctx, rd, own, d.Name)
		if err != nil {
			return err
		}
		if c.Type != acm.TypeAmazonIssued {
			return errOwnershipInvalid
		}
	}
	if prev == nil {
		return nil
	}
	// What the domain already routes to must stay possible.
	maps, err := docstore.List[domain.Mapping](ctx, rd, domain.MappingsPrefix(d.Name))
	if err != nil {
		return err
	}
	for _, m := range maps {
		if m.MultiLevel() && !multiLevelOK(d) {
			return errMultiLevel
		}
		if m.APIType == domain.APIHTTP && pol.Enhanced {
			return errHTTPEnhanced
		}
	}
	if d.RoutingMode.UsesRules() && mixesRESTAndHTTP(maps) {
		return errRulesMixed
	}
	return nil
}

// multiLevelOK: multi-level mappings need a REGIONAL domain with TLS 1.2
// or an enhanced policy [D: rest-api-mappings].
func multiLevelOK(d *domain.Domain) bool {
	return d.EndpointType == domain.Regional && d.SecurityPolicy != "TLS_1_0"
}

func mixesRESTAndHTTP(maps []domain.Mapping) bool {
	return slices.ContainsFunc(maps, func(m domain.Mapping) bool { return m.APIType == domain.APIRest }) &&
		slices.ContainsFunc(maps, func(m domain.Mapping) bool { return m.APIType == domain.APIHTTP })
}

// setTruststore (re)reads the truststore of d's mutual TLS settings.
func (a *API) setTruststore(d *domain.Domain) error {
	m := d.MutualTLS
	if m == nil {
		return nil
	}
	ts, err := a.readTruststore(m.TruststoreURI, a.now())
	if err != nil {
		return err
	}
	m.TruststorePEM, m.TruststoreWarnings = ts.pem, ts.warnings
	return nil
}

// countDomains enforces the account's quota of custom domain names.
func countDomains(ctx context.Context, rd store.Reader) error {
	items, err := rd.List(ctx, domain.PrefixDomains, store.ListOptions{Limit: maxDomains})
	if err != nil {
		return err
	}
	if len(items) >= maxDomains {
		return awserr.LimitExceeded("The maximum number of custom domain names (%d) for this account has been reached.", maxDomains) // [U]
	}
	return nil
}

// newDomain is a domain with Tollgate's defaults: REGIONAL unless set,
// the default policy, mappings only.
func (a *API) newDomain(name string, now time.Time) domain.Domain {
	return domain.Domain{Name: name, IPAddressType: "ipv4", SecurityPolicy: domain.DefaultPolicy, RoutingMode: domain.MappingsOnly,
		HostID: a.ids.ID(hostIDLength), CreatedDate: now.Unix(), CertificateUploadDate: now.Unix()}
}

// updateDomain applies edit to the stored domain name and stores the
// result once it passes checkDomain. Setting a new serving certificate
// dates the upload; a new truststore URI or version re-reads the
// truststore [D: rest-api-mutual-tls].
func (a *API) updateDomain(ctx context.Context, r *restjson.Request, name string, notFound error, edit func(*domain.Domain) error) (domain.Domain, error) {
	var out domain.Domain
	err := a.update(ctx, func(tx store.Tx) error {
		prev, seq, err := a.loadDomain(ctx, tx, r, name, notFound)
		if err != nil {
			return err
		}
		d := cloneDomain(prev)
		if err := edit(&d); err != nil {
			return err
		}
		if d.ServingCertificateARN() != prev.ServingCertificateARN() {
			d.CertificateUploadDate = a.now().Unix()
		}
		if err := a.checkDomain(ctx, tx, &d, &prev); err != nil {
			return err
		}
		if m, p := d.MutualTLS, prev.MutualTLS; m != nil && (p == nil || m.TruststoreURI != p.TruststoreURI || m.TruststoreVersion != p.TruststoreVersion) {
			if err := a.setTruststore(&d); err != nil {
				return err
			}
		}
		out = d
		return docstore.Put(ctx, tx, domain.Key(name), seq, d)
	})
	return out, err
}

// cloneDomain copies d deeply enough for edit to change the copy only.
func cloneDomain(d domain.Domain) domain.Domain {
	c := d
	if d.MutualTLS != nil {
		m := *d.MutualTLS
		m.TruststoreWarnings = slices.Clone(m.TruststoreWarnings)
		c.MutualTLS = &m
	}
	c.Tags = maps.Clone(d.Tags)
	return c
}
