package jwtauth

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzAuthorizeHTTPAPI feeds arbitrary identity values: every refusal is
// an *HTTPAPIError with a 401 or 403 and a www-authenticate header.
func FuzzAuthorizeHTTPAPI(f *testing.F) {
	key := newRSAKey(f, "k1")
	ti := newIssuer(f, key)
	c := newClock()
	v := newHTTPAPIVerifier(f, c)
	a := mustAuthorizer(f, ti.iss, "api://orders")
	valid := sign(f, key, oidcClaims(ti.iss))
	for _, s := range []string{valid, "Bearer " + valid, valid[:len(valid)-3], "a.b.c", "", "Bearer",
		"eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.AAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, identity string) {
		res, err := v.AuthorizeHTTPAPI(context.Background(), a, identity, []string{"orders/read"})
		if err == nil {
			if res.Claims == nil {
				t.Fatal("accepted without claims")
			}
			return
		}
		var he *HTTPAPIError
		if !errors.As(err, &he) || (he.Status != 401 && he.Status != 403) || he.WWWAuthenticate == "" {
			t.Fatalf("refusal %v", err)
		}
	})
}

// FuzzStringifyHTTPAPIClaims renders arbitrary claim values without
// panicking, leaving out only nulls.
func FuzzStringifyHTTPAPIClaims(f *testing.F) {
	for _, s := range []string{`"s"`, `1.5e3`, `[1,[2,{"a":null}]]`, `{"k":[1]}`, `null`, `true`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !json.Valid([]byte(raw)) {
			return
		}
		out := stringifyHTTPAPIClaims(map[string]json.RawMessage{"c": json.RawMessage(raw)})
		_, present := out["c"]
		if isNull := trimJSONSpace(raw) == "null"; present == isNull {
			t.Fatalf("claim %s: present=%v", raw, present)
		}
	})
}

func trimJSONSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
