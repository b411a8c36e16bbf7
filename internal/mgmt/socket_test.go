package mgmt_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/sigv4"
)

const (
	sockAKID   = "AKIASOCKETTEST000000"
	sockSecret = "socket/test/secret/0000000000000000000000"
	sockRegion = "us-east-1"
)

// sockServer is the management API as `tollgate serve` mounts it (SigV4,
// beside an admin mux, on the AWS-shaping listener), on a real socket.
type sockServer struct {
	t    *testing.T
	url  string
	addr string
	logs *syncBuffer
}

func newSockServer(t *testing.T, cfg mgmt.Config) *sockServer {
	t.Helper()
	services, _ := newTestAPI(t, "000000000000")
	logs := &syncBuffer{}
	cfg.Auth = mgmt.SigV4{Verifier: &sigv4.Verifier{Region: sockRegion, Credentials: sigv4.CredentialsFunc(func(id string) (string, bool) {
		return sockSecret, id == sockAKID
	})}}
	cfg.Services = services
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	// The management handler is served directly, as tollgate serve does
	// for every path that is not an operational endpoint (internal/cli's
	// admin handler): never behind a ServeMux, which would redirect
	// non-canonical paths before any handler runs.
	ts := httptest.NewUnstartedServer(mgmt.New(cfg))
	ts.Listener = mgmt.Listener(ts.Listener)
	ts.Start()
	t.Cleanup(ts.Close)
	return &sockServer{t: t, url: ts.URL, addr: ts.Listener.Addr().String(), logs: logs}
}

func sockCreds() aws.Credentials {
	return aws.Credentials{AccessKeyID: sockAKID, SecretAccessKey: sockSecret}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// answer is a response read in full.
type answer struct {
	Status int
	Type   string
	Header http.Header
	Body   string
}

func readAnswer(t *testing.T, res *http.Response) answer {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return answer{Status: res.StatusCode, Type: res.Header.Get("x-amzn-ErrorType"), Header: res.Header, Body: string(b)}
}

// signedRequest builds a request to the server signed with aws-sdk-go-v2's
// signer over payloadHash (the body's hash when empty).
func (s *sockServer) signedRequest(method, target string, body []byte, header http.Header, payloadHash string) *http.Request {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+target, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if payloadHash == "" {
		payloadHash = sha256Hex(body)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), sockCreds(), req, payloadHash, "apigateway", sockRegion, time.Now()); err != nil {
		s.t.Fatal(err)
	}
	return req
}

func (s *sockServer) do(req *http.Request) answer {
	s.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return readAnswer(s.t, res)
}

func (s *sockServer) call(method, target, body string) answer {
	s.t.Helper()
	return s.do(s.signedRequest(method, target, []byte(body), http.Header{"Content-Type": {"application/json"}}, ""))
}

// raw writes head (a request without its body; "\n" line ends) on a new
// connection and reads the answer. The body is never sent: a server that
// tried to read it would wait forever, and the deadline (a guard against
// hanging, not a timing assertion) would fail the test.
func (s *sockServer) raw(head string) answer {
	s.t.Helper()
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		s.t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	if _, err := io.WriteString(c, strings.ReplaceAll(head, "\n", "\r\n")); err != nil {
		s.t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		s.t.Fatalf("no answer to %q: %v", head, err)
	}
	return readAnswer(s.t, res)
}

