// Package transform implements AWS WAF's text transformations (the 21
// TextTransformationType values [M]) and the few more the CRS rules Tollgate
// runs use (removeWhitespace, removeCommentsChar), with the behaviour AWS
// documents ("Text transformation options", AWS WAF Developer Guide) and,
// where AWS says no more, ModSecurity's (which AWS's names follow and
// Coraza implements).
//
// A Func returns its input unchanged when there is nothing to transform,
// or writes the result into buf (reused between calls) and returns that:
// the common case allocates nothing.
package transform

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"unicode/utf8"
)

// Func transforms s, using buf as scratch space for the result.
type Func func(buf *[]byte, s []byte) []byte

// ByName maps AWS's transformation names, and the CRS names Tollgate's
// managed rules use, to their functions.
var ByName = map[string]Func{
	"NONE":                 None,
	"COMPRESS_WHITE_SPACE": CompressWhiteSpace,
	"HTML_ENTITY_DECODE":   HTMLEntityDecode,
	"LOWERCASE":            Lowercase,
	"CMD_LINE":             CmdLine,
	"URL_DECODE":           URLDecode,
	"BASE64_DECODE":        Base64Decode,
	"HEX_DECODE":           HexDecode,
	"MD5":                  MD5,
	"REPLACE_COMMENTS":     ReplaceComments,
	"ESCAPE_SEQ_DECODE":    EscapeSeqDecode,
	"SQL_HEX_DECODE":       SQLHexDecode,
	"CSS_DECODE":           CSSDecode,
	"JS_DECODE":            JSDecode,
	"NORMALIZE_PATH":       NormalizePath,
	"NORMALIZE_PATH_WIN":   NormalizePathWin,
	"REMOVE_NULLS":         RemoveNulls,
	"REPLACE_NULLS":        ReplaceNulls,
	"BASE64_DECODE_EXT":    Base64DecodeExt,
	"URL_DECODE_UNI":       URLDecodeUni,
	"UTF8_TO_UNICODE":      UTF8ToUnicode,

	// CRS (ModSecurity) names.
	"none":               None,
	"compressWhitespace": CompressWhiteSpace,
	"htmlEntityDecode":   HTMLEntityDecode,
	"lowercase":          Lowercase,
	"cmdLine":            CmdLine,
	"urlDecode":          URLDecode,
	"urlDecodeUni":       URLDecodeUni,
	"base64Decode":       Base64Decode,
	"base64DecodeExt":    Base64DecodeExt,
	"hexDecode":          HexDecode,
	"md5":                MD5,
	"replaceComments":    ReplaceComments,
	"escapeSeqDecode":    EscapeSeqDecode,
	"cssDecode":          CSSDecode,
	"jsDecode":           JSDecode,
	"normalizePath":      NormalizePath,
	"normalisePath":      NormalizePath,
	"normalizePathWin":   NormalizePathWin,
	"normalisePathWin":   NormalizePathWin,
	"removeNulls":        RemoveNulls,
	"replaceNulls":       ReplaceNulls,
	"utf8toUnicode":      UTF8ToUnicode,
	"removeWhitespace":   RemoveWhitespace,
	"removeCommentsChar": RemoveCommentsChar,
}

// Chain applies fs in order, alternating between the two scratch
// buffers so that no step writes over its own input.
func Chain(fs []Func, bufs *[2][]byte, s []byte) []byte {
	cur := -1 // the buffer holding s (-1: neither)
	for _, f := range fs {
		k := 0
		if cur == 0 {
			k = 1
		}
		r := f(&bufs[k], s)
		if len(r) == len(s) && (len(s) == 0 || &r[0] == &s[0]) {
			continue // unchanged
		}
		s, cur = r, k
	}
	return s
}

// out resets buf for a result of about n bytes and returns it.
func out(buf *[]byte, n int) []byte {
	if cap(*buf) < n {
		*buf = make([]byte, 0, n)
	}
	return (*buf)[:0]
}

