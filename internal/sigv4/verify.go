package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"
)

// DefaultMaxSkew is the clock skew AWS tolerates between the request time
// and the server clock.
const DefaultMaxSkew = 15 * time.Minute

// Credentials resolves an access key ID to its secret access key.
type Credentials interface {
	// SecretFor returns the secret for accessKeyID, or ok=false when the key
	// is unknown (or disabled).
	SecretFor(accessKeyID string) (secret string, ok bool)
}

// CredentialsFunc adapts a function to the Credentials interface.
type CredentialsFunc func(accessKeyID string) (secret string, ok bool)

// SecretFor calls f.
func (f CredentialsFunc) SecretFor(accessKeyID string) (string, bool) { return f(accessKeyID) }

// Identity describes the verified caller of a request.
type Identity struct {
	// AccessKeyID is the access key that signed the request.
	AccessKeyID string
	// Service and Region are the credential scope's service and region.
	Service, Region string
	// SigningTime is the request time (X-Amz-Date or Date) that was signed.
	SigningTime time.Time
	// SignedHeaders are the lower-case names of the signed headers, in the
	// order the client listed them.
	SignedHeaders []string
	// Presigned reports that the signature came from the query string.
	Presigned bool
}

// Verifier checks AWS Signature Version 4 signatures as AWS services other
// than S3 do. Configure the exported fields before first use and share the
// Verifier by pointer: it holds a cache of derived signing keys (guarded by
// a mutex) and must not be copied after first use. It is safe for concurrent
// use.
//
// X-Amz-Security-Token, when present, is verified like any other signed
// header or query parameter but otherwise ignored: Tollgate has no STS, so
// there are no session tokens to validate and the access key alone
// identifies the caller.
type Verifier struct {
	// Region is the region the credential scope must name; empty accepts
	// any region.
	Region string
	// Credentials resolves access key IDs to secrets. A nil Credentials
	// knows no keys.
	Credentials Credentials
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the tolerated difference between the request time and
	// Now; zero means DefaultMaxSkew.
	MaxSkew time.Duration

	keys keyCache
}

// Verify checks the SigV4 signature of r, carried either in the
// Authorization header or in a presigned query string, for the given service
// name ("apigateway", "lambda", "execute-api", ...). body must be the full
// request body, already read by the caller (r.Body is not touched). It
// returns the caller's identity, or an error that is always an *Error
// carrying the AWS error type and message.
//
// Verify is Begin followed by Pending.Finish with the body's SHA-256; a
// caller that has not read the body yet should use those two instead, so
// that a request refused on its headers alone is refused before its body
// is read.
func (v *Verifier) Verify(r *http.Request, body []byte, service string) (Identity, error) {
	p, err := v.Begin(r, service)
	if err != nil {
		return Identity{}, err
	}
	return p.Finish(sha256.Sum256(body))
}

