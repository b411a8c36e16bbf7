// Package keyring keeps the secrets the nodes of a cluster share in the
// store they share, sealed with the cluster key: the key that seals API
// key values, encrypted cache entries and certificate private keys
// (secret.Box), the management credentials, and the local certificate
// authority. The first node to start makes them; every other node opens
// them. A node given another cluster key cannot open them and is refused
// with a reason naming both keys' ids.
//
// The cluster key itself never reaches the store: the secrets are sealed
// (AES-256-GCM, secret.Box) under a key derived from it, and the store
// holds only a short id of the cluster key (an HMAC, which reveals
// nothing of the key) so that a mismatch can be named.
package keyring

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
)

// StoreKey is the store key of the sealed secrets.
const StoreKey = "cluster/secrets"

// IDKey is the store key of the id of a store used without a cluster
// key (one gateway on SQLite, say, with --redis): it keeps that gateway's
// Redis keys apart from other gateways'.
const IDKey = "cluster/id"

// StoreID returns the id kept in st under IDKey, making one if there is
// none.
func StoreID(ctx context.Context, st store.Store) (string, error) {
	read := func() (string, error) {
		var id string
		err := st.View(ctx, func(r store.Reader) error {
			it, err := r.Get(ctx, IDKey)
			id = string(it.Value)
			return err
		})
		return id, err
	}
	id, err := read()
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return id, err
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("keyring: %w", err)
	}
	id = hex.EncodeToString(b[:])
	_, err = st.Update(ctx, func(tx store.Tx) error { return tx.Create(ctx, IDKey, []byte(id)) })
	if errors.Is(err, store.ErrConflict) {
		return read()
	}
	return id, err
}

// KeySize is the size of a cluster key in bytes.
const KeySize = 32

// ErrWrongKey is wrapped by Open's error when the cluster key does not
// unlock the secrets in the store.
var ErrWrongKey = errors.New("keyring: the cluster key does not unlock the secrets in the store")

// Secrets are what the nodes of a cluster share.
type Secrets struct {
	// ClusterID names the cluster (random, not a secret): it keeps the
	// keys of clusters sharing one Redis apart. Open makes one when the
	// seed has none.
	ClusterID string
	// DataKey is the secret.Box key (secret.KeySize bytes).
	DataKey []byte
	// AccessKeyID and SecretAccessKey are the management credentials.
	AccessKeyID, SecretAccessKey string
	// CACert and CAKey are the local certificate authority (PEM).
	CACert, CAKey []byte
}

// Box returns a secret.Box over DataKey.
func (s Secrets) Box() (*secret.Box, error) { return secret.New(s.DataKey) }

