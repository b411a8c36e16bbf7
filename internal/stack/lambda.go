package stack

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/cfn"
)

// codeBundle is a function's deployment package, built before anything is
// created.
type codeBundle struct {
	zip  []byte
	desc string // where it came from, for the summary
}

// maxZip is Lambda's limit on a zip uploaded directly [D: "Lambda quotas"].
const maxZip = 50 << 20

// prepareCode zips every function's local code (design §9) and checks it
// holds what the runtime needs.
func (a *applier) prepareCode() error {
	for _, r := range a.st.Resources {
		if r.Type != "AWS::Lambda::Function" {
			continue
		}
		dry, err := a.st.Eval.Eval(r.Properties)
		if err != nil {
			return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Err: err}
		}
		p := dry.(map[string]any)
		runtime := str(p, "Runtime")
		code, _ := p["Code"].(map[string]any)
		switch {
		case r.Code != "":
			dir, desc := r.Code, r.Code
			if (strings.HasPrefix(runtime, "provided") || runtime == "go1.x") && hasGoSource(r.Code) {
				arch := ""
				if l := asList(p["Architectures"]); len(l) > 0 {
					arch = cfn.String(l[0])
				}
				built, err := buildGo(r.Code, arch)
				if err != nil {
					return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "CodeUri", Err: err}
				}
				dir, desc = built, r.Code+", built with go build"
				a.opt.Warn(fmt.Sprintf("%s: built %s with go build", r.ID, r.Code))
			}
			b, err := localCode(dir, runtime, str(p, "Handler"))
			if err != nil {
				return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "CodeUri", Err: err}
			}
			a.code[r.ID] = codeBundle{zip: b, desc: desc}
		case code["ZipFile"] != nil:
			b, err := inlineZip(cfn.String(code["ZipFile"]), runtime, str(p, "Handler"))
			if err != nil {
				return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "Code.ZipFile", Err: err}
			}
			a.code[r.ID] = codeBundle{zip: b, desc: "inline code"}
		default:
			// S3 code or an image: nothing local to run [U].
		}
	}
	return nil
}

// localCode zips a directory, or reads a .zip file.
func localCode(path, runtime, handler string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("code at %s: %w", path, err)
	}
	if !fi.IsDir() {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if len(b) > maxZip {
			return nil, fmt.Errorf("%s is larger than Lambda's 50 MB", path)
		}
		if _, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err != nil {
			return nil, fmt.Errorf("%s is not a zip file: %w", path, err)
		}
		return b, nil
	}
	if strings.HasPrefix(runtime, "provided") {
		if _, err := os.Stat(filepath.Join(path, "bootstrap")); err != nil {
			return nil, fmt.Errorf("CodeUri %s holds no bootstrap (runtime %s)", path, runtime)
		}
	}
	return zipDir(path)
}

