package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClusterSecretsShared: the nodes of a cluster share the secrets kept
// in the store under the cluster key: the management credentials (each
// node writes them to its data dir; either node's signature works on the
// other), the local CA (the same ca.pem everywhere) and the key sealing
// API key values (a key created on one node works on the other). A node
// started with another cluster key is refused with the two key ids.
func TestClusterSecretsShared(t *testing.T) {
	spec := newClusterSpec(t)
	nodes := spec.startNodes(t, 2)
	a, b := nodes[0], nodes[1]
	read := func(dp *dataPlane, name string) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dp.DataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, f := range []string{"credentials", "tls/ca.pem"} {
		if !bytes.Equal(read(a, f), read(b, f)) {
			t.Errorf("%s differs between the nodes", f)
		}
	}
	for _, dp := range nodes {
		if _, err := os.Stat(filepath.Join(dp.DataDir, "secret.key")); err == nil {
			t.Errorf("%s has a secret.key: a cluster keeps it in the store", dp.DataDir)
		}
	}

	api := a.newAPI(t, "cluster-keys")
	api.mockWith(t, "/pets", "GET", map[string]any{"apiKeyRequired": true}, `{"keyId":"$context.identity.apiKeyId"}`)
	api.deploy(t, "dev")
	id, value := a.apiKey(t, "shared", true)
	b.usagePlan(t, "plan", []string{api.ID + ":dev"}, id) // written through B
	for _, dp := range nodes {
		u := (&restAPI{dp: dp, ID: api.ID}).url("dev", "/pets")
		eventually(t, "the key on "+dp.HTTP, func() error {
			if r := dp.do(t, "GET", u, withKey(value), nil); r.Status != 200 || r.Body != `{"keyId":"`+id+`"}` {
				return fmt.Errorf("%s", r)
			}
			return nil
		})
		expect(t, "another value", dp.do(t, "GET", u, withKey(strings.Repeat("x", 40)), nil), 403, `{"message":"Forbidden"}`)
	}
	// GetApiKey with includeValue on B decrypts what A sealed.
	if got := b.call(t, "GET", "/apikeys/"+id+"?includeValue=true", nil); got["value"] != value {
		t.Errorf("B reads value %v, want A's", got["value"])
	}

	other := randomHex(t, 32)
	line := serveFails(t, 8*time.Second, []string{"TOLLGATE_CLUSTER_KEY=" + other}, spec.args()...)
	for _, want := range []string{"cluster key", "the secrets were sealed with cluster key ", "this node has cluster key ", "give every node the key the cluster was started with"} {
		if !strings.Contains(line, want) {
			t.Errorf("wrong key: %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, other[:16]) || strings.Contains(line, spec.Key[:16]) {
		t.Errorf("the reason echoes a key: %q", line)
	}
}
