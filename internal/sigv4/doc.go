// Package sigv4 verifies AWS Signature Version 4 requests on the server
// side, the way AWS services other than S3 verify them, so that Tollgate's
// APIs accept requests from the unmodified AWS CLI, the AWS SDKs and
// curl --aws-sigv4.
//
// The SDK signers cannot be reused for verification: each decides for
// itself which headers to sign (aws-sdk-go-v2 signs content-length, the AWS
// CLI and curl do not), while a verifier must rebuild the canonical request
// from exactly the headers the client listed in SignedHeaders. This package
// implements the canonicalisation itself:
//
//   - canonical URI: the path as sent, URI-encoded once more (the SDKs'
//     "double encoding" for non-S3 services) or, failing that, as sent;
//   - canonical query: parameters decoded, re-encoded with only the RFC 3986
//     unreserved characters left as is, sorted by key then value; or, for
//     the Authorization-header form, the raw query verbatim;
//   - canonical headers: the listed headers, lower-cased, values trimmed
//     and inner runs of spaces (or, failing that, of any whitespace)
//     collapsed, repeated headers joined with ',';
//   - payload hash: the SHA-256 of the body (X-Amz-Content-Sha256, when
//     sent, must match it), for presigned URLs too: UNSIGNED-PAYLOAD is S3's
//     alone, and accepting it would let whoever holds a presigned URL send
//     any body with it.
//
// The alternatives exist because real clients differ. curl 7.88
// --aws-sigv4 signs the path exactly as sent (no double encoding), the raw
// query string verbatim (unsorted, '+' and lower-case escapes kept, "flag"
// without '='), only host, x-amz-date and the headers given with -H, and
// collapses tabs as well as spaces in header values (as botocore does);
// aws-sdk-go-v2 double-encodes the path, canonicalises the query and
// collapses only spaces. Every alternative still requires the secret, and
// each is restricted so that all requests accepted under one signature are
// equivalent to the one signed (see canonicalURIs, canonicalQueries and
// canonicalHeaderBlocks). The one request curl sends that is refused: a
// path containing "%25" followed by two hex digits (an encoded literal
// percent sign before hex digits), which could otherwise be confused with
// the double encoding of a different path.
//
// Verification comes in two steps for callers that have not read the body
// yet: Begin checks everything the headers and the request-target decide
// (and, when X-Amz-Content-Sha256 is sent, the signature itself), so that
// most forged or malformed requests are refused before their body is read;
// Pending.Finish then takes the body's SHA-256, computed while the body
// streams in. Verify does both for a body already in memory.
//
// Errors are *Error values carrying AWS's error type and message text; the
// caller picks the HTTP status (AWS uses 403).
package sigv4
