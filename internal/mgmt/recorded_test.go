package mgmt_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestRecordedAWS replays requests whose responses were recorded against
// real AWS (see testdata/recorded/README.md) and compares our responses
// with AWS's: status, error type and message, and every member of every
// success body, with placeholders (<id:1>, datetime) bound consistently.
func TestRecordedAWS(t *testing.T) {
	files, err := filepath.Glob("testdata/recorded/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	snapshots := map[string]map[string]any{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		var sc scenario
		readJSON(t, f, &sc)
		snap, ok := snapshots[sc.Snapshot]
		if !ok {
			readJSON(t, filepath.Join(referenceDir(t), sc.Snapshot), &snap)
			snapshots[sc.Snapshot] = snap
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			entry, ok := snap[sc.Test].(map[string]any)
			if !ok {
				t.Fatalf("test %s not in %s", sc.Test, sc.Snapshot)
			}
			recorded := entry["recorded-content"].(map[string]any)
			runScenario(t, &sc, recorded)
		})
	}
}

type scenario struct {
	// Stale lists, per recorded step, members (dotted paths) that AWS has
	// added since the recording was made; they are removed before comparing.
	Stale    map[string][]string `json:"stale"`
	Snapshot string              `json:"snapshot"`
	Test     string              `json:"test"`
	Steps    []struct {
		Method string `json:"method"`
		Path   string `json:"path"`
		Body   any    `json:"body"`
		// BodyFile names an input file (under the reference's files/)
		// sent as the raw body, after the BodyReplace substitutions.
		BodyFile    string            `json:"bodyFile"`
		BodyReplace map[string]string `json:"bodyReplace"`
		Record      string            `json:"record"`
		Capture     map[string]string `json:"capture"`
	} `json:"steps"`
}

// referenceDir finds ../shared/reference/aws-recorded from the repository.
func referenceDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("TOLLGATE_AWS_RECORDED"); d != "" {
		return d
	}
	return filepath.Join("testdata", "recorded", "aws")
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
}

func runScenario(t *testing.T, sc *scenario, recorded map[string]any) {
	h := newHarness(t, "111111111111")
	vars := map[string]string{}
	b := &binder{vals: map[string]string{}}
	for i, st := range sc.Steps {
		path := substitute(st.Path, vars)
		body := substituteAny(st.Body, vars)
		var res response
		if st.BodyFile != "" {
			raw, err := os.ReadFile(filepath.Join(referenceDir(t), "files", st.BodyFile))
			if err != nil {
				t.Fatalf("body file: %v", err)
			}
			text := string(raw)
			for from, to := range st.BodyReplace {
				text = strings.ReplaceAll(text, from, to)
			}
			body = text
		}
		if body == nil {
			res = h.do(st.Method, path, nil)
		} else {
			res = h.do(st.Method, path, body)
		}
		label := fmt.Sprintf("step %d %s %s", i, st.Method, path)
		if st.Record != "" {
			label += " (" + st.Record + ")"
		}
		var out any
		if len(res.Body) > 0 && res.ErrorType == "" {
			if err := json.Unmarshal(res.Body, &out); err != nil {
				t.Fatalf("%s: response is not JSON: %v: %s", label, err, res.Body)
			}
		}
		for name, p := range st.Capture {
			v, ok := lookup(out, p)
			if !ok {
				t.Fatalf("%s: capture %s=%s: not found in %s", label, name, p, res.Body)
			}
			vars[name] = fmt.Sprint(v)
		}
		if st.Record == "" {
			if res.Status >= 300 {
				t.Fatalf("%s: setup step failed: %d %s %s", label, res.Status, res.ErrorType, res.Body)
			}
			continue
		}
		want, ok := recorded[st.Record].(map[string]any)
		if !ok {
			t.Fatalf("%s: no recorded entry", label)
		}
		for _, p := range sc.Stale[st.Record] {
			dropMember(out, p)
		}
		if _, isBlob := want["body"]; isBlob && res.ErrorType == "" {
			out = blobView(t, label, res)
		}
		compareRecorded(t, label, b, want, res, out)
	}
}

