package sqlite

// prefixEnd returns the smallest string greater than every string that has
// the given prefix, and false if there is none (the prefix is empty or all
// 0xff bytes). Keys with the prefix are exactly those in [prefix, end), which
// SQLite answers with a range scan of the primary key; LIKE would need
// escaping of '%' and '_' and cannot use the index with the BINARY collation.
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
