package cfn

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// SAMTransform is the transform that marks a SAM template.
const SAMTransform = "AWS::Serverless-2016-10-31"

// Options are a stack's inputs besides the template.
type Options struct {
	StackName string
	Region    string
	AccountID string
	// Overrides are parameter values (CLI, then samconfig.toml, already
	// merged by the caller).
	Overrides map[string]string
	// Dir resolves relative paths (CodeUri, DefinitionUri, AWS::Include):
	// the template file's directory.
	Dir string
	// Warn receives each warning once; nil drops them.
	Warn func(string)
	// AssetDir is a CDK cloud assembly's directory: functions with asset
	// metadata run the asset there. Assets are the stack's file assets by
	// S3 object key (AssemblyStack.Assets).
	AssetDir string
	Assets   map[string]string
}

// Resource is one CloudFormation resource after the SAM expansion.
type Resource struct {
	ID         string
	Type       string
	Properties map[string]any // intrinsics unevaluated
	DependsOn  []string
	Metadata   map[string]any
	Condition  string
	// Code is the local code of a function: a directory or a .zip file
	// (from SAM's CodeUri or a CDK asset), or "".
	Code string
}

// Output is one entry of the Outputs section.
type Output struct {
	Key         string
	Description string
	Value       any // unevaluated
	ExportName  any // unevaluated, or nil
}

// Stack is a template ready to create: parameters resolved, transforms
// expanded, conditions applied, every reference checked, resources in
// creation order.
type Stack struct {
	Name      string
	Params    map[string]any
	NoEcho    map[string]bool
	Resources []*Resource // in dependency order
	Outputs   []Output
	// Eval evaluates the stack's expressions; set its Resolver to give
	// created resources' values.
	Eval *Evaluator
	// Hash identifies the expanded template and parameter values.
	Hash string
}

