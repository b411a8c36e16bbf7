package wafmodel

import (
	"regexp"
	"strconv"
	"strings"
)

// ruleChecks checks rules and statements and computes their capacity
// (WCUs) as AWS documents it [D: "Web ACL capacity units (WCUs) in AWS
// WAF"; X: check-capacity examples].
type ruleChecks struct {
	*Checks
	scope, region, account string
	exists                 Resolver
	bodies                 map[string]CustomResponseBody
	rulesOnly              bool
}

// rule checks one rule and returns its capacity.
func (c *ruleChecks) rule(r *Rule, at string) int64 {
	if r.Name == nil {
		c.Null(at + ".name")
	} else {
		c.Name(*r.Name, at+".name")
	}
	if r.Priority == nil {
		c.Null(at + ".priority")
	} else if *r.Priority < 0 {
		c.Range(*r.Priority, at+".priority", 0, 1<<31-1)
	}
	c.visibility(r.VisibilityConfig, at+".visibilityConfig")
	for i, l := range r.RuleLabels {
		m := member(at+".ruleLabels", i) + ".name"
		if l.Name == "" {
			c.Null(m)
		} else if c.Length(l.Name, m, 1, 1024) && c.Pattern(l.Name, m, LabelPattern, labelRE) {
			c.label(l.Name)
		}
	}
	if r.Statement == nil {
		c.Null(at + ".statement")
		return 0
	}
	st := r.Statement
	group := st.ManagedRuleGroupStatement != nil || st.RuleGroupReferenceStatement != nil
	switch {
	case group && (r.Action != nil || r.OverrideAction == nil):
		c.Fail(InvalidParameter("RULE", "Rule", ReasonExactlyOne))
	case !group && (r.OverrideAction != nil || r.Action == nil):
		c.Fail(InvalidParameter("RULE", "Rule", ReasonExactlyOne))
	}
	if group && len(r.RuleLabels) > 0 {
		c.Fail(InvalidParameter("RULE", "RuleLabels", ReasonNotAllowed))
	}
	if r.Action != nil {
		c.action(r.Action, at+".action", "RULE_ACTION")
		if st.RateBasedStatement != nil && r.Action.Allow != nil {
			c.Fail(InvalidParameter("RULE_ACTION", "Allow", ReasonNotAllowed)) // [D: rate-based rules may not Allow]
		}
	}
	if o := r.OverrideAction; o != nil {
		if (o.Count != nil) == (o.None != nil) {
			c.Fail(InvalidParameter("OVERRIDE_ACTION", "OverrideAction", ReasonExactlyOne))
		}
	}
	return c.statement(st, at+".statement", true)
}

// label checks a rule label's parts [D: label syntax]: at most five
// namespaces besides the name, none empty, none reserved.
func (c *ruleChecks) label(name string) {
	parts := strings.Split(name, ":")
	if len(parts) > 6 {
		c.Fail(InvalidParameter("RULE", name, ReasonFormat))
		return
	}
	for _, p := range parts {
		switch {
		case p == "", len(p) > 128:
			c.Fail(InvalidParameter("RULE", name, ReasonFormat))
		case p == "awswaf", p == "aws", p == "waf", p == "rulegroup", p == "webacl", p == "regexpatternset", p == "ipset", p == "managed":
			c.Fail(InvalidParameter("RULE", name, ReasonNotAllowed))
		}
	}
}

func (c *ruleChecks) action(a *RuleAction, at, field string) {
	n := 0
	for _, set := range []bool{a.Block != nil, a.Allow != nil, a.Count != nil, a.Captcha != nil, a.Challenge != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		c.Fail(InvalidParameter(field, "RuleAction", ReasonExactlyOne))
		return
	}
	switch {
	case a.Block != nil:
		if c.rulesOnly && a.Block.CustomResponse != nil && a.Block.CustomResponse.CustomResponseBodyKey != nil {
			// CheckCapacity has no bodies to refer to: only the shape counts.
			cr := *a.Block.CustomResponse
			cr.CustomResponseBodyKey = nil
			c.customResponse(&cr, at+".block.customResponse", c.bodies)
			return
		}
		c.customResponse(a.Block.CustomResponse, at+".block.customResponse", c.bodies)
	case a.Allow != nil:
		c.requestHandling(a.Allow.CustomRequestHandling, at+".allow.customRequestHandling")
	case a.Count != nil:
		c.requestHandling(a.Count.CustomRequestHandling, at+".count.customRequestHandling")
	case a.Captcha != nil:
		c.requestHandling(a.Captcha.CustomRequestHandling, at+".captcha.customRequestHandling")
	case a.Challenge != nil:
		c.requestHandling(a.Challenge.CustomRequestHandling, at+".challenge.customRequestHandling")
	}
}

