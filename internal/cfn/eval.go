package cfn

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// noValue is what `Ref AWS::NoValue` evaluates to: the map entry or list
// element holding it is removed [D].
type noValue struct{}

// NoValue is the evaluated AWS::NoValue.
var NoValue any = noValue{}

// Resolver answers Ref and Fn::GetAtt for resources. The evaluator asks
// it only about resources the template declares (after conditions).
type Resolver interface {
	Ref(logicalID string) (any, error)
	GetAtt(logicalID, attr string) (any, error)
}

// Evaluator evaluates intrinsic functions (AWS docs, "Intrinsic function
// reference" [D]; error texts as CloudFormation gives them [C], see the
// package tests).
type Evaluator struct {
	Params     map[string]any // parameter values: string or []any of strings
	Pseudo     map[string]any // AWS::Region, AWS::AccountId, …
	Mappings   map[string]any
	Conditions map[string]bool
	// Resources are the declared resources (logical id → type) after
	// conditions: what Ref and Fn::GetAtt may name.
	Resources map[string]string
	// Resolver gives resource values; nil evaluates placeholders (a dry
	// run that checks every reference before anything is created).
	Resolver Resolver
	// Exports resolves Fn::ImportValue; nil: no exports.
	Exports func(name string) (string, bool)
	// Block is "Resources" or "Outputs", for the unresolved-reference error.
	Block string
}

// IsIntrinsic reports whether v is a one-key map naming a function (Ref,
// Condition or Fn::*) [C: SAM is_intrinsic].
func IsIntrinsic(v any) (string, any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	for k, arg := range m {
		if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
			return k, arg, true
		}
	}
	return "", nil, false
}

// Eval evaluates every intrinsic function in v (a copy is returned).
func (e *Evaluator) Eval(v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		if fn, arg, ok := IsIntrinsic(t); ok {
			if fn == "Condition" {
				if name, ok := arg.(string); !ok || e.Conditions == nil {
					break
				} else if b, ok := e.Conditions[name]; ok {
					return b, nil
				}
				break
			}
			return e.call(fn, arg)
		}
		out := make(map[string]any, len(t))
		for k, x := range t {
			r, err := e.Eval(x)
			if err != nil {
				return nil, err
			}
			if r == NoValue {
				continue
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(t))
		for _, x := range t {
			r, err := e.Eval(x)
			if err != nil {
				return nil, err
			}
			if r == NoValue {
				continue
			}
			out = append(out, r)
		}
		return out, nil
	}
	return v, nil
}

func templateErr(format string, args ...any) error {
	return fmt.Errorf("Template error: "+format, args...)
}

func (e *Evaluator) unresolved(name string) error {
	block := e.Block
	if block == "" {
		block = "Resources"
	}
	return fmt.Errorf("%w: Unresolved resource dependencies [%s] in the %s block of the template", ErrFormat, name, block)
}

