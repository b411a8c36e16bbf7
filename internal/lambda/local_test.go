package lambda

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseLocalSpec(t *testing.T) {
	for spec, want := range map[string]LocalSpec{
		"./hello":                                        {Name: "f", Path: "./hello"},
		"./app,runtime=nodejs22.x":                       {Name: "f", Path: "./app", Runtime: "nodejs22.x"},
		"./app,runtime=python3.12,handler=a.b":           {Name: "f", Path: "./app", Runtime: "python3.12", Handler: "a.b"},
		"./app,runtime=nodejs20.x,timeout=30,memory=512": {Name: "f", Path: "./app", Runtime: "nodejs20.x", Timeout: 30, Memory: 512},
		"./bin/x,runtime=provided.al2":                   {Name: "f", Path: "./bin/x", Runtime: "provided.al2"},
	} {
		got, err := ParseLocalSpec("f", spec)
		if err != nil || got != want {
			t.Errorf("ParseLocalSpec(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
	}
	for spec, want := range map[string]string{
		"":                     "want NAME=PATH",
		"./app,runtime":        `function f: "runtime": want key=value`,
		"./app,colour=blue":    "function f: colour=blue: unknown setting",
		"./app,timeout=0":      "function f: timeout=0: want 1 to 900 seconds",
		"./app,memory=64":      "function f: memory=64: want 128 to 10240 MB",
		"./app,timeout=x":      `function f: timeout=x: strconv.Atoi`,
		"./app,runtime=java21": "function f: runtime java21: Tollgate runs nodejs*, python3.* and provided* functions",
	} {
		if _, err := ParseLocalSpec("f", spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseLocalSpec(%q): %v, want %q", spec, err, want)
		}
	}
}

func TestRegisterLocal(t *testing.T) {
	dir := t.TempDir()
	code := filepath.Join(dir, "code")
	if err := os.MkdirAll(code, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "hello")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain.txt")
	if err := os.WriteFile(plain, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := New(Config{CodeDir: filepath.Join(dir, "data"), Region: "us-east-1", AccountID: "000000000000"})
	t.Cleanup(func() { _ = s.Close() })
	for name, spec := range map[string]string{
		"exe": exe, "node": code + ",runtime=nodejs22.x", "py": code + ",runtime=python3.12,timeout=30",
		"nodeh": code + ",runtime=nodejs20.x,handler=src/app.main",
	} {
		if err := s.RegisterLocal(name, spec); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for name, want := range map[string][4]string{
		"exe":   {"provided.al2023", "hello", dir, exe},
		"node":  {"nodejs22.x", "index.handler", code, ""},
		"py":    {"python3.12", "lambda_function.lambda_handler", code, ""},
		"nodeh": {"nodejs20.x", "src/app.main", code, ""},
	} {
		fn := s.static[name]
		if fn.Runtime != want[0] || fn.Handler != want[1] || fn.CodeDir != want[2] || fn.Executable != want[3] || !fn.Static || fn.RevisionID == "" {
			t.Errorf("%s: %+v", name, fn)
		}
	}
	if fn := s.static["py"]; fn.Timeout != 30 || fn.MemorySize != DefaultMemoryMB {
		t.Errorf("py: timeout %d, memory %d", fn.Timeout, fn.MemorySize)
	}
	for spec, want := range map[string]string{
		code:                          "function x: " + code + " has no bootstrap: build one there, or name the runtime of its code (x=" + code + ",runtime=nodejs22.x or runtime=python3.12)",
		plain:                         "function x: " + plain + " is not executable",
		exe + ",runtime=nodejs20.x":   "function x: runtime nodejs20.x runs a directory of code; " + exe + " is a file",
		filepath.Join(dir, "missing"): "no such file or directory",
	} {
		if err := s.RegisterLocal("x", spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("RegisterLocal(%q): %v, want %q", spec, err, want)
		}
	}
}
