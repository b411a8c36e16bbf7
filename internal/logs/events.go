package logs

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PutLogEvents' time bounds
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html):
// events more than 2 hours ahead or 14 days old are rejected one by one.
const (
	maxAhead = 2 * time.Hour
	maxAge   = 14 * 24 * time.Hour
)

// Rejected says which events of a Put were refused, as indexes
// (-1: none): the first too new, the last too old, the last older than
// the group's retention.
type Rejected struct {
	TooNewStart, TooOldEnd, ExpiredEnd int
}

// Any reports whether any event was refused.
func (r Rejected) Any() bool { return r.TooNewStart >= 0 || r.TooOldEnd >= 0 || r.ExpiredEnd >= 0 }

// Put stores events (in chronological order) in an existing stream, as
// PutLogEvents does.
func (s *Store) Put(groupName, streamName string, events []Input) (Rejected, error) {
	rej := Rejected{TooNewStart: -1, TooOldEnd: -1, ExpiredEnd: -1}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return rej, ErrClosed
	}
	g := s.groups[groupName]
	if g == nil {
		return rej, ErrGroupNotFound
	}
	st := g.streams[streamName]
	if st == nil {
		return rej, ErrStreamNotFound
	}
	now := s.now()
	ahead, old := now.Add(maxAhead).UnixMilli(), now.Add(-maxAge).UnixMilli()
	expired := int64(-1 << 62)
	if g.retention > 0 {
		expired = now.UnixMilli() - int64(g.retention)*24*3600*1000
	}
	var keep []Input
	for i, e := range events {
		switch {
		case e.Timestamp > ahead:
			if rej.TooNewStart < 0 {
				rej.TooNewStart = i
			}
		case e.Timestamp < expired:
			rej.ExpiredEnd = i
		case e.Timestamp < old:
			rej.TooOldEnd = i
		default:
			keep = append(keep, e)
		}
	}
	return rej, s.append(g, st, keep, now.UnixMilli())
}

// append stores events in st. The caller holds s.mu.
func (s *Store) append(g *group, st *stream, events []Input, ingestion int64) error {
	var err error
	for _, in := range events {
		s.seq++
		e := Event{Stream: st.name, Timestamp: in.Timestamp, Ingestion: ingestion, Message: in.Message, Seq: s.seq, inc: st.inc}
		sg, aerr := s.active(g, e.Seq)
		if aerr != nil {
			// The file could not be opened: keep the event in memory.
			err = aerr
			sg = &segment{id: e.Seq}
			sg.span()
			g.segs = append(g.segs, sg)
		}
		if werr := sg.write(e, &s.lineBuf); werr != nil && err == nil {
			err = werr
		}
		sg.add(e)
		st.note(e)
		g.bytes += e.size()
		s.bytes += e.size()
	}
	s.evict()
	if err != nil {
		s.log.Warn("log events kept in memory only", "group", g.name, "err", err)
	}
	return nil
}

// Entry is an event the gateway writes (Writer): its group and stream
// are created when missing.
type Entry struct {
	Group, Stream string
	Input
}

// Append stores the gateway's own events, creating groups and streams as
// needed (as API Gateway and Lambda do for theirs).
func (s *Store) Append(entries []Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	now := s.nowMS()
	for i := 0; i < len(entries); {
		j := i + 1
		for j < len(entries) && entries[j].Group == entries[i].Group && entries[j].Stream == entries[i].Stream {
			j++
		}
		g := s.groups[entries[i].Group]
		if g == nil {
			g = s.newGroup(entries[i].Group)
		}
		st := g.streams[entries[i].Stream]
		if st == nil {
			st = s.newStream(g, entries[i].Stream)
			if err := s.saveMeta(g); err != nil {
				s.log.Warn("log group metadata not saved", "group", g.name, "err", err)
			}
		}
		batch := make([]Input, 0, j-i)
		for _, e := range entries[i:j] {
			batch = append(batch, e.Input)
		}
		_ = s.append(g, st, batch, now)
		i = j
	}
}

// pos is an event's place in a time-ordered listing: timestamp, then
// ingestion sequence.
type pos struct {
	ts  int64
	seq uint64
}

