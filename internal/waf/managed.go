package waf

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/tollgate/tollgate/internal/waf/crs"
	"github.com/tollgate/tollgate/internal/waf/transform"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// AWS's managed rule groups, mapped onto OWASP CRS v4 rules and native
// checks [T]. AWS publishes each rule's name, label, action and intent,
// not its patterns [D: "AWS Managed Rules rule groups list"]; each rule
// here is (the component it inspects, what it looks for): the CRS rules
// whose intent is the AWS rule's (at paranoia level 1, never CRS's
// anomaly scoring), libinjection where AWS uses its SQL injection or XSS
// match statements, and native size, method, header and path checks
// where AWS describes exactly what it inspects.

// comp is the request component a managed rule inspects.
type comp uint8

const (
	compNone comp = iota
	compQueryArgs
	compQueryString
	compBody
	compCookie
	compHeader
	compURIPath
)

// mdef is one managed rule's detector.
type mdef struct {
	name string
	comp comp
	crs  []*crs.Rule
	// sqli and xss run libinjection on the component's values after
	// AWS's SQLi group transformations (URL_DECODE_UNI twice,
	// COMPRESS_WHITE_SPACE) [D changelog] or CRS 941100's.
	sqli bool
	// phrases and re are native checks on the (URL-decoded) values.
	phrases *crs.Phrases
	re      *regexp.Regexp
	// check is a whole-request check (sizes, method, headers).
	check func(e *eval) bool
	// never is set for rules Tollgate has no data for.
	never bool
}

// ids turns CRS rule ids into rules.
func ids(n ...int) []*crs.Rule { return crs.MustLoad(n...) }

// sqliExtended are CRS's SQL injection rules at paranoia level 1 other
// than 942100 (libinjection) [reference §9.3], without 942190: its
// patterns (a quote or backtick before SELECT, "user(") fire on ordinary
// GraphQL queries and on prose quoting SQL, which the benign corpus has
// (accuracy_test.go) [T].
var sqliExtended = []int{942140, 942151, 942160, 942170, 942220, 942230, 942240, 942250, 942270, 942280, 942290,
	942320, 942350, 942360, 942500, 942540, 942550, 942560}

// xssRules are CRS 941100 (libinjection) and the PL1 XSS signatures.
var xssRules = []int{941100, 941110, 941130, 941140, 941160, 941170}

var (
	defsMu sync.Mutex
	defs   = map[string][]mdef{}
)

// groupDefs returns the detectors of a managed group's rules, built on
// first use and shared by every web ACL.
func groupDefs(g *wafmodel.ManagedGroup) ([]mdef, error) {
	defsMu.Lock()
	defer defsMu.Unlock()
	if d, ok := defs[g.Name]; ok {
		return d, nil
	}
	build := builders[g.Name]
	var out []mdef
	if build != nil && g.Enforced {
		var err error
		if out, err = safeBuild(build); err != nil {
			return nil, err
		}
	} else {
		for _, r := range g.Rules {
			out = append(out, mdef{name: r.Name, never: true})
		}
	}
	if len(out) != len(g.Rules) {
		return nil, fmt.Errorf("managed group %s: %d detectors for %d rules", g.Name, len(out), len(g.Rules))
	}
	for i, r := range g.Rules {
		if out[i].name != r.Name {
			return nil, fmt.Errorf("managed group %s: detector %s for rule %s", g.Name, out[i].name, r.Name)
		}
	}
	defs[g.Name] = out
	return out, nil
}

func safeBuild(build func() []mdef) (out []mdef, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	return build(), nil
}