// done stores the result in buf and returns it.
func done(buf *[]byte, b []byte) []byte {
	*buf = b
	return b
}

// None returns s.
func None(_ *[]byte, s []byte) []byte { return s }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xa0
}

// CompressWhiteSpace turns \f \t \n \r \v and NBSP into spaces and runs of
// spaces into one [D].
func CompressWhiteSpace(buf *[]byte, s []byte) []byte {
	need := false
	for i, c := range s {
		if isSpace(c) && (c != ' ' || (i+1 < len(s) && isSpace(s[i+1]))) {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	b := out(buf, len(s))
	space := false
	for _, c := range s {
		if isSpace(c) {
			if !space {
				b = append(b, ' ')
			}
			space = true
			continue
		}
		space = false
		b = append(b, c)
	}
	return done(buf, b)
}

// Lowercase maps A–Z to a–z.
func Lowercase(buf *[]byte, s []byte) []byte {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := append(out(buf, len(s)), s...)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return done(buf, b)
}

// CmdLine deletes \ " ' ^, deletes spaces before / and (, turns , and ;
// into spaces, collapses white space and lowercases [D].
func CmdLine(buf *[]byte, s []byte) []byte {
	b := out(buf, len(s))
	space := false
	for _, c := range s {
		switch {
		case c == '\\' || c == '"' || c == '\'' || c == '^':
			continue
		case isSpace(c) || c == ',' || c == ';':
			if !space {
				b = append(b, ' ')
				space = true
			}
			continue
		case c == '/' || c == '(':
			if space {
				b = b[:len(b)-1]
			}
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		space = false
		b = append(b, c)
	}
	return done(buf, b)
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func hex2(s []byte) (byte, bool) {
	if len(s) < 2 {
		return 0, false
	}
	h, ok1 := unhex(s[0])
	l, ok2 := unhex(s[1])
	return h<<4 | l, ok1 && ok2
}

// URLDecode decodes %XX escapes and '+' (ModSecurity's urlDecode);
// invalid escapes are kept as they are.
func URLDecode(buf *[]byte, s []byte) []byte {
	if bytes.IndexByte(s, '%') < 0 && bytes.IndexByte(s, '+') < 0 {
		return s
	}
	b := out(buf, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			if v, ok := hex2(s[i+1:]); ok {
				b = append(b, v)
				i += 2
				continue
			}
			b = append(b, c)
		case '+':
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return done(buf, b)
}

// URLDecodeUni is URLDecode that also decodes %uHHHH: full-width
// characters (U+FF01–U+FF5E) become their ASCII forms, others their low
// byte, as IIS and ModSecurity do [D].
func URLDecodeUni(buf *[]byte, s []byte) []byte {
	if bytes.IndexByte(s, '%') < 0 && bytes.IndexByte(s, '+') < 0 {
		return s
	}
	b := out(buf, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U'):
			hi, ok1 := hex2(s[i+2:])
			lo, ok2 := hex2(s[i+4:])
			if ok1 && ok2 {
				b = append(b, uniByte(rune(hi)<<8|rune(lo)))
				i += 5
				continue
			}
			b = append(b, c)
		case c == '%':
			if v, ok := hex2(s[i+1:]); ok {
				b = append(b, v)
				i += 2
				continue
			}
			b = append(b, c)
		case c == '+':
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return done(buf, b)
}

// uniByte maps a %u code point to one byte (see URLDecodeUni).
func uniByte(r rune) byte {
	if r >= 0xff01 && r <= 0xff5e {
		return byte(r - 0xfee0)
	}
	return byte(r)
}

// Base64Decode decodes base64 up to the first character that is not
// part of it (padding optional).
func Base64Decode(buf *[]byte, s []byte) []byte {
	n := 0
	for n < len(s) && isB64(s[n]) {
		n++
	}
	return b64(buf, s[:n])
}

// Base64DecodeExt decodes base64, skipping characters that are not part
// of it (the forgiving form) [D].
func Base64DecodeExt(buf *[]byte, s []byte) []byte {
	clean := make([]byte, 0, len(s))
	for _, c := range s {
		if isB64(c) {
			clean = append(clean, c)
		}
	}
	return b64(buf, clean)
}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

func b64(buf *[]byte, s []byte) []byte {
	s = bytes.TrimRight(s, "=")
	if len(s)%4 == 1 {
		s = s[:len(s)-1]
	}
	enc := base64.RawStdEncoding
	if bytes.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	b := out(buf, enc.DecodedLen(len(s)))[:enc.DecodedLen(len(s))]
	n, err := enc.Decode(b, s)
	if err != nil {
		if ce, ok := err.(base64.CorruptInputError); ok {
			n = int(ce) * 3 / 4
		}
	}
	return done(buf, b[:n])
}

// HexDecode decodes pairs of hex digits, up to the first pair that is
// not one.
func HexDecode(buf *[]byte, s []byte) []byte {
	b := out(buf, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		v, ok := hex2(s[i:])
		if !ok {
			break
		}
		b = append(b, v)
	}
	return done(buf, b)
}

// MD5 is the raw MD5 digest of s.
func MD5(buf *[]byte, s []byte) []byte {
	sum := md5.Sum(s)
	return done(buf, append(out(buf, md5.Size), sum[:]...))
}

// ReplaceComments replaces each C-style comment (an unterminated one
// too) by one space; a lone */ is kept [D].
func ReplaceComments(buf *[]byte, s []byte) []byte {
	if !bytes.Contains(s, []byte("/*")) {
		return s
	}
	b := out(buf, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '/' && i+1 < len(s) && s[i+1] == '*' {
			end := bytes.Index(s[i+2:], []byte("*/"))
			b = append(b, ' ')
			if end < 0 {
				break
			}
			i += 2 + end + 1
			continue
		}
		b = append(b, s[i])
	}
	return done(buf, b)
}

// RemoveCommentsChar removes the comment markers /* */ -- and # (CRS's
// removeCommentsChar).
func RemoveCommentsChar(buf *[]byte, s []byte) []byte {
	if !bytes.ContainsAny(s, "/*-#") {
		return s
	}
	b := out(buf, len(s))
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '/' && i+1 < len(s) && s[i+1] == '*', s[i] == '*' && i+1 < len(s) && s[i+1] == '/',
			s[i] == '-' && i+1 < len(s) && s[i+1] == '-':
			i++
		case s[i] == '#':
		default:
			b = append(b, s[i])
		}
	}
	return done(buf, b)
}

// RemoveWhitespace removes every white space character.
func RemoveWhitespace(buf *[]byte, s []byte) []byte {
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	b := out(buf, len(s))
	for _, c := range s {
		if !isSpace(c) {
			b = append(b, c)
		}
	}
	return done(buf, b)
}

// EscapeSeqDecode decodes ANSI C escapes: \a \b \f \n \r \t \v \\ \? \'
// \" \xHH \0OOO [D].
func EscapeSeqDecode(buf *[]byte, s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 {
		return s
	}
	b := out(buf, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		n := s[i+1]
		switch n {
		case 'a':
			b = append(b, 7)
		case 'b':
			b = append(b, 8)
		case 'f':
			b = append(b, 12)
		case 'n':
			b = append(b, 10)
		case 'r':
			b = append(b, 13)
		case 't':
			b = append(b, 9)
		case 'v':
			b = append(b, 11)
		case '\\', '?', '\'', '"':
			b = append(b, n)
		case 'x', 'X':
			if v, ok := hex2(s[i+2:]); ok {
				b = append(b, v)
				i += 3
				continue
			}
			b = append(b, c, n)
		default:
			if n >= '0' && n <= '7' {
				v, j := 0, i+1
				for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7' {
					v = v*8 + int(s[j]-'0')
					j++
				}
				b = append(b, byte(v))
				i = j - 1
				continue
			}
			b = append(b, c, n)
		}
		i++
	}
	return done(buf, b)
}

// SQLHexDecode decodes hex literals: 0x414243 becomes ABC [D].
func SQLHexDecode(buf *[]byte, s []byte) []byte {
	if !bytes.Contains(s, []byte("0x")) && !bytes.Contains(s, []byte("0X")) {
		return s
	}
	b := out(buf, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '0' && i+3 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') {
			if _, ok := hex2(s[i+2:]); ok {
				j := i + 2
				for j+1 < len(s) {
					v, ok := hex2(s[j:])
					if !ok {
						break
					}
					b = append(b, v)
					j += 2
				}
				i = j - 1
				continue
			}
		}
		b = append(b, s[i])
	}
	return done(buf, b)
}

// CSSDecode decodes CSS 2.x escapes: \ and 1–6 hex digits (and one white
// space after them), \ and a newline (removed), \ and any other
// character (that character).
func CSSDecode(buf *[]byte, s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 {
		return s
	}
	b := out(buf, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			if c != '\\' {
				b = append(b, c)
			}
			continue
		}
		j := i + 1
		var v rune
		for j < len(s) && j < i+7 {
			h, ok := unhex(s[j])
			if !ok {
				break
			}
			v = v<<4 | rune(h)
			j++
		}
		switch {
		case j > i+1:
			if v >= 0xff01 && v <= 0xff5e {
				v -= 0xfee0
			}
			b = append(b, byte(v))
			if j < len(s) && isSpace(s[j]) {
				j++
			}
			i = j - 1
		case s[i+1] == '\n':
			i++
		default:
			b = append(b, s[i+1])
			i++
		}
	}
	return done(buf, b)
}

// JSDecode decodes JavaScript escapes: \uHHHH (full-width characters to
// ASCII, others to their low byte), \xHH, \OOO, \a \b \f \n \r \t \v and
// \c for any other c.
func JSDecode(buf *[]byte, s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 {
		return s
	}
	b := out(buf, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		n := s[i+1]
		switch {
		case (n == 'u' || n == 'U') && i+5 < len(s):
			hi, ok1 := hex2(s[i+2:])
			lo, ok2 := hex2(s[i+4:])
			if ok1 && ok2 {
				b = append(b, uniByte(rune(hi)<<8|rune(lo)))
				i += 5
				continue
			}
			b = append(b, n)
		case n == 'x' || n == 'X':
			if v, ok := hex2(s[i+2:]); ok {
				b = append(b, v)
				i += 3
				continue
			}
			b = append(b, n)
		case n >= '0' && n <= '7':
			v, j := 0, i+1
			for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7' {
				v = v*8 + int(s[j]-'0')
				j++
			}
			b = append(b, byte(v))
			i = j - 1
			continue
		case n == 'a':
			b = append(b, 7)
		case n == 'b':
			b = append(b, 8)
		case n == 'f':
			b = append(b, 12)
		case n == 'n':
			b = append(b, 10)
		case n == 'r':
			b = append(b, 13)
		case n == 't':
			b = append(b, 9)
		case n == 'v':
			b = append(b, 11)
		default:
			b = append(b, n)
		}
		i++
	}
	return done(buf, b)
}