// statement checks a statement and returns its capacity; top is set for
// a rule's own statement (where rate-based and rule group statements may
// be).
func (c *ruleChecks) statement(s *Statement, at string, top bool) int64 {
	n := 0
	for _, set := range []bool{s.ByteMatchStatement != nil, s.SqliMatchStatement != nil, s.XssMatchStatement != nil,
		s.SizeConstraintStatement != nil, s.GeoMatchStatement != nil, s.RuleGroupReferenceStatement != nil,
		s.IPSetReferenceStatement != nil, s.RegexPatternSetReferenceStatement != nil, s.RateBasedStatement != nil,
		s.AndStatement != nil, s.OrStatement != nil, s.NotStatement != nil, s.ManagedRuleGroupStatement != nil,
		s.LabelMatchStatement != nil, s.RegexMatchStatement != nil, s.AsnMatchStatement != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		c.Fail(InvalidParameter("STATEMENT", "Statement", ReasonExactlyOne))
		return 0
	}
	if !top && (s.RateBasedStatement != nil || s.ManagedRuleGroupStatement != nil || s.RuleGroupReferenceStatement != nil) {
		// These may only be a rule's own statement [M doc].
		c.Fail(InvalidParameter("STATEMENT", "Statement", ReasonNotAllowed))
		return 0
	}
	switch {
	case s.ByteMatchStatement != nil:
		b := s.ByteMatchStatement
		at += ".byteMatchStatement"
		cost := int64(2)
		if c.Enum(b.PositionalConstraint, at+".positionalConstraint", PositionalConstraints) &&
			(b.PositionalConstraint == "CONTAINS" || b.PositionalConstraint == "CONTAINS_WORD") {
			cost = 10
		}
		if b.SearchString == nil {
			c.Null(at + ".searchString")
		} else if len(b.SearchString) > maxSearchString {
			c.Fail(InvalidParameter("BYTE_MATCH_STATEMENT", "SearchString", ReasonNotAllowed))
		}
		if b.PositionalConstraint == "CONTAINS_WORD" && !wordRE.Match(b.SearchString) {
			c.Fail(InvalidParameter("BYTE_MATCH_STATEMENT", "SearchString", ReasonFormat))
		}
		return c.matched(b.FieldToMatch, b.TextTransformations, at, cost)
	case s.SqliMatchStatement != nil:
		q := s.SqliMatchStatement
		at += ".sqliMatchStatement"
		cost := int64(20)
		if q.SensitivityLevel != "" && c.Enum(q.SensitivityLevel, at+".sensitivityLevel", SensitivityLevels) && q.SensitivityLevel == "HIGH" {
			cost = 30
		}
		return c.matched(q.FieldToMatch, q.TextTransformations, at, cost)
	case s.XssMatchStatement != nil:
		return c.matched(s.XssMatchStatement.FieldToMatch, s.XssMatchStatement.TextTransformations, at+".xssMatchStatement", 40)
	case s.SizeConstraintStatement != nil:
		z := s.SizeConstraintStatement
		at += ".sizeConstraintStatement"
		c.Enum(z.ComparisonOperator, at+".comparisonOperator", ComparisonOperators)
		if z.Size == nil {
			c.Null(at + ".size")
		} else {
			c.Range(*z.Size, at+".size", 0, 21474836480)
		}
		return c.matched(z.FieldToMatch, z.TextTransformations, at, 1)
	case s.GeoMatchStatement != nil:
		g := s.GeoMatchStatement
		if len(g.CountryCodes) == 0 {
			c.Fail(InvalidParameter("GEO_MATCH_STATEMENT", "CountryCodes", ReasonThreshold))
		}
		c.forwarded(g.ForwardedIPConfig, at+".geoMatchStatement.forwardedIPConfig")
		return 1
	case s.RuleGroupReferenceStatement != nil:
		// Tollgate has no rule groups of your own: no ARN refers to one.
		c.Fail(InvalidParameter("RULE", "Statement", ReasonBadRef))
		return 0
	case s.IPSetReferenceStatement != nil:
		ip := s.IPSetReferenceStatement
		at += ".iPSetReferenceStatement"
		c.reference(ip.ARN, at+".aRN", KindIPSet)
		cost := int64(1)
		if f := ip.IPSetForwardedIPConfig; f != nil {
			fat := at + ".iPSetForwardedIPConfig"
			c.forwarded(&ForwardedIPConfig{HeaderName: f.HeaderName, FallbackBehavior: f.FallbackBehavior}, fat)
			if c.Enum(f.Position, fat+".position", Positions) && f.Position == "ANY" {
				cost += 4
			}
		}
		return cost
	case s.RegexPatternSetReferenceStatement != nil:
		r := s.RegexPatternSetReferenceStatement
		at += ".regexPatternSetReferenceStatement"
		c.reference(r.ARN, at+".aRN", KindRegexSet)
		return c.matched(r.FieldToMatch, r.TextTransformations, at, 25)
	case s.RegexMatchStatement != nil:
		r := s.RegexMatchStatement
		at += ".regexMatchStatement"
		if r.RegexString == "" {
			c.Null(at + ".regexString")
		} else if c.Length(r.RegexString, at+".regexString", 1, 512) {
			if _, err := regexp.Compile(r.RegexString); err != nil {
				c.Fail(InvalidParameter("STATEMENT", r.RegexString, ReasonFormat))
			}
		}
		return c.matched(r.FieldToMatch, r.TextTransformations, at, 3)
	case s.RateBasedStatement != nil:
		return c.rateBased(s.RateBasedStatement, at+".rateBasedStatement")
	case s.AndStatement != nil, s.OrStatement != nil:
		list, field, name, param := s.AndStatement, "AND_STATEMENT", ".andStatement", "AndStatement"
		if list == nil {
			list, field, name, param = s.OrStatement, "OR_STATEMENT", ".orStatement", "OrStatement"
		}
		at += name
		if list.Statements == nil {
			c.Null(at + ".statements")
			return 0
		}
		if len(list.Statements) < 2 {
			c.Fail(InvalidParameter(field, param, ReasonThreshold))
		}
		var sum int64
		for i := range list.Statements {
			sum += c.statement(&list.Statements[i], member(at+".statements", i), false)
		}
		return sum
	case s.NotStatement != nil:
		at += ".notStatement"
		if s.NotStatement.Statement == nil {
			c.Null(at + ".statement")
			return 0
		}
		return c.statement(s.NotStatement.Statement, at+".statement", false)
	case s.ManagedRuleGroupStatement != nil:
		return c.managed(s.ManagedRuleGroupStatement, at+".managedRuleGroupStatement")
	case s.LabelMatchStatement != nil:
		l := s.LabelMatchStatement
		at += ".labelMatchStatement"
		c.Enum(l.Scope, at+".scope", LabelMatchScopes)
		if l.Key == "" {
			c.Null(at + ".key")
		} else if c.Length(l.Key, at+".key", 1, 1024) {
			c.Pattern(l.Key, at+".key", LabelPattern, labelRE)
		}
		return 1
	case s.AsnMatchStatement != nil:
		c.Fail(InvalidOperation("Tollgate does not support AsnMatchStatement: it has no ASN data."))
	}
	return 0
}