// builders build each enforced group's detectors, in the catalogue's rule
// order.
var builders = map[string]func() []mdef{
	"AWSManagedRulesSQLiRuleSet": func() []mdef {
		ext := ids(sqliExtended...)
		return []mdef{
			{name: "SQLi_QUERYARGUMENTS", comp: compQueryArgs, sqli: true},
			{name: "SQLiExtendedPatterns_QUERYARGUMENTS", comp: compQueryArgs, crs: ext},
			{name: "SQLi_BODY", comp: compBody, sqli: true},
			{name: "SQLiExtendedPatterns_BODY", comp: compBody, crs: ext},
			{name: "SQLiExtendedPatterns_HEADER", comp: compHeader, crs: ids(942280)},
			{name: "SQLiExtendedPatterns_URIPATH", comp: compURIPath, crs: ids(942160, 942550)},
			{name: "SQLi_COOKIE", comp: compCookie, sqli: true},
			{name: "SQLi_URIPATH", comp: compURIPath, sqli: true},
		}
	},
	"AWSManagedRulesCommonRuleSet": func() []mdef {
		ssrf := metadataPhrases()
		lfi, lfiPath := ids(930100, 930110, 930120), ids(930100, 930110)
		rfi := ids(931100)
		xss := ids(xssRules...)
		ext := restrictedExtensions()
		return []mdef{
			{name: "NoUserAgent_HEADER", check: func(e *eval) bool {
				ua, ok := e.header("user-agent")
				return !ok || len(bytes.TrimSpace(ua)) == 0
			}},
			{name: "UserAgent_BadBots_HEADER", comp: compHeader, crs: ids(913100)},
			{name: "SizeRestrictions_QUERYSTRING", check: func(e *eval) bool { return len(e.req.RawQuery()) > 2048 }},
			{name: "SizeRestrictions_Cookie_HEADER", check: func(e *eval) bool {
				c, ok := e.header("cookie")
				return ok && len(c) > 10240
			}},
			{name: "SizeRestrictions_BODY", check: func(e *eval) bool {
				b, over := e.requestBody()
				return over || len(b) > 8192
			}},
			{name: "SizeRestrictions_URIPATH", check: func(e *eval) bool { return len(e.path()) > 1024 }},
			{name: "EC2MetaDataSSRF_BODY", comp: compBody, phrases: ssrf},
			{name: "EC2MetaDataSSRF_COOKIE", comp: compCookie, phrases: ssrf},
			{name: "EC2MetaDataSSRF_URIPATH", comp: compURIPath, phrases: ssrf},
			{name: "EC2MetaDataSSRF_QUERYARGUMENTS", comp: compQueryArgs, phrases: ssrf},
			{name: "GenericLFI_QUERYARGUMENTS", comp: compQueryArgs, crs: lfi},
			{name: "GenericLFI_URIPATH", comp: compURIPath, crs: lfiPath},
			{name: "GenericLFI_BODY", comp: compBody, crs: lfi},
			{name: "RestrictedExtensions_URIPATH", comp: compURIPath, re: ext},
			{name: "RestrictedExtensions_QUERYARGUMENTS", comp: compQueryArgs, re: ext},
			{name: "GenericRFI_QUERYARGUMENTS", comp: compQueryArgs, crs: rfi},
			{name: "GenericRFI_BODY", comp: compBody, crs: rfi},
			{name: "GenericRFI_URIPATH", comp: compURIPath, re: rfiPath()},
			{name: "CrossSiteScripting_COOKIE", comp: compCookie, crs: xss},
			{name: "CrossSiteScripting_QUERYARGUMENTS", comp: compQueryArgs, crs: xss},
			{name: "CrossSiteScripting_BODY", comp: compBody, crs: xss},
			{name: "CrossSiteScripting_URIPATH", comp: compURIPath, crs: xss},
		}
	},
	"AWSManagedRulesKnownBadInputsRuleSet": func() []mdef {
		java := ids(944100, 944110, 944120, 944130)
		log4j := ids(944150)
		return []mdef{
			{name: "JavaDeserializationRCE_HEADER", comp: compHeader, crs: java},
			{name: "JavaDeserializationRCE_BODY", comp: compBody, crs: java},
			{name: "JavaDeserializationRCE_URIPATH", comp: compURIPath, crs: java},
			{name: "JavaDeserializationRCE_QUERYSTRING", comp: compQueryString, crs: java},
			{name: "Host_localhost_HEADER", check: func(e *eval) bool {
				// Only for requests addressed by host name: path-style calls
				// to localhost are how Tollgate is used [T].
				if !e.req.ByHost() {
					return false
				}
				h, _ := e.header("host")
				host := string(h)
				if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
					host = host[:i]
				}
				return strings.EqualFold(strings.TrimSpace(host), "localhost")
			}},
			{name: "PROPFIND_METHOD", check: func(e *eval) bool { return e.req.Method() == "PROPFIND" }},
			{name: "ExploitablePaths_URIPATH", comp: compURIPath, crs: ids(930130)},
			{name: "Log4JRCE_HEADER", comp: compHeader, crs: log4j},
			{name: "Log4JRCE_QUERYSTRING", comp: compQueryString, crs: log4j},
			{name: "Log4JRCE_BODY", comp: compBody, crs: log4j},
			{name: "Log4JRCE_URIPATH", comp: compURIPath, crs: log4j},
		}
	},
}

