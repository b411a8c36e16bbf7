package parammap

import (
	"slices"
	"strconv"
	"strings"
)

// MaxValueLength bounds a mapping value [M: requestParameters values are at
// most 512 characters].
const MaxValueLength = 512

// RequestEditor changes the request sent to the backend. opAppend adds a
// value (another header line or query parameter); overwrite replaces every
// value; remove deletes them all.
type RequestEditor interface {
	SetHeader(name, value string)
	AddHeader(name, value string)
	DelHeader(name string)
	SetQuery(name, value string)
	AddQuery(name, value string)
	DelQuery(name string)
	SetPath(path string)
}

// ResponseEditor changes the response sent to the client.
type ResponseEditor interface {
	SetHeader(name, value string)
	AddHeader(name, value string)
	DelHeader(name string)
}

// action is one compiled mapping.
type action struct {
	key   key
	text  string // the key as configured, for ordering and messages
	value *Value
}

// actions is a compiled mapping set, in application order: removes, then
// overwrites, then appends, each in key order [U: AWS does not document an
// order; values are all read from the incoming message first, so the order
// only matters for several operations on one target].
type actions []action

func compileActions(params map[string]string, side Side) (actions, error) {
	out := make(actions, 0, len(params))
	for k, v := range params {
		key, ok := parseKey(k, side == ForResponse)
		if !ok {
			if side == ForResponse {
				return nil, invalid("Invalid Response Actioned Parameter: %s", k)
			}
			return nil, invalid("Invalid Request Actioned Parameter: %s", k)
		}
		if key.target == targetHeader && IsReservedHeader(key.name) {
			return nil, invalid("Operations on header %s are restricted", key.name)
		}
		if v == "" {
			return nil, invalid("Invalid mapping expression specified: the value of %s is empty", k)
		}
		if len(v) > MaxValueLength {
			return nil, invalid("Invalid mapping expression specified: the value of %s is longer than %d characters", k, MaxValueLength)
		}
		val, err := CompileValue(v, side)
		if err != nil {
			return nil, err
		}
		if key.target == targetStatus && !val.single && len(val.parts) == 1 {
			if n, err := strconv.Atoi(v); err != nil || n < 100 || n > 599 {
				return nil, invalid("Invalid mapping expression specified: %s is not a status code", v)
			}
		}
		out = append(out, action{key: key, text: k, value: val})
	}
	slices.SortFunc(out, func(a, b action) int {
		if a.key.op != b.key.op {
			return int(a.key.op) - int(b.key.op)
		}
		return strings.Compare(a.text, b.text)
	})
	return out, nil
}

// values evaluates every action's value against the unchanged message.
func (as actions) values(r Resolver, dst []string, ok []bool) {
	var st evalState
	for i := range as {
		if as[i].key.op == opRemove {
			continue
		}
		dst[i], ok[i] = as[i].value.eval(r, &st)
	}
	st.release()
}

// RequestMapping is a compiled requestParameters map. Immutable; safe for
// concurrent use. A nil *RequestMapping maps nothing.
type RequestMapping struct{ acts actions }

// ValidateRequestParameters checks an integration's requestParameters as
// CreateIntegration/UpdateIntegration do (after UpdateIntegration's
// key-with-empty-value deletions have been applied). Keys are
// append|overwrite|remove:header.{name}, ...:querystring.{name} and
// overwrite:path; reserved headers are refused [D]; values must compile.
// Errors are [*ValidationError]s.
func ValidateRequestParameters(params map[string]string) error {
	_, err := CompileRequest(params)
	return err
}

// CompileRequest validates and compiles requestParameters.
func CompileRequest(params map[string]string) (*RequestMapping, error) {
	if len(params) == 0 {
		return nil, nil
	}
	acts, err := compileActions(params, ForRequest)
	if err != nil {
		return nil, err
	}
	return &RequestMapping{acts: acts}, nil
}

// Apply evaluates every value against the incoming request, then applies
// the operations through ed. A value whose single reference is absent
// (a header the client did not send, say) skips its operation [U].
func (m *RequestMapping) Apply(r Resolver, ed RequestEditor) {
	if m == nil {
		return
	}
	var vbuf [16]string
	var obuf [16]bool
	vals, oks := scratch(vbuf[:], obuf[:], len(m.acts))
	m.acts.values(r, vals, oks)
	for i := range m.acts {
		a := &m.acts[i]
		if a.key.op != opRemove && !oks[i] {
			continue
		}
		v := vals[i]
		switch a.key.target {
		case targetHeader:
			switch a.key.op {
			case opRemove:
				ed.DelHeader(a.key.name)
			case opOverwrite:
				ed.SetHeader(a.key.name, v)
			case opAppend:
				ed.AddHeader(a.key.name, v)
			}
		case targetQuery:
			switch a.key.op {
			case opRemove:
				ed.DelQuery(a.key.name)
			case opOverwrite:
				ed.SetQuery(a.key.name, v)
			case opAppend:
				ed.AddQuery(a.key.name, v)
			}
		case targetPath:
			ed.SetPath(v)
		}
	}
}