// matched checks a match statement's component and transformations and
// returns its capacity: base, +10 per transformation other than NONE,
// +10 for AllQueryArguments, doubled for JsonBody [D].
func (c *ruleChecks) matched(f *FieldToMatch, ts []TextTransformation, at string, base int64) int64 {
	cost := base
	if f == nil {
		c.Null(at + ".fieldToMatch")
	} else {
		switch c.field(f, at+".fieldToMatch") {
		case "AllQueryArguments":
			cost += 10
		case "JsonBody":
			cost *= 2
		}
	}
	return cost + c.transformations(ts, at+".textTransformations")
}

// transformations checks a TextTransformations list and returns what it
// adds to the capacity.
func (c *ruleChecks) transformations(ts []TextTransformation, at string) int64 {
	if ts == nil {
		c.Null(at)
		return 0
	}
	if len(ts) == 0 {
		c.v.Add("Value '[]' at '" + at + "' failed to satisfy constraint: Member must have length greater than or equal to 1")
		return 0
	}
	if len(ts) > maxTransformations {
		c.Fail(InvalidParameter("TEXT_TRANSFORMATION", "TextTransformations", ReasonNotAllowed))
	}
	var cost int64
	prios := map[int64]bool{}
	for i, t := range ts {
		m := member(at, i)
		if t.Priority == nil {
			c.Null(m + ".priority")
		} else {
			if c.Range(*t.Priority, m+".priority", 0, 1<<31-1) && prios[*t.Priority] {
				c.Fail(InvalidParameter("TEXT_TRANSFORMATION", strconv.FormatInt(*t.Priority, 10), ReasonDuplicate))
			}
			prios[*t.Priority] = true
		}
		if c.Enum(t.Type, m+".type", TransformationTypes) && t.Type != "NONE" {
			cost += 10
		}
	}
	return cost
}

