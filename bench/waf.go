package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// AWS WAF targets: the tollgate-proxy API with a web ACL on its stage.
// Every one has an IP set rule (the client is not in the set) and a
// rate-based rule per IP (a limit never reached); "sqli" adds
// AWSManagedRulesSQLiRuleSet, "common" AWSManagedRulesCommonRuleSet after
// it. wrk sends a User-Agent (the common group blocks requests without
// one).

// wafCall sends a wafv2 (AWS JSON 1.1) operation.
func (c *mgmtClient) wafCall(ctx context.Context, op string, in, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", c.endpoint+"/", bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSWAF_20190729."+op)
	sum := sha256.Sum256(raw)
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), "wafv2", benchRegion, time.Now()); err != nil {
		return err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %d %.300s", op, res.StatusCode, body)
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}

// protectStage creates the web ACL spec.waf describes and associates it
// with the API's stage "bench".
func protectStage(ctx context.Context, c *mgmtClient, apiID, kind string) error {
	var ip struct{ Summary struct{ ARN string } }
	if err := c.wafCall(ctx, "CreateIPSet", map[string]any{"Name": "blocked", "Scope": "REGIONAL", "IPAddressVersion": "IPV4",
		"Addresses": []string{"198.51.100.0/24", "203.0.113.0/24"}}, &ip); err != nil {
		return err
	}
	vis := func(name string) map[string]any {
		return map[string]any{"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name}
	}
	rules := []map[string]any{
		{"Name": "blocked", "Priority": 0, "Action": map[string]any{"Block": map[string]any{}}, "VisibilityConfig": vis("blocked"),
			"Statement": map[string]any{"IPSetReferenceStatement": map[string]any{"ARN": ip.Summary.ARN}}},
		{"Name": "per-ip", "Priority": 1, "Action": map[string]any{"Block": map[string]any{}}, "VisibilityConfig": vis("per-ip"),
			"Statement": map[string]any{"RateBasedStatement": map[string]any{"Limit": 2000000000, "AggregateKeyType": "IP"}}},
	}
	var groups []string
	switch kind {
	case "sqli":
		groups = []string{"AWSManagedRulesSQLiRuleSet"}
	case "common":
		groups = []string{"AWSManagedRulesSQLiRuleSet", "AWSManagedRulesCommonRuleSet"}
	}
	for i, g := range groups {
		rules = append(rules, map[string]any{"Name": g, "Priority": 2 + i, "OverrideAction": map[string]any{"None": map[string]any{}},
			"VisibilityConfig": vis(g), "Statement": map[string]any{"ManagedRuleGroupStatement": map[string]any{"VendorName": "AWS", "Name": g}}})
	}
	var acl struct{ Summary struct{ ARN string } }
	if err := c.wafCall(ctx, "CreateWebACL", map[string]any{"Name": "bench", "Scope": "REGIONAL", "DefaultAction": map[string]any{"Allow": map[string]any{}},
		"VisibilityConfig": vis("bench"), "Rules": rules}, &acl); err != nil {
		return err
	}
	return c.wafCall(ctx, "AssociateWebACL", map[string]any{"WebACLArn": acl.Summary.ARN,
		"ResourceArn": "arn:aws:apigateway:" + benchRegion + "::/restapis/" + apiID + "/stages/bench"}, nil)
}
