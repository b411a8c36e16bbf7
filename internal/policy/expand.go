package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// shorthandPrefix starts the resource shorthand REST API resource policies
// accept: "execute-api:/{stage}/{VERB}/{path}".
const shorthandPrefix = "execute-api:/"

// Partition returns the AWS partition of region: "aws-cn" for cn-*,
// "aws-us-gov" for us-gov-*, "aws-iso" for us-iso-*, "aws-iso-b" for
// us-isob-*, else "aws".
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// ExecuteAPIARN returns the execute-api ARN of one method invocation, as
// API Gateway builds the methodArn and the resource of resource-policy
// checks: arn:aws:execute-api:{region}:{account}:{apiID}/{stage}/{verb}/{path}
// where path is the resource path without its leading "/" (so the root
// resource gives ".../{verb}/").
func ExecuteAPIARN(region, account, apiID, stage, verb, path string) string {
	return "arn:" + Partition(region) + ":execute-api:" + region + ":" + account + ":" +
		apiID + "/" + stage + "/" + verb + "/" + strings.TrimPrefix(path, "/")
}

// ExpandExecuteAPI rewrites the shorthand resources API Gateway accepts in
// REST API resource policies, "execute-api:/{stage}/{VERB}/{path}" (and
// "execute-api:/*"), into
// "arn:aws:execute-api:{region}:{account}:{apiID}/{stage}/{VERB}/{path}", in
// both Resource and NotResource (string or list), and returns the rewritten
// JSON document. API Gateway stores the expanded form when a policy is
// saved.
//
// The output is compact JSON; member order and every other value are kept
// as they were. Errors wrap [ErrInvalid]: malformed JSON, a document or
// statement that is not an object, a Statement that is neither an object
// nor an array, a Resource/NotResource that is neither a string nor an
// array of strings. The document is not otherwise validated; use [Parse].
func ExpandExecuteAPI(doc []byte, region, account, apiID string) ([]byte, error) {
	prefix := "arn:" + Partition(region) + ":execute-api:" + region + ":" + account + ":" + apiID
	top, err := decodeMembers(doc)
	if err != nil {
		return nil, invalid("%v", err)
	}
	for i := range top {
		if top[i].key != "Statement" {
			continue
		}
		v, err := expandStatements(top[i].val, prefix)
		if err != nil {
			return nil, invalid("Statement: %v", err)
		}
		top[i].val = v
	}
	return encodeMembers(top)
}

func expandStatements(raw json.RawMessage, prefix string) (json.RawMessage, error) {
	switch firstByte(raw) {
	case '{':
		return expandStatement(raw, prefix)
	case '[':
	default:
		return nil, errors.New("must be an object or an array of objects")
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, e := range elems {
		v, err := expandStatement(e, prefix)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %v", i, err)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(v)
	}
	buf.WriteByte(']')
	return buf.Bytes(), nil
}

func expandStatement(raw json.RawMessage, prefix string) (json.RawMessage, error) {
	members, err := decodeMembers(raw)
	if err != nil {
		return nil, err
	}
	for i := range members {
		if k := members[i].key; k != "Resource" && k != "NotResource" {
			continue
		}
		v, err := expandResources(members[i].val, prefix)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", members[i].key, err)
		}
		members[i].val = v
	}
	return encodeMembers(members)
}

func expandResources(raw json.RawMessage, prefix string) (json.RawMessage, error) {
	if firstByte(raw) == '"' {
		s, err := jsonString(raw)
		if err != nil {
			return nil, err
		}
		return marshalString(expandResource(s, prefix))
	}
	if firstByte(raw) != '[' {
		return nil, errors.New("must be a string or an array of strings")
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errors.New("must be a string or an array of strings")
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, s := range list {
		if i > 0 {
			buf.WriteByte(',')
		}
		b, err := marshalString(expandResource(s, prefix))
		if err != nil {
			return nil, err
		}
		buf.Write(b)
	}
	buf.WriteByte(']')
	return buf.Bytes(), nil
}

// expandResource expands one shorthand resource; other values are returned
// unchanged.
func expandResource(s, prefix string) string {
	if rest, ok := strings.CutPrefix(s, shorthandPrefix); ok {
		return prefix + "/" + rest
	}
	return s
}

// member is one member of a JSON object, in document order.
type member struct {
	key string
	val json.RawMessage
}

// decodeMembers decodes a JSON object keeping member order.
func decodeMembers(raw []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("malformed JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("expected a JSON object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("malformed JSON: %v", err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("malformed JSON: object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("malformed JSON: %v", err)
		}
		out = append(out, member{key: key, val: v})
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, fmt.Errorf("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("malformed JSON: data after the top-level value")
	}
	return out, nil
}

// encodeMembers encodes members as a compact JSON object.
func encodeMembers(members []member) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := marshalString(m.key)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		if err := json.Compact(&buf, m.val); err != nil {
			return nil, invalid("malformed JSON: %v", err)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshalString encodes s as a JSON string without HTML escaping.
func marshalString(s string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