// field checks a FieldToMatch and returns the member it sets.
func (c *ruleChecks) field(f *FieldToMatch, at string) string {
	type option struct {
		name string
		set  bool
	}
	var chosen string
	n := 0
	for _, m := range []option{
		{"SingleHeader", f.SingleHeader != nil}, {"SingleQueryArgument", f.SingleQueryArgument != nil},
		{"AllQueryArguments", f.AllQueryArguments != nil}, {"UriPath", f.UriPath != nil}, {"QueryString", f.QueryString != nil},
		{"Body", f.Body != nil}, {"Method", f.Method != nil}, {"JsonBody", f.JsonBody != nil}, {"Headers", f.Headers != nil},
		{"Cookies", f.Cookies != nil}, {"HeaderOrder", f.HeaderOrder != nil}, {"JA3Fingerprint", f.JA3Fingerprint != nil},
		{"JA4Fingerprint", f.JA4Fingerprint != nil}, {"UriFragment", f.UriFragment != nil},
	} {
		if m.set {
			n++
			chosen = m.name
		}
	}
	if n != 1 {
		c.Fail(InvalidParameter("FIELD_TO_MATCH", "FieldToMatch", ReasonExactlyOne))
		return ""
	}
	switch chosen {
	case "SingleHeader":
		c.fieldName(f.SingleHeader.Name, at+".singleHeader.name")
	case "SingleQueryArgument":
		if c.fieldName(f.SingleQueryArgument.Name, at+".singleQueryArgument.name") && len(f.SingleQueryArgument.Name) > 30 {
			c.Fail(InvalidParameter("SINGLE_QUERY_ARGUMENT", f.SingleQueryArgument.Name, ReasonNotAllowed)) // [D: ≤ 30]
		}
	case "Body":
		if f.Body.OversizeHandling != "" {
			c.Enum(f.Body.OversizeHandling, at+".body.oversizeHandling", OversizeHandlings)
		}
	case "JsonBody":
		j := f.JsonBody
		jat := at + ".jsonBody"
		c.Enum(j.MatchScope, jat+".matchScope", MatchScopes)
		if j.InvalidFallbackBehavior != "" {
			c.Enum(j.InvalidFallbackBehavior, jat+".invalidFallbackBehavior", BodyFallbacks)
		}
		if j.OversizeHandling != "" {
			c.Enum(j.OversizeHandling, jat+".oversizeHandling", OversizeHandlings)
		}
		switch p := j.MatchPattern; {
		case p == nil:
			c.Null(jat + ".matchPattern")
		case (p.All != nil) == (p.IncludedPaths != nil):
			c.Fail(InvalidParameter("JSON_MATCH_PATTERN", "MatchPattern", ReasonExactlyOne))
		default:
			for i, path := range p.IncludedPaths {
				if !validPointer(path) {
					c.v.Pattern(path, member(jat+".matchPattern.includedPaths", i), `([/])|([/](([^~])|(~[01]))+)`)
				}
			}
		}
	case "Headers", "Cookies":
		m := f.Headers
		if chosen == "Cookies" {
			m = f.Cookies
		}
		mat := at + "." + strings.ToLower(chosen[:1]) + chosen[1:]
		c.Enum(m.MatchScope, mat+".matchScope", MatchScopes)
		c.Enum(m.OversizeHandling, mat+".oversizeHandling", OversizeHandlings)
		p := m.MatchPattern
		if p == nil {
			c.Null(mat + ".matchPattern")
			break
		}
		inc, exc := p.IncludedHeaders, p.ExcludedHeaders
		other := p.IncludedCookies != nil || p.ExcludedCookies != nil
		if chosen == "Cookies" {
			inc, exc = p.IncludedCookies, p.ExcludedCookies
			other = p.IncludedHeaders != nil || p.ExcludedHeaders != nil
		}
		k := 0
		for _, set := range []bool{p.All != nil, inc != nil, exc != nil} {
			if set {
				k++
			}
		}
		if k != 1 || other {
			field := "HEADER_MATCH_PATTERN"
			if chosen == "Cookies" {
				field = "COOKIE_MATCH_PATTERN"
			}
			c.Fail(InvalidParameter(field, "MatchPattern", ReasonExactlyOne))
		}
	default:
		if strings.HasPrefix(chosen, "JA") || chosen == "HeaderOrder" || chosen == "UriFragment" {
			c.Fail(InvalidOperation("Tollgate does not support " + chosen + " as a field to match."))
		}
	}
	return chosen
}

