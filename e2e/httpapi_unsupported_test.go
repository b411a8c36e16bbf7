package e2e

import (
	"strings"
	"testing"
)

// TestHTTPAPIUnsupportedIntegrations: integrations Tollgate accepts but
// cannot call, made with the AWS CLI v2 and called with curl: a private
// integration through a VPC link answers 503 {"message":"Service
// Unavailable"}, an AWS service integration (SQS-SendMessage) 500
// {"message":"Internal Server Error"}; the gateway's log names what is not
// served.
func TestHTTPAPIUnsupportedIntegrations(t *testing.T) {
	requireAWSCLI(t)
	dp := startDataPlane(t, "")
	c := newCLI(t, dp.Gateway).v2()
	api := dp.newHTTPAPI(t, c, "unsupported")
	link := c.obj("create-vpc-link", "--name", "link", "--subnet-ids", "subnet-aaaa", "subnet-bbbb")["VpcLinkId"].(string)
	private := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "HTTP_PROXY", "--integration-method", "ANY",
		"--connection-type", "VPC_LINK", "--connection-id", link, "--payload-format-version", "1.0",
		"--integration-uri", "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/my-alb/50dc6c495c0c9188/0467ef3c8400ae65",
	)["IntegrationId"].(string)
	api.route(t, "ANY /private/{proxy+}", private)
	sqs := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "AWS_PROXY", "--integration-subtype", "SQS-SendMessage",
		"--credentials-arn", "arn:aws:iam::000000000000:role/apigateway-sqs", "--payload-format-version", "1.0",
		"--request-parameters", `{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/000000000000/q","MessageBody":"$request.body"}`,
	)["IntegrationId"].(string)
	api.route(t, "POST /queue", sqs)
	api.autoDeploy(t)
	api.waitFor(t, "/nothing", nil, 404)

	r := curlResult(t, "-H", "Host: "+api.host(), dp.HTTP+"/private/orders")
	expect(t, "VPC link", r, 503, `{"message":"Service Unavailable"}`)
	if r.Header.Get("Apigw-Requestid") == "" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("VPC link: headers %v", r.Header)
	}
	expect(t, "SQS-SendMessage", curlResult(t, "-H", "Host: "+api.host(), "-d", `{"m":1}`, dp.HTTP+"/queue"), 500,
		`{"message":"Internal Server Error"}`)
	logs := dp.Logs()
	for _, want := range []string{"connectionId " + link, "integrationSubtype SQS-SendMessage", "integration not served"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the gateway log does not name %q:\n%s", want, lastBytes(logs, 4<<10))
		}
	}
	checkGatewayLog(t, dp.Gateway)
}