// metadataPhrases are the cloud metadata addresses of CRS's ssrf.data:
// AWS's rule is about the EC2 metadata endpoint, not every local URL
// [D: "EC2MetaDataSSRF: inspects for attempts to exfiltrate Amazon EC2
// metadata"].
func metadataPhrases() *crs.Phrases {
	all, err := crs.DataFile("ssrf.data")
	if err != nil {
		panic(err)
	}
	keep := []string{"169.254.169.254"}
	for _, p := range all {
		l := strings.ToLower(p)
		for _, k := range []string{"169.254.16", "a9fe", "2852039166", "025177524776", "0251.", "0xa9", "instance-data", "metadata"} {
			if strings.Contains(l, k) {
				keep = append(keep, p)
				break
			}
		}
	}
	return crs.NewPhrases(keep)
}

// restrictedExtensions matches a file name ending in an extension of
// CRS's tx.restricted_extensions (920440's list: .bak, .config, .log,
// .sql, …) but .com, which every e-mail address and domain name would
// match [T]; a value with an @ is an address, not a file name.
func restrictedExtensions() *regexp.Regexp {
	var exts []string
	for _, e := range strings.Fields(crs.Setting("restricted_extensions")) {
		e = strings.TrimSuffix(strings.TrimPrefix(e, "."), "/")
		if e != "com" {
			exts = append(exts, regexp.QuoteMeta(e))
		}
	}
	return regexp.MustCompile(`(?i)^[^@]*\.(?:` + strings.Join(exts, "|") + `)$`)
}

// rfiPath is CRS 931100's pattern (a URL with an IPv4 host) anywhere in
// the path.
func rfiPath() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(f(?:ile|tps?)|https?|ssh)://(?:\[?[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\]?|[0-9]{1,3}(?:\.[0-9]{1,3}){3})`)
}

// groupRule is a ManagedRuleGroupStatement of a web ACL rule.
type groupRule struct {
	group *wafmodel.ManagedGroup
	defs  []mdef
	// acts are each group rule's effective actions (RuleActionOverrides,
	// ExcludedRules), own their own ones.
	acts   []action
	own    []Action
	labels []string
	// count is OverrideAction Count: the group's terminating results are
	// counted instead [D].
	count bool
	scope matcher
	// inGroup are the names samples give the group's rules.
	inGroup []string
}

func (c *compiler) group(s *wafmodel.ManagedRuleGroupStatement, in *wafmodel.Rule, a *ACL) (*groupRule, error) {
	g := wafmodel.LookupManagedGroup(s.VendorName, s.Name)
	if g == nil {
		return nil, fmt.Errorf("unknown managed rule group %s/%s", s.VendorName, s.Name)
	}
	d, err := groupDefs(g)
	if err != nil {
		return nil, err
	}
	gr := &groupRule{group: g, defs: d, count: in.OverrideAction != nil && in.OverrideAction.Count != nil}
	overrides := map[string]*wafmodel.RuleAction{}
	for i := range s.RuleActionOverrides {
		overrides[s.RuleActionOverrides[i].Name] = s.RuleActionOverrides[i].ActionToUse
	}
	excluded := map[string]bool{}
	for _, e := range s.ExcludedRules {
		excluded[e.Name] = true
	}
	for _, r := range g.Rules {
		own := ActionBlock
		if r.Count {
			own = ActionCount
		}
		act := action{kind: own}
		if o := overrides[r.Name]; o != nil {
			if act, err = c.action(o); err != nil {
				return nil, err
			}
		}
		if excluded[r.Name] {
			act = action{kind: ActionCount}
		}
		gr.acts = append(gr.acts, act)
		gr.own = append(gr.own, own)
		gr.labels = append(gr.labels, g.FullLabel(r))
		gr.inGroup = append(gr.inGroup, g.Vendor+"#"+g.Name+"#"+r.Name)
	}
	if s.ScopeDownStatement != nil {
		if gr.scope, err = c.statement(s.ScopeDownStatement); err != nil {
			return nil, err
		}
	}
	return gr, nil
}

