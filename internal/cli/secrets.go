package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/credentials"
	"github.com/tollgate/tollgate/internal/keyring"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tlscert"
)

// nodeSecrets are the secrets a node works with.
type nodeSecrets struct {
	// Creds are the management credentials, from CredSrc.
	Creds   credentials.Pair
	CredSrc credentials.Source
	// Box seals API key values, encrypted cache entries and certificate
	// keys.
	Box *secret.Box
	// ClusterID names the cluster, or the store of a gateway on its own
	// that uses Redis ("" otherwise): its Redis keys start with it.
	ClusterID string
}

// loadSecrets returns the node's secrets. On one machine they live in the
// data dir: the credentials file (unless the environment gives them) and
// the key file. A cluster keeps them in its store, sealed with the
// cluster key (internal/keyring): the first node seeds them from its data
// dir, the others take them from the store, and each writes the
// credentials and the local CA into its own data dir, for clients and for
// the TLS listener. A node with another cluster key is refused.
func loadSecrets(ctx context.Context, s config.Settings, st store.Store, getenv func(string) string, log *slog.Logger) (nodeSecrets, error) {
	if !s.Cluster() {
		creds, src, err := credentials.Load(s.DataDir, getenv)
		if err != nil {
			return nodeSecrets{}, err
		}
		box, err := secret.LoadOrCreate(s.DataDir)
		if err != nil {
			return nodeSecrets{}, err
		}
		out := nodeSecrets{Creds: creds, CredSrc: src, Box: box}
		if s.RedisURL != "" {
			// Keys of its own in a Redis other gateways may share.
			if out.ClusterID, err = keyring.StoreID(ctx, st); err != nil {
				return nodeSecrets{}, fmt.Errorf("store id: %w", err)
			}
		}
		return out, nil
	}
	tlsDir := filepath.Join(s.DataDir, "tls")
	shared, created, err := keyring.Open(ctx, st, s.ClusterKeyBytes(), func() (keyring.Secrets, error) {
		// The first node's credentials file (generated if missing) and
		// local CA become the cluster's.
		pair, _, err := credentials.Load(s.DataDir, func(string) string { return "" })
		if err != nil {
			return keyring.Secrets{}, err
		}
		ca, err := tlscert.LoadCA(tlsDir)
		if err != nil {
			return keyring.Secrets{}, err
		}
		caKey, err := ca.KeyPEM()
		if err != nil {
			return keyring.Secrets{}, err
		}
		return keyring.Secrets{AccessKeyID: pair.AccessKeyID, SecretAccessKey: pair.SecretAccessKey, CACert: ca.PEM(), CAKey: caKey}, nil
	})
	if err != nil {
		return nodeSecrets{}, fmt.Errorf("cluster key: %w", err)
	}
	if created {
		log.Info("this node made the cluster's secrets and sealed them in the store with the cluster key",
			"clusterKeyId", keyring.KeyID(s.ClusterKeyBytes()))
	}
	box, err := shared.Box()
	if err != nil {
		return nodeSecrets{}, err
	}
	if _, err := tlscert.InstallCA(tlsDir, shared.CACert, shared.CAKey); err != nil {
		return nodeSecrets{}, fmt.Errorf("cluster CA: %w", err)
	}
	out := nodeSecrets{Box: box, ClusterID: shared.ClusterID}
	// The environment's credentials win, as on one machine (every node
	// then needs the same); else the cluster's, also written to the data
	// dir for the AWS CLI and SDKs.
	if getenv("TOLLGATE_ACCESS_KEY_ID") != "" || getenv("TOLLGATE_SECRET_ACCESS_KEY") != "" {
		out.Creds, out.CredSrc, err = credentials.Load(s.DataDir, getenv)
		return out, err
	}
	out.Creds = credentials.Pair{AccessKeyID: shared.AccessKeyID, SecretAccessKey: shared.SecretAccessKey}
	if out.CredSrc, _, err = credentials.Save(s.DataDir, out.Creds); err != nil {
		return nodeSecrets{}, err
	}
	out.CredSrc.Generated = false
	return out, nil
}
