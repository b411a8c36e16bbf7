package proxyevent

// collectQuery splits the raw query into decoded parameters in s.query.
// Pieces are separated by '&'; a piece without '=' is a parameter with an
// empty value; empty pieces are skipped. Keys and values are decoded
// ('+' is a space, %XX a byte); an invalid escape is kept as it is [U: AWS
// does not document malformed queries; keeping the text loses nothing].
func (s *scratch) collectQuery(raw string) {
	for len(raw) > 0 {
		piece := raw
		if i := indexByte(raw, '&'); i >= 0 {
			piece, raw = raw[:i], raw[i+1:]
		} else {
			raw = ""
		}
		if piece == "" {
			continue
		}
		key, value := piece, ""
		if i := indexByte(piece, '='); i >= 0 {
			key, value = piece[:i], piece[i+1:]
		}
		var e entry
		e.name = s.addDecoded(key)
		e.value = s.addDecoded(value)
		s.query = append(s.query, e)
	}
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// addDecoded appends the form-decoded text of v to buf.
func (s *scratch) addDecoded(v string) span {
	start := int32(len(s.buf))
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(v) && ishex(v[i+1]) && ishex(v[i+2]):
			c = unhex(v[i+1])<<4 | unhex(v[i+2])
			i += 2
		}
		s.buf = append(s.buf, c)
	}
	return span{start, int32(len(s.buf))}
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
