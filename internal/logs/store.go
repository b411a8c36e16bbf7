package logs

import (
	"errors"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Errors the operations return; the Logs API maps them to AWS's.
var (
	ErrGroupNotFound  = errors.New("logs: log group not found")
	ErrStreamNotFound = errors.New("logs: log stream not found")
	ErrGroupExists    = errors.New("logs: log group exists")
	ErrStreamExists   = errors.New("logs: log stream exists")
	ErrInvalidToken   = errors.New("logs: invalid token")
	ErrClosed         = errors.New("logs: closed")
)

// Config configures a Store.
type Config struct {
	// Dir keeps the segment files; empty keeps events in memory only.
	Dir string
	// MaxBytes bounds the stored events (message bytes plus 26 per event,
	// CloudWatch's own measure); 0 means DefaultMaxBytes.
	MaxBytes int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// DefaultMaxBytes is the default bound of stored events.
const DefaultMaxBytes = 64 << 20

// segmentBytes is the size at which a group starts a new segment;
// eventOverhead what each event counts besides its message
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
const (
	segmentBytes  = 1 << 20
	eventOverhead = 26
)

// Store holds log groups, streams and events (see the package doc).
type Store struct {
	dir      string
	maxBytes int64
	now      func() time.Time
	log      *slog.Logger

	mu     sync.RWMutex
	groups map[string]*group
	bytes  int64
	seq    uint64
	closed bool
	// lineBuf is the scratch buffer segment lines are written from.
	lineBuf []byte

	stop chan struct{}
	done chan struct{}
}

type group struct {
	name      string
	created   int64
	retention int // days; 0 keeps events until they are evicted
	tags      map[string]string
	streams   map[string]*stream
	segs      []*segment
	bytes     int64
	dir       string // "" in memory
}

type stream struct {
	name    string
	created int64
	// inc tells this stream from an earlier one of the same name: journal
	// lines of a deleted stream are not replayed into a new one.
	inc                     uint64
	first, last, lastIngest int64
	events                  int
}

// Event is one stored log event.
type Event struct {
	Stream    string
	Timestamp int64 // ms
	Ingestion int64 // ms
	Message   string
	Seq       uint64
	inc       uint64
}

// Input is an event to store.
type Input struct {
	Timestamp int64
	Message   string
}

func (e Event) size() int64 { return int64(len(e.Message)) + eventOverhead }

// Open loads the groups kept in cfg.Dir (creating it) and starts the
// flusher and the retention sweeper; Close stops them.
func Open(cfg Config) (*Store, error) {
	s := &Store{dir: cfg.Dir, maxBytes: cfg.MaxBytes, now: cfg.Now, log: cfg.Log, groups: map[string]*group{},
		stop: make(chan struct{}), done: make(chan struct{})}
	if s.maxBytes <= 0 {
		s.maxBytes = DefaultMaxBytes
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.dir != "" {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return nil, err
		}
		if err := s.load(); err != nil {
			return nil, err
		}
		s.evict()
	}
	go s.background()
	return s, nil
}

// Close writes what is buffered and closes the files.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	var err error
	for _, g := range s.groups {
		for _, sg := range g.segs {
			err = errors.Join(err, sg.close())
		}
	}
	s.mu.Unlock()
	<-s.done
	return err
}

func (s *Store) nowMS() int64 { return s.now().UnixMilli() }

// background flushes segment files every flushInterval and sweeps
// retention every sweepInterval.
func (s *Store) background() {
	defer close(s.done)
	flush := time.NewTicker(flushInterval)
	defer flush.Stop()
	sweep := time.NewTicker(sweepInterval)
	defer sweep.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-flush.C:
			s.flush()
		case <-sweep.C:
			s.Sweep()
		}
	}
}

const (
	flushInterval = 200 * time.Millisecond
	sweepInterval = time.Minute
)

func (s *Store) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.groups {
		if n := len(g.segs); n > 0 {
			if err := g.segs[n-1].flush(); err != nil {
				s.log.Warn("log segment write failed", "group", g.name, "err", err)
			}
		}
	}
}

// GroupInfo describes a log group.
type GroupInfo struct {
	Name            string
	CreationTime    int64
	RetentionInDays int
	StoredBytes     int64
	Tags            map[string]string
}

// StreamInfo describes a log stream; the event times are 0 while it has
// no events.
type StreamInfo struct {
	Name                              string
	CreationTime                      int64
	FirstEvent, LastEvent, LastIngest int64
}

// CreateGroup creates a log group.
func (s *Store) CreateGroup(name string, tags map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.groups[name] != nil {
		return ErrGroupExists
	}
	g := s.newGroup(name)
	g.tags = tags
	return s.saveMeta(g)
}

func (s *Store) newGroup(name string) *group {
	g := &group{name: name, created: s.nowMS(), streams: map[string]*stream{}}
	if s.dir != "" {
		g.dir = groupDir(s.dir, name)
	}
	s.groups[name] = g
	return g
}

