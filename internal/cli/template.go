package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/cfn"
	"github.com/tollgate/tollgate/internal/stack"
)

// Deploy runs `tollgate deploy --template FILE`: it creates (or updates in
// place) a SAM/CloudFormation template's stack on a running gateway and
// prints its invoke URLs and outputs.
func Deploy(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("tollgate deploy", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var cf clientFlags
	cf.register(fs, env.getenv())
	var templates, overrides multiFlag
	fs.Var(&templates, "template", "FILE|DIR: the SAM or CloudFormation template (YAML or JSON), or a CDK cloud assembly (repeatable)")
	stackName := fs.String("stack-name", "", "the stack's name (AWS::StackName; default: samconfig.toml's stack_name, else the template directory's name)")
	fs.Var(&overrides, "parameter-overrides", "Key=Value …: parameter values, as SAM CLI takes them (also ParameterKey=K,ParameterValue=V and file://params.json)")
	configFile := fs.String("config-file", "samconfig.toml", "samconfig.toml beside the template: stack_name and parameter_overrides")
	configEnv := fs.String("config-env", "default", "the samconfig.toml environment")
	envVars := fs.String("env-vars", "", `JSON file of environment variable values: {"FunctionLogicalId": {"VAR": "v"}, "Parameters": {"VAR": "v"}} (as SAM CLI's --env-vars)`)
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: tollgate deploy --template FILE [--stack-name NAME] [--parameter-overrides K=V …] [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(SplitOverrides(args)); err != nil {
		return err
	}
	if len(templates) == 0 || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	c, err := newMgmtClient(cf.adminAddr, cf.dataDir, cf.region, env.getenv())
	if err != nil {
		return err
	}
	var info struct {
		AccountID string `json:"accountId"`
	}
	_ = c.doJSON(ctx, "GET", "/_tollgate/listeners", nil, &info)
	if info.AccountID == "" {
		info.AccountID = "000000000000"
	}
	tr := &templateRunner{client: c, out: env.Stdout, log: newLogger(env.Stderr, "warn"), region: cf.region,
		accountID: info.AccountID, stackName: *stackName, overrides: overrides, configFile: *configFile, configEnv: *configEnv,
		envVars: *envVars}
	return tr.applyAll(ctx, templates)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// SplitOverrides rewrites `--parameter-overrides A=1 B=2` (SAM CLI's form:
// the values run to the next flag) into one flag per value.
func SplitOverrides(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		if !strings.HasPrefix(a, "-") || (name != "parameter-overrides" && !strings.HasPrefix(name, "parameter-overrides=")) {
			out = append(out, a)
			continue
		}
		if v, ok := strings.CutPrefix(name, "parameter-overrides="); ok {
			out = append(out, "--parameter-overrides", v)
			continue
		}
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			out = append(out, "--parameter-overrides", args[i+1])
			i++
		}
	}
	return out
}

// templateRunner applies templates to a gateway (serve and deploy) and,
// under serve, applies them again when they or their code change.
type templateRunner struct {
	client                interface{ stack.Caller }
	out                   io.Writer
	log                   *slog.Logger
	region, accountID     string
	stackName             string
	overrides             []string
	configFile, configEnv string
	envVars               string // --env-vars file
	dataPlanes            []string

	mu      sync.Mutex
	exports map[string]string // Fn::ImportValue across the stacks applied
}

// loaded is one template, built.
type loaded struct {
	path  string
	stack *cfn.Stack
	watch []string // files and directories whose changes reload it
}

// build reads and evaluates path (a template, a directory holding
// template.yaml, or a CDK cloud assembly); nothing is created.
func (tr *templateRunner) build(path string, warn func(string)) ([]*loaded, error) {
	if cfn.IsAssembly(path) {
		stacks, err := cfn.LoadAssembly(path, warn)
		if err != nil {
			return nil, err
		}
		if len(stacks) == 0 {
			return nil, fmt.Errorf("%s: the cloud assembly has no stacks", path)
		}
		var out []*loaded
		for _, as := range stacks {
			name := as.StackName
			if tr.stackName != "" && len(stacks) == 1 {
				name = tr.stackName
			}
			l, err := tr.buildFile(as.Template, name, as.Parameters, as.Dir, as.Assets, warn)
			if err != nil {
				return nil, err
			}
			out = append(out, l)
		}
		return out, nil
	}
	file := path
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		for _, name := range []string{"template.yaml", "template.yml", "template.json"} {
			if _, err := os.Stat(filepath.Join(path, name)); err == nil {
				file = filepath.Join(path, name)
				break
			}
		}
		if file == path {
			return nil, fmt.Errorf("%s: no template.yaml, template.yml, template.json or manifest.json (CDK cloud assembly) in the directory", path)
		}
	}
	l, err := tr.buildFile(file, tr.stackName, nil, "", nil, warn)
	if err != nil {
		return nil, err
	}
	return []*loaded{l}, nil
}