// run evaluates the group at rule r's place: done when one of its rules
// ended the evaluation.
func (g *groupRule) run(e *eval, r *rule) (Result, bool) {
	if g.scope != nil && !g.scope.match(e) {
		return Result{}, false
	}
	for i := range g.defs {
		if !g.defs[i].match(e) {
			continue
		}
		if e.err != nil {
			return Result{Action: ActionBlock, Rule: r.name}, true
		}
		e.labels = append(e.labels, g.labels[i])
		act := &g.acts[i]
		kind := act.kind
		if g.count && act.terminates() {
			kind = ActionCount
		}
		record(e, r.counters, r.samples, kind, g.inGroup[i], g.own[i], act.resp)
		if kind != ActionCount {
			return e.acl.result(e, r.name, act), true
		}
		e.inserts = append(e.inserts, act.insert...)
	}
	return Result{}, e.err != nil
}

// Transformations of the SQLi group's libinjection rules [D changelog
// v2.0: URL_DECODE_UNI twice and COMPRESS_WHITE_SPACE]; query arguments
// arrive decoded once already.
var (
	sqliRaw     = []transform.Func{transform.URLDecodeUni, transform.URLDecodeUni, transform.CompressWhiteSpace}
	sqliDecoded = []transform.Func{transform.URLDecodeUni, transform.CompressWhiteSpace}
)

// match runs the detector on the request.
func (d *mdef) match(e *eval) bool {
	switch {
	case d.never:
		return false
	case d.check != nil:
		return d.check(e)
	}
	for _, r := range d.crs {
		if e.crsMatch(r, d.comp) {
			return true
		}
	}
	if d.sqli || d.phrases != nil || d.re != nil {
		return e.eachValue(d.comp, false, func(v []byte, decoded bool) bool {
			if d.sqli {
				tf := sqliRaw
				if decoded {
					tf = sqliDecoded
				}
				if isSQLi(transform.Chain(tf, &e.bufs, v)) {
					return true
				}
			}
			if d.phrases != nil || d.re != nil {
				if !decoded {
					v = transform.Chain(urlDecode, &e.bufs, v)
				}
				return d.phrases != nil && d.phrases.Match(v) || d.re != nil && d.re.Match(v)
			}
			return false
		})
	}
	return false
}

var urlDecode = []transform.Func{transform.URLDecodeUni}

// crsMatch runs a CRS rule on the component's values that the rule
// inspects: argument names only if it inspects ARGS_NAMES (cookie names:
// REQUEST_COOKIES_NAMES), only the headers it names, or all but those it
// excludes.
func (e *eval) crsMatch(r *crs.Rule, c comp) bool {
	switch c {
	case compHeader:
		keys, all := r.Headers()
		for _, h := range e.headerList() {
			want := false
			for _, k := range keys {
				if len(k) == len(h.name) && bytes.EqualFold([]byte(k), h.name) {
					want = true
					break
				}
			}
			if !want && all {
				want = !r.ExcludesHeader(h.name)
			}
			if want && r.Match(&e.crsBufs, h.value) {
				return true
			}
		}
		return false
	case compURIPath:
		return r.Match(&e.crsBufs, e.pathBytes())
	}
	names := r.Inspects("ARGS_NAMES") || (c == compCookie && r.Inspects("REQUEST_COOKIES_NAMES"))
	return e.eachValue(c, names, func(v []byte, _ bool) bool { return r.Match(&e.crsBufs, v) })
}

// eachValue calls fn with the component's values (and names when names
// is set) until it returns true. decoded says whether the value was
// URL-decoded already (query and form arguments).
func (e *eval) eachValue(c comp, names bool, fn func(v []byte, decoded bool) bool) bool {
	switch c {
	case compQueryArgs, compQueryString:
		for _, a := range e.decodedArgs() {
			if fn(a.value, true) || names && fn(a.name, true) {
				return true
			}
		}
		if c == compQueryString && e.req.RawQuery() != "" {
			return fn([]byte(e.req.RawQuery()), false)
		}
	case compBody:
		args, structured := e.bodyArgs()
		if !structured {
			body, _ := e.requestBody()
			return len(body) > 0 && fn(body, false)
		}
		for _, a := range args {
			if fn(a.value, true) || names && len(a.name) > 0 && fn(a.name, true) {
				return true
			}
		}
	case compCookie:
		for _, ck := range e.cookieList() {
			if fn(ck.value, false) || names && fn(ck.name, false) {
				return true
			}
		}
	case compURIPath:
		return fn(e.pathBytes(), false)
	case compHeader:
		for _, h := range e.headerList() {
			if fn(h.value, false) {
				return true
			}
		}
	}
	return false
}