func (c *ruleChecks) fieldName(s, at string) bool {
	if s == "" {
		c.Null(at)
		return false
	}
	return c.Length(s, at, 1, 64)
}

// validPointer reports whether p is a JSON Pointer as the model allows.
func validPointer(p string) bool {
	if p == "/" {
		return true
	}
	if !strings.HasPrefix(p, "/") || len(p) > 512 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '~' && (i+1 >= len(p) || (p[i+1] != '0' && p[i+1] != '1')) {
			return false
		}
	}
	return !strings.Contains(p, "//")
}

func (c *ruleChecks) forwarded(f *ForwardedIPConfig, at string) {
	if f == nil {
		return
	}
	if f.HeaderName == "" {
		c.Null(at + ".headerName")
	} else if c.Length(f.HeaderName, at+".headerName", 1, 255) {
		c.Pattern(f.HeaderName, at+".headerName", ForwardedPattern, forwardedRE)
	}
	c.Enum(f.FallbackBehavior, at+".fallbackBehavior", FallbackBehaviors)
}

// reference checks that arn names an existing entity of kind in the
// web ACL's scope, region and account.
func (c *ruleChecks) reference(arn, at, kind string) {
	if !c.ARN(arn, at) {
		return
	}
	p, ok := ParseARN(arn)
	if !ok || p.Kind != kind || p.Scope != c.scope || p.Region != c.region || p.Account != c.account || c.exists == nil || !c.exists(p) {
		c.Fail(InvalidParameter("RULE", "Statement", ReasonBadRef))
	}
}

func (c *ruleChecks) rateBased(r *RateBasedStatement, at string) int64 {
	cost := int64(2)
	if r.Limit == nil {
		c.Null(at + ".limit")
	} else {
		c.Range(*r.Limit, at+".limit", MinRateLimit, MaxRateLimit)
	}
	if w := r.EvaluationWindowSec; w != nil {
		switch *w {
		case 60, 120, 300, 600:
		default:
			c.Fail(InvalidParameter("RATE_BASED_STATEMENT", strconv.FormatInt(*w, 10), ReasonNotAllowed))
		}
	}
	if c.Enum(r.AggregateKeyType, at+".aggregateKeyType", AggregateKeyTypes) {
		switch r.AggregateKeyType {
		case "CONSTANT":
			if r.ScopeDownStatement == nil {
				c.Fail(InvalidParameter("SCOPE_DOWN", "ScopeDownStatement", ReasonThreshold))
			}
		case "FORWARDED_IP":
			if r.ForwardedIPConfig == nil {
				c.Fail(InvalidParameter("FORWARDED_IP_CONFIG", "ForwardedIPConfig", ReasonThreshold))
			}
		case "CUSTOM_KEYS":
			if len(r.CustomKeys) == 0 {
				c.Fail(InvalidParameter("CUSTOM_KEYS", "CustomKeys", ReasonThreshold))
			}
		}
		if r.AggregateKeyType != "CUSTOM_KEYS" && r.CustomKeys != nil {
			c.Fail(InvalidParameter("CUSTOM_KEYS", "CustomKeys", ReasonNotAllowed))
		}
	}
	c.forwarded(r.ForwardedIPConfig, at+".forwardedIPConfig")
	if len(r.CustomKeys) > maxCustomKeys {
		c.Fail(InvalidParameter("CUSTOM_KEYS", "CustomKeys", ReasonNotAllowed))
	}
	ipOnly := len(r.CustomKeys) > 0
	for i := range r.CustomKeys {
		k := &r.CustomKeys[i]
		kat := member(at+".customKeys", i)
		n := 0
		for _, set := range []bool{k.Header != nil, k.Cookie != nil, k.QueryArgument != nil, k.QueryString != nil, k.HTTPMethod != nil,
			k.ForwardedIP != nil, k.IP != nil, k.LabelNamespace != nil, k.UriPath != nil, k.JA3Fingerprint != nil, k.JA4Fingerprint != nil, k.ASN != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			c.Fail(InvalidParameter("CUSTOM_KEYS", "CustomKey", ReasonExactlyOne))
			continue
		}
		cost += 30
		if k.IP == nil && k.ForwardedIP == nil {
			ipOnly = false
		}
		switch {
		case k.Header != nil, k.Cookie != nil, k.QueryArgument != nil:
			nk, name := k.Header, "header"
			if k.Cookie != nil {
				nk, name = k.Cookie, "cookie"
			} else if k.QueryArgument != nil {
				nk, name = k.QueryArgument, "queryArgument"
			}
			c.fieldName(nk.Name, kat+"."+name+".name")
			c.transformations(nk.TextTransformations, kat+"."+name+".textTransformations")
		case k.QueryString != nil:
			c.transformations(k.QueryString.TextTransformations, kat+".queryString.textTransformations")
		case k.UriPath != nil:
			c.transformations(k.UriPath.TextTransformations, kat+".uriPath.textTransformations")
		case k.LabelNamespace != nil:
			ns := k.LabelNamespace.Namespace
			if ns == "" {
				c.Null(kat + ".labelNamespace.namespace")
			} else if c.Length(ns, kat+".labelNamespace.namespace", 1, 1024) {
				c.Pattern(ns, kat+".labelNamespace.namespace", NamespacePattern, namespaceRE)
			}
		case k.ForwardedIP != nil:
			if r.ForwardedIPConfig == nil {
				c.Fail(InvalidParameter("FORWARDED_IP_CONFIG", "ForwardedIPConfig", ReasonThreshold))
			}
		case k.JA3Fingerprint != nil, k.JA4Fingerprint != nil, k.ASN != nil:
			c.Fail(InvalidOperation("Tollgate does not support JA3, JA4 or ASN aggregation keys."))
		}
	}
	if ipOnly {
		// IP and ForwardedIP need another key beside them [M doc].
		c.Fail(InvalidParameter("CUSTOM_KEYS", "CustomKeys", ReasonThreshold))
	}
	if r.ScopeDownStatement != nil {
		cost += c.statement(r.ScopeDownStatement, at+".scopeDownStatement", false)
	}
	return cost
}