// Begin checks everything about r's signature that does not depend on the
// body: the mechanism and its parameters, the signed headers (host among
// them), the request time and expiry, the credential scope, the access key
// and, when X-Amz-Content-Sha256 is sent, that it is a SHA-256 in hex and
// that the signature over it is right (the header stands for the body in
// the canonical request, so the signature can be checked before the body
// is read; Finish then checks that the body matches the header). Errors are
// always *Error values. r.Body is not touched.
func (v *Verifier) Begin(r *http.Request, service string) (*Pending, error) {
	p, err := v.begin(r, service)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Pending is a request whose signature has been checked as far as possible
// without its body. It is used by one goroutine, once.
type Pending struct {
	id        Identity
	key       []byte
	scope     string
	signature []byte
	// prefixes are the canonical request candidates without their last
	// line, the payload hash.
	prefixes []string
	// declared is the X-Amz-Content-Sha256 value ("" when not sent); when
	// set, the signature was verified over it by Begin.
	declared string
}

// SignatureVerified reports whether Begin already verified the signature
// (over the X-Amz-Content-Sha256 header's hash), so that only the body's
// hash remains to be checked against that header.
func (p *Pending) SignatureVerified() bool { return p.declared != "" }

// Finish completes verification with the SHA-256 of the request body and
// returns the caller's identity. The payload hash of the canonical request
// is always the body's SHA-256: UNSIGNED-PAYLOAD, which S3 accepts, is
// refused here, as by every AWS service but S3 (the signature then fails to
// match, with AWS's "signature does not match" message).
func (p *Pending) Finish(bodySHA256 [sha256.Size]byte) (Identity, error) {
	computed := hex.EncodeToString(bodySHA256[:])
	if p.declared != "" {
		if p.declared != computed {
			return Identity{}, newError(CodeInvalidSignature, msgBodyHashMismatch)
		}
		return p.id, nil
	}
	if err := p.match(computed); err != nil {
		return Identity{}, err
	}
	return p.id, nil
}

// match checks the signature over each canonical request candidate with
// the given payload hash.
func (p *Pending) match(payload string) *Error {
	var firstCanonical, firstSTS string
	for _, prefix := range p.prefixes {
		creq := prefix + payload
		sts := stringToSign(p.id.SigningTime, p.scope, creq)
		if firstCanonical == "" {
			firstCanonical, firstSTS = creq, sts
		}
		// Lower-case hex, compared in constant time.
		if hmac.Equal([]byte(hex.EncodeToString(hmacSHA256(p.key, sts))), p.signature) {
			return nil
		}
	}
	return errSignatureMismatch(firstCanonical, firstSTS)
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now().UTC()
	}
	return time.Now().UTC()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

func (v *Verifier) begin(r *http.Request, service string) (*Pending, *Error) {
	rawPath, rawQuery := requestTarget(r)
	pairs, qerr := parseQuery(rawQuery)
	if qerr != nil {
		return nil, qerr
	}

	// 1. Which mechanism, and its parameters.
	authz := r.Header.Values("Authorization")
	queryAuth := false
	for _, p := range pairs {
		if p.key == queryAlgorithm {
			queryAuth = true
			break
		}
	}
	var (
		params authParams
		err    *Error
	)
	switch {
	case len(authz) == 0 && !queryAuth:
		return nil, errMissingAuthenticationToken()
	case len(authz) > 0 && queryAuth:
		return nil, newError(CodeIncompleteSignature, msgBothMechanisms)
	case len(authz) > 1:
		return nil, newError(CodeIncompleteSignature, msgMultipleAuthorization)
	case queryAuth:
		params, err = parsePresignedQuery(pairs)
	default:
		params, err = parseAuthorizationHeader(authz[0], r.Header)
	}
	if err != nil {
		return nil, err
	}

	// 2. Signed headers: host must be one, none twice (a repeated name
	// would repeat its value in the canonical request, an amplification
	// lever for anyone who knows an access key ID).
	signed := splitSignedHeaders(params.signedHeaders)
	seen := make(map[string]bool, len(signed))
	for _, h := range signed {
		if seen[h] {
			return nil, newError(CodeIncompleteSignature, "SignedHeaders lists '%s' more than once.", h)
		}
		seen[h] = true
	}
	if !seen["host"] {
		return nil, newError(CodeInvalidSignature, msgHostNotSigned)
	}

	// 3. Request time, clock skew and presigned expiry.
	reqTime, err := parseRequestTime(params)
	if err != nil {
		return nil, err
	}
	if err := v.checkTime(params, reqTime); err != nil {
		return nil, err
	}

	// 4. Credential scope.
	cred, err := parseCredential(params.credential)
	if err != nil {
		return nil, err
	}
	if err := checkScope(cred, v.Region, service, reqTime, params.date); err != nil {
		return nil, err
	}

	// 5. Access key.
	var secret string
	ok := false
	if v.Credentials != nil {
		secret, ok = v.Credentials.SecretFor(cred.accessKeyID)
	}
	if !ok {
		return nil, errUnrecognizedClient()
	}

	// 6. The declared payload hash, if any.
	declared, err := declaredPayloadHash(r.Header)
	if err != nil {
		return nil, err
	}

	// 7. Canonical request candidates. Every candidate needs the secret;
	// see canonicalURIs, canonicalQueries and canonicalHeaderBlocks for why
	// accepting each variant only admits requests equivalent to the one
	// signed.
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	queries := canonicalQueries(pairs, rawQuery, params.presigned)
	headerBlocks := canonicalHeaderBlocks(r, signed)
	var prefixes []string
	for _, uri := range canonicalURIs(rawPath) {
		for _, query := range queries {
			for _, headers := range headerBlocks {
				prefixes = append(prefixes, canonicalRequestPrefix(method, uri, query, headers, params.signedHeaders))
			}
		}
	}
	p := &Pending{
		id: Identity{
			AccessKeyID:   cred.accessKeyID,
			Service:       cred.service,
			Region:        cred.region,
			SigningTime:   reqTime,
			SignedHeaders: signed,
			Presigned:     params.presigned,
		},
		key:       v.keys.signingKey(secret, cred.date, cred.region, cred.service),
		scope:     cred.scope(),
		signature: []byte(params.signature),
		prefixes:  prefixes,
		declared:  declared,
	}

	// 8. With X-Amz-Content-Sha256, the signature itself.
	if declared != "" {
		if err := p.match(declared); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkTime rejects requests outside the clock-skew window and, for
// presigned URLs with X-Amz-Expires, after date + expires.
func (v *Verifier) checkTime(p authParams, reqTime time.Time) *Error {
	now := v.now()
	skew := v.maxSkew()
	if reqTime.After(now.Add(skew)) {
		return errSignatureNotYetCurrent(reqTime, now, skew)
	}
	if p.presigned && p.expires != "" {
		expires, err := parseExpires(p.expires)
		if err != nil {
			return err
		}
		if now.After(reqTime.Add(expires)) {
			return errSignatureExpired(reqTime, now, expires)
		}
		return nil
	}
	if reqTime.Before(now.Add(-skew)) {
		return errSignatureExpired(reqTime, now, skew)
	}
	return nil
}

// declaredPayloadHash returns the X-Amz-Content-Sha256 header ("" when
// absent). When sent, it must be one lower-case hex SHA-256, the only form
// that can equal the body's hash: UNSIGNED-PAYLOAD and the streaming
// (chunked) forms are S3's, and AWS's other services answer them with
// "The provided 'x-amz-content-sha256' header does not match what was
// computed." (an error found before the body is read).
func declaredPayloadHash(h http.Header) (string, *Error) {
	vals := h.Values("X-Amz-Content-Sha256")
	if len(vals) == 0 {
		return "", nil
	}
	if len(vals) != 1 || !isLowerHexSHA256(vals[0]) {
		return "", newError(CodeInvalidSignature, msgBodyHashMismatch)
	}
	return vals[0], nil
}

func isLowerHexSHA256(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