// rawHead renders req's request line and headers (no body) with the given
// Content-Length.
func rawHead(req *http.Request, contentLength int64) string {
	var b strings.Builder
	b.WriteString(req.Method + " " + req.URL.RequestURI() + " HTTP/1.1\nHost: " + req.URL.Host + "\n")
	for k, vs := range req.Header {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	b.WriteString("Content-Length: " + strconv.FormatInt(contentLength, 10) + "\n\n")
	return b.String()
}

// TestRefusedBeforeBody: a request whose headers already decide that it
// fails is answered without its body being read. Each request declares a
// 10 MB body and sends none of it.
func TestRefusedBeforeBody(t *testing.T) {
	s := newSockServer(t, mgmt.Config{})
	const tenMB = 10 << 20
	body := []byte(`{"name":"never-created"}`)
	now := time.Now().UTC()
	date := now.Format("20060102T150405Z")
	scope := sockAKID + "/" + now.Format("20060102") + "/us-east-1/apigateway/aws4_request"
	sig := strings.Repeat("0", 64)
	signedWith := func(header http.Header, payloadHash string) string {
		return rawHead(s.signedRequest("POST", "/restapis", body, header, payloadHash), tenMB)
	}
	cases := []struct {
		name, head, errType, message string
		status                       int
	}{
		{name: "no signature",
			head:    "POST /restapis HTTP/1.1\nHost: x\nContent-Length: 10485760\n\n",
			errType: "MissingAuthenticationTokenException", message: "Missing Authentication Token"},
		{name: "malformed authorization",
			head:    "POST /restapis HTTP/1.1\nHost: x\nX-Amz-Date: " + date + "\nAuthorization: AWS4-HMAC-SHA256 garbage\nContent-Length: 10485760\n\n",
			errType: "IncompleteSignatureException"},
		{name: "unknown access key",
			head:    "POST /restapis HTTP/1.1\nHost: x\nX-Amz-Date: " + date + "\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN/" + now.Format("20060102") + "/us-east-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig + "\nContent-Length: 10485760\n\n",
			errType: "UnrecognizedClientException", message: "The security token included in the request is invalid."},
		{name: "wrong service in scope",
			head:    "POST /restapis HTTP/1.1\nHost: x\nX-Amz-Date: " + date + "\nAuthorization: AWS4-HMAC-SHA256 Credential=" + strings.Replace(scope, "apigateway", "lambda", 1) + ", SignedHeaders=host;x-amz-date, Signature=" + sig + "\nContent-Length: 10485760\n\n",
			errType: "InvalidSignatureException", message: "Credential should be scoped to correct service: 'apigateway'. "},
		{name: "expired",
			head:    "POST /restapis HTTP/1.1\nHost: x\nX-Amz-Date: " + now.Add(-time.Hour).Format("20060102T150405Z") + "\nAuthorization: AWS4-HMAC-SHA256 Credential=" + sockAKID + "/" + now.Add(-time.Hour).Format("20060102") + "/us-east-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig + "\nContent-Length: 10485760\n\n",
			errType: "InvalidSignatureException"},
		{name: "host not signed",
			head:    "POST /restapis HTTP/1.1\nHost: x\nX-Amz-Date: " + date + "\nAuthorization: AWS4-HMAC-SHA256 Credential=" + scope + ", SignedHeaders=x-amz-date, Signature=" + sig + "\nContent-Length: 10485760\n\n",
			errType: "InvalidSignatureException", message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "x-amz-content-sha256 UNSIGNED-PAYLOAD",
			head:    signedWith(http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}, "UNSIGNED-PAYLOAD"),
			errType: "InvalidSignatureException", message: "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{name: "x-amz-content-sha256 declared, signature forged",
			head: strings.Replace(signedWith(http.Header{"X-Amz-Content-Sha256": {sha256Hex(body)}}, sha256Hex(body)),
				"Signature=", "Signature=00", 1),
			errType: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided."},
		{name: "declared length over the limit",
			head:   strings.Replace(signedWith(nil, ""), "Content-Length: 10485760", "Content-Length: 10485761", 1),
			status: http.StatusRequestEntityTooLarge, errType: "RequestEntityTooLargeException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := s.raw(c.head)
			want := c.status
			if want == 0 {
				want = http.StatusForbidden
			}
			if a.Status != want || a.Type != c.errType || !strings.Contains(a.Body, c.message) {
				t.Errorf("got %d %s %s\nwant %d %s %q", a.Status, a.Type, a.Body, want, c.errType, c.message)
			}
		})
	}
	if list := s.call("GET", "/restapis", ""); list.Status != 200 || strings.Contains(list.Body, "never-created") {
		t.Errorf("after the refused requests: %d %s", list.Status, list.Body)
	}
}

