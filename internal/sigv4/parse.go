package sigv4

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	algorithmHMAC = "AWS4-HMAC-SHA256"
	scopeTerminal = "aws4_request"
	isoBasic      = "20060102T150405Z"
	shortDate     = "20060102"

	// maxPresignExpires is the longest X-Amz-Expires AWS accepts: 7 days.
	maxPresignExpires = 7 * 24 * 60 * 60

	queryAlgorithm     = "X-Amz-Algorithm"
	queryCredential    = "X-Amz-Credential"
	queryDate          = "X-Amz-Date"
	queryExpires       = "X-Amz-Expires"
	querySignedHeaders = "X-Amz-SignedHeaders"
	querySignature     = "X-Amz-Signature"
)

// authParams are the signature parameters of a request, from either the
// Authorization header or the presigned query string.
type authParams struct {
	presigned     bool
	algorithm     string
	credential    string
	signedHeaders string
	signature     string
	date          string // raw X-Amz-Date (header or query) or Date header
	dateIsHTTP    bool   // date came from the RFC 1123 Date header
	expires       string // presigned only; "" when absent
}

// parseAuthorizationHeader parses
//
//	AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/svc/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
//
// Like AWS, it splits the parameters on commas and whitespace, so both ", "
// and "," separators (and extra spaces) are accepted, and every token must be
// a key=value pair. The checks run in AWS's order: key=value syntax, then the
// cumulative "requires ... parameter" message, then the algorithm.
func parseAuthorizationHeader(header string, h http.Header) (authParams, *Error) {
	p := authParams{}
	alg, rest := header, ""
	if i := strings.IndexAny(header, " \t"); i >= 0 {
		alg, rest = header[:i], header[i+1:]
	}
	p.algorithm = alg

	tokens := strings.FieldsFunc(rest, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' })
	var haveCred, haveSigned, haveSig bool
	for _, tok := range tokens {
		k, val, ok := strings.Cut(tok, "=")
		if !ok {
			return p, errNotKeyValuePair(tok, header)
		}
		switch k {
		case "Credential":
			p.credential, haveCred = val, true
		case "SignedHeaders":
			p.signedHeaders, haveSigned = val, true
		case "Signature":
			p.signature, haveSig = val, true
		}
	}

	if xd := h.Get("X-Amz-Date"); xd != "" {
		p.date = xd
	} else if d := h.Get("Date"); d != "" {
		p.date, p.dateIsHTTP = d, true
	}

	var missing []string
	if !haveCred {
		missing = append(missing, "Credential")
	}
	if !haveSig {
		missing = append(missing, "Signature")
	}
	if !haveSigned {
		missing = append(missing, "SignedHeaders")
	}
	if len(missing) > 0 || p.date == "" {
		return p, errMissingHeaderParams(missing, p.date == "", header)
	}
	if p.algorithm != algorithmHMAC {
		return p, errUnsupportedAlgorithm(p.algorithm)
	}
	return p, nil
}

// parsePresignedQuery extracts the presigned-URL parameters from the decoded
// query pairs. Every parameter must appear at most once; X-Amz-Expires is
// optional (AWS services other than S3 then apply the usual clock skew).
func parsePresignedQuery(pairs []queryPair) (authParams, *Error) {
	p := authParams{presigned: true}
	fields := []struct {
		name string
		dst  *string
		seen bool
	}{
		{name: queryAlgorithm, dst: &p.algorithm},
		{name: queryCredential, dst: &p.credential},
		{name: querySignature, dst: &p.signature},
		{name: querySignedHeaders, dst: &p.signedHeaders},
		{name: queryDate, dst: &p.date},
		{name: queryExpires, dst: &p.expires},
	}
	for _, kv := range pairs {
		for i := range fields {
			f := &fields[i]
			if kv.key != f.name {
				continue
			}
			if f.seen {
				return p, newError(CodeIncompleteSignature,
					"The query-string parameter '%s' must appear only once.", f.name)
			}
			f.seen = true
			*f.dst = kv.value
		}
	}

	var missing []string
	for _, f := range fields[:5] { // X-Amz-Expires is optional
		if *f.dst == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return p, errMissingQueryParams(missing)
	}
	if p.algorithm != algorithmHMAC {
		return p, errUnsupportedAlgorithm(p.algorithm)
	}
	return p, nil
}

// parseRequestTime parses the request timestamp: X-Amz-Date (header or
// query) in ISO 8601 basic format, or the HTTP Date header (RFC 1123 and the
// other formats of http.ParseTime) when there is no X-Amz-Date.
func parseRequestTime(p authParams) (time.Time, *Error) {
	if p.dateIsHTTP {
		t, err := http.ParseTime(p.date)
		if err != nil {
			return time.Time{}, errBadDate(p.date)
		}
		return t.UTC(), nil
	}
	t, err := time.Parse(isoBasic, p.date)
	if err != nil || t.Format(isoBasic) != p.date {
		return time.Time{}, errBadDate(p.date)
	}
	return t, nil
}

// parseExpires validates X-Amz-Expires: a whole number of seconds between 0
// and 604800 (7 days), with S3's wording for each failure.
func parseExpires(s string) (time.Duration, *Error) {
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return 0, newError(CodeIncompleteSignature, "X-Amz-Expires should be a number")
	case n < 0:
		return 0, newError(CodeIncompleteSignature, "X-Amz-Expires must be non-negative")
	case n > maxPresignExpires:
		return 0, newError(CodeIncompleteSignature,
			"X-Amz-Expires must be less than a week (in seconds) that is %d", maxPresignExpires)
	}
	return time.Duration(n) * time.Second, nil
}

// credentialScope is the parsed Credential parameter:
// AKID/yyyymmdd/region/service/aws4_request.
type credentialScope struct {
	accessKeyID string
	date        string
	region      string
	service     string
	terminal    string
}

// scope renders the credential scope used in the string to sign.
func (c credentialScope) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/" + c.terminal
}

func parseCredential(cred string) (credentialScope, *Error) {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return credentialScope{}, errBadCredential(cred)
	}
	return credentialScope{
		accessKeyID: parts[0],
		date:        parts[1],
		region:      parts[2],
		service:     parts[3],
		terminal:    parts[4],
	}, nil
}

// checkScope reports every way the credential scope differs from what this
// endpoint expects, in one cumulative message as AWS does (each sentence
// ends with ". ", trailing space included). An empty region accepts any.
func checkScope(c credentialScope, region, service string, reqTime time.Time, rawDate string) *Error {
	var b strings.Builder
	if region != "" && c.region != region {
		b.WriteString("Credential should be scoped to a valid region, not '" + c.region + "'. ")
	}
	if c.service != service {
		b.WriteString("Credential should be scoped to correct service: '" + service + "'. ")
	}
	if c.terminal != scopeTerminal {
		b.WriteString("Credential should be scoped with a valid terminator: '" + scopeTerminal + "', not '" + c.terminal + "'. ")
	}
	if day := reqTime.Format(shortDate); c.date != day {
		b.WriteString("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			c.date + "' != '" + day + "', from '" + rawDate + "'. ")
	}
	if b.Len() == 0 {
		return nil
	}
	return &Error{Code: CodeInvalidSignature, Message: b.String()}
}