// buildFile builds one template file. params are a cloud assembly's
// parameter values (below the command line's).
func (tr *templateRunner) buildFile(file, name string, params map[string]string, assetDir string, assets map[string]string, warn func(string)) (*loaded, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(abs)
	cfgPath := tr.configFile
	if !filepath.IsAbs(cfgPath) {
		cfgPath = filepath.Join(dir, cfgPath)
	}
	samcfg, err := cfn.LoadSAMConfig(cfgPath, tr.configEnv)
	if err != nil {
		return nil, err
	}
	overrides := map[string]string{}
	for k, v := range params {
		overrides[k] = v
	}
	for k, v := range samcfg.Parameters {
		overrides[k] = v
	}
	cli, err := cfn.ParseOverrides(tr.overrides)
	if err != nil {
		return nil, err
	}
	for k, v := range cli {
		overrides[k] = v
	}
	if name == "" {
		name = samcfg.StackName
	}
	if name == "" {
		name = stackNameOf(filepath.Base(dir))
	}
	if !stackNameRE.MatchString(name) {
		return nil, fmt.Errorf("stack name %q: 1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name, name)
	}
	doc, err := cfn.LoadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	st, err := cfn.Build(doc, cfn.Options{StackName: name, Region: tr.region, AccountID: tr.accountID,
		Overrides: overrides, Dir: dir, Warn: warn, AssetDir: assetDir, Assets: assets})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	l := &loaded{path: abs, stack: st, watch: []string{abs, cfgPath}}
	if tr.envVars != "" {
		l.watch = append(l.watch, tr.envVars)
	}
	for _, r := range st.Resources {
		if r.Code != "" {
			l.watch = append(l.watch, r.Code)
		}
	}
	return l, nil
}

var stackNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

// stackNameOf makes a directory name a valid stack name [U].
func stackNameOf(s string) string {
	b := []byte(regexp.MustCompile(`[^-a-zA-Z0-9]`).ReplaceAllString(s, "-"))
	if len(b) == 0 || !(b[0] >= 'a' && b[0] <= 'z' || b[0] >= 'A' && b[0] <= 'Z') {
		b = append([]byte("stack-"), b...)
	}
	if len(b) > 128 {
		b = b[:128]
	}
	return string(b)
}

// applyAll builds every template first (a bad one stops everything before
// anything is created), then applies them in order.
func (tr *templateRunner) applyAll(ctx context.Context, paths []string) error {
	var all []*loaded
	for _, p := range paths {
		ls, err := tr.build(p, tr.warn)
		if err != nil {
			return err
		}
		all = append(all, ls...)
	}
	for _, l := range all {
		if err := tr.apply(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

func (tr *templateRunner) warn(w string) { fmt.Fprintln(tr.out, "warning:", w) }

func (tr *templateRunner) apply(ctx context.Context, l *loaded) error {
	start := time.Now()
	envVars, err := loadEnvVars(tr.envVars)
	if err != nil {
		return err
	}
	res, err := stack.Apply(ctx, tr.client, l.stack, stack.Options{Region: tr.region, AccountID: tr.accountID, Warn: tr.warn, EnvVars: envVars,
		Exports: func(name string) (string, bool) {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			v, ok := tr.exports[name]
			return v, ok
		}})
	if err != nil {
		return fmt.Errorf("stack %s: %w", l.stack.Name, err)
	}
	tr.mu.Lock()
	if tr.exports == nil {
		tr.exports = map[string]string{}
	}
	for _, o := range res.Outputs {
		if o.ExportName != "" {
			tr.exports[o.ExportName] = o.Value
		}
	}
	tr.mu.Unlock()
	if tr.dataPlanes == nil {
		if c, ok := tr.client.(*mgmtClient); ok {
			tr.dataPlanes = c.dataPlanes(ctx)
		}
	}
	printResult(tr.out, res, tr.dataPlanes, time.Since(start))
	return nil
}

// printResult prints what a stack created: the contract lines are the
// invoke URLs (one per API, stage and listener) and "Key = Value" outputs.
// The summary goes out in one write, so that a reader of the output (a
// script, a test) that sees its first lines sees all of it.
func printResult(out io.Writer, res *stack.Result, planes []string, took time.Duration) {
	w := new(bytes.Buffer)
	defer func() { _, _ = out.Write(w.Bytes()) }()
	var skipped, accepted []string
	n := 0
	for _, t := range sortedKeys(res.Skipped) {
		skipped = append(skipped, fmt.Sprintf("%s ×%d", t, len(res.Skipped[t])))
		n += len(res.Skipped[t])
	}
	for _, t := range sortedKeys(res.Accepted) {
		accepted = append(accepted, fmt.Sprintf("%s ×%d", t, len(res.Accepted[t])))
	}
	fmt.Fprintf(w, "stack %s: %d resources created, %d updated, %d skipped in %s\n", res.Stack, res.Created, res.Updated, n, took.Round(time.Millisecond))
	if res.Deleted > 0 {
		fmt.Fprintf(w, "  deleted (no longer in the template): %d\n", res.Deleted)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(w, "  skipped (not served locally): %s\n", strings.Join(skipped, ", "))
	}
	if len(accepted) > 0 {
		fmt.Fprintf(w, "  accepted (recorded, not enforced): %s\n", strings.Join(accepted, ", "))
	}
	for _, f := range res.Functions {
		fmt.Fprintf(w, "function %s: %s (%s, %s)\n", f.LogicalID, f.Name, f.Runtime, f.Code)
	}
	for _, kind := range []struct {
		label string
		apis  []stack.API
	}{{"REST API", res.RestAPIs}, {"HTTP API", res.HTTPAPIs}} {
		for _, api := range kind.apis {
			label := kind.label
			if api.Protocol == "WEBSOCKET" {
				label = "WebSocket API"
			}
			if len(api.Stages) == 0 {
				fmt.Fprintf(w, "%s %s (%s): no stage\n", label, api.ID, api.Name)
			}
			for _, s := range api.Stages {
				fmt.Fprintf(w, "%s %s (%s) stage %s:\n", label, api.ID, api.Name, s)
				for _, base := range planes {
					if api.Protocol == "WEBSOCKET" {
						fmt.Fprintf(w, "  ws%s/_aws/execute-api/%s/%s\n", strings.TrimPrefix(base, "http"), api.ID, s)
						continue
					}
					fmt.Fprintf(w, "  %s/_aws/execute-api/%s/%s/\n", base, api.ID, s)
				}
			}
			if len(api.Routes) > 0 {
				fmt.Fprintf(w, "  routes: %s\n", strings.Join(api.Routes, ", "))
			}
		}
	}
	for _, k := range res.APIKeys {
		fmt.Fprintf(w, "API key %s: id %s, value %s\n", k.LogicalID, k.ID, k.Value)
	}
	if len(res.Outputs) > 0 {
		fmt.Fprintln(w, "Outputs:")
		for _, o := range res.Outputs {
			fmt.Fprintf(w, "  %s = %s\n", o.Key, o.Value)
			if len(planes) > 0 {
				if local := localURL(res, o.Value, planes[len(planes)-1]); local != "" {
					fmt.Fprintf(w, "    locally %s\n", local)
				}
			}
		}
	}
}

// executeAPIURL matches an invoke URL as AWS writes them.
var executeAPIURL = regexp.MustCompile(`^(?:https|wss)://([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(/.*)?$`)

// localURL is an output's AWS invoke URL on the data-plane listener base,
// or "" when the output is no invoke URL of an API of the stack (design
// §11.1).
func localURL(res *stack.Result, value, base string) string {
	m := executeAPIURL.FindStringSubmatch(value)
	if m == nil {
		return ""
	}
	id, path := m[1], m[2]
	for _, api := range res.RestAPIs {
		if api.ID == id {
			return base + "/_aws/execute-api/" + id + path
		}
	}
	if strings.HasPrefix(value, "wss://") {
		base = "ws" + strings.TrimPrefix(base, "http")
	}
	for _, api := range res.HTTPAPIs {
		if api.ID != id {
			continue
		}
		first := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 2)[0]
		for _, s := range api.Stages {
			if s == first && s != "$default" {
				return base + "/_aws/execute-api/" + id + path
			}
		}
		if path == "" {
			path = "/"
		}
		return base + "/_aws/execute-api/" + id + "/$default" + path
	}
	return ""
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// watchInterval is how often serve looks at the templates and their code.
const watchInterval = 500 * time.Millisecond

// watch applies a template again when it, its samconfig.toml or a
// function's code changes; a template that fails keeps the previous
// version serving and says why.
func (tr *templateRunner) watch(ctx context.Context, paths []string) {
	type state struct {
		watch []string
		sum   uint64
	}
	states := make([]state, len(paths))
	for i, p := range paths {
		ls, err := tr.build(p, func(string) {})
		watch := []string{p}
		if err == nil {
			watch = nil
			for _, l := range ls {
				watch = append(watch, l.watch...)
			}
		}
		states[i] = state{watch: watch, sum: fingerprint(watch)}
	}
	t := time.NewTicker(watchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for i, p := range paths {
			sum := fingerprint(states[i].watch)
			if sum == states[i].sum {
				continue
			}
			// Let editors and build tools finish writing.
			time.Sleep(watchInterval)
			sum = fingerprint(states[i].watch)
			states[i].sum = sum
			ls, err := tr.build(p, tr.warn)
			if err != nil {
				fmt.Fprintf(tr.out, "reload %s failed, the previous version keeps serving: %v\n", p, err)
				continue
			}
			fmt.Fprintf(tr.out, "reloading %s\n", p)
			var watch []string
			for _, l := range ls {
				if err := tr.apply(ctx, l); err != nil {
					if errors.Is(err, context.Canceled) {
						return
					}
					fmt.Fprintf(tr.out, "reload %s failed: %v\n", p, err)
				}
				watch = append(watch, l.watch...)
			}
			states[i] = state{watch: watch, sum: fingerprint(watch)}
		}
	}
}

// fingerprint sums the names, sizes and modification times of the files
// under paths.
func fingerprint(paths []string) uint64 {
	h := fnv.New64a()
	for _, p := range paths {
		_ = filepath.WalkDir(p, func(f string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(h, "%s:missing;", f)
				return nil
			}
			if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "__pycache__") && f != p {
				return filepath.SkipDir
			}
			if fi, err := d.Info(); err == nil && !d.IsDir() {
				fmt.Fprintf(h, "%s:%d:%d;", f, fi.Size(), fi.ModTime().UnixNano())
			}
			return nil
		})
	}
	return h.Sum64()
}

// loadEnvVars reads an --env-vars file: {"FunctionLogicalId": {"VAR":
// "value"}, "Parameters": {"VAR": "value"}} [D: SAM CLI "sam local
// invoke"]. It is read at each apply, so editing it and touching the
// template reloads the values.
func loadEnvVars(path string) (map[string]map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--env-vars: %w", err)
	}
	var raw map[string]map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("--env-vars %s: want {\"FunctionLogicalId\": {\"VAR\": \"value\"}, \"Parameters\": {…}}: %w", path, err)
	}
	out := map[string]map[string]string{}
	for fn, vars := range raw {
		out[fn] = map[string]string{}
		for k, v := range vars {
			out[fn][k] = cfn.String(v)
		}
	}
	return out, nil
}
