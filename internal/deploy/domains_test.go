package deploy

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/acm"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/sni"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// ctxTemplate shows where a request went and what $context says of it.
const ctxTemplate = `$context.apiId $context.stage $context.resourcePath $context.path $context.domainName $context.domainPrefix ` +
	`$!context.customDomain.basePathMatched $!context.customDomain.routingRuleIdMatched`

// TestWatcherFollowsDomains: custom domain names, their mappings and
// rules are published at start-up and follow every stored change without
// a restart: a new mapping, a routing rule and a routing mode, a deleted
// mapping, a mapping document that does not decode (the previous version
// keeps serving), a deleted domain. An API whose execute-api endpoint is
// disabled still serves through the domain.
func TestWatcherFollowsDomains(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	closed := snapshot("shop", map[string]string{"/pets": ctxTemplate, "/": ctxTemplate})
	closed.API.DisableExecuteApiEndpoint = true
	put(t, st, model.ChildKey(model.KindSnapshot, "shop", "d1"), closed)
	put(t, st, model.ChildKey(model.KindStage, "shop", "prod"), model.Stage{StageName: "prod", DeploymentID: "d1"})
	put(t, st, model.ChildKey(model.KindSnapshot, "web", "d1"), snapshot("web", map[string]string{"/pets": ctxTemplate}))
	put(t, st, model.ChildKey(model.KindStage, "web", "live"), model.Stage{StageName: "live", DeploymentID: "d1"})
	const name = "api.example.test"
	put(t, st, domain.Key(name), domain.Domain{Name: name, EndpointType: domain.Regional, SecurityPolicy: "TLS_1_2", RoutingMode: domain.MappingsOnly})
	put(t, st, domain.MappingKey(name, "m1"), domain.Mapping{ID: "m1", Key: "v1", APIID: "shop", APIType: domain.APIRest, Stage: "prod"})

	door := &front.Door{}
	w := &Watcher{Store: st, Front: door, Compiler: &Compiler{Clients: upstream.NewClients()}}
	rev, err := w.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	get := func(host, path string, headers ...string) string {
		return string(serve(door, "GET", host, path, headers...).Body())
	}
	if got, want := get("API.example.test:8443", "/v1/pets"), "shop prod /pets /v1/pets api.example.test api v1 "; got != want {
		t.Errorf("after Sync: %q, want %q", got, want)
	}
	if got := get("x", "/_aws/execute-api/shop/prod/pets"); got != `{"message":"Forbidden"}` {
		t.Errorf("disabled execute-api endpoint: %q", got)
	}
	go func() { _ = w.Run(ctx, rev) }()
	waitFor := func(what, host, path, want string, headers ...string) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			got := get(host, path, headers...)
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s %s answers %q, want %q", what, host, path, got, want)
			}
		}
	}

	put(t, st, domain.MappingKey(name, "m2"), domain.Mapping{ID: "m2", Key: "", APIID: "web", APIType: domain.APIRest, Stage: "live"})
	waitFor("root mapping", name, "/pets", "web live /pets /pets api.example.test api (none) ")

	put(t, st, domain.RuleKey(name, "r1"), domain.RoutingRule{ID: "r1", Priority: 5,
		Conditions: []domain.Condition{{MatchHeaders: &domain.MatchHeaders{AnyOf: []domain.HeaderMatch{{Header: "x-version", ValueGlob: "beta*"}}}}},
		Actions:    []domain.Action{{InvokeAPI: &domain.InvokeAPI{APIID: "shop", Stage: "prod", StripBasePath: false}}}})
	// Mappings only: the rule is not consulted until the mode says so.
	if got := get(name, "/pets", "X-Version", "beta2"); got != "web live /pets /pets api.example.test api (none) " {
		t.Errorf("a rule under BASE_PATH_MAPPING_ONLY: %q", got)
	}
	put(t, st, domain.Key(name), domain.Domain{Name: name, EndpointType: domain.Regional, SecurityPolicy: "TLS_1_2", RoutingMode: domain.RulesThenMappings})
	waitFor("rule", name, "/pets", "shop prod /pets /pets api.example.test api  r1", "X-Version", "beta2")
	waitFor("no rule matching", name, "/pets", "web live /pets /pets api.example.test api (none) ")

	del(t, st, domain.MappingKey(name, "m2"))
	waitFor("deleted mapping", name, "/pets", `{"message":"Forbidden"}`)

	// A mapping that does not decode: reported, the previous version
	// keeps serving.
	putRaw(t, st, domain.MappingKey(name, "m3"), `{"v":{"key":7}}`)
	for deadline := time.Now().Add(5 * time.Second); w.Failures()["domain/"+name] == ""; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no compile failure reported: %v", w.Failures())
		}
	}
	if got := get(name, "/v1/pets"); got != "shop prod /pets /v1/pets api.example.test api v1 " {
		t.Errorf("after a bad mapping: %q", got)
	}
	del(t, st, domain.MappingKey(name, "m3"))

	del(t, st, domain.Key(name))
	waitFor("deleted domain", name, "/v1/pets", `{"message":"Forbidden"}`)
	if len(door.Domains()) != 0 || w.Failures()["domain/"+name] != "" {
		t.Errorf("after the delete: domains %v, failures %v", door.Domains(), w.Failures())
	}
}

