package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// binaries are the programs the harness runs.
type binaries struct {
	Wrk, Nginx string
	// Go programs built for this run; an empty path means the build failed
	// and BuildErr says why.
	Tollgate, Backend, GoProxy, FastHTTPProxy, LambdaFn, AuthorizerFn string
	BuildErr                                                          map[string]string
	// The Node.js and Python functions' code directories (copies of
	// bench/lambdafn-node and bench/lambdafn-python).
	LambdaNode, LambdaPython string
}

// findTool looks a program up on PATH and in the sbin directories, which
// are not on a normal user's PATH but hold Debian's nginx.
func findTool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// ensurePackages installs the missing Debian packages (tool name → package
// name) with apt-get, as root or through sudo.
func ensurePackages(pkgs map[string]string) error {
	var missing []string
	for tool, pkg := range pkgs {
		if findTool(tool) == "" {
			missing = append(missing, pkg)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if findTool("apt-get") == "" {
		return fmt.Errorf("missing %v and apt-get is not available: install them by hand", missing)
	}
	var prefix []string
	if os.Geteuid() != 0 {
		if findTool("sudo") == "" {
			return fmt.Errorf("missing %v: need root or sudo to apt-get install them", missing)
		}
		prefix = []string{"sudo"}
	}
	logf("installing %s with apt-get", strings.Join(missing, " "))
	run := func(args ...string) error {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %v\n%s", args, err, out)
		}
		return nil
	}
	install := append(append(append([]string{}, prefix...), "apt-get", "install", "-y", "-q"), missing...)
	if err := run(install...); err != nil {
		// A fresh machine may have no package lists yet.
		if err := run(append(append([]string{}, prefix...), "apt-get", "update", "-q")...); err != nil {
			return err
		}
		if err := run(install...); err != nil {
			return err
		}
	}
	return nil
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the tollgate module: run from the repository")
	}
	return filepath.Dir(mod), nil
}

// buildGo builds the Go programs into dir. A failure is recorded per
// program so that the targets that do not need it still run.
func buildGo(root, dir string) binaries {
	b := binaries{BuildErr: map[string]string{}}
	for _, p := range []struct {
		pkg string
		dst *string
	}{{"./cmd/tollgate", &b.Tollgate}, {"./bench/backend", &b.Backend}, {"./bench/goproxy", &b.GoProxy}, {"./bench/fhproxy", &b.FastHTTPProxy}, {"./bench/lambdafn", &b.LambdaFn}, {"./bench/authorizerfn", &b.AuthorizerFn}} {
		out := filepath.Join(dir, filepath.Base(p.pkg))
		args := []string{"build", "-o", out}
		if strings.HasSuffix(p.pkg, "fn") {
			// Lambda functions are built as AWS documents for provided.al2023:
			// static, without the RPC entry point (lambda.norpc).
			args = append(args, "-tags", "lambda.norpc")
		}
		cmd := exec.Command("go", append(args, p.pkg)...)
		cmd.Dir = root
		if strings.HasSuffix(p.pkg, "fn") {
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		}
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.BuildErr[p.pkg] = fmt.Sprintf("go build %s: %v: %s", p.pkg, err, strings.TrimSpace(string(msg)))
			continue
		}
		*p.dst = out
	}
	for _, f := range []struct {
		src string
		dst *string
	}{{"bench/lambdafn-node", &b.LambdaNode}, {"bench/lambdafn-python", &b.LambdaPython}} {
		out := filepath.Join(dir, filepath.Base(f.src))
		if err := os.CopyFS(out, os.DirFS(filepath.Join(root, f.src))); err != nil {
			b.BuildErr[f.src] = fmt.Sprintf("copy %s: %v", f.src, err)
			continue
		}
		*f.dst = out
	}
	return b
}
