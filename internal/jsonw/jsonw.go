// Package jsonw appends JSON text to byte slices: the building blocks of the
// hand-written encoders on the data plane's hot path (Lambda proxy events),
// where encoding/json's reflection would cost more than the event itself.
//
// Strings are escaped as JSON requires and no more: no HTML escaping, and
// U+2028/U+2029 are left as they are (API Gateway sends them raw). Bytes
// that are not valid UTF-8 become U+FFFD, so the output is always valid
// JSON.
package jsonw

import (
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// String appends s as a JSON string.
func String(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// Bytes appends b as a JSON string (b is text, not base64).
func Bytes(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = appendEscapedBytes(dst, b)
	return append(dst, '"')
}

// Escaped appends the escaped contents of s without the quotes, for
// strings assembled from several pieces.
func Escaped(dst []byte, s string) []byte { return appendEscaped(dst, s) }

// EscapedBytes is [Escaped] for a byte slice.
func EscapedBytes(dst, b []byte) []byte { return appendEscapedBytes(dst, b) }

// Key appends s as a JSON string followed by ':'.
func Key(dst []byte, s string) []byte { return append(String(dst, s), ':') }

// Int appends n.
func Int(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// Bool appends true or false.
func Bool(dst []byte, b bool) []byte { return strconv.AppendBool(dst, b) }

// StringOrNull appends s, or null when s is empty.
func StringOrNull(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return String(dst, s)
}

// safeASCII marks the bytes copied as they are: printable ASCII except '"'
// and '\\'. Bytes from 0x80 are checked as UTF-8.
var safeASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if safeASCII[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || n != 1 {
				i += n
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		i++
		start = i
	}
	return append(dst, s[start:]...)
}

func appendEscapedBytes(dst, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if safeASCII[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(s[i:])
			if r != utf8.RuneError || n != 1 {
				i += n
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		i++
		start = i
	}
	return append(dst, s[start:]...)
}

// appendEscape appends the escape of one byte that is not copied as is.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	}
	if c >= utf8.RuneSelf {
		return append(dst, `\ufffd`...)
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