func (e *Evaluator) call(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, templateErr("Ref takes the name of a parameter, pseudo parameter or resource")
		}
		return e.ref(name)
	case "Fn::GetAtt":
		return e.getAtt(arg)
	case "Fn::Sub":
		return e.sub(arg)
	case "Fn::Join":
		return e.join(arg)
	case "Fn::Select":
		return e.selectFn(arg)
	case "Fn::Split":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return nil, templateErr("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split")
		}
		parts, err := e.strings(l)
		if err != nil {
			return nil, err
		}
		var out []any
		for _, s := range strings.Split(parts[1], parts[0]) {
			out = append(out, s)
		}
		return out, nil
	case "Fn::If":
		l, ok := arg.([]any)
		if !ok || len(l) != 3 {
			return nil, templateErr("Fn::If requires a list argument with three elements")
		}
		name, _ := l[0].(string)
		b, ok := e.Conditions[name]
		if !ok {
			return nil, templateErr("Unresolved condition dependency %v in Fn::If", l[0])
		}
		if b {
			return e.Eval(l[1])
		}
		return e.Eval(l[2])
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		return e.condition(map[string]any{fn: arg}, nil)
	case "Fn::FindInMap":
		return e.findInMap(arg)
	case "Fn::Base64":
		s, err := e.str(arg)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::GetAZs":
		r, err := e.str(arg)
		if err != nil {
			return nil, err
		}
		if r == "" {
			r, _ = e.Pseudo["AWS::Region"].(string)
		}
		// Locally three zones, a, b and c [U].
		return []any{r + "a", r + "b", r + "c"}, nil
	case "Fn::ImportValue":
		name, err := e.str(arg)
		if err != nil {
			return nil, err
		}
		if e.Exports != nil {
			if v, ok := e.Exports(name); ok {
				return v, nil
			}
		} else if e.Resolver == nil {
			// A dry run before the exporting stack exists: checked when
			// the stack is created.
			return placeholder("ImportValue", name), nil
		}
		return nil, fmt.Errorf("No export named %s found.", name)
	case "Fn::Cidr":
		return e.cidr(arg)
	case "Fn::Length":
		v, err := e.Eval(arg)
		if err != nil {
			return nil, err
		}
		l, ok := v.([]any)
		if !ok {
			return nil, templateErr("Fn::Length takes a list")
		}
		return json.Number(strconv.Itoa(len(l))), nil
	case "Fn::ToJsonString":
		v, err := e.Eval(arg)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, templateErr("Fn::ToJsonString: %v", err)
		}
		return string(b), nil
	case "Fn::Transform":
		return nil, templateErr("Fn::Transform is only supported with Name AWS::Include and a local Location")
	}
	return nil, fmt.Errorf("%w: Unrecognized function %s", ErrFormat, fn)
}

func (e *Evaluator) ref(name string) (any, error) {
	if v, ok := e.Params[name]; ok {
		return v, nil
	}
	if name == "AWS::NoValue" {
		return NoValue, nil
	}
	if v, ok := e.Pseudo[name]; ok {
		return v, nil
	}
	if _, ok := e.Resources[name]; ok {
		if e.Resolver == nil {
			return placeholder(name), nil
		}
		return e.Resolver.Ref(name)
	}
	return nil, e.unresolved(name)
}

// placeholder stands for a resource value in a dry run.
func placeholder(parts ...string) string { return "${" + strings.Join(parts, ".") + "}" }