// LoadFile reads a template file.
func LoadFile(path string) (map[string]any, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > MaxTemplateBytes {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrFormat, path, MaxTemplateBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// Pseudo returns the pseudo parameters [D: "Pseudo parameters reference"].
func Pseudo(stack, region, account string) map[string]any {
	partition, suffix := "aws", "amazonaws.com"
	switch {
	case strings.HasPrefix(region, "cn-"):
		partition, suffix = "aws-cn", "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-gov-"):
		partition = "aws-us-gov"
	}
	sum := sha256.Sum256([]byte(region + "/" + account + "/" + stack))
	h := hex.EncodeToString(sum[:16])
	// A stable stack id per (region, account, name) [U].
	id := fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s-%s-%s-%s-%s", partition, region, account, stack, h[:8], h[8:12], h[12:16], h[16:20], h[20:32])
	return map[string]any{
		"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": partition,
		"AWS::URLSuffix": suffix, "AWS::StackName": stack, "AWS::StackId": id,
		"AWS::NotificationARNs": []any{},
	}
}

// Build turns a parsed template into a Stack. Nothing is created: every
// error a template can have without touching the gateway is found here.
func Build(doc map[string]any, opt Options) (*Stack, error) {
	warn := opt.Warn
	if warn == nil {
		warn = func(string) {}
	}
	res, _ := doc["Resources"].(map[string]any)
	if len(res) == 0 {
		return nil, fmt.Errorf("%w: At least one Resources member must be defined.", ErrFormat)
	}
	decl, _ := doc["Parameters"].(map[string]any)
	params, noEcho, err := resolveParams(decl, opt.Overrides, warn)
	if err != nil {
		return nil, err
	}
	mappings, _ := doc["Mappings"].(map[string]any)
	ev := &Evaluator{Params: params, Pseudo: Pseudo(opt.StackName, opt.Region, opt.AccountID), Mappings: mappings}
	if err := expandIncludes(doc, opt.Dir, 0); err != nil {
		return nil, err
	}
	transforms, err := transformsOf(doc["Transform"])
	if err != nil {
		return nil, err
	}
	for _, t := range transforms {
		switch t {
		case SAMTransform:
			if err := expandSAM(doc, ev, opt.Dir, warn); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: Transform %s is not supported locally (Tollgate runs %s and AWS::Include)", ErrFormat, t, SAMTransform)
		}
	}
	conds, _ := doc["Conditions"].(map[string]any)
	if err := ev.EvalConditions(conds); err != nil {
		return nil, err
	}
	st := &Stack{Name: opt.StackName, Params: params, NoEcho: noEcho, Eval: ev}
	byID := map[string]*Resource{}
	ev.Resources = map[string]string{}
	res, _ = doc["Resources"].(map[string]any)
	for id, raw := range res {
		r, err := readResource(id, raw)
		if err != nil {
			return nil, err
		}
		assetCode(r, opt.AssetDir, opt.Assets, warn)
		if r.Condition != "" {
			b, ok := ev.Conditions[r.Condition]
			if !ok {
				return nil, fmt.Errorf("%w: Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", ErrFormat, r.Condition)
			}
			if !b {
				continue
			}
		}
		byID[id] = r
		ev.Resources[id] = r.Type
	}
	outs, _ := doc["Outputs"].(map[string]any)
	if len(outs) > maxOutputs {
		return nil, fmt.Errorf("%w: Output count %d is greater than max allowed %d", ErrFormat, len(outs), maxOutputs)
	}
	for key, raw := range outs {
		o, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: Every Outputs member must contain a Value object", ErrFormat)
		}
		if c := String(o["Condition"]); c != "" && !ev.Conditions[c] {
			continue
		}
		v, ok := o["Value"]
		if !ok {
			return nil, fmt.Errorf("%w: Every Outputs member must contain a Value object", ErrFormat)
		}
		out := Output{Key: key, Description: String(o["Description"]), Value: v}
		if ex, ok := o["Export"].(map[string]any); ok {
			out.ExportName = ex["Name"]
		}
		st.Outputs = append(st.Outputs, out)
	}
	sort.Slice(st.Outputs, func(i, j int) bool { return st.Outputs[i].Key < st.Outputs[j].Key })
	// The dry run: every expression evaluates, with placeholders for
	// resource values.
	for _, r := range byID {
		if err := checkResource(ev, r); err != nil {
			return nil, err
		}
	}
	dry := *ev
	dry.Block = "Outputs"
	for _, o := range st.Outputs {
		if _, err := dry.Eval(o.Value); err != nil {
			return nil, fmt.Errorf("Output %s: %w", o.Key, err)
		}
	}
	order, err := sortResources(byID)
	if err != nil {
		return nil, err
	}
	st.Resources = order
	st.Hash = hashOf(doc, params)
	return st, nil
}

func hashOf(doc map[string]any, params map[string]any) string {
	b := canonicalJSON(map[string]any{"t": doc, "p": params})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func checkResource(ev *Evaluator, r *Resource) error {
	keys := make([]string, 0, len(r.Properties))
	for k := range r.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := ev.Eval(r.Properties[k]); err != nil {
			return &PropertyError{Resource: r.ID, Type: r.Type, Property: k, Err: err}
		}
	}
	return nil
}

// PropertyError is an error in one property of one resource.
type PropertyError struct {
	Resource, Type, Property string
	Err                      error
}

func (e *PropertyError) Error() string {
	if e.Property == "" {
		return fmt.Sprintf("resource %s (%s): %v", e.Resource, e.Type, e.Err)
	}
	return fmt.Sprintf("resource %s (%s) property %s: %v", e.Resource, e.Type, e.Property, e.Err)
}

func (e *PropertyError) Unwrap() error { return e.Err }

