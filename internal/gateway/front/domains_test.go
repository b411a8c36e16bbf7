package front_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// at is the address a custom domain request should reach a target with.
func at(host, api, stage, rest, path, basePath, rule string) pipeline.Address {
	return pipeline.Address{DomainName: host, APIID: api, StageName: stage, StagePath: rest, RawStagePath: rest, Path: path,
		Domain: &pipeline.DomainRoute{Domain: "", BasePathMatched: basePath, RoutingRuleID: rule}}
}

// sameAt compares addresses, the DomainRoute by value (its Domain left
// out when want's is empty).
func sameAt(got, want pipeline.Address) bool {
	if (got.Domain == nil) != (want.Domain == nil) {
		return false
	}
	if got.Domain != nil {
		g, w := *got.Domain, *want.Domain
		if w.Domain == "" {
			g.Domain = ""
		}
		if g != w {
			return false
		}
	}
	got.Domain, want.Domain = nil, nil
	return got == want
}

func serveH(d *front.Door, host, path string, headers ...string) *gatewaytest.Response {
	resp := gatewaytest.NewResponse()
	d.Serve(context.Background(), gatewaytest.NewRequest("GET", host, path, nil, headers...), resp)
	return resp
}

// TestDomainMappings: a domain's Host (any case, any port) routes by its
// base path mappings: a single-level key takes the first segment, the
// base path is stripped from what the API routes and kept in the path
// the API reports; a mapping without a stage takes it from the path; the
// root mapping takes what no key matches; what reaches no deployed stage
// is 403 Forbidden.
func TestDomainMappings(t *testing.T) {
	d := &front.Door{}
	prod, dev, root := &target{name: "prod"}, &target{name: "dev"}, &target{name: "root"}
	d.Set("shop", "prod", prod)
	d.Set("shop", "dev", dev)
	d.Set("web", "live", root)
	d.SetDomain(&front.Domain{Name: "api.example.test", UseMappings: true, Mappings: []front.Mapping{
		{Key: "v1", APIID: "shop", Stage: "prod"},
		{Key: "any", APIID: "shop"},
		{Key: "gone", APIID: "shop", Stage: "nope"},
		{Key: "", APIID: "web", Stage: "live"},
	}})
	for _, c := range []struct {
		host, path string
		want       *target
		at         pipeline.Address
	}{
		{"api.example.test", "/v1/pets/7", prod, at("api.example.test", "shop", "prod", "/pets/7", "/v1/pets/7", "v1", "")},
		{"API.Example.TEST:8443", "/v1", prod, at("api.example.test", "shop", "prod", "", "/v1", "v1", "")},
		{"api.example.test", "/v1/", prod, at("api.example.test", "shop", "prod", "/", "/v1/", "v1", "")},
		{"api.example.test", "/any/dev/pets", dev, at("api.example.test", "shop", "dev", "/pets", "/any/dev/pets", "any", "")},
		{"api.example.test", "/v1x/pets", root, at("api.example.test", "web", "live", "/v1x/pets", "/v1x/pets", "(none)", "")},
		{"api.example.test", "/V1/pets", root, at("api.example.test", "web", "live", "/V1/pets", "/V1/pets", "(none)", "")},
		{"api.example.test", "/", root, at("api.example.test", "web", "live", "/", "/", "(none)", "")},
	} {
		r := serveH(d, c.host, c.path)
		if r.Code != 200 || string(r.Body()) != c.want.name || !sameAt(c.want.at, c.at) {
			t.Errorf("%s %s: %d %q at %+v %+v, want %s at %+v", c.host, c.path, r.Code, r.Body(), c.want.at, c.want.at.Domain, c.want.name, c.at)
		}
	}
	// No root mapping: the unmapped paths are refused.
	d.SetDomain(&front.Domain{Name: "api.example.test", UseMappings: true, Mappings: []front.Mapping{
		{Key: "v1", APIID: "shop", Stage: "prod"}, {Key: "any", APIID: "shop"}, {Key: "gone", APIID: "shop", Stage: "nope"},
	}})
	served := prod.served + dev.served + root.served
	for _, p := range []string{"/", "/v2/pets", "/any", "/any/", "/any/nope/pets", "/gone/pets", "/v1x"} {
		r := serveH(d, "api.example.test", p)
		if r.Code != 403 || string(r.Body()) != `{"message":"Forbidden"}` || r.Headers.Get("x-amzn-ErrorType") != "ForbiddenException" ||
			len(r.Headers.Get("x-amzn-RequestId")) != 36 {
			t.Errorf("%s: %d %s %v, want 403 Forbidden", p, r.Code, r.Body(), r.Headers)
		}
	}
	if n := prod.served + dev.served + root.served; n != served {
		t.Errorf("refused requests reached a stage")
	}
	// The reserved health checks answer on the domain.
	if r := serveH(d, "api.example.test", "/ping"); r.Code != 200 || len(r.Body()) != 0 {
		t.Errorf("/ping: %d %q", r.Code, r.Body())
	}
	// The execute-api addresses are unaffected.
	if r := serveH(d, "shop.execute-api.localhost", "/prod/pets"); r.Code != 200 || prod.at.Domain != nil || prod.at.Path != "" {
		t.Errorf("execute-api: %d at %+v", r.Code, prod.at)
	}
}

