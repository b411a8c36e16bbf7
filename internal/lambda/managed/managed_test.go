package managed_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/lambda/managed"
)

// fakeInterpreter writes a script that answers the probe as an
// interpreter of the given version would (or fails with stderr text).
func fakeInterpreter(t *testing.T, dir, name, version, fail string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	body := "#!/bin/sh\nprintf '%s\\n%s' \"$0\" '" + version + "'\n"
	if fail != "" {
		body = "#!/bin/sh\necho '" + fail + "' >&2\nexit 127\n"
	}
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// lookIn is a LookPath over one directory.
func lookIn(dir string) func(string) (string, error) {
	return func(name string) (string, error) {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
		}
		return p, nil
	}
}

func TestResolveCandidates(t *testing.T) {
	bin := t.TempDir()
	// python3.12 is a version manager's shim that cannot run here; python3
	// works: python3.12 functions run on python3, with a mismatch.
	fakeInterpreter(t, bin, "python3.12", "", "pyenv: python3.12: command not found")
	py3 := fakeInterpreter(t, bin, "python3", "3.11.7", "")
	node := fakeInterpreter(t, bin, "node", "20.20.2", "")
	other := fakeInterpreter(t, t.TempDir(), "node22", "22.1.0", "")
	r := managed.New(managed.Config{Dir: t.TempDir(), LookPath: lookIn(bin),
		Interpreters: map[string]string{"nodejs22.x": other}})

	for _, tc := range []struct {
		runtime, exe, interp string
		mismatch             bool
	}{
		{"python3.12", py3, "python 3.11.7", true},
		{"python3.11", py3, "python 3.11.7", false},
		{"nodejs20.x", node, "node v20.20.2", false},
		{"nodejs18.x", node, "node v20.20.2", true},
		{"nodejs22.x", other, "node v22.1.0", false}, // the exact mapping wins
	} {
		l, err := r.Launch(tc.runtime, "/code")
		if err != nil {
			t.Errorf("%s: %v", tc.runtime, err)
			continue
		}
		if l.Executable != tc.exe || l.Interpreter != tc.interp || l.Mismatch != tc.mismatch {
			t.Errorf("%s: %s (%s), mismatch %v; want %s (%s), %v", tc.runtime, l.Executable, l.Interpreter, l.Mismatch, tc.exe, tc.interp, tc.mismatch)
		}
	}
	// A family mapping serves every version of the family.
	r2 := managed.New(managed.Config{Dir: t.TempDir(), LookPath: lookIn(t.TempDir()), Interpreters: map[string]string{"python3": py3}})
	if l, err := r2.Launch("python3.13", "/code"); err != nil || l.Executable != py3 {
		t.Errorf("python3 family mapping: %v %v", l, err)
	}
}

func TestResolveRefusals(t *testing.T) {
	bin := t.TempDir()
	fakeInterpreter(t, bin, "node", "16.20.0", "")
	r := managed.New(managed.Config{Dir: t.TempDir(), LookPath: lookIn(bin)})
	for runtime, want := range map[string]string{
		"nodejs22.x": "no Node.js interpreter for runtime nodejs22.x: " + bin + "/node is version 16.20.0, too old for the runtime client (needs 18.0 or later) (install nodejs or pass --lambda-interpreter nodejs22.x=PATH)",
		"python3.12": `no Python interpreter for runtime python3.12: exec: "python3": executable file not found in $PATH (install python3 or pass --lambda-interpreter python3.12=PATH)`,
	} {
		_, err := r.Launch(runtime, "/code")
		var ie *managed.InterpreterError
		if !errors.As(err, &ie) || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", runtime, err, want)
		}
	}
	if _, err := r.Launch("java21", "/code"); err == nil {
		t.Error("java21 launched")
	}
}

func TestFamilyOf(t *testing.T) {
	for rt, want := range map[string]managed.Family{
		"nodejs20.x": managed.NodeJS, "nodejs24.x": managed.NodeJS, "python3.9": managed.Python, "python3.14": managed.Python,
		"provided.al2023": managed.None, "java21": managed.None, "": managed.None,
	} {
		if got := managed.FamilyOf(rt); got != want {
			t.Errorf("FamilyOf(%q) = %v, want %v", rt, got, want)
		}
	}
}

// TestInstall: the clients are written once, read-only, into a directory
// named after their content, shared by later starts; a damaged copy is
// replaced.
func TestInstall(t *testing.T) {
	bin := t.TempDir()
	fakeInterpreter(t, bin, "node", "20.20.2", "")
	dir := t.TempDir()
	l1, err := managed.New(managed.Config{Dir: dir, LookPath: lookIn(bin)}).Launch("nodejs20.x", "/code")
	if err != nil {
		t.Fatal(err)
	}
	client := l1.Args[0]
	fi, err := os.Stat(client)
	if err != nil || fi.Mode().Perm() != 0o444 || filepath.Dir(client) != l1.RuntimeDir || filepath.Dir(l1.RuntimeDir) != dir {
		t.Fatalf("client %s: %v %v", client, fi, err)
	}
	if err := os.Chmod(client, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(client, []byte("damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	l2, err := managed.New(managed.Config{Dir: dir, LookPath: lookIn(bin)}).Launch("nodejs20.x", "/code")
	if err != nil || l2.RuntimeDir != l1.RuntimeDir {
		t.Fatalf("second start: %v %v", l2, err)
	}
	if b, _ := os.ReadFile(client); strings.Contains(string(b), "damaged") || !strings.Contains(string(b), "Runtime API") {
		t.Errorf("the damaged client was not replaced")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries in the runtime directory, want 1", len(entries))
	}
}
