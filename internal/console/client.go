package console

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// mgmtClient calls the management API in process, as a client would: each
// call is an AWS-wire request signed with the management credentials and
// served by the same handler (authentication, validation, audit trail) as
// calls from the AWS CLI. The browser never holds the secret.
type mgmtClient struct {
	handler http.Handler
	creds   func() (string, string)
	region  string
	// remote and agent describe the browser for the audit trail.
	remote, agent string
}

// apiError is a management call's failure: AWS's error type and message.
type apiError struct {
	Status  int
	Type    string
	Message string
}

func (e *apiError) Error() string {
	if e.Type != "" {
		return e.Type + ": " + e.Message
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// call sends one request and returns the answer's body for 2xx statuses.
// service is the SigV4 signing name; header adds request headers.
func (c *mgmtClient) call(ctx context.Context, service, method, path string, body []byte, header map[string]string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://console.internal"+path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.RemoteAddr = c.remote
	req.Header.Set("User-Agent", "tollgate-console "+c.agent)
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	id, secret := c.creds()
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}, req,
		hex.EncodeToString(sum[:]), service, c.region, time.Now()); err != nil {
		return nil, nil, err
	}
	rec := httptest.NewRecorder()
	c.handler.ServeHTTP(rec, req)
	res := rec.Result()
	out := rec.Body.Bytes()
	if res.StatusCode/100 != 2 {
		e := &apiError{Status: res.StatusCode, Type: res.Header.Get("x-amzn-ErrorType")}
		var m struct {
			Message  string `json:"message"`
			Message2 string `json:"Message"`
			Type     string `json:"__type"`
		}
		if json.Unmarshal(out, &m) == nil {
			e.Message = m.Message + m.Message2
			if e.Type == "" {
				e.Type = m.Type
			}
		}
		if e.Message == "" {
			e.Message = http.StatusText(res.StatusCode)
		}
		return nil, nil, e
	}
	return out, res.Header, nil
}

// getJSON is an apigateway / apigatewayv2 GET decoded into out.
func (c *mgmtClient) getJSON(ctx context.Context, path string, out any) error {
	b, _, err := c.call(ctx, "apigateway", http.MethodGet, path, nil, nil)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// sendJSON sends in as JSON with method and decodes the answer into out
// (when not nil).
func (c *mgmtClient) sendJSON(ctx context.Context, method, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	b, _, err := c.call(ctx, "apigateway", method, path, body, nil)
	if err != nil {
		return err
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

// logs calls a CloudWatch Logs operation (JSON 1.1).
func (c *mgmtClient) logs(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	b, _, err := c.call(ctx, "logs", http.MethodPost, "/", body, map[string]string{
		"X-Amz-Target": "Logs_20140328." + op, "Content-Type": "application/x-amz-json-1.1"})
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
