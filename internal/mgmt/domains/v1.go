package domains

import (
	"context"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// domainV1 is apigateway's DomainName [M], members in the model's order.
type domainV1 struct {
	DomainName                          string                `json:"domainName"`
	DomainNameArn                       string                `json:"domainNameArn"`
	CertificateName                     string                `json:"certificateName,omitempty"`
	CertificateArn                      string                `json:"certificateArn,omitempty"`
	CertificateUploadDate               model.Time            `json:"certificateUploadDate"`
	RegionalDomainName                  string                `json:"regionalDomainName,omitempty"`
	RegionalHostedZoneID                string                `json:"regionalHostedZoneId,omitempty"`
	RegionalCertificateName             string                `json:"regionalCertificateName,omitempty"`
	RegionalCertificateArn              string                `json:"regionalCertificateArn,omitempty"`
	DistributionDomainName              string                `json:"distributionDomainName,omitempty"`
	DistributionHostedZoneID            string                `json:"distributionHostedZoneId,omitempty"`
	EndpointConfiguration               endpointConfiguration `json:"endpointConfiguration"`
	DomainNameStatus                    string                `json:"domainNameStatus"`
	SecurityPolicy                      string                `json:"securityPolicy"`
	EndpointAccessMode                  string                `json:"endpointAccessMode,omitempty"`
	Tags                                map[string]string     `json:"tags,omitempty"`
	MutualTLSAuthentication             *mutualTLS            `json:"mutualTlsAuthentication,omitempty"`
	OwnershipVerificationCertificateArn string                `json:"ownershipVerificationCertificateArn,omitempty"`
	RoutingMode                         string                `json:"routingMode"`
}

type endpointConfiguration struct {
	Types         []string `json:"types"`
	IPAddressType string   `json:"ipAddressType"`
}

// mutualTLS is the MutualTlsAuthentication output of both APIs.
type mutualTLS struct {
	TruststoreURI      string   `json:"truststoreUri"`
	TruststoreVersion  string   `json:"truststoreVersion,omitempty"`
	TruststoreWarnings []string `json:"truststoreWarnings,omitempty"`
}

// mutualTLSOf renders a domain's mutual TLS settings (never the
// truststore itself).
func mutualTLSOf(m *domain.MutualTLS) *mutualTLS {
	if m == nil {
		return nil
	}
	return &mutualTLS{TruststoreURI: m.TruststoreURI, TruststoreVersion: m.TruststoreVersion, TruststoreWarnings: m.TruststoreWarnings}
}

// statusAvailable: changes are synchronous, so every domain is AVAILABLE
// (Tollgate choice).
const statusAvailable = "AVAILABLE"

// CloudFront's hosted zone, the same for every distribution [M][X].
const cloudFrontZone = "Z2FDTNDATAQYW2"

// regionalZones are API Gateway's Regional hosted zone ids: us-east-1
// [X] and us-west-2 [D]; the others are from AWS's endpoints table [U].
var regionalZones = map[string]string{
	"us-east-1": "Z1UJRXOUMOOFQ8", "us-east-2": "ZOJJZC49E0EPZ", "us-west-1": "Z2MUQ32089INYE", "us-west-2": "Z2OJLYMUO9EFXC",
	"ca-central-1": "Z19DQILCV0OWEC", "eu-central-1": "Z1U9ULNL0V5AJ3", "eu-west-1": "ZLY8HYME6SFDD", "eu-west-2": "ZJ5UAJN8Y3Z2Q",
	"eu-west-3": "Z3KY65QIEKYHQQ", "eu-north-1": "Z3UWIKFBOOGXPP", "ap-northeast-1": "Z1YSHQZHG15GKL", "ap-northeast-2": "Z20JF4UZKIW1U8",
	"ap-southeast-1": "ZL327KTPIQFUL", "ap-southeast-2": "Z2RPCDW04V8134", "ap-south-1": "Z3VO1THU9YC4UR", "sa-east-1": "ZCMLWB8V5SYIT",
}

func (a *API) regionalZone() string {
	if z, ok := regionalZones[a.region]; ok {
		return z
	}
	return regionalZones["us-east-1"]
}

// regionalHost and edgeHost are the AWS host names the domain would have
// (cosmetic here: Tollgate serves every domain itself).
func (a *API) regionalHost(d *domain.Domain) string {
	return "d-" + d.HostID[len(d.HostID)-10:] + ".execute-api." + a.region + ".amazonaws.com"
}

func edgeHost(d *domain.Domain) string { return "d" + d.HostID + ".cloudfront.net" }

func (a *API) v1(d domain.Domain) domainV1 {
	out := domainV1{
		DomainName:                          d.Name,
		DomainNameArn:                       domain.ARN(a.region, d.Name),
		CertificateName:                     d.CertificateName,
		CertificateArn:                      d.CertificateARN,
		CertificateUploadDate:               model.Time(d.CertificateUploadDate),
		RegionalCertificateName:             d.RegionalCertificateName,
		RegionalCertificateArn:              d.RegionalCertificateARN,
		EndpointConfiguration:               endpointConfiguration{Types: []string{d.EndpointType}, IPAddressType: d.IPAddressType},
		DomainNameStatus:                    statusAvailable,
		SecurityPolicy:                      d.SecurityPolicy,
		EndpointAccessMode:                  d.EndpointAccessMode,
		Tags:                                d.Tags,
		MutualTLSAuthentication:             mutualTLSOf(d.MutualTLS),
		OwnershipVerificationCertificateArn: d.OwnershipVerificationCertificateARN,
		RoutingMode:                         string(d.RoutingMode),
	}
	if d.EndpointType == domain.Regional {
		out.RegionalDomainName, out.RegionalHostedZoneID = a.regionalHost(&d), a.regionalZone()
	} else {
		out.DistributionDomainName, out.DistributionHostedZoneID = edgeHost(&d), cloudFrontZone
	}
	return out
}

type endpointConfigurationInput struct {
	Types          []string `json:"types"`
	IPAddressType  *string  `json:"ipAddressType"`
	VpcEndpointIDs []string `json:"vpcEndpointIds"`
}

type mutualTLSInput struct {
	TruststoreURI     *string `json:"truststoreUri"`
	TruststoreVersion *string `json:"truststoreVersion"`
}

type createV1Input struct {
	DomainName                          *string                     `json:"domainName"`
	CertificateName                     *string                     `json:"certificateName"`
	CertificateBody                     *string                     `json:"certificateBody"`
	CertificatePrivateKey               *string                     `json:"certificatePrivateKey"`
	CertificateChain                    *string                     `json:"certificateChain"`
	CertificateArn                      *string                     `json:"certificateArn"`
	RegionalCertificateName             *string                     `json:"regionalCertificateName"`
	RegionalCertificateArn              *string                     `json:"regionalCertificateArn"`
	EndpointConfiguration               *endpointConfigurationInput `json:"endpointConfiguration"`
	Tags                                map[string]string           `json:"tags"`
	SecurityPolicy                      *string                     `json:"securityPolicy"`
	EndpointAccessMode                  *string                     `json:"endpointAccessMode"`
	MutualTLSAuthentication             *mutualTLSInput             `json:"mutualTlsAuthentication"`
	OwnershipVerificationCertificateArn *string                     `json:"ownershipVerificationCertificateArn"`
	Policy                              *string                     `json:"policy"`
	RoutingMode                         *string                     `json:"routingMode"`
}

// endpointAccessModes and ipAddressTypes are enums of the model [M].
var (
	endpointAccessModes = []string{"BASIC", "STRICT"}
	ipAddressTypes      = []string{"ipv4", "dualstack"}
)

func (a *API) createDomainNameV1(ctx context.Context, r *restjson.Request) (any, error) {
	var in createV1Input
	// The deprecated inline private key is wiped once read.
	defer func() {
		if in.CertificatePrivateKey != nil {
			*in.CertificatePrivateKey = ""
		}
	}()
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.DomainName == nil {
		nullAt(&v, "createDomainNameInput.domainName")
	}
	if in.SecurityPolicy != nil && !contains(domain.PolicyNames, *in.SecurityPolicy) {
		v.Enum(*in.SecurityPolicy, "createDomainNameInput.securityPolicy", domain.PolicyNames)
	}
	if in.EndpointAccessMode != nil && !contains(endpointAccessModes, *in.EndpointAccessMode) {
		v.Enum(*in.EndpointAccessMode, "createDomainNameInput.endpointAccessMode", endpointAccessModes)
	}
	if in.RoutingMode != nil && !contains(domain.V1Modes, *in.RoutingMode) {
		v.Enum(*in.RoutingMode, "createDomainNameInput.routingMode", domain.V1Modes)
	}
	if ec := in.EndpointConfiguration; ec != nil {
		for _, t := range ec.Types {
			if !contains(model.EndpointTypes, t) {
				v.EnumList(ec.Types, "createDomainNameInput.endpointConfiguration.types", model.EndpointTypes)
				break
			}
		}
		if ec.IPAddressType != nil && !contains(ipAddressTypes, *ec.IPAddressType) {
			v.Enum(*ec.IPAddressType, "createDomainNameInput.endpointConfiguration.ipAddressType", ipAddressTypes)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if in.CertificateBody != nil || in.CertificatePrivateKey != nil || in.CertificateChain != nil {
		return nil, errInlineCertificate
	}
	if err := checkName(*in.DomainName); err != nil {
		return nil, err
	}
	now := a.now()
	d := a.newDomain(*in.DomainName, now)
	d.EndpointType = domain.Edge // the v1 default [X]
	if ec := in.EndpointConfiguration; ec != nil {
		if ec.Types != nil {
			switch len(ec.Types) {
			case 0:
				return nil, awserr.BadRequest("REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.") // as for REST APIs [V]
			case 1:
				d.EndpointType = ec.Types[0]
			default:
				return nil, awserr.BadRequest("Cannot create a domain name with multiple endpoint types.") // [U]
			}
		}
		if ec.IPAddressType != nil {
			d.IPAddressType = *ec.IPAddressType
		}
		if len(ec.VpcEndpointIDs) > 0 {
			return nil, errPrivateDomain
		}
	}
	if in.Policy != nil {
		return nil, errPrivateDomain
	}
	d.CertificateName, d.CertificateARN = deref(in.CertificateName), deref(in.CertificateArn)
	d.RegionalCertificateName, d.RegionalCertificateARN = deref(in.RegionalCertificateName), deref(in.RegionalCertificateArn)
	if in.SecurityPolicy != nil {
		d.SecurityPolicy = *in.SecurityPolicy
	}
	d.EndpointAccessMode = deref(in.EndpointAccessMode)
	if in.RoutingMode != nil {
		d.RoutingMode = domain.RoutingMode(*in.RoutingMode)
	}
	d.OwnershipVerificationCertificateARN = deref(in.OwnershipVerificationCertificateArn)
	if m := in.MutualTLSAuthentication; m != nil && deref(m.TruststoreURI) != "" {
		d.MutualTLS = &domain.MutualTLS{TruststoreURI: *m.TruststoreURI, TruststoreVersion: deref(m.TruststoreVersion)}
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	d.Tags = in.Tags
	if err := a.create(ctx, &d, awserr.BadRequest(msgExists)); err != nil {
		return nil, err
	}
	return a.v1(d), nil
}

// create checks and stores a new domain; exists is the API's answer for
// a name already taken.
func (a *API) create(ctx context.Context, d *domain.Domain, exists error) error {
	return a.update(ctx, func(tx store.Tx) error {
		taken, err := docstore.Exists(ctx, tx, domain.Key(d.Name))
		if err != nil {
			return err
		}
		if taken {
			return exists
		}
		if err := countDomains(ctx, tx); err != nil {
			return err
		}
		if err := a.checkDomain(ctx, tx, d, nil); err != nil {
			return err
		}
		if err := a.setTruststore(d); err != nil {
			return err
		}
		return docstore.Put(ctx, tx, domain.Key(d.Name), a.seq.Next(), *d)
	})
}

func (a *API) getDomainNameV1(ctx context.Context, r *restjson.Request) (any, error) {
	name := r.Path("domain_name")
	d, err := docstore.Read(ctx, a.store, func(rd store.Reader) (domain.Domain, int64, error) {
		return a.loadDomain(ctx, rd, r, name, errDomainV1)
	})
	if err != nil {
		return nil, err
	}
	return a.v1(d), nil
}

// getDomainNamesV1 lists the account's domain names in creation order.
// resourceOwner=OTHER_ACCOUNTS lists private domains shared with the
// caller, of which Tollgate has none.
func (a *API) getDomainNamesV1(ctx context.Context, r *restjson.Request) (any, error) {
	if owner, ok := r.Query("resourceOwner"); ok {
		if owner != "SELF" && owner != "OTHER_ACCOUNTS" {
			var v awserr.Validation
			v.Enum(owner, "resourceOwner", []string{"SELF", "OTHER_ACCOUNTS"})
			return nil, v.Err()
		}
		if owner == "OTHER_ACCOUNTS" {
			return restjson.List[domainV1]{Item: []domainV1{}}, nil
		}
	}
	ds, err := a.listDomains(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]domainV1, len(ds))
	for i, d := range ds {
		items[i] = a.v1(d)
	}
	page, err := restjson.Paginate(r, items, func(d domainV1) string { return d.DomainName })
	if err != nil {
		return nil, err
	}
	if page.Item == nil {
		page.Item = []domainV1{}
	}
	return page, nil
}

// listDomains reads every domain name, in the store's order.
func (a *API) listDomains(ctx context.Context) ([]domain.Domain, error) {
	var ds []domain.Domain
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		ds, err = docstore.List[domain.Domain](ctx, rd, domain.PrefixDomains)
		return err
	})
	return ds, err
}

// deleteDomainName deletes a domain name with its mappings and routing
// rules [U: AWS may refuse while mappings exist].
func (a *API) deleteDomainName(ctx context.Context, r *restjson.Request) (any, error) {
	return nil, a.deleteDomain(ctx, r, r.Path("domain_name"), errDomainV1)
}

func (a *API) deleteDomain(ctx context.Context, r *restjson.Request, name string, notFound error) error {
	return a.update(ctx, func(tx store.Tx) error {
		if _, _, err := a.loadDomain(ctx, tx, r, name, notFound); err != nil {
			return err
		}
		if err := tx.Delete(ctx, domain.Key(name)); err != nil {
			return err
		}
		if _, err := tx.DeletePrefix(ctx, domain.MappingsPrefix(name)); err != nil {
			return err
		}
		_, err := tx.DeletePrefix(ctx, domain.RulesPrefix(name))
		return err
	})
}
