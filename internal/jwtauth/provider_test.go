package jwtauth

import (
	"errors"
	"testing"
)

func TestIssuerForProvider(t *testing.T) {
	overrides := map[string]string{
		"us-east-1_Local": "http://localhost:9229/us-east-1_Local",
		"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Full": "https://idp.example.test/pool",
		"https://dev.example.test": "http://127.0.0.1:8080",
		"us-east-1_Bad":            "ftp://nope",
	}
	ok := []struct{ in, want string }{
		{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"},
		{" arn:aws:cognito-idp:eu-central-1:000000000000:userpool/eu-central-1_x ", "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_x"},
		{"arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_Z", "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_Z"},
		{"arn:aws-us-gov:cognito-idp:us-gov-west-1:123456789012:userpool/us-gov-west-1_Z", "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_Z"},
		// Override by pool id, and by full ARN.
		{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Local", "http://localhost:9229/us-east-1_Local"},
		{"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Full", "https://idp.example.test/pool"},
		// Plain issuer URLs (generic OIDC), kept verbatim.
		{"https://tenant.auth0.example/", "https://tenant.auth0.example/"},
		{"http://localhost:8080/realms/dev", "http://localhost:8080/realms/dev"},
		{"https://dev.example.test", "http://127.0.0.1:8080"},
	}
	for _, tc := range ok {
		got, err := IssuerForProvider(tc.in, overrides)
		if err != nil || got != tc.want {
			t.Errorf("IssuerForProvider(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if got, err := IssuerForProvider("arn:aws:cognito-idp:us-east-1:1:userpool/p", nil); err != nil || got != "https://cognito-idp.us-east-1.amazonaws.com/p" {
		t.Errorf("nil overrides: %q, %v", got, err)
	}

	bad := []string{
		"",
		"   ",
		"us-east-1_AbC123",
		"arn:aws:cognito-idp:us-east-1:123456789012",
		"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/x",
		"arn:aws:cognito-idp::123456789012:userpool/us-east-1_A",
		"arn:aws:cognito-idp:us-east-1:acct:userpool/us-east-1_A",
		"arn:aws:cognito-idp:us-east-1::userpool/us-east-1_A",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/a/b",
		"arn:aws:cognito-idp:us-east-1:123456789012:group/x",
		"arn:aws:cognito-idp:us east-1:123456789012:userpool/x",
		"aws:cognito-idp:us-east-1:123456789012:userpool/x:y",
		"https://",
		"https://issuer.example/?q=1",
		"https://issuer.example/#frag",
		"ftp://issuer.example",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Bad", // override is not http(s)
	}
	for _, in := range bad {
		got, err := IssuerForProvider(in, overrides)
		if err == nil {
			t.Errorf("IssuerForProvider(%q) = %q, want error", in, got)
			continue
		}
		if !errors.Is(err, ErrInvalidProvider) {
			t.Errorf("IssuerForProvider(%q): %v does not wrap ErrInvalidProvider", in, err)
		}
	}
}

func TestIsCognitoIssuer(t *testing.T) {
	for iss, want := range map[string]bool{
		"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A":       true,
		"https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_A":  true,
		"http://cognito-idp.us-east-1.amazonaws.com/us-east-1_A":        false,
		"https://cognito-idp.us-east-1.amazonaws.com.evil.test/x":       false,
		"http://localhost:9229/us-east-1_A":                             false,
		"https://cognito-idp.us-east-1.amazonaws.com":                   true,
		"https://accounts.example/cognito-idp.us-east-1.amazonaws.com/": false,
	} {
		if got := isCognitoIssuer(iss); got != want {
			t.Errorf("isCognitoIssuer(%q) = %v", iss, got)
		}
	}
}
