package apigwv2

import (
	"strconv"
	"strings"
)

// HTTP API parameter mapping keys and values, as checked when an
// integration is written ("Transforming API requests and responses for
// HTTP APIs" in the API Gateway Developer Guide [D]).

// reservedHeaders cannot be mapped [D]; reservedHeaderPrefixes name the
// families of reserved headers.
var (
	reservedHeaders = []string{
		"authorization", "connection", "content-encoding", "content-length", "content-location",
		"forwarded", "keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te",
		"trailers", "transfer-encoding", "upgrade", "x-forwarded-for", "x-forwarded-host",
		"x-forwarded-proto", "via",
	}
	reservedHeaderPrefixes = []string{"access-control-", "apigw-", "x-amz-", "x-amzn-"}
)

// maxMappingValue is the longest mapping value [M].
const maxMappingValue = 512

func reservedHeader(name string) bool {
	n := strings.ToLower(name)
	if oneOf(n, reservedHeaders) {
		return true
	}
	for _, p := range reservedHeaderPrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// checkRequestMapping validates the requestParameters of an HTTP API
// integration: keys are append|overwrite|remove:header.{name},
// append|overwrite|remove:querystring.{name} or overwrite:path.
func checkRequestMapping(params map[string]string) error {
	for key, value := range params {
		action, target, ok := strings.Cut(key, ":")
		switch {
		case !ok || !oneOf(action, []string{"append", "overwrite", "remove"}):
			return errMappingKey(key)
		case target == "path":
			if action != "overwrite" {
				return errMappingKey(key)
			}
		case strings.HasPrefix(target, "header."):
			if err := checkMappedHeader(key, strings.TrimPrefix(target, "header.")); err != nil {
				return err
			}
		case strings.HasPrefix(target, "querystring."):
			if strings.TrimPrefix(target, "querystring.") == "" {
				return errMappingKey(key)
			}
		default:
			return errMappingKey(key)
		}
		if err := checkMappingValue(key, value, false); err != nil {
			return err
		}
	}
	return nil
}

// checkResponseMapping validates the responseParameters of an HTTP API
// integration: status codes 200-599 [M], each with
// append|overwrite|remove:header.{name} or overwrite:statuscode keys.
func checkResponseMapping(params map[string]map[string]string) error {
	for status, mappings := range params {
		if n, err := strconv.Atoi(status); err != nil || n < 200 || n > 599 || len(status) != 3 {
			return bad("Invalid response parameters status code specified: %s. The key must be an HTTP status code between 200 and 599", status) // [U]
		}
		for key, value := range mappings {
			action, target, ok := strings.Cut(key, ":")
			switch {
			case !ok || !oneOf(action, []string{"append", "overwrite", "remove"}):
				return errMappingKey(key)
			case target == "statuscode":
				if action != "overwrite" {
					return errMappingKey(key)
				}
				if !strings.Contains(value, "$") {
					if n, err := strconv.Atoi(value); err != nil || n < 100 || n > 599 {
						return bad("Invalid status code mapping value specified for %s: %s", key, value) // [U]
					}
				}
			case strings.HasPrefix(target, "header."):
				if err := checkMappedHeader(key, strings.TrimPrefix(target, "header.")); err != nil {
					return err
				}
			default:
				return errMappingKey(key)
			}
			if err := checkMappingValue(key, value, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func errMappingKey(key string) error {
	return bad("Invalid mapping expression specified: %s. A parameter mapping key is append:, overwrite: or remove: followed by header.{name}, querystring.{name} (requests), path (overwrite only, requests) or statuscode (overwrite only, responses)", key) // [U]
}

func checkMappedHeader(key, name string) error {
	if name == "" || strings.ContainsAny(name, " \t:") {
		return errMappingKey(key)
	}
	if reservedHeader(name) {
		return bad("Invalid mapping expression specified: %s. Header %s is reserved and cannot be mapped", key, name) // [D][U: text]
	}
	return nil
}

// checkMappingValue checks a mapping value's length and its references:
// requests read $request, $context and $stageVariables; responses read
// $response, $context and $stageVariables [D].
func checkMappingValue(key, value string, response bool) error {
	if value == "" || len(value) > maxMappingValue {
		return bad("Invalid mapping value specified for %s: values must be between 1 and %d characters long", key, maxMappingValue) // [U]
	}
	for _, ref := range mappingRefs(value) {
		src, rest, _ := strings.Cut(ref, ".")
		ok := false
		switch src {
		case "context", "stageVariables":
			ok = rest != ""
		case "request":
			ok = !response && (rest == "path" || hasSource(rest, "header.", "querystring.", "path.", "body"))
		case "response":
			ok = response && hasSource(rest, "header.", "body")
		}
		if !ok {
			return bad("Invalid mapping value specified for %s: %s", key, value) // [U]
		}
	}
	return nil
}

func hasSource(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) && (p == "body" || len(s) > len(p)) {
			return true
		}
	}
	return false
}

// mappingRefs returns the references in a mapping value, without their
// "$" and braces: "$request.header.x" and "${request.path.id}" give
// "request.header.x" and "request.path.id". A "$" not followed by a
// letter or "{" is static text.
func mappingRefs(v string) []string {
	var out []string
	for i := 0; i < len(v); i++ {
		if v[i] != '$' || i+1 >= len(v) {
			continue
		}
		if v[i+1] == '{' {
			end := strings.IndexByte(v[i:], '}')
			if end < 0 {
				out = append(out, v[i+2:])
				break
			}
			out = append(out, v[i+2:i+end])
			i += end
			continue
		}
		j := i + 1
		for j < len(v) && !strings.ContainsRune(" ,;/", rune(v[j])) {
			j++
		}
		if c := v[i+1]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			out = append(out, v[i+1:j])
		}
		i = j - 1
	}
	return out
}