func compareRecorded(t *testing.T, label string, b *binder, want map[string]any, res response, out any) {
	t.Helper()
	status := 0
	if md, ok := want["ResponseMetadata"].(map[string]any); ok {
		status = int(md["HTTPStatusCode"].(float64))
	}
	if status != 0 && status != res.Status {
		t.Errorf("%s: status %d, AWS %d; body %s", label, res.Status, status, res.Body)
		return
	}
	if e, ok := want["Error"].(map[string]any); ok {
		var msg struct {
			Message *string `json:"message"`
		}
		_ = json.Unmarshal(res.Body, &msg)
		got := ""
		if msg.Message != nil {
			got = *msg.Message
		}
		if res.ErrorType != e["Code"] {
			t.Errorf("%s: error type %q, AWS %q (message %q)", label, res.ErrorType, e["Code"], got)
		}
		if m, _ := e["Message"].(string); !b.matchString(m, got) {
			t.Errorf("%s: message\n  got %q\n  AWS %q", label, got, m)
		}
		return
	}
	if res.ErrorType != "" {
		t.Errorf("%s: got error %s %s, AWS succeeded", label, res.ErrorType, res.Body)
		return
	}
	exp := map[string]any{}
	for k, v := range want {
		if k == "ResponseMetadata" {
			continue
		}
		if k == "item" {
			k = "items"
		}
		exp[k] = v
	}
	got, _ := out.(map[string]any)
	if got == nil {
		got = map[string]any{}
	}
	if items, ok := got["item"]; ok {
		delete(got, "item")
		got["items"] = items
	}
	if diff := b.match("", exp, got); diff != "" {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(exp)
		t.Errorf("%s: %s\n  got %s\n  AWS %s", label, diff, gb, wb)
	}
}

// binder matches recorded values against ours, binding placeholders such
// as <id:1> to our values the first time they are seen.
type binder struct{ vals map[string]string }

var placeholderRE = regexp.MustCompile(`<[^<>\s]+>`)

func (b *binder) matchString(want, got string) bool {
	if !placeholderRE.MatchString(want) {
		return want == got
	}
	locs := placeholderRE.FindAllStringIndex(want, -1)
	var re strings.Builder
	re.WriteString("^")
	var names []string
	last := 0
	for _, l := range locs {
		re.WriteString(regexp.QuoteMeta(want[last:l[0]]))
		name := want[l[0]:l[1]]
		if v, ok := b.vals[name]; ok {
			re.WriteString(regexp.QuoteMeta(v))
		} else {
			re.WriteString("(.+?)")
			names = append(names, name)
		}
		last = l[1]
	}
	re.WriteString(regexp.QuoteMeta(want[last:]) + "$")
	m := regexp.MustCompile(re.String()).FindStringSubmatch(got)
	if m == nil {
		return false
	}
	for i, n := range names {
		if prev, ok := b.vals[n]; ok && prev != m[i+1] {
			return false
		}
		b.vals[n] = m[i+1]
	}
	return true
}

// match returns "" if got matches want, else a description of the first
// difference.
func (b *binder) match(path string, want, got any) string {
	switch w := want.(type) {
	case string:
		if w == "datetime" {
			if _, ok := got.(float64); ok {
				return ""
			}
		}
		if g, ok := got.(string); ok && b.matchString(w, g) {
			return ""
		}
		return fmt.Sprintf("%s: got %#v, AWS %q", path, got, w)
	case map[string]any:
		if s, ok := got.(string); ok {
			// LocalStack's snapshots show JSON strings (schemas, templates) parsed.
			var parsed any
			if json.Unmarshal([]byte(s), &parsed) == nil {
				return b.match(path, want, parsed)
			}
		}
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %#v, AWS an object", path, got)
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inW:
				return fmt.Sprintf("%s.%s: unexpected member (AWS omits it)", path, k)
			case !inG:
				return fmt.Sprintf("%s.%s: missing member", path, k)
			}
			if d := b.match(path+"."+k, wv, gv); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: got %v, AWS %v", path, got, w)
		}
		for i := range w {
			if d := b.match(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != "" {
				return b.matchUnordered(path, w, g, d)
			}
		}
		return ""
	default:
		wb, _ := json.Marshal(want)
		gb, _ := json.Marshal(got)
		if string(wb) != string(gb) {
			return fmt.Sprintf("%s: got %s, AWS %s", path, gb, wb)
		}
		return ""
	}
}