// TestForgedSignatureBodyRead: without X-Amz-Content-Sha256 a forged
// signature can only be found out once the body is hashed; the body is
// read, the call refused, and nothing created. A signature over the body
// the server receives works.
func TestForgedSignatureBodyRead(t *testing.T) {
	s := newSockServer(t, mgmt.Config{})
	body := []byte(`{"name":"forged"}`)
	req := s.signedRequest("POST", "/restapis", body, http.Header{"Content-Type": {"application/json"}}, "")
	req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), "Signature=", "Signature=0", 1))
	req.Header.Set("Authorization", req.Header.Get("Authorization")[:len(req.Header.Get("Authorization"))-1])
	if a := s.do(req); a.Status != 403 || a.Type != "InvalidSignatureException" {
		t.Errorf("forged: %d %s %s", a.Status, a.Type, a.Body)
	}
	// A request signed for one body and sent with another.
	req = s.signedRequest("POST", "/restapis", body, http.Header{"Content-Type": {"application/json"}}, sha256Hex([]byte(`{"name":"other"}`)))
	if a := s.do(req); a.Status != 403 || a.Type != "InvalidSignatureException" {
		t.Errorf("signed for another body: %d %s %s", a.Status, a.Type, a.Body)
	}
	if a := s.call("GET", "/restapis", ""); strings.Contains(a.Body, "forged") {
		t.Errorf("a refused call created an API: %s", a.Body)
	}
	if a := s.call("POST", "/restapis", `{"name":"genuine"}`); a.Status != 201 {
		t.Errorf("genuine: %d %s", a.Status, a.Body)
	}
	// With X-Amz-Content-Sha256 (checked against the body at the end).
	req = s.signedRequest("POST", "/restapis", []byte(`{"name":"declared"}`), http.Header{"Content-Type": {"application/json"}, "X-Amz-Content-Sha256": {sha256Hex([]byte(`{"name":"declared"}`))}}, "")
	if a := s.do(req); a.Status != 201 {
		t.Errorf("declared hash: %d %s", a.Status, a.Body)
	}
	req = s.signedRequest("POST", "/restapis", []byte(`{"name":"declared"}`), http.Header{"Content-Type": {"application/json"}, "X-Amz-Content-Sha256": {sha256Hex([]byte(`{"name":"declared"}`))}}, "")
	req.Body = io.NopCloser(strings.NewReader(`{"name":"switched"}`))
	if a := s.do(req); a.Status != 403 || !strings.Contains(a.Body, "does not match what was computed") {
		t.Errorf("body switched under a declared hash: %d %s", a.Status, a.Body)
	}
}

// presign returns a presigned URL for method and target, signed over
// payloadHash, as aws-sdk-go-v2's PresignHTTP makes it.
func (s *sockServer) presign(method, target, payloadHash string) string {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+target+"?X-Amz-Expires=3600", nil)
	if err != nil {
		s.t.Fatal(err)
	}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), sockCreds(), req, payloadHash, "apigateway", sockRegion, time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

func (s *sockServer) post(url, body string) answer {
	s.t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	return readAnswer(s.t, res)
}

