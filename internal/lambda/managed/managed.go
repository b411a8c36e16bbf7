// Package managed runs Lambda's managed Node.js and Python runtimes without
// containers: the machine's own node and python3 interpreters execute small
// runtime interface clients shipped inside the binary (clients/index.mjs and
// clients/_tollgate_bootstrap.py). The clients speak the Runtime API like
// any provided runtime, so package runtime's pools run them unchanged;
// this package only says how to start one: which interpreter (resolved once
// per runtime name), which client script, and which variables the managed
// runtime's environment adds (NODE_PATH, PYTHONPATH, PATH…).
//
// Which interpreter serves which runtime name:
//
//  1. an explicit mapping (--lambda-interpreter RUNTIME=PATH), where RUNTIME
//     is a runtime name (nodejs22.x, python3.12) or a family (nodejs,
//     python3); the most specific one wins;
//  2. else, on Tollgate's PATH: for python3.X, python3.X and then python3;
//     for nodejs*, node.
//
// A candidate is probed by running it (under Tollgate's environment, so
// that version-manager shims such as pyenv's still work) to learn the real
// executable and its version; the function then runs that executable
// directly. A runtime name runs on the interpreter of its family even when
// the version differs (a nodejs22.x function on Node 20): the caller warns
// once (Launch.Mismatch). Only a missing family, or an interpreter too old
// for the clients (Node.js < 18, Python < 3.9), is refused.
package managed

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The runtime interface clients, written to disk once (see Runtimes.dir).
var (
	//go:embed clients/index.mjs
	nodeClient []byte
	//go:embed clients/_tollgate_bootstrap.py
	pythonClient []byte
)

// File names of the clients in the runtime directory.
const (
	nodeClientFile   = "index.mjs"
	pythonClientFile = "_tollgate_bootstrap.py"
)

// Family is a managed runtime's language.
type Family int

// Families of runtime names.
const (
	None   Family = iota // not a managed runtime Tollgate runs (provided.*, java…)
	NodeJS               // nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x…
	Python               // python3.9 … python3.14…
)

// FamilyOf returns the family of a Lambda runtime name.
func FamilyOf(runtime string) Family {
	switch {
	case strings.HasPrefix(runtime, "nodejs"):
		return NodeJS
	case strings.HasPrefix(runtime, "python3"):
		return Python
	}
	return None
}

func (f Family) String() string {
	switch f {
	case NodeJS:
		return "Node.js"
	case Python:
		return "Python"
	}
	return "none"
}

// Minimum interpreter versions the clients support.
var (
	minNode   = [2]int{18, 0}
	minPython = [2]int{3, 9}
)

// Config configures the managed runtimes.
type Config struct {
	// Dir is where the runtime clients are written, in a subdirectory named
	// after their content (<data-dir>/lambda/.runtime).
	Dir string
	// Interpreters maps runtime names or families (nodejs22.x, nodejs,
	// python3.12, python3) to interpreter paths or command names.
	Interpreters map[string]string
	// LookPath finds a command on Tollgate's PATH; nil means exec.LookPath.
	LookPath func(string) (string, error)
}

// Runtimes starts managed runtimes. It is safe for concurrent use.
type Runtimes struct {
	cfg Config

	installMu sync.Mutex
	dir       string // the installed clients' directory, once written

	mu    sync.Mutex
	cache map[string]resolution // by runtime name

	probeMu sync.Mutex // one resolution at a time: the others wait for its result
}

// resolution is the outcome of resolving a runtime name's interpreter.
type resolution struct {
	interp  Interpreter
	err     error
	expires time.Time // for failures: try again after it
}

// Interpreter is a resolved local interpreter.
type Interpreter struct {
	// Path is the real executable (not a version manager's shim).
	Path string
	// Version is its version, "20.20.2" or "3.11.7".
	Version string
}

// retryFailures is how long a failed resolution is remembered: installing
// the interpreter takes effect within it, without a restart.
const retryFailures = 10 * time.Second

// New returns the managed runtimes for cfg.
func New(cfg Config) *Runtimes {
	if cfg.LookPath == nil {
		cfg.LookPath = exec.LookPath
	}
	return &Runtimes{cfg: cfg, cache: map[string]resolution{}}
}

