package vtl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// corpusCase is one template of the differential corpus.
type corpusCase struct {
	Name     string          `json:"name"`
	Template string          `json:"template"`
	Context  json.RawMessage `json:"context"`
}

// loadCorpus reads testdata/corpus/*.txt. File format:
//
//	context: {"json": "object"}     (optional first line, shared by the file)
//	=== case-name
//	template text (one trailing newline is stripped)
//	=== next-case
//	...
func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	var cases []corpusCase
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		ctx := json.RawMessage("{}")
		if strings.HasPrefix(text, "context: ") {
			nl := strings.IndexByte(text, '\n')
			ctx = json.RawMessage(text[len("context: "):nl])
			if !json.Valid(ctx) {
				t.Fatalf("%s: invalid context JSON", f)
			}
			text = text[nl+1:]
		}
		if !strings.HasPrefix(text, "=== ") {
			t.Fatalf("%s: expected '=== name' line", f)
		}
		for _, chunk := range strings.Split(text[4:], "\n=== ") {
			nl := strings.IndexByte(chunk, '\n')
			if nl < 0 {
				nl = len(chunk)
				chunk += "\n"
			}
			name := strings.TrimSpace(chunk[:nl])
			tpl := chunk[nl+1:]
			tpl = strings.TrimSuffix(tpl, "\n")
			name = strings.TrimSuffix(filepath.Base(f), ".txt") + "/" + name
			if seen[name] {
				t.Fatalf("duplicate corpus case %s", name)
			}
			seen[name] = true
			cases = append(cases, corpusCase{Name: name, Template: tpl, Context: ctx})
		}
	}
	return cases
}

// velocityClasspath locates Apache Velocity 1.7 and its dependencies as
// installed by the Debian packages velocity, libcommons-collections3-java
// and libcommons-lang-java. VTL_VELOCITY_CLASSPATH overrides it.
func velocityClasspath() (string, error) {
	if cp := os.Getenv("VTL_VELOCITY_CLASSPATH"); cp != "" {
		return cp, nil
	}
	var parts []string
	for _, alts := range [][]string{
		{"/usr/share/java/velocity.jar", "/usr/share/java/velocity-1.7.jar"},
		{"/usr/share/java/commons-collections3.jar", "/usr/share/java/commons-collections.jar"},
		{"/usr/share/java/commons-lang.jar", "/usr/share/java/commons-lang-2.6.jar"},
	} {
		found := ""
		for _, p := range alts {
			if _, err := os.Stat(p); err == nil {
				found = p
				break
			}
		}
		if found == "" {
			return "", fmt.Errorf("missing %s", alts[0])
		}
		parts = append(parts, found)
	}
	return strings.Join(parts, ":"), nil
}

type javaResult struct {
	ok  bool
	out string
}

func runVelocity(t *testing.T, cases []corpusCase) map[string]javaResult {
	t.Helper()
	const hint = "the differential test needs Java 11+ and Apache Velocity 1.7: " +
		"apt-get install -y default-jdk-headless velocity (installs /usr/share/java/velocity.jar, " +
		"commons-collections3.jar, commons-lang.jar); .ci/run / scripts/test install them"
	java, err := exec.LookPath("java")
	if err != nil {
		t.Fatalf("java not found: %s", hint)
	}
	cp, err := velocityClasspath()
	if err != nil {
		t.Fatalf("%v: %s", err, hint)
	}
	dir := t.TempDir()
	corpusFile := filepath.Join(dir, "corpus.json")
	data, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(corpusFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(java, "-cp", cp, "testdata/velocity/Render.java", corpusFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running Velocity: %v\n%s\n%s", err, stderr.String(), hint)
	}
	res := map[string]javaResult{}
	for len(out) > 0 {
		nl := bytes.IndexByte(out, '\n')
		if nl < 0 || !bytes.HasPrefix(out, []byte("### ")) {
			t.Fatalf("bad Velocity output near %q", out[:min(len(out), 80)])
		}
		f := strings.Fields(string(out[4:nl]))
		if len(f) != 3 {
			t.Fatalf("bad Velocity header %q", out[:nl])
		}
		n, _ := strconv.Atoi(f[2])
		body := out[nl+1 : nl+1+n]
		res[f[0]] = javaResult{ok: f[1] == "OK", out: string(body)}
		out = out[nl+1+n+1:]
	}
	return res
}

func renderCase(c corpusCase) (string, error) {
	vars, err := contextVars(c.Context)
	if err != nil {
		return "", err
	}
	tpl, err := Parse(c.Name, c.Template)
	if err != nil {
		return "", err
	}
	return tpl.RenderString(context.Background(), vars)
}

func contextVars(raw json.RawMessage) (Vars, error) {
	v, err := ParseJSON(raw)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*Map)
	if !ok {
		return nil, fmt.Errorf("context is not an object")
	}
	vars := Vars{}
	for i, k := range m.Keys() {
		vars[k.(string)] = m.Values()[i]
	}
	return vars, nil
}

// TestDifferentialVelocity renders the corpus with Apache Velocity 1.7 and
// with this package and compares the outputs byte for byte.
func TestDifferentialVelocity(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 100 {
		t.Fatalf("corpus has %d cases, want >= 100", len(cases))
	}
	want := runVelocity(t, cases)
	failed := 0
	for _, c := range cases {
		w, ok := want[c.Name]
		if !ok {
			t.Errorf("%s: no Velocity result", c.Name)
			continue
		}
		got, err := renderCase(c)
		switch {
		case !w.ok && err == nil:
			t.Errorf("%s: Velocity fails but we render %q\ntemplate: %q", c.Name, got, c.Template)
			failed++
		case w.ok && err != nil:
			t.Errorf("%s: Velocity renders %q but we fail: %v\ntemplate: %q", c.Name, w.out, err, c.Template)
			failed++
		case w.ok && got != w.out:
			t.Errorf("%s: output mismatch\ntemplate: %q\nvelocity: %q\nours:     %q", c.Name, c.Template, w.out, got)
			failed++
		}
	}
	t.Logf("%d corpus cases, %d mismatches", len(cases), failed)
}
