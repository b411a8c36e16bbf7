package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

const testKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestClusterSettings: a cluster store needs a cluster key of 64 hex
// characters, which is refused without one; --redis takes redis://,
// rediss:// or unix:// URLs; --redis-fail-mode open or closed. The key is
// never echoed in an error.
func TestClusterSettings(t *testing.T) {
	pg := "postgres://u@db.example:5432/tollgate"
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		want string // "" = accepted
	}{
		{"defaults", nil, nil, ""},
		{"cluster with key", []string{"--store", pg, "--cluster-key", testKey}, nil, ""},
		{"key from env", []string{"--store", "postgresql://db/x"}, map[string]string{"TOLLGATE_CLUSTER_KEY": strings.ToUpper(testKey)}, ""},
		{"cluster without key", []string{"--store", pg}, nil, "needs --cluster-key"},
		{"key without cluster", []string{"--cluster-key", testKey}, nil, "applies to a cluster store only"},
		{"short key", []string{"--store", pg, "--cluster-key", testKey[:62]}, nil, "want 64 hex characters (256 bits), got 62"},
		{"not hex", []string{"--store", pg, "--cluster-key", "zz" + testKey[2:]}, nil, "got other characters"},
		{"redis", []string{"--redis", "redis://:pw@127.0.0.1:6380/2"}, nil, ""},
		{"rediss", []string{"--redis", "rediss://cache.example:6379"}, nil, ""},
		{"unix", []string{"--redis", "unix:///run/redis.sock"}, nil, ""},
		{"redis scheme", []string{"--redis", "http://127.0.0.1:6379"}, nil, `scheme "http"`},
		{"fail closed", []string{"--redis-fail-mode", "closed"}, nil, ""},
		{"redis timeout", []string{"--redis-timeout", "250ms"}, nil, ""},
		{"redis timeout zero", []string{"--redis-timeout", "0s"}, nil, `--redis-timeout "0s": want a duration from 1ms to 1m`},
		{"redis timeout junk", nil, map[string]string{"TOLLGATE_REDIS_TIMEOUT": "soon"}, `--redis-timeout "soon"`},
		{"fail mode", []string{"--redis-fail-mode", "sometimes"}, nil, `--redis-fail-mode "sometimes": want open or closed`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Load(c.args, env(c.env), io.Discard)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			case err != nil && strings.Contains(strings.ToLower(err.Error()), testKey[2:40]):
				t.Fatalf("the error echoes the key: %v", err)
			}
			if err == nil && s.RedisFailMode == "" {
				t.Fatalf("no fail mode default")
			}
		})
	}
	s, err := Load([]string{"--store", pg, "--cluster-key", testKey}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Cluster() || len(s.ClusterKeyBytes()) != 32 || s.RedisFailMode != "open" || s.RedisCallTimeout() != 100*time.Millisecond {
		t.Fatalf("cluster %v, key %d bytes, fail mode %q", s.Cluster(), len(s.ClusterKeyBytes()), s.RedisFailMode)
	}
}