// TestPresignedUnsignedPayloadRefused: a presigned management URL signed
// over UNSIGNED-PAYLOAD does not let its holder send any body (AWS signs
// the body's hash outside S3): the call fails with AWS's signature
// mismatch and creates nothing. A URL signed over the body's hash works,
// for that body only; the header form (X-Amz-Content-Sha256:
// UNSIGNED-PAYLOAD with an Authorization header) is refused too.
func TestPresignedUnsignedPayloadRefused(t *testing.T) {
	s := newSockServer(t, mgmt.Config{})
	const mismatch = "The request signature we calculated does not match the signature you provided."

	unsigned := s.presign("POST", "/restapis", "UNSIGNED-PAYLOAD")
	for _, body := range []string{`{"name":"tampered"}`, ``} {
		if a := s.post(unsigned, body); a.Status != 403 || a.Type != "InvalidSignatureException" || !strings.Contains(a.Body, mismatch) {
			t.Errorf("UNSIGNED-PAYLOAD URL with body %q: %d %s %s", body, a.Status, a.Type, a.Body)
		}
	}

	req := s.signedRequest("POST", "/restapis", []byte(`{"name":"tampered"}`),
		http.Header{"Content-Type": {"application/json"}, "X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}, "UNSIGNED-PAYLOAD")
	if a := s.do(req); a.Status != 403 || a.Type != "InvalidSignatureException" ||
		a.Body != `{"message":"The provided 'x-amz-content-sha256' header does not match what was computed."}` {
		t.Errorf("header form: %d %s %s", a.Status, a.Type, a.Body)
	}

	if a := s.call("GET", "/restapis", ""); a.Status != 200 || strings.Contains(a.Body, "tampered") {
		t.Fatalf("refused calls created an API: %d %s", a.Status, a.Body)
	}

	good := `{"name":"presigned"}`
	url := s.presign("POST", "/restapis", sha256Hex([]byte(good)))
	if a := s.post(url, `{"name":"other"}`); a.Status != 403 || !strings.Contains(a.Body, mismatch) {
		t.Errorf("URL used with another body: %d %s", a.Status, a.Body)
	}
	if a := s.post(url, good); a.Status != 201 || !strings.Contains(a.Body, `"name":"presigned"`) {
		t.Errorf("URL with the body it signed: %d %s", a.Status, a.Body)
	}
}

// TestMalformedRequestsShaped: requests net/http would answer before any
// handler (plain-text 400, redirects to a cleaned path) get AWS-shaped
// answers, and bad paging and patch input AWS's errors.
func TestMalformedRequestsShaped(t *testing.T) {
	s := newSockServer(t, mgmt.Config{})

	for _, head := range []string{
		"GET /restapis/%zz HTTP/1.1\nHost: x\n\n",
		"GET /restapis HTTP/1.1\nHost: x\nNot a header\n\n",
	} {
		a := s.raw(head)
		if a.Status != 400 || a.Type != "BadRequestException" || a.Header.Get("Content-Type") != "application/json" ||
			a.Header.Get("x-amzn-RequestId") == "" || !strings.HasPrefix(a.Body, `{"message":"Invalid request: `) {
			t.Errorf("%q: %d %s %v %s", head, a.Status, a.Type, a.Header, a.Body)
		}
	}

	created := s.call("POST", "/restapis", `{"name":"pets"}`)
	id := between(created.Body, `"id":"`, `"`)
	for _, target := range []string{"/restapis/" + id + "/../" + id, "/restapis//resources", "/restapis/" + id + "/./resources", "/restapis/" + id + "/resources/"} {
		a := s.call("GET", target, "")
		if a.Status != 404 || a.Type != "UnknownOperationException" || a.Header.Get("Location") != "" {
			t.Errorf("signed GET %s: %d %s %s", target, a.Status, a.Type, a.Body)
		}
		a = s.raw("GET " + target + " HTTP/1.1\nHost: x\n\n")
		if a.Status != 403 || a.Type != "MissingAuthenticationTokenException" {
			t.Errorf("unsigned GET %s: %d %s %s", target, a.Status, a.Type, a.Body)
		}
	}

	// Paging: limit=-1 is served, as AWS does [V]; a limit that is not a
	// number is refused.
	if a := s.call("GET", "/restapis?limit=-1", ""); a.Status != 200 || !strings.Contains(a.Body, `"item":[`) {
		t.Errorf("limit=-1: %d %s", a.Status, a.Body)
	}
	if a := s.call("GET", "/restapis?limit=ten", ""); a.Status != 400 || a.Type != "BadRequestException" {
		t.Errorf("limit=ten: %d %s %s", a.Status, a.Type, a.Body)
	}

	// A patch path must be a JSON pointer: "name" is not "/name".
	before := s.call("GET", "/restapis/"+id, "")
	a := s.call("PATCH", "/restapis/"+id, `{"patchOperations":[{"op":"replace","path":"name","value":"renamed"}]}`)
	if a.Status != 400 || a.Type != "BadRequestException" || a.Body != `{"message":"Invalid patch path name"}` {
		t.Errorf("patch path without '/': %d %s %s", a.Status, a.Type, a.Body)
	}
	if after := s.call("GET", "/restapis/"+id, ""); after.Body != before.Body {
		t.Errorf("refused patch changed the API:\n%s\n%s", before.Body, after.Body)
	}
}

func between(s, start, end string) string {
	_, after, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(after, end)
	return v
}
