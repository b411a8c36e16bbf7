package sigv4

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
)

// Begin decides everything that does not depend on the body; Finish takes
// the body's hash. With X-Amz-Content-Sha256 the signature is checked by
// Begin (so a forged signature is refused before the body is read) and
// Finish only compares the body with the header.
func TestBeginFinish(t *testing.T) {
	v := newTestVerifier(testNow)
	body := `{"name":"pets"}`
	sum := sha256.Sum256([]byte(body))
	other := sha256.Sum256([]byte(`{"name":"other"}`))

	t.Run("no-header", func(t *testing.T) {
		r, _ := signed(t, http.MethodPost, "/restapis", body, nil, "apigateway", testRegion, testNow, testAWSCreds())
		p, err := v.Begin(r, "apigateway")
		if err != nil {
			t.Fatal(err)
		}
		if p.SignatureVerified() {
			t.Error("signature reported verified before the body's hash was known")
		}
		if _, err := p.Finish(other); err == nil || !strings.HasPrefix(asError(t, err).Message, mismatch) {
			t.Errorf("another body: %v", err)
		}
		p, _ = v.Begin(r, "apigateway")
		id, err := p.Finish(sum)
		if err != nil || id.AccessKeyID != testAKID {
			t.Errorf("the signed body: %+v %v", id, err)
		}
	})

	t.Run("header", func(t *testing.T) {
		r, _ := signed(t, http.MethodPost, "/restapis", body,
			http.Header{"X-Amz-Content-Sha256": {hashHex([]byte(body))}}, "apigateway", testRegion, testNow, testAWSCreds())
		p, err := v.Begin(r, "apigateway")
		if err != nil {
			t.Fatal(err)
		}
		if !p.SignatureVerified() {
			t.Error("signature over the declared hash not verified by Begin")
		}
		if _, err := p.Finish(other); err == nil || asError(t, err).Message != msgBodyHashMismatch {
			t.Errorf("a body that does not match the header: %v", err)
		}
		if _, err := p.Finish(sum); err != nil {
			t.Errorf("the declared body: %v", err)
		}
	})

	t.Run("header-forged-signature", func(t *testing.T) {
		r, _ := signed(t, http.MethodPost, "/restapis", body,
			http.Header{"X-Amz-Content-Sha256": {hashHex([]byte(body))}}, "apigateway", testRegion, testNow, testAWSCreds())
		auth := r.Header.Get("Authorization")
		r.Header.Set("Authorization", auth[:len(auth)-8]+"00000000")
		if _, err := v.Begin(r, "apigateway"); err == nil || !strings.HasPrefix(asError(t, err).Message, mismatch) {
			t.Errorf("forged signature with a declared hash: Begin gave %v", err)
		}
	})

	// A header that cannot be a lower-case hex SHA-256 never matches a body:
	// refused before the body is read.
	for _, h := range []string{"UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", strings.ToUpper(hashHex([]byte(body))), hashHex(nil)[:63], ""} {
		r, _ := signed(t, http.MethodPost, "/restapis", body,
			http.Header{"X-Amz-Content-Sha256": {h}}, "apigateway", testRegion, testNow, testAWSCreds())
		if _, err := v.Begin(r, "apigateway"); err == nil || asError(t, err).Message != msgBodyHashMismatch {
			t.Errorf("X-Amz-Content-Sha256 %q: Begin gave %v", h, err)
		}
	}
}
