package e2e

import "testing"

// TestHTTPAPIDotSegments: the dot-segment attack of the REST test
// (TestDataplaneDotSegments) against an HTTP API, as curl --path-as-is
// sends it: an open `ANY /public/{proxy+}` route to a backend that
// normalises paths must not become a way to `GET /admin`, whose route
// needs IAM authorization. Tollgate refuses such paths before routing with
// 400 {"message":"Bad Request"} for every API type (package pathsafe says
// why), and the backend never sees them.
func TestHTTPAPIDotSegments(t *testing.T) {
	requireAWSCLI(t)
	be := newNormalizingBackend(t)
	dp := startDataPlane(t, "")
	c := newCLI(t, dp.Gateway).v2()
	api := dp.newHTTPAPI(t, c, "dots")
	open := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "HTTP_PROXY", "--integration-method", "ANY",
		"--integration-uri", be.URL+"/public/{proxy}", "--payload-format-version", "1.0")["IntegrationId"].(string)
	admin := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "HTTP_PROXY", "--integration-method", "GET",
		"--integration-uri", be.URL+"/admin", "--payload-format-version", "1.0")["IntegrationId"].(string)
	api.route(t, "ANY /public/{proxy+}", open)
	api.route(t, "GET /admin", admin, "--authorization-type", "AWS_IAM")
	api.autoDeploy(t)
	api.waitFor(t, "/public/x", nil, 200)
	expect(t, "/admin unsigned", api.send(t, "GET", "/admin", nil, ""), 403, `{"message":"Forbidden"}`)

	before := len(be.requests())
	for _, p := range []string{
		"/public/../admin", "/public/%2e%2e/admin", "/public/%2E%2E/admin", "/public/.%2e/admin",
		"/public/x/..%2f..%2fadmin", "/public/x/..%2F..%2Fadmin", "/public/..%5cadmin", "/public/..\\admin",
		"/public/%252e%252e/admin", "/public/..;/admin", "/public/x/../../admin", "/public/./../admin",
		"/public/x/..", "/public/%2e", "/../admin", "/./admin",
	} {
		r, _ := dp.rawDo(t, "GET "+p+" HTTP/1.1\r\nHost: "+api.host()+"\r\nConnection: close\r\n\r\n")
		if r.Status != 400 || r.Body != bodyBadRequest {
			t.Errorf("%s: %s, want 400 %s", p, r, bodyBadRequest)
		}
	}
	if got := be.requests()[before:]; len(got) != 0 {
		t.Errorf("the backend received refused requests: %q", got)
	}
	// Dots inside names still pass, forwarded as sent.
	r, _ := dp.rawDo(t, "GET /public/report.v1.pdf HTTP/1.1\r\nHost: "+api.host()+"\r\nConnection: close\r\n\r\n")
	if seen := be.requests(); r.Status != 200 || len(seen) == 0 || seen[len(seen)-1] != "/public/report.v1.pdf" {
		t.Errorf("/public/report.v1.pdf: %s; backend saw %q", r, seen)
	}
}
