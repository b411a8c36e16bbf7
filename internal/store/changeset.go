package store

// ChangeSet collects the change feed entries of one transaction as Store
// implementations must write them (see Change): one per key written,
// carrying the last op applied to it, in the order of each key's first
// write. The zero value is not usable; see NewChangeSet.
type ChangeSet struct {
	rev   int64
	list  []Change
	index map[string]int // key -> position in list
}

// NewChangeSet returns an empty set for a transaction committing as rev.
func NewChangeSet(rev int64) *ChangeSet { return &ChangeSet{rev: rev} }

// Record notes that the transaction applied op to key.
func (c *ChangeSet) Record(key string, op Op) {
	if i, ok := c.index[key]; ok {
		c.list[i].Op = op
		return
	}
	if c.index == nil {
		c.index = make(map[string]int)
	}
	c.index[key] = len(c.list)
	c.list = append(c.list, Change{Revision: c.rev, Op: op, Key: key})
}

// Changes returns the recorded changes, in feed order. The slice is the
// set's own.
func (c *ChangeSet) Changes() []Change { return c.list }

// PrefixEnd returns the smallest string greater than every string that
// has the given prefix, comparing byte-wise, and false if there is none
// (the prefix is empty or all 0xff bytes). Keys with the prefix are
// exactly those in [prefix, end): a range scan of an ordered index, where
// LIKE would need escaping of '%' and '_'. The end need not be valid
// UTF-8, so implementations compare keys as bytes.
func PrefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
