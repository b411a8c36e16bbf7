package logs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)} }

func open(t *testing.T, cfg Config) *Store {
	t.Helper()
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func messages(evs []Event) string {
	var m []string
	for _, e := range evs {
		m = append(m, e.Message)
	}
	return strings.Join(m, ",")
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// TestGroupsAndStreams: create, describe (prefix, pattern, pages), tag,
// delete, and the not-found / exists errors.
func TestGroupsAndStreams(t *testing.T) {
	s := open(t, Config{})
	for _, n := range []string{"b", "a/x", "a/y", "c"} {
		if err := s.CreateGroup(n, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateGroup("a/x", nil); !errors.Is(err, ErrGroupExists) {
		t.Errorf("second CreateGroup: %v", err)
	}
	gs, more := s.Groups("a/", "", "", 50)
	if len(gs) != 2 || gs[0].Name != "a/x" || gs[1].Name != "a/y" || more {
		t.Errorf("prefix a/: %+v %v", gs, more)
	}
	gs, more = s.Groups("", "", "", 2)
	if len(gs) != 2 || gs[1].Name != "a/y" || !more {
		t.Errorf("first page: %+v %v", gs, more)
	}
	gs, more = s.Groups("", "", "a/y", 2)
	if len(gs) != 2 || gs[0].Name != "b" || more {
		t.Errorf("second page: %+v %v", gs, more)
	}
	if gs, _ = s.Groups("", "/", "", 50); len(gs) != 2 {
		t.Errorf("pattern /: %+v", gs)
	}
	if err := s.CreateStream("nope", "s"); !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("stream in a missing group: %v", err)
	}
	for _, n := range []string{"s2", "s1", "t1"} {
		if err := s.CreateStream("b", n); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateStream("b", "s1"); !errors.Is(err, ErrStreamExists) {
		t.Errorf("second CreateStream: %v", err)
	}
	st, next, _ := s.Streams("b", "s", ByName, false, 0, 1)
	if len(st) != 1 || st[0].Name != "s1" || next != 1 {
		t.Errorf("streams s, first page: %+v %d", st, next)
	}
	st, next, _ = s.Streams("b", "s", ByName, false, next, 1)
	if len(st) != 1 || st[0].Name != "s2" || next != -1 {
		t.Errorf("streams s, second page: %+v %d", st, next)
	}
	now := time.Now()
	_, _ = s.Put("b", "t1", []Input{{ms(now.Add(-2 * time.Minute)), "x"}})
	_, _ = s.Put("b", "s1", []Input{{ms(now.Add(-time.Minute)), "y"}})
	st, _, _ = s.Streams("b", "", ByLastEvent, true, 0, 50)
	if len(st) != 3 || st[0].Name != "s1" || st[1].Name != "t1" || st[0].LastEvent != ms(now.Add(-time.Minute)) {
		t.Errorf("by last event, descending: %+v", st)
	}
	if err := s.Tag("b", map[string]string{"team": "edge", "x": "1"}, []string{"x"}); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Group("b"); g.Tags["team"] != "edge" || len(g.Tags) != 1 || g.StoredBytes != 2*(1+eventOverhead) {
		t.Errorf("group b: %+v", g)
	}
	if err := s.DeleteStream("b", "s1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteStream("b", "s1"); !errors.Is(err, ErrStreamNotFound) {
		t.Errorf("second DeleteStream: %v", err)
	}
	if g, _ := s.Group("b"); g.StoredBytes != 1+eventOverhead {
		t.Errorf("bytes after DeleteStream: %d", g.StoredBytes)
	}
	if err := s.DeleteGroup("b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Group("b"); !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("deleted group: %v", err)
	}
}

// TestGetTokens: GetLogEvents reads the latest page by default, the first
// with FromHead, follows f/ and b/ tokens, and gives back the token it was
// passed at the end of the stream.
func TestGetTokens(t *testing.T) {
	c := newClock()
	s := open(t, Config{Now: c.now})
	_ = s.CreateGroup("g", nil)
	_ = s.CreateStream("g", "s")
	_ = s.CreateStream("g", "other")
	base := c.now().Add(-time.Hour)
	var in []Input
	for i := 0; i < 5; i++ {
		in = append(in, Input{ms(base.Add(time.Duration(i) * time.Second)), fmt.Sprint("m", i)})
	}
	if rej, err := s.Put("g", "s", in); err != nil || rej.Any() {
		t.Fatal(rej, err)
	}
	_, _ = s.Put("g", "other", []Input{{ms(base), "not mine"}})
	get := func(q GetQuery) GetPage {
		t.Helper()
		q.Group, q.Stream = "g", "s"
		if q.Limit == 0 {
			q.Limit = 2
		}
		p, err := s.Get(q)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	latest := get(GetQuery{})
	if messages(latest.Events) != "m3,m4" {
		t.Errorf("latest: %s", messages(latest.Events))
	}
	back := get(GetQuery{Token: latest.NextBack})
	if messages(back.Events) != "m1,m2" {
		t.Errorf("back: %s", messages(back.Events))
	}
	if b := get(GetQuery{Token: get(GetQuery{Token: back.NextBack}).NextBack}); len(b.Events) != 0 || b.NextBack == "" {
		t.Errorf("before the first: %+v", b)
	}
	first := get(GetQuery{FromHead: true})
	if messages(first.Events) != "m0,m1" {
		t.Errorf("from head: %s", messages(first.Events))
	}
	fwd := get(GetQuery{Token: first.NextForward, Limit: 10})
	if messages(fwd.Events) != "m2,m3,m4" {
		t.Errorf("forward: %s", messages(fwd.Events))
	}
	end := get(GetQuery{Token: fwd.NextForward})
	if len(end.Events) != 0 || end.NextForward != fwd.NextForward || end.NextBack != fwd.NextForward {
		t.Errorf("at the end: %+v, want the token back", end)
	}
	_, _ = s.Put("g", "s", []Input{{ms(base.Add(10 * time.Second)), "m5"}})
	if more := get(GetQuery{Token: fwd.NextForward}); messages(more.Events) != "m5" {
		t.Errorf("after a new event: %s", messages(more.Events))
	}
	start, end2 := ms(base.Add(time.Second)), ms(base.Add(3*time.Second))
	if r := get(GetQuery{Start: &start, End: &end2, FromHead: true, Limit: 10}); messages(r.Events) != "m1,m2" {
		t.Errorf("start inclusive, end exclusive: %s", messages(r.Events))
	}
	if r := get(GetQuery{Limit: 10, MaxBytes: 2 * (2 + eventOverhead)}); messages(r.Events) != "m4,m5" {
		t.Errorf("byte-bounded page: %s", messages(r.Events))
	}
	for _, bad := range []string{"x", "f/12", "z/" + pos{}.String(), "f/" + strings.Repeat("9", 55) + "x"} {
		if _, err := s.Get(GetQuery{Group: "g", Stream: "s", Token: bad, Limit: 1}); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	if _, err := s.Get(GetQuery{Group: "g", Stream: "nope", Limit: 1}); !errors.Is(err, ErrStreamNotFound) {
		t.Errorf("missing stream: %v", err)
	}
}

// TestFilter: events of every stream in time order with stable ids,
// pages with distinct tokens bound to their query, stream selection,
// patterns, inclusive time bounds and the newest-first order.
func TestFilter(t *testing.T) {
	c := newClock()
	s := open(t, Config{Now: c.now})
	_ = s.CreateGroup("g", nil)
	_ = s.CreateStream("g", "a")
	_ = s.CreateStream("g", "b")
	base := c.now().Add(-time.Hour)
	at := func(sec int) int64 { return ms(base.Add(time.Duration(sec) * time.Second)) }
	_, _ = s.Put("g", "a", []Input{{at(1), "a1 ERROR"}, {at(3), "a3"}, {at(5), "a5 ERROR"}})
	_, _ = s.Put("g", "b", []Input{{at(2), "b2"}, {at(3), "b3 ERROR"}, {at(4), "b4"}})
	all, err := s.Filter(FilterQuery{Group: "g", Limit: 100})
	if err != nil || messages(all.Events) != "a1 ERROR,b2,a3,b3 ERROR,b4,a5 ERROR" || all.Next != "" {
		t.Fatalf("all: %s %q %v", messages(all.Events), all.Next, err)
	}
	again, _ := s.Filter(FilterQuery{Group: "g", Limit: 100})
	for i := range all.Events {
		if all.Events[i].EventID() != again.Events[i].EventID() || len(all.Events[i].EventID()) != 56 {
			t.Errorf("event id %d: %s then %s", i, all.Events[i].EventID(), again.Events[i].EventID())
		}
	}
	var got []string
	tokens := map[string]bool{}
	q := FilterQuery{Group: "g", Limit: 2}
	for {
		p, err := s.Filter(q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, messages(p.Events))
		if p.Next == "" {
			break
		}
		if tokens[p.Next] {
			t.Fatalf("token %q twice", p.Next)
		}
		tokens[p.Next] = true
		q.Token = p.Next
	}
	if strings.Join(got, "|") != "a1 ERROR,b2|a3,b3 ERROR|b4,a5 ERROR" {
		t.Errorf("pages: %v", got)
	}
	if _, err := s.Filter(FilterQuery{Group: "g", Limit: 2, Token: q.Token, Prefix: "a"}); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("a token with another query: %v", err)
	}
	pat, _ := Compile("ERROR")
	start, end := at(3), at(5)
	for _, c := range []struct {
		q    FilterQuery
		want string
	}{
		{FilterQuery{Streams: []string{"b"}}, "b2,b3 ERROR,b4"},
		{FilterQuery{Prefix: "a"}, "a1 ERROR,a3,a5 ERROR"},
		{FilterQuery{Pattern: pat, PatternText: "ERROR"}, "a1 ERROR,b3 ERROR,a5 ERROR"},
		{FilterQuery{Start: &start}, "a3,b3 ERROR,b4,a5 ERROR"},
		{FilterQuery{Start: &start, End: &end}, "a3,b3 ERROR,b4,a5 ERROR"},
		{FilterQuery{End: &start, Descending: true}, "b3 ERROR,a3,b2,a1 ERROR"},
	} {
		c.q.Group, c.q.Limit = "g", 100
		if p, _ := s.Filter(c.q); messages(p.Events) != c.want {
			t.Errorf("%+v: %s, want %s", c.q, messages(p.Events), c.want)
		}
	}
}

// TestPutRejects: events too far ahead, too old or past the retention are
// refused one by one, the others stored.
func TestPutRejects(t *testing.T) {
	c := newClock()
	s := open(t, Config{Now: c.now})
	_ = s.CreateGroup("g", nil)
	_ = s.CreateStream("g", "s")
	_ = s.SetRetention("g", 1)
	now := c.now()
	rej, err := s.Put("g", "s", []Input{
		{ms(now.Add(-15 * 24 * time.Hour)), "too old"}, {ms(now.Add(-2 * 24 * time.Hour)), "expired"},
		{ms(now.Add(-time.Minute)), "ok"}, {ms(now.Add(3 * time.Hour)), "too new"},
	})
	if err != nil || rej != (Rejected{TooNewStart: 3, TooOldEnd: -1, ExpiredEnd: 1}) {
		t.Errorf("rejected %+v %v", rej, err)
	}
	p, _ := s.Filter(FilterQuery{Group: "g", Limit: 10})
	if messages(p.Events) != "ok" {
		t.Errorf("stored: %s", messages(p.Events))
	}
	if _, err := s.Put("g", "nope", nil); !errors.Is(err, ErrStreamNotFound) {
		t.Errorf("missing stream: %v", err)
	}
}

// TestRetentionAndEviction: retention drops whole segments of old events
// and hides old events at once; the size bound drops the oldest segments
// of any group.
func TestRetentionAndEviction(t *testing.T) {
	c := newClock()
	s := open(t, Config{Now: c.now, MaxBytes: 3 * segmentBytes})
	_ = s.CreateGroup("g", nil)
	_ = s.CreateStream("g", "s")
	msg := strings.Repeat("x", 1000)
	put := func(n int, at time.Time) {
		batch := make([]Input, n)
		for i := range batch {
			batch[i] = Input{ms(at), msg}
		}
		if _, err := s.Put("g", "s", batch); err != nil {
			t.Fatal(err)
		}
	}
	put(1100, c.now().Add(-3*24*time.Hour)) // about one segment, 3 days old
	put(1100, c.now().Add(-time.Hour))
	if g, _ := s.Group("g"); len(s.groups["g"].segs) < 2 || g.StoredBytes == 0 {
		t.Fatalf("segments: %d", len(s.groups["g"].segs))
	}
	_ = s.SetRetention("g", 2)
	p, _ := s.Filter(FilterQuery{Group: "g", Limit: 10000, End: ptr(ms(c.now().Add(-2 * 24 * time.Hour)))})
	if len(p.Events) != 0 {
		t.Errorf("%d events past the retention", len(p.Events))
	}
	before := s.groups["g"].bytes
	if before > 2*segmentBytes {
		t.Errorf("the expired segment was kept: %d bytes", before)
	}
	// Over the size bound: the oldest segments go.
	_ = s.CreateGroup("h", nil)
	_ = s.CreateStream("h", "s")
	for i := 0; i < 4; i++ {
		batch := make([]Input, 1100)
		for j := range batch {
			batch[j] = Input{ms(c.now()), msg}
		}
		_, _ = s.Put("h", "s", batch)
	}
	if s.bytes > s.maxBytes {
		t.Errorf("stored %d bytes, bound %d", s.bytes, s.maxBytes)
	}
	if len(s.groups["g"].segs) != 0 {
		t.Errorf("group g's older segments survived eviction: %d", len(s.groups["g"].segs))
	}
}

func ptr[T any](v T) *T { return &v }

// TestPersistence: groups, streams, retention, tags and events survive a
// reopen, with the same event ids; a deleted stream's events do not come
// back in a new stream of that name; files are private.
func TestPersistence(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	c := newClock()
	s, err := Open(Config{Dir: dir, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.CreateGroup("/aws/lambda/f", map[string]string{"k": "v"})
	_ = s.CreateStream("/aws/lambda/f", "2026/12/07/[$LATEST]abc")
	_ = s.CreateStream("/aws/lambda/f", "gone")
	_ = s.SetRetention("/aws/lambda/f", 7)
	now := ms(c.now())
	_, _ = s.Put("/aws/lambda/f", "2026/12/07/[$LATEST]abc", []Input{{now - 2, "one"}, {now - 1, "two"}})
	_, _ = s.Put("/aws/lambda/f", "gone", []Input{{now, "old life"}})
	_ = s.DeleteStream("/aws/lambda/f", "gone")
	_ = s.CreateStream("/aws/lambda/f", "gone")
	s.Append([]Entry{{Group: "auto", Stream: "s", Input: Input{now, "created on write"}}})
	before, _ := s.Filter(FilterQuery{Group: "/aws/lambda/f", Limit: 10})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, Config{Dir: dir, Now: c.now})
	g, err := s2.Group("/aws/lambda/f")
	if err != nil || g.RetentionInDays != 7 || g.Tags["k"] != "v" {
		t.Fatalf("group after reopen: %+v %v", g, err)
	}
	after, _ := s2.Filter(FilterQuery{Group: "/aws/lambda/f", Limit: 10})
	if messages(after.Events) != "one,two" || after.Events[1].EventID() != before.Events[1].EventID() {
		t.Errorf("events after reopen: %s (ids %v / %v)", messages(after.Events), after.Events, before.Events)
	}
	if err := s2.HasStream("/aws/lambda/f", "gone"); err != nil {
		t.Errorf("recreated stream: %v", err)
	}
	if p, _ := s2.Filter(FilterQuery{Group: "auto", Limit: 10}); messages(p.Events) != "created on write" {
		t.Errorf("appended group: %s", messages(p.Events))
	}
	// New events continue the sequence: ids stay unique.
	_, _ = s2.Put("/aws/lambda/f", "gone", []Input{{now, "new life"}})
	p, _ := s2.Filter(FilterQuery{Group: "/aws/lambda/f", Limit: 10})
	ids := map[string]bool{}
	for _, e := range p.Events {
		if ids[e.EventID()] {
			t.Errorf("duplicate id %s", e.EventID())
		}
		ids[e.EventID()] = true
	}
	_ = filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v", path, fi.Mode().Perm())
		}
		return nil
	})
	if err := s2.DeleteGroup("auto"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(groupDir(dir, "auto")); !os.IsNotExist(err) {
		t.Errorf("deleted group's directory: %v", err)
	}
}

// TestWriter: Write never blocks; what it queues is stored, in groups
// and streams it creates; a full queue drops and counts.
func TestWriter(t *testing.T) {
	s := open(t, Config{})
	w := NewWriter(s)
	for i := 0; i < 100; i++ {
		if !w.Write(Entry{Group: "API-Gateway-Execution-Logs_a/dev", Stream: "x", Input: Input{int64(i), fmt.Sprint(i)}}) {
			t.Fatal("dropped with room in the queue")
		}
	}
	w.Close()
	p, _ := s.Filter(FilterQuery{Group: "API-Gateway-Execution-Logs_a/dev", Limit: 1000})
	if len(p.Events) != 100 || w.Dropped() != 0 {
		t.Errorf("stored %d, dropped %d", len(p.Events), w.Dropped())
	}
	if w.Write(Entry{Group: "g", Stream: "s"}) || w.Dropped() != 1 {
		t.Errorf("a write after Close: dropped %d", w.Dropped())
	}
	full := &Writer{store: s, queue: make(chan Entry, 1), stop: make(chan struct{}), done: make(chan struct{})}
	full.Write(Entry{})
	if full.Write(Entry{}) || full.Dropped() != 1 {
		t.Errorf("a full queue: dropped %d", full.Dropped())
	}
}
