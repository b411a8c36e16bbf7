package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tollgate.yaml")
	if err := os.WriteFile(file, []byte("region: eu-west-1\nadmin-addr: 127.0.0.1:1111\naccount-id: \"123456789012\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load([]string{"--config", file, "--admin-addr", "127.0.0.1:2222"},
		env(map[string]string{"TOLLGATE_ADMIN_ADDR": "127.0.0.1:3333", "TOLLGATE_REGION": "ap-south-1"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.AdminAddr != "127.0.0.1:2222" {
		t.Errorf("flag must win over env: %s", s.AdminAddr)
	}
	if s.Region != "ap-south-1" {
		t.Errorf("env must win over file: %s", s.Region)
	}
	if s.AccountID != "123456789012" {
		t.Errorf("file must win over default: %s", s.AccountID)
	}
	if s.DataDir != "./tollgate-data" || s.HTTPSAddr != ":8443" || s.HTTPAddr != "" {
		t.Errorf("defaults: %+v", s)
	}
}

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(file, []byte("http-addr: 127.0.0.1:8080\nfunctions: [\"echo=/bin/echo\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(nil, env(map[string]string{"TOLLGATE_CONFIG": file}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.HTTPAddr != "127.0.0.1:8080" || len(s.Functions) != 1 {
		t.Errorf("got %+v", s)
	}
}

// TestLambdaInterpreters: --lambda-interpreter RUNTIME=PATH (repeatable)
// replaces the config file's lambda-interpreters.
func TestLambdaInterpreters(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte("lambda-interpreters: {python3: /usr/bin/python3.13}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load([]string{"--config", file}, env(nil), io.Discard)
	if err != nil || s.LambdaInterpreters["python3"] != "/usr/bin/python3.13" {
		t.Fatalf("from the file: %v %v", s.LambdaInterpreters, err)
	}
	s, err = Load([]string{"--config", file, "--lambda-interpreter", "nodejs22.x=/opt/node22/bin/node", "--lambda-interpreter", "nodejs=node"},
		env(nil), io.Discard)
	if err != nil || len(s.LambdaInterpreters) != 2 || s.LambdaInterpreters["nodejs22.x"] != "/opt/node22/bin/node" || s.LambdaInterpreters["nodejs"] != "node" {
		t.Errorf("from flags: %v %v", s.LambdaInterpreters, err)
	}
}

func TestBadSettings(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "u.yaml")
	_ = os.WriteFile(unknown, []byte("admin_addr: x\n"), 0o600)
	cases := map[string][]string{
		"bad addr":        {"--admin-addr", "nope"},
		"bad account":     {"--account-id", "12"},
		"bad function":    {"--function", "noequals"},
		"bad interpreter": {"--lambda-interpreter", "nodejs22.x"},
		"missing file":    {"--config", filepath.Join(dir, "absent.yaml")},
		"unknown key":     {"--config", unknown},
		"bad log level":   {"--log-level", "loud"},
		"extra arg":       {"serve"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Load(args, env(nil), io.Discard)
			if err == nil {
				t.Fatal("want an error")
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error must be one line: %q", err)
			}
		})
	}
}

func TestBoolSettingPrecedence(t *testing.T) {
	dir := t.TempDir()
	on := filepath.Join(dir, "on.yaml")
	if err := os.WriteFile(on, []byte("pprof: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"default", nil, nil, false},
		{"file", []string{"--config", on}, nil, true},
		{"env over file", []string{"--config", on}, map[string]string{"TOLLGATE_PPROF": "false"}, false},
		{"env", nil, map[string]string{"TOLLGATE_PPROF": "1"}, true},
		{"bare flag", []string{"--pprof"}, map[string]string{"TOLLGATE_PPROF": "false"}, true},
		{"flag over env", []string{"--pprof=false"}, map[string]string{"TOLLGATE_PPROF": "true"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Load(c.args, env(c.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if s.PProf != c.want {
				t.Errorf("PProf = %v, want %v", s.PProf, c.want)
			}
		})
	}
}

func TestMetricsToken(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "t.yaml")
	if err := os.WriteFile(file, []byte("metrics-token: from-the-config-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load([]string{"--config", file}, env(nil), io.Discard)
	if err != nil || s.MetricsToken != "from-the-config-file" {
		t.Fatalf("file: %q %v", s.MetricsToken, err)
	}
	s, err = Load([]string{"--config", file}, env(map[string]string{"TOLLGATE_METRICS_TOKEN": "from-the-environment"}), io.Discard)
	if err != nil || s.MetricsToken != "from-the-environment" {
		t.Fatalf("env over file: %q %v", s.MetricsToken, err)
	}
	for _, bad := range []string{"short", "has a space in it somewhere", "tab\tseparated-token-value"} {
		_, err := Load([]string{"--metrics-token", bad}, env(nil), io.Discard)
		if err == nil || strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), "\n") {
			t.Errorf("token %q: %v (want a one-line error that does not echo it)", bad, err)
		}
	}
	if _, err := Load(nil, env(map[string]string{"TOLLGATE_PPROF": "yes please"}), io.Discard); err == nil {
		t.Error("TOLLGATE_PPROF=yes please: want an error")
	}
}
