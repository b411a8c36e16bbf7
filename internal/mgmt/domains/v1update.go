package domains

import (
	"context"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/patch"
)

// updateDomainNameV1 applies apigateway's patch operations to a domain
// [D: patch-operations, UpdateDomainName]. The result is checked as a new
// domain would be; a changed truststore URI or version re-reads the
// truststore.
func (a *API) updateDomainNameV1(ctx context.Context, r *restjson.Request) (any, error) {
	var in patch.Request
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	patch.Validate(in.PatchOperations, "updateDomainNameInput", &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	name := r.Path("domain_name")
	d, err := a.updateDomain(ctx, r, name, errDomainV1, func(d *domain.Domain) error {
		for _, op := range in.PatchOperations {
			if err := patchDomain(d, op); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a.v1(d), nil
}

// patchDomain applies one operation.
func patchDomain(d *domain.Domain, op patch.Operation) error {
	if op.Op == "copy" || op.Op == "move" || op.Op == "test" {
		return patch.UnsupportedOp(op) // copy is never supported [D]
	}
	val := op.Str()
	str := func(field *string, ops ...string) error {
		if !contains(ops, op.Op) {
			return patch.UnsupportedOp(op)
		}
		if op.Op == "remove" {
			*field = ""
		} else {
			*field = val
		}
		return nil
	}
	seg := patch.Segments(op.Path)
	switch op.Path {
	case "/certificateName":
		return str(&d.CertificateName, "add", "replace", "remove")
	case "/certificateArn":
		return str(&d.CertificateARN, "add", "replace", "remove")
	case "/regionalCertificateName":
		return str(&d.RegionalCertificateName, "add", "replace", "remove")
	case "/regionalCertificateArn":
		return str(&d.RegionalCertificateARN, "add", "replace", "remove")
	case "/securityPolicy":
		if op.Op == "replace" && !contains(domain.PolicyNames, val) {
			var v awserr.Validation
			v.Enum(val, "securityPolicy", domain.PolicyNames)
			return v.Err()
		}
		return str(&d.SecurityPolicy, "replace")
	case "/endpointAccessMode":
		return str(&d.EndpointAccessMode, "replace")
	case "/routingMode":
		if op.Op != "replace" {
			return patch.UnsupportedOp(op)
		}
		if !contains(domain.V1Modes, val) {
			var v awserr.Validation
			v.Enum(val, "routingMode", domain.V1Modes)
			return v.Err()
		}
		d.RoutingMode = domain.RoutingMode(val)
		return nil
	case "/ownershipVerificationCertificateArn":
		return str(&d.OwnershipVerificationCertificateARN, "add", "replace", "remove")
	case "/endpointConfiguration/ipAddressType":
		if op.Op != "replace" {
			return patch.UnsupportedOp(op)
		}
		if !contains(ipAddressTypes, val) {
			var v awserr.Validation
			v.Enum(val, "ipAddressType", ipAddressTypes)
			return v.Err()
		}
		d.IPAddressType = val
		return nil
	case "/mutualTlsAuthentication/truststoreUri", "/mutualTlsAuthentication/truststoreVersion":
		return patchMutualTLS(d, op)
	case "/policy", "/managementPolicy":
		return awserr.BadRequest("%s can only be set on private custom domain names.", op.Path) // [U]
	}
	if len(seg) >= 2 && seg[0] == "endpointConfiguration" && seg[1] == "types" {
		return patchEndpointType(d, op, seg[2:])
	}
	return patch.InvalidPath(op)
}

// patchEndpointType changes the endpoint type: replace
// /endpointConfiguration/types/0 (or /types/{OLD}, as for REST APIs) with
// the new type. A Tollgate domain has one endpoint type at a time, so the
// add-then-remove migration AWS also allows is refused (Tollgate choice).
func patchEndpointType(d *domain.Domain, op patch.Operation, rest []string) error {
	if op.Op != "replace" || len(rest) != 1 || (rest[0] != "0" && rest[0] != d.EndpointType) {
		if op.Op == "add" || op.Op == "remove" {
			return awserr.BadRequest("A Tollgate custom domain name has one endpoint type: migrate it with replace /endpointConfiguration/types/0.") // [T]
		}
		return patch.InvalidPath(op)
	}
	switch op.Str() {
	case domain.Edge, domain.Regional:
		d.EndpointType = op.Str()
		return nil
	case domain.Private:
		return errPrivateDomain
	}
	var v awserr.Validation
	v.Enum(op.Str(), "endpointConfiguration.types", []string{"PRIVATE", "EDGE", "REGIONAL"})
	return v.Err()
}

// patchMutualTLS sets or clears the truststore URI or version. Replacing
// the URI with "" (or removing it) turns mutual TLS off [D].
func patchMutualTLS(d *domain.Domain, op patch.Operation) error {
	if op.Op != "add" && op.Op != "replace" && op.Op != "remove" {
		return patch.UnsupportedOp(op)
	}
	val := op.Str()
	if op.Op == "remove" {
		val = ""
	}
	if op.Path == "/mutualTlsAuthentication/truststoreUri" {
		if val == "" {
			d.MutualTLS = nil
			return nil
		}
		if d.MutualTLS == nil {
			d.MutualTLS = &domain.MutualTLS{}
		}
		d.MutualTLS.TruststoreURI = val
		return nil
	}
	if d.MutualTLS == nil {
		if val == "" {
			return nil
		}
		return awserr.BadRequest("A truststore version needs a truststore URI.") // [U]
	}
	d.MutualTLS.TruststoreVersion = val
	return nil
}