func (c *ruleChecks) managed(m *ManagedRuleGroupStatement, at string) int64 {
	if m.VendorName == "" {
		c.Null(at + ".vendorName")
	}
	if !c.Name(m.Name, at+".name") {
		return 0
	}
	g := LookupManagedGroup(m.VendorName, m.Name)
	if g == nil {
		c.Fail(InvalidParameter("RULE", "Statement", ReasonBadRef))
		return 0
	}
	for i, e := range m.ExcludedRules {
		c.Name(e.Name, member(at+".excludedRules", i)+".name")
	}
	for i := range m.RuleActionOverrides {
		o := &m.RuleActionOverrides[i]
		oat := member(at+".ruleActionOverrides", i)
		c.Name(o.Name, oat+".name")
		if o.ActionToUse == nil {
			c.Null(oat + ".actionToUse")
		} else {
			c.action(o.ActionToUse, oat+".actionToUse", "RULE_ACTION")
		}
		// An unknown rule name is ignored for managed groups [M doc].
	}
	cost := g.Capacity
	if m.ScopeDownStatement != nil {
		cost += c.statement(m.ScopeDownStatement, at+".scopeDownStatement", false)
	}
	return cost
}

// References returns the ARNs of the IP sets and regex pattern sets the
// rules refer to, each once, in the order they first appear.
func References(rules []Rule) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(s *Statement)
	walk = func(s *Statement) {
		if s == nil {
			return
		}
		add := func(arn string) {
			if !seen[arn] {
				seen[arn] = true
				out = append(out, arn)
			}
		}
		switch {
		case s.IPSetReferenceStatement != nil:
			add(s.IPSetReferenceStatement.ARN)
		case s.RegexPatternSetReferenceStatement != nil:
			add(s.RegexPatternSetReferenceStatement.ARN)
		case s.AndStatement != nil:
			for i := range s.AndStatement.Statements {
				walk(&s.AndStatement.Statements[i])
			}
		case s.OrStatement != nil:
			for i := range s.OrStatement.Statements {
				walk(&s.OrStatement.Statements[i])
			}
		case s.NotStatement != nil:
			walk(s.NotStatement.Statement)
		case s.RateBasedStatement != nil:
			walk(s.RateBasedStatement.ScopeDownStatement)
		case s.ManagedRuleGroupStatement != nil:
			walk(s.ManagedRuleGroupStatement.ScopeDownStatement)
		}
	}
	for i := range rules {
		walk(rules[i].Statement)
	}
	return out
}
