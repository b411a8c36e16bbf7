// Package vtl implements the subset of Apache Velocity 1.7 (the Velocity
// Template Language, VTL) used by Amazon API Gateway mapping templates.
//
// A template is compiled once with Parse and rendered many times, possibly
// concurrently, with Template.Render or Template.AppendRender. A compiled
// *Template is immutable; all render state lives in the call.
//
// Values seen by templates are Go values standing in for Java objects:
//
//	nil                       null
//	string                    java.lang.String
//	bool                      java.lang.Boolean
//	int64 (int, int32 too)    java.lang.Integer / java.lang.Long
//	float64 (float32 too)     java.lang.Double
//	*List, []any              java.util.List (only *List is mutable)
//	*Map, map[string]any      java.util.Map (*Map keeps insertion order)
//	*Entry                    java.util.Map.Entry
//	Object                    any other Java object (methods and properties)
//
// Rendering never panics: every failure, including exceeded limits, is
// returned as an error.
package vtl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Vars holds the top-level references visible to a render ($input,
// $context, $util, $stageVariables, ...). It is only read, never written:
// #set and #foreach variables live in a per-render scope.
type Vars map[string]any

// Object is implemented by host objects (such as $input or $util) exposing
// Java-like methods and properties to templates.
//
// Method is called for $obj.name(args...); args is only valid during the
// call (it must not be retained). It returns ErrNoSuchMethod
// (possibly wrapped) when the object has no such method, in which case the
// reference renders literally like in Velocity; any other error aborts the
// render (Velocity's MethodInvocationException). Property is called for
// $obj.name; ok=false makes the reference undefined (rendered literally).
// Implementations must be safe for concurrent use if shared between renders.
type Object interface {
	// Method calls the method name with args ($obj.name(args...)).
	Method(name string, args []any) (any, error)
	// Property returns the property name ($obj.name).
	Property(name string) (value any, ok bool)
}

// ErrNoSuchMethod is returned by Object.Method for unknown methods.
var ErrNoSuchMethod = errors.New("vtl: no such method")

// ErrLimit is wrapped by every error caused by exceeding a configured limit.
var ErrLimit = errors.New("vtl: limit exceeded")

// Error is a syntax or render error located in a template.
type Error struct {
	Template string // template name given to Parse
	Line     int    // 1-based line
	Col      int    // 1-based column (in bytes)
	Msg      string // what went wrong, without the location
	Err      error  // underlying error, if any (e.g. ErrLimit or a method's error)
}

// Error returns "name:line:col: message".
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Template, e.Line, e.Col, e.Msg)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Default limits.
const (
	DefaultMaxTemplateSize   = 300 << 10 // API Gateway: template size <= 300 KB
	DefaultMaxLoopIterations = 1000      // API Gateway: #foreach <= 1,000 iterations
	DefaultMaxTotalIter      = 100000    // all #foreach iterations of one render
	DefaultMaxOutputSize     = 10 << 20  // 10 MB of output (and of any string built)
	DefaultMaxDepth          = 100       // nesting of directives/expressions/values
	DefaultMaxCollectionSize = 100000    // elements of one list or map built by a template
)

type options struct {
	maxTemplateSize int
	maxLoopIter     int
	maxTotalIter    int
	maxOutput       int
	maxDepth        int
	maxCollection   int
}

// Option configures Parse. Limits are fixed at parse time and apply to every
// render of the template.
type Option func(*options)

// WithMaxTemplateSize limits the template source size in bytes.
func WithMaxTemplateSize(n int) Option { return func(o *options) { o.maxTemplateSize = n } }

// WithMaxLoopIterations limits the iterations of a single #foreach loop.
func WithMaxLoopIterations(n int) Option { return func(o *options) { o.maxLoopIter = n } }

// WithMaxTotalIterations limits the #foreach iterations of one render.
func WithMaxTotalIterations(n int) Option { return func(o *options) { o.maxTotalIter = n } }

