package cfn

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Limits of a template [D: "CloudFormation quotas"].
const (
	maxParameters = 200
	maxOutputs    = 200
)

// resolveParams gives every declared parameter its value: the override,
// else the Default; then checks the constraints (AWS docs, "Parameters"
// [D]; error texts [C], see params_test.go).
func resolveParams(decl map[string]any, overrides map[string]string, warn func(string)) (map[string]any, map[string]bool, error) {
	if len(decl) > maxParameters {
		return nil, nil, fmt.Errorf("%w: Parameter count %d is greater than max allowed %d", ErrFormat, len(decl), maxParameters)
	}
	values := map[string]any{}
	noEcho := map[string]bool{}
	var missing, unknown []string
	for k := range overrides {
		if _, ok := decl[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		// CloudFormation refuses them; SAM CLI ignores them: warn [C].
		warn(fmt.Sprintf("Parameters: [%s] do not exist in the template", strings.Join(unknown, ", ")))
	}
	names := make([]string, 0, len(decl))
	for n := range decl {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		p, ok := decl[name].(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("%w: Every Parameters object must contain a Type member.", ErrFormat)
		}
		typ, _ := p["Type"].(string)
		if typ == "" {
			return nil, nil, fmt.Errorf("%w: Every Parameters object must contain a Type member.", ErrFormat)
		}
		if b, _ := p["NoEcho"].(bool); b || String(p["NoEcho"]) == "true" {
			noEcho[name] = true
		}
		raw, ok := overrides[name]
		if !ok {
			d, has := p["Default"]
			if !has {
				// SSM parameter types resolve a parameter name; locally the
				// Default text stands for the value [U]. Without one, CDK's
				// BootstrapVersion is satisfied by its expected version.
				missing = append(missing, name)
				continue
			}
			if l, isList := d.([]any); isList {
				var parts []string
				for _, x := range l {
					parts = append(parts, String(x))
				}
				raw = strings.Join(parts, ",")
			} else {
				raw = String(d)
			}
		}
		v, err := checkParam(name, typ, raw, p)
		if err != nil {
			return nil, nil, err
		}
		values[name] = v
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	return values, noEcho, nil
}

// checkParam converts and validates one value.
func checkParam(name, typ, raw string, p map[string]any) (any, error) {
	list := typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") ||
		strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<List<") || strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<CommaDelimitedList")
	var items []string
	if list {
		for _, s := range strings.Split(raw, ",") {
			items = append(items, strings.TrimSpace(s))
		}
	} else {
		items = []string{raw}
	}
	numeric := typ == "Number" || typ == "List<Number>"
	for _, it := range items {
		if numeric {
			if _, err := strconv.ParseFloat(it, 64); err != nil {
				return nil, fmt.Errorf("Parameter '%s' must be a number.", name) // [U text]
			}
		}
		if av, ok := p["AllowedValues"].([]any); ok {
			found := false
			for _, a := range av {
				if String(a) == it {
					found = true
				}
			}
			if !found {
				return nil, fmt.Errorf("Parameter '%s' must be one of AllowedValues", name)
			}
		}
		if pat := String(p["AllowedPattern"]); pat != "" {
			re, err := regexp.Compile("^(?:" + pat + ")$")
			if err != nil {
				return nil, fmt.Errorf("%w: Parameter '%s': AllowedPattern %q: %v", ErrFormat, name, pat, err)
			}
			if !re.MatchString(it) {
				return nil, constraintErr(name, p, "must match pattern "+pat)
			}
		}
		if n, ok := number(p["MinLength"]); ok && float64(len(it)) < n {
			return nil, constraintErr(name, p, fmt.Sprintf("must contain at least %v characters", n))
		}
		if n, ok := number(p["MaxLength"]); ok && float64(len(it)) > n {
			return nil, constraintErr(name, p, fmt.Sprintf("must contain at most %v characters", n))
		}
		if numeric {
			f, _ := strconv.ParseFloat(it, 64)
			if n, ok := number(p["MinValue"]); ok && f < n {
				return nil, constraintErr(name, p, fmt.Sprintf("must be a number not less than %v", n))
			}
			if n, ok := number(p["MaxValue"]); ok && f > n {
				return nil, constraintErr(name, p, fmt.Sprintf("must be a number not greater than %v", n))
			}
		}
	}
	if list {
		out := make([]any, len(items))
		for i, s := range items {
			out[i] = s
		}
		return out, nil
	}
	return raw, nil
}

// constraintErr is CloudFormation's text: the ConstraintDescription when
// there is one, else "Malformed input-Parameter X <reason>" [C][D].
func constraintErr(name string, p map[string]any, reason string) error {
	if d := String(p["ConstraintDescription"]); d != "" {
		return fmt.Errorf("Parameter %s failed to satisfy constraint: %s", name, d)
	}
	return fmt.Errorf("Malformed input-Parameter %s %s", name, reason)
}

func number(v any) (float64, bool) {
	s := String(v)
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// ParseOverrides reads --parameter-overrides values as SAM CLI spells
// them: Key=Value, ParameterKey=K,ParameterValue=V, and file://F.json
// (a list of {ParameterKey, ParameterValue} or a {Key: Value} map) [C:
// SAM CLI CfnParameterOverridesType]. Values may be quoted.
func ParseOverrides(args []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range args {
		for _, f := range splitQuoted(a) {
			if err := parseOverride(f, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func parseOverride(f string, out map[string]string) error {
	if path, ok := strings.CutPrefix(f, "file://"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("--parameter-overrides: %w", err)
		}
		var list []struct{ ParameterKey, ParameterValue string }
		if json.Unmarshal(b, &list) == nil {
			for _, p := range list {
				out[p.ParameterKey] = p.ParameterValue
			}
			return nil
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("--parameter-overrides %s: want a JSON list of {ParameterKey, ParameterValue} or a map: %w", f, err)
		}
		for k, v := range m {
			out[k] = String(v)
		}
		return nil
	}
	if rest, ok := strings.CutPrefix(f, "ParameterKey="); ok {
		k, v, ok := strings.Cut(rest, ",ParameterValue=")
		if !ok || k == "" {
			return fmt.Errorf("--parameter-overrides %q: want ParameterKey=K,ParameterValue=V", f)
		}
		out[k] = unquote(v)
		return nil
	}
	k, v, ok := strings.Cut(f, "=")
	if !ok || k == "" {
		return fmt.Errorf("--parameter-overrides %q: want Key=Value", f)
	}
	out[k] = unquote(v)
	return nil
}

// splitQuoted splits at spaces outside quotes ("A=1 B='x y'").
func splitQuoted(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	has := false
	for _, r := range s {
		switch {
		case quote != 0:
			cur.WriteRune(r)
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
			cur.WriteRune(r)
			has = true
		case r == ' ' || r == '\t' || r == '\n':
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}

// SAMConfig is what Tollgate reads of a samconfig.toml: the stack name,
// the parameter overrides and the region of one environment [D: "AWS SAM
// CLI configuration file"].
type SAMConfig struct {
	StackName  string
	Region     string
	Parameters map[string]string
}

// LoadSAMConfig reads path's tables global, deploy and local_start_api of
// env (later ones win) [U: the order]. A missing file is no error.
func LoadSAMConfig(path, env string) (SAMConfig, error) {
	var cfg SAMConfig
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return cfg, nil
	}
	if err != nil {
		return cfg, err
	}
	var doc map[string]any
	if _, err := toml.Decode(string(b), &doc); err != nil {
		return cfg, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	e, _ := doc[env].(map[string]any)
	for _, cmd := range []string{"global", "deploy", "local_start_api"} {
		t, _ := e[cmd].(map[string]any)
		p, _ := t["parameters"].(map[string]any)
		if s, ok := p["stack_name"].(string); ok {
			cfg.StackName = s
		}
		if s, ok := p["region"].(string); ok {
			cfg.Region = s
		}
		var args []string
		switch v := p["parameter_overrides"].(type) {
		case string:
			args = []string{v}
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok {
					args = append(args, s)
				}
			}
		}
		if len(args) > 0 {
			m, err := ParseOverrides(args)
			if err != nil {
				return cfg, fmt.Errorf("%s [%s.%s.parameters] parameter_overrides: %w", filepath.Base(path), env, cmd, err)
			}
			if cfg.Parameters == nil {
				cfg.Parameters = map[string]string{}
			}
			for k, v := range m {
				cfg.Parameters[k] = v
			}
		}
	}
	return cfg, nil
}
