package domains

import (
	"context"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// domainV2 is apigatewayv2's DomainName [M][X]: the same domain, its
// endpoint in domainNameConfigurations[0].
type domainV2 struct {
	APIMappingSelectionExpression string            `json:"apiMappingSelectionExpression"`
	DomainName                    string            `json:"domainName"`
	DomainNameArn                 string            `json:"domainNameArn"`
	DomainNameConfigurations      []configV2        `json:"domainNameConfigurations"`
	MutualTLSAuthentication       *mutualTLS        `json:"mutualTlsAuthentication,omitempty"`
	RoutingMode                   string            `json:"routingMode"`
	Tags                          map[string]string `json:"tags"`
}

// configV2 is a DomainNameConfiguration [M].
type configV2 struct {
	APIGatewayDomainName                string       `json:"apiGatewayDomainName"`
	CertificateArn                      string       `json:"certificateArn"`
	CertificateName                     string       `json:"certificateName,omitempty"`
	CertificateUploadDate               modelv2.Time `json:"certificateUploadDate"`
	DomainNameStatus                    string       `json:"domainNameStatus"`
	EndpointType                        string       `json:"endpointType"`
	HostedZoneID                        string       `json:"hostedZoneId"`
	IPAddressType                       string       `json:"ipAddressType"`
	SecurityPolicy                      string       `json:"securityPolicy"`
	OwnershipVerificationCertificateArn string       `json:"ownershipVerificationCertificateArn,omitempty"`
}

func (a *API) v2(d domain.Domain) domainV2 {
	c := configV2{
		CertificateUploadDate:               modelv2.Time(d.CertificateUploadDate),
		DomainNameStatus:                    statusAvailable,
		EndpointType:                        d.EndpointType,
		IPAddressType:                       d.IPAddressType,
		SecurityPolicy:                      d.SecurityPolicy,
		OwnershipVerificationCertificateArn: d.OwnershipVerificationCertificateARN,
	}
	if d.EndpointType == domain.Regional {
		c.APIGatewayDomainName, c.HostedZoneID = a.regionalHost(&d), a.regionalZone()
		c.CertificateArn, c.CertificateName = d.RegionalCertificateARN, d.RegionalCertificateName
	} else {
		c.APIGatewayDomainName, c.HostedZoneID = edgeHost(&d), cloudFrontZone
		c.CertificateArn, c.CertificateName = d.CertificateARN, d.CertificateName
	}
	tags := d.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return domainV2{
		APIMappingSelectionExpression: "$request.basepath",
		DomainName:                    d.Name,
		DomainNameArn:                 domain.ARN(a.region, d.Name),
		DomainNameConfigurations:      []configV2{c},
		MutualTLSAuthentication:       mutualTLSOf(d.MutualTLS),
		RoutingMode:                   d.RoutingMode.V2(),
		Tags:                          tags,
	}
}

type configV2Input struct {
	CertificateArn                      *string `json:"certificateArn"`
	CertificateName                     *string `json:"certificateName"`
	EndpointType                        *string `json:"endpointType"`
	SecurityPolicy                      *string `json:"securityPolicy"`
	OwnershipVerificationCertificateArn *string `json:"ownershipVerificationCertificateArn"`
	IPAddressType                       *string `json:"ipAddressType"`
}

type domainV2Input struct {
	DomainName               *string           `json:"domainName"`
	DomainNameConfigurations []configV2Input   `json:"domainNameConfigurations"`
	MutualTLSAuthentication  *mutualTLSInput   `json:"mutualTlsAuthentication"`
	RoutingMode              *string           `json:"routingMode"`
	Tags                     map[string]string `json:"tags"`
}

// v2 enumerations [M].
var (
	endpointTypesV2    = []string{"REGIONAL", "EDGE"}
	securityPoliciesV2 = []string{"TLS_1_0", "TLS_1_2"}
)

// decodeV2 reads a v2 body: the protocol's serialization errors are
// BadRequestExceptions, as for the other apigatewayv2 operations.
func decodeV2(r *restjson.Request, v any) error {
	err := r.Decode(v)
	if e, ok := awserr.As(err); ok && e.Code == "SerializationException" {
		return awserr.BadRequest("%s", e.Message)
	}
	return err
}

// checkV2Input checks the members both CreateDomainName and
// UpdateDomainName take; apigatewayv2 reports one problem at a time
// (texts [U], in apigatewayv2's style).
func checkV2Input(in *domainV2Input) error {
	if in.DomainNameConfigurations != nil && len(in.DomainNameConfigurations) != 1 {
		return awserr.BadRequest("Invalid input. Expected one domain name configuration") // [C: terraform-provider-aws#18312]
	}
	for _, c := range in.DomainNameConfigurations {
		if err := enumV2(c.EndpointType, "endpointType", endpointTypesV2); err != nil {
			return err
		}
		if err := enumV2(c.SecurityPolicy, "securityPolicy", securityPoliciesV2); err != nil {
			return err
		}
		if err := enumV2(c.IPAddressType, "ipAddressType", ipAddressTypes); err != nil {
			return err
		}
	}
	if err := enumV2(in.RoutingMode, "routingMode", domain.V2Modes); err != nil {
		return err
	}
	if m := in.MutualTLSAuthentication; m != nil && m.TruststoreVersion != nil && (len(*m.TruststoreVersion) < 1 || len(*m.TruststoreVersion) > 64) {
		return awserr.BadRequest("truststoreVersion must be between 1 and 64 characters long")
	}
	return nil
}

func enumV2(v *string, member string, allowed []string) error {
	if v != nil && !contains(allowed, *v) {
		return awserr.BadRequest("Invalid %s specified. Must be one of %v", member, allowed)
	}
	return nil
}

// applyConfigV2 sets a domain's endpoint from a DomainNameConfiguration:
// certificateArn is the edge or the regional certificate by endpoint type.
func applyConfigV2(d *domain.Domain, c configV2Input) {
	arn, name := d.ServingCertificateARN(), d.CertificateName
	if d.EndpointType == domain.Regional {
		name = d.RegionalCertificateName
	}
	if c.EndpointType != nil {
		d.EndpointType = *c.EndpointType
	}
	if c.CertificateArn != nil {
		arn = *c.CertificateArn
	}
	if c.CertificateName != nil {
		name = *c.CertificateName
	}
	d.CertificateARN, d.CertificateName, d.RegionalCertificateARN, d.RegionalCertificateName = "", "", "", ""
	if d.EndpointType == domain.Regional {
		d.RegionalCertificateARN, d.RegionalCertificateName = arn, name
	} else {
		d.CertificateARN, d.CertificateName = arn, name
	}
	if c.SecurityPolicy != nil {
		d.SecurityPolicy = *c.SecurityPolicy
	}
	if c.IPAddressType != nil {
		d.IPAddressType = *c.IPAddressType
	}
	if c.OwnershipVerificationCertificateArn != nil {
		d.OwnershipVerificationCertificateARN = *c.OwnershipVerificationCertificateArn
	}
}

// applyMutualTLSV2 sets or (with an empty URI) clears mutual TLS.
func applyMutualTLSV2(d *domain.Domain, m *mutualTLSInput) {
	if m == nil {
		return
	}
	if m.TruststoreURI != nil {
		if *m.TruststoreURI == "" {
			d.MutualTLS = nil
			return
		}
		if d.MutualTLS == nil {
			d.MutualTLS = &domain.MutualTLS{}
		}
		d.MutualTLS.TruststoreURI = *m.TruststoreURI
	}
	if m.TruststoreVersion != nil && d.MutualTLS != nil {
		d.MutualTLS.TruststoreVersion = *m.TruststoreVersion
	}
}

func (a *API) createDomainNameV2(ctx context.Context, r *restjson.Request) (any, error) {
	var in domainV2Input
	if err := decodeV2(r, &in); err != nil {
		return nil, err
	}
	if in.DomainName == nil {
		return nil, awserr.BadRequest("domainName is a required parameter") // [U]
	}
	if err := checkV2Input(&in); err != nil {
		return nil, err
	}
	if err := checkName(*in.DomainName); err != nil {
		return nil, err
	}
	d := a.newDomain(*in.DomainName, a.now())
	d.EndpointType = domain.Regional // the v2 default [U]
	for _, c := range in.DomainNameConfigurations {
		applyConfigV2(&d, c)
	}
	applyMutualTLSV2(&d, in.MutualTLSAuthentication)
	if in.RoutingMode != nil {
		d.RoutingMode, _ = domain.ParseV2(*in.RoutingMode)
	}
	if err := validateTagsV2(in.Tags); err != nil {
		return nil, err
	}
	d.Tags = in.Tags
	if err := a.create(ctx, &d, awserr.Conflict(msgExists)); err != nil {
		return nil, err
	}
	return a.v2(d), nil
}

func (a *API) getDomainNameV2(ctx context.Context, r *restjson.Request) (any, error) {
	name := r.Path("domainName")
	d, err := docstore.Read(ctx, a.store, func(rd store.Reader) (domain.Domain, int64, error) {
		return a.loadDomain(ctx, rd, r, name, errDomainV2(name))
	})
	if err != nil {
		return nil, err
	}
	return a.v2(d), nil
}

func (a *API) getDomainNamesV2(ctx context.Context, r *restjson.Request) (any, error) {
	ds, err := a.listDomains(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]domainV2, len(ds))
	for i, d := range ds {
		items[i] = a.v2(d)
	}
	page, err := restjson.PaginateItems(r, items, func(d domainV2) string { return d.DomainName })
	if err != nil {
		return nil, err
	}
	if page.Items == nil {
		page.Items = []domainV2{}
	}
	return page, nil
}

// updateDomainNameV2 applies a partial update: members left out are
// unchanged; a truststoreUri of "" turns mutual TLS off.
func (a *API) updateDomainNameV2(ctx context.Context, r *restjson.Request) (any, error) {
	var in domainV2Input
	if err := decodeV2(r, &in); err != nil {
		return nil, err
	}
	if err := checkV2Input(&in); err != nil {
		return nil, err
	}
	name := r.Path("domainName")
	d, err := a.updateDomain(ctx, r, name, errDomainV2(name), func(d *domain.Domain) error {
		for _, c := range in.DomainNameConfigurations {
			applyConfigV2(d, c)
		}
		applyMutualTLSV2(d, in.MutualTLSAuthentication)
		if in.RoutingMode != nil {
			d.RoutingMode, _ = domain.ParseV2(*in.RoutingMode)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a.v2(d), nil
}

func (a *API) deleteDomainNameV2(ctx context.Context, r *restjson.Request) (any, error) {
	name := r.Path("domainName")
	return nil, a.deleteDomain(ctx, r, name, errDomainV2(name))
}
