package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// newAPIWith creates a REST API with extra CreateRestApi members.
func (dp *dataPlane) newAPIWith(t testing.TB, body map[string]any) *restAPI {
	t.Helper()
	out := dp.call(t, "POST", "/restapis", body)
	a := &restAPI{dp: dp, ID: out["id"].(string), resources: map[string]string{}}
	res := dp.call(t, "GET", "/restapis/"+a.ID+"/resources", nil)
	for _, it := range res["item"].([]any) {
		r := it.(map[string]any)
		a.resources[r["path"].(string)] = r["id"].(string)
	}
	return a
}

func maskedARN(apiID, rest string) string {
	return "arn:aws:execute-api:us-east-1:********0000:" + apiID + "/" + rest
}

// TestAccessResourcePolicy checks a resource policy on an API without
// authorization: the IP-range deny of reference §8.1, AWS's exact message,
// and that a policy change waits for the next deployment.
func TestAccessResourcePolicy(t *testing.T) {
	dp := startDataPlane(t, "")
	deny := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"},
	 {"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*",
	  "Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","198.51.100.0/24"]}}}]}`
	a := dp.newAPIWith(t, map[string]any{"name": "policy", "policy": deny})
	a.echoMock(t, "/bookmarks/{id}", "GET")
	a.deploy(t, "dev")
	u := a.url("dev", "/bookmarks/1")
	want := `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: ` +
		maskedARN(a.ID, "dev/GET/bookmarks/1") + ` with an explicit deny"}`
	dp.waitFor(t, u, 403, want)
	r := dp.do(t, "GET", u, nil, nil)
	if r.Header.Get("x-amzn-ErrorType") != "AccessDeniedException" {
		t.Errorf("x-amzn-ErrorType %q", r.Header.Get("x-amzn-ErrorType"))
	}

	// Allow loopback callers: nothing changes until the next deployment.
	allow := strings.ReplaceAll(deny, `"192.0.2.0/24","198.51.100.0/24"`, `"127.0.0.0/8"`)
	dp.call(t, "PATCH", "/restapis/"+a.ID, map[string]any{"patchOperations": []map[string]any{replaceOp("/policy", allow)}})
	time.Sleep(100 * time.Millisecond)
	expect(t, "before redeploying", dp.do(t, "GET", u, nil, nil), 403, want)
	a.deploy(t, "dev")
	dp.waitFor(t, u, 200, `{"resource":"/bookmarks/{id}","method":"GET"}`)

	// A policy that allows only GET /dev/bookmarks/*: other methods are
	// implicitly denied, without " with an explicit deny".
	only := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/dev/GET/bookmarks/*"}]}`
	b := dp.newAPIWith(t, map[string]any{"name": "policy-only", "policy": only})
	b.echoMock(t, "/bookmarks/{id}", "ANY")
	b.deploy(t, "dev")
	dp.waitFor(t, b.url("dev", "/bookmarks/2"), 200, `{"resource":"/bookmarks/{id}","method":"GET"}`)
	expect(t, "implicit deny", dp.do(t, "DELETE", b.url("dev", "/bookmarks/2"), nil, nil), 403,
		`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: `+maskedARN(b.ID, "dev/DELETE/bookmarks/2")+`"}`)
}

// iamConfig writes a config file with IAM users alice (allowed by her
// identity policy), bob (no policy) and carol (another account).
func iamConfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tollgate.yaml")
	cfg := `iam-users:
  - name: alice
    access-key-id: AKIAALICEEXAMPLE0001
    secret-access-key: alice-secret
    policies:
      - Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: execute-api:Invoke
            Resource: arn:aws:execute-api:us-east-1:*:*/*/*/*
  - name: bob
    access-key-id: AKIABOBEXAMPLE000001
    secret-access-key: bob-secret
  - name: carol
    account-id: "111122223333"
    access-key-id: AKIACAROLEXAMPLE0001
    secret-access-key: carol-secret
    policies:
      - '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:*","Resource":"*"}]}'
`
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// signedDo sends a request signed for execute-api with aws-sdk-go-v2's
// signer.
func (dp *dataPlane) signedDo(t *testing.T, method, u, key, secret, body string) result {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := dp.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// TestAccessIAM checks AWS_IAM methods with SigV4 from aws-sdk-go-v2 and
// curl --aws-sigv4, identity policies and $context.identity.
func TestAccessIAM(t *testing.T) {
	dp := startDataPlane(t, "", "--config", iamConfig(t))
	a := dp.newAPI(t, "iam")
	tpl := `{"userArn":"$context.identity.userArn","accessKey":"$context.identity.accessKey","accountId":"$context.identity.accountId"}`
	a.mockWith(t, "/items", "ANY", map[string]any{"authorizationType": "AWS_IAM"}, tpl)
	a.deploy(t, "dev")
	u := a.url("dev", "/items")
	dp.waitFor(t, u, 403, `{"message":"Missing Authentication Token"}`)

	r := dp.signedDo(t, "GET", u, "AKIAALICEEXAMPLE0001", "alice-secret", "")
	expect(t, "alice (aws-sdk-go-v2 signer)", r, 200,
		`{"userArn":"arn:aws:iam::000000000000:user/alice","accessKey":"AKIAALICEEXAMPLE0001","accountId":"000000000000"}`)
	r = dp.signedDo(t, "POST", u+"?q=1", "AKIAALICEEXAMPLE0001", "alice-secret", `{"a":1}`)
	if r.Status != 200 {
		t.Errorf("signed POST with a body and a query: %s", r)
	}
	r = dp.signedDo(t, "GET", u, "AKIAALICEEXAMPLE0001", "wrong", "")
	if r.Status != 403 || r.Header.Get("x-amzn-ErrorType") != "InvalidSignatureException" ||
		!strings.Contains(r.Body, "The request signature we calculated does not match the signature you provided.") {
		t.Errorf("wrong secret: %s", r)
	}
	expect(t, "unknown access key", dp.signedDo(t, "GET", u, "AKIAUNKNOWN000000000", "x", ""), 403,
		`{"message":"The security token included in the request is invalid."}`)
	expect(t, "bob has no identity policy", dp.signedDo(t, "GET", u, "AKIABOBEXAMPLE000001", "bob-secret", ""), 403,
		`{"Message":"User: arn:aws:iam::000000000000:user/bob is not authorized to perform: execute-api:Invoke on resource: `+
			maskedARN(a.ID, "dev/GET/items")+`"}`)
	expect(t, "carol is in another account and the API has no resource policy", dp.signedDo(t, "GET", u, "AKIACAROLEXAMPLE0001", "carol-secret", ""), 403,
		`{"Message":"User: arn:aws:iam::111122223333:user/carol is not authorized to perform: execute-api:Invoke on resource: `+
			maskedARN(a.ID, "dev/GET/items")+`"}`)

	// curl's own SigV4 implementation.
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is required")
	}
	out, err := exec.Command("curl", "-sS", "--aws-sigv4", "aws:amz:us-east-1:execute-api",
		"--user", "AKIAALICEEXAMPLE0001:alice-secret", "-X", "PUT", "-d", `{"from":"curl"}`, "-H", "Content-Type: application/json",
		"-w", "\n%{http_code}", u).CombinedOutput()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "200") || !strings.Contains(string(out), "user/alice") {
		t.Errorf("curl --aws-sigv4: %v\n%s", err, out)
	}

	// A resource policy granting carol's account makes the cross-account
	// call succeed (Table B: both sides allow).
	grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"execute-api:Invoke","Resource":"execute-api:/*"}]}`
	dp.call(t, "PATCH", "/restapis/"+a.ID, map[string]any{"patchOperations": []map[string]any{replaceOp("/policy", grant)}})
	a.deploy(t, "dev")
	eventually(t, "carol allowed by the resource policy", func() error {
		if r := dp.signedDo(t, "GET", u, "AKIACAROLEXAMPLE0001", "carol-secret", ""); r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
}

// clientFrom is an HTTP client whose connections come from the loopback
// address src (127.0.0.0/8 is all local on Linux).
func clientFrom(t *testing.T, src string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func getFrom(t *testing.T, c *http.Client, u string) result {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// TestAccessPrivateAPI checks PRIVATE APIs: reachable only from configured
// private networks, only with a resource policy, which sees the network as
// aws:SourceVpce.
func TestAccessPrivateAPI(t *testing.T) {
	dp := startDataPlane(t, "", "--private-network", "vpce-0aaa=127.0.0.2/32", "--private-network", "vpce-0bbb=127.0.0.3")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*",
	  "Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0aaa"}}}]}`
	a := dp.newAPIWith(t, map[string]any{"name": "private", "policy": policy,
		"endpointConfiguration": map[string]any{"types": []string{"PRIVATE"}}})
	a.mock(t, "/ping", "GET", `{"vpce":"$context.identity.vpceId"}`)
	a.deploy(t, "dev")
	u := a.url("dev", "/ping")
	fromA, fromB := clientFrom(t, "127.0.0.2"), clientFrom(t, "127.0.0.3")
	eventually(t, "the private API through vpce-0aaa", func() error {
		if r := getFrom(t, fromA, u); r.Status != 200 || r.Body != `{"vpce":"vpce-0aaa"}` {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	expect(t, "a public caller", dp.do(t, "GET", u, nil, nil), 403, `{"message":"Forbidden"}`)
	expect(t, "through another endpoint", getFrom(t, fromB, u), 403,
		`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: `+maskedARN(a.ID, "dev/GET/ping")+`"}`)

	// Without a resource policy every call fails.
	b := dp.newAPIWith(t, map[string]any{"name": "private-no-policy", "endpointConfiguration": map[string]any{"types": []string{"PRIVATE"}}})
	b.mock(t, "/ping", "GET", `{}`)
	b.deploy(t, "dev")
	time.Sleep(100 * time.Millisecond)
	expect(t, "a private API without a policy", getFrom(t, fromA, b.url("dev", "/ping")), 403, `{"message":"Forbidden"}`)
}