// zipDir zips a directory tree, keeping file modes (a bootstrap stays
// executable); version control and bytecode caches are left out.
func zipDir(dir string) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && (name == ".git" || name == "__pycache__" || name == ".aws-sam" || name == "node_modules/.cache") && p != dir {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	total := 0
	for _, p := range files {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(dir, p)
		h, err := zip.FileInfoHeader(fi)
		if err != nil {
			return nil, err
		}
		h.Name = filepath.ToSlash(rel)
		h.Method = zip.Deflate
		// The package's hash (CodeSha256) must depend on the content
		// only: an unchanged function is not updated again.
		h.Modified = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
		fw, err := w.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		total += len(b)
		if total > 250<<20 {
			return nil, fmt.Errorf("%s holds more than Lambda's 250 MB unzipped", dir)
		}
		if _, err := fw.Write(b); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if buf.Len() > maxZip {
		return nil, fmt.Errorf("%s zips to more than Lambda's 50 MB", dir)
	}
	return buf.Bytes(), nil
}

// inlineZip packages Code.ZipFile / InlineCode as CloudFormation does:
// index.js or index.py [D: "AWS::Lambda::Function Code"].
func inlineZip(src, runtime, handler string) ([]byte, error) {
	name := ""
	switch {
	case strings.HasPrefix(runtime, "nodejs"):
		name = "index.js"
	case strings.HasPrefix(runtime, "python"):
		name = "index.py"
	default:
		return nil, fmt.Errorf("inline code needs a nodejs or python runtime, not %q", runtime)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	fw, err := w.Create(name)
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write([]byte(src)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type functionConfig struct {
	FunctionName  string            `json:"FunctionName,omitempty"`
	Runtime       string            `json:"Runtime,omitempty"`
	Handler       string            `json:"Handler,omitempty"`
	Role          string            `json:"Role,omitempty"`
	Description   *string           `json:"Description,omitempty"`
	Timeout       int               `json:"Timeout,omitempty"`
	MemorySize    int               `json:"MemorySize,omitempty"`
	Environment   *environment      `json:"Environment,omitempty"`
	Architectures []string          `json:"Architectures,omitempty"`
	Tags          map[string]string `json:"Tags,omitempty"`
	Code          *struct {
		ZipFile []byte `json:"ZipFile"`
	} `json:"Code,omitempty"`
}

type environment struct {
	Variables map[string]string `json:"Variables"`
}

// function creates or updates an AWS::Lambda::Function through the Lambda
// API (CreateFunction, or UpdateFunctionCode when the code changed and
// UpdateFunctionConfiguration).
func (a *applier) function(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	name := str(p, "FunctionName")
	if name == "" {
		name = a.physName(r.ID, 64)
	}
	arn := a.functionARN(name)
	attrs := map[string]any{"Arn": arn}
	bundle, ok := a.code[r.ID]
	if !ok {
		a.opt.Warn(fmt.Sprintf("%s: code in S3 or a container image cannot run locally; the function is not created", r.ID))
		a.skip(r)
		a.phys[r.ID] = physical{ref: name, attrs: attrs}
		return nil
	}
	cfg := functionConfig{Runtime: str(p, "Runtime"), Handler: str(p, "Handler"), Role: str(p, "Role")}
	if !strings.HasPrefix(cfg.Role, "arn:") || !strings.Contains(cfg.Role, ":role/") {
		// Lambda wants a role ARN; locally none is assumed [U].
		cfg.Role = fmt.Sprintf("arn:aws:iam::%s:role/%s", a.opt.AccountID, a.physName(r.ID+"Role", 64))
	}
	if d, ok := p["Description"]; ok {
		s := cfn.String(d)
		cfg.Description = &s
	}
	if n, err := intProp(p, "Timeout"); err != nil {
		return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "Timeout", Err: err}
	} else {
		cfg.Timeout = n
	}
	if n, err := intProp(p, "MemorySize"); err != nil {
		return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "MemorySize", Err: err}
	} else {
		cfg.MemorySize = n
	}
	cfg.Environment = &environment{Variables: map[string]string{}}
	if env, ok := p["Environment"].(map[string]any); ok {
		vars, _ := env["Variables"].(map[string]any)
		for k, v := range vars {
			cfg.Environment.Variables[k] = cfn.String(v)
		}
	}
	// --env-vars override the variables the template declares, "Parameters"
	// for every function, then the function's own [C: SAM CLI env_vars.py].
	for _, over := range []map[string]string{a.opt.EnvVars["Parameters"], a.opt.EnvVars[r.ID]} {
		for k, v := range over {
			if _, declared := cfg.Environment.Variables[k]; declared {
				cfg.Environment.Variables[k] = v
			}
		}
	}
	for _, x := range asList(p["Architectures"]) {
		cfg.Architectures = append(cfg.Architectures, cfn.String(x))
	}
	var existing struct {
		Configuration struct {
			CodeSha256 string `json:"CodeSha256"`
		} `json:"Configuration"`
	}
	path := "/2015-03-31/functions/" + url.PathEscape(name)
	err := a.c.Call(ctx, "lambda", http.MethodGet, path, nil, &existing)
	switch {
	case statusOf(err) == http.StatusNotFound:
		create := cfg
		create.FunctionName = name
		create.Tags = map[string]string{}
		for _, t := range asList(p["Tags"]) {
			if m, ok := t.(map[string]any); ok {
				create.Tags[str(m, "Key")] = str(m, "Value")
			}
		}
		for k, v := range a.tags(r.ID) {
			create.Tags[k] = v
		}
		create.Code = &struct {
			ZipFile []byte `json:"ZipFile"`
		}{bundle.zip}
		if err := a.c.Call(ctx, "lambda", http.MethodPost, "/2015-03-31/functions", create, nil); err != nil {
			return err
		}
		a.undoCreate("lambda", path)
		a.set(r.ID, name, attrs, true)
	case err != nil:
		return err
	default:
		sum := sha256.Sum256(bundle.zip)
		if existing.Configuration.CodeSha256 != base64.StdEncoding.EncodeToString(sum[:]) {
			if err := a.c.Call(ctx, "lambda", http.MethodPut, path+"/code", map[string]any{"ZipFile": bundle.zip}, nil); err != nil {
				return err
			}
		}
		if err := a.c.Call(ctx, "lambda", http.MethodPut, path+"/configuration", cfg, nil); err != nil {
			return err
		}
		a.set(r.ID, name, attrs, false)
	}
	if _, ok := p["ReservedConcurrentExecutions"]; ok {
		n, err := intProp(p, "ReservedConcurrentExecutions")
		if err != nil {
			return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Property: "ReservedConcurrentExecutions", Err: err}
		}
		if err := a.c.Call(ctx, "lambda", http.MethodPut, "/2017-10-31/functions/"+url.PathEscape(name)+"/concurrency",
			map[string]any{"ReservedConcurrentExecutions": n}, nil); err != nil {
			return err
		}
	}
	a.res.Functions = append(a.res.Functions, Function{LogicalID: r.ID, Name: name, Runtime: cfg.Runtime, Code: bundle.desc})
	return nil
}

// permission is recorded, not enforced: every SAM and CDK template adds
// the permission API Gateway needs (design §7.3) [U].
func (a *applier) permission(_ context.Context, r *cfn.Resource, _ map[string]any) error {
	a.res.Accepted[r.Type] = append(a.res.Accepted[r.Type], r.ID)
	a.phys[r.ID] = physical{ref: a.physName(r.ID, 64), attrs: map[string]any{}}
	return nil
}

// functionName reads a FunctionName property: a name or an ARN.
func functionName(v string) string {
	if strings.HasPrefix(v, "arn:") {
		parts := strings.Split(v, ":")
		if len(parts) >= 7 {
			return parts[6]
		}
	}
	return v
}

func (a *applier) version(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	name := functionName(str(p, "FunctionName"))
	var out struct {
		Version string `json:"Version"`
	}
	in := map[string]any{}
	if d := str(p, "Description"); d != "" {
		in["Description"] = d
	}
	if err := a.c.Call(ctx, "lambda", http.MethodPost, "/2015-03-31/functions/"+url.PathEscape(name)+"/versions", in, &out); err != nil {
		return err
	}
	arn := a.functionARN(name) + ":" + out.Version
	a.set(r.ID, arn, map[string]any{"Version": out.Version, "FunctionArn": a.functionARN(name)}, true)
	return nil
}

func (a *applier) alias(ctx context.Context, r *cfn.Resource, p map[string]any) error {
	fn := functionName(str(p, "FunctionName"))
	name := str(p, "Name")
	in := map[string]any{"FunctionVersion": str(p, "FunctionVersion")}
	if d := str(p, "Description"); d != "" {
		in["Description"] = d
	}
	base := "/2015-03-31/functions/" + url.PathEscape(fn) + "/aliases"
	err := a.c.Call(ctx, "lambda", http.MethodPut, base+"/"+url.PathEscape(name), in, nil)
	created := false
	if statusOf(err) == http.StatusNotFound {
		in["Name"] = name
		err = a.c.Call(ctx, "lambda", http.MethodPost, base, in, nil)
		created = true
	}
	if err != nil {
		return err
	}
	a.set(r.ID, a.functionARN(fn)+":"+name, map[string]any{"Name": name, "AliasArn": a.functionARN(fn) + ":" + name}, created)
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// intProp reads an integer property (CloudFormation accepts "30" and 30).
func intProp(p map[string]any, k string) (int, error) {
	v, ok := p[k]
	if !ok {
		return 0, nil
	}
	s := cfn.String(v)
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return n, nil
}
