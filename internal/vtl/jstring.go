package vtl

import (
	"fmt"
	"unicode/utf16"
)

// isASCII reports whether s is all ASCII, where byte and UTF-16 offsets
// agree.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// jlen returns the Java (UTF-16) length of s.
func jlen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return len(utf16.Encode([]rune(s)))
}

// jsub returns the Java substring [b, e) of s, in UTF-16 units.
func jsub(s string, b, e int) (string, error) {
	n := jlen(s)
	if b < 0 || e > n || b > e {
		return "", fmt.Errorf("java.lang.StringIndexOutOfBoundsException: begin %d, end %d, length %d", b, e, n)
	}
	if isASCII(s) {
		return s[b:e], nil
	}
	u := utf16.Encode([]rune(s))
	return string(utf16.Decode(u[b:e])), nil
}

// jindex converts a byte offset in s to a UTF-16 index.
func jindex(s string, byteOff int) int {
	if byteOff < 0 || isASCII(s[:byteOff]) {
		return byteOff
	}
	return jlen(s[:byteOff])
}

// jbyte converts a UTF-16 index in s to a byte offset (clamped).
func jbyte(s string, idx int) int {
	if idx <= 0 {
		return 0
	}
	if isASCII(s) {
		return min(idx, len(s))
	}
	n := 0
	for i, r := range s {
		if n >= idx {
			return i
		}
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return len(s)
}
