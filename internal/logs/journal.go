package logs

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/jsonw"
)

// segment is a run of a group's events in ingestion order, mirrored by a
// file of JSON lines when the store has a directory.
type segment struct {
	id           uint64
	events       []Event
	minTs, maxTs int64
	bytes        int64
	path         string
	f            *os.File
	w            *bufio.Writer
}

// line is one event in a segment file.
type line struct {
	Stream    string `json:"s"`
	Inc       uint64 `json:"c"`
	Timestamp int64  `json:"t"`
	Ingestion int64  `json:"i"`
	Seq       uint64 `json:"n"`
	Message   string `json:"m"`
}

// meta is a group's group.json.
type meta struct {
	Name            string            `json:"name"`
	CreationTime    int64             `json:"creationTime"`
	RetentionInDays int               `json:"retentionInDays,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	Streams         []streamMeta      `json:"streams"`
}

type streamMeta struct {
	Name         string `json:"name"`
	CreationTime int64  `json:"creationTime"`
	Inc          uint64 `json:"inc"`
}

// groupDir is where a group's files live: its name in hex (names hold
// "/" and "#").
func groupDir(root, name string) string { return filepath.Join(root, hex.EncodeToString([]byte(name))) }

// span recomputes the segment's time span.
func (sg *segment) span() {
	sg.minTs, sg.maxTs = math.MaxInt64, math.MinInt64
	for _, e := range sg.events {
		sg.minTs = min(sg.minTs, e.Timestamp)
		sg.maxTs = max(sg.maxTs, e.Timestamp)
	}
}

func (sg *segment) add(e Event) {
	if len(sg.events) == 0 {
		sg.minTs, sg.maxTs = e.Timestamp, e.Timestamp
	}
	sg.events = append(sg.events, e)
	sg.minTs = min(sg.minTs, e.Timestamp)
	sg.maxTs = max(sg.maxTs, e.Timestamp)
	sg.bytes += e.size()
}

func (sg *segment) flush() error {
	if sg.w == nil {
		return nil
	}
	return sg.w.Flush()
}

func (sg *segment) close() error {
	if sg.f == nil {
		return nil
	}
	err := errors.Join(sg.w.Flush(), sg.f.Close())
	sg.f, sg.w = nil, nil
	return err
}

// remove closes and deletes the segment's file.
func (sg *segment) remove() {
	_ = sg.close()
	if sg.path != "" {
		_ = os.Remove(sg.path)
	}
}

// active returns the segment new events of g go to, starting one when
// the last is full (or gone).
func (s *Store) active(g *group, id uint64) (*segment, error) {
	if n := len(g.segs); n > 0 && g.segs[n-1].bytes < segmentBytes && (g.dir == "" || g.segs[n-1].f != nil) {
		return g.segs[n-1], nil
	}
	if n := len(g.segs); n > 0 {
		_ = g.segs[n-1].close()
	}
	sg := &segment{id: id}
	sg.span()
	if g.dir != "" {
		if err := os.MkdirAll(g.dir, 0o700); err != nil {
			return nil, err
		}
		sg.path = filepath.Join(g.dir, fmt.Sprintf("%016x.log", id))
		f, err := os.OpenFile(sg.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		sg.f, sg.w = f, bufio.NewWriterSize(f, 64<<10)
	}
	g.segs = append(g.segs, sg)
	return sg, nil
}

// write appends e to its segment file.
func (sg *segment) write(e Event, scratch *[]byte) error {
	if sg.w == nil {
		return nil
	}
	*scratch = appendLine((*scratch)[:0], e)
	_, err := sg.w.Write(*scratch)
	return err
}

// appendLine appends e as a segment file's line: the JSON of its line,
// then a newline. Written by hand (an event is a Lambda invocation's
// START, END or REPORT line as often as a function's own), it reads back
// with encoding/json as the same line.
func appendLine(dst []byte, e Event) []byte {
	dst = append(dst, `{"s":`...)
	dst = jsonw.String(dst, e.Stream)
	dst = append(dst, `,"c":`...)
	dst = strconv.AppendUint(dst, e.inc, 10)
	dst = append(dst, `,"t":`...)
	dst = strconv.AppendInt(dst, e.Timestamp, 10)
	dst = append(dst, `,"i":`...)
	dst = strconv.AppendInt(dst, e.Ingestion, 10)
	dst = append(dst, `,"n":`...)
	dst = strconv.AppendUint(dst, e.Seq, 10)
	dst = append(dst, `,"m":`...)
	dst = jsonw.String(dst, e.Message)
	return append(dst, "}\n"...)
}

// saveMeta writes a group's group.json (atomically: a temporary file
// renamed over it).
func (s *Store) saveMeta(g *group) error {
	if g.dir == "" {
		return nil
	}
	m := meta{Name: g.name, CreationTime: g.created, RetentionInDays: g.retention, Tags: g.tags, Streams: []streamMeta{}}
	for _, st := range g.streams {
		m.Streams = append(m.Streams, streamMeta{Name: st.name, CreationTime: st.created, Inc: st.inc})
	}
	sort.Slice(m.Streams, func(i, j int) bool { return m.Streams[i].Name < m.Streams[j].Name })
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(g.dir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(g.dir, "group.json.tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(g.dir, "group.json"))
}

// load replays every group directory under s.dir. A line cut short by a
// crash ends its file's replay; a directory without a readable group.json
// is skipped (and logged).
func (s *Store) load() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, de := range entries {
		if !de.IsDir() {
			continue
		}
		dir := filepath.Join(s.dir, de.Name())
		b, err := os.ReadFile(filepath.Join(dir, "group.json"))
		var m meta
		if err == nil {
			err = json.Unmarshal(b, &m)
		}
		if err != nil || m.Name == "" || groupDir(s.dir, m.Name) != dir {
			s.log.Warn("log group directory skipped", "dir", dir, "err", err)
			continue
		}
		g := &group{name: m.Name, created: m.CreationTime, retention: m.RetentionInDays, tags: m.Tags, streams: map[string]*stream{}, dir: dir}
		for _, sm := range m.Streams {
			g.streams[sm.Name] = &stream{name: sm.Name, created: sm.CreationTime, inc: sm.Inc}
			s.seq = max(s.seq, sm.Inc)
		}
		if err := s.loadSegments(g); err != nil {
			return err
		}
		s.groups[g.name] = g
	}
	return nil
}

func (s *Store) loadSegments(g *group) error {
	files, err := filepath.Glob(filepath.Join(g.dir, "*.log"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, path := range files {
		id, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(path), ".log"), 16, 64)
		if err != nil {
			continue
		}
		sg := &segment{id: id, path: path}
		sg.span()
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			var l line
			if json.Unmarshal(sc.Bytes(), &l) != nil {
				break
			}
			s.seq = max(s.seq, l.Seq)
			st := g.streams[l.Stream]
			if st == nil || st.inc != l.Inc {
				continue // a deleted stream's
			}
			e := Event{Stream: l.Stream, Timestamp: l.Timestamp, Ingestion: l.Ingestion, Message: l.Message, Seq: l.Seq, inc: l.Inc}
			sg.add(e)
			st.note(e)
		}
		_ = f.Close()
		if len(sg.events) == 0 {
			_ = os.Remove(path)
			continue
		}
		g.segs = append(g.segs, sg)
		g.bytes += sg.bytes
		s.bytes += sg.bytes
	}
	return nil
}

// note updates a stream's event times.
func (st *stream) note(e Event) {
	if st.events == 0 || e.Timestamp < st.first {
		st.first = e.Timestamp
	}
	if e.Timestamp > st.last {
		st.last = e.Timestamp
	}
	if e.Ingestion > st.lastIngest {
		st.lastIngest = e.Ingestion
	}
	st.events++
}

// evict drops the oldest segments (of any group) while the store holds
// more than maxBytes. The caller holds s.mu (or has the store to itself).
func (s *Store) evict() {
	for s.bytes > s.maxBytes {
		var oldest *group
		for _, g := range s.groups {
			if len(g.segs) > 0 && (oldest == nil || g.segs[0].id < oldest.segs[0].id) {
				oldest = g
			}
		}
		if oldest == nil {
			return
		}
		s.dropSegment(oldest, 0)
	}
}

// dropSegment removes g.segs[i] and its events.
func (s *Store) dropSegment(g *group, i int) {
	sg := g.segs[i]
	sg.remove()
	g.segs = append(g.segs[:i], g.segs[i+1:]...)
	g.bytes -= sg.bytes
	s.bytes -= sg.bytes
}

// Sweep drops the segments whose events are all older than their group's
// retention.
func (s *Store) Sweep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowMS()
	for _, g := range s.groups {
		if g.retention <= 0 {
			continue
		}
		cutoff := now - int64(g.retention)*24*3600*1000
		for i := 0; i < len(g.segs); {
			if len(g.segs[i].events) == 0 || g.segs[i].maxTs < cutoff {
				s.dropSegment(g, i)
				continue
			}
			i++
		}
	}
}