// TestDomainMultiLevel: with a multi-level key on the domain, the longest
// key that is a prefix of the path wins, a plain string prefix as AWS's
// own table shows ("/ordersandmore" selects "orders").
func TestDomainMultiLevel(t *testing.T) {
	d := &front.Door{}
	a, b, c := &target{name: "a"}, &target{name: "b"}, &target{name: "c"}
	d.Set("a", "s", a)
	d.Set("b", "s", b)
	d.Set("c", "s", c)
	d.SetDomain(&front.Domain{Name: "m.example.test", UseMappings: true, Mappings: []front.Mapping{
		{Key: "orders", APIID: "a", Stage: "s"},
		{Key: "orders/shop", APIID: "b", Stage: "s"},
		{Key: "orders/shop/5", APIID: "c", Stage: "s"},
	}})
	for _, tc := range []struct {
		path string
		want *target
		at   pipeline.Address
	}{
		{"/orders/shop/5/hats", c, at("m.example.test", "c", "s", "/hats", "/orders/shop/5/hats", "orders/shop/5", "")},
		{"/orders/shop/6", b, at("m.example.test", "b", "s", "/6", "/orders/shop/6", "orders/shop", "")},
		{"/orders/x", a, at("m.example.test", "a", "s", "/x", "/orders/x", "orders", "")},
		{"/ordersandmore", a, at("m.example.test", "a", "s", "/andmore", "/ordersandmore", "orders", "")},
		{"/orders", a, at("m.example.test", "a", "s", "", "/orders", "orders", "")},
	} {
		tc.at.Domain.LowerHeaderNames = true // the domain has multi-level mappings [D]
		r := serveH(d, "m.example.test", tc.path)
		if r.Code != 200 || string(r.Body()) != tc.want.name || !sameAt(tc.want.at, tc.at) {
			t.Errorf("%s: %d %q at %+v, want %s at %+v", tc.path, r.Code, r.Body(), tc.want.at, tc.want.name, tc.at)
		}
	}
	if r := serveH(d, "m.example.test", "/shop"); r.Code != 403 {
		t.Errorf("/shop: %d, want 403", r.Code)
	}
}

