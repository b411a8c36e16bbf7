package pathsafe

import (
	"net/url"
	"strings"
	"testing"
)

func TestHasDotSegment(t *testing.T) {
	for _, p := range []string{
		"/public/../admin", "/public/./admin", "/public/..", "/public/.", "/..", "/.", "..", ".",
		"/public/%2e%2e/admin", "/public/%2E%2E/admin", "/public/.%2e/admin", "/public/%2e./admin", "/public/%2e/admin",
		"/public/x/..%2f..%2fadmin", "/public/x/..%2F..%2Fadmin", "/public/x%2f..%2fadmin", "/public/..%5cadmin",
		"/public/..\\admin", "/public\\..\\admin", "/public/%5c..%5cadmin",
		"/public/%252e%252e/admin", "/public/%25252e%25252e/admin", "/public/..%252fadmin", "/public/%%32%65%%32%65/admin",
		"/public/..;/admin", "/public/..;jsessionid=1/admin", "/public/.;x/admin", "/public/%2e%2e;x/admin",
		"/public/%u002e%u002e/admin", "/public/%U002E./admin",
		"/public/%c0%ae%c0%ae/admin", "/public/..%c0%afadmin", "/public/..%c1%9cadmin",
		"/public/\uff0e\uff0e/admin", "/public/..\uff0fadmin", "/public/..\uff3cadmin", "/public/%ef%bc%8e%ef%bc%8e/admin",
		"/a/b/c/d/e/..", "/" + strings.Repeat("x", 2000) + "/%2e%2e",
	} {
		if !HasDotSegment(p) {
			t.Errorf("HasDotSegment(%q) = false, want true", p)
		}
	}
	for _, p := range []string{
		"", "/", "/pets", "/pets/", "//pets", "/pets/1", "/files/report.pdf", "/v1.0/x", "/a..b", "/...", "/.../x",
		"/.hidden", "/x./y", "/a%2Fb", "/a%2fb/c", "/%41%42", "/a;b/c", "/%2e%2e%2e", "/.%2e.", "/a%2", "/a%", "/a%zz",
		"/%u002", "/%u0041", "/%u2e2e", "/caf\u00e9", "/\u00ae", "/%c0", "/%c0%c0", "/%ef%bc", "/x%25", "/%252", "/" + strings.Repeat("y", 3000),
	} {
		if HasDotSegment(p) {
			t.Errorf("HasDotSegment(%q) = true, want false", p)
		}
	}
}

// TestNoAllocation: the check allocates nothing for ordinary paths, nor for
// suspect paths up to 512 bytes.
func TestNoAllocation(t *testing.T) {
	for _, p := range []string{"/pets/12", "/files/report.pdf", "/a%2Fb/%2e%2e", "/x/..%252f"} {
		if n := testing.AllocsPerRun(100, func() { HasDotSegment(p) }); n != 0 {
			t.Errorf("HasDotSegment(%q): %v allocations", p, n)
		}
	}
}

// FuzzHasDotSegment compares HasDotSegment with an independent oracle: a
// path has a dot-segment under some reading when RFC 3986's
// remove_dot_segments changes that reading of it. Every reading a backend
// may give the path must be caught (no false negatives), and anything
// caught must be a dot-segment in the most permissive reading (no false
// positives).
func FuzzHasDotSegment(f *testing.F) {
	for _, s := range []string{"/a/../b", "/a/%2e%2e/b", "/a/..%2fb", "/a/..;x/b", "/a\\..\\b", "/%252e", "/pets/1", "/a.b/c.d", "/%c0%ae%c0%ae/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := HasDotSegment(p)
		readings := oracleReadings(p)
		any := false
		for _, r := range readings {
			if changedByDotRemoval(r) {
				any = true
			}
		}
		if any && !got {
			t.Fatalf("HasDotSegment(%q) = false, but a reading has a dot-segment: %q", p, readings)
		}
		if got && !changedByDotRemoval(readings[len(readings)-1]) {
			t.Fatalf("HasDotSegment(%q) = true, but the most permissive reading %q has none", p, readings[len(readings)-1])
		}
	})
}

// oracleReadings returns readings of p that servers give it, the most
// permissive last: as written; decoded once; decoded until stable;
// backslashes as slashes; ";parameters" cut; everything at once.
func oracleReadings(p string) []string {
	once := unescapeOnce(p)
	full := p
	for {
		next := unescapeOnce(full)
		if next == full {
			break
		}
		full = next
	}
	slashes := func(s string) string { return strings.ReplaceAll(s, "\\", "/") }
	params := func(s string) string {
		segs := strings.Split(s, "/")
		for i, seg := range segs {
			seg, _, _ = strings.Cut(seg, ";")
			segs[i] = seg
		}
		return strings.Join(segs, "/")
	}
	unicode := strings.NewReplacer("\xc0\xae", ".", "\xc0\xaf", "/", "\xc1\x9c", "\\", "\uff0e", ".", "\uff0f", "/", "\uff3c", "\\")
	all := params(slashes(unicode.Replace(full)))
	return []string{p, once, full, slashes(full), params(full), params(slashes(p)), all}
}

// unescapeOnce decodes every valid %XX (and %u00XX naming ASCII) escape
// once, leaving malformed ones.
func unescapeOnce(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 < len(s) {
				if v, err := url.PathUnescape(s[i : i+3]); err == nil {
					b.WriteString(v)
					i += 2
					continue
				}
			}
			if i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') && s[i+2:i+4] == "00" {
				if v, err := url.PathUnescape("%" + s[i+4:i+6]); err == nil && v[0] < 0x80 {
					b.WriteString(v)
					i += 5
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// changedByDotRemoval applies RFC 3986 §5.2.4 remove_dot_segments to each
// '/'-separated reading of s and reports whether it changed anything.
func changedByDotRemoval(s string) bool {
	if !strings.HasPrefix(s, "/") {
		s = "/" + s // a relative reading resolves against the root
	}
	return removeDotSegments(s) != s
}

// removeDotSegments is RFC 3986 §5.2.4, step by step.
func removeDotSegments(in string) string {
	var out []string
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			i := strings.IndexByte(in[1:], '/')
			if i < 0 {
				out = append(out, in)
				in = ""
			} else {
				out = append(out, in[:i+1])
				in = in[i+1:]
			}
		}
	}
	return strings.Join(out, "")
}

func BenchmarkHasDotSegment(b *testing.B) {
	for _, p := range []string{"/pets/12345/toys", "/files/report.v1.pdf", "/a%2Fb/c%20d", "/public/..%252fadmin"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				HasDotSegment(p)
			}
		})
	}
}