// NormalizePath removes repeated slashes, ./ segments and ../ segments
// with what they go back over (never past the start) [D].
func NormalizePath(buf *[]byte, s []byte) []byte {
	if !bytes.Contains(s, []byte("//")) && !bytes.Contains(s, []byte("./")) && !bytes.HasSuffix(s, []byte("/.")) && !bytes.HasSuffix(s, []byte("/..")) {
		return s
	}
	return done(buf, normalize(out(buf, len(s)), s))
}

// NormalizePathWin is NormalizePath after turning \ into /.
func NormalizePathWin(buf *[]byte, s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 {
		return NormalizePath(buf, s)
	}
	tmp := bytes.ReplaceAll(s, []byte{'\\'}, []byte{'/'})
	return done(buf, normalize(out(buf, len(tmp)), tmp))
}

func normalize(b, s []byte) []byte {
	abs := len(s) > 0 && s[0] == '/'
	trailing := len(s) > 0 && (s[len(s)-1] == '/' || bytes.HasSuffix(s, []byte("/.")) || bytes.HasSuffix(s, []byte("/..")))
	var segs [][]byte
	for _, seg := range bytes.Split(s, []byte{'/'}) {
		switch {
		case len(seg) == 0 || bytes.Equal(seg, []byte(".")):
		case bytes.Equal(seg, []byte("..")):
			if len(segs) > 0 && !bytes.Equal(segs[len(segs)-1], []byte("..")) {
				segs = segs[:len(segs)-1]
			} else if !abs {
				segs = append(segs, seg)
			}
		default:
			segs = append(segs, seg)
		}
	}
	if abs {
		b = append(b, '/')
	}
	for i, seg := range segs {
		if i > 0 {
			b = append(b, '/')
		}
		b = append(b, seg...)
	}
	if trailing && len(segs) > 0 {
		b = append(b, '/')
	}
	return b
}