// TestDomainWildcard: a wildcard domain serves the hosts one label in
// front of its suffix; a domain of the exact name wins; deeper names and
// the suffix itself are not covered; removing a domain stops it.
func TestDomainWildcard(t *testing.T) {
	d := &front.Door{}
	w, x := &target{name: "wild"}, &target{name: "exact"}
	d.Set("w", "s", w)
	d.Set("x", "s", x)
	d.SetDomain(&front.Domain{Name: "*.example.test", UseMappings: true, Mappings: []front.Mapping{{APIID: "w", Stage: "s"}}})
	d.SetDomain(&front.Domain{Name: "a.example.test", UseMappings: true, Mappings: []front.Mapping{{APIID: "x", Stage: "s"}}})
	for host, want := range map[string]string{"b.example.test": "wild", "B.Example.Test:443": "wild", "a.example.test": "exact"} {
		if r := serveH(d, host, "/p"); r.Code != 200 || string(r.Body()) != want {
			t.Errorf("%s: %d %q, want %s", host, r.Code, r.Body(), want)
		}
	}
	if w.at.DomainName != "b.example.test" || w.at.Domain.Domain != "*.example.test" {
		t.Errorf("wildcard address: %+v %+v", w.at, w.at.Domain)
	}
	for _, host := range []string{"c.b.example.test", "example.test", "other.test"} {
		if r := serveH(d, host, "/p"); r.Code != 403 {
			t.Errorf("%s: %d, want 403", host, r.Code)
		}
	}
	d.RemoveDomain("a.example.test")
	if r := serveH(d, "a.example.test", "/p"); string(r.Body()) != "wild" {
		t.Errorf("after removing the exact domain: %d %q", r.Code, r.Body())
	}
	d.RemoveDomain("*.example.test")
	if r := serveH(d, "a.example.test", "/p"); r.Code != 403 || len(d.Domains()) != 0 {
		t.Errorf("after removing both: %d %v", r.Code, d.Domains())
	}
	// Domains survive changes to the APIs' stages, and stages changes to
	// domains.
	d.SetDomain(&front.Domain{Name: "a.example.test", UseMappings: true, Mappings: []front.Mapping{{APIID: "x", Stage: "s"}}})
	d.Set("w", "t", w)
	d.RemoveAPI("w")
	if r := serveH(d, "a.example.test", "/p"); string(r.Body()) != "exact" || d.Lookup("x", "s") != x {
		t.Errorf("after stage changes: %d %q", r.Code, r.Body())
	}
}