// WithMaxOutputSize limits the rendered output and any string the template
// builds (concatenation, interpolation, replace), in bytes.
func WithMaxOutputSize(n int) Option { return func(o *options) { o.maxOutput = n } }

// WithMaxDepth limits nesting depth (directives, expressions, and recursion
// while converting nested values to strings).
func WithMaxDepth(n int) Option { return func(o *options) { o.maxDepth = n } }

// WithMaxCollectionSize limits the size of lists and maps built by the
// template (literals, ranges, add/put).
func WithMaxCollectionSize(n int) Option { return func(o *options) { o.maxCollection = n } }

// Template is a compiled template. It is immutable and safe for concurrent use.
type Template struct {
	name  string
	src   string
	nodes []node
	opts  options
}

// Name returns the name given to Parse.
func (t *Template) Name() string { return t.name }

// Parse compiles a template. Syntax errors are *Error values carrying the
// line and column.
func Parse(name, src string, opts ...Option) (*Template, error) {
	o := options{
		maxTemplateSize: DefaultMaxTemplateSize,
		maxLoopIter:     DefaultMaxLoopIterations,
		maxTotalIter:    DefaultMaxTotalIter,
		maxOutput:       DefaultMaxOutputSize,
		maxDepth:        DefaultMaxDepth,
		maxCollection:   DefaultMaxCollectionSize,
	}
	for _, f := range opts {
		f(&o)
	}
	t := &Template{name: name, src: src, opts: o}
	if len(src) > o.maxTemplateSize {
		return nil, &Error{Template: name, Line: 1, Col: 1, Msg: fmt.Sprintf("template size %d exceeds limit %d", len(src), o.maxTemplateSize), Err: ErrLimit}
	}
	p := &parser{t: t, src: src}
	nodes, err := p.parseTop()
	if err != nil {
		return nil, err
	}
	t.nodes = nodes
	return t, nil
}

// MustParse is like Parse but panics on error. For tests and constants.
func MustParse(name, src string, opts ...Option) *Template {
	t, err := Parse(name, src, opts...)
	if err != nil {
		panic(err)
	}
	return t
}

// errAt returns an *Error wrapping err (which may be nil) with the line and
// column of pos, a byte offset in the template source (clamped to it).
func (t *Template) errAt(pos int, err error, format string, args ...any) *Error {
	line, col := 1, 1
	if pos > len(t.src) {
		pos = len(t.src)
	}
	if pos < 0 {
		pos = 0
	}
	for i := 0; i < pos; i++ {
		if t.src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &Error{Template: t.name, Line: line, Col: col, Msg: fmt.Sprintf(format, args...), Err: err}
}

var statePool = sync.Pool{New: func() any { return new(state) }}

// AppendRender renders the template with vars, appending the output to dst.
// On error the partial output is returned along with the error.
func (t *Template) AppendRender(ctx context.Context, dst []byte, vars Vars) (out []byte, err error) {
	st := statePool.Get().(*state)
	st.t = t
	st.ctx = ctx
	st.vars = vars
	st.out = dst
	st.base = len(dst)
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Template: t.name, Line: 0, Col: 0, Msg: fmt.Sprintf("internal error: %v", r)}
		}
		out = st.out
		st.reset()
		statePool.Put(st)
	}()
	_, err = st.renderNodes(t.nodes)
	return st.out, err
}

// Render renders the template with vars and writes the output to w. Nothing
// is written if rendering fails.
func (t *Template) Render(ctx context.Context, w io.Writer, vars Vars) error {
	bp := bufPool.Get().(*[]byte)
	out, err := t.AppendRender(ctx, (*bp)[:0], vars)
	if err == nil {
		_, err = w.Write(out)
	}
	if cap(out) <= 1<<20 {
		*bp = out[:0]
		bufPool.Put(bp)
	}
	return err
}

// RenderString renders the template and returns the output as a string.
func (t *Template) RenderString(ctx context.Context, vars Vars) (string, error) {
	var b strings.Builder
	if err := t.Render(ctx, &b, vars); err != nil {
		return "", err
	}
	return b.String(), nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
