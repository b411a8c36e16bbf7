package sigv4

import (
	"crypto/hmac"
	"encoding/hex"
	"net/http"
	"time"
)

// DefaultMaxSkew is the clock skew AWS tolerates between the request time
// and the server clock.
const DefaultMaxSkew = 15 * time.Minute

// unsignedPayload is the payload hash presigned URLs may sign instead of
// the body's SHA-256.
const unsignedPayload = "UNSIGNED-PAYLOAD"

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
func (v *Verifier) Verify(r *http.Request, body []byte, service string) (Identity, error) {
	id, err := v.verify(r, body, service)
	if err != nil {
		return Identity{}, err
	}
	return id, nil
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

func (v *Verifier) verify(r *http.Request, body []byte, service string) (Identity, *Error) {
	rawPath, rawQuery := requestTarget(r)
	pairs, qerr := parseQuery(rawQuery)
	if qerr != nil {
		return Identity{}, qerr
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
		return Identity{}, errMissingAuthenticationToken()
	case len(authz) > 0 && queryAuth:
		return Identity{}, newError(CodeIncompleteSignature, msgBothMechanisms)
	case len(authz) > 1:
		return Identity{}, newError(CodeIncompleteSignature, msgMultipleAuthorization)
	case queryAuth:
		params, err = parsePresignedQuery(pairs)
	default:
		params, err = parseAuthorizationHeader(authz[0], r.Header)
	}
	if err != nil {
		return Identity{}, err
	}

	// 2. Signed headers: host must be one, none twice (a repeated name
	// would repeat its value in the canonical request, an amplification
	// lever for anyone who knows an access key ID).
	signed := splitSignedHeaders(params.signedHeaders)
	seen := make(map[string]bool, len(signed))
	for _, h := range signed {
		if seen[h] {
			return Identity{}, newError(CodeIncompleteSignature, "SignedHeaders lists '%s' more than once.", h)
		}
		seen[h] = true
	}
	if !seen["host"] {
		return Identity{}, newError(CodeInvalidSignature, msgHostNotSigned)
	}

	// 3. Request time, clock skew and presigned expiry.
	reqTime, err := parseRequestTime(params)
	if err != nil {
		return Identity{}, err
	}
	if err := v.checkTime(params, reqTime); err != nil {
		return Identity{}, err
	}

	// 4. Credential scope.
	cred, err := parseCredential(params.credential)
	if err != nil {
		return Identity{}, err
	}
	if err := checkScope(cred, v.Region, service, reqTime, params.date); err != nil {
		return Identity{}, err
	}

	// 5. Access key.
	var secret string
	ok := false
	if v.Credentials != nil {
		secret, ok = v.Credentials.SecretFor(cred.accessKeyID)
	}
	if !ok {
		return Identity{}, errUnrecognizedClient()
	}

	// 6. Payload hash.
	payloads, err := payloadHashes(r.Header, body, params.presigned)
	if err != nil {
		return Identity{}, err
	}

	// 7. Signature.
	provided := []byte(params.signature)
	key := v.keys.signingKey(secret, cred.date, cred.region, cred.service)
	scope := cred.scope()
	queries := canonicalQueries(pairs, rawQuery, params.presigned)
	headerBlocks := canonicalHeaderBlocks(r, signed)
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}

	// Every candidate needs the secret; see canonicalURIs, canonicalQueries
	// and canonicalHeaderBlocks for why accepting each variant only admits
	// requests equivalent to the one signed.
	var firstCanonical, firstSTS string
	matched := false
search:
	for _, uri := range canonicalURIs(rawPath) {
		for _, query := range queries {
			for _, headers := range headerBlocks {
				for _, payload := range payloads {
					creq := canonicalRequest(method, uri, query, headers, params.signedHeaders, payload)
					sts := stringToSign(reqTime, scope, creq)
					if firstCanonical == "" {
						firstCanonical, firstSTS = creq, sts
					}
					// Lower-case hex, compared in constant time.
					if hmac.Equal([]byte(hex.EncodeToString(hmacSHA256(key, sts))), provided) {
						matched = true
						break search
					}
				}
			}
		}
	}
	if !matched {
		return Identity{}, errSignatureMismatch(firstCanonical, firstSTS)
	}

	return Identity{
		AccessKeyID:   cred.accessKeyID,
		Service:       cred.service,
		Region:        cred.region,
		SigningTime:   reqTime,
		SignedHeaders: signed,
		Presigned:     params.presigned,
	}, nil
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

// payloadHashes returns the payload hashes to try. With X-Amz-Content-Sha256
// the header must equal the body's SHA-256 (presigned URLs may also carry
// UNSIGNED-PAYLOAD there); the literal UNSIGNED-PAYLOAD is not accepted in
// the header form, as for every AWS service but S3. Presigned URLs without
// the header may sign either the body's hash (botocore and the SDKs for
// non-S3 services) or UNSIGNED-PAYLOAD (S3-style presigners).
func payloadHashes(h http.Header, body []byte, presigned bool) ([]string, *Error) {
	computed := sha256Hex(body)
	if vals := h.Values("X-Amz-Content-Sha256"); len(vals) > 0 {
		if len(vals) == 1 && presigned && vals[0] == unsignedPayload {
			return []string{unsignedPayload}, nil
		}
		if len(vals) != 1 || vals[0] != computed {
			return nil, newError(CodeInvalidSignature, msgBodyHashMismatch)
		}
		return []string{computed}, nil
	}
	if presigned {
		return []string{computed, unsignedPayload}, nil
	}
	return []string{computed}, nil
}
