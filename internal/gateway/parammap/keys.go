package parammap

import (
	"strings"
)

// opKind is what a mapping does to its target.
type opKind uint8

// Operations, in the order they are applied to one target.
const (
	opRemove opKind = iota
	opOverwrite
	opAppend
)

func (o opKind) String() string {
	switch o {
	case opRemove:
		return "remove"
	case opOverwrite:
		return "overwrite"
	}
	return "append"
}

// targetKind is what a mapping changes.
type targetKind uint8

// Targets.
const (
	targetHeader targetKind = iota
	targetQuery
	targetPath
	targetStatus
)

// key is a parsed mapping key.
type key struct {
	op     opKind
	target targetKind
	name   string // header or query parameter name
}

// parseKey parses "append|overwrite|remove:header.{name}",
// "...:querystring.{name}" (request only), "overwrite:path" (request) and
// "overwrite:statuscode" (response).
func parseKey(s string, response bool) (key, bool) {
	opText, rest, ok := strings.Cut(s, ":")
	if !ok {
		return key{}, false
	}
	var k key
	switch opText {
	case "append":
		k.op = opAppend
	case "overwrite":
		k.op = opOverwrite
	case "remove":
		k.op = opRemove
	default:
		return key{}, false
	}
	switch {
	case strings.HasPrefix(rest, "header."):
		k.target, k.name = targetHeader, rest[len("header."):]
		return k, validHeaderName(k.name)
	case !response && strings.HasPrefix(rest, "querystring."):
		k.target, k.name = targetQuery, rest[len("querystring."):]
		return k, k.name != ""
	case !response && rest == "path":
		k.target = targetPath
		return k, k.op == opOverwrite
	case response && rest == "statuscode":
		k.target = targetStatus
		return k, k.op == opOverwrite
	}
	return key{}, false
}

// validHeaderName: an HTTP token (RFC 9110 tchar).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// reservedExact and reservedPrefixes are the headers no mapping may touch
// [D: "Reserved headers"], compared ignoring case.
var (
	reservedExact = []string{"authorization", "connection", "content-encoding", "content-length",
		"content-location", "forwarded", "keep-alive", "origin", "proxy-authenticate", "proxy-authorization",
		"te", "trailers", "transfer-encoding", "upgrade", "x-forwarded-for", "x-forwarded-host",
		"x-forwarded-proto", "via"}
	reservedPrefixes = []string{"access-control-", "apigw-", "x-amz-", "x-amzn-"}
)

// IsReservedHeader reports whether name is a header parameter mappings may
// not change.
func IsReservedHeader(name string) bool {
	for _, r := range reservedExact {
		if strings.EqualFold(name, r) {
			return true
		}
	}
	for _, p := range reservedPrefixes {
		if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) {
			return true
		}
	}
	return false
}
