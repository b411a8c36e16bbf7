package restjson

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/tollgate/tollgate/internal/awserr"
)

// Page limits of apigateway list operations.
const (
	DefaultLimit = 25
	MaxLimit     = 500
)

// List is the apigateway collection envelope: {"item": [...], "position": "..."}.
type List[T any] struct {
	Item     []T    `json:"item"`
	Position string `json:"position,omitempty"`
}

// pageLimit returns the page size a list operation's `limit` query
// parameter asks for: DefaultLimit when absent. A value that is not an
// integer is refused [U: AWS's text]. AWS answers limit=-1 with 200 and a
// page [V: recorded, testdata/recorded/
// test_apigateway_extended__test_negative_get_usage_plan_api_keys.json,
// GetApiKeys on an empty account], so values below 1 are served, as pages
// of one item [U: the size AWS serves]; AWS documents a maximum of 500, and
// larger values are served as 500 [U].
func pageLimit(r *Request) (int, error) {
	s, ok := r.Query("limit")
	if !ok {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, awserr.BadRequest("Invalid limit specified: %s", s)
	}
	return min(max(n, 1), MaxLimit), nil
}

// cursor marks a page boundary: I is the index the next page starts at, K
// the key of the item before it (the last one served) and N the key of the
// item at I (the first one not yet served).
type cursor struct {
	I int    `json:"i"`
	K string `json:"k"`
	N string `json:"n,omitempty"`
}

// Paginate returns the page of items (already in list order) selected by
// the request's `limit` and `position` query parameters. key gives each
// item's stable identity so that a page boundary survives deletions.
func Paginate[T any](r *Request, items []T, key func(T) string) (List[T], error) {
	limit, err := pageLimit(r)
	if err != nil {
		return List[T]{}, err
	}
	tok, _ := r.Query("position")
	page, next, ok := cut(items, key, limit, tok)
	if !ok {
		return List[T]{}, awserr.BadRequest("Invalid position parameter")
	}
	return List[T]{Item: page, Position: next}, nil
}

// Page limits of apigatewayv2 list operations [U]: AWS documents neither.
const (
	DefaultMaxResults = 100
	MaxMaxResults     = 500
)

// Items is the apigatewayv2 collection envelope: {"items": [...], "nextToken": "..."}.
type Items[T any] struct {
	Items     []T    `json:"items"`
	NextToken string `json:"nextToken,omitempty"`
}

// PaginateItems is Paginate for apigatewayv2: the page is selected by the
// `maxResults` and `nextToken` query parameters.
func PaginateItems[T any](r *Request, items []T, key func(T) string) (Items[T], error) {
	limit := DefaultMaxResults
	if s, ok := r.Query("maxResults"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			// [U] AWS's text for a malformed maxResults.
			return Items[T]{}, awserr.BadRequest("Invalid maxResults specified: %s", s)
		}
		limit = min(n, MaxMaxResults)
	}
	tok, _ := r.Query("nextToken")
	page, next, ok := cut(items, key, limit, tok)
	if !ok {
		return Items[T]{}, awserr.BadRequest("Invalid nextToken specified") // [U]
	}
	return Items[T]{Items: page, NextToken: next}, nil
}

// cut returns at most limit items resuming after the page boundary token
// (empty: from the start), and the token of the next page (empty: none).
// ok is false for a malformed token.
func cut[T any](items []T, key func(T) string, limit int, token string) (page []T, next string, ok bool) {
	start := 0
	if token != "" {
		c, err := decodeCursor(token)
		if err != nil {
			return nil, "", false
		}
		start = resume(items, key, c)
	}
	end := min(start+limit, len(items))
	page = append([]T{}, items[start:end]...)
	if end < len(items) {
		next = encodeCursor(cursor{I: end, K: key(items[end-1]), N: key(items[end])})
	}
	return page, next, true
}

// resume finds where the page after cursor c starts: right after the last
// item served; if that item is gone (a client deleting what it lists, page
// by page), at the first item not yet served; if both are gone, at the old
// index.
func resume[T any](items []T, key func(T) string, c cursor) int {
	if c.I >= 1 && c.I <= len(items) && key(items[c.I-1]) == c.K {
		return c.I
	}
	for i, it := range items {
		if key(it) == c.K {
			return i + 1
		}
	}
	if c.N != "" {
		for i, it := range items {
			if key(it) == c.N {
				return i
			}
		}
	}
	return min(max(c.I, 0), len(items))
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(b, &c)
	return c, err
}

// Cut is the page boundary logic Paginate and PaginateItems share, for
// services that carry limit and token in their bodies (the AWS JSON
// ones): at most limit items resuming after token ("" for the first
// page), the next page's token ("" when none), and ok false for a
// malformed token.
func Cut[T any](items []T, key func(T) string, limit int, token string) (page []T, next string, ok bool) {
	return cut(items, key, limit, token)
}