func readResource(id string, raw any) (*Resource, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: [/Resources/%s] resource definition is malformed", ErrFormat, id)
	}
	typ, _ := m["Type"].(string)
	if !strings.Contains(typ, "::") {
		return nil, fmt.Errorf("%w: [/Resources/%s] Every Resources object must contain a Type member.", ErrFormat, id)
	}
	r := &Resource{ID: id, Type: typ, Condition: String(m["Condition"])}
	switch p := m["Properties"].(type) {
	case map[string]any:
		r.Properties = p
	case nil:
		r.Properties = map[string]any{}
	default:
		return nil, &PropertyError{Resource: id, Type: typ, Err: fmt.Errorf("Properties must be a map")}
	}
	r.Metadata, _ = m["Metadata"].(map[string]any)
	switch d := m["DependsOn"].(type) {
	case string:
		r.DependsOn = []string{d}
	case []any:
		for _, x := range d {
			r.DependsOn = append(r.DependsOn, String(x))
		}
	}
	if c, ok := m[codeKey].(string); ok {
		r.Code = c
	}
	return r, nil
}

// codeKey carries a function's resolved local code path from the SAM
// expansion to readResource (it is not a CloudFormation attribute).
const codeKey = "Tollgate::LocalCode"

func transformsOf(v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{t}, nil
	case []any:
		var out []string
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("%w: Transform must be a name or a list of names", ErrFormat)
			}
			out = append(out, s)
		}
		return out, nil
	case map[string]any:
		if String(t["Name"]) == "AWS::Include" {
			return nil, nil // expanded by expandIncludes
		}
	}
	return nil, fmt.Errorf("%w: Transform must be a name or a list of names", ErrFormat)
}

// sortResources orders resources so that each comes after what it
// references (Ref, Fn::GetAtt, ${…} in Fn::Sub, DependsOn); ties in
// logical-id order.
func sortResources(byID map[string]*Resource) ([]*Resource, error) {
	deps := map[string]map[string]bool{}
	for id, r := range byID {
		d := map[string]bool{}
		for _, x := range References(r.Properties) {
			if _, ok := byID[x]; ok && x != id {
				d[x] = true
			}
		}
		for _, x := range r.DependsOn {
			if _, ok := byID[x]; ok {
				d[x] = true
			}
		}
		deps[id] = d
	}
	// A deployment snapshots its API: locally it always comes after every
	// part of the API, DependsOn or not (CloudFormation needs DependsOn, and
	// templates without it fail there with "The REST API doesn't contain
	// any methods") [U].
	for id, r := range byID {
		key, parts := deploymentParts(r.Type)
		if key == "" {
			continue
		}
		api := refName(r.Properties[key])
		for oid, o := range byID {
			if parts[o.Type] && refName(o.Properties[key]) == api && api != "" {
				deps[id][oid] = true
			}
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []*Resource
	done := map[string]bool{}
	for len(out) < len(ids) {
		progress := false
		for _, id := range ids {
			if done[id] {
				continue
			}
			ready := true
			for d := range deps[id] {
				if !done[d] {
					ready = false
					break
				}
			}
			if ready {
				done[id] = true
				out = append(out, byID[id])
				progress = true
			}
		}
		if !progress {
			var cyc []string
			for _, id := range ids {
				if !done[id] {
					cyc = append(cyc, id)
				}
			}
			return nil, fmt.Errorf("Circular dependency between resources: [%s]", strings.Join(cyc, ", "))
		}
	}
	return out, nil
}

// References lists the names v refers to (Ref, Fn::GetAtt, ${…} of
// Fn::Sub), parameters and pseudo parameters included.
func References(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if fn, arg, ok := IsIntrinsic(t); ok {
				switch fn {
				case "Ref":
					if s, ok := arg.(string); ok {
						out = append(out, s)
						return
					}
				case "Fn::GetAtt":
					switch a := arg.(type) {
					case string:
						r, _, _ := strings.Cut(a, ".")
						out = append(out, r)
						return
					case []any:
						if len(a) > 0 {
							out = append(out, String(a[0]))
						}
					}
				case "Fn::Sub":
					var text string
					vars := map[string]any{}
					switch a := arg.(type) {
					case string:
						text = a
					case []any:
						if len(a) == 2 {
							text, _ = a[0].(string)
							vars, _ = a[1].(map[string]any)
							walk(a[1])
						}
					}
					for _, name := range subNames(text) {
						if _, ok := vars[name]; ok {
							continue
						}
						r, _, _ := strings.Cut(name, ".")
						out = append(out, r)
					}
					return
				}
			}
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
	return out
}

// subNames lists the ${Name} variables of a Fn::Sub string.
func subNames(text string) []string {
	var out []string
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			return out
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			return out
		}
		name := text[i+2 : i+j]
		text = text[i+j+1:]
		if !strings.HasPrefix(name, "!") {
			out = append(out, strings.TrimSpace(name))
		}
	}
}