// document is the stored form: every secret sealed with the key derived
// from the cluster key.
type document struct {
	Version int    `json:"version"`
	KeyID   string `json:"keyId"`
	// ClusterID is not sealed: it is not a secret.
	ClusterID string    `json:"clusterId"`
	Created   time.Time `json:"created"`
	// Check is a known text, sealed: it tells a wrong key from a damaged
	// document.
	Check           string `json:"check"`
	DataKey         string `json:"dataKey"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	CACert          string `json:"caCert"`
	CAKey           string `json:"caKey"`
}

const checkText = "tollgate cluster secrets v1"

// KeyID returns a short, non-secret id of a cluster key, for messages.
func KeyID(clusterKey []byte) string {
	return hex.EncodeToString(derive(clusterKey, "tollgate cluster key id v1")[:4])
}

func derive(clusterKey []byte, purpose string) []byte {
	h := hmac.New(sha256.New, clusterKey)
	h.Write([]byte(purpose))
	return h.Sum(nil)
}

// sealer returns the Box that seals the secrets under clusterKey.
func sealer(clusterKey []byte) (*secret.Box, error) {
	if len(clusterKey) != KeySize {
		return nil, fmt.Errorf("keyring: cluster key is %d bytes, want %d", len(clusterKey), KeySize)
	}
	return secret.New(derive(clusterKey, "tollgate cluster key-encryption key v1"))
}

// Open returns the cluster's secrets from st, unlocking them with
// clusterKey. When the store holds none yet, it stores seed's (DataKey
// may be left empty: a random one is made) unless another node stores
// its own first, whose are then returned. A cluster key that does not
// unlock them is an error wrapping ErrWrongKey.
func Open(ctx context.Context, st store.Store, clusterKey []byte, seed func() (Secrets, error)) (Secrets, bool, error) {
	box, err := sealer(clusterKey)
	if err != nil {
		return Secrets{}, false, err
	}
	s, err := read(ctx, st, box, clusterKey)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return s, false, err
	}
	s, err = seed()
	if err != nil {
		return Secrets{}, false, fmt.Errorf("keyring: %w", err)
	}
	if s.ClusterID == "" {
		var id [6]byte
		if _, err := rand.Read(id[:]); err != nil {
			return Secrets{}, false, fmt.Errorf("keyring: %w", err)
		}
		s.ClusterID = hex.EncodeToString(id[:])
	}
	if len(s.DataKey) == 0 {
		s.DataKey = make([]byte, secret.KeySize)
		if _, err := rand.Read(s.DataKey); err != nil {
			return Secrets{}, false, fmt.Errorf("keyring: %w", err)
		}
	}
	doc, err := seal(box, clusterKey, s)
	if err != nil {
		return Secrets{}, false, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return Secrets{}, false, fmt.Errorf("keyring: %w", err)
	}
	_, err = st.Update(ctx, func(tx store.Tx) error { return tx.Create(ctx, StoreKey, b) })
	if errors.Is(err, store.ErrConflict) {
		// Another node made them meanwhile: theirs are the cluster's.
		s, err := read(ctx, st, box, clusterKey)
		return s, false, err
	}
	if err != nil {
		return Secrets{}, false, fmt.Errorf("keyring: storing the cluster's secrets: %w", err)
	}
	return s, true, nil
}

// read reads and opens the stored secrets (an error wrapping
// store.ErrNotFound when there are none).
func read(ctx context.Context, st store.Store, box *secret.Box, clusterKey []byte) (Secrets, error) {
	var raw []byte
	err := st.View(ctx, func(r store.Reader) error {
		it, err := r.Get(ctx, StoreKey)
		raw = it.Value
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return Secrets{}, err
	}
	if err != nil {
		return Secrets{}, fmt.Errorf("keyring: reading the cluster's secrets: %w", err)
	}
	var doc document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Secrets{}, fmt.Errorf("keyring: the cluster's secrets in the store (%s) do not decode: %w", StoreKey, err)
	}
	if doc.Version != 1 {
		return Secrets{}, fmt.Errorf("keyring: the cluster's secrets are in format %d, which this Tollgate does not know (a newer one made them)", doc.Version)
	}
	if check, err := box.Open(doc.Check); err != nil || string(check) != checkText {
		return Secrets{}, fmt.Errorf("%w: the secrets were sealed with cluster key %s, this node has cluster key %s; give every node the key the cluster was started with",
			ErrWrongKey, doc.KeyID, KeyID(clusterKey))
	}
	var s Secrets
	var errs []error
	open := func(sealed string) []byte {
		b, err := box.Open(sealed)
		errs = append(errs, err)
		return b
	}
	s.DataKey = open(doc.DataKey)
	s.SecretAccessKey = string(open(doc.SecretAccessKey))
	s.CAKey = open(doc.CAKey)
	s.AccessKeyID, s.CACert, s.ClusterID = doc.AccessKeyID, []byte(doc.CACert), doc.ClusterID
	if err := errors.Join(errs...); err != nil {
		return Secrets{}, fmt.Errorf("keyring: the cluster's secrets in the store are damaged: %w", err)
	}
	if len(s.DataKey) != secret.KeySize {
		return Secrets{}, fmt.Errorf("keyring: the cluster's data key is %d bytes, want %d", len(s.DataKey), secret.KeySize)
	}
	return s, nil
}

// seal makes the stored form of s.
func seal(box *secret.Box, clusterKey []byte, s Secrets) (document, error) {
	doc := document{Version: 1, KeyID: KeyID(clusterKey), Created: time.Now().UTC().Truncate(time.Second),
		AccessKeyID: s.AccessKeyID, CACert: string(s.CACert), ClusterID: s.ClusterID}
	var errs []error
	sealed := func(b []byte) string {
		v, err := box.Seal(b)
		errs = append(errs, err)
		return v
	}
	doc.Check = sealed([]byte(checkText))
	doc.DataKey = sealed(s.DataKey)
	doc.SecretAccessKey = sealed([]byte(s.SecretAccessKey))
	doc.CAKey = sealed(s.CAKey)
	if err := errors.Join(errs...); err != nil {
		return document{}, fmt.Errorf("keyring: %w", err)
	}
	return doc, nil
}
