package audit

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/store"
)

// Query is one LookupEvents page request.
type Query struct {
	// Attribute, when Key is set, keeps the events with that attribute
	// value (exact, case-sensitive).
	Attribute struct{ Key, Value string }
	// Start and End, when set, keep the events of those seconds (both
	// inclusive, at the records' one-second precision).
	Start, End *time.Time
	// Max is the page size (1–50).
	Max int
	// Token continues an earlier page of the same query.
	Token string
}

// Page is one page of events, newest first, and the token of the next
// page ("" on the last).
type Page struct {
	Events []Event
	Next   string
}

// ErrInvalidToken: a token this trail did not give for this query.
var ErrInvalidToken = errors.New("audit: invalid next token")

// Lookup returns a page of the events that match q.
func (t *Trail) Lookup(ctx context.Context, q Query) (Page, error) {
	page := Page{Events: []Event{}}
	if t.st == nil {
		return page, nil
	}
	prefix := prefixEvents
	if q.Attribute.Key != "" {
		prefix = indexPrefix(q.Attribute.Key, q.Attribute.Value)
	}
	after := ""
	if q.End != nil {
		// Events of second End and before: nanoseconds below the next second.
		upper := (q.End.Unix() + 1) * int64(time.Second)
		after = prefix + inverted(upper) + "0"
	}
	lower := int64(math.MinInt64)
	if q.Start != nil {
		sec := q.Start.Unix()
		if q.Start.Nanosecond() > 0 {
			sec++
		}
		lower = sec * int64(time.Second)
	}
	if q.Token != "" {
		k, err := decodeToken(q.Token, q.fingerprint())
		if err != nil || !strings.HasPrefix(k, prefix) || k < after {
			return page, ErrInvalidToken
		}
		after = k
	}
	if q.Max <= 0 {
		q.Max = 50
	}
	err := t.st.View(ctx, func(r store.Reader) error {
		items, err := r.List(ctx, prefix, store.ListOptions{After: after, Limit: q.Max + 1})
		if err != nil {
			return err
		}
		for i, it := range items {
			tail := it.Key[len(prefix):]
			nano, _, ok := parseTail(tail)
			if !ok || nano < lower {
				return nil
			}
			if i == q.Max {
				page.Next = encodeToken(items[i-1].Key, q.fingerprint())
				return nil
			}
			value := it.Value
			if prefix != prefixEvents {
				ev, err := r.Get(ctx, prefixEvents+tail)
				if errors.Is(err, store.ErrNotFound) {
					continue // swept meanwhile
				}
				if err != nil {
					return err
				}
				value = ev.Value
			}
			var ev Event
			if err := json.Unmarshal(value, &ev); err != nil {
				return err
			}
			page.Events = append(page.Events, ev)
		}
		return nil
	})
	return page, err
}

// parseTail reads "{inverted time}/{id}".
func parseTail(tail string) (int64, string, bool) {
	inv, id, ok := strings.Cut(tail, "/")
	if !ok || len(inv) != 19 {
		return 0, "", false
	}
	n, err := strconv.ParseInt(inv, 10, 64)
	if err != nil {
		return 0, "", false
	}
	return math.MaxInt64 - n, id, true
}

// fingerprint identifies the query's parameters other than the page size
// and token: a token is valid only for the query that produced it.
func (q Query) fingerprint() string {
	var b strings.Builder
	b.WriteString(q.Attribute.Key + "\x00" + q.Attribute.Value + "\x00")
	for _, t := range []*time.Time{q.Start, q.End} {
		if t != nil {
			b.WriteString(strconv.FormatInt(t.UnixNano(), 10))
		}
		b.WriteByte(0)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// Tokens are "{fingerprint}.{base64 of the last key of the page}".
func encodeToken(lastKey, fp string) string {
	return fp + "." + base64.RawURLEncoding.EncodeToString([]byte(lastKey))
}

func decodeToken(tok, fp string) (string, error) {
	got, key, ok := strings.Cut(tok, ".")
	if !ok || got != fp {
		return "", ErrInvalidToken
	}
	b, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil {
		return "", ErrInvalidToken
	}
	return string(b), nil
}
