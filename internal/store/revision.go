package store

import (
	"context"
	"fmt"
)

// RevisionChanges returns every change of revision rev. A follower of the
// change feed calls it on the first change of a revision that a Watcher
// delivers, applies the revision whole and skips the rest of its changes
// on the channel: so the revision it reports as applied is never half
// applied. It is one Changes call: a page starts with a whole revision,
// whatever its size. It fails with ErrCompacted if rev was compacted.
func RevisionChanges(ctx context.Context, s Store, rev int64) ([]Change, error) {
	if rev < 1 {
		return nil, fmt.Errorf("store: revision %d: not a committed revision", rev)
	}
	page, err := s.Changes(ctx, rev-1, 1)
	if err != nil {
		return nil, err
	}
	n := 0
	for n < len(page) && page[n].Revision == rev {
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("store: revision %d: no changes", rev)
	}
	return page[:n], nil
}
