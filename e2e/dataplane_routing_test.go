package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	uuidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	apigwRE = regexp.MustCompile(`^[A-Za-z0-9+/=]{8,}$`)
)

const (
	bodyForbidden = `{"message":"Forbidden"}`
	bodyMAT       = `{"message":"Missing Authentication Token"}`
)

// checkIDs asserts the headers every data-plane response carries.
func checkIDs(t testing.TB, what string, r result) {
	t.Helper()
	if id := r.Header.Get("x-amzn-RequestId"); !uuidRE.MatchString(id) {
		t.Errorf("%s: x-amzn-RequestId %q is not a UUID", what, id)
	}
	if id := r.Header.Get("x-amz-apigw-id"); !apigwRE.MatchString(id) {
		t.Errorf("%s: x-amz-apigw-id %q", what, id)
	}
}

// expectMAT asserts API Gateway's answer to an unknown route or verb.
func expectMAT(t testing.TB, what string, r result) {
	t.Helper()
	if r.Status != 403 || r.Body != bodyMAT || r.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Errorf("%s: got %s, want 403 Missing Authentication Token", what, r)
	}
	checkIDs(t, what, r)
}

// TestDataplaneAddressing: the three ways to address a stage, over HTTP
// and HTTPS with the generated CA (TLS 1.2 minimum), and AWS's answers to
// an unknown API or stage.
func TestDataplaneAddressing(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "addressing")
	a.echoMock(t, "/", "GET")
	a.echoMock(t, "/pets", "GET")
	a.deploy(t, "prod")
	want := `{"resource":"/pets","method":"GET"}`
	wantRoot := `{"resource":"/","method":"GET"}`
	dp.waitFor(t, a.url("prod", "/pets"), 200, want)

	hostHeader := http.Header{"Host": {a.ID + ".execute-api.localhost"}}
	for _, c := range []struct {
		name, url string
		header    http.Header
		want      string
	}{
		{"host style", dp.HTTP + "/prod/pets", hostHeader, want},
		{"host style with port", dp.HTTP + "/prod/pets", http.Header{"Host": {a.ID + ".execute-api.localhost:" + portOf(dp.HTTP)}}, want},
		{"host style, AWS-like name", dp.HTTP + "/prod/pets", http.Header{"Host": {a.ID + ".execute-api.us-east-1.amazonaws.com"}}, want},
		{"host style root", dp.HTTP + "/prod", hostHeader, wantRoot},
		{"host style root slash", dp.HTTP + "/prod/", hostHeader, wantRoot},
		{"_aws path style", dp.HTTP + "/_aws/execute-api/" + a.ID + "/prod/pets", nil, want},
		{"_aws path style root", dp.HTTP + "/_aws/execute-api/" + a.ID + "/prod", nil, wantRoot},
		{"_user_request_ style", dp.HTTP + "/restapis/" + a.ID + "/prod/_user_request_/pets", nil, want},
		{"_user_request_ style root", dp.HTTP + "/restapis/" + a.ID + "/prod/_user_request_/", nil, wantRoot},
		{"query string ignored by routing", dp.HTTP + "/_aws/execute-api/" + a.ID + "/prod/pets?x=1", nil, want},
	} {
		r := dp.do(t, "GET", c.url, c.header, nil)
		expect(t, c.name, r, 200, c.want)
		checkIDs(t, c.name, r)
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
	}

	// Unknown API, unknown stage, a stage-less path: 403 Forbidden.
	for _, c := range []struct {
		name, url string
		header    http.Header
	}{
		{"unknown API (path style)", dp.HTTP + "/_aws/execute-api/nosuchapi/prod/pets", nil},
		{"unknown API (host style)", dp.HTTP + "/prod/pets", http.Header{"Host": {"nosuchapi.execute-api.localhost"}}},
		{"unknown stage (path style)", a.url("nostage", "/pets"), nil},
		{"unknown stage (host style)", dp.HTTP + "/nostage/pets", hostHeader},
		{"unknown stage (_user_request_)", dp.HTTP + "/restapis/" + a.ID + "/nostage/_user_request_/pets", nil},
		{"no API addressed", dp.HTTP + "/prod/pets", nil},
	} {
		r := dp.do(t, "GET", c.url, c.header, nil)
		expect(t, c.name, r, 403, bodyForbidden)
		checkIDs(t, c.name, r)
	}

	// HTTPS with the generated CA, by IP and by the execute-api host name
	// (SNI and certificate name *.execute-api.localhost).
	tlsc := dp.tlsClient(t, nil)
	get := func(c *http.Client, u string) (result, error) {
		res, err := c.Get(u)
		if err != nil {
			return result{}, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return result{Status: res.StatusCode, Header: res.Header, Body: string(b)}, err
	}
	r, err := get(tlsc, dp.HTTPS+"/_aws/execute-api/"+a.ID+"/prod/pets")
	if err != nil {
		t.Fatalf("HTTPS path style: %v", err)
	}
	expect(t, "HTTPS path style", r, 200, want)
	hostURL := "https://" + a.ID + ".execute-api.localhost:" + portOf(dp.HTTPS) + "/prod/pets"
	tlsc.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, hostOf(dp.HTTPS))
	}
	r, err = get(tlsc, hostURL)
	if err != nil {
		t.Fatalf("HTTPS host style: %v", err)
	}
	expect(t, "HTTPS host style", r, 200, want)

	// TLS 1.2 is accepted, TLS 1.1 refused.
	tls12 := dp.tlsClient(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12})
	if r, err := get(tls12, dp.HTTPS+"/_aws/execute-api/"+a.ID+"/prod/pets"); err != nil || r.Status != 200 {
		t.Errorf("TLS 1.2 client: %v %v", r, err)
	}
	tls11 := dp.tlsClient(t, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}) //nolint:gosec // the point of the test
	if r, err := get(tls11, dp.HTTPS+"/_aws/execute-api/"+a.ID+"/prod/pets"); err == nil {
		t.Errorf("TLS 1.1 client was served: %v", r)
	} else if !strings.Contains(err.Error(), "protocol version") {
		t.Errorf("TLS 1.1 client: want a protocol version alert, got %v", err)
	}

	// curl: the exact header names on the wire, and host-style HTTPS with
	// --resolve (what users type).
	if _, err := exec.LookPath("curl"); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "curl", "-sS", "-i", "--cacert", dp.CAPath,
			"--resolve", a.ID+".execute-api.localhost:"+portOf(dp.HTTPS)+":127.0.0.1", hostURL).CombinedOutput()
		if err != nil {
			t.Fatalf("curl: %v: %s", err, out)
		}
		s := string(out)
		for _, h := range []string{"\r\nx-amzn-RequestId: ", "\r\nx-amz-apigw-id: "} {
			if !strings.Contains(s, h) {
				t.Errorf("curl: response lacks %q:\n%s", h, s)
			}
		}
		if !strings.HasSuffix(s, want) {
			t.Errorf("curl: body:\n%s", s)
		}
		out, _ = exec.CommandContext(ctx, "curl", "-sS", "-i", dp.HTTP+"/_aws/execute-api/"+a.ID+"/prod/nope").CombinedOutput()
		if s := string(out); !strings.Contains(s, "\r\nx-amzn-ErrorType: MissingAuthenticationTokenException\r\n") || !strings.HasPrefix(s, "HTTP/1.1 403") {
			t.Errorf("curl MAT:\n%s", s)
		}
		out, err = exec.CommandContext(ctx, "curl", "-sS", "--tls-max", "1.1", "--tlsv1.0", "--cacert", dp.CAPath,
			dp.HTTPS+"/_aws/execute-api/"+a.ID+"/prod/pets").CombinedOutput()
		if err == nil {
			t.Errorf("curl --tls-max 1.1 was served: %s", out)
		}
	}
}

