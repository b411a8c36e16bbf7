package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// statuses sends n GETs of u with one curl and returns their statuses.
func statuses(t *testing.T, u string, n int) []string {
	t.Helper()
	args := []string{"-s", "-w", "%{http_code}\n"}
	for range n {
		args = append(args, "-o", "/dev/null", u)
	}
	out, err := exec.Command("curl", args...).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))
}

// TestClusterWAFRateLimit: a rate-based rule counts a client's requests
// on every node of a cluster together (through Redis): 60 requests on
// one node and 40 on the other reach the limit of 100, and the next ones
// are blocked on both.
func TestClusterWAFRateLimit(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	spec := newClusterSpec(t)
	nodes := spec.startNodes(t, 2)
	a := nodes[0].newAPI(t, "waf-cluster")
	a.mock(t, "/items", "GET", `{"ok":true}`)
	a.deploy(t, "prod")
	waf := newCLI(t, nodes[0].Gateway).service("wafv2")
	_, aclArn, _ := wafACL(t, waf, "cluster", "Allow={}", `[
	 {"Name":"probe","Priority":0,"Action":{"Block":{}},
	  "Statement":{"ByteMatchStatement":{"SearchString":"cHJvYmU=","FieldToMatch":{"QueryString":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"}],"PositionalConstraint":"CONTAINS"}},
	  "VisibilityConfig":{"SampledRequestsEnabled":false,"CloudWatchMetricsEnabled":false,"MetricName":"probe"}},
	 {"Name":"per-ip","Priority":1,"Action":{"Block":{}},"Statement":{"RateBasedStatement":{"Limit":100,"AggregateKeyType":"IP"}},
	  "VisibilityConfig":{"SampledRequestsEnabled":false,"CloudWatchMetricsEnabled":true,"MetricName":"per-ip"}}]`)
	waf.ok(nil, "associate-web-acl", "--web-acl-arn", aclArn, "--resource-arn", "arn:aws:apigateway:us-east-1::/restapis/"+a.ID+"/stages/prod")
	urls := make([]string, len(nodes))
	for i, n := range nodes {
		urls[i] = n.HTTP + "/_aws/execute-api/" + a.ID + "/prod/items"
		u := urls[i]
		// Probes are blocked before the rate-based rule, so they are not counted.
		eventually(t, fmt.Sprintf("node %d enforces the web ACL", i), func() error {
			if r, _ := tryCurl(u + "?probe"); r.Status != 403 {
				return fmt.Errorf("probe: %s", r)
			}
			return nil
		})
	}
	first := append(statuses(t, urls[0], 60), statuses(t, urls[1], 40)...)
	if n := strings.Count(strings.Join(first, " "), "200"); n != 100 {
		t.Fatalf("the first 100 requests: %d allowed: %v", n, first)
	}
	// Counts are estimates over two fixed windows: at a window boundary the
	// 101st may still pass; the ones after it may not, on either node.
	more := append(statuses(t, urls[1], 5), statuses(t, urls[0], 5)...)
	if n := strings.Count(strings.Join(more, " "), "200"); n > 1 || more[len(more)-1] != "403" || more[4] != "403" {
		t.Fatalf("requests 101-110 across the nodes: %v", more)
	}
	for _, n := range nodes {
		checkGatewayLog(t, n.Gateway)
	}
}