func del(t *testing.T, st store.Store, key string) {
	t.Helper()
	if _, err := st.Update(context.Background(), func(tx store.Tx) error { return tx.Delete(context.Background(), key) }); err != nil {
		t.Fatal(err)
	}
}

func putRaw(t *testing.T, st store.Store, key, value string) {
	t.Helper()
	if _, err := st.Update(context.Background(), func(tx store.Tx) error { return tx.Put(context.Background(), key, []byte(value)) }); err != nil {
		t.Fatal(err)
	}
}

// testCertificate is an ACM document of a self-signed certificate for cn,
// its key sealed by box.
func testCertificate(t *testing.T, box *secret.Box, id, cn string) acm.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	sealed, err := box.Seal(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	if err != nil {
		t.Fatal(err)
	}
	return acm.Certificate{ID: id, Type: acm.TypeImported, CertificatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), SealedKey: sealed}
}

// TestWatcherDomainCertificates: a domain's ACM certificate and security
// policy reach the TLS table at start-up; a re-imported certificate and a
// new policy replace them without a restart; a deleted domain leaves it.
func TestWatcherDomainCertificates(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box, err := secret.New(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	const name, id = "api.example.test", "0d3c2f4e-8a8b-4c1e-9f0a-1b2c3d4e5f60"
	arn := acm.ARN("us-east-1", "000000000000", id)
	put(t, st, acm.Key(id), testCertificate(t, box, id, "first"))
	put(t, st, domain.Key(name), domain.Domain{Name: name, EndpointType: domain.Regional, RegionalCertificateARN: arn, SecurityPolicy: "TLS_1_2"})
	tlsTable := &sni.Table{}
	w := &Watcher{Store: st, Front: &front.Door{}, TLS: tlsTable, Compiler: &Compiler{Clients: upstream.NewClients(), Secrets: box}}
	rev, err := w.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	served := func() (string, uint16) {
		cfg := tlsTable.Lookup(name)
		if cfg == nil {
			return "", 0
		}
		leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return leaf.Subject.CommonName, cfg.MinVersion
	}
	if cn, min := served(); cn != "first" || min != tls.VersionTLS12 {
		t.Fatalf("after Sync: %q %s", cn, tls.VersionName(min))
	}
	go func() { _ = w.Run(ctx, rev) }()
	wait := func(what, cn string, min uint16) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if got, gotMin := served(); got == cn && gotMin == min {
				return
			}
			if time.Now().After(deadline) {
				got, gotMin := served()
				t.Fatalf("%s: serving %q %s, want %q %s", what, got, tls.VersionName(gotMin), cn, tls.VersionName(min))
			}
		}
	}
	put(t, st, acm.Key(id), testCertificate(t, box, id, "second"))
	wait("re-imported certificate", "second", tls.VersionTLS12)
	put(t, st, domain.Key(name), domain.Domain{Name: name, EndpointType: domain.Regional, RegionalCertificateARN: arn,
		SecurityPolicy: "SecurityPolicy_TLS13_1_3_2025_09", EndpointAccessMode: "BASIC"})
	wait("new policy", "second", tls.VersionTLS13)
	del(t, st, domain.Key(name))
	wait("deleted domain", "", 0)
}
