package domains

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
)

// maxTruststore bounds a truststore file (AWS: up to 1,000 certificates,
// 1 MB [D: mTLS quotas]).
const maxTruststore = 1 << 20

// parseS3URI splits "s3://bucket/key". The key's segments must be plain
// names: no empty, "." or ".." segment, so that the file it names stays
// inside the bucket's directory (Tollgate choice; S3 keys may hold such
// segments, a local directory cannot).
func parseS3URI(uri string) (bucket, key string, ok bool) {
	rest, found := strings.CutPrefix(uri, "s3://")
	if !found {
		return "", "", false
	}
	bucket, key, found = strings.Cut(rest, "/")
	if !found || bucket == "" || key == "" || strings.ContainsAny(bucket, `\`) || strings.Contains(key, `\`) {
		return "", "", false
	}
	for _, seg := range strings.Split(bucket+"/"+key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", "", false
		}
	}
	return bucket, key, true
}

func errTruststoreURI(uri string) error { // [U: text]
	return awserr.BadRequest("Truststore URI must be an Amazon S3 URI of the form s3://bucket/key: %s", uri)
}

func errTruststoreRead(uri, reason string) error { // [U: text]
	return awserr.BadRequest("Unable to read truststore at %s: %s", uri, reason)
}

// truststore is a truststore read and checked.
type truststore struct {
	// pem holds the certificates accepted.
	pem string
	// warnings name each certificate left out and why.
	warnings []string
}

// readTruststore reads the truststore uri names from the S3 stand-in
// (<s3-dir>/bucket/key, opened inside <s3-dir> so that no link leads out
// of it) and checks each certificate as API Gateway does when a domain is
// created or its truststore changes [D: rest-api-mutual-tls]: problems
// with single certificates are warnings, not failures; a truststore
// without any certificate fails the call.
func (a *API) readTruststore(uri string, now time.Time) (*truststore, error) {
	bucket, key, ok := parseS3URI(uri)
	if !ok {
		return nil, errTruststoreURI(uri)
	}
	if a.s3Dir == "" {
		return nil, errTruststoreRead(uri, "no S3 directory is configured (--s3-dir)")
	}
	f, err := os.OpenInRoot(a.s3Dir, path.Join(bucket, key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errTruststoreRead(uri, fmt.Sprintf("the object does not exist (Tollgate reads s3://%s/%s from %s)", bucket, key,
			path.Join(a.s3Dir, bucket, key)))
	}
	if err != nil {
		return nil, errTruststoreRead(uri, "the object cannot be read")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTruststore+1))
	if err != nil {
		return nil, errTruststoreRead(uri, "the object cannot be read")
	}
	if len(b) > maxTruststore {
		return nil, errTruststoreRead(uri, fmt.Sprintf("the truststore is larger than %d bytes", maxTruststore))
	}
	ts := checkTruststore(b, now)
	if ts.pem == "" && len(ts.warnings) == 0 {
		return nil, errTruststoreRead(uri, "it holds no PEM-encoded certificate")
	}
	return ts, nil
}

// checkTruststore sorts the PEM certificates of b into accepted ones and
// warnings "{reason}: {subject}" [U: AWS's warning text].
func checkTruststore(b []byte, now time.Time) *truststore {
	ts := &truststore{}
	var accepted strings.Builder
	for n := 1; ; n++ {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			ts.warnings = append(ts.warnings, fmt.Sprintf("PEM block %d is not a certificate (%s)", n, block.Type))
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			ts.warnings = append(ts.warnings, fmt.Sprintf("Certificate %d could not be parsed", n))
			continue
		}
		if reason := truststoreProblem(c, now); reason != "" {
			ts.warnings = append(ts.warnings, reason+": "+c.Subject.String())
			continue
		}
		accepted.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	ts.pem = accepted.String()
	return ts
}

// truststoreProblem names why c cannot be trusted ("" when it can): out of
// its validity period, a signature algorithm weaker than SHA-256, an RSA
// key under 2048 bits or an ECDSA key under 256 [D], or neither a CA nor
// self-signed (a self-signed client certificate may be listed) [D].
func truststoreProblem(c *x509.Certificate, now time.Time) string {
	switch {
	case now.After(c.NotAfter):
		return "Certificate has expired"
	case now.Before(c.NotBefore):
		return "Certificate is not yet valid"
	}
	if weak := domain.Weakness(c); weak != "" {
		return weak
	}
	selfSigned := bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
	if !(c.BasicConstraintsValid && c.IsCA) && !selfSigned {
		return "Certificate is not a CA certificate"
	}
	return ""
}
