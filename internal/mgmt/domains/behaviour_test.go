package domains_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/store"
)

// TestOneResourceBehindBothAPIs: a domain created through one API is
// updated, read and deleted through the other, and deleting it takes its
// mappings and rules along.
func TestOneResourceBehindBothAPIs(t *testing.T) {
	e := newEnv(t)
	cert := e.certificate("api.example.test")
	cert2 := e.certificate("api.example.test", "www.example.test")
	api := e.restAPI("shop", "REGIONAL")

	e.ok("POST", "/domainnames", map[string]any{"domainName": "api.example.test", "regionalCertificateArn": cert,
		"endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}})
	before := e.stored("api.example.test")
	v2 := e.ok("PATCH", "/v2/domainnames/api.example.test", map[string]any{
		"domainNameConfigurations": []map[string]any{{"certificateArn": cert2}}, "routingMode": "ROUTING_RULE_THEN_API_MAPPING"})
	if c := v2["domainNameConfigurations"].([]any)[0].(map[string]any); c["certificateArn"] != cert2 || c["endpointType"] != "REGIONAL" {
		t.Errorf("v2 update: %v", c)
	}
	v1 := e.ok("GET", "/domainnames/api.example.test", nil)
	if v1["regionalCertificateArn"] != cert2 || v1["routingMode"] != "ROUTING_RULE_THEN_BASE_PATH_MAPPING" {
		t.Errorf("v1 view after the v2 update: %v", v1)
	}
	if after := e.stored("api.example.test"); after.RegionalCertificateARN != cert2 || after.HostID != before.HostID || after.CreatedDate != before.CreatedDate {
		t.Errorf("stored after update: %+v (before %+v)", after, before)
	}

	e.ok("POST", "/domainnames/api.example.test/basepathmappings", map[string]any{"basePath": "orders", "restApiId": api, "stage": "prod"})
	e.ok("POST", "/v2/domainnames/api.example.test/apimappings", map[string]any{"apiId": api, "stage": "prod", "apiMappingKey": "v1/orders"})
	e.ok("POST", "/v2/domainnames/api.example.test/routingrules", map[string]any{"priority": 1, "conditions": []any{},
		"actions": []map[string]any{{"invokeApi": map[string]any{"apiId": api, "stage": "prod", "stripBasePath": true}}}})

	// What the data-plane compiler reads.
	ctx := context.Background()
	err := e.store.View(ctx, func(rd store.Reader) error {
		maps, err := docstore.List[domain.Mapping](ctx, rd, domain.MappingsPrefix("api.example.test"))
		if err != nil {
			return err
		}
		if len(maps) != 2 || maps[0].Key != "orders" || maps[1].Key != "v1/orders" || !maps[1].MultiLevel() ||
			maps[0].APIType != domain.APIRest || maps[0].Stage != "prod" || maps[0].APIID != api {
			t.Errorf("stored mappings %+v", maps)
		}
		rules, err := docstore.List[domain.RoutingRule](ctx, rd, domain.RulesPrefix("api.example.test"))
		if err != nil {
			return err
		}
		if len(rules) != 1 || rules[0].Priority != 1 || !rules[0].Actions[0].InvokeAPI.StripBasePath {
			t.Errorf("stored rules %+v", rules)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := e.call("DELETE", "/v2/domainnames/api.example.test", nil); status != 204 {
		t.Fatalf("v2 delete: %d", status)
	}
	if status, _ := e.call("GET", "/domainnames/api.example.test", nil); status != 404 {
		t.Errorf("v1 get after v2 delete: %d", status)
	}
	err = e.store.View(ctx, func(rd store.Reader) error {
		for _, p := range []string{domain.MappingsPrefix("api.example.test"), domain.RulesPrefix("api.example.test")} {
			items, err := rd.List(ctx, p, store.ListOptions{})
			if err != nil {
				return err
			}
			if len(items) != 0 {
				t.Errorf("%d documents left under %s", len(items), p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The API is no longer mapped: it can be deleted.
	if status, out := e.call("DELETE", "/restapis/"+api, nil); status != 202 {
		t.Errorf("delete API after its domain: %d %v", status, out)
	}
}

// TestMigrateEdgeToRegional: apigateway's patch moves a domain from EDGE
// to REGIONAL with its certificate member in one request.
func TestMigrateEdgeToRegional(t *testing.T) {
	e := newEnv(t)
	cert := e.certificate("api.example.test")
	e.ok("POST", "/domainnames", map[string]any{"domainName": "api.example.test", "certificateArn": cert})
	// Switching the type alone leaves the certificate on the wrong member.
	if status, out := e.call("PATCH", "/domainnames/api.example.test", patch("replace", "/endpointConfiguration/types/0", "REGIONAL")); status != 400 ||
		out["message"] != "Cannot import certificates for EDGE while REGIONAL is active." {
		t.Errorf("type alone: %d %v", status, out)
	}
	out := e.ok("PATCH", "/domainnames/api.example.test", patch(
		"replace", "/endpointConfiguration/types/EDGE", "REGIONAL",
		"add", "/regionalCertificateArn", cert,
		"remove", "/certificateArn", ""))
	if !reflect.DeepEqual(out["endpointConfiguration"], map[string]any{"types": []any{"REGIONAL"}, "ipAddressType": "ipv4"}) ||
		out["regionalCertificateArn"] != cert || out["certificateArn"] != nil || out["regionalDomainName"] == nil || out["distributionDomainName"] != nil {
		t.Errorf("after migration: %v", out)
	}
	if d := e.stored("api.example.test"); d.EndpointType != domain.Regional || d.ServingCertificateARN() != cert {
		t.Errorf("stored: %+v", d)
	}
}

func patch(triples ...string) map[string]any {
	var ops []map[string]any
	for i := 0; i+1 < len(triples); i += 3 {
		op := map[string]any{"op": triples[i], "path": triples[i+1]}
		if i+2 < len(triples) && triples[i+2] != "" {
			op["value"] = triples[i+2]
		}
		ops = append(ops, op)
	}
	return map[string]any{"patchOperations": ops}
}

// TestTruststoreReadOnCreateAndUpdate: the truststore is read when the
// domain is created and when its URI or version changes, never otherwise
// (as on AWS: editing the object changes nothing until the domain is
// updated); only its accepted certificates are stored.
func TestTruststoreReadOnCreateAndUpdate(t *testing.T) {
	e := newEnv(t)
	cert := e.certificate("mtls.example.test")
	ca1 := e.writeCA("clients.pem", "CA one")
	e.ok("POST", "/v2/domainnames", map[string]any{"domainName": "mtls.example.test",
		"domainNameConfigurations": []map[string]any{{"certificateArn": cert}},
		"mutualTlsAuthentication":  map[string]any{"truststoreUri": "s3://bucket/clients.pem"}})
	if got := e.stored("mtls.example.test").MutualTLS; got == nil || got.TruststorePEM != ca1 || len(got.TruststoreWarnings) != 0 {
		t.Fatalf("stored truststore after create: %+v", got)
	}
	ca2 := e.writeCA("clients.pem", "CA two")
	e.ok("PATCH", "/v2/domainnames/mtls.example.test", map[string]any{"routingMode": "ROUTING_RULE_THEN_API_MAPPING"})
	if got := e.stored("mtls.example.test").MutualTLS.TruststorePEM; got != ca1 {
		t.Errorf("an unrelated update re-read the truststore")
	}
	e.ok("PATCH", "/domainnames/mtls.example.test", patch("replace", "/mutualTlsAuthentication/truststoreVersion", "2"))
	m := e.stored("mtls.example.test").MutualTLS
	if m.TruststorePEM != ca2 || m.TruststoreVersion != "2" {
		t.Errorf("a new version did not re-read the truststore: %+v", m)
	}
	// A link out of the S3 directory is not followed.
	outside := filepath.Join(t.TempDir(), "secret.pem")
	if err := os.WriteFile(outside, []byte(ca1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(e.s3, "bucket", "link.pem")); err != nil {
		t.Fatal(err)
	}
	rev := e.revision()
	status, out := e.call("PATCH", "/domainnames/mtls.example.test", patch("replace", "/mutualTlsAuthentication/truststoreUri", "s3://bucket/link.pem"))
	if msg, _ := out["message"].(string); status != 400 || !strings.HasPrefix(msg, "Unable to read truststore at s3://bucket/link.pem") {
		t.Errorf("truststore through a link out of the S3 directory: %d %v", status, out)
	}
	if e.revision() != rev {
		t.Error("a refused update changed the store")
	}
	// Replacing the URI with "" turns mutual TLS off.
	if out := e.ok("PATCH", "/domainnames/mtls.example.test", patch("replace", "/mutualTlsAuthentication/truststoreUri", "")); out["mutualTlsAuthentication"] != nil {
		t.Errorf("mTLS still on: %v", out)
	}
}

// TestRefusalsChangeNothing: every refused call is an AWS-shaped 4xx and
// leaves the store as it was.
func TestRefusalsChangeNothing(t *testing.T) {
	e := newEnv(t)
	cert := e.certificate("api.example.test", "*.example.test")
	api := e.restAPI("shop", "REGIONAL")
	private := e.restAPI("internal", "PRIVATE")
	httpAPI := e.httpAPI()
	e.ok("POST", "/domainnames", map[string]any{"domainName": "api.example.test", "regionalCertificateArn": cert,
		"endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}, "routingMode": "ROUTING_RULE_THEN_BASE_PATH_MAPPING"})
	e.ok("POST", "/domainnames/api.example.test/basepathmappings", map[string]any{"restApiId": api, "stage": "prod"})
	rule := func(prio int, apiID string, conds ...any) map[string]any {
		if conds == nil {
			conds = []any{}
		}
		return map[string]any{"priority": prio, "conditions": conds, "actions": []map[string]any{{"invokeApi": map[string]any{"apiId": apiID, "stage": "prod"}}}}
	}
	hdr := func(name, glob string) map[string]any {
		return map[string]any{"matchHeaders": map[string]any{"anyOf": []map[string]string{{"header": name, "valueGlob": glob}}}}
	}
	rev := e.revision()
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/domainnames", map[string]any{"domainName": "x.example.test", "certificateBody": "-----BEGIN CERTIFICATE-----", "certificatePrivateKey": "k"}},
		{"POST", "/domainnames", map[string]any{"domainName": "x.example.test", "certificateArn": cert, "endpointConfiguration": map[string]any{"types": []string{"PRIVATE"}}}},
		{"POST", "/domainnames", map[string]any{"domainName": "x.example.test", "certificateArn": cert, "endpointConfiguration": map[string]any{"types": []string{"EDGE", "REGIONAL"}}}},
		{"POST", "/domainnames", map[string]any{"domainName": "api.example.test", "certificateArn": cert, "routingMode": "NOPE"}},
		{"POST", "/domainnames", map[string]any{"domainName": "bad_name.example.test", "certificateArn": cert}},
		{"POST", "/domainnames", map[string]any{"domainName": "api.example.test", "regionalCertificateArn": cert, "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}}},
		{"POST", "/domainnames", map[string]any{"domainName": "z.example.test", "regionalCertificateArn": cert, "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}},
			"securityPolicy": "TLS_1_0", "mutualTlsAuthentication": map[string]any{"truststoreUri": "s3://bucket/k.pem"}}},
		{"POST", "/domainnames", map[string]any{"domainName": "z.example.test", "regionalCertificateArn": cert, "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}},
			"mutualTlsAuthentication": map[string]any{"truststoreUri": "s3://bucket/missing.pem"}}},
		{"POST", "/domainnames", map[string]any{"domainName": "z.example.test", "regionalCertificateArn": cert, "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}},
			"mutualTlsAuthentication": map[string]any{"truststoreUri": "https://bucket/k.pem"}}},
		{"POST", "/domainnames", map[string]any{"domainName": "y.example.test", "regionalCertificateArn": cert, "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}, "endpointAccessMode": "BASIC"}},
		{"POST", "/v2/domainnames", map[string]any{"domainName": "y.example.test", "domainNameConfigurations": []map[string]any{{"certificateArn": cert, "securityPolicy": "SecurityPolicy_TLS13_1_3_2025_09"}}}},
		{"POST", "/v2/domainnames", map[string]any{"domainName": "y.example.test", "domainNameConfigurations": []map[string]any{{"certificateArn": cert, "endpointType": "PRIVATE"}}}},
		{"POST", "/v2/domainnames", map[string]any{"domainNameConfigurations": []map[string]any{{"certificateArn": cert}}}},
		{"POST", "/v2/domainnames", `{"domainName": 7}`},
		{"PATCH", "/domainnames/api.example.test", patch("replace", "/securityPolicy", "SecurityPolicy_TLS13_1_2_2021_06")},
		{"PATCH", "/domainnames/api.example.test", patch("add", "/endpointConfiguration/types", "EDGE")},
		{"PATCH", "/domainnames/api.example.test", patch("replace", "/policy", "{}")},
		{"PATCH", "/domainnames/api.example.test", patch("replace", "/routingMode", "API_MAPPING_ONLY")},
		{"PATCH", "/domainnames/api.example.test", patch("nope", "/routingMode", "x")},
		{"PATCH", "/domainnames/api.example.test?domainNameId=abcd1234", patch("replace", "/routingMode", "ROUTING_RULE_ONLY")},
		{"PATCH", "/v2/domainnames/api.example.test", map[string]any{"routingMode": "BASE_PATH_MAPPING_ONLY"}},
		{"PATCH", "/v2/domainnames/nope.example.test", map[string]any{"routingMode": "API_MAPPING_ONLY"}},
		{"POST", "/domainnames/api.example.test/basepathmappings", map[string]any{"basePath": "x", "restApiId": api}},                       // root mapping stands alone in v1
		{"POST", "/domainnames/api.example.test/basepathmappings", map[string]any{"basePath": "(none)", "restApiId": api, "stage": "prod"}}, // root taken
		{"POST", "/domainnames/api.example.test/basepathmappings", map[string]any{"basePath": "a b", "restApiId": api}},
		{"POST", "/domainnames/api.example.test/basepathmappings", map[string]any{"basePath": "x"}},
		{"POST", "/v2/domainnames/api.example.test/apimappings", map[string]any{"apiId": httpAPI, "stage": "$default", "apiMappingKey": "h"}},
		{"POST", "/v2/domainnames/api.example.test/apimappings", map[string]any{"apiId": api, "apiMappingKey": "h"}},
		{"POST", "/v2/domainnames/api.example.test/apimappings", map[string]any{"apiId": api, "stage": "prod", "apiMappingKey": strings.Repeat("a", 301)}},
		{"POST", "/v2/domainnames/api.example.test/apimappings", map[string]any{"apiId": api, "stage": "prod", "apiMappingKey": "/lead"}},
		{"PATCH", "/domainnames/api.example.test/basepathmappings/(none)", patch("replace", "/restapiId", "nosuchapi0")},
		{"PATCH", "/domainnames/api.example.test/basepathmappings/(none)", patch("add", "/stage", "prod")},
		{"DELETE", "/domainnames/api.example.test/basepathmappings/nope", nil},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(1, private)},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(0, api)},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(1, api, hdr("x-amz-date", "x"))},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(1, api, hdr("X-Forwarded-For", "x"))},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(1, api, hdr("x-*", "x"))},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(1, api, hdr("x-a", "**"))},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(1, api, hdr("x-a", "*"+strings.Repeat("a", 40)+"*"))},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(1, api, hdr("x-a", "a"), hdr("x-b", "b"), hdr("x-c", "c"))},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(1, api, map[string]any{"matchBasePaths": map[string]any{"anyOf": []string{"a", "b"}}})},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(1, api, map[string]any{"matchBasePaths": map[string]any{"anyOf": []string{"a/"}}})},
		{"POST", "/v2/domainnames/api.example.test/routingrules", rule(1, api, map[string]any{})},
		{"POST", "/v2/domainnames/api.example.test/routingrules", map[string]any{"priority": 1, "conditions": []any{}, "actions": []any{}}},
		{"GET", "/v2/domainnames/api.example.test/routingrules?maxResults=101", nil},
		{"GET", "/v2/domainnames/api.example.test/routingrules?nextToken=garbage", nil},
		{"PUT", "/v2/domainnames/api.example.test/routingrules/nope00", rule(1, api)},
		{"DELETE", "/restapis/" + api, nil},
		{"ACM DeleteCertificate", "", map[string]any{"CertificateArn": cert}},
		{"GET", "/domainnames?resourceOwner=NOBODY", nil},
		{"GET", "/domainnames?position=garbage", nil},
	} {
		status, out := e.call(c.method, c.path, c.body)
		msg, _ := out["message"].(string)
		t.Logf("%s %s → %d %s", c.method, c.path, status, msg)
		if status < 400 || status >= 500 || msg == "" {
			t.Errorf("%s %s %v: want a 4xx with a message, got %d %v", c.method, c.path, c.body, status, out)
		}
	}
	if got := e.revision(); got != rev {
		t.Errorf("refused calls changed the store: revision %d, was %d", got, rev)
	}
}

// TestMappingRules: the empty key stands alone through apigateway but
// catches the rest beside other keys through apigatewayv2; WebSocket APIs
// do not share a domain with REST or HTTP APIs; HTTP APIs need a legacy
// policy; a domain with REST and HTTP mappings cannot use routing rules.
func TestMappingRules(t *testing.T) {
	e := newEnv(t)
	cert := e.certificate("*.example.test")
	api := e.restAPI("shop", "REGIONAL")
	httpAPI := e.httpAPI()
	create := func(name, policy, mode string) {
		body := map[string]any{"domainName": name, "regionalCertificateArn": cert, "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}, "securityPolicy": policy}
		if strings.HasPrefix(policy, "SecurityPolicy_") {
			body["endpointAccessMode"] = "BASIC"
		}
		if mode != "" {
			body["routingMode"] = mode
		}
		e.ok("POST", "/domainnames", body)
	}
	create("a.example.test", "TLS_1_2", "")
	e.ok("POST", "/v2/domainnames/a.example.test/apimappings", map[string]any{"apiId": api, "stage": "prod", "apiMappingKey": "orders"})
	e.ok("POST", "/v2/domainnames/a.example.test/apimappings", map[string]any{"apiId": httpAPI, "stage": "$default"})
	list := e.ok("GET", "/domainnames/a.example.test/basepathmappings", nil)["item"].([]any)
	if len(list) != 2 || list[1].(map[string]any)["basePath"] != "(none)" {
		t.Errorf("v1 view of a root mapping beside another: %v", list)
	}
	if status, out := e.call("PATCH", "/domainnames/a.example.test", patch("replace", "/routingMode", "ROUTING_RULE_THEN_BASE_PATH_MAPPING")); status != 400 ||
		!strings.Contains(out["message"].(string), "both REST and HTTP") {
		t.Errorf("rules on a mixed domain: %d %v", status, out)
	}
	create("b.example.test", "SecurityPolicy_TLS13_1_2_2021_06", "")
	if status, _ := e.call("POST", "/v2/domainnames/b.example.test/apimappings", map[string]any{"apiId": httpAPI, "stage": "$default"}); status != 400 {
		t.Errorf("HTTP API on an enhanced-policy domain: %d", status)
	}
	e.ok("POST", "/v2/domainnames/b.example.test/apimappings", map[string]any{"apiId": api, "stage": "prod", "apiMappingKey": "v1/orders"})
	create("c.example.test", "TLS_1_2", "ROUTING_RULE_ONLY")
	e.ok("POST", "/v2/domainnames/c.example.test/routingrules", map[string]any{"priority": 7,
		"conditions": []any{map[string]any{"matchHeaders": map[string]any{"anyOf": []map[string]string{{"header": "Host", "valueGlob": "c.example.test"}}}}},
		"actions":    []map[string]any{{"invokeApi": map[string]any{"apiId": api, "stage": "prod"}}}})
	// Mappings stay listable in ROUTING_RULE_ONLY mode, rules in
	// mapping-only mode [D].
	if out := e.ok("GET", "/v2/domainnames/c.example.test/apimappings", nil); len(out["items"].([]any)) != 0 {
		t.Errorf("mappings %v", out)
	}
	e.ok("PATCH", "/v2/domainnames/c.example.test", map[string]any{"routingMode": "API_MAPPING_ONLY"})
	if out := e.ok("GET", "/v2/domainnames/c.example.test/routingrules", nil); len(out["routingRules"].([]any)) != 1 {
		t.Errorf("rules after switching to mappings only: %v", out)
	}
}
