package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAKID   = "AKIDTOLLGATE"
	testSecret = "tollgate/secret+KEY/abcdefghijklmnopqrstu"
	testRegion = "us-east-1"
	testHost   = "apigateway.us-east-1.amazonaws.com"
)

// testNow is the fixed server clock of most tests.
var testNow = time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC)

func testCredentials() Credentials {
	return CredentialsFunc(func(akid string) (string, bool) {
		switch akid {
		case testAKID:
			return testSecret, true
		case "AKIDEXAMPLE":
			return "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", true
		}
		return "", false
	})
}

func newTestVerifier(now time.Time) *Verifier {
	return &Verifier{Region: testRegion, Credentials: testCredentials(), Now: func() time.Time { return now }}
}

func hashHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sdkRequest builds a client request for https://testHost+target.
func sdkRequest(t testing.TB, method, target string, body []byte, header http.Header) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, "https://"+testHost+target, rd)
	if err != nil {
		t.Fatalf("NewRequest(%q): %v", target, err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req
}

// sdkSign signs req in place with aws-sdk-go-v2's SigV4 signer, the way the
// SDK clients do (payload hash = SHA-256 of the body).
func sdkSign(t testing.TB, req *http.Request, body []byte, creds aws.Credentials, service string, at time.Time) {
	t.Helper()
	sdkSignRegion(t, req, body, creds, service, testRegion, at)
}

func sdkSignRegion(t testing.TB, req *http.Request, body []byte, creds aws.Credentials, service, region string, at time.Time) {
	t.Helper()
	err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hashHex(body), service, region, at)
	if err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
}

func testAWSCreds() aws.Credentials {
	return aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
}

// overTheWire serialises a client request and parses it back as a Go HTTP
// server would receive it (RequestURI, Host promoted out of the header map,
// Content-Length...). It returns the server-side request and its body.
func overTheWire(t testing.TB, req *http.Request) (*http.Request, []byte, error) {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return nil, nil, err
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		return nil, nil, err
	}
	return sr, body, nil
}

// rawRequest parses an HTTP/1.1 request written with "\n" line ends.
func rawRequest(t testing.TB, raw string) (*http.Request, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(raw, "\n\n")
	if body != "" && !strings.Contains(strings.ToLower(head), "\ncontent-length:") {
		head += "\nContent-Length: " + strconv.Itoa(len(body))
	}
	wire := strings.ReplaceAll(head, "\n", "\r\n") + "\r\n\r\n" + body
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
	if err != nil {
		t.Fatalf("ReadRequest: %v\n%s", err, raw)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r, b
}

// asError unwraps a Verify error into *Error, failing the test otherwise.
func asError(t testing.TB, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not *Error", err, err)
	}
	return e
}

// manualSign returns the signature of a literal canonical request, for
// tests that need requests no SDK produces (Date header, odd forms).
func manualSign(secret, scopeDate, region, service, amzDate, canonical string) string {
	key := deriveSigningKey(secret, scopeDate, region, service)
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scopeDate + "/" + region + "/" + service + "/aws4_request\n" + hashHex([]byte(canonical))
	return hex.EncodeToString(hmacSHA256(key, sts))
}
