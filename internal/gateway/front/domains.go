package front

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// Domain is a custom domain name as the front door routes it: its routing
// rules and API mappings, whichever the routing mode consults, and what a
// request must have negotiated to use it. The front door reads a Domain
// given to SetDomain and never changes it; a change publishes a new one.
type Domain struct {
	// Name is the domain name, lower case; "*.example.com" for a wildcard
	// domain, which serves every host one label in front of its suffix
	// that has no domain of its own [D][T: one label].
	Name string
	// UseRules and UseMappings say which the routing mode consults:
	// rules first when both are set [D: rest-api-routing-mode].
	UseRules, UseMappings bool
	// Rules are the routing rules, in any order (evaluated by ascending
	// Priority).
	Rules []Rule
	// Mappings are the API (base path) mappings.
	Mappings []Mapping
	// Strict is endpointAccessMode STRICT: the request's Host must be the
	// name the client asked for in its TLS handshake (SNI) [D].
	Strict bool
	// ClientAuth, when set, is the domain's mutual TLS: every request
	// must have presented a client certificate it accepts, on a
	// connection whose SNI named this domain.
	ClientAuth ClientAuth
}

// ClientAuth verifies the client certificate chain of a mutual TLS
// connection (leaf first), returning what the API sees of the leaf.
type ClientAuth interface {
	Verify(chain []*x509.Certificate) (*pipeline.ClientCert, error)
}

// Mapping maps a base path of a domain to an API stage.
type Mapping struct {
	// Key is the base path without leading or trailing slashes: "" for
	// the root ("(none)"), possibly several segments ("v1/orders").
	Key string
	// APIID and Stage name the target; an empty Stage takes the stage
	// from the first path segment after the base path [M].
	APIID, Stage string
}

// Rule is a routing rule: when every condition holds, the request goes
// to the rule's API stage.
type Rule struct {
	ID       string
	Priority int
	// Headers must all match (header names case-insensitively, value
	// globs case-sensitively, any occurrence of a repeated header).
	Headers []HeaderMatch
	// BasePath, when not empty, must be the leading segments of the path.
	BasePath string
	// APIID and Stage name the REST API stage invoked; StripBasePath
	// removes the matched base path from the path the API routes.
	APIID, Stage  string
	StripBasePath bool
}

// HeaderMatch is one header condition: "*" alone, "*suffix", "prefix*",
// "*infix*" or a literal [D: rest-api-routing-rules].
type HeaderMatch struct {
	Header, ValueGlob string
}

// domainEntry is a Domain compiled for routing.
type domainEntry struct {
	name     string
	strict   bool
	auth     ClientAuth
	rules    []ruleEntry // ascending priority; nil when rules are not consulted
	mappings bool        // consult the mappings
	// multiLevel domains match the longest key that is a string prefix
	// of the path (byLength, longest first); the others the first path
	// segment (bySegment). root is the "(none)" mapping.
	multiLevel bool
	byLength   []mappingEntry
	bySegment  map[string]*mappingEntry
	root       *mappingEntry
}

type mappingEntry struct {
	key, apiID, stage string
	route             pipeline.DomainRoute
}

type ruleEntry struct {
	headers       []globEntry
	basePath      string
	apiID, stage  string
	stripBasePath bool
	route         pipeline.DomainRoute
}

// globEntry is a compiled HeaderMatch (bytes: header lines are visited
// as bytes).
type globEntry struct {
	name []byte
	kind byte // '*' any, 'p' prefix, 's' suffix, 'i' infix, '=' literal
	text []byte
}

// rootKey is how a root mapping's key is shown in
// $context.customDomain.basePathMatched [U].
const rootKey = "(none)"

func compileDomain(d *Domain) *domainEntry {
	e := &domainEntry{name: d.Name, strict: d.Strict, auth: d.ClientAuth, mappings: d.UseMappings}
	if d.UseRules {
		e.rules = make([]ruleEntry, 0, len(d.Rules))
		rules := slices.Clone(d.Rules)
		slices.SortStableFunc(rules, func(a, b Rule) int { return cmp.Compare(a.Priority, b.Priority) })
		for _, r := range rules {
			re := ruleEntry{basePath: strings.Trim(r.BasePath, "/"), apiID: r.APIID, stage: r.Stage, stripBasePath: r.StripBasePath,
				route: pipeline.DomainRoute{Domain: d.Name, RoutingRuleID: r.ID}}
			for _, h := range r.Headers {
				re.headers = append(re.headers, compileGlob(h))
			}
			e.rules = append(e.rules, re)
		}
	}
	e.bySegment = map[string]*mappingEntry{}
	for _, m := range d.Mappings {
		me := &mappingEntry{key: m.Key, apiID: m.APIID, stage: m.Stage, route: pipeline.DomainRoute{Domain: d.Name, BasePathMatched: m.Key}}
		if m.Key == "" {
			me.route.BasePathMatched = rootKey
			e.root = me
			continue
		}
		if strings.Contains(m.Key, "/") {
			e.multiLevel = true
		}
		e.bySegment[m.Key] = me
		e.byLength = append(e.byLength, *me)
	}
	slices.SortStableFunc(e.byLength, func(a, b mappingEntry) int { return cmp.Compare(len(b.key), len(a.key)) })
	if e.multiLevel {
		for _, me := range e.bySegment {
			me.route.LowerHeaderNames = true
		}
		for i := range e.byLength {
			e.byLength[i].route.LowerHeaderNames = true
		}
		if e.root != nil {
			e.root.route.LowerHeaderNames = true
		}
	}
	return e
}

