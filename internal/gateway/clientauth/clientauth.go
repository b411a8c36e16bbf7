// Package clientauth verifies the client certificates of mutual TLS custom
// domains against their truststores, as API Gateway does after the
// handshake [D: rest-api-mutual-tls]: the certificate must chain to a
// certificate of the truststore within four CA certificates, every
// certificate of the chain must be within its validity period, and the
// client's own certificate must use strong algorithms. Revocation is not
// checked (AWS does not either). It also renders the verified certificate
// as $context.identity.clientCert shows it.
//
// A connection presents the same certificates to each of its requests:
// results are cached by certificate (bounded), so that keep-alive
// requests do not verify the chain again.
package clientauth

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/acm"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// Errors of Verify, wrapped with the detail.
var (
	// ErrNoCertificate: the client presented none.
	ErrNoCertificate = errors.New("no client certificate")
	// ErrUntrusted: the certificate does not chain to the truststore, is
	// out of its validity period, or is weak.
	ErrUntrusted = errors.New("client certificate not trusted")
)

// maxCache bounds the results kept; the cache is emptied when full.
const maxCache = 4096

// Truststore is a domain's truststore, compiled. It is safe for
// concurrent use.
type Truststore struct {
	roots *x509.CertPool
	now   func() time.Time

	mu    sync.Mutex
	cache map[*x509.Certificate]*result
}

// result is a cached verification.
type result struct {
	chain []*x509.Certificate // what was verified (the key is its leaf)
	cert  *pipeline.ClientCert
	err   error
	// from and until bound when the result holds (the chain's common
	// validity period); zero for results that do not depend on time.
	from, until time.Time
}

// New compiles the truststore's PEM certificates (the ones the
// management API accepted when the domain's truststore was set). A
// truststore without any (all of them were warnings) trusts nobody.
func New(truststorePEM string) *Truststore {
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM([]byte(truststorePEM))
	return &Truststore{roots: roots, now: time.Now, cache: map[*x509.Certificate]*result{}}
}

// Verify checks the chain the client presented (its certificate first)
// and returns what the API sees of it (pipeline.ClientCert).
func (ts *Truststore) Verify(chain []*x509.Certificate) (*pipeline.ClientCert, error) {
	if len(chain) == 0 {
		return nil, ErrNoCertificate
	}
	now := ts.now()
	leaf := chain[0]
	ts.mu.Lock()
	r := ts.cache[leaf]
	ts.mu.Unlock()
	if r != nil && slices.Equal(r.chain, chain) && (r.from.IsZero() || !now.Before(r.from) && !now.After(r.until)) {
		return r.cert, r.err
	}
	r = ts.verify(chain, now)
	r.chain = slices.Clone(chain)
	ts.mu.Lock()
	if len(ts.cache) >= maxCache {
		clear(ts.cache)
	}
	ts.cache[leaf] = r
	ts.mu.Unlock()
	return r.cert, r.err
}

func (ts *Truststore) verify(chain []*x509.Certificate, now time.Time) *result {
	leaf := chain[0]
	if weak := domain.Weakness(leaf); weak != "" {
		return &result{err: fmt.Errorf("%w: %s", ErrUntrusted, weak)}
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	// Any extended key usage: AWS does not document requiring clientAuth
	// [U].
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: ts.roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		var inv x509.CertificateInvalidError
		if errors.As(err, &inv) && inv.Reason == x509.Expired {
			// Out of its validity period now; it may not be later.
			return &result{err: fmt.Errorf("%w: %w", ErrUntrusted, err), from: now, until: now}
		}
		return &result{err: fmt.Errorf("%w: %w", ErrUntrusted, err)}
	}
	// The shortest chain to the truststore: the leaf and at most four CAs.
	best := chains[0]
	for _, c := range chains[1:] {
		if len(c) < len(best) {
			best = c
		}
	}
	if len(best)-1 > domain.MaxTrustChain {
		return &result{err: fmt.Errorf("%w: the chain has more than %d CA certificates", ErrUntrusted, domain.MaxTrustChain)}
	}
	r := &result{cert: Describe(leaf), from: leaf.NotBefore, until: leaf.NotAfter}
	for _, c := range best[1:] {
		if c.NotBefore.After(r.from) {
			r.from = c.NotBefore
		}
		if c.NotAfter.Before(r.until) {
			r.until = c.NotAfter
		}
	}
	return r
}

// Describe renders a client certificate as $context.identity.clientCert
// shows it [D: rest-api-mutual-tls, the example values].
func Describe(c *x509.Certificate) *pipeline.ClientCert {
	return &pipeline.ClientCert{
		PEM:          strings.TrimSuffix(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})), "\n"),
		SubjectDN:    c.Subject.String(),
		IssuerDN:     c.Issuer.String(),
		SerialNumber: acm.SerialHex(c),
		NotBefore:    c.NotBefore.UTC().Format(opensslTime),
		NotAfter:     c.NotAfter.UTC().Format(opensslTime),
	}
}

// opensslTime is how OpenSSL prints certificate dates ("May 28 12:30:02
// 2019 GMT", the day padded with a space) [D].
const opensslTime = "Jan _2 15:04:05 2006 GMT"