// DeleteGroup deletes a group and its events.
func (s *Store) DeleteGroup(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[name]
	if g == nil {
		return ErrGroupNotFound
	}
	for _, sg := range g.segs {
		_ = sg.close()
	}
	s.bytes -= g.bytes
	delete(s.groups, name)
	if g.dir != "" {
		return os.RemoveAll(g.dir)
	}
	return nil
}

// SetRetention sets (days > 0) or removes (0) a group's retention.
func (s *Store) SetRetention(name string, days int) error {
	s.mu.Lock()
	g := s.groups[name]
	if g == nil {
		s.mu.Unlock()
		return ErrGroupNotFound
	}
	g.retention = days
	err := s.saveMeta(g)
	s.mu.Unlock()
	if err == nil && days > 0 {
		s.Sweep()
	}
	return err
}

// Tag merges tags into a group's; Untag removes keys; Tags reads them.
func (s *Store) Tag(name string, tags map[string]string, remove []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[name]
	if g == nil {
		return ErrGroupNotFound
	}
	if g.tags == nil {
		g.tags = map[string]string{}
	}
	for k, v := range tags {
		g.tags[k] = v
	}
	for _, k := range remove {
		delete(g.tags, k)
	}
	return s.saveMeta(g)
}

// Group describes one group.
func (s *Store) Group(name string) (GroupInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.groups[name]
	if g == nil {
		return GroupInfo{}, ErrGroupNotFound
	}
	return g.info(), nil
}

func (g *group) info() GroupInfo {
	tags := make(map[string]string, len(g.tags))
	for k, v := range g.tags {
		tags[k] = v
	}
	return GroupInfo{Name: g.name, CreationTime: g.created, RetentionInDays: g.retention, StoredBytes: g.bytes, Tags: tags}
}

// Groups lists the groups whose names have prefix (or contain pattern),
// in name order, after the name after, at most limit of them; more
// reports whether others follow.
func (s *Store) Groups(prefix, pattern, after string, limit int) (out []GroupInfo, more bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.groups))
	for n := range s.groups {
		if strings.HasPrefix(n, prefix) && strings.Contains(n, pattern) && n > after {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) > limit {
		names, more = names[:limit], true
	}
	for _, n := range names {
		out = append(out, s.groups[n].info())
	}
	return out, more
}

// CreateStream creates a stream in a group.
func (s *Store) CreateStream(groupName, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupName]
	if g == nil {
		return ErrGroupNotFound
	}
	if g.streams[name] != nil {
		return ErrStreamExists
	}
	s.newStream(g, name)
	return s.saveMeta(g)
}

func (s *Store) newStream(g *group, name string) *stream {
	s.seq++
	st := &stream{name: name, created: s.nowMS(), inc: s.seq}
	g.streams[name] = st
	return st
}

// DeleteStream deletes a stream and its events.
func (s *Store) DeleteStream(groupName, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupName]
	if g == nil {
		return ErrGroupNotFound
	}
	if g.streams[name] == nil {
		return ErrStreamNotFound
	}
	delete(g.streams, name)
	for _, sg := range g.segs {
		kept := sg.events[:0]
		for _, e := range sg.events {
			if e.Stream == name {
				sg.bytes -= e.size()
				g.bytes -= e.size()
				s.bytes -= e.size()
				continue
			}
			kept = append(kept, e)
		}
		sg.events = kept
		sg.span()
	}
	return s.saveMeta(g)
}

// StreamOrder is how Streams sorts.
type StreamOrder int

const (
	// ByName sorts by stream name.
	ByName StreamOrder = iota
	// ByLastEvent sorts by the time of the stream's last event.
	ByLastEvent
)

// Streams lists a group's streams with names having prefix, sorted by
// order (descending when desc), starting at index from (a position in
// that order), at most limit of them; next is the index that follows,
// -1 at the end.
func (s *Store) Streams(groupName, prefix string, order StreamOrder, desc bool, from, limit int) ([]StreamInfo, int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.groups[groupName]
	if g == nil {
		return nil, -1, ErrGroupNotFound
	}
	var all []StreamInfo
	for _, st := range g.streams {
		if strings.HasPrefix(st.name, prefix) {
			all = append(all, StreamInfo{Name: st.name, CreationTime: st.created, FirstEvent: st.first, LastEvent: st.last, LastIngest: st.lastIngest})
		}
	}
	less := func(a, b StreamInfo) bool { return a.Name < b.Name }
	if order == ByLastEvent {
		less = func(a, b StreamInfo) bool {
			if a.LastEvent != b.LastEvent {
				return a.LastEvent < b.LastEvent
			}
			return a.Name < b.Name
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if desc {
			return less(all[j], all[i])
		}
		return less(all[i], all[j])
	})
	if from > len(all) {
		from = len(all)
	}
	page := all[from:]
	next := -1
	if len(page) > limit {
		page, next = page[:limit], from+limit
	}
	return page, next, nil
}

// HasStream reports whether a group has a stream.
func (s *Store) HasStream(groupName, name string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.groups[groupName]
	if g == nil {
		return ErrGroupNotFound
	}
	if g.streams[name] == nil {
		return ErrStreamNotFound
	}
	return nil
}
