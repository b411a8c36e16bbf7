package e2e

import (
	"testing"
)

// TestHTTPAPIMappings: parameter mappings beyond HTTP_PROXY requests,
// set up with the AWS CLI v2 and called with curl: a Lambda proxy
// integration's requestParameters change the headers, query string and
// path its aws-lambda-go function receives (payload 2.0); an HTTP_PROXY
// integration's responseParameters read the backend's JSON body.
func TestHTTPAPIMappings(t *testing.T) {
	requireAWSCLI(t)
	backend := newTestBackend(t)
	dp := startDataPlane(t, "", functionFlag(t, "fn", "httpv2")...)
	c := newCLI(t, dp.Gateway).v2()
	api := dp.newHTTPAPI(t, c, "mappings")
	fn := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "AWS_PROXY",
		"--integration-uri", "arn:aws:lambda:us-east-1:000000000000:function:fn", "--payload-format-version", "2.0",
		"--request-parameters", `{"append:header.x-caller":"$context.identity.sourceIp","overwrite:header.x-item":"$request.path.id",`+
			`"remove:header.x-secret":"''","overwrite:querystring.page":"$request.header.x-page","remove:querystring.debug":"''",`+
			`"overwrite:path":"/v1/items/$request.path.id"}`)["IntegrationId"].(string)
	api.route(t, "GET /items/{id}", fn)
	proxy := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "HTTP_PROXY", "--integration-method", "ANY",
		"--integration-uri", backend.URL+"/{proxy}", "--payload-format-version", "1.0",
		"--response-parameters", `{"200":{"overwrite:header.x-method":"$response.body.method","append:header.x-uri":"seen ${response.body.uri}"}}`)["IntegrationId"].(string)
	api.route(t, "ANY /echo/{proxy+}", proxy)
	api.autoDeploy(t)
	api.waitFor(t, "/nothing", nil, 404)

	t.Run("lambda request mapping", func(t *testing.T) {
		r := curlResult(t, "-H", "Host: "+api.host(), "-H", "X-Page: 7", "-H", "X-Secret: s",
			dp.HTTP+"/items/42?page=1&debug=1&keep=a%20b")
		ev := event(t, r)
		h := ev["headers"].(map[string]any)
		if h["x-caller"] != "127.0.0.1" || h["x-item"] != "42" || h["x-secret"] != nil {
			t.Errorf("headers the function saw: %v", h)
		}
		q := ev["queryStringParameters"].(map[string]any)
		if q["page"] != "7" || q["keep"] != "a b" || q["debug"] != nil {
			t.Errorf("queryStringParameters: %v", q)
		}
		if ev["rawPath"] != "/v1/items/42" || ev["routeKey"] != "GET /items/{id}" {
			t.Errorf("rawPath %v, routeKey %v", ev["rawPath"], ev["routeKey"])
		}
	})

	t.Run("response body mapping", func(t *testing.T) {
		r := curlResult(t, "-H", "Host: "+api.host(), "-X", "PUT", "--data", "abc", dp.HTTP+"/echo/things?x=1")
		e := decodeEcho(t, "echo", r)
		if r.Header.Get("X-Method") != "PUT" || r.Header.Get("X-Uri") != "seen /things?x=1" || e.URI != "/things?x=1" || e.BodyLen != 3 {
			t.Errorf("mapped from the backend's body: %s %v", r, r.Header)
		}
	})
	checkGatewayLog(t, dp.Gateway)
}
