package apigw

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"time"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tlscert"
)

// Client certificate facts [D][X]: 6-character ids, valid 365 days, 60
// per account and Region.
const (
	clientCertIDLength = 6
	clientCertLifetime = 365 * 24 * time.Hour
	maxClientCerts     = 60
)

// errClientCert is the answer for an unknown client certificate [L][U].
var errClientCert = awserr.NotFound("Invalid Client Certificate identifier specified")

type generateClientCertInput struct {
	Description *string           `json:"description"`
	Tags        map[string]string `json:"tags"`
}

// generateClientCertificate makes a self-signed certificate for API
// Gateway to present to HTTP backends. Tollgate choices: an ECDSA P-256
// key, CN = the certificate id, not a CA, digitalSignature, EKU clientAuth;
// the private key is sealed before it is stored and never returned.
func (a *API) generateClientCertificate(ctx context.Context, r *restjson.Request) (any, error) {
	var in generateClientCertInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	if a.secrets == nil {
		return nil, awserr.Internal()
	}
	now := a.now().Truncate(time.Second)
	id := a.ids.ID(clientCertIDLength)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := tlscert.SelfSigned(&x509.Certificate{
		Subject:               pkix.Name{CommonName: id},
		NotBefore:             now,
		NotAfter:              now.Add(clientCertLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}, key)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	sealed, err := a.secrets.Seal(keyPEM)
	clear(keyPEM)
	clear(pkcs8)
	if err != nil {
		return nil, err
	}
	c := model.StoredClientCertificate{
		ClientCertificate: model.ClientCertificate{
			ID:                    id,
			Description:           in.Description,
			PemEncodedCertificate: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
			CreatedDate:           model.TimeOf(now),
			ExpirationDate:        model.TimeOf(now.Add(clientCertLifetime)),
			Tags:                  in.Tags,
		},
		SealedKey: sealed,
	}
	err = a.update(ctx, func(tx store.Tx) error {
		n, err := tx.List(ctx, model.PrefixClientCertificates, store.ListOptions{Limit: maxClientCerts})
		if err != nil {
			return err
		}
		if len(n) >= maxClientCerts {
			return awserr.LimitExceeded("The maximum number of client certificates (%d) has been reached.", maxClientCerts) // [D quota; U text]
		}
		return put(ctx, tx, model.KeyClientCertificate(id), a.seq.next(), c)
	})
	if err != nil {
		return nil, err
	}
	return c.Public(), nil
}

func (a *API) loadClientCert(ctx context.Context, rd store.Reader, id string) (model.StoredClientCertificate, int64, error) {
	c, seq, err := get[model.StoredClientCertificate](ctx, rd, model.KeyClientCertificate(id))
	return c, seq, notFound(err, errClientCert)
}

func (a *API) getClientCertificate(ctx context.Context, r *restjson.Request) (any, error) {
	var c model.StoredClientCertificate
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		c, _, err = a.loadClientCert(ctx, rd, r.Path("clientcertificate_id"))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.Public(), nil
}

func (a *API) getClientCertificates(ctx context.Context, r *restjson.Request) (any, error) {
	var certs []model.StoredClientCertificate
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		certs, err = list[model.StoredClientCertificate](ctx, rd, model.PrefixClientCertificates)
		return err
	})
	if err != nil {
		return nil, err
	}
	items := make([]model.ClientCertificate, len(certs))
	for i, c := range certs {
		items[i] = c.Public()
	}
	page, err := restjson.Paginate(r, items, func(c model.ClientCertificate) string { return c.ID })
	if err != nil {
		return nil, err
	}
	if page.Item == nil {
		page.Item = []model.ClientCertificate{}
	}
	return page, nil
}

// updateClientCertificate applies replace /description, the only patch
// path [D].
func (a *API) updateClientCertificate(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("clientcertificate_id")
	c, err := patchDocument(ctx, a, r, "updateClientCertificateInput", model.KeyClientCertificate(id),
		func(rd store.Reader) (model.StoredClientCertificate, int64, error) {
			return a.loadClientCert(ctx, rd, id)
		},
		func(_ store.Tx, c *model.StoredClientCertificate, ops []patch.Operation) error {
			for _, op := range ops {
				switch {
				case op.Path != "/description":
					return patch.InvalidPathFor(op, "/description") // [U]
				case op.Op != "replace":
					return patch.InvalidOp("replace") // [U]
				}
				c.Description = optional(op.Str())
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return c.Public(), nil
}

// deleteClientCertificate deletes a certificate no stage names. Tollgate
// choice: a certificate still in use is refused with a 409 (AWS's
// behaviour is unknown) [U].
func (a *API) deleteClientCertificate(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("clientcertificate_id")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, _, err := a.loadClientCert(ctx, tx, id); err != nil {
			return err
		}
		used, err := clientCertInUse(ctx, tx, id)
		if err != nil {
			return err
		}
		if used {
			return awserr.Conflict("Cannot delete client certificate %s because it is in use by a stage.", id) // [U]
		}
		return tx.Delete(ctx, model.KeyClientCertificate(id))
	})
}

// clientCertInUse reports whether a REST or WebSocket stage names the
// client certificate.
func clientCertInUse(ctx context.Context, rd store.Reader, id string) (bool, error) {
	stages, err := list[model.Stage](ctx, rd, model.KindStage+"/")
	if err != nil {
		return false, err
	}
	for _, st := range stages {
		if model.Deref(st.ClientCertificateID) == id {
			return true, nil
		}
	}
	v2, err := list[modelv2.Stage](ctx, rd, modelv2.KindStage+"/")
	if err != nil {
		return false, err
	}
	for _, st := range v2 {
		if model.Deref(st.ClientCertificateID) == id {
			return true, nil
		}
	}
	return false, nil
}

// checkClientCertificate reports errInvalidClientCert unless the client
// certificate id exists; stages check the id they are given with it.
func checkClientCertificate(ctx context.Context, rd store.Reader, id string) error {
	ok, err := exists(ctx, rd, model.KeyClientCertificate(id))
	if err != nil {
		return err
	}
	if !ok {
		return errInvalidClientCert
	}
	return nil
}

// errInvalidClientCert answers a stage naming an unknown client
// certificate [U: text].
var errInvalidClientCert = awserr.BadRequest("Invalid client certificate identifier specified")
