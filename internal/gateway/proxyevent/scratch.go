package proxyevent

import (
	"bytes"
	"slices"
	"sync"
)

// span is a piece of scratch.buf.
type span struct{ start, end int32 }

// entry is one header or query parameter: name and value in scratch.buf.
// seq keeps the original order among equal names.
type entry struct {
	name, value span
}

// scratch is the per-encoding working space: headers, query parameters and
// cookies copied out of the visitor and the raw query, then sorted by name
// so that repeated names are adjacent. Pooled.
type scratch struct {
	buf     []byte
	headers []entry
	query   []entry
	cookies []span
	order   []int32

	contentType span
	userAgent   span
	forwarded   span // the client's x-forwarded-for
	hasCT       bool
	hasUA       bool
	hasXFF      bool

	// Header visiting state: the request and mode being collected, a
	// buffer for lower-casing names, and visitHeader as a func value made
	// once (a method value passed through an interface escapes).
	req   *Request
	mode  headerMode
	lower [64]byte
	visit func(name, value []byte)
}

var scratchPool = sync.Pool{New: func() any {
	s := &scratch{buf: make([]byte, 0, 2048), headers: make([]entry, 0, 32), order: make([]int32, 0, 32)}
	s.visit = s.visitHeader
	return s
}}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// maxPooled bounds the buffer kept in the pool.
const maxPooled = 64 << 10

func putScratch(s *scratch) {
	if cap(s.buf) > maxPooled {
		return
	}
	s.buf = s.buf[:0]
	s.headers, s.query, s.cookies, s.order = s.headers[:0], s.query[:0], s.cookies[:0], s.order[:0]
	s.hasCT, s.hasUA, s.hasXFF = false, false, false
	scratchPool.Put(s)
}

func (s *scratch) bytes(sp span) []byte { return s.buf[sp.start:sp.end] }

// add copies b into buf.
func (s *scratch) add(b []byte) span {
	start := int32(len(s.buf))
	s.buf = append(s.buf, b...)
	return span{start, int32(len(s.buf))}
}

func (s *scratch) addString(b string) span {
	start := int32(len(s.buf))
	s.buf = append(s.buf, b...)
	return span{start, int32(len(s.buf))}
}

// addLower copies b lower-cased (ASCII) into buf.
func (s *scratch) addLower(b []byte) span {
	start := int32(len(s.buf))
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		s.buf = append(s.buf, c)
	}
	return span{start, int32(len(s.buf))}
}

// sorted returns the indexes of entries ordered by name, equal names in
// their original order.
func (s *scratch) sorted(entries []entry) []int32 {
	s.order = s.order[:0]
	for i := range entries {
		s.order = append(s.order, int32(i))
	}
	slices.SortStableFunc(s.order, func(a, b int32) int {
		return bytes.Compare(s.bytes(entries[a].name), s.bytes(entries[b].name))
	})
	return s.order
}

// groups calls fn for each run of entries with equal names (in sorted
// order); idx are indexes into entries.
func (s *scratch) groups(entries []entry, fn func(name []byte, idx []int32)) {
	order := s.sorted(entries)
	for i := 0; i < len(order); {
		j := i + 1
		name := s.bytes(entries[order[i]].name)
		for j < len(order) && bytes.Equal(s.bytes(entries[order[j]].name), name) {
			j++
		}
		fn(name, order[i:j])
		i = j
	}
}
