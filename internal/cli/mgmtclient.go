package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate/tollgate/internal/credentials"
)

// mgmtClient calls a running Tollgate's management API, signed with its
// credentials (the commands that drive a gateway: import, export).
type mgmtClient struct {
	endpoint string
	region   string
	creds    aws.Credentials
	http     *http.Client
}

// newMgmtClient finds the credentials as `tollgate serve` does: from
// TOLLGATE_ACCESS_KEY_ID / TOLLGATE_SECRET_ACCESS_KEY, else from
// <dataDir>/credentials, which the gateway writes on its first start (a
// client never creates it).
func newMgmtClient(adminAddr, dataDir, region string, getenv func(string) string) (*mgmtClient, error) {
	if getenv("TOLLGATE_ACCESS_KEY_ID") == "" {
		if _, err := os.Stat(filepath.Join(dataDir, credentials.FileName)); err != nil {
			return nil, fmt.Errorf("no credentials: set TOLLGATE_ACCESS_KEY_ID/TOLLGATE_SECRET_ACCESS_KEY or start `tollgate serve --data-dir %s` first (%w)", dataDir, err)
		}
	}
	pair, _, err := credentials.Load(dataDir, getenv)
	if err != nil {
		return nil, err
	}
	return newMgmtClientWith(adminAddr, region, pair), nil
}

func newMgmtClientWith(adminAddr, region string, pair credentials.Pair) *mgmtClient {
	return &mgmtClient{
		endpoint: "http://" + adminAddr,
		region:   region,
		creds:    aws.Credentials{AccessKeyID: pair.AccessKeyID, SecretAccessKey: pair.SecretAccessKey},
		http:     &http.Client{Timeout: 2 * time.Minute},
	}
}

// apiError is a non-2xx answer: AWS's error type and message.
type apiError struct {
	Status  int
	Type    string
	Message string
}

func (e *apiError) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("%s (%d): %s", e.Type, e.Status, e.Message)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// do sends one signed call. body is sent as is; the answer's body is
// returned for 2xx statuses.
func (c *mgmtClient) do(ctx context.Context, method, path string, body []byte, header map[string]string) ([]byte, error) {
	return c.doService(ctx, "apigateway", method, path, body, header)
}

// HTTPStatus is the answer's status code (stack.StatusError).
func (e *apiError) HTTPStatus() int { return e.Status }

// Call sends v as JSON, signed for service, and decodes the answer into
// out (stack.Caller).
func (c *mgmtClient) Call(ctx context.Context, service, method, path string, v, out any) error {
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			return err
		}
	}
	return c.CallRaw(ctx, service, method, path, "application/json", body, out)
}

// CallRaw sends body as is (stack.RawCaller).
func (c *mgmtClient) CallRaw(ctx context.Context, service, method, path, contentType string, body []byte, out any) error {
	b, err := c.doService(ctx, service, method, path, body, map[string]string{"Content-Type": contentType})
	if err != nil {
		return err
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

// doService sends one call signed for service.
func (c *mgmtClient) doService(ctx context.Context, service, method, path string, body []byte, header map[string]string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), service, c.region, time.Now()); err != nil {
		return nil, err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("management API at %s: %w", c.endpoint, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		e := &apiError{Status: res.StatusCode, Type: res.Header.Get("x-amzn-ErrorType")}
		var m struct {
			Message  string `json:"message"`
			Message2 string `json:"Message"`
		}
		if json.Unmarshal(out, &m) == nil {
			e.Message = m.Message + m.Message2
		}
		if e.Message == "" {
			e.Message = string(out)
		}
		return nil, e
	}
	return out, nil
}

// doJSON sends v as JSON and decodes the answer into out (when not nil).
func (c *mgmtClient) doJSON(ctx context.Context, method, path string, v, out any) error {
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			return err
		}
	}
	b, err := c.do(ctx, method, path, body, map[string]string{"Content-Type": "application/json"})
	if err != nil {
		return err
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

var errNotFound = errors.New("not found")
