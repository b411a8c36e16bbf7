package waf

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/wafmodel"
)

// Options are what every compiled web ACL shares.
type Options struct {
	// Account is the account id (labels' namespace).
	Account string
	// Metrics count rule matches (nil: none).
	Metrics *Metrics
	// Samples keeps sampled requests (nil: none).
	Samples *Samples
	// Rates counts rate-based rules' requests; web ACLs with rate-based
	// rules do not compile without it.
	Rates RateCounter
}

// Sets are the IP sets and regex pattern sets a web ACL refers to, by ARN.
type Sets struct {
	IPSets    map[string]*wafmodel.IPSet
	RegexSets map[string]*wafmodel.RegexPatternSet
}

// compiler compiles one web ACL.
type compiler struct {
	doc  *wafmodel.WebACL
	sets Sets
	opt  Options
	// regexes caches compiled patterns by source.
	regexes map[string]*regexp.Regexp
}

// Compile compiles a stored web ACL with the sets it refers to. It fails
// on what the management API would have refused (a missing set, an
// unknown group), so that a stage never serves with half a web ACL.
func Compile(doc *wafmodel.WebACL, sets Sets, opt Options) (*ACL, error) {
	c := &compiler{doc: doc, sets: sets, opt: opt, regexes: map[string]*regexp.Regexp{}}
	metric := doc.VisibilityConfig.Metric()
	a := &ACL{ARN: doc.ARN, ID: doc.ID, Name: doc.Name, metric: metric, namespace: doc.LabelNamespace,
		bodyLimit: doc.BodyLimit(), rates: opt.Rates}
	for _, arn := range append([]string{doc.ARN}, doc.Refs...) {
		if p, ok := wafmodel.ParseARN(arn); ok {
			a.keys = append(a.keys, p.Key())
		}
	}
	if a.namespace == "" {
		a.namespace = wafmodel.LabelNamespaceOf(opt.Account, doc.Name)
	}
	if doc.DefaultAction == nil {
		return nil, fmt.Errorf("web ACL %s has no default action", doc.Name)
	}
	var err error
	switch {
	case doc.DefaultAction.Block != nil:
		a.def, err = c.block(doc.DefaultAction.Block)
	case doc.DefaultAction.Allow != nil:
		a.def = action{kind: ActionAllow, insert: inserts(doc.DefaultAction.Allow)}
	}
	if err != nil {
		return nil, err
	}
	on := doc.VisibilityConfig.Metrics()
	a.defCounters = opt.Metrics.counters(metric, DefaultActionRule, on, a.def.kind)
	a.allCounters = opt.Metrics.counters(metric, "ALL", on, ActionAllow, ActionBlock)
	if doc.VisibilityConfig.Sampled() {
		a.defSamples = opt.Samples.bind(doc.ARN, metric)
	}
	rules := append([]wafmodel.Rule(nil), doc.Rules...)
	sort.SliceStable(rules, func(i, j int) bool { return deref64(rules[i].Priority) < deref64(rules[j].Priority) })
	for i := range rules {
		r, err := c.rule(&rules[i], a)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", deref(rules[i].Name), err)
		}
		a.rules = append(a.rules, r)
	}
	return a, nil
}

func (c *compiler) rule(in *wafmodel.Rule, a *ACL) (*rule, error) {
	r := &rule{name: deref(in.Name), metric: in.VisibilityConfig.Metric()}
	for _, l := range in.RuleLabels {
		r.labels = append(r.labels, a.namespace+l.Name)
	}
	on := in.VisibilityConfig.Metrics()
	if in.VisibilityConfig.Sampled() {
		r.samples = c.opt.Samples.bind(a.ARN, r.metric)
	}
	if in.Statement == nil {
		return nil, fmt.Errorf("no statement")
	}
	if g := in.Statement.ManagedRuleGroupStatement; g != nil {
		grp, err := c.group(g, in, a)
		if err != nil {
			return nil, err
		}
		r.group = grp
		return r, nil
	}
	if in.Action == nil {
		return nil, fmt.Errorf("no action")
	}
	act, err := c.action(in.Action)
	if err != nil {
		return nil, err
	}
	r.act = act
	r.counters = c.opt.Metrics.counters(a.metric, r.metric, on, act.kind)
	if rb := in.Statement.RateBasedStatement; rb != nil {
		if r.rate, err = compileRate(rb, c, r.name); err != nil {
			return nil, err
		}
		return r, nil
	}
	if r.st, err = c.statement(in.Statement); err != nil {
		return nil, err
	}
	return r, nil
}

// action compiles a rule action.
func (c *compiler) action(in *wafmodel.RuleAction) (action, error) {
	switch {
	case in.Block != nil:
		return c.block(in.Block)
	case in.Allow != nil:
		return action{kind: ActionAllow, insert: inserts(in.Allow)}, nil
	case in.Count != nil:
		return action{kind: ActionCount, insert: inserts(in.Count)}, nil
	case in.Captcha != nil:
		return action{kind: ActionCaptcha}, nil
	case in.Challenge != nil:
		return action{kind: ActionChallenge}, nil
	}
	return action{}, fmt.Errorf("no action")
}

// inserts are an action's request headers, named as AWS inserts them:
// x-amzn-waf-{name} [D].
func inserts(h *wafmodel.HandledAction) []Header {
	if h == nil || h.CustomRequestHandling == nil {
		return nil
	}
	out := make([]Header, len(h.CustomRequestHandling.InsertHeaders))
	for i, x := range h.CustomRequestHandling.InsertHeaders {
		out[i] = Header{Name: "x-amzn-waf-" + x.Name, Value: x.Value}
	}
	return out
}

