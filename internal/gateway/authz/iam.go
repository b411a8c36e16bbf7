package authz

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/sigv4"
)

// User is an IAM-style user that may call AWS_IAM methods (configured in
// Tollgate's settings; there is no IAM API).
type User struct {
	Name            string
	AccountID       string
	AccessKeyID     string
	SecretAccessKey string
	// Policies are the user's identity policies (JSON documents).
	Policies []string
}

// Users authenticates execute-api calls signed with the users' keys.
type Users struct {
	byKey    map[string]*Identity
	verifier *sigv4.Verifier
}

// Identity is an authenticated user: the caller, and the identity
// policies that decide what it may do.
type Identity struct {
	Caller   pipeline.Caller
	secret   string
	policies []*policy.Policy
}

// NewUsers compiles users; region is the region signatures must name.
func NewUsers(region, defaultAccount string, users []User) (*Users, error) {
	u := &Users{byKey: map[string]*Identity{}}
	for _, cfg := range users {
		if cfg.Name == "" || cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
			return nil, fmt.Errorf("IAM user %q: name, access key id and secret access key are required", cfg.Name)
		}
		if _, dup := u.byKey[cfg.AccessKeyID]; dup {
			return nil, fmt.Errorf("IAM user %q: access key %s is used twice", cfg.Name, cfg.AccessKeyID)
		}
		acct := cfg.AccountID
		if acct == "" {
			acct = defaultAccount
		}
		iu := &Identity{secret: cfg.SecretAccessKey, Caller: pipeline.Caller{
			AccessKey: cfg.AccessKeyID,
			AccountID: acct,
			ARN:       "arn:aws:iam::" + acct + ":user/" + cfg.Name,
			UserID:    userID(acct, cfg.Name),
			Name:      cfg.Name,
		}}
		for i, doc := range cfg.Policies {
			p, err := policy.Parse([]byte(doc))
			if err != nil {
				return nil, fmt.Errorf("IAM user %q: policy %d: %w", cfg.Name, i+1, err)
			}
			iu.policies = append(iu.policies, p)
		}
		u.byKey[cfg.AccessKeyID] = iu
	}
	u.verifier = &sigv4.Verifier{Region: region, Credentials: sigv4.CredentialsFunc(func(id string) (string, bool) {
		if iu, ok := u.byKey[id]; ok {
			return iu.secret, true
		}
		return "", false
	})}
	return u, nil
}

// userID is a stable IAM-style unique id ("AIDA…") for a user.
func userID(account, name string) string {
	h := sha256.Sum256([]byte(account + "/" + name))
	return "AIDA" + strings.ToUpper(hex.EncodeToString(h[:8]))
}

// Authenticate verifies x's SigV4 signature (service execute-api) and
// returns the caller. Failures are AWS's 403s (reference §4.5).
func (u *Users) Authenticate(x *pipeline.Exchange) (*Identity, error) {
	if u == nil {
		u = &Users{verifier: &sigv4.Verifier{}}
	}
	body, err := x.ReadBody()
	if err != nil {
		return nil, err
	}
	r := httpRequest(x)
	id, err := u.verifier.Verify(r, body, "execute-api")
	if err != nil {
		var se *sigv4.Error
		if !errors.As(err, &se) {
			return nil, pipeline.Fail(pipeline.InvalidSignature, err)
		}
		switch se.Code {
		case sigv4.CodeMissingAuthenticationToken:
			return nil, pipeline.Fail(pipeline.MissingAuthenticationToken, nil)
		case sigv4.CodeUnrecognizedClient, sigv4.CodeIncompleteSignature:
			// An unknown access key ("The security token included in the
			// request is invalid.") or malformed signature parameters: 403
			// with the verifier's type [U: the gateway response type AWS
			// files these under].
			f := pipeline.FailWith(pipeline.InvalidSignature, se.Message, nil)
			f.ErrorType = se.Code
			return nil, f
		}
		// Signature mismatch, clock skew, expired presigned URLs.
		return nil, pipeline.FailWith(pipeline.InvalidSignature, se.Message, nil)
	}
	return u.byKey[id.AccessKeyID], nil
}

// httpRequest presents x's request to the SigV4 verifier.
func httpRequest(x *pipeline.Exchange) *http.Request {
	req := x.Req
	h := http.Header{}
	req.VisitHeaders(func(k, v []byte) {
		name := http.CanonicalHeaderKey(string(k))
		h[name] = append(h[name], string(v))
	})
	u := &url.URL{Path: req.Path(), RawQuery: req.RawQuery()}
	if p, err := url.PathUnescape(req.Path()); err == nil {
		u.Path, u.RawPath = p, req.Path()
	}
	target := req.Path()
	if q := req.RawQuery(); q != "" {
		target += "?" + q
	}
	return &http.Request{Method: req.Method(), URL: u, Header: h, Host: req.Host(), RequestURI: target}
}

// Decide evaluates the user's identity policies.
func (iu *Identity) Decide(r *policy.Request) policy.Decision {
	d := policy.NotApplicable
	for _, p := range iu.policies {
		switch p.Evaluate(r) {
		case policy.Deny:
			return policy.Deny
		case policy.Allow:
			d = policy.Allow
		}
	}
	return d
}