// expandIncludes replaces Fn::Transform AWS::Include (and a top-level
// Transform AWS::Include) with the local file it names [D: "AWS::Include
// transform"; U: local paths only].
func expandIncludes(v any, dir string, depth int) error {
	if depth > maxDepth {
		return nil
	}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if inc, ok := includeOf(x); ok {
				doc, err := loadInclude(inc, dir)
				if err != nil {
					return err
				}
				t[k] = doc
				continue
			}
			if err := expandIncludes(x, dir, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range t {
			if inc, ok := includeOf(x); ok {
				doc, err := loadInclude(inc, dir)
				if err != nil {
					return err
				}
				t[i] = doc
				continue
			}
			if err := expandIncludes(x, dir, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func includeOf(v any) (map[string]any, bool) {
	fn, arg, ok := IsIntrinsic(v)
	if !ok || fn != "Fn::Transform" {
		return nil, false
	}
	m, ok := arg.(map[string]any)
	if !ok || String(m["Name"]) != "AWS::Include" {
		return nil, false
	}
	p, _ := m["Parameters"].(map[string]any)
	return p, true
}

func loadInclude(p map[string]any, dir string) (any, error) {
	loc := String(p["Location"])
	if strings.HasPrefix(loc, "s3://") || loc == "" {
		return nil, fmt.Errorf("AWS::Include Location %q: Tollgate reads local files only (a path relative to the template, or file://)", loc)
	}
	loc = strings.TrimPrefix(loc, "file://")
	if !filepath.IsAbs(loc) {
		loc = filepath.Join(dir, loc)
	}
	doc, err := LoadFile(loc)
	if err != nil {
		return nil, fmt.Errorf("AWS::Include %s: %w", loc, err)
	}
	return doc, nil
}

var (
	restParts = map[string]bool{"AWS::ApiGateway::Resource": true, "AWS::ApiGateway::Method": true,
		"AWS::ApiGateway::Authorizer": true, "AWS::ApiGateway::Model": true, "AWS::ApiGateway::RequestValidator": true,
		"AWS::ApiGateway::GatewayResponse": true}
	httpParts = map[string]bool{"AWS::ApiGatewayV2::Route": true, "AWS::ApiGatewayV2::Integration": true,
		"AWS::ApiGatewayV2::Authorizer": true, "AWS::ApiGatewayV2::Model": true, "AWS::ApiGatewayV2::RouteResponse": true,
		"AWS::ApiGatewayV2::IntegrationResponse": true}
)

func deploymentParts(typ string) (string, map[string]bool) {
	switch typ {
	case "AWS::ApiGateway::Deployment":
		return "RestApiId", restParts
	case "AWS::ApiGatewayV2::Deployment":
		return "ApiId", httpParts
	}
	return "", nil
}

// refName is X of {Ref: X}, else "".
func refName(v any) string {
	if fn, arg, ok := IsIntrinsic(v); ok && fn == "Ref" {
		return String(arg)
	}
	return ""
}
