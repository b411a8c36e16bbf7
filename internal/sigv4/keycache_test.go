package sigv4

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// The derived key of the AWS documentation example (secret
// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam).
func TestDeriveSigningKey(t *testing.T) {
	got := hex.EncodeToString(deriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"))
	const want = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestKeyCacheBounded(t *testing.T) {
	var c keyCache
	first := c.signingKey("s", "20261124", "us-east-1", "apigateway")
	if again := c.signingKey("s", "20261124", "us-east-1", "apigateway"); !bytes.Equal(first, again) || &first[0] != &again[0] {
		t.Fatal("second lookup did not hit the cache")
	}
	if other := c.signingKey("t", "20261124", "us-east-1", "apigateway"); bytes.Equal(first, other) {
		t.Fatal("different secrets share a key")
	}
	for i := 0; i < 3*maxCachedKeys; i++ {
		c.signingKey(fmt.Sprint("secret", i), "20261124", "us-east-1", "apigateway")
		if n := c.len(); n > maxCachedKeys {
			t.Fatalf("cache grew to %d entries", n)
		}
	}
	if c.len() != maxCachedKeys {
		t.Fatalf("cache holds %d entries, want %d", c.len(), maxCachedKeys)
	}
	for k := range c.entries {
		if bytes.Contains(k.secret[:], []byte("secret")) {
			t.Fatal("cache key holds the secret in the clear")
		}
	}
}

// Concurrent verification through one Verifier (run with -race).
func TestConcurrentVerify(t *testing.T) {
	v := newTestVerifier(testNow)
	type req struct {
		r    *http.Request
		body []byte
	}
	var reqs []req
	for _, svc := range []string{"apigateway", "execute-api", "lambda"} {
		r, b := signed(t, http.MethodPost, "/restapis/x?y=1", `{"z":1}`, nil, svc, testRegion, testNow, testAWSCreds())
		reqs = append(reqs, req{r, b})
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				rq := reqs[i%len(reqs)]
				svc := []string{"apigateway", "execute-api", "lambda"}[i%len(reqs)]
				if _, err := v.Verify(rq.r, rq.body, svc); err != nil {
					t.Errorf("Verify: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkVerify(b *testing.B) {
	r, body := signed(b, http.MethodPost, "/prod/pets/42?expand=true", `{"name":"rex"}`,
		http.Header{"Content-Type": {"application/json"}}, "execute-api", testRegion, testNow, testAWSCreds())
	v := newTestVerifier(testNow)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, body, "execute-api"); err != nil {
			b.Fatal(err)
		}
	}
}