// Launch says how to start an instance of a managed runtime.
type Launch struct {
	// Executable is the interpreter; Args run the runtime client with it.
	Executable string
	Args       []string
	// RuntimeDir holds the clients: LAMBDA_RUNTIME_DIR.
	RuntimeDir string
	// BaseEnv holds the variables the managed runtime's environment adds.
	BaseEnv map[string]string
	// Interpreter is what runs the function, for messages ("node v20.20.2").
	Interpreter string
	// Mismatch reports an interpreter whose version is not the runtime
	// name's (a nodejs22.x function on Node.js 20).
	Mismatch bool
}

// InterpreterError is Launch's error when no usable interpreter serves
// the runtime: its text says why and what to install.
type InterpreterError struct{ msg string }

func (e *InterpreterError) Error() string { return e.msg }

// Launch returns how to start runtime (a nodejs* or python3.* name) for
// code in taskRoot.
func (r *Runtimes) Launch(runtime, taskRoot string) (Launch, error) {
	fam := FamilyOf(runtime)
	if fam == None {
		return Launch{}, fmt.Errorf("runtime %s is not a managed runtime Tollgate runs", runtime)
	}
	in, err := r.Resolve(runtime)
	if err != nil {
		return Launch{}, err
	}
	dir, err := r.install()
	if err != nil {
		return Launch{}, err
	}
	// Lambda's /var/lang/bin comes first on PATH: the interpreter's own
	// directory, so that child processes find the same interpreter.
	path := filepath.Dir(in.Path) + ":/usr/local/bin:/usr/bin/:/bin:/opt/bin"
	// Layers are not supported: Lambda's /opt becomes a directory that
	// does not exist, so that nothing on this machine's /opt leaks in.
	opt := filepath.Join(dir, "opt")
	l := Launch{Executable: in.Path, RuntimeDir: dir, BaseEnv: map[string]string{"PATH": path}}
	switch fam {
	case NodeJS:
		l.Args = []string{filepath.Join(dir, nodeClientFile)}
		major := strings.TrimSuffix(strings.TrimPrefix(runtime, "nodejs"), ".x")
		// NODE_PATH as Lambda sets it [D: Lambda's "Defined runtime
		// environment variables" and layer paths for Node.js].
		l.BaseEnv["NODE_PATH"] = strings.Join([]string{
			opt + "/nodejs/node" + major + "/node_modules", opt + "/nodejs/node_modules",
			dir + "/node_modules", dir, taskRoot}, ":")
		l.Interpreter = "node v" + in.Version
		l.Mismatch = major != strings.SplitN(in.Version, ".", 2)[0]
	case Python:
		// -u: unbuffered output, so that each line reaches the log (and
		// its invocation) as it is written, as the managed runtime does.
		// -B: no bytecode is written into the function's code. Lambda's
		// /var/task is read-only, so its functions never leave .pyc files
		// there; and a .pyc written here records the source's mtime in
		// whole seconds with its size, so an edit made within the same
		// second that keeps the size (Hello -> Howdy) would run the old
		// code after a hot reload.
		l.Args = []string{"-u", "-B", filepath.Join(dir, pythonClientFile)}
		l.BaseEnv["PYTHONPATH"] = dir
		l.BaseEnv["LC_CTYPE"] = "C.UTF-8"
		l.Interpreter = "python " + in.Version
		v := strings.SplitN(in.Version, ".", 3)
		l.Mismatch = len(v) < 2 || "python"+v[0]+"."+v[1] != runtime
	}
	return l, nil
}

// Resolve returns the interpreter that serves runtime, probing candidates
// the first time (and again once a failure or the file is gone).
func (r *Runtimes) Resolve(runtime string) (Interpreter, error) {
	if in, ok, err := r.cached(runtime); ok {
		return in, err
	}
	r.probeMu.Lock()
	defer r.probeMu.Unlock()
	if in, ok, err := r.cached(runtime); ok {
		return in, err // resolved while this one waited
	}
	in, err := r.resolve(runtime)
	r.mu.Lock()
	r.cache[runtime] = resolution{interp: in, err: err, expires: time.Now().Add(retryFailures)}
	r.mu.Unlock()
	return in, err
}

// cached returns a still valid resolution of runtime, if any: a failure
// for retryFailures, a success while its executable exists.
func (r *Runtimes) cached(runtime string) (Interpreter, bool, error) {
	r.mu.Lock()
	res, ok := r.cache[runtime]
	r.mu.Unlock()
	switch {
	case !ok:
		return Interpreter{}, false, nil
	case res.err != nil:
		return Interpreter{}, time.Now().Before(res.expires), res.err
	}
	if _, err := os.Stat(res.interp.Path); err != nil {
		return Interpreter{}, false, nil
	}
	return res.interp, true, nil
}