func portOf(u string) string {
	_, p, _ := net.SplitHostPort(hostOf(u))
	return p
}

// TestDataplaneRouting builds the trees of the reference's measured
// examples (§2.2) and checks which resource answers each request.
func TestDataplaneRouting(t *testing.T) {
	dp := startDataPlane(t, "")

	// Tree 1: /{proxy+} ANY, /jobs (no methods), /jobs/{op} GET.
	jobs := dp.newAPI(t, "jobs")
	jobs.echoMock(t, "/{proxy+}", "ANY")
	jobs.resource(t, "/jobs")
	jobs.echoMock(t, "/jobs/{op}", "GET")
	jobs.deploy(t, "s")

	// Tree 2: /users/me PATCH, /users/{userId} GET.
	users := dp.newAPI(t, "users")
	users.echoMock(t, "/users/me", "PATCH")
	users.echoMock(t, "/users/{userId}", "GET")
	users.deploy(t, "s")

	// Tree 3: literal > {param} > {greedy+}, ANY vs explicit verbs, HEAD,
	// root and parent greedy resources.
	pets := dp.newAPI(t, "pets")
	pets.mock(t, "/pets", "GET", `{"resource":"$context.resourcePath","def":"GET"}`)
	pets.echoMock(t, "/pets/dog", "GET")
	pets.echoMock(t, "/pets/{id}", "GET")
	pets.echoMock(t, "/pets/{id}/toys", "GET")
	pets.echoMock(t, "/pets/{id}/{rest+}", "GET")
	pets.mock(t, "/things", "ANY", `{"def":"ANY","method":"$context.httpMethod"}`)
	pets.mock(t, "/things", "GET", `{"def":"GET","method":"$context.httpMethod"}`)
	pets.echoMock(t, "/files/{path+}", "GET")
	pets.echoMock(t, "/a/{b}/c", "GET")
	pets.echoMock(t, "/a/{b}/{c+}", "POST")
	pets.deploy(t, "s")

	dp.waitFor(t, pets.url("s", "/pets"), 200, `{"resource":"/pets","def":"GET"}`)
	dp.waitFor(t, jobs.url("s", "/jobs/reboot"), 200, `{"resource":"/jobs/{op}","method":"GET"}`)
	dp.waitFor(t, users.url("s", "/users/me"), 200, `{"resource":"/users/{userId}","method":"GET"}`)

	echo := func(res, method string) string {
		return fmt.Sprintf(`{"resource":"%s","method":"%s"}`, res, method)
	}
	for _, c := range []struct {
		api          *restAPI
		method, path string
		want         string // "" = Missing Authentication Token
	}{
		// Measured on AWS (reference §2.2).
		{jobs, "GET", "/jobs/reboot", echo("/jobs/{op}", "GET")},
		{jobs, "GET", "/jobs", echo("/{proxy+}", "GET")},
		{jobs, "POST", "/jobs/reboot", echo("/{proxy+}", "POST")},
		{jobs, "GET", "/jobs/reboot/now", echo("/{proxy+}", "GET")},
		{jobs, "GET", "/", ""}, // a root greedy does not match "/"
		{users, "GET", "/users/me", echo("/users/{userId}", "GET")},
		{users, "PATCH", "/users/me", echo("/users/me", "PATCH")},
		{users, "POST", "/users/me", ""},
		{users, "GET", "/users", ""},
		{users, "GET", "/users/", ""},

		// literal > {param} > {greedy+}
		{pets, "GET", "/pets/dog", echo("/pets/dog", "GET")},
		{pets, "GET", "/pets/cat", echo("/pets/{id}", "GET")},
		{pets, "GET", "/pets/dog/toys", echo("/pets/{id}/toys", "GET")},
		{pets, "GET", "/pets/cat/toys", echo("/pets/{id}/toys", "GET")},
		{pets, "GET", "/pets/cat/food", echo("/pets/{id}/{rest+}", "GET")},
		{pets, "GET", "/pets/cat/toys/ball", echo("/pets/{id}/{rest+}", "GET")},
		{pets, "GET", "/pets/", `{"resource":"/pets","def":"GET"}`}, // trailing slash
		{pets, "GET", "/pets/cat/", echo("/pets/{id}", "GET")},
		{pets, "GET", "/Pets", ""}, // case-sensitive
		{pets, "DELETE", "/pets", ""},
		{pets, "GET", "/nothing/here", ""},
		{pets, "GET", "/", ""}, // the root has no method

		// explicit verb beats ANY on one resource; ANY covers the rest
		{pets, "GET", "/things", `{"def":"GET","method":"GET"}`},
		{pets, "POST", "/things", `{"def":"ANY","method":"POST"}`},
		{pets, "DELETE", "/things", `{"def":"ANY","method":"DELETE"}`},
		{pets, "PATCH", "/things", `{"def":"ANY","method":"PATCH"}`},
		{pets, "OPTIONS", "/things", `{"def":"ANY","method":"OPTIONS"}`},
		{pets, "PUT", "/things", `{"def":"ANY","method":"PUT"}`},

		// /parent/{proxy+} needs at least one segment after the parent
		{pets, "GET", "/files", ""},
		{pets, "GET", "/files/", ""},
		{pets, "GET", "/files/x", echo("/files/{path+}", "GET")},
		{pets, "GET", "/files/x/y/z", echo("/files/{path+}", "GET")},

		// fallback to a less specific sibling that has the verb
		{pets, "GET", "/a/1/c", echo("/a/{b}/c", "GET")},
		{pets, "POST", "/a/1/c", echo("/a/{b}/{c+}", "POST")},
		{pets, "GET", "/a/1/d", ""},
	} {
		what := c.method + " " + c.path + " on " + c.api.ID
		r := dp.do(t, c.method, c.api.url("s", c.path), nil, nil)
		if c.want == "" {
			expectMAT(t, what, r)
			continue
		}
		expect(t, what, r, 200, c.want)
		checkIDs(t, what, r)
	}

	// HEAD is not served by GET, but by ANY.
	r := dp.do(t, "HEAD", pets.url("s", "/pets"), nil, nil)
	if r.Status != 403 || r.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Errorf("HEAD /pets (GET only): %s", r)
	}
	checkIDs(t, "HEAD /pets", r)
	if r := dp.do(t, "HEAD", pets.url("s", "/things"), nil, nil); r.Status != 200 {
		t.Errorf("HEAD /things (ANY): %s", r)
	}
	// A verb REST APIs cannot define.
	expectMAT(t, "PROPFIND /pets", dp.do(t, "PROPFIND", pets.url("s", "/pets"), nil, nil))

	// Path parameters are passed as sent, not URL-decoded; greedy values
	// keep double slashes. An HTTP_PROXY to an echo backend shows them.
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(map[string]string{"uri": r.RequestURI})
	}))
	defer backend.Close()
	params := dp.newAPI(t, "params")
	params.method(t, "/users/{userId}", "GET", map[string]any{"requestParameters": map[string]bool{"method.request.path.userId": true}})
	params.integration(t, "/users/{userId}", "GET", map[string]any{
		"type": "HTTP_PROXY", "httpMethod": "GET", "uri": backend.URL + "/u/{id}",
		"requestParameters": map[string]string{"integration.request.path.id": "method.request.path.userId"},
	})
	params.proxy(t, "/files/{proxy+}", "ANY", backend.URL+"/f/{proxy}", nil)
	params.deploy(t, "s")
	dp.waitFor(t, params.url("s", "/users/bob"), 200, `{"uri":"/u/bob"}`+"\n")
	for path, want := range map[string]string{
		"/users/test%2Balias@x.com": "/u/test%2Balias@x.com",
		"/users/a%20b":              "/u/a%20b",
		"/files/a/b.txt":            "/f/a/b.txt",
		"/files/a//b":               "/f/a//b",
		"/files/x%2Fy/z":            "/f/x%2Fy/z",
		"/files/q?x=1&x=2":          "/f/q?x=1&x=2",
	} {
		r := dp.do(t, "GET", params.url("s", path), nil, nil)
		expect(t, "GET "+path, r, 200, `{"uri":"`+want+`"}`+"\n")
	}
}
