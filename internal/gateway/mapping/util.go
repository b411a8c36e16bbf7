package mapping

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/vtl"
)

// Util is $util. It has no state: one value serves every render.
type Util struct{}

// Property implements vtl.Object ($util has no properties).
func (Util) Property(string) (any, bool) { return nil, false }

// Method implements vtl.Object: escapeJavaScript, parseJson, urlEncode,
// urlDecode, base64Encode and base64Decode, each taking one argument. A
// null argument yields null.
func (Util) Method(name string, args []any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("$util.%s: %w", name, vtl.ErrNoSuchMethod)
	}
	if args[0] == nil {
		switch name {
		case "escapeJavaScript", "parseJson", "urlEncode", "urlDecode", "base64Encode", "base64Decode":
			return nil, nil
		}
	}
	s, ok := args[0].(string)
	if !ok {
		s = vtl.Stringify(args[0])
	}
	switch name {
	case "escapeJavaScript":
		return EscapeJavaScript(s), nil
	case "parseJson":
		v, err := ParseJSON([]byte(s))
		if err != nil {
			return nil, fmt.Errorf("$util.parseJson: %w", err)
		}
		return v, nil
	case "urlEncode":
		return URLEncode(s), nil
	case "urlDecode":
		v, err := url.QueryUnescape(s)
		if err != nil {
			return nil, fmt.Errorf("$util.urlDecode: %w", err)
		}
		return v, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "base64Decode":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("$util.base64Decode: %w", err)
		}
		return string(b), nil
	}
	return nil, fmt.Errorf("$util.%s: %w", name, vtl.ErrNoSuchMethod)
}

// EscapeJavaScript escapes s as Apache Commons Lang 2.6
// StringEscapeUtils.escapeJavaScript does, which API Gateway uses: ', ",
// \ and / get a backslash; \b \f \n \r \t their short escapes; other
// control characters and every character above U+007F become \uXXXX
// (upper-case hex, UTF-16 code units, so astral characters become a
// surrogate pair).
func EscapeJavaScript(s string) string {
	i := 0
	for i < len(s) && needsNoEscape(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	b = append(b, s[:i]...)
	for _, r := range s[i:] {
		switch {
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			b = appendU(appendU(b, hi), lo)
		case r > 0x7f:
			if r == utf8.RuneError {
				r = 0xfffd
			}
			b = appendU(b, r)
		case r < 32:
			switch r {
			case '\b':
				b = append(b, '\\', 'b')
			case '\n':
				b = append(b, '\\', 'n')
			case '\t':
				b = append(b, '\\', 't')
			case '\f':
				b = append(b, '\\', 'f')
			case '\r':
				b = append(b, '\\', 'r')
			default:
				b = appendU(b, r)
			}
		case r == '\'' || r == '"' || r == '\\' || r == '/':
			b = append(b, '\\', byte(r))
		default:
			b = append(b, byte(r))
		}
	}
	return string(b)
}

func needsNoEscape(c byte) bool {
	return c >= 32 && c <= 0x7f && c != '\'' && c != '"' && c != '\\' && c != '/'
}

const upperHex = "0123456789ABCDEF"

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', upperHex[r>>12&0xf], upperHex[r>>8&0xf], upperHex[r>>4&0xf], upperHex[r&0xf])
}

// URLEncode encodes s as java.net.URLEncoder.encode(s, "UTF-8"): letters,
// digits and . - * _ stay, space becomes +, every other byte %XX.
func URLEncode(s string) string {
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '.', c == '-', c == '*', c == '_':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&0xf])
		}
	}
	return string(b)
}