func scratch(v []string, o []bool, n int) ([]string, []bool) {
	if n <= len(v) {
		return v[:n], o[:n]
	}
	return make([]string, n), make([]bool, n)
}

// ResponseMapping is a compiled responseParameters map. Immutable; safe
// for concurrent use. A nil *ResponseMapping maps nothing.
type ResponseMapping struct {
	byStatus map[int]actions
	// body is, by status, how much of the response body the mappings
	// read (see BodyPrefix); statuses that read none are absent.
	body map[int]int
}

// ValidateResponseParameters checks an integration's responseParameters:
// keys of the outer map are status codes 200–599 [D]; inner keys are
// append|overwrite|remove:header.{name} and overwrite:statuscode, whose
// value, when static, must be a status code; reserved headers are refused.
// Errors are [*ValidationError]s.
func ValidateResponseParameters(params map[string]map[string]string) error {
	_, err := CompileResponse(params)
	return err
}

// CompileResponse validates and compiles responseParameters.
func CompileResponse(params map[string]map[string]string) (*ResponseMapping, error) {
	if len(params) == 0 {
		return nil, nil
	}
	m := &ResponseMapping{byStatus: make(map[int]actions, len(params))}
	for code, ps := range params {
		n, err := strconv.Atoi(code)
		if err != nil || n < 200 || n > 599 || strconv.Itoa(n) != code {
			return nil, invalid("Invalid status code specified: %s", code)
		}
		acts, err := compileActions(ps, ForResponse)
		if err != nil {
			return nil, err
		}
		if len(acts) > 0 {
			m.byStatus[n] = acts
		}
		if need := acts.bodyPrefix(); need != 0 {
			if m.body == nil {
				m.body = map[int]int{}
			}
			m.body[n] = need
		}
	}
	return m, nil
}

// WholeBody is what BodyPrefix returns for mappings that read the whole
// response body ($response.body).
const WholeBody = -1

// BodyPrefix returns how much of the response body the mappings of
// status read, as compiled: 0 for none, MaxBodyForPath when they only
// select from it with JSONPaths (API Gateway cuts the body there first
// [D]), or WholeBody for $response.body itself. An integration whose
// backend body is streamed reads this much of it only when needed.
func (m *ResponseMapping) BodyPrefix(status int) int {
	if m == nil {
		return 0
	}
	return m.body[status]
}

// ReadsBody reports whether any status's mappings read the response body.
func (m *ResponseMapping) ReadsBody() bool { return m != nil && len(m.body) > 0 }

// bodyPrefix is BodyPrefix for one status's actions.
func (as actions) bodyPrefix() int {
	need := 0
	for i := range as {
		if as[i].key.op == opRemove {
			continue // the value is not read
		}
		for _, p := range as[i].value.parts {
			switch {
			case p.src != SrcResponseBody:
			case p.whole:
				return WholeBody
			default:
				need = MaxBodyForPath
			}
		}
	}
	return need
}

// Has reports whether status has mappings (so that the caller reads the
// response body only when one may need it).
func (m *ResponseMapping) Has(status int) bool {
	if m == nil {
		return false
	}
	_, ok := m.byStatus[status]
	return ok
}

// Apply runs the mappings of the backend's status through ed and returns
// the status to send: status itself, or the overwrite:statuscode value
// when it evaluates to a status code 100–599 (otherwise it is ignored
// [U]).
func (m *ResponseMapping) Apply(status int, r Resolver, ed ResponseEditor) int {
	if m == nil {
		return status
	}
	acts, ok := m.byStatus[status]
	if !ok {
		return status
	}
	var vbuf [16]string
	var obuf [16]bool
	vals, oks := scratch(vbuf[:], obuf[:], len(acts))
	acts.values(r, vals, oks)
	out := status
	for i := range acts {
		a := &acts[i]
		if a.key.op != opRemove && !oks[i] {
			continue
		}
		v := vals[i]
		switch {
		case a.key.target == targetStatus:
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 100 && n <= 599 {
				out = n
			}
		case a.key.op == opRemove:
			ed.DelHeader(a.key.name)
		case a.key.op == opOverwrite:
			ed.SetHeader(a.key.name, v)
		default:
			ed.AddHeader(a.key.name, v)
		}
	}
	return out
}
