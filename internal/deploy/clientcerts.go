package deploy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// stageClients are HTTP clients presenting one client certificate, kept
// while a compiled stage may use them so that recompiles of a stage (new
// variables, a redeploy) keep its backend connections.
type stageClients struct {
	pem     string // the certificate they present
	clients *upstream.Clients
}

// readClientCertificate reads the client certificate a stage names (nil
// when it names none).
func readClientCertificate(ctx context.Context, r store.Reader, st *model.Stage) (*model.StoredClientCertificate, error) {
	id := model.Deref(st.ClientCertificateID)
	if id == "" {
		return nil, nil
	}
	var cc model.StoredClientCertificate
	err := getRecord(ctx, r, model.KeyClientCertificate(id), &cc)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &badRecordError{fmt.Errorf("client certificate %s not found", id)}
	}
	return &cc, err
}

// clientsFor returns the HTTP clients presenting cc, built once per
// certificate (nil cc: nil, the integrations' own clients).
func (w *Watcher) clientsFor(cc *model.StoredClientCertificate) (*upstream.Clients, error) {
	if cc == nil {
		return nil, nil
	}
	w.mu.Lock()
	sc := w.clientCerts[cc.ID]
	w.mu.Unlock()
	if sc != nil && sc.pem == cc.PemEncodedCertificate {
		return sc.clients, nil
	}
	if w.Compiler.Secrets == nil || w.Compiler.Clients == nil {
		return nil, errors.New("client certificates need the secret key and HTTP clients")
	}
	key, err := w.Compiler.Secrets.Open(cc.SealedKey)
	if err != nil {
		return nil, fmt.Errorf("client certificate %s: %w", cc.ID, err)
	}
	pair, err := tls.X509KeyPair([]byte(cc.PemEncodedCertificate), key)
	if err != nil {
		return nil, fmt.Errorf("client certificate %s: %w", cc.ID, err)
	}
	sc = &stageClients{pem: cc.PemEncodedCertificate, clients: w.Compiler.Clients.WithCertificate(pair)}
	w.mu.Lock()
	if w.clientCerts == nil {
		w.clientCerts = map[string]*stageClients{}
	}
	w.clientCerts[cc.ID] = sc
	w.mu.Unlock()
	return sc.clients, nil
}

// forgetClientCertificate drops the clients of a client certificate that
// changed or was deleted: stages compiled with them keep them; the next
// compile builds new ones.
func (w *Watcher) forgetClientCertificate(id string) {
	w.mu.Lock()
	delete(w.clientCerts, id)
	w.mu.Unlock()
}
