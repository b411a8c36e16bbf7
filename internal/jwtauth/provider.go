package jwtauth

import (
	"fmt"
	"net/url"
	"strings"
)

// IssuerForProvider maps one entry of a COGNITO_USER_POOLS authorizer's
// providerARNs to the issuer URL its tokens carry in "iss".
//
// A user pool ARN arn:{partition}:cognito-idp:{region}:{account}:userpool/{poolId}
// maps to https://cognito-idp.{region}.amazonaws.com/{poolId}
// (amazonaws.com.cn in the aws-cn partition) unless overrides maps the full
// ARN or the pool id to another issuer URL; the full ARN is looked up first.
// A provider that is itself an http(s) URL is a generic OIDC issuer and is
// returned unchanged (unless overrides maps that exact string).
//
// Errors wrap [ErrInvalidProvider].
func IssuerForProvider(providerARN string, overrides map[string]string) (string, error) {
	p := strings.TrimSpace(providerARN)
	if p == "" {
		return "", fmt.Errorf("%w: empty provider", ErrInvalidProvider)
	}
	if o, ok := overrides[p]; ok {
		return checkIssuerURL(o)
	}
	if strings.HasPrefix(p, "https://") || strings.HasPrefix(p, "http://") {
		return checkIssuerURL(p)
	}

	parts := strings.SplitN(p, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", fmt.Errorf("%w: %q is neither an ARN nor an http(s) issuer URL", ErrInvalidProvider, clip(p, 200))
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	if service != "cognito-idp" {
		return "", fmt.Errorf("%w: %q is not a cognito-idp ARN", ErrInvalidProvider, clip(p, 200))
	}
	if !isToken(partition, "-") || !isToken(region, "-") {
		return "", fmt.Errorf("%w: %q has an invalid partition or region", ErrInvalidProvider, clip(p, 200))
	}
	// [U] Real account ids are 12 digits; emulators use 000000000000. Only
	// "digits, non-empty" is enforced.
	if account == "" || strings.Trim(account, "0123456789") != "" {
		return "", fmt.Errorf("%w: %q has an invalid account id", ErrInvalidProvider, clip(p, 200))
	}
	poolID, ok := strings.CutPrefix(resource, "userpool/")
	if !ok || !isToken(poolID, "_-") {
		return "", fmt.Errorf("%w: %q is not a user pool ARN", ErrInvalidProvider, clip(p, 200))
	}
	if o, ok := overrides[poolID]; ok {
		return checkIssuerURL(o)
	}
	domain := "amazonaws.com"
	if partition == "aws-cn" {
		domain = "amazonaws.com.cn"
	}
	return "https://cognito-idp." + region + "." + domain + "/" + poolID, nil
}

// isToken reports whether s is non-empty and made only of ASCII letters,
// digits and the bytes in extra.
func isToken(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return true
}

// checkIssuerURL validates an issuer URL (http or https, with a host, no
// query or fragment, as OpenID Connect Discovery requires) and returns it
// unchanged.
func checkIssuerURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%w: issuer URL %q: %w", ErrInvalidProvider, clip(s, 200), err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%w: issuer URL %q must be an absolute http(s) URL", ErrInvalidProvider, clip(s, 200))
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%w: issuer URL %q must not carry query, fragment or user info", ErrInvalidProvider, clip(s, 200))
	}
	return s, nil
}
