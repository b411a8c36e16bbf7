package sni_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/gateway/sni"
)

// certFor is a self-signed ECDSA certificate for cn and names, and a pool
// trusting it.
func certFor(t *testing.T, cn string, names ...string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k, Leaf: leaf}, pool
}

// listen serves TLS with cfg; each connection echoes what it reads.
func listen(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	tl := tls.NewListener(ln, cfg)
	go func() {
		for {
			c, err := tl.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// dial handshakes as a client asking for serverName.
func dial(addr, serverName string, cfg *tls.Config) (*tls.Conn, error) {
	cfg = cfg.Clone()
	cfg.ServerName = serverName
	d := &net.Dialer{Timeout: 5 * time.Second}
	return tls.DialWithDialer(d, "tcp", addr, cfg)
}

// TestServerNames: each handshake gets the certificate of the name it
// asks for (any case; a wildcard entry serves one label under it, an exact
// entry wins), else the listener's; a replaced entry serves the next
// handshakes while a connection made before keeps working; a removed one
// falls back to the listener's.
func TestServerNames(t *testing.T) {
	def, defPool := certFor(t, "default", "localhost")
	api, apiPool := certFor(t, "api", "api.example.test")
	wild, wildPool := certFor(t, "wild", "*.example.test")
	tb := &sni.Table{}
	addr := listen(t, tb.Config(&tls.Config{Certificates: []tls.Certificate{def}, MinVersion: tls.VersionTLS12}))
	tb.Set("api.example.test", &sni.Entry{Certificate: api, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13})
	tb.Set("*.example.test", &sni.Entry{Certificate: wild, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13})

	for _, c := range []struct {
		name string
		pool *x509.CertPool
		want string
	}{
		{"api.example.test", apiPool, "api"},
		{"API.Example.Test", apiPool, "api"},
		{"shop.example.test", wildPool, "wild"},
		{"a.shop.example.test", defPool, "default"},
		{"localhost", defPool, "default"},
		{"", defPool, "default"},
	} {
		cfg := &tls.Config{RootCAs: c.pool, InsecureSkipVerify: c.name == "" || c.name == "a.shop.example.test"}
		conn, err := dial(addr, c.name, cfg)
		if err != nil {
			t.Errorf("%q: %v", c.name, err)
			continue
		}
		if got := conn.ConnectionState().PeerCertificates[0].Subject.CommonName; got != c.want {
			t.Errorf("%q: certificate %s, want %s", c.name, got, c.want)
		}
		conn.Close()
	}

	// Replace api's certificate with a connection open: it keeps working,
	// the next handshake gets the new certificate.
	open, err := dial(addr, "api.example.test", &tls.Config{RootCAs: apiPool})
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	api2, api2Pool := certFor(t, "api-2", "api.example.test")
	tb.Set("api.example.test", &sni.Entry{Certificate: api2, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13})
	if _, err := open.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(open, buf); err != nil || string(buf) != "ping" {
		t.Errorf("the connection made before the change: %q %v", buf, err)
	}
	conn, err := dial(addr, "api.example.test", &tls.Config{RootCAs: api2Pool})
	if err != nil || conn.ConnectionState().PeerCertificates[0].Subject.CommonName != "api-2" {
		t.Fatalf("after the change: %v", err)
	}
	conn.Close()

	tb.Remove("api.example.test")
	conn, err = dial(addr, "api.example.test", &tls.Config{RootCAs: wildPool})
	if err != nil || conn.ConnectionState().PeerCertificates[0].Subject.CommonName != "wild" {
		t.Fatalf("after the removal, the wildcard: %v", err)
	}
	conn.Close()
}

// TestPolicies: a domain's security policy bounds the versions and TLS
// 1.2 suites a client can negotiate.
func TestPolicies(t *testing.T) {
	def, _ := certFor(t, "default", "localhost")
	cert, pool := certFor(t, "d", "*.example.test")
	tb := &sni.Table{}
	addr := listen(t, tb.Config(&tls.Config{Certificates: []tls.Certificate{def}}))
	for _, name := range []string{"TLS_1_0", "TLS_1_2", "SecurityPolicy_TLS13_1_3_2025_09", "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09"} {
		p := domain.Policies[name]
		tb.Set(name+".example.test", &sni.Entry{Certificate: cert, MinVersion: p.MinVersion, MaxVersion: p.MaxVersion, CipherSuites: p.CipherSuites(domain.Regional)})
	}
	for _, c := range []struct {
		policy  string
		version uint16
		suites  []uint16
		ok      bool
	}{
		{"TLS_1_0", tls.VersionTLS10, nil, true},
		{"TLS_1_0", tls.VersionTLS11, nil, true},
		{"TLS_1_0", tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}, true},
		{"TLS_1_0", tls.VersionTLS13, nil, true},
		{"TLS_1_2", tls.VersionTLS11, nil, false},
		{"TLS_1_2", tls.VersionTLS12, nil, true},
		{"TLS_1_2", tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}, false},
		{"TLS_1_2", tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}, true},
		{"TLS_1_2", tls.VersionTLS13, nil, true},
		{"SecurityPolicy_TLS13_1_3_2025_09", tls.VersionTLS12, nil, false},
		{"SecurityPolicy_TLS13_1_3_2025_09", tls.VersionTLS13, nil, true},
		{"SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}, false},
		{"SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}, true},
	} {
		cfg := &tls.Config{RootCAs: pool, MinVersion: c.version, MaxVersion: c.version, CipherSuites: c.suites}
		conn, err := dial(addr, c.policy+".example.test", cfg)
		if (err == nil) != c.ok {
			t.Errorf("%s, %s %v: handshake error %v, want success %v", c.policy, tls.VersionName(c.version), suiteNames(c.suites), err, c.ok)
		}
		if err == nil {
			if got := conn.ConnectionState().Version; got != c.version {
				t.Errorf("%s: negotiated %s", c.policy, tls.VersionName(got))
			}
			conn.Close()
		}
	}
}

func suiteNames(ids []uint16) []string {
	var out []string
	for _, id := range ids {
		out = append(out, tls.CipherSuiteName(id))
	}
	return out
}