func (e *Evaluator) getAtt(arg any) (any, error) {
	var res, attr string
	switch t := arg.(type) {
	case string:
		res, attr, _ = strings.Cut(t, ".")
	case []any:
		if len(t) == 2 {
			res, _ = t[0].(string)
			a, err := e.Eval(t[1])
			if err != nil {
				return nil, err
			}
			attr, _ = a.(string)
		}
	}
	if res == "" || attr == "" {
		return nil, templateErr("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
	}
	if _, ok := e.Resources[res]; !ok {
		return nil, templateErr("instance of Fn::GetAtt references undefined resource %s", res)
	}
	if e.Resolver == nil {
		return placeholder(res, attr), nil
	}
	return e.Resolver.GetAtt(res, attr)
}

func (e *Evaluator) sub(arg any) (any, error) {
	var text string
	vars := map[string]any{}
	switch t := arg.(type) {
	case string:
		text = t
	case []any:
		if len(t) != 2 {
			return nil, templateErr("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
		}
		s, ok := t[0].(string)
		m, ok2 := t[1].(map[string]any)
		if !ok || !ok2 {
			return nil, templateErr("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
		}
		text, vars = s, m
	default:
		return nil, templateErr("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			b.WriteString(text)
			break
		}
		b.WriteString(text[:i])
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			b.WriteString(text[i:])
			break
		}
		name := text[i+2 : i+j]
		text = text[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var v any
		var err error
		if x, ok := vars[name]; ok {
			if v, err = e.Eval(x); err != nil {
				return nil, err
			}
		} else if res, attr, dotted := strings.Cut(name, "."); dotted && !strings.HasPrefix(name, "AWS::") {
			v, err = e.getAtt([]any{res, attr})
		} else {
			v, err = e.ref(name)
		}
		if err != nil {
			return nil, err
		}
		s, err := stringOf(v)
		if err != nil {
			return nil, fmt.Errorf("Invalid Fn::Sub variable value %v. Fn::Sub expects all variables to be strings.", v)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func (e *Evaluator) join(arg any) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 2 {
		return nil, templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
	}
	delim, ok := l[0].(string)
	if !ok {
		return nil, templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
	}
	v, err := e.Eval(l[1])
	if err != nil {
		return nil, err
	}
	items, ok := v.([]any)
	if !ok {
		return nil, templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
	}
	parts := make([]string, 0, len(items))
	for _, it := range items {
		s, err := stringOf(it)
		if err != nil {
			return nil, templateErr("Fn::Join: every value must be a string")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, delim), nil
}

func (e *Evaluator) selectFn(arg any) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 2 {
		return nil, templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
	}
	iv, err := e.Eval(l[0])
	if err != nil {
		return nil, err
	}
	is, err := stringOf(iv)
	if err != nil {
		return nil, templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
	}
	idx, err := strconv.Atoi(is)
	if err != nil {
		return nil, templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
	}
	lv, err := e.Eval(l[1])
	if err != nil {
		return nil, err
	}
	if s, ok := lv.(string); ok && e.Resolver == nil && strings.HasPrefix(s, "${") {
		return placeholder(s, "["+is+"]"), nil // a dry run over a resource value
	}
	list, ok := lv.([]any)
	if !ok {
		return nil, templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
	}
	if idx < 0 || idx >= len(list) {
		return nil, templateErr("Fn::Select cannot select nonexistent value at index %d", idx)
	}
	return list[idx], nil
}

func (e *Evaluator) findInMap(arg any) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) < 3 || len(l) > 4 {
		return nil, templateErr("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
	}
	keys, err := e.strings(l[:3])
	if err != nil {
		return nil, err
	}
	var v any = e.Mappings[keys[0]]
	for _, k := range keys[1:] {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	if v == nil {
		if len(l) == 4 {
			if d, ok := l[3].(map[string]any); ok {
				if dv, ok := d["DefaultValue"]; ok {
					return e.Eval(dv)
				}
			}
		}
		return nil, templateErr("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
	}
	return v, nil
}

func (e *Evaluator) cidr(arg any) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return nil, templateErr("Fn::Cidr requires three parameters: ipBlock, count and cidrBits")
	}
	p, err := e.strings(l)
	if err != nil {
		return nil, err
	}
	block, err := netip.ParsePrefix(p[0])
	count, err2 := strconv.Atoi(p[1])
	bits, err3 := strconv.Atoi(p[2])
	size := block.Addr().BitLen()
	if err != nil || err2 != nil || err3 != nil || count < 1 || count > 256 || bits < 1 || bits > size-block.Bits() {
		return nil, templateErr("Fn::Cidr: invalid arguments %v", p)
	}
	prefixLen := size - bits
	addr := block.Masked().Addr()
	var out []any
	for i := 0; i < count; i++ {
		sub := netip.PrefixFrom(addr, prefixLen)
		if !block.Contains(sub.Addr()) {
			return nil, templateErr("Fn::Cidr: %s holds fewer than %d subnets of %d bits", p[0], count, bits)
		}
		out = append(out, sub.String())
		next := sub.Addr()
		for j := 0; j < 1<<bits && next.IsValid(); j++ {
			next = next.Next()
		}
		addr = next
	}
	return out, nil
}

// condition evaluates a condition function (Fn::Equals, And, Or, Not,
// Condition). seen guards cycles between named conditions.
func (e *Evaluator) condition(v any, seen map[string]bool) (bool, error) {
	if b, ok := v.(bool); ok {
		return b, nil
	}
	fn, arg, ok := IsIntrinsic(v)
	if !ok {
		return false, templateErr("a condition must be a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition)")
	}
	switch fn {
	case "Condition":
		name, _ := arg.(string)
		b, ok := e.Conditions[name]
		if !ok {
			return false, templateErr("Unresolved dependencies [%v]. Cannot reference resources in the Conditions block of the template", arg)
		}
		return b, nil
	case "Fn::Equals":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return false, templateErr("Fn::Equals requires a list argument with two elements")
		}
		a, err := e.Eval(l[0])
		if err != nil {
			return false, err
		}
		b, err := e.Eval(l[1])
		if err != nil {
			return false, err
		}
		return equal(a, b), nil
	case "Fn::Not":
		l, ok := arg.([]any)
		if !ok || len(l) != 1 {
			return false, templateErr("Fn::Not requires a list argument with one element")
		}
		b, err := e.condition(l[0], seen)
		return !b, err
	case "Fn::And", "Fn::Or":
		l, ok := arg.([]any)
		if !ok || len(l) < 2 || len(l) > 10 {
			return false, templateErr("%s requires a list argument with between 2 and 10 elements", fn)
		}
		and := fn == "Fn::And"
		for _, c := range l {
			b, err := e.condition(c, seen)
			if err != nil {
				return false, err
			}
			if b != and {
				return b, nil
			}
		}
		return and, nil
	}
	return false, templateErr("%s cannot be used as a condition", fn)
}

// equal compares evaluated values by their string forms (numbers and
// booleans as written) [U].
func equal(a, b any) bool {
	la, aok := a.([]any)
	lb, bok := b.([]any)
	if aok || bok {
		if !aok || !bok || len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !equal(la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	sa, err1 := stringOf(a)
	sb, err2 := stringOf(b)
	return err1 == nil && err2 == nil && sa == sb
}

// EvalConditions evaluates the Conditions section into e.Conditions.
func (e *Evaluator) EvalConditions(conds map[string]any) error {
	e.Conditions = map[string]bool{}
	state := map[string]int{} // 1 evaluating, 2 done
	names := make([]string, 0, len(conds))
	for n := range conds {
		names = append(names, n)
	}
	sort.Strings(names)
	var visit func(string, []string) error
	visit = func(name string, path []string) error {
		switch state[name] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("%w: Circular dependency between conditions: [%s]", ErrFormat, strings.Join(append(path, name), ", "))
		}
		c, ok := conds[name]
		if !ok {
			return templateErr("Unresolved condition dependency %s", name)
		}
		state[name] = 1
		for _, dep := range conditionRefs(c) {
			if err := visit(dep, append(path, name)); err != nil {
				return err
			}
		}
		b, err := e.condition(c, nil)
		if err != nil {
			return fmt.Errorf("Condition %s: %w", name, err)
		}
		e.Conditions[name] = b
		state[name] = 2
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return err
		}
	}
	return nil
}

// conditionRefs lists the {Condition: name} references inside v.
func conditionRefs(v any) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		if fn, arg, ok := IsIntrinsic(t); ok && fn == "Condition" {
			if s, ok := arg.(string); ok {
				return []string{s}
			}
		}
		for _, x := range t {
			out = append(out, conditionRefs(x)...)
		}
	case []any:
		for _, x := range t {
			out = append(out, conditionRefs(x)...)
		}
	}
	return out
}

func (e *Evaluator) str(v any) (string, error) {
	r, err := e.Eval(v)
	if err != nil {
		return "", err
	}
	s, err := stringOf(r)
	if err != nil {
		return "", templateErr("expected a string, got %v", r)
	}
	return s, nil
}

func (e *Evaluator) strings(l []any) ([]string, error) {
	out := make([]string, len(l))
	for i, x := range l {
		s, err := e.str(x)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

var errNotString = errors.New("not a string")

// stringOf is a scalar's string form (CloudFormation passes every scalar
// as a string).
func stringOf(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case json.Number:
		return string(t), nil
	case bool:
		return strconv.FormatBool(t), nil
	case int:
		return strconv.Itoa(t), nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	}
	return "", errNotString
}

// String is v's string form when v is a scalar, else "".
func String(v any) string {
	s, _ := stringOf(v)
	return s
}
