package sigv4

import (
	"net/http"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
)

// splitSignedHeaders splits the SignedHeaders parameter into lower-case
// header names.
func splitSignedHeaders(s string) []string {
	names := strings.Split(s, ";")
	for i, n := range names {
		names[i] = strings.ToLower(n)
	}
	return names
}

// canonicalHeaderBlocks returns the canonical headers block candidates for
// the signed header names, in the order the client listed them (the spec
// requires that list to be sorted, and the signed-headers line is taken
// verbatim from the client): "name:value\n" per header, repeated headers
// joined with ','. Values are trimmed and inner runs of spaces collapsed, as
// the spec and aws-sdk-go-v2 do; when a value also holds tabs, a second
// block collapses every run of whitespace to one space, as botocore (AWS
// CLI) and curl do. Go keeps some headers outside r.Header: "host" comes
// from r.Host, "content-length" from r.ContentLength and
// "transfer-encoding" from r.TransferEncoding when absent from the map.
func canonicalHeaderBlocks(r *http.Request, names []string) []string {
	var spaces, blanks strings.Builder
	for _, name := range names {
		spaces.WriteString(name)
		spaces.WriteByte(':')
		blanks.WriteString(name)
		blanks.WriteByte(':')
		for i, v := range rawHeaderValues(r, name) {
			if i > 0 {
				spaces.WriteByte(',')
				blanks.WriteByte(',')
			}
			spaces.WriteString(collapseSpaces(v))
			blanks.WriteString(collapseWhitespace(v))
		}
		spaces.WriteByte('\n')
		blanks.WriteByte('\n')
	}
	if spaces.Len() == blanks.Len() && spaces.String() == blanks.String() {
		return []string{spaces.String()}
	}
	return []string{spaces.String(), blanks.String()}
}

// rawHeaderValues returns the values of the lower-case header name as
// received, in order.
func rawHeaderValues(r *http.Request, name string) []string {
	if name == "host" {
		host := r.Host
		if host == "" && r.URL != nil {
			host = r.URL.Host
		}
		return []string{host}
	}
	values := headerValues(r.Header, name)
	if len(values) > 0 {
		return values
	}
	switch name {
	case "content-length":
		if r.ContentLength > 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
	}
	return nil
}

// headerValues returns the values of the header with the given lower-case
// name. Keys that Go could not canonicalise are matched case-insensitively,
// in sorted key order so the result is deterministic.
func headerValues(h http.Header, name string) []string {
	key := textproto.CanonicalMIMEHeaderKey(name)
	values := h[key]
	var extra []string
	for k := range h {
		if k != key && strings.EqualFold(k, name) {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return values
	}
	sort.Strings(extra)
	all := append([]string(nil), values...)
	for _, k := range extra {
		all = append(all, h[k]...)
	}
	return all
}

// collapseSpaces trims surrounding whitespace and collapses inner runs of
// spaces to one (aws-sdk-go-v2's StripExcessSpaces + TrimSpace).
func collapseSpaces(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return v
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b = append(b, v[i])
	}
	return string(b)
}

// collapseWhitespace joins the whitespace-separated fields of v with single
// spaces (botocore's ' '.join(value.split()); curl does the same for tabs).
func collapseWhitespace(v string) string {
	if !strings.ContainsAny(v, "\t\v\f\r\n") {
		return collapseSpaces(v)
	}
	return strings.Join(strings.Fields(v), " ")
}