// TestDomainRules: routing rules in ascending priority, the first whose
// conditions all hold winning: header names case-insensitively, value
// globs case-sensitively against any occurrence, base paths on whole
// leading segments, stripBasePath; the routing mode decides whether rules,
// mappings or both are consulted.
func TestDomainRules(t *testing.T) {
	d := &front.Door{}
	tg := map[string]*target{}
	for _, n := range []string{"beta", "json", "pets", "strip", "host", "all", "mapped"} {
		tg[n] = &target{name: n}
		d.Set(n, "s", tg[n])
	}
	rules := []front.Rule{
		{ID: "all", Priority: 1000, APIID: "all", Stage: "s"},
		{ID: "beta", Priority: 10, APIID: "beta", Stage: "s", Headers: []front.HeaderMatch{{Header: "x-version", ValueGlob: "beta"}, {Header: "x-tier", ValueGlob: "*"}}},
		{ID: "json", Priority: 20, APIID: "json", Stage: "s", Headers: []front.HeaderMatch{{Header: "Accept", ValueGlob: "*json*"}}},
		{ID: "pets", Priority: 30, APIID: "pets", Stage: "s", BasePath: "PetStoreShopper"},
		{ID: "strip", Priority: 40, APIID: "strip", Stage: "s", BasePath: "v2/orders", StripBasePath: true},
		{ID: "host", Priority: 5, APIID: "host", Stage: "s", Headers: []front.HeaderMatch{{Header: "Host", ValueGlob: "h.*"}}},
	}
	d.SetDomain(&front.Domain{Name: "r.example.test", UseRules: true, Rules: rules})
	for _, c := range []struct {
		path    string
		headers []string
		want    string
		at      pipeline.Address
	}{
		{"/x", []string{"X-Version", "beta", "X-Tier", "gold"}, "beta", at("r.example.test", "beta", "s", "/x", "/x", "", "beta")},
		{"/x", []string{"X-Version", "Beta", "X-Tier", "gold"}, "all", at("r.example.test", "all", "s", "/x", "/x", "", "all")},
		{"/x", []string{"X-Version", "beta"}, "all", at("r.example.test", "all", "s", "/x", "/x", "", "all")},
		{"/x", []string{"Accept", "application/json,text/xml"}, "json", at("r.example.test", "json", "s", "/x", "/x", "", "json")},
		{"/x", []string{"Accept", "text/xml", "accept", "text/json"}, "json", at("r.example.test", "json", "s", "/x", "/x", "", "json")},
		{"/PetStoreShopper/dogs", nil, "pets", at("r.example.test", "pets", "s", "/PetStoreShopper/dogs", "/PetStoreShopper/dogs", "", "pets")},
		{"/PetStoreShopper", nil, "pets", at("r.example.test", "pets", "s", "/PetStoreShopper", "/PetStoreShopper", "", "pets")},
		{"/PetStoreShoppers", nil, "all", at("r.example.test", "all", "s", "/PetStoreShoppers", "/PetStoreShoppers", "", "all")},
		{"/petstoreshopper", nil, "all", at("r.example.test", "all", "s", "/petstoreshopper", "/petstoreshopper", "", "all")},
		{"/v2/orders/7", nil, "strip", at("r.example.test", "strip", "s", "/7", "/v2/orders/7", "", "strip")},
		{"/v2/orders", nil, "strip", at("r.example.test", "strip", "s", "", "/v2/orders", "", "strip")},
	} {
		r := serveH(d, "r.example.test", c.path, c.headers...)
		got := tg[c.want]
		if r.Code != 200 || string(r.Body()) != c.want || !sameAt(got.at, c.at) {
			t.Errorf("%s %v: %d %q at %+v %+v, want %s at %+v", c.path, c.headers, r.Code, r.Body(), got.at, got.at.Domain, c.want, c.at)
		}
	}
	// Host is a header like any other (a wildcard domain's concrete host).
	d.SetDomain(&front.Domain{Name: "*.example.test", UseRules: true, Rules: rules[5:]})
	if r := serveH(d, "h.example.test", "/x"); string(r.Body()) != "host" {
		t.Errorf("Host rule: %d %q", r.Code, r.Body())
	}
	if r := serveH(d, "i.example.test", "/x"); r.Code != 403 || string(r.Body()) != `{"message":"Forbidden"}` {
		t.Errorf("rules only, none matching: %d %q", r.Code, r.Body())
	}

	// Rules then mappings: the mappings take what no rule matches; with
	// mappings only, the rules are not consulted.
	maps := []front.Mapping{{Key: "", APIID: "mapped", Stage: "s"}}
	d.SetDomain(&front.Domain{Name: "r.example.test", UseRules: true, UseMappings: true, Rules: rules[1:2], Mappings: maps})
	if r := serveH(d, "r.example.test", "/x", "x-version", "beta", "x-tier", "t"); string(r.Body()) != "beta" {
		t.Errorf("rules then mappings, rule: %q", r.Body())
	}
	if r := serveH(d, "r.example.test", "/x"); string(r.Body()) != "mapped" || tg["mapped"].at.Domain.BasePathMatched != "(none)" {
		t.Errorf("rules then mappings, mapping: %q", r.Body())
	}
	d.SetDomain(&front.Domain{Name: "r.example.test", UseMappings: true, Rules: rules[1:2], Mappings: maps})
	if r := serveH(d, "r.example.test", "/x", "x-version", "beta", "x-tier", "t"); string(r.Body()) != "mapped" {
		t.Errorf("mappings only: %q", r.Body())
	}
}

// tlsRequest is a request that came over TLS.
type tlsRequest struct {
	*gatewaytest.Request
	state *tls.ConnectionState
}

func (r tlsRequest) TLSState() *tls.ConnectionState { return r.state }

// auth accepts the chains whose leaf is good.
type auth struct{ good *x509.Certificate }

func (a auth) Verify(chain []*x509.Certificate) (*pipeline.ClientCert, error) {
	if len(chain) == 0 || chain[0] != a.good {
		return nil, errors.New("untrusted")
	}
	return &pipeline.ClientCert{SubjectDN: "CN=good"}, nil
}

