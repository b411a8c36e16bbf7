package domains

import (
	"github.com/tollgate/tollgate/internal/awserr"
)

// AWS's answers, with the source of each text. [C] texts are AWS's as
// users quote them in issue threads; [U] texts are Tollgate's where
// AWS's wording is unknown.

// errDomainV1 is apigateway's unknown domain name [C].
var errDomainV1 = awserr.NotFound("Invalid domain name identifier specified")

// errDomainV2 is apigatewayv2's, whose 404 body names the resource type
// [M] (text [U]).
func errDomainV2(name string) error {
	return notFoundV2("DomainName", "Invalid domain name identifier specified %s", name)
}

func notFoundV2(resourceType, format string, args ...any) *awserr.Error {
	e := awserr.NotFound(format, args...)
	e.Fields = map[string]string{"resourceType": resourceType}
	return e
}

// errExists answers a second domain of the same name: 400 through v1,
// 409 through v2, same text [C: Zappa docs; ACK controller].
const msgExists = "The domain name you provided already exists."

// Certificates.
func errNoCertificate(endpoint string) error { // [C: terraform-provider-aws#3276]
	return awserr.BadRequest("A certificate was not provided for the endpoint type %s.", endpoint)
}

func errWrongCertificateMember(given, active string) error { // [C: sst#4131]
	return awserr.BadRequest("Cannot import certificates for %s while %s is active.", given, active)
}

func errCertificateRegion(arn, region string) error { // [C: serverless-domain-manager#49]
	return awserr.BadRequest("Invalid certificate ARN: %s. Certificate must be in '%s'.", arn, region)
}

var (
	errCertificateAccount = awserr.BadRequest("The certificate provided must be owned by the account creating the domain.") // [C: aws-cdk#10529]
	errCertificateMissing = awserr.BadRequest("The provided certificate does not exist")                                    // [C: aws-cdk#3612]
	errCertificateInvalid = awserr.BadRequest("The certificate provided is not valid for the domain name.")                 // [U]
	errOwnershipMissing   = awserr.BadRequest("Missing ownershipVerificationCertificate.")                                  // [C: terraform-provider-aws#35741]
	errOwnershipInvalid   = awserr.BadRequest("The ownership verification certificate must be an ACM-issued certificate for the domain name.")
	errInlineCertificate  = awserr.BadRequest("certificateBody, certificatePrivateKey and certificateChain are not supported: import the certificate into ACM (aws acm import-certificate) and pass its ARN.") // [T]
	errPrivateDomain      = awserr.BadRequest("Private custom domain names are not supported by Tollgate yet.")                                                                                                // [T]
)

// Mappings.
var (
	errSlashV1        = awserr.BadRequest("API Gateway V1 doesn't support the slash character (/) in base path mappings. To create a multi-level base path mapping, use API Gateway V2.") // [C: chalice#1897]
	errMappingKey     = awserr.BadRequest("An ApiMapping key may contain only letters, numbers and one of $-_.+!*'(),")                                                                   // [C: aws-cdk#8983]
	errBasePathExists = awserr.Conflict("Base path already exists for this domain name")                                                                                                  // [C: serverless-domain-manager#214]
	errOnlyOneEmpty   = awserr.Conflict("Only one base path mapping is allowed if the base path is empty.")                                                                               // [C: serverless-domain-manager#179]
	errRestAPI        = awserr.BadRequest("Invalid REST API identifier specified")                                                                                                        // [C: Zappa docs]
	errStage          = awserr.BadRequest("Invalid stage identifier specified")                                                                                                           // [C: serverless#4029]
	errBasePathV1     = awserr.NotFound("Invalid base path mapping identifier specified")                                                                                                 // [C: serverless-domain-manager#613]
	errMultiLevel     = awserr.BadRequest("Multi-level base path mappings are only supported for REGIONAL custom domain names with a TLS 1.2 or enhanced security policy.")               // [U]
	errMixedWebSocket = awserr.BadRequest("A custom domain name cannot map WebSocket APIs together with REST or HTTP APIs.")                                                              // [U]
	errHTTPEnhanced   = awserr.BadRequest("HTTP APIs cannot be mapped to a custom domain name with an enhanced security policy.")                                                         // [U]
	errMappingMode    = awserr.BadRequest("API mappings cannot be created while the custom domain name's routing mode is ROUTING_RULE_ONLY.")                                             // [U]
	errRuleMode       = awserr.BadRequest("Routing rules cannot be created while the custom domain name's routing mode is API_MAPPING_ONLY.")                                             // [U]
	errRulesMixed     = awserr.BadRequest("Routing rules are not supported on a custom domain name that has API mappings to both REST and HTTP APIs.")                                    // [U; D: rest-api-routing-mode considerations]
)

func errMappingV2(id string) error {
	return notFoundV2("ApiMapping", "Invalid api mapping identifier specified %s", id) // [U]
}

func errRule(id string) error {
	return notFoundV2("RoutingRule", "Invalid routing rule identifier specified %s", id) // [U]
}

func errAPIV2(account, id string) error { // as apigatewayv2's unknown API
	return notFoundV2("Api", "Invalid API identifier specified %s:%s", account, id)
}