// contentTypes are the media types of custom response bodies [D].
var contentTypes = map[string]string{"TEXT_PLAIN": "text/plain", "TEXT_HTML": "text/html", "APPLICATION_JSON": "application/json"}

func (c *compiler) block(b *wafmodel.BlockAction) (action, error) {
	act := action{kind: ActionBlock}
	cr := b.CustomResponse
	if cr == nil {
		return act, nil
	}
	resp := &Response{Status: int(deref64(cr.ResponseCode))}
	for _, h := range cr.ResponseHeaders {
		resp.Headers = append(resp.Headers, Header{Name: h.Name, Value: h.Value})
	}
	if k := cr.CustomResponseBodyKey; k != nil {
		body, ok := c.doc.CustomResponseBodies[*k]
		if !ok {
			return act, fmt.Errorf("custom response body %q is not defined", *k)
		}
		resp.ContentType, resp.Body = contentTypes[body.ContentType], []byte(body.Content)
	}
	act.resp = resp
	return act, nil
}

// statement compiles a (nestable) statement.
func (c *compiler) statement(s *wafmodel.Statement) (matcher, error) {
	switch {
	case s.ByteMatchStatement != nil:
		b := s.ByteMatchStatement
		f, err := compileField(b.FieldToMatch, b.TextTransformations)
		if err != nil {
			return nil, err
		}
		pos := map[string]uint8{"EXACTLY": posExactly, "STARTS_WITH": posStartsWith, "ENDS_WITH": posEndsWith,
			"CONTAINS": posContains, "CONTAINS_WORD": posContainsWord}[b.PositionalConstraint]
		return &byteMatch{f: f, s: b.SearchString, pos: pos}, nil
	case s.RegexMatchStatement != nil:
		r := s.RegexMatchStatement
		f, err := compileField(r.FieldToMatch, r.TextTransformations)
		if err != nil {
			return nil, err
		}
		re, err := c.regex(r.RegexString)
		if err != nil {
			return nil, err
		}
		return &regexMatch{f: f, res: []*regexp.Regexp{re}}, nil
	case s.RegexPatternSetReferenceStatement != nil:
		r := s.RegexPatternSetReferenceStatement
		set := c.sets.RegexSets[r.ARN]
		if set == nil {
			return nil, fmt.Errorf("regex pattern set %s is missing", r.ARN)
		}
		f, err := compileField(r.FieldToMatch, r.TextTransformations)
		if err != nil {
			return nil, err
		}
		m := &regexMatch{f: f}
		for _, p := range set.RegularExpressionList {
			re, err := c.regex(p.RegexString)
			if err != nil {
				return nil, err
			}
			m.res = append(m.res, re)
		}
		return m, nil
	case s.SizeConstraintStatement != nil:
		z := s.SizeConstraintStatement
		f, err := compileField(z.FieldToMatch, z.TextTransformations)
		if err != nil {
			return nil, err
		}
		op := map[string]uint8{"EQ": opEQ, "NE": opNE, "LE": opLE, "LT": opLT, "GE": opGE, "GT": opGT}[z.ComparisonOperator]
		return &sizeMatch{f: f, op: op, size: deref64(z.Size)}, nil
	case s.SqliMatchStatement != nil:
		q := s.SqliMatchStatement
		f, err := compileField(q.FieldToMatch, q.TextTransformations)
		if err != nil {
			return nil, err
		}
		m := &sqliMatch{f: f}
		if q.SensitivityLevel == "HIGH" {
			m.extra = sqliHigh()
		}
		return m, nil
	case s.XssMatchStatement != nil:
		x := s.XssMatchStatement
		f, err := compileField(x.FieldToMatch, x.TextTransformations)
		if err != nil {
			return nil, err
		}
		return &xssMatch{f: f, extra: xssSignatures()}, nil
	case s.IPSetReferenceStatement != nil:
		ip := s.IPSetReferenceStatement
		set := c.sets.IPSets[ip.ARN]
		if set == nil {
			return nil, fmt.Errorf("IP set %s is missing", ip.ARN)
		}
		compiled, err := compileIPSet(set.Addresses)
		if err != nil {
			return nil, err
		}
		m := &ipMatch{set: compiled}
		if f := ip.IPSetForwardedIPConfig; f != nil {
			m.fwd = &forwarded{header: strings.ToLower(f.HeaderName), matchFallback: f.FallbackBehavior == "MATCH",
				position: map[string]uint8{"FIRST": posFirst, "LAST": posLast, "ANY": posAny}[f.Position]}
		}
		return m, nil
	case s.LabelMatchStatement != nil:
		return newLabelMatch(s.LabelMatchStatement.Scope, s.LabelMatchStatement.Key, c.doc.LabelNamespace), nil
	case s.GeoMatchStatement != nil:
		return never{}, nil
	case s.AndStatement != nil, s.OrStatement != nil:
		list := s.AndStatement
		if list == nil {
			list = s.OrStatement
		}
		ms := make([]matcher, 0, len(list.Statements))
		for i := range list.Statements {
			m, err := c.statement(&list.Statements[i])
			if err != nil {
				return nil, err
			}
			ms = append(ms, m)
		}
		if s.AndStatement != nil {
			return andMatch(ms), nil
		}
		return orMatch(ms), nil
	case s.NotStatement != nil && s.NotStatement.Statement != nil:
		m, err := c.statement(s.NotStatement.Statement)
		if err != nil {
			return nil, err
		}
		return notMatch{m}, nil
	}
	return nil, fmt.Errorf("unsupported statement")
}

func (c *compiler) regex(src string) (*regexp.Regexp, error) {
	if re := c.regexes[src]; re != nil {
		return re, nil
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", src, err)
	}
	c.regexes[src] = re
	return re, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func jsonOf(v any) ([]byte, error) { return json.Marshal(v) }