// TestDomainNegotiation: a mutual TLS domain serves only requests whose
// connection was made for it (SNI) with a client certificate it accepts,
// whose details reach the API; a STRICT domain only requests whose Host
// is the SNI name; plain HTTP reaches neither.
func TestDomainNegotiation(t *testing.T) {
	d := &front.Door{}
	s := &target{name: "s"}
	d.Set("a", "s", s)
	good, bad := &x509.Certificate{}, &x509.Certificate{}
	d.SetDomain(&front.Domain{Name: "mtls.example.test", UseMappings: true, Mappings: []front.Mapping{{APIID: "a", Stage: "s"}}, ClientAuth: auth{good}})
	d.SetDomain(&front.Domain{Name: "*.strict.test", UseMappings: true, Mappings: []front.Mapping{{APIID: "a", Stage: "s"}}, Strict: true})
	send := func(host, sni string, certs ...*x509.Certificate) *gatewaytest.Response {
		var req pipeline.Request = gatewaytest.NewRequest("GET", host, "/p", nil)
		if sni != "-" {
			req = tlsRequest{req.(*gatewaytest.Request), &tls.ConnectionState{ServerName: sni, PeerCertificates: certs}}
		}
		resp := gatewaytest.NewResponse()
		d.Serve(context.Background(), req, resp)
		return resp
	}
	for _, c := range []struct {
		what, host, sni string
		certs           []*x509.Certificate
		status          int
	}{
		{"trusted certificate", "mtls.example.test", "mtls.example.test", []*x509.Certificate{good}, 200},
		{"SNI in upper case, Host with a port", "mtls.example.test:8443", "MTLS.example.test", []*x509.Certificate{good}, 200},
		{"no certificate", "mtls.example.test", "mtls.example.test", nil, 403},
		{"untrusted certificate", "mtls.example.test", "mtls.example.test", []*x509.Certificate{bad}, 403},
		{"connection made for another name", "mtls.example.test", "localhost", []*x509.Certificate{good}, 403},
		{"no SNI", "mtls.example.test", "", []*x509.Certificate{good}, 403},
		{"plain HTTP", "mtls.example.test", "-", nil, 403},
		{"strict, Host = SNI", "a.strict.test", "a.strict.test", nil, 200},
		{"strict, Host ≠ SNI of the same domain", "a.strict.test", "b.strict.test", nil, 403},
		{"strict, plain HTTP", "a.strict.test", "-", nil, 403},
	} {
		s.at = pipeline.Address{}
		r := send(c.host, c.sni, c.certs...)
		if r.Code != c.status {
			t.Errorf("%s: %d %s, want %d", c.what, r.Code, r.Body(), c.status)
		}
		if c.status == 403 && string(r.Body()) != `{"message":"Forbidden"}` {
			t.Errorf("%s: %s", c.what, r.Body())
		}
		if c.status == 200 && c.certs != nil && (s.at.ClientCert == nil || s.at.ClientCert.SubjectDN != "CN=good") {
			t.Errorf("%s: client certificate %+v", c.what, s.at.ClientCert)
		}
	}
}

// TestDomainAnyAPIType: a mapping reaches whatever Target is published
// for the API's stage, an HTTP API's $default stage included: the Target
// gets the path after the base path to route and the whole path for its
// raw path (an HTTP API keeps the base path in rawPath).
func TestDomainAnyAPIType(t *testing.T) {
	d := &front.Door{}
	h := &target{name: "http"}
	d.Set("http1", front.DefaultStage, h)
	d.SetDomain(&front.Domain{Name: "h.example.test", UseMappings: true, Mappings: []front.Mapping{{Key: "orders", APIID: "http1", Stage: front.DefaultStage}}})
	r := serveH(d, "h.example.test", "/orders/7")
	if want := at("h.example.test", "http1", "$default", "/7", "/orders/7", "orders", ""); r.Code != 200 || !sameAt(h.at, want) {
		t.Errorf("HTTP API stage: %d at %+v, want %+v", r.Code, h.at, want)
	}
}
