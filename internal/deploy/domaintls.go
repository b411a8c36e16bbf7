package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/acm"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/sni"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// domainExtra is what a domain needs besides routing: its server
// certificate (the ACM document) and, once compiled, its TLS entry.
type domainExtra struct {
	certID string
	cert   *acm.Certificate // nil: the certificate is missing
	tls    *sni.Entry
}

// readDomainExtra reads the ACM certificate a domain serves.
func (w *Watcher) readDomainExtra(ctx context.Context, r store.Reader, sd *storedDomain) error {
	arn, ok := acm.ParseARN(sd.ServingCertificateARN())
	if !ok {
		return nil
	}
	sd.extra.certID = arn.ID
	var c acm.Certificate
	err := getRecord(ctx, r, acm.Key(arn.ID), &c)
	if errors.Is(err, store.ErrNotFound) {
		return nil // compileDomainExtra says what is missing
	}
	if err != nil {
		return err
	}
	sd.extra.cert = &c
	return nil
}

// compileDomainExtra compiles a domain's TLS entry: its certificate, the
// versions and suites of its security policy, a request for client
// certificates with mutual TLS.
func (w *Watcher) compileDomainExtra(sd *storedDomain, d *front.Domain) error {
	if w.TLS == nil {
		return nil // no HTTPS listener
	}
	if sd.extra.cert == nil {
		return fmt.Errorf("certificate %s not found", sd.ServingCertificateARN())
	}
	if w.Compiler.Secrets == nil {
		return errors.New("no secret key to open the certificate's private key with")
	}
	pair, err := sd.extra.cert.KeyPair(w.Compiler.Secrets)
	if err != nil {
		return err
	}
	policy, ok := domain.Policies[sd.SecurityPolicy]
	if !ok {
		policy = domain.Policies[domain.DefaultPolicy]
	}
	sd.extra.tls = &sni.Entry{
		Certificate:       pair,
		MinVersion:        policy.MinVersion,
		MaxVersion:        policy.MaxVersion,
		CipherSuites:      policy.CipherSuites(sd.EndpointType),
		RequestClientCert: d.ClientAuth != nil,
	}
	return nil
}

// publishDomainExtra publishes a compiled domain's TLS entry and records
// which certificate it uses, so that a re-import recompiles it.
func (w *Watcher) publishDomainExtra(sd *storedDomain) {
	w.mu.Lock()
	if w.domainCerts == nil {
		w.domainCerts = map[string]string{}
	}
	w.domainCerts[sd.Name] = sd.extra.certID
	w.mu.Unlock()
	if w.TLS != nil && sd.extra.tls != nil {
		w.TLS.Set(sd.Name, sd.extra.tls)
	}
}

// removeDomainExtra stops serving a domain's TLS entry.
func (w *Watcher) removeDomainExtra(name string) {
	w.mu.Lock()
	delete(w.domainCerts, name)
	w.mu.Unlock()
	if w.TLS != nil {
		w.TLS.Remove(name)
	}
}

// applyDomainDependency applies a change to a certificate: the domains
// serving an ACM certificate are recompiled (a re-import takes effect at
// the next handshake; connections made before keep theirs); a changed or
// deleted client certificate is no longer reused for the next stages
// compiled.
func (w *Watcher) applyDomainDependency(ctx context.Context, key string) (bool, error) {
	if id, ok := strings.CutPrefix(key, model.PrefixClientCertificates); ok {
		w.forgetClientCertificate(id) // clientcerts.go
		return true, nil
	}
	id, ok := strings.CutPrefix(key, acm.PrefixCertificates)
	if !ok {
		return false, nil
	}
	var users []string
	w.mu.Lock()
	for name, cert := range w.domainCerts {
		if cert == id {
			users = append(users, name)
		}
	}
	w.mu.Unlock()
	for _, name := range users {
		if err := w.applyDomain(ctx, name); err != nil {
			return true, err
		}
	}
	return true, nil
}