// RemoveNulls drops NUL bytes.
func RemoveNulls(buf *[]byte, s []byte) []byte {
	if bytes.IndexByte(s, 0) < 0 {
		return s
	}
	b := out(buf, len(s))
	for _, c := range s {
		if c != 0 {
			b = append(b, c)
		}
	}
	return done(buf, b)
}

// ReplaceNulls turns NUL bytes into spaces.
func ReplaceNulls(buf *[]byte, s []byte) []byte {
	if bytes.IndexByte(s, 0) < 0 {
		return s
	}
	b := append(out(buf, len(s)), s...)
	for i, c := range b {
		if c == 0 {
			b[i] = ' '
		}
	}
	return done(buf, b)
}

// UTF8ToUnicode writes UTF-8 sequences as %uHHHH [D].
func UTF8ToUnicode(buf *[]byte, s []byte) []byte {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	const digits = "0123456789abcdef"
	b := append(out(buf, len(s)+8), s[:i]...)
	for i < len(s) {
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n <= 1 || r < utf8.RuneSelf {
			b = append(b, s[i])
			i++
			continue
		}
		b = append(b, '%', 'u', digits[r>>12&15], digits[r>>8&15], digits[r>>4&15], digits[r&15])
		i += n
	}
	return done(buf, b)
}

