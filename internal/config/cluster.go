package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// RedisCallTimeout is RedisTimeout as a duration (checked by Validate).
func (s Settings) RedisCallTimeout() time.Duration {
	d, _ := time.ParseDuration(s.RedisTimeout)
	return d
}

// ClusterKeyLen is the length of a cluster key in hex characters (256
// bits).
const ClusterKeyLen = 64

// ClusterStore reports whether a store URL names a store shared by the
// gateways of a cluster (PostgreSQL).
func ClusterStore(storeURL string) bool {
	return strings.HasPrefix(storeURL, "postgres://") || strings.HasPrefix(storeURL, "postgresql://")
}

// Cluster reports whether these settings run a node of a cluster.
func (s Settings) Cluster() bool { return ClusterStore(s.Store) }

// ClusterKeyBytes decodes the cluster key (nil when none is set).
func (s Settings) ClusterKeyBytes() []byte {
	if s.ClusterKey == "" {
		return nil
	}
	b, _ := hex.DecodeString(s.ClusterKey) // checked by Validate
	return b
}

// validateCluster checks the cluster settings: the Redis URL and fail
// mode, and a cluster key exactly when the store is a cluster's. The key
// itself is never echoed.
func (s Settings) validateCluster() error {
	switch s.RedisFailMode {
	case "open", "closed":
	default:
		return fmt.Errorf("--redis-fail-mode %q: want open or closed", s.RedisFailMode)
	}
	if d, err := time.ParseDuration(s.RedisTimeout); err != nil || d < time.Millisecond || d > time.Minute {
		return fmt.Errorf("--redis-timeout %q: want a duration from 1ms to 1m, e.g. 100ms", s.RedisTimeout)
	}
	if s.RedisURL != "" {
		u, err := url.Parse(s.RedisURL)
		if err != nil {
			return errors.New("--redis: not a URL: want redis://[user:password@]host:port[/db], rediss://… or unix:///path")
		}
		switch u.Scheme {
		case "redis", "rediss", "unix":
		default:
			return fmt.Errorf("--redis: scheme %q: want redis://[user:password@]host:port[/db], rediss://… or unix:///path", u.Scheme)
		}
	}
	k := s.ClusterKey
	switch {
	case k == "" && s.Cluster():
		return errors.New("--store postgres://… needs --cluster-key (or TOLLGATE_CLUSTER_KEY): 64 hex characters, the same on every node (make one with: openssl rand -hex 32)")
	case k != "" && !s.Cluster():
		return errors.New("--cluster-key applies to a cluster store only (--store postgres://…); the embedded store keeps its key in the data dir")
	case k == "":
		return nil
	case len(k) != ClusterKeyLen:
		return fmt.Errorf("--cluster-key: want %d hex characters (256 bits), got %d characters", ClusterKeyLen, len(k))
	}
	if _, err := hex.DecodeString(k); err != nil {
		return fmt.Errorf("--cluster-key: want %d hex characters (0-9, a-f), got other characters", ClusterKeyLen)
	}
	return nil
}
