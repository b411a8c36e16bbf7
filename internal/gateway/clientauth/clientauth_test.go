package clientauth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// node is a certificate with its key.
type node struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var epoch = time.Date(2030, 5, 28, 12, 30, 2, 0, time.UTC)

// issue makes a certificate for cn signed by parent (self-signed when nil).
func issue(t *testing.T, parent *node, cn string, ca bool, serial int64, key crypto.Signer, from, until time.Time) *node {
	t.Helper()
	if key == nil {
		var err error
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Organization: []string{"Example"}},
		NotBefore: from, NotAfter: until, BasicConstraintsValid: true, IsCA: ca,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	signer, issuer := key, tmpl
	if parent != nil {
		signer, issuer = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &node{cert: c, key: key}
}

func pemOf(ns ...*node) string {
	var b strings.Builder
	for _, n := range ns {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: n.cert.Raw}))
	}
	return b.String()
}

// TestVerify: a client certificate is accepted when it chains to the
// truststore (directly, through intermediates it sends, or listed itself
// when self-signed) within four CA certificates and its validity period,
// with strong algorithms; otherwise refused with the reason.
func TestVerify(t *testing.T) {
	from, until := epoch.Add(-24*time.Hour), epoch.Add(24*time.Hour)
	root := issue(t, nil, "Root CA", true, 1, nil, from, until)
	i1 := issue(t, root, "I1", true, 2, nil, from, until)
	i2 := issue(t, i1, "I2", true, 3, nil, from, until)
	i3 := issue(t, i2, "I3", true, 4, nil, from, until)
	i4 := issue(t, i3, "I4", true, 5, nil, from, until)
	leaf := issue(t, root, "client", false, 1001, nil, from, until)
	viaI1 := issue(t, i1, "via i1", false, 6, nil, from, until)
	viaI3 := issue(t, i3, "via i3", false, 7, nil, from, until)
	viaI4 := issue(t, i4, "via i4", false, 8, nil, from, until)
	self := issue(t, nil, "self", false, 9, nil, from, until)
	strangerCA := issue(t, nil, "Stranger CA", true, 10, nil, from, until)
	stranger := issue(t, strangerCA, "stranger", false, 11, nil, from, until)
	expired := issue(t, root, "expired", false, 12, nil, from, epoch.Add(-time.Hour))
	early := issue(t, root, "early", false, 13, nil, epoch.Add(time.Hour), until)
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weak := issue(t, root, "weak", false, 14, rsa1024, from, until)

	ts := New(pemOf(root, self))
	ts.now = func() time.Time { return epoch }
	for _, c := range []struct {
		what  string
		chain []*node
		err   error
	}{
		{"issued by the truststore's CA", []*node{leaf}, nil},
		{"through an intermediate the client sends", []*node{viaI1, i1}, nil},
		{"three intermediates", []*node{viaI3, i3, i2, i1}, nil},
		{"four intermediates: five CAs", []*node{viaI4, i4, i3, i2, i1}, ErrUntrusted},
		{"self-signed and listed", []*node{self}, nil},
		{"intermediate not sent", []*node{viaI1}, ErrUntrusted},
		{"another CA", []*node{stranger, strangerCA}, ErrUntrusted},
		{"expired", []*node{expired}, ErrUntrusted},
		{"not yet valid", []*node{early}, ErrUntrusted},
		{"RSA-1024", []*node{weak}, ErrUntrusted},
		{"none", nil, ErrNoCertificate},
	} {
		var chain []*x509.Certificate
		for _, n := range c.chain {
			chain = append(chain, n.cert)
		}
		cc, err := ts.Verify(chain)
		if !errors.Is(err, c.err) || (err == nil) != (cc != nil) {
			t.Errorf("%s: %v %v, want %v", c.what, cc, err, c.err)
		}
		if again, err2 := ts.Verify(chain); again != cc || !errors.Is(err2, c.err) {
			t.Errorf("%s: a second verification differs: %v %v", c.what, again, err2)
		}
	}

	// An empty truststore trusts nobody.
	if _, err := New("").Verify([]*x509.Certificate{self.cert}); !errors.Is(err, ErrUntrusted) {
		t.Errorf("empty truststore: %v", err)
	}

	// A cached success expires with the certificate.
	ts.now = func() time.Time { return until.Add(time.Minute) }
	if _, err := ts.Verify([]*x509.Certificate{leaf.cert}); !errors.Is(err, ErrUntrusted) {
		t.Errorf("after the certificate expired: %v", err)
	}
}

// TestDescribe: $context.identity.clientCert's formats [D: example values].
func TestDescribe(t *testing.T) {
	root := issue(t, nil, "Root CA", true, 1, nil, epoch.Add(-time.Hour), epoch.Add(69*24*time.Hour))
	leaf := issue(t, root, "client", false, 1001, nil, epoch, time.Date(2030, 8, 5, 9, 36, 4, 0, time.UTC))
	cc := Describe(leaf.cert)
	if cc.SubjectDN != "CN=client,O=Example" || cc.IssuerDN != "CN=Root CA,O=Example" || cc.SerialNumber != "03:e9" ||
		cc.NotBefore != "May 28 12:30:02 2030 GMT" || cc.NotAfter != "Aug  5 09:36:04 2030 GMT" {
		t.Errorf("Describe: %+v", cc)
	}
	if block, rest := pem.Decode([]byte(cc.PEM)); block == nil || len(rest) != 0 || string(block.Bytes) != string(leaf.cert.Raw) {
		t.Errorf("clientCertPem is not the leaf alone: %q", cc.PEM)
	}
}