func (p pos) less(q pos) bool { return p.ts < q.ts || p.ts == q.ts && p.seq < q.seq }

func posOf(e Event) pos { return pos{e.Timestamp, e.Seq} }

// String is the position as 56 digits: CloudWatch's event ids and
// GetLogEvents tokens have that form [D: "f/<56 digits>"].
func (p pos) String() string { return fmt.Sprintf("%020d%036d", p.ts, p.seq) }

func parsePos(s string) (pos, bool) {
	if len(s) != 56 || strings.Trim(s, "0123456789") != "" {
		return pos{}, false
	}
	ts, err1 := strconv.ParseInt(s[:20], 10, 64)
	seq, err2 := strconv.ParseUint(s[20:], 10, 64)
	return pos{ts, seq}, err1 == nil && err2 == nil
}

// EventID is an event's id: stable across calls, unique in its group.
func (e Event) EventID() string { return posOf(e).String() }

// collect returns g's events that keep accepts with timestamps in
// [from, to], sorted by position. The caller holds s.mu.
func (g *group) collect(from, to int64, retentionCutoff int64, keep func(*Event) bool) []Event {
	from = max(from, retentionCutoff)
	var out []Event
	for _, sg := range g.segs {
		if len(sg.events) == 0 || sg.maxTs < from || sg.minTs > to {
			continue
		}
		for i := range sg.events {
			e := &sg.events[i]
			if e.Timestamp >= from && e.Timestamp <= to && keep(e) {
				out = append(out, *e)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return posOf(out[i]).less(posOf(out[j])) })
	return out
}

func (s *Store) cutoff(g *group) int64 {
	if g.retention <= 0 {
		return -1 << 62
	}
	return s.nowMS() - int64(g.retention)*24*3600*1000
}

// GetQuery is a GetLogEvents request.
type GetQuery struct {
	Group, Stream string
	// Start (inclusive) and End (exclusive) bound timestamps; nil: open.
	Start, End *int64
	Token      string
	Limit      int
	FromHead   bool
	// MaxBytes bounds the page's messages (1 MB [M]).
	MaxBytes int
}

// GetPage is a GetLogEvents answer.
type GetPage struct {
	Events                []Event
	NextForward, NextBack string
}

// Get reads a page of one stream's events, as GetLogEvents: tokens "f/…"
// continue after the last event returned, "b/…" before the first; at the
// end of the stream the token passed in comes back unchanged.
func (s *Store) Get(q GetQuery) (GetPage, error) {
	var page GetPage
	dir, at := byte(0), pos{}
	if q.Token != "" {
		var ok bool
		if len(q.Token) < 2 || (q.Token[0] != 'f' && q.Token[0] != 'b') || q.Token[1] != '/' {
			return page, ErrInvalidToken
		}
		dir = q.Token[0]
		if at, ok = parsePos(q.Token[2:]); !ok {
			return page, ErrInvalidToken
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.groups[q.Group]
	if g == nil {
		return page, ErrGroupNotFound
	}
	if g.streams[q.Stream] == nil {
		return page, ErrStreamNotFound
	}
	from, to := int64(-1<<62), int64(1<<62)
	if q.Start != nil {
		from = *q.Start
	}
	if q.End != nil {
		to = *q.End - 1
	}
	all := g.collect(from, to, s.cutoff(g), func(e *Event) bool { return e.Stream == q.Stream })
	var sel []Event
	switch dir {
	case 'f':
		i := sort.Search(len(all), func(i int) bool { return at.less(posOf(all[i])) })
		sel = head(all[i:], q.Limit, q.MaxBytes)
	case 'b':
		i := sort.Search(len(all), func(i int) bool { return !posOf(all[i]).less(at) })
		sel = tail(all[:i], q.Limit, q.MaxBytes)
	default:
		if q.FromHead {
			sel = head(all, q.Limit, q.MaxBytes)
		} else {
			sel = tail(all, q.Limit, q.MaxBytes)
		}
	}
	page.Events = sel
	switch {
	case len(sel) > 0:
		page.NextForward = "f/" + posOf(sel[len(sel)-1]).String()
		page.NextBack = "b/" + posOf(sel[0]).String()
	case q.Token != "":
		page.NextForward, page.NextBack = q.Token, q.Token
	default:
		// An empty stream: forward from the beginning of time, back from
		// there too.
		page.NextForward, page.NextBack = "f/"+pos{}.String(), "b/"+pos{}.String()
	}
	return page, nil
}

// head returns the first events of all within limit and maxBytes.
func head(all []Event, limit, maxBytes int) []Event {
	n, size := 0, 0
	for n < len(all) && n < limit {
		size += len(all[n].Message) + eventOverhead
		if maxBytes > 0 && size > maxBytes && n > 0 {
			break
		}
		n++
	}
	return all[:n]
}

// tail returns the last events of all within limit and maxBytes.
func tail(all []Event, limit, maxBytes int) []Event {
	n, size := 0, 0
	for n < len(all) && n < limit {
		size += len(all[len(all)-1-n].Message) + eventOverhead
		if maxBytes > 0 && size > maxBytes && n > 0 {
			break
		}
		n++
	}
	return all[len(all)-n:]
}

// FilterQuery is a FilterLogEvents request.
type FilterQuery struct {
	Group string
	// Streams, when set, are the streams searched; Prefix, when set, the
	// prefix of their names.
	Streams []string
	Prefix  string
	// Start and End bound timestamps, both inclusive; nil: open.
	Start, End *int64
	Pattern    *Pattern
	// PatternText is the pattern as given (tokens are bound to it).
	PatternText string
	Token       string
	Limit       int
	MaxBytes    int
	// Descending lists the newest first (startFromHead false).
	Descending bool
}

// FilterPage is a FilterLogEvents answer: Next is "" on the last page.
type FilterPage struct {
	Events []Event
	Next   string
}

// Filter searches a group's streams, as FilterLogEvents: events in time
// order (then ingestion order), each page's token continuing after its
// last event and valid only for the same query.
func (s *Store) Filter(q FilterQuery) (FilterPage, error) {
	var page FilterPage
	fp := q.fingerprint()
	var after *pos
	if q.Token != "" {
		p, ok := decodeFilterToken(q.Token, fp)
		if !ok {
			return page, ErrInvalidToken
		}
		after = &p
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.groups[q.Group]
	if g == nil {
		return page, ErrGroupNotFound
	}
	from, to := int64(-1<<62), int64(1<<62)
	if q.Start != nil {
		from = *q.Start
	}
	if q.End != nil {
		to = *q.End
	}
	var names map[string]bool
	if len(q.Streams) > 0 {
		names = make(map[string]bool, len(q.Streams))
		for _, n := range q.Streams {
			names[n] = true
		}
	}
	all := g.collect(from, to, s.cutoff(g), func(e *Event) bool {
		if names != nil && !names[e.Stream] || !strings.HasPrefix(e.Stream, q.Prefix) {
			return false
		}
		if after != nil && (q.Descending && !posOf(*e).less(*after) || !q.Descending && !after.less(posOf(*e))) {
			return false
		}
		return q.Pattern.Match(e.Message)
	})
	if q.Descending {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	page.Events = head(all, q.Limit, q.MaxBytes)
	if len(page.Events) < len(all) {
		page.Next = encodeFilterToken(posOf(page.Events[len(page.Events)-1]), fp)
	}
	return page, nil
}

// fingerprint identifies a query's parameters other than its page size
// and token.
func (q FilterQuery) fingerprint() string {
	var b strings.Builder
	b.WriteString(q.Group + "\x00" + strings.Join(q.Streams, "\x01") + "\x00" + q.Prefix + "\x00" + q.PatternText + "\x00")
	for _, t := range []*int64{q.Start, q.End} {
		if t != nil {
			b.WriteString(strconv.FormatInt(*t, 10))
		}
		b.WriteByte(0)
	}
	if q.Descending {
		b.WriteByte('d')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

func encodeFilterToken(p pos, fp string) string {
	return fp + "." + base64.RawURLEncoding.EncodeToString([]byte(p.String()))
}

func decodeFilterToken(tok, fp string) (pos, bool) {
	got, rest, ok := strings.Cut(tok, ".")
	if !ok || got != fp {
		return pos{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return pos{}, false
	}
	return parsePos(string(b))
}
