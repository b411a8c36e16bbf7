package storeutil

import (
	"fmt"

	"github.com/tollgate/tollgate/internal/store"
)

// CheckChanges checks the arguments of store.Store.Changes; name
// prefixes the error.
func CheckChanges(name string, after int64, limit int) error {
	if after < 0 {
		return fmt.Errorf("%s: changes after %d: negative revision", name, after)
	}
	if limit < 0 {
		return fmt.Errorf("%s: changes after %d: negative limit %d", name, after, limit)
	}
	return nil
}

// Page reads a page of the change feed that holds whole revisions only
// (see store.Store.Changes): up to limit changes after after, or all of
// them if limit is 0, but the whole first revision if it alone has more
// than limit changes. read returns the changes after after in feed
// order, at most n of them (0: all); revision returns every change of
// revision rev. Both read the same snapshot, or fail if the feed was
// compacted in between.
func Page(after int64, limit int, read func(after int64, n int) ([]store.Change, error),
	revision func(rev int64) ([]store.Change, error)) ([]store.Change, error) {
	if limit == 0 {
		return read(after, 0)
	}
	// One row more than asked tells whether the last revision is complete.
	out, err := read(after, limit+1)
	if err != nil || len(out) <= limit {
		return out, err
	}
	last := out[limit].Revision
	out = out[:limit]
	for len(out) > 0 && out[len(out)-1].Revision == last {
		out = out[:len(out)-1]
	}
	if len(out) > 0 {
		return out, nil
	}
	// The first revision alone exceeds limit: return it whole.
	return revision(last)
}

// CompactTo reports whether an Update committing revision rev, over a
// feed compacted up to floor, should compact it so as to keep keep
// revisions (0: never), and the floor to raise it to. Compaction waits
// until the feed has grown a slack past keep, so that it runs once per
// slack commits and deletes slack revisions at a time.
func CompactTo(keep, rev, floor int64) (int64, bool) {
	return rev - keep, keep > 0 && rev-floor >= keep+max(keep/10, 1)
}
