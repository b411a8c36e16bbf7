package parammap

import (
	"strings"
)

// Op is what a mapping does to its target.
type Op uint8

// Operations, in the order they are applied to one target.
const (
	Remove Op = iota
	Overwrite
	Append
)

func (o Op) String() string {
	switch o {
	case Remove:
		return "remove"
	case Overwrite:
		return "overwrite"
	}
	return "append"
}

// Target is what a mapping changes.
type Target uint8

// Targets.
const (
	TargetHeader Target = iota
	TargetQuery
	TargetPath
	TargetStatus
)

// key is a parsed mapping key.
type key struct {
	op     Op
	target Target
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
		k.op = Append
	case "overwrite":
		k.op = Overwrite
	case "remove":
		k.op = Remove
	default:
		return key{}, false
	}
	switch {
	case strings.HasPrefix(rest, "header."):
		k.target, k.name = TargetHeader, rest[len("header."):]
		return k, validHeaderName(k.name)
	case !response && strings.HasPrefix(rest, "querystring."):
		k.target, k.name = TargetQuery, rest[len("querystring."):]
		return k, k.name != ""
	case !response && rest == "path":
		k.target = TargetPath
		return k, k.op == Overwrite
	case response && rest == "statuscode":
		k.target = TargetStatus
		return k, k.op == Overwrite
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