func compileGlob(h HeaderMatch) globEntry {
	g, e := h.ValueGlob, globEntry{name: []byte(h.Header), kind: '='}
	switch {
	case g == "*":
		e.kind = '*'
	case len(g) > 2 && g[0] == '*' && g[len(g)-1] == '*':
		e.kind, g = 'i', g[1:len(g)-1]
	case len(g) > 1 && g[0] == '*':
		e.kind, g = 's', g[1:]
	case len(g) > 1 && g[len(g)-1] == '*':
		e.kind, g = 'p', g[:len(g)-1]
	}
	e.text = []byte(g)
	return e
}

func (g *globEntry) match(v []byte) bool {
	switch g.kind {
	case '*':
		return true
	case 'p':
		return bytes.HasPrefix(v, g.text)
	case 's':
		return bytes.HasSuffix(v, g.text)
	case 'i':
		return bytes.Contains(v, g.text)
	}
	return bytes.Equal(v, g.text)
}

// matches reports whether the rule's conditions hold for req; p is the
// path without its leading slashes.
func (r *ruleEntry) matches(req pipeline.Request, p string) bool {
	if r.basePath != "" && !segmentPrefix(p, r.basePath) {
		return false
	}
	for i := range r.headers {
		g := &r.headers[i]
		found := false
		// Any occurrence of a repeated header may match [D].
		req.VisitHeaders(func(k, v []byte) {
			if !found && bytes.EqualFold(k, g.name) && g.match(v) {
				found = true
			}
		})
		if !found {
			return false
		}
	}
	return true
}

// segmentPrefix reports whether p starts with the whole segments of bp.
// Tollgate [U]: the docs say a rule's base path is "contained" in the
// path, but every example is a leading prefix, matched here case-
// sensitively on whole segments (PetStoreShopper matches
// /PetStoreShopper and /PetStoreShopper/dogs, not /PetStoreShoppers).
func segmentPrefix(p, bp string) bool {
	return strings.HasPrefix(p, bp) && (len(p) == len(bp) || p[len(bp)] == '/')
}

// domainMatch is where a custom domain sends a request.
type domainMatch struct {
	route        *pipeline.DomainRoute
	apiID, stage string
	rest         string // the path the API routes, raw
}

// match chooses the rule or mapping serving a request (reference: AWS's
// rest-api-routing-mode and rest-api-mappings pages): the rules in
// ascending priority, the first whose conditions all hold winning; then,
// unless the mode is rules only, the mappings. ok is false when nothing
// matches.
func (e *domainEntry) match(req pipeline.Request, path string) (m domainMatch, ok bool) {
	p := strings.TrimLeft(path, "/")
	for i := range e.rules {
		r := &e.rules[i]
		if !r.matches(req, p) {
			continue
		}
		m = domainMatch{route: &r.route, apiID: r.apiID, stage: r.stage, rest: path}
		if r.stripBasePath && r.basePath != "" {
			// The base path goes, the rest stays (a request for the base
			// alone goes to the API's root) [D].
			m.rest = p[len(r.basePath):]
		}
		return m, true
	}
	if !e.mappings {
		return m, false
	}
	me, rest := e.mapping(path, p)
	if me == nil {
		return m, false
	}
	m = domainMatch{route: &me.route, apiID: me.apiID, stage: me.stage, rest: rest}
	if m.stage == "" {
		// A mapping without a stage: the next segment names it [M].
		m.stage, m.rest = splitStage(strings.TrimPrefix(rest, "/"))
		if m.stage == "" {
			return m, false
		}
	}
	return m, true
}

// mapping finds the mapping of path (p: without its leading slashes) and
// the path after its key. With only single-level keys the first segment
// must equal a key; with any multi-level key the longest key that is a
// string prefix of the path wins, as AWS's own example says
// ("/ordersandmore" selects "orders"; Tollgate routes "/andmore" [U]) [D:
// rest-api-mappings]. Either way the root mapping takes the rest.
func (e *domainEntry) mapping(path, p string) (*mappingEntry, string) {
	if e.multiLevel {
		for i := range e.byLength {
			me := &e.byLength[i]
			if rest, ok := strings.CutPrefix(p, me.key); ok {
				if rest != "" && rest[0] != '/' {
					rest = "/" + rest
				}
				return me, rest
			}
		}
	} else {
		seg, _ := splitStage(p)
		if me := e.bySegment[seg]; me != nil && seg != "" {
			return me, p[len(seg):]
		}
	}
	if e.root != nil {
		if len(path) == len(p) {
			return e.root, "/" + p // no leading slash: not from an HTTP/1.1 engine
		}
		return e.root, path[len(path)-len(p)-1:] // "/" + p without a copy
	}
	return nil, ""
}

// domains are the custom domains of a table.
type domains struct {
	exact map[string]*domainEntry // by name
	wild  map[string]*domainEntry // wildcard domains by the suffix after "*."
}

// lookup finds the domain serving host (lower case, no port): a domain
// of that name, else a wildcard domain one label up [D].
func (ds *domains) lookup(host string) *domainEntry {
	if ds == nil {
		return nil
	}
	if e := ds.exact[host]; e != nil {
		return e
	}
	if i := strings.IndexByte(host, '.'); i > 0 && len(ds.wild) > 0 {
		return ds.wild[host[i+1:]]
	}
	return nil
}

// hostName is a Host header as a domain name: without its port, lower
// case (allocating only when it has upper-case letters).
func hostName(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(host)
		}
	}
	return host
}

// tlsState is the request's TLS connection state, nil when it has none.
func tlsState(req pipeline.Request) *tls.ConnectionState {
	if tr, ok := req.(pipeline.TLSRequest); ok {
		return tr.TLSState()
	}
	return nil
}
