package acmapi_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/store"
)

// localstackSubject is the subject of the certificate in the ACM
// snapshot recorded on AWS (LocalStack's
// tests/aws/services/acm/test_acm.snapshot.json, test_import_certificate).
var localstackSubject = pkix.Name{Country: []string{"AU"}, Province: []string{"Some-State"}, Locality: []string{"Some-Locality"},
	Organization: []string{"LocalStack Org"}, OrganizationalUnit: []string{"Testing"}, CommonName: "localhost"}

// TestImportDescribe: an imported certificate is described with the
// members, forms and values AWS recorded for the same certificate
// (subject in certificate order without spaces, issuer organisation,
// colon-separated serial, "RSA-2048", key usages in bit order, EKUs with
// their OIDs, one DomainValidationOption per SAN).
func TestImportDescribe(t *testing.T) {
	e := newEnv(t)
	p := makePair(t, certSpec{subject: localstackSubject, dns: []string{"localhost", "test.localhost.atlassian.io"}, serial: 1001,
		ku:  x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageKeyEncipherment,
		eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	out := e.ok("ImportCertificate", map[string]any{"Certificate": b64(p.cert), "PrivateKey": b64(p.key)})
	wantKeys(t, "ImportCertificate", out, "CertificateArn")
	arn, _ := out["CertificateArn"].(string)
	if !strings.HasPrefix(arn, "arn:aws:acm:us-east-1:000000000000:certificate/") || len(arn) != len("arn:aws:acm:us-east-1:000000000000:certificate/")+36 {
		t.Fatalf("ARN %q", arn)
	}
	c := e.ok("DescribeCertificate", map[string]any{"CertificateArn": arn})["Certificate"].(map[string]any)
	// [V] the members of the recorded imported certificate.
	wantKeys(t, "CertificateDetail", c, "CertificateArn", "CreatedAt", "DomainName", "DomainValidationOptions", "ExtendedKeyUsages",
		"ImportedAt", "InUseBy", "Issuer", "KeyAlgorithm", "KeyUsages", "NotAfter", "NotBefore", "Options", "RenewalEligibility",
		"Serial", "SignatureAlgorithm", "Status", "Subject", "SubjectAlternativeNames", "Type")
	want := map[string]any{
		"CertificateArn": arn, "DomainName": "localhost", "Issuer": "LocalStack Org", "KeyAlgorithm": "RSA-2048",
		"Serial": "03:e9", "SignatureAlgorithm": "SHA256WITHRSA", "Status": "ISSUED", "Type": "IMPORTED",
		"Subject":            "C=AU,ST=Some-State,L=Some-Locality,O=LocalStack Org,OU=Testing,CN=localhost",
		"RenewalEligibility": "INELIGIBLE", "InUseBy": []any{},
		"SubjectAlternativeNames": []any{"localhost", "test.localhost.atlassian.io"},
		"DomainValidationOptions": []any{map[string]any{"DomainName": "localhost"}, map[string]any{"DomainName": "test.localhost.atlassian.io"}},
		"ExtendedKeyUsages":       []any{map[string]any{"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"}},
		"KeyUsages":               []any{map[string]any{"Name": "DIGITAL_SIGNATURE"}, map[string]any{"Name": "NON_REPUDIATION"}, map[string]any{"Name": "KEY_ENCIPHERMENT"}},
		"Options":                 map[string]any{"CertificateTransparencyLoggingPreference": "DISABLED"},
		"NotBefore":               float64(p.leaf.NotBefore.Unix()), "NotAfter": float64(p.leaf.NotAfter.Unix()),
	}
	for k, v := range want {
		if !reflect.DeepEqual(c[k], v) {
			t.Errorf("%s = %#v, want %#v", k, c[k], v)
		}
	}
	for _, k := range []string{"CreatedAt", "ImportedAt"} {
		if f, _ := c[k].(float64); time.Since(time.Unix(int64(f), 0)).Abs() > time.Minute {
			t.Errorf("%s = %v: not now", k, c[k])
		}
	}
	// The timestamps are JSON numbers with a fraction, as ACM sends them [X].
	if !strings.Contains(string(e.call("DescribeCertificate", map[string]any{"CertificateArn": arn}).raw), `"NotBefore":`+itoa64(p.leaf.NotBefore.Unix())+`.0`) {
		t.Errorf("NotBefore is not written as seconds with a fraction")
	}

	got := e.ok("GetCertificate", map[string]any{"CertificateArn": arn})
	wantKeys(t, "GetCertificate (no chain)", got, "Certificate")
	if got["Certificate"] != string(p.cert) {
		t.Errorf("GetCertificate: %q", got["Certificate"])
	}
	e.checkNoKeys(p)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// checkNoKeys: no private key, in any form, is in a response, the log or
// the store (sealed values only).
func (e *env) checkNoKeys(pairs ...*pair) {
	e.t.Helper()
	dump := e.storeDump()
	logs := e.logs.String()
	var all []byte
	e.mu.Lock()
	for _, b := range e.bodies {
		all = append(all, b...)
	}
	e.mu.Unlock()
	for where, text := range map[string]string{"store": dump, "log": logs, "responses": string(all)} {
		if strings.Contains(text, "PRIVATE KEY") {
			e.t.Errorf("%s holds a PEM private key", where)
		}
		for _, p := range pairs {
			block, _ := pem.Decode(p.key)
			der := block.Bytes
			// The key's PEM body, its base64 as sent, and a run of its
			// DER body in base64 must all be absent.
			for _, s := range []string{string(p.key[30:90]), b64(p.key)[10:70], b64(der)[40:100]} {
				if strings.Contains(text, s) {
					e.t.Errorf("%s holds private key material (%q)", where, s)
				}
			}
		}
	}
	if !strings.Contains(dump, `"sealedKey":"v1:`) && strings.Contains(dump, "acmcert/") {
		e.t.Errorf("stored certificates hold no sealed key:\n%s", dump)
	}
}

// TestImportRefusals: each refused import is ACM's ValidationException
// (or the model's), names no key material, and stores nothing.
func TestImportRefusals(t *testing.T) {
	e := newEnv(t)
	good := makePair(t, certSpec{subject: pkix.Name{CommonName: "api.example.test"}, dns: []string{"api.example.test"}})
	other := makePair(t, certSpec{subject: pkix.Name{CommonName: "other.test"}, dns: []string{"other.test"}})
	expired := makePair(t, certSpec{subject: pkix.Name{CommonName: "old.test"}, notBefore: time.Now().Add(-48 * time.Hour), notAfter: time.Now().Add(-24 * time.Hour)})
	future := makePair(t, certSpec{subject: pkix.Name{CommonName: "new.test"}, notBefore: time.Now().Add(24 * time.Hour)})
	ca := makePair(t, certSpec{subject: pkix.Name{CommonName: "Test CA", Organization: []string{"Test"}}, isCA: true, ku: x509.KeyUsageCertSign, ec: true})
	leaf := makePair(t, certSpec{subject: pkix.Name{CommonName: "leaf.test"}, dns: []string{"leaf.test"}, parent: ca, ec: true})
	bigKey := make([]byte, 5121)
	encrypted := []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n")

	for _, c := range []struct {
		name, typ, msg string
		body           map[string]any
	}{
		{"garbage", "ValidationException", "The certificate is not PEM-encoded or is not valid.", map[string]any{"Certificate": b64([]byte("CERT123")), "PrivateKey": b64([]byte("KEY123"))}},
		{"DER certificate", "ValidationException", "The certificate is not PEM-encoded or is not valid.", map[string]any{"Certificate": b64(good.leaf.Raw), "PrivateKey": b64(good.key)}},
		{"two certificates", "ValidationException", "more than one certificate", map[string]any{"Certificate": b64(append(append([]byte{}, good.cert...), other.cert...)), "PrivateKey": b64(good.key)}},
		{"bad key", "ValidationException", "The private key is not PEM-encoded or is not valid.", map[string]any{"Certificate": b64(good.cert), "PrivateKey": b64([]byte("KEY123"))}},
		{"encrypted key", "ValidationException", "The private key is not PEM-encoded or is not valid.", map[string]any{"Certificate": b64(good.cert), "PrivateKey": b64(encrypted)}},
		{"key of another certificate", "ValidationException", "does not match", map[string]any{"Certificate": b64(good.cert), "PrivateKey": b64(other.key)}},
		{"expired", "ValidationException", "The certificate has expired, is not valid.", map[string]any{"Certificate": b64(expired.cert), "PrivateKey": b64(expired.key)}},
		{"not yet valid", "ValidationException", "The certificate is not in effect yet, is not valid.", map[string]any{"Certificate": b64(future.cert), "PrivateKey": b64(future.key)}},
		{"chain not PEM", "ValidationException", "The certificate chain is not PEM-encoded or is not valid.", map[string]any{"Certificate": b64(leaf.cert), "PrivateKey": b64(leaf.key), "CertificateChain": b64([]byte("nope"))}},
		{"wrong chain", "ValidationException", "Could not validate the certificate with the certificate chain.", map[string]any{"Certificate": b64(leaf.cert), "PrivateKey": b64(leaf.key), "CertificateChain": b64(other.cert)}},
		{"missing key", "ValidationException", "Value null at 'privateKey' failed to satisfy constraint: Member must not be null", map[string]any{"Certificate": b64(good.cert)}},
		{"missing both", "ValidationException", "2 validation errors detected", map[string]any{}},
		{"key too long", "ValidationException", "at 'privateKey' failed to satisfy constraint: Member must have length less than or equal to 5120", map[string]any{"Certificate": b64(good.cert), "PrivateKey": b64(bigKey)}},
		{"blob not base64", "SerializationException", "", map[string]any{"Certificate": "!!!", "PrivateKey": b64(good.key)}},
		{"reserved tag", "InvalidTagException", "aws:", map[string]any{"Certificate": b64(good.cert), "PrivateKey": b64(good.key), "Tags": []map[string]string{{"Key": "aws:x", "Value": "y"}}}},
		{"empty tag list", "ValidationException", "at 'tags' failed to satisfy constraint", map[string]any{"Certificate": b64(good.cert), "PrivateKey": b64(good.key), "Tags": []map[string]string{}}},
		{"unknown ARN", "ResourceNotFoundException", "Could not find certificate arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-4000-8000-000000000000.", map[string]any{"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-4000-8000-000000000000", "Certificate": b64(good.cert), "PrivateKey": b64(good.key)}},
		{"malformed ARN", "ValidationException", "at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern", map[string]any{"CertificateArn": "not-an-arn-at-all-really", "Certificate": b64(good.cert), "PrivateKey": b64(good.key)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			e.fails(c.typ, c.msg, "ImportCertificate", c.body)
		})
	}
	e.t = t
	if n := e.count(); n != 0 {
		t.Errorf("refused imports stored %d certificates", n)
	}
	e.checkNoKeys(good, other, leaf)

	// The chain is accepted when it certifies the leaf, and returned.
	arn := e.ok("ImportCertificate", map[string]any{"Certificate": b64(leaf.cert), "PrivateKey": b64(leaf.key), "CertificateChain": b64(ca.cert)})["CertificateArn"].(string)
	got := e.ok("GetCertificate", map[string]any{"CertificateArn": arn})
	if got["Certificate"] != string(leaf.cert) || got["CertificateChain"] != string(ca.cert) {
		t.Errorf("GetCertificate with chain: %v", got)
	}
	d := e.ok("DescribeCertificate", map[string]any{"CertificateArn": arn})["Certificate"].(map[string]any)
	if d["KeyAlgorithm"] != "EC-prime256v1" || d["Issuer"] != "Test" || d["SignatureAlgorithm"] != "SHA256WITHECDSA" {
		t.Errorf("EC certificate described as %v / %v / %v", d["KeyAlgorithm"], d["Issuer"], d["SignatureAlgorithm"])
	}
	e.checkNoKeys(leaf)
}

// TestReimport: importing into an existing ARN replaces the certificate
// and keeps the ARN, creation date and tags; tags may not be given then.
func TestReimport(t *testing.T) {
	e := newEnv(t)
	first := makePair(t, certSpec{subject: pkix.Name{CommonName: "api.example.test"}, dns: []string{"api.example.test"}})
	second := makePair(t, certSpec{subject: pkix.Name{CommonName: "api.example.test"}, dns: []string{"api.example.test", "www.example.test"}, serial: 2})
	arn := e.ok("ImportCertificate", map[string]any{"Certificate": b64(first.cert), "PrivateKey": b64(first.key),
		"Tags": []map[string]string{{"Key": "team", "Value": "a"}}})["CertificateArn"].(string)
	before := e.ok("DescribeCertificate", map[string]any{"CertificateArn": arn})["Certificate"].(map[string]any)
	e.fails("ValidationException", "Tags", "ImportCertificate", map[string]any{"CertificateArn": arn, "Certificate": b64(second.cert), "PrivateKey": b64(second.key),
		"Tags": []map[string]string{{"Key": "x", "Value": "y"}}})
	out := e.ok("ImportCertificate", map[string]any{"CertificateArn": arn, "Certificate": b64(second.cert), "PrivateKey": b64(second.key)})
	if out["CertificateArn"] != arn {
		t.Errorf("re-import answered %v", out)
	}
	after := e.ok("DescribeCertificate", map[string]any{"CertificateArn": arn})["Certificate"].(map[string]any)
	if after["Serial"] != "02" || !reflect.DeepEqual(after["SubjectAlternativeNames"], []any{"api.example.test", "www.example.test"}) || after["CreatedAt"] != before["CreatedAt"] {
		t.Errorf("after re-import: %v", after)
	}
	tags := e.ok("ListTagsForCertificate", map[string]any{"CertificateArn": arn})
	if !reflect.DeepEqual(tags["Tags"], []any{map[string]any{"Key": "team", "Value": "a"}}) {
		t.Errorf("tags after re-import: %v", tags)
	}
	if n := e.count(); n != 1 {
		t.Errorf("%d certificates after a re-import", n)
	}
	// Other regions' and accounts' certificates do not exist here.
	for _, other := range []string{strings.Replace(arn, "us-east-1", "eu-west-1", 1), strings.Replace(arn, "000000000000", "111111111111", 1)} {
		e.fails("ResourceNotFoundException", "Could not find certificate "+other+".", "DescribeCertificate", map[string]any{"CertificateArn": other})
	}
	e.fails("InvalidArnException", "", "DescribeCertificate", map[string]any{"CertificateArn": "arn:aws:acm:us-east-1:000000000000:key/abc"})
	e.checkNoKeys(first, second)
}

// TestRequestCertificate: a requested certificate is issued at once by
// the local CA for the domain name and its SANs, verifiable against the
// CA, with the members of an issued ACM certificate.
func TestRequestCertificate(t *testing.T) {
	e := newEnv(t)
	out := e.ok("RequestCertificate", map[string]any{"DomainName": "api.example.test", "SubjectAlternativeNames": []string{"*.api.example.test", "api.example.test"},
		"ValidationMethod": "DNS", "IdempotencyToken": "tok1"})
	arn := out["CertificateArn"].(string)
	if again := e.ok("RequestCertificate", map[string]any{"DomainName": "api.example.test", "IdempotencyToken": "tok1"}); again["CertificateArn"] != arn {
		t.Errorf("same idempotency token: %v, want %s", again, arn)
	}
	c := e.ok("DescribeCertificate", map[string]any{"CertificateArn": arn})["Certificate"].(map[string]any)
	wantKeys(t, "issued CertificateDetail", c, "CertificateArn", "CreatedAt", "DomainName", "DomainValidationOptions", "ExtendedKeyUsages",
		"InUseBy", "IssuedAt", "Issuer", "KeyAlgorithm", "KeyUsages", "NotAfter", "NotBefore", "Options", "RenewalEligibility",
		"Serial", "SignatureAlgorithm", "Status", "Subject", "SubjectAlternativeNames", "Type")
	for k, v := range map[string]any{"Type": "AMAZON_ISSUED", "Status": "ISSUED", "DomainName": "api.example.test", "Subject": "CN=api.example.test",
		"Issuer": "Tollgate", "KeyAlgorithm": "RSA-2048", "SignatureAlgorithm": "SHA256WITHECDSA",
		"SubjectAlternativeNames": []any{"api.example.test", "*.api.example.test"},
		"KeyUsages":               []any{map[string]any{"Name": "DIGITAL_SIGNATURE"}, map[string]any{"Name": "KEY_ENCIPHERMENT"}},
		"ExtendedKeyUsages": []any{map[string]any{"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"},
			map[string]any{"Name": "TLS_WEB_CLIENT_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.2"}},
		"Options": map[string]any{"CertificateTransparencyLoggingPreference": "ENABLED"}} {
		if !reflect.DeepEqual(c[k], v) {
			t.Errorf("%s = %#v, want %#v", k, c[k], v)
		}
	}
	dvo := c["DomainValidationOptions"].([]any)
	if len(dvo) != 2 {
		t.Fatalf("DomainValidationOptions: %v", dvo)
	}
	for _, x := range dvo {
		o := x.(map[string]any)
		rr, _ := o["ResourceRecord"].(map[string]any)
		if o["ValidationStatus"] != "SUCCESS" || o["ValidationMethod"] != "DNS" || o["ValidationDomain"] != o["DomainName"] ||
			rr["Type"] != "CNAME" || !strings.HasSuffix(rr["Name"].(string), ".api.example.test.") {
			t.Errorf("validation option %v", o)
		}
	}
	if f, _ := c["NotAfter"].(float64); time.Until(time.Unix(int64(f), 0)) < 390*24*time.Hour {
		t.Errorf("NotAfter %v: want about 395 days from now", c["NotAfter"])
	}

	// The certificate chains to the local CA for every name it covers.
	got := e.ok("GetCertificate", map[string]any{"CertificateArn": arn})
	if got["CertificateChain"] != string(e.ca.PEM()) {
		t.Errorf("chain is not the local CA: %q", got["CertificateChain"])
	}
	block, _ := pem.Decode([]byte(got["Certificate"].(string)))
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(e.ca.Cert)
	for _, name := range []string{"api.example.test", "v1.api.example.test"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Errorf("verify %s: %v", name, err)
		}
	}

	// EMAIL is the default method; an EC certificate is listed only when
	// asked for by key type.
	ec := e.ok("RequestCertificate", map[string]any{"DomainName": "ec.example.test", "KeyAlgorithm": "EC_prime256v1"})["CertificateArn"].(string)
	d := e.ok("DescribeCertificate", map[string]any{"CertificateArn": ec})["Certificate"].(map[string]any)
	o := d["DomainValidationOptions"].([]any)[0].(map[string]any)
	if o["ValidationMethod"] != "EMAIL" || !reflect.DeepEqual(o["ValidationEmails"], []any{}) || o["ResourceRecord"] != nil || d["KeyAlgorithm"] != "EC-prime256v1" {
		t.Errorf("EC/EMAIL certificate: %v", d)
	}
	list := e.ok("ListCertificates", map[string]any{})["CertificateSummaryList"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["CertificateArn"] != arn {
		t.Errorf("default list shows %v, want only the RSA certificate", list)
	}
	list = e.ok("ListCertificates", map[string]any{"Includes": map[string]any{"keyTypes": []string{"EC_prime256v1"}}})["CertificateSummaryList"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["CertificateArn"] != ec {
		t.Errorf("EC list shows %v", list)
	}

	for _, c := range []struct {
		typ, msg string
		body     map[string]any
	}{
		{"ValidationException", "Value null at 'domainName'", map[string]any{}},
		{"ValidationException", "at 'domainName' failed to satisfy constraint: Member must satisfy regular expression pattern", map[string]any{"DomainName": "-bad.example.test"}},
		{"ValidationException", "at 'domainName' failed to satisfy constraint", map[string]any{"DomainName": "nodot"}},
		{"ValidationException", "at 'validationMethod' failed to satisfy constraint: Member must satisfy enum value set: [EMAIL, DNS, HTTP]", map[string]any{"DomainName": "a.example.test", "ValidationMethod": "FAX"}},
		{"ValidationException", "RSA_4096", map[string]any{"DomainName": "a.example.test", "KeyAlgorithm": "RSA_4096"}},
		{"ValidationException", "at 'idempotencyToken'", map[string]any{"DomainName": "a.example.test", "IdempotencyToken": "not-word"}},
		{"ValidationException", "64 octets", map[string]any{"DomainName": strings.Repeat("a", 60) + ".example.test"}},
		{"ValidationException", "Private certificate authorities", map[string]any{"DomainName": "a.example.test", "CertificateAuthorityArn": "arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/x"}},
	} {
		e.fails(c.typ, c.msg, "RequestCertificate", c.body)
	}
	if n := e.count(); n != 2 {
		t.Errorf("%d certificates after refused requests, want 2", n)
	}
	e.checkNoKeys()
}

// TestListPaginationFilters: MaxItems/NextToken pages, status and usage
// filters, sorting, and the model's bounds.
func TestListPaginationFilters(t *testing.T) {
	e := newEnv(t)
	var arns []string
	for _, n := range []string{"a.example.test", "b.example.test", "c.example.test"} {
		p := makePair(t, certSpec{subject: pkix.Name{CommonName: n}, dns: []string{n}, ku: x509.KeyUsageDigitalSignature})
		arns = append(arns, e.ok("ImportCertificate", map[string]any{"Certificate": b64(p.cert), "PrivateKey": b64(p.key)})["CertificateArn"].(string))
	}
	var seen []string
	token := ""
	for pages := 0; ; pages++ {
		body := map[string]any{"MaxItems": 2}
		if token != "" {
			body["NextToken"] = token
		}
		out := e.ok("ListCertificates", body)
		for _, s := range out["CertificateSummaryList"].([]any) {
			seen = append(seen, s.(map[string]any)["CertificateArn"].(string))
		}
		token, _ = out["NextToken"].(string)
		if token == "" {
			break
		}
		if pages > 3 {
			t.Fatal("pagination does not end")
		}
	}
	if !reflect.DeepEqual(seen, arns) {
		t.Errorf("pages gave %v, want %v", seen, arns)
	}
	desc := e.ok("ListCertificates", map[string]any{"SortBy": "CREATED_AT", "SortOrder": "DESCENDING"})["CertificateSummaryList"].([]any)
	if len(desc) != 3 || desc[0].(map[string]any)["CertificateArn"] != arns[2] {
		t.Errorf("descending: %v", desc)
	}
	s := desc[2].(map[string]any)
	wantKeys(t, "CertificateSummary", s, "CertificateArn", "DomainName", "SubjectAlternativeNameSummaries", "HasAdditionalSubjectAlternativeNames",
		"Status", "Type", "KeyAlgorithm", "KeyUsages", "ExtendedKeyUsages", "InUse", "RenewalEligibility", "NotBefore", "NotAfter", "CreatedAt", "ImportedAt")
	if s["KeyAlgorithm"] != "RSA-2048" || !reflect.DeepEqual(s["KeyUsages"], []any{"DIGITAL_SIGNATURE"}) || s["InUse"] != false {
		t.Errorf("summary %v", s)
	}
	for body, want := range map[string]int{
		`{"CertificateStatuses":["ISSUED"]}`:                                  3,
		`{"CertificateStatuses":["EXPIRED"]}`:                                 0,
		`{"Includes":{"keyUsage":["KEY_ENCIPHERMENT"]}}`:                      0,
		`{"Includes":{"extendedKeyUsage":["NONE"]}}`:                          3,
		`{"Includes":{"extendedKeyUsage":["TLS_WEB_SERVER_AUTHENTICATION"]}}`: 0,
	} {
		var in map[string]any
		_ = jsonUnmarshal(body, &in)
		if got := len(e.ok("ListCertificates", in)["CertificateSummaryList"].([]any)); got != want {
			t.Errorf("%s: %d certificates, want %d", body, got, want)
		}
	}
	e.fails("ValidationException", "at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000", "ListCertificates", map[string]any{"MaxItems": 1001})
	e.fails("ValidationException", "at 'certificateStatuses.1.member' failed to satisfy constraint", "ListCertificates", map[string]any{"CertificateStatuses": []string{"NEW"}})
	e.fails("InvalidArgsException", "", "ListCertificates", map[string]any{"NextToken": "garbage"})
	e.fails("InvalidArgsException", "", "ListCertificates", map[string]any{"SortBy": "CREATED_AT"})
}

// TestDeleteInUse: a certificate a domain name uses (serving or proving
// ownership) cannot be deleted; once unused it can, and is gone.
func TestDeleteInUse(t *testing.T) {
	e := newEnv(t)
	p := makePair(t, certSpec{subject: pkix.Name{CommonName: "api.example.test"}, dns: []string{"api.example.test"}})
	arn := e.ok("ImportCertificate", map[string]any{"Certificate": b64(p.cert), "PrivateKey": b64(p.key)})["CertificateArn"].(string)
	ctx := context.Background()
	put := func(d domain.Domain) {
		if _, err := e.store.Update(ctx, func(tx store.Tx) error { return docstore.Put(ctx, tx, domain.Key(d.Name), 1, d) }); err != nil {
			t.Fatal(err)
		}
	}
	put(domain.Domain{Name: "api.example.test", EndpointType: domain.Regional, RegionalCertificateARN: arn})
	e.fails("ResourceInUseException", "Certificate "+arn+" in account 000000000000 is in use.", "DeleteCertificate", map[string]any{"CertificateArn": arn})
	d := e.ok("DescribeCertificate", map[string]any{"CertificateArn": arn})["Certificate"].(map[string]any)
	if !reflect.DeepEqual(d["InUseBy"], []any{"arn:aws:apigateway:us-east-1::/domainnames/api.example.test"}) {
		t.Errorf("InUseBy %v", d["InUseBy"])
	}
	if s := e.ok("ListCertificates", map[string]any{})["CertificateSummaryList"].([]any)[0].(map[string]any); s["InUse"] != true {
		t.Errorf("InUse %v", s["InUse"])
	}
	put(domain.Domain{Name: "api.example.test", EndpointType: domain.Regional, RegionalCertificateARN: "arn:aws:acm:us-east-1:000000000000:certificate/x", OwnershipVerificationCertificateARN: arn})
	e.fails("ResourceInUseException", "is in use", "DeleteCertificate", map[string]any{"CertificateArn": arn})
	if _, err := e.store.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, domain.Key("api.example.test")) }); err != nil {
		t.Fatal(err)
	}
	if out := e.ok("DeleteCertificate", map[string]any{"CertificateArn": arn}); len(out) != 0 {
		t.Errorf("DeleteCertificate answered %v", out)
	}
	e.fails("ResourceNotFoundException", "Could not find certificate", "DescribeCertificate", map[string]any{"CertificateArn": arn})
	e.fails("ResourceNotFoundException", "Could not find certificate", "DeleteCertificate", map[string]any{"CertificateArn": arn})
	e.fails("ValidationException", "Value null at 'certificateArn'", "DeleteCertificate", map[string]any{})
}

// TestTags: Add/List/RemoveTagsFromCertificate.
func TestTags(t *testing.T) {
	e := newEnv(t)
	p := makePair(t, certSpec{subject: pkix.Name{CommonName: "api.example.test"}, dns: []string{"api.example.test"}})
	arn := e.ok("ImportCertificate", map[string]any{"Certificate": b64(p.cert), "PrivateKey": b64(p.key)})["CertificateArn"].(string)
	if out := e.ok("ListTagsForCertificate", map[string]any{"CertificateArn": arn}); len(out) != 0 {
		t.Errorf("no tags: %v", out)
	}
	e.ok("AddTagsToCertificate", map[string]any{"CertificateArn": arn, "Tags": []map[string]any{{"Key": "env", "Value": "dev"}, {"Key": "owner"}}})
	e.ok("AddTagsToCertificate", map[string]any{"CertificateArn": arn, "Tags": []map[string]any{{"Key": "env", "Value": "prod"}}})
	got := e.ok("ListTagsForCertificate", map[string]any{"CertificateArn": arn})["Tags"]
	if !reflect.DeepEqual(got, []any{map[string]any{"Key": "env", "Value": "prod"}, map[string]any{"Key": "owner"}}) {
		t.Errorf("tags %v", got)
	}
	// A value given on removal must match.
	e.ok("RemoveTagsFromCertificate", map[string]any{"CertificateArn": arn, "Tags": []map[string]any{{"Key": "env", "Value": "dev"}, {"Key": "owner"}}})
	got = e.ok("ListTagsForCertificate", map[string]any{"CertificateArn": arn})["Tags"]
	if !reflect.DeepEqual(got, []any{map[string]any{"Key": "env", "Value": "prod"}}) {
		t.Errorf("tags after removal %v", got)
	}
	many := make([]map[string]any, 50)
	for i := range many {
		many[i] = map[string]any{"Key": "k" + itoa64(int64(i))}
	}
	e.fails("TooManyTagsException", "", "AddTagsToCertificate", map[string]any{"CertificateArn": arn, "Tags": many})
	e.fails("ValidationException", "Value null at 'tags'", "AddTagsToCertificate", map[string]any{"CertificateArn": arn})
	e.fails("ResourceNotFoundException", "", "AddTagsToCertificate", map[string]any{"CertificateArn": strings.Replace(arn, "-", "0", 1), "Tags": []map[string]any{{"Key": "a"}}})
}

// TestUnknownOperation: an ACM operation Tollgate does not serve.
func TestUnknownOperation(t *testing.T) {
	e := newEnv(t)
	e.fails("UnknownOperationException", "", "ExportCertificate", map[string]any{})
}
