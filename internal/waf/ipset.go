package waf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ipSet is an IP set compiled to sorted, merged address ranges: a lookup
// is a binary search.
type ipSet struct {
	v4 []r4
	v6 []r6
}

type r4 struct{ lo, hi uint32 }

type u128 struct{ hi, lo uint64 }

type r6 struct{ lo, hi u128 }

func (a u128) less(b u128) bool { return a.hi < b.hi || a.hi == b.hi && a.lo < b.lo }

func u128Of(a netip.Addr) u128 {
	b := a.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

// compileIPSet builds the set of CIDR blocks addrs.
func compileIPSet(addrs []string) (*ipSet, error) {
	s := &ipSet{}
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			return nil, fmt.Errorf("IP set address %q: %w", a, err)
		}
		p = p.Masked()
		if p.Addr().Is4() {
			lo := binary.BigEndian.Uint32(p.Addr().AsSlice())
			hi := lo | (1<<(32-p.Bits()) - 1)
			if p.Bits() == 0 {
				hi = ^uint32(0)
			}
			s.v4 = append(s.v4, r4{lo, hi})
			continue
		}
		lo := u128Of(p.Addr())
		hi := lo
		host := 128 - p.Bits()
		switch {
		case host >= 64:
			hi.lo = ^uint64(0)
			if host == 128 {
				hi.hi = ^uint64(0)
			} else {
				hi.hi |= 1<<(host-64) - 1
			}
		case host > 0:
			hi.lo |= 1<<host - 1
		}
		s.v6 = append(s.v6, r6{lo, hi})
	}
	slices.SortFunc(s.v4, func(a, b r4) int {
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return 0
	})
	var m4 []r4
	for _, r := range s.v4 {
		if n := len(m4); n > 0 && (m4[n-1].hi == ^uint32(0) || r.lo <= m4[n-1].hi+1) {
			if r.hi > m4[n-1].hi {
				m4[n-1].hi = r.hi
			}
			continue
		}
		m4 = append(m4, r)
	}
	s.v4 = m4
	slices.SortFunc(s.v6, func(a, b r6) int {
		switch {
		case a.lo.less(b.lo):
			return -1
		case b.lo.less(a.lo):
			return 1
		}
		return 0
	})
	var m6 []r6
	for _, r := range s.v6 {
		if n := len(m6); n > 0 && !m6[n-1].hi.less(r.lo) {
			if m6[n-1].hi.less(r.hi) {
				m6[n-1].hi = r.hi
			}
			continue
		}
		m6 = append(m6, r)
	}
	s.v6 = m6
	return s, nil
}

// contains reports whether a is in the set. IPv4 addresses never match
// IPv6 blocks nor the reverse; IPv4-mapped IPv6 addresses count as IPv4
// [T].
func (s *ipSet) contains(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		v := binary.BigEndian.Uint32(b[:])
		i, _ := slices.BinarySearchFunc(s.v4, v, func(r r4, v uint32) int {
			switch {
			case r.hi < v:
				return -1
			case r.lo > v:
				return 1
			}
			return 0
		})
		return i < len(s.v4) && s.v4[i].lo <= v && v <= s.v4[i].hi
	}
	if !a.Is6() {
		return false
	}
	v := u128Of(a)
	i, _ := slices.BinarySearchFunc(s.v6, v, func(r r6, v u128) int {
		switch {
		case r.hi.less(v):
			return -1
		case v.less(r.lo):
			return 1
		}
		return 0
	})
	return i < len(s.v6) && !v.less(s.v6[i].lo) && !s.v6[i].hi.less(v)
}

// Forwarded-address positions [M].
const (
	posFirst uint8 = iota
	posLast
	posAny
)

// forwarded is a ForwardedIPConfig: where to take the client address from.
type forwarded struct {
	header        string // lower case
	matchFallback bool
	position      uint8
}

// maxForwarded is how many addresses ANY inspects (the last ones) [D].
const maxForwarded = 10

// addresses calls fn with the addresses fwd designates in the request,
// and reports whether the header was there at all: absent, the statement
// does not apply (it does not match, and the fallback is not used) [M
// doc]. A malformed address yields the fallback's answer.
func (fw *forwarded) addresses(e *eval, fn func(a netip.Addr) bool) bool {
	v, ok := e.header(fw.header)
	if !ok {
		return false
	}
	parts := strings.Split(string(v), ",")
	switch fw.position {
	case posFirst:
		parts = parts[:1]
	case posLast:
		parts = parts[len(parts)-1:]
	default:
		if len(parts) > maxForwarded {
			parts = parts[len(parts)-maxForwarded:]
		}
	}
	for _, p := range parts {
		a, err := netip.ParseAddr(strings.TrimSpace(p))
		if err != nil {
			if fw.matchFallback {
				return true
			}
			continue
		}
		if fn(a) {
			return true
		}
	}
	return false
}

// ipMatch is IPSetReferenceStatement.
type ipMatch struct {
	set *ipSet
	fwd *forwarded
}

func (m *ipMatch) match(e *eval) bool {
	if m.fwd == nil {
		return m.set.contains(e.req.ClientIP())
	}
	return m.fwd.addresses(e, m.set.contains)
}

// firstAddress is the address a ForwardedIPConfig of a rate-based or geo
// statement designates (its first), or ok false: header absent, or
// malformed with a NO_MATCH fallback. fallback is set when the address
// was malformed and the fallback is MATCH.
func (fw *forwarded) firstAddress(e *eval) (a netip.Addr, ok, fallback bool) {
	v, present := e.header(fw.header)
	if !present {
		return netip.Addr{}, false, false
	}
	first, _, _ := bytes.Cut(v, []byte{','})
	a, err := netip.ParseAddr(strings.TrimSpace(string(first)))
	if err != nil {
		return netip.Addr{}, false, fw.matchFallback
	}
	return a, true, false
}
