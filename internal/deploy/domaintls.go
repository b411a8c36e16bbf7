package deploy

import (
	"context"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/store"
)

// domainExtra is what a domain needs besides routing.
type domainExtra struct{}

// readDomainExtra reads what a domain's TLS needs.
func (w *Watcher) readDomainExtra(ctx context.Context, r store.Reader, sd *storedDomain) error {
	return nil
}

// compileDomainExtra compiles a domain's TLS.
func (w *Watcher) compileDomainExtra(sd *storedDomain, d *front.Domain) error { return nil }

// removeDomainExtra drops a domain's TLS.
func (w *Watcher) removeDomainExtra(name string) {}

// applyDomainDependency applies a change to something domains use.
func (w *Watcher) applyDomainDependency(ctx context.Context, key string) (bool, error) {
	return false, nil
}