// HTMLEntityDecode decodes &#DDD; &#xHH; and the named entities &quot;
// &nbsp; &lt; &gt; &amp; [D] (code points above 255 as UTF-8).
func HTMLEntityDecode(buf *[]byte, s []byte) []byte {
	if bytes.IndexByte(s, '&') < 0 {
		return s
	}
	b := out(buf, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			b = append(b, s[i])
			continue
		}
		rest := s[i+1:]
		if len(rest) > 0 && rest[0] == '#' {
			j, v, hex := 1, rune(0), false
			if j < len(rest) && (rest[j] == 'x' || rest[j] == 'X') {
				hex = true
				j++
			}
			start := j
			for j < len(rest) && j < start+8 {
				c := rest[j]
				if hex {
					h, ok := unhex(c)
					if !ok {
						break
					}
					v = v<<4 | rune(h)
				} else {
					if c < '0' || c > '9' {
						break
					}
					v = v*10 + rune(c-'0')
				}
				j++
			}
			if j > start {
				if v < 256 {
					b = append(b, byte(v))
				} else {
					b = utf8.AppendRune(b, v)
				}
				if j < len(rest) && rest[j] == ';' {
					j++
				}
				i += j
				continue
			}
		}
		matched := false
		for _, e := range entities {
			if bytes.HasPrefix(rest, []byte(e.name)) {
				b = append(b, e.val...)
				i += len(e.name)
				if i+1 < len(s) && s[i+1] == ';' {
					i++
				}
				matched = true
				break
			}
		}
		if !matched {
			b = append(b, '&')
		}
	}
	return done(buf, b)
}

var entities = []struct{ name, val string }{
	{"quot", `"`}, {"nbsp", "\xa0"}, {"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"apos", "'"},
}