// matchUnordered retries a list match ignoring order (tests sort some lists
// before snapshotting them); firstDiff is reported if that fails too.
func (b *binder) matchUnordered(path string, w, g []any, firstDiff string) string {
	used := make([]bool, len(g))
	for _, wv := range w {
		found := false
		for j, gv := range g {
			if used[j] {
				continue
			}
			saved := map[string]string{}
			for k, v := range b.vals {
				saved[k] = v
			}
			if b.match(path, wv, gv) == "" {
				used[j], found = true, true
				break
			}
			b.vals = saved
		}
		if !found {
			return firstDiff
		}
	}
	return ""
}

var varRE = regexp.MustCompile(`\{\{([A-Za-z0-9_]+)(\|upper)?\}\}`)

func substitute(s string, vars map[string]string) string {
	return varRE.ReplaceAllStringFunc(s, func(m string) string {
		p := varRE.FindStringSubmatch(m)
		v, ok := vars[p[1]]
		if !ok {
			return m
		}
		if p[2] != "" {
			v = strings.ToUpper(v)
		}
		return v
	})
}

func substituteAny(v any, vars map[string]string) any {
	switch t := v.(type) {
	case string:
		return substitute(t, vars)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[substitute(k, vars)] = substituteAny(x, vars)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = substituteAny(x, vars)
		}
		return out
	}
	return v
}

var selectorRE = regexp.MustCompile(`^([A-Za-z0-9_]+)\[([A-Za-z0-9_]+)=([^\]]*)\]$`)

// lookup follows a dotted capture path ("item.0.id", "item[path=/pets].id").
func lookup(v any, path string) (any, bool) {
	for _, p := range splitPath(path) {
		if m := selectorRE.FindStringSubmatch(p); m != nil {
			obj, _ := v.(map[string]any)
			list, _ := obj[m[1]].([]any)
			var found any
			for _, it := range list {
				if o, ok := it.(map[string]any); ok && fmt.Sprint(o[m[2]]) == m[3] {
					found = it
					break
				}
			}
			if found == nil {
				return nil, false
			}
			v = found
			continue
		}
		switch t := v.(type) {
		case map[string]any:
			x, ok := t[p]
			if !ok {
				return nil, false
			}
			v = x
		case []any:
			var i int
			if _, err := fmt.Sscan(p, &i); err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// splitPath splits on dots outside [...] selectors.
func splitPath(p string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range p {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				out = append(out, p[start:i])
				start = i + 1
			}
		}
	}
	return append(out, p[start:])
}

// dropMember deletes the member at a dotted path (".a.b") from v.
func dropMember(v any, path string) {
	parts := strings.Split(strings.TrimPrefix(path, "."), ".")
	for i, p := range parts {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if i == len(parts)-1 {
			delete(m, p)
			return
		}
		v = m[p]
	}
}

// isoDateRE matches the deployment dates GetExport writes (info.version,
// file name); the tests' snapshot transformer shows them as "date".
var isoDateRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`)

// blobView renders a blob response (GetExport) as boto3 returns it, with
// the body parsed as LocalStack's snapshots show it.
func blobView(t *testing.T, label string, res response) map[string]any {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(isoDateRE.ReplaceAllString(string(res.Body), "date")), &doc); err != nil {
		t.Fatalf("%s: body is not JSON: %v", label, err)
	}
	return map[string]any{
		"body":               doc,
		"contentType":        res.Header.Get("Content-Type"),
		"contentDisposition": isoDateRE.ReplaceAllString(res.Header.Get("Content-Disposition"), "date"),
	}
}
