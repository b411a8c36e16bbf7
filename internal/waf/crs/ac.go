package crs

import "bytes"

// matcher finds any of a set of phrases in a value, ignoring ASCII case
// (@pm, @pmFromFile): an Aho-Corasick automaton, so that a value is
// scanned once whatever the number of phrases. Transitions are sparse
// (a node's edge bytes and targets), which keeps CRS's larger data files
// (977 phrases of lfi-os-files.data) to a few hundred kilobytes.
type matcher struct {
	nodes []acNode
}

type acNode struct {
	keys []byte  // edge bytes (lower case)
	next []int32 // their targets
	fail int32
	out  bool // a phrase ends here (or at a suffix of here)
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// edge returns the target of s's edge c, or -1.
func (m *matcher) edge(s int32, c byte) int32 {
	n := &m.nodes[s]
	if i := bytes.IndexByte(n.keys, c); i >= 0 {
		return n.next[i]
	}
	return -1
}

func newMatcher(phrases []string) *matcher {
	m := &matcher{nodes: []acNode{{}}}
	for _, p := range phrases {
		if p == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := lowerByte(p[i])
			t := m.edge(s, c)
			if t < 0 {
				m.nodes = append(m.nodes, acNode{})
				t = int32(len(m.nodes) - 1)
				m.nodes[s].keys = append(m.nodes[s].keys, c)
				m.nodes[s].next = append(m.nodes[s].next, t)
			}
			s = t
		}
		m.nodes[s].out = true
	}
	// Failure links, breadth first.
	queue := append([]int32(nil), m.nodes[0].next...)
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for i, c := range m.nodes[s].keys {
			t := m.nodes[s].next[i]
			f := m.nodes[s].fail
			for {
				if g := m.edge(f, c); g >= 0 && g != t {
					m.nodes[t].fail = g
					break
				}
				if f == 0 {
					m.nodes[t].fail = 0
					break
				}
				f = m.nodes[f].fail
			}
			if m.nodes[m.nodes[t].fail].out {
				m.nodes[t].out = true
			}
			queue = append(queue, t)
		}
	}
	return m
}

// match reports whether v contains a phrase.
func (m *matcher) match(v []byte) bool {
	s := int32(0)
	for _, c := range v {
		c = lowerByte(c)
		for {
			if t := m.edge(s, c); t >= 0 {
				s = t
				break
			}
			if s == 0 {
				break
			}
			s = m.nodes[s].fail
		}
		if m.nodes[s].out {
			return true
		}
	}
	return false
}
