package mgmt_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"testing"
	"time"
)

// testCertificate makes a self-signed certificate for names with a fixed
// serial and validity (2026-01-01 to 2027-12-31, around fixedNow), so that
// everything ACM reports about it is reproducible. It returns the PEM
// certificate and key, base64-encoded as the SDKs send blobs.
func testCertificate(t *testing.T, serial int64, names ...string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{Organization: []string{"Example"}, CommonName: names[0]},
		DNSNames: names, NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := x509.MarshalPKCS8PrivateKey(k)
	enc := base64.StdEncoding.EncodeToString
	return enc(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), enc(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}))
}

// goldenDomainsScenario calls every custom domain, mapping, routing rule
// and ACM operation once, and the main refusals, through both APIs: a
// domain created through apigateway is read through apigatewayv2 and the
// other way round.
func goldenDomainsScenario(t *testing.T) []goldenStep {
	cert, key := testCertificate(t, 4660, "api.example.test", "*.example.test")
	other, otherKey := testCertificate(t, 4661, "other.test")
	api := "/restapis/{{api}}"
	dn := "/domainnames/api.example.test"
	v2 := "/v2/domainnames/api.example.test"
	arnPath := "arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fdomainnames%2Fapi.example.test"
	rule := func(priority int, apiID string, conds ...map[string]any) map[string]any {
		if conds == nil {
			conds = []map[string]any{} // a catch-all rule
		}
		return map[string]any{"priority": priority, "conditions": conds,
			"actions": []map[string]any{{"invokeApi": map[string]any{"apiId": apiID, "stage": "prod"}}}}
	}
	header := func(name, glob string) map[string]any {
		return map[string]any{"matchHeaders": map[string]any{"anyOf": []map[string]string{{"header": name, "valueGlob": glob}}}}
	}
	basePath := func(p string) map[string]any {
		return map[string]any{"matchBasePaths": map[string]any{"anyOf": []string{p}}}
	}
	return []goldenStep{
		// What the domains route to: a REST API with a prod stage, an HTTP
		// API ($default) and a WebSocket API.
		{"CreateRestApi", "POST", "/restapis", map[string]any{"name": "shop"}, map[string]string{"api": "id", "root": "rootResourceId"}},
		{"PutMethod", "PUT", api + "/resources/{{root}}/methods/GET", map[string]any{"authorizationType": "NONE"}, nil},
		{"PutIntegration", "PUT", api + "/resources/{{root}}/methods/GET/integration", map[string]any{"type": "MOCK"}, nil},
		{"CreateDeployment", "POST", api + "/deployments", map[string]any{"stageName": "prod"}, nil},
		{"CreateApi-http", "POST", "/v2/apis", map[string]any{"name": "h", "protocolType": "HTTP", "target": "https://example.com"}, map[string]string{"http": "apiId"}},
		{"CreateApi-websocket", "POST", "/v2/apis", map[string]any{"name": "ws", "protocolType": "WEBSOCKET", "routeSelectionExpression": "$request.body.action"}, map[string]string{"ws": "apiId"}},
		{"CreateStage-websocket", "POST", "/v2/apis/{{ws}}/stages", map[string]any{"stageName": "live"}, nil},

		// Certificates.
		{"ImportCertificate", "ACM", "ImportCertificate", map[string]any{"Certificate": cert, "PrivateKey": key, "Tags": []map[string]string{{"Key": "team", "Value": "edge"}}}, map[string]string{"cert": "CertificateArn"}},
		{"ImportCertificate-other", "ACM", "ImportCertificate", map[string]any{"Certificate": other, "PrivateKey": otherKey}, map[string]string{"other": "CertificateArn"}},
		{"RequestCertificate", "ACM", "RequestCertificate", map[string]any{"DomainName": "mtls.example.test", "ValidationMethod": "DNS"}, map[string]string{"owner": "CertificateArn"}},
		{"DescribeCertificate", "ACM", "DescribeCertificate", map[string]any{"CertificateArn": "{{cert}}"}, nil},
		{"DescribeCertificate-requested", "ACM", "DescribeCertificate", map[string]any{"CertificateArn": "{{owner}}"}, nil},
		{"GetCertificate", "ACM", "GetCertificate", map[string]any{"CertificateArn": "{{cert}}"}, nil},
		{"ListCertificates", "ACM", "ListCertificates", map[string]any{"Includes": map[string]any{"keyTypes": []string{"EC_prime256v1", "RSA_2048"}}}, nil},
		{"ListTagsForCertificate", "ACM", "ListTagsForCertificate", map[string]any{"CertificateArn": "{{cert}}"}, nil},
		{"Error-ImportGarbage", "ACM", "ImportCertificate", map[string]any{"Certificate": "Q0VSVDEyMw==", "PrivateKey": "S0VZMTIz"}, nil},
		{"Error-DescribeUnknown", "ACM", "DescribeCertificate", map[string]any{"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-4000-8000-999999999999"}, nil},

		// Domain names through apigateway.
		{"CreateDomainName", "POST", "/domainnames", map[string]any{"domainName": "api.example.test", "regionalCertificateArn": "{{cert}}",
			"endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}, "securityPolicy": "TLS_1_2", "tags": map[string]string{"env": "dev"}}, nil},
		{"CreateDomainName-edge", "POST", "/domainnames", map[string]any{"domainName": "edge.example.test", "certificateArn": "{{cert}}", "certificateName": "edge"}, nil},
		{"CreateDomainName-enhanced", "POST", "/domainnames", map[string]any{"domainName": "strict.example.test", "regionalCertificateArn": "{{cert}}",
			"endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}, "securityPolicy": "SecurityPolicy_TLS13_1_2_2021_06", "endpointAccessMode": "STRICT"}, nil},
		{"Error-CreateDomainName-exists", "POST", "/domainnames", map[string]any{"domainName": "api.example.test", "regionalCertificateArn": "{{cert}}", "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}}, nil},
		{"Error-CreateDomainName-noCertificate", "POST", "/domainnames", map[string]any{"domainName": "x.example.test", "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}}, nil},
		{"Error-CreateDomainName-edgeMember", "POST", "/domainnames", map[string]any{"domainName": "x.example.test", "certificateArn": "{{cert}}", "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}}, nil},
		{"Error-CreateDomainName-notCovered", "POST", "/domainnames", map[string]any{"domainName": "x.example.test", "regionalCertificateArn": "{{other}}", "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}}, nil},
		{"Error-CreateDomainName-unknownCertificate", "POST", "/domainnames", map[string]any{"domainName": "x.example.test", "certificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-4000-8000-999999999999"}, nil},
		{"Error-CreateDomainName-region", "POST", "/domainnames", map[string]any{"domainName": "x.example.test", "certificateArn": "arn:aws:acm:eu-west-1:000000000000:certificate/00000000-0000-4000-8000-000000000001"}, nil},
		{"Error-CreateDomainName-upperCase", "POST", "/domainnames", map[string]any{"domainName": "API.example.test", "certificateArn": "{{cert}}"}, nil},
		{"Error-CreateDomainName-policyEnum", "POST", "/domainnames", map[string]any{"domainName": "x.example.test", "certificateArn": "{{cert}}", "securityPolicy": "TLS_9"}, nil},
		{"Error-CreateDomainName-accessMode", "POST", "/domainnames", map[string]any{"domainName": "x.example.test", "regionalCertificateArn": "{{cert}}",
			"endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}, "securityPolicy": "SecurityPolicy_TLS13_1_3_2025_09"}, nil},
		{"Error-CreateDomainName-edgePolicy", "POST", "/domainnames", map[string]any{"domainName": "x.example.test", "regionalCertificateArn": "{{cert}}",
			"endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}, "securityPolicy": "SecurityPolicy_TLS13_2025_EDGE", "endpointAccessMode": "BASIC"}, nil},
		{"Error-CreateDomainName-missing", "POST", "/domainnames", map[string]any{}, nil},
		{"GetDomainName", "GET", dn, nil, nil},
		{"GetDomainNames", "GET", "/domainnames?limit=2", nil, nil},
		{"GetDomainName-v2", "GET", v2, nil, nil},
		{"Error-GetDomainName", "GET", "/domainnames/nope.example.test", nil, nil},
		{"Error-GetDomainName-v2", "GET", "/v2/domainnames/nope.example.test", nil, nil},
		{"UpdateDomainName", "PATCH", dn, patchOps("replace", "/routingMode", "ROUTING_RULE_THEN_BASE_PATH_MAPPING"), nil},
		{"Error-UpdateDomainName-path", "PATCH", dn, patchOps("replace", "/domainName", "x"), nil},
		{"Error-UpdateDomainName-op", "PATCH", dn, patchOps("copy", "/securityPolicy", "TLS_1_0"), nil},

		// Mappings: a single-level base path through v1, a multi-level one
		// through v2, both seen through both.
		{"CreateBasePathMapping", "POST", dn + "/basepathmappings", map[string]any{"basePath": "orders", "restApiId": "{{api}}", "stage": "prod"}, nil},
		{"Error-CreateBasePathMapping-slash", "POST", dn + "/basepathmappings", map[string]any{"basePath": "v1/orders", "restApiId": "{{api}}"}, nil},
		{"Error-CreateBasePathMapping-exists", "POST", dn + "/basepathmappings", map[string]any{"basePath": "orders", "restApiId": "{{api}}"}, nil},
		{"Error-CreateBasePathMapping-api", "POST", dn + "/basepathmappings", map[string]any{"basePath": "x", "restApiId": "nosuchapi0"}, nil},
		{"Error-CreateBasePathMapping-stage", "POST", dn + "/basepathmappings", map[string]any{"basePath": "x", "restApiId": "{{api}}", "stage": "nope"}, nil},
		{"Error-CreateBasePathMapping-httpApi", "POST", dn + "/basepathmappings", map[string]any{"basePath": "x", "restApiId": "{{http}}"}, nil},
		{"CreateApiMapping", "POST", v2 + "/apimappings", map[string]any{"apiId": "{{api}}", "stage": "prod", "apiMappingKey": "v1/orders"}, map[string]string{"map": "apiMappingId"}},
		{"Error-CreateApiMapping-key", "POST", v2 + "/apimappings", map[string]any{"apiId": "{{api}}", "stage": "prod", "apiMappingKey": "v1//x"}, nil},
		{"Error-CreateApiMapping-mixed", "POST", v2 + "/apimappings", map[string]any{"apiId": "{{http}}", "stage": "$default", "apiMappingKey": "h"}, nil},
		{"Error-CreateApiMapping-edgeMultiLevel", "POST", "/v2/domainnames/edge.example.test/apimappings", map[string]any{"apiId": "{{api}}", "stage": "prod", "apiMappingKey": "a/b"}, nil},
		{"Error-CreateApiMapping-websocketMixed", "POST", v2 + "/apimappings", map[string]any{"apiId": "{{ws}}", "stage": "live", "apiMappingKey": "ws"}, nil},
		{"Error-CreateApiMapping-stage", "POST", v2 + "/apimappings", map[string]any{"apiId": "{{api}}", "stage": "nope", "apiMappingKey": "x"}, nil},
		{"Error-CreateApiMapping-api", "POST", v2 + "/apimappings", map[string]any{"apiId": "nosuchapi0", "stage": "prod"}, nil},
		{"CreateApiMapping-http", "POST", "/v2/domainnames/edge.example.test/apimappings", map[string]any{"apiId": "{{http}}", "stage": "$default"}, nil},
		{"GetBasePathMappings", "GET", dn + "/basepathmappings", nil, nil},
		{"GetBasePathMapping", "GET", dn + "/basepathmappings/v1%2Forders", nil, nil},
		{"GetApiMappings", "GET", v2 + "/apimappings", nil, nil},
		{"GetApiMapping", "GET", v2 + "/apimappings/{{map}}", nil, nil},
		{"UpdateBasePathMapping", "PATCH", dn + "/basepathmappings/orders", patchOps("replace", "/basePath", "shop"), nil},
		{"UpdateApiMapping", "PATCH", v2 + "/apimappings/{{map}}", map[string]any{"apiId": "{{api}}", "apiMappingKey": "v2/orders"}, nil},
		{"Error-GetBasePathMapping", "GET", dn + "/basepathmappings/nope", nil, nil},
		{"Error-GetApiMapping", "GET", v2 + "/apimappings/nosuchmap0", nil, nil},
		{"Error-DeleteRestApi-mapped", "DELETE", api, nil, nil},
		{"Error-UpdateDomainName-multiLevelPolicy", "PATCH", dn, patchOps("replace", "/securityPolicy", "TLS_1_0"), nil},

		// Routing rules.
		{"CreateRoutingRule", "POST", v2 + "/routingrules", rule(50, "{{api}}", header("x-version", "beta*"), basePath("orders")), map[string]string{"rule": "routingRuleId"}},
		{"CreateRoutingRule-catchAll", "POST", v2 + "/routingrules", rule(1000, "{{api}}"), nil},
		{"Error-CreateRoutingRule-priority", "POST", v2 + "/routingrules", rule(50, "{{api}}"), nil},
		{"Error-CreateRoutingRule-httpTarget", "POST", v2 + "/routingrules", rule(60, "{{http}}"), nil},
		{"Error-CreateRoutingRule-header", "POST", v2 + "/routingrules", rule(60, "{{api}}", header("Authorization", "x")), nil},
		{"Error-CreateRoutingRule-glob", "POST", v2 + "/routingrules", rule(60, "{{api}}", header("x-a", "a*b")), nil},
		{"Error-CreateRoutingRule-mode", "POST", "/v2/domainnames/edge.example.test/routingrules", rule(60, "{{api}}"), nil},
		{"ListRoutingRules", "GET", v2 + "/routingrules?maxResults=1", nil, nil},
		{"GetRoutingRule", "GET", v2 + "/routingrules/{{rule}}", nil, nil},
		{"PutRoutingRule", "PUT", v2 + "/routingrules/{{rule}}", rule(40, "{{api}}", header("x-version", "*beta*")), nil},
		{"Error-GetRoutingRule", "GET", v2 + "/routingrules/nope00", nil, nil},

		// Tags, through either API.
		{"TagResource", "PUT", "/tags/" + arnPath, map[string]any{"tags": map[string]string{"owner": "me"}}, nil},
		{"GetTags-v2", "GET", "/v2/tags/" + arnPath, nil, nil},

		// Domain names through apigatewayv2, with mutual TLS.
		{"Error-CreateDomainName-v2exists", "POST", "/v2/domainnames", map[string]any{"domainName": "api.example.test",
			"domainNameConfigurations": []map[string]any{{"certificateArn": "{{cert}}", "endpointType": "REGIONAL"}}}, nil},
		{"Error-CreateDomainName-v2ownership", "POST", "/v2/domainnames", map[string]any{"domainName": "mtls.example.test",
			"domainNameConfigurations": []map[string]any{{"certificateArn": "{{cert}}", "endpointType": "REGIONAL", "securityPolicy": "TLS_1_2"}},
			"mutualTlsAuthentication":  map[string]any{"truststoreUri": "s3://truststores/clients.pem"}}, nil},
		{"Error-CreateDomainName-v2truststoreMissing", "POST", "/v2/domainnames", map[string]any{"domainName": "mtls.example.test",
			"domainNameConfigurations": []map[string]any{{"certificateArn": "{{cert}}", "ownershipVerificationCertificateArn": "{{owner}}"}},
			"mutualTlsAuthentication":  map[string]any{"truststoreUri": "s3://truststores/missing.pem"}}, nil},
		{"Error-CreateDomainName-v2truststoreEmpty", "POST", "/v2/domainnames", map[string]any{"domainName": "mtls.example.test",
			"domainNameConfigurations": []map[string]any{{"certificateArn": "{{cert}}", "ownershipVerificationCertificateArn": "{{owner}}"}},
			"mutualTlsAuthentication":  map[string]any{"truststoreUri": "s3://truststores/empty.pem"}}, nil},
		{"Error-CreateDomainName-v2truststoreURI", "POST", "/v2/domainnames", map[string]any{"domainName": "mtls.example.test",
			"domainNameConfigurations": []map[string]any{{"certificateArn": "{{cert}}", "ownershipVerificationCertificateArn": "{{owner}}"}},
			"mutualTlsAuthentication":  map[string]any{"truststoreUri": "s3://truststores/../secret.pem"}}, nil},
		{"Error-CreateDomainName-v2configurations", "POST", "/v2/domainnames", map[string]any{"domainName": "mtls.example.test",
			"domainNameConfigurations": []map[string]any{{"certificateArn": "{{cert}}"}, {"certificateArn": "{{cert}}"}}}, nil},
		{"CreateDomainName-v2mtls", "POST", "/v2/domainnames", map[string]any{"domainName": "mtls.example.test",
			"domainNameConfigurations": []map[string]any{{"certificateArn": "{{cert}}", "ownershipVerificationCertificateArn": "{{owner}}"}},
			"mutualTlsAuthentication":  map[string]any{"truststoreUri": "s3://truststores/mixed.pem", "truststoreVersion": "1"},
			"routingMode":              "ROUTING_RULE_ONLY", "tags": map[string]string{"tier": "gold"}}, nil},
		{"GetDomainName-v1mtls", "GET", "/domainnames/mtls.example.test", nil, nil},
		{"Error-CreateApiMapping-ruleOnly", "POST", "/v2/domainnames/mtls.example.test/apimappings", map[string]any{"apiId": "{{api}}", "stage": "prod"}, nil},
		{"UpdateDomainName-v2", "PATCH", "/v2/domainnames/mtls.example.test", map[string]any{"mutualTlsAuthentication": map[string]any{"truststoreUri": "s3://truststores/clients.pem"}, "routingMode": "API_MAPPING_ONLY"}, nil},
		{"UpdateDomainName-v2disableMtls", "PATCH", "/v2/domainnames/mtls.example.test", map[string]any{"mutualTlsAuthentication": map[string]any{"truststoreUri": ""}}, nil},
		{"Error-UpdateDomainName-v2mtlsEdge", "PATCH", "/v2/domainnames/edge.example.test", map[string]any{"mutualTlsAuthentication": map[string]any{"truststoreUri": "s3://truststores/clients.pem"}}, nil},
		{"GetDomainNames-v2", "GET", "/v2/domainnames", nil, nil},
		{"Error-DeleteCertificate-inUse", "ACM", "DeleteCertificate", map[string]any{"CertificateArn": "{{cert}}"}, nil},

		// Deletes.
		{"DeleteRoutingRule", "DELETE", v2 + "/routingrules/{{rule}}", nil, nil},
		{"DeleteBasePathMapping", "DELETE", dn + "/basepathmappings/shop", nil, nil},
		{"DeleteApiMapping", "DELETE", v2 + "/apimappings/{{map}}", nil, nil},
		{"Error-DeleteApiMapping", "DELETE", v2 + "/apimappings/{{map}}", nil, nil},
		{"DeleteDomainName", "DELETE", dn, nil, nil},
		{"DeleteDomainName-v2", "DELETE", "/v2/domainnames/edge.example.test", nil, nil},
		{"Error-DeleteDomainName", "DELETE", dn, nil, nil},
		{"DeleteRestApi", "DELETE", api, nil, nil},
		{"DeleteDomainName-strict", "DELETE", "/domainnames/strict.example.test", nil, nil},
		{"DeleteDomainName-mtls", "DELETE", "/v2/domainnames/mtls.example.test", nil, nil},
		{"DeleteCertificate", "ACM", "DeleteCertificate", map[string]any{"CertificateArn": "{{cert}}"}, nil},
	}
}

// TestGoldenDomains pins the wire shapes of custom domain names, their
// mappings and routing rules, and ACM, in testdata/golden-domains.
func TestGoldenDomains(t *testing.T) {
	runGolden(t, filepath.Join("testdata", "golden-domains"), goldenDomainsScenario(t))
}