// resolve probes the candidates for runtime in order.
func (r *Runtimes) resolve(runtime string) (Interpreter, error) {
	fam := FamilyOf(runtime)
	cands := r.candidates(runtime)
	var last error
	for _, c := range cands {
		in, err := r.probe(fam, c)
		if err == nil {
			return in, nil
		}
		last = err
	}
	hint := "install nodejs"
	if fam == Python {
		hint = "install python3"
	}
	return Interpreter{}, &InterpreterError{fmt.Sprintf("no %s interpreter for runtime %s: %v (%s or pass --lambda-interpreter %s=PATH)",
		fam, runtime, last, hint, runtime)}
}

// candidates lists the commands that may serve runtime, best first.
func (r *Runtimes) candidates(runtime string) []string {
	fam := FamilyOf(runtime)
	family := "nodejs"
	if fam == Python {
		family = "python3"
	}
	for _, k := range []string{runtime, family} {
		if p, ok := r.cfg.Interpreters[k]; ok {
			return []string{p}
		}
	}
	if fam == Python {
		return []string{runtime, "python3"}
	}
	return []string{"node"}
}

// probe runs the candidate command to learn its real executable and
// version, and checks that the clients can run on it.
func (r *Runtimes) probe(fam Family, cmd string) (Interpreter, error) {
	path := cmd
	if !strings.Contains(cmd, "/") {
		p, err := r.cfg.LookPath(cmd)
		if err != nil {
			return Interpreter{}, err
		}
		path = p
	}
	var args []string
	if fam == NodeJS {
		args = []string{"-e", `process.stdout.write(process.execPath + "\n" + process.versions.node)`}
	} else {
		args = []string{"-c", `import sys; sys.stdout.write(sys.executable + "\n" + "%d.%d.%d" % sys.version_info[:3])`}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	c := exec.CommandContext(ctx, path, args...)
	c.Stderr = &stderr
	out, err := c.Output()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return Interpreter{}, err // "fork/exec /x/node: no such file or directory"
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg != "" {
			return Interpreter{}, fmt.Errorf("%s: %w: %s", path, err, msg)
		}
		return Interpreter{}, fmt.Errorf("%s: %w", path, err)
	}
	exe, version, ok := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if !ok || !filepath.IsAbs(exe) {
		return Interpreter{}, fmt.Errorf("%s: unexpected answer %q", path, out)
	}
	min := minNode
	if fam == Python {
		min = minPython
	}
	if !atLeast(version, min) {
		return Interpreter{}, fmt.Errorf("%s is version %s, too old for the runtime client (needs %d.%d or later)", path, version, min[0], min[1])
	}
	return Interpreter{Path: exe, Version: version}, nil
}

// atLeast reports whether version ("20.20.2") is at least min.
func atLeast(version string, min [2]int) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return major > min[0] || major == min[0] && minor >= min[1]
}

// install writes the clients into <Dir>/<first 12 hex digits of their
// SHA-256>/ unless they are there already, and returns that directory.
// The files are read-only and shared by every function and restart.
func (r *Runtimes) install() (string, error) {
	r.installMu.Lock()
	defer r.installMu.Unlock()
	if r.dir != "" {
		return r.dir, nil
	}
	h := sha256.New()
	h.Write(nodeClient)
	h.Write(pythonClient)
	dir := filepath.Join(r.cfg.Dir, hex.EncodeToString(h.Sum(nil))[:12])
	files := map[string][]byte{nodeClientFile: nodeClient, pythonClientFile: pythonClient}
	if !installed(dir, files) {
		if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
			return "", fmt.Errorf("runtime clients: %w", err)
		}
		tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-")
		if err != nil {
			return "", fmt.Errorf("runtime clients: %w", err)
		}
		defer os.RemoveAll(tmp)
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(tmp, name), b, 0o444); err != nil {
				return "", fmt.Errorf("runtime clients: %w", err)
			}
		}
		_ = os.Chmod(tmp, 0o755)
		if err := os.Rename(tmp, dir); err != nil && !installed(dir, files) {
			// A concurrent start (another process on the same data dir)
			// may have won; else what is there is damaged: replace it.
			_ = os.RemoveAll(dir)
			if err := os.Rename(tmp, dir); err != nil {
				return "", fmt.Errorf("runtime clients: %w", err)
			}
		}
	}
	r.dir = dir
	return dir, nil
}

// installed reports whether dir holds exactly the clients.
func installed(dir string, files map[string][]byte) bool {
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			return false
		}
	}
	return true
}
