package domains

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
)

// Routing rule limits [D: rest-api-routing-rules].
const (
	maxPriority       = 1000000
	maxHeaderName     = 40  // characters, exclusive
	maxGlob           = 128 // characters, exclusive
	maxInfixGlob      = 40  // characters of a "*infix*" glob, exclusive
	maxRuleBasePath   = 128 // characters, exclusive
	maxHeaderConds    = 2
	maxBasePathConds  = 1
	defaultRulesPage  = 25 // [U]
	maxRulesPageLimit = 100
)

var (
	// headerNameRE: RFC 7230 token characters, without "*" (no wildcard
	// names) [D].
	headerNameRE = regexp.MustCompile("^[A-Za-z0-9!#$%&'+.^_`|~-]+$")
	// globRE: token characters and the wildcard "*" [D].
	globRE        = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~?-]+$")
	ruleBasePatRE = regexp.MustCompile(`^[A-Za-z0-9$\-_.+!*'()/]+$`)
)

// reservedHeaders may not be matched by a rule [D]; reservedPrefixes
// neither, as prefixes.
var (
	reservedHeaders = []string{"authorization", "connection", "content-encoding", "content-length", "content-location", "forwarded",
		"keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te", "trailers", "transfer-encoding", "upgrade",
		"x-apigw-api-id", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-restapi", "via"}
	reservedPrefixes = []string{"access-control-", "apigw-", "x-amz-", "x-amzn-"}
)

// ruleOutput is a routing rule with its ARN [M][X].
type ruleOutput struct {
	domain.RoutingRule
	RoutingRuleArn string `json:"routingRuleArn"`
}

func (a *API) ruleOut(name string, r domain.RoutingRule) ruleOutput {
	return ruleOutput{RoutingRule: r, RoutingRuleArn: domain.RuleARN(a.region, a.accountID, name, r.ID)}
}

type ruleInput struct {
	Actions    []domain.Action    `json:"actions"`
	Conditions []domain.Condition `json:"conditions"`
	Priority   *int64             `json:"priority"`
}

// parseRule checks a rule's own members (texts [U]; rules [D]).
func parseRule(in ruleInput) (domain.RoutingRule, error) {
	switch {
	case in.Actions == nil:
		return domain.RoutingRule{}, awserr.BadRequest("actions is a required parameter")
	case in.Conditions == nil:
		return domain.RoutingRule{}, awserr.BadRequest("conditions is a required parameter")
	case in.Priority == nil:
		return domain.RoutingRule{}, awserr.BadRequest("priority is a required parameter")
	case *in.Priority < 1 || *in.Priority > maxPriority:
		return domain.RoutingRule{}, awserr.BadRequest("priority must be between 1 and %d", maxPriority)
	case len(in.Actions) != 1 || in.Actions[0].InvokeAPI == nil:
		return domain.RoutingRule{}, awserr.BadRequest("A routing rule must have exactly one action, invokeApi.")
	}
	inv := in.Actions[0].InvokeAPI
	if inv.APIID == "" || inv.Stage == "" {
		return domain.RoutingRule{}, awserr.BadRequest("invokeApi requires apiId and stage.")
	}
	headers, paths := 0, 0
	for _, c := range in.Conditions {
		switch {
		case c.MatchHeaders != nil && c.MatchBasePaths == nil:
			headers++
			if len(c.MatchHeaders.AnyOf) != 1 {
				return domain.RoutingRule{}, awserr.BadRequest("matchHeaders.anyOf must hold exactly one header.")
			}
			if err := checkHeaderMatch(c.MatchHeaders.AnyOf[0]); err != nil {
				return domain.RoutingRule{}, err
			}
		case c.MatchBasePaths != nil && c.MatchHeaders == nil:
			paths++
			if len(c.MatchBasePaths.AnyOf) != 1 {
				return domain.RoutingRule{}, awserr.BadRequest("matchBasePaths.anyOf must hold exactly one base path.")
			}
			if err := checkRuleBasePath(c.MatchBasePaths.AnyOf[0]); err != nil {
				return domain.RoutingRule{}, err
			}
		default:
			return domain.RoutingRule{}, awserr.BadRequest("Each condition must have exactly one of matchHeaders and matchBasePaths.")
		}
	}
	if headers > maxHeaderConds || paths > maxBasePathConds {
		return domain.RoutingRule{}, awserr.BadRequest("A routing rule can have at most %d matchHeaders conditions and %d matchBasePaths condition.", maxHeaderConds, maxBasePathConds)
	}
	return domain.RoutingRule{Priority: int(*in.Priority), Conditions: in.Conditions, Actions: in.Actions}, nil
}

// checkHeaderMatch checks a header condition's name and value glob [D].
func checkHeaderMatch(h domain.HeaderMatch) error {
	name := strings.ToLower(h.Header)
	if len(h.Header) == 0 || len(h.Header) >= maxHeaderName || !headerNameRE.MatchString(h.Header) {
		return awserr.BadRequest("Invalid header name %q: header names are fewer than %d token characters, without wildcards.", h.Header, maxHeaderName)
	}
	if slices.Contains(reservedHeaders, name) || slices.ContainsFunc(reservedPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
		return awserr.BadRequest("The header %s cannot be used in a routing rule condition.", h.Header)
	}
	g := h.ValueGlob
	if len(g) == 0 || len(g) >= maxGlob || !globRE.MatchString(g) {
		return awserr.BadRequest("Invalid valueGlob %q: globs are fewer than %d token characters.", g, maxGlob)
	}
	stars := strings.Count(g, "*")
	ok := stars == 0 || g == "*" ||
		(stars == 1 && (strings.HasPrefix(g, "*") || strings.HasSuffix(g, "*"))) ||
		(stars == 2 && len(g) > 2 && strings.HasPrefix(g, "*") && strings.HasSuffix(g, "*") && len(g) < maxInfixGlob)
	if !ok {
		return awserr.BadRequest("Invalid valueGlob %q: a wildcard may only lead (*suffix), trail (prefix*), surround (*infix*, fewer than %d characters) or stand alone (*).", g, maxInfixGlob)
	}
	return nil
}

// checkRuleBasePath checks a base path condition [D].
func checkRuleBasePath(p string) error {
	if len(p) == 0 || len(p) >= maxRuleBasePath || !ruleBasePatRE.MatchString(p) || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return awserr.BadRequest("Invalid base path %q: fewer than %d characters of letters, numbers and $-_.+!*'()/, not starting or ending with /.", p, maxRuleBasePath)
	}
	return nil
}

// checkRule checks a rule against its domain: the routing mode, the
// domain's mappings, the other rules' priorities, and its target, a REST
// API stage of the same visibility as the domain [D].
func (a *API) checkRule(ctx context.Context, rd store.Reader, d *domain.Domain, others []domain.RoutingRule, rule domain.RoutingRule) error {
	if !d.RoutingMode.UsesRules() {
		return errRuleMode
	}
	maps, err := mappingsOf(ctx, rd, d.Name)
	if err != nil {
		return err
	}
	if mixesRESTAndHTTP(maps) {
		return errRulesMixed
	}
	for _, o := range others {
		if o.Priority == rule.Priority {
			return awserr.Conflict("A routing rule with priority %d already exists for the domain name %s.", rule.Priority, d.Name) // [U]
		}
	}
	inv := rule.Actions[0].InvokeAPI
	ref, err := resolveAPI(ctx, rd, inv.APIID)
	if err != nil {
		return err
	}
	switch {
	case ref.typ == "":
		return errAPIV2(a.accountID, inv.APIID)
	case ref.typ != domain.APIRest:
		return awserr.BadRequest("Routing rules can only invoke REST APIs; %s is not a REST API.", inv.APIID) // [D; U text]
	case ref.private:
		return awserr.BadRequest("A routing rule of a public custom domain name cannot invoke a private API.") // [D; U text]
	}
	ok, err := stageExists(ctx, rd, ref.typ, inv.APIID, inv.Stage)
	if err != nil {
		return err
	}
	if !ok {
		return errStage
	}
	return nil
}

func rulesOf(ctx context.Context, rd store.Reader, name string) ([]domain.RoutingRule, error) {
	rules, err := docstore.List[domain.RoutingRule](ctx, rd, domain.RulesPrefix(name))
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rules, func(x, y domain.RoutingRule) int { return x.Priority - y.Priority })
	return rules, nil
}

func (a *API) createRoutingRule(ctx context.Context, r *restjson.Request) (any, error) {
	var in ruleInput
	if err := decodeV2(r, &in); err != nil {
		return nil, err
	}
	rule, err := parseRule(in)
	if err != nil {
		return nil, err
	}
	name := r.Path("domainName")
	err = a.update(ctx, func(tx store.Tx) error {
		d, _, err := a.loadDomain(ctx, tx, r, name, errDomainV2(name))
		if err != nil {
			return err
		}
		others, err := rulesOf(ctx, tx, name)
		if err != nil {
			return err
		}
		if len(others) >= maxRules {
			return awserr.BadRequest("The maximum number of routing rules (%d) for this custom domain name has been reached.", maxRules) // [U]
		}
		if err := a.checkRule(ctx, tx, &d, others, rule); err != nil {
			return err
		}
		rule.ID = a.ids.ID(ruleIDLength)
		return docstore.Put(ctx, tx, domain.RuleKey(name, rule.ID), a.seq.Next(), rule)
	})
	if err != nil {
		return nil, err
	}
	return a.ruleOut(name, rule), nil
}

// putRoutingRule replaces a rule whole (same id) [M].
func (a *API) putRoutingRule(ctx context.Context, r *restjson.Request) (any, error) {
	var in ruleInput
	if err := decodeV2(r, &in); err != nil {
		return nil, err
	}
	rule, err := parseRule(in)
	if err != nil {
		return nil, err
	}
	name, id := r.Path("domainName"), r.Path("routingRuleId")
	err = a.update(ctx, func(tx store.Tx) error {
		d, _, err := a.loadDomain(ctx, tx, r, name, errDomainV2(name))
		if err != nil {
			return err
		}
		_, seq, err := docstore.Get[domain.RoutingRule](ctx, tx, domain.RuleKey(name, id))
		if err != nil {
			return docstore.NotFound(err, errRule(id))
		}
		others, err := rulesOf(ctx, tx, name)
		if err != nil {
			return err
		}
		others = slices.DeleteFunc(others, func(o domain.RoutingRule) bool { return o.ID == id })
		if err := a.checkRule(ctx, tx, &d, others, rule); err != nil {
			return err
		}
		rule.ID = id
		return docstore.Put(ctx, tx, domain.RuleKey(name, id), seq, rule)
	})
	if err != nil {
		return nil, err
	}
	return a.ruleOut(name, rule), nil
}

func (a *API) getRoutingRule(ctx context.Context, r *restjson.Request) (any, error) {
	name, id := r.Path("domainName"), r.Path("routingRuleId")
	rule, err := docstore.Read(ctx, a.store, func(rd store.Reader) (domain.RoutingRule, int64, error) {
		if _, _, err := a.loadDomain(ctx, rd, r, name, errDomainV2(name)); err != nil {
			return domain.RoutingRule{}, 0, err
		}
		rule, seq, err := docstore.Get[domain.RoutingRule](ctx, rd, domain.RuleKey(name, id))
		return rule, seq, docstore.NotFound(err, errRule(id))
	})
	if err != nil {
		return nil, err
	}
	return a.ruleOut(name, rule), nil
}

type rulesPage struct {
	RoutingRules []ruleOutput `json:"routingRules"`
	NextToken    string       `json:"nextToken,omitempty"`
}

// listRoutingRules lists a domain's rules by ascending priority. Its
// maxResults is an integer of 1..100, unlike other v2 lists [M].
func (a *API) listRoutingRules(ctx context.Context, r *restjson.Request) (any, error) {
	limit := defaultRulesPage
	if s, ok := r.Query("maxResults"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxRulesPageLimit {
			return nil, awserr.BadRequest("maxResults must be an integer between 1 and %d", maxRulesPageLimit) // [U]
		}
		limit = n
	}
	name := r.Path("domainName")
	var rules []domain.RoutingRule
	err := a.view(ctx, func(rd store.Reader) error {
		if _, _, err := a.loadDomain(ctx, rd, r, name, errDomainV2(name)); err != nil {
			return err
		}
		var err error
		rules, err = rulesOf(ctx, rd, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	token, _ := r.Query("nextToken")
	page, next, ok := restjson.Cut(rules, func(x domain.RoutingRule) string { return x.ID }, limit, token)
	if !ok {
		return nil, awserr.BadRequest("Invalid nextToken specified") // [U]
	}
	out := rulesPage{RoutingRules: []ruleOutput{}, NextToken: next}
	for _, rule := range page {
		out.RoutingRules = append(out.RoutingRules, a.ruleOut(name, rule))
	}
	return out, nil
}

func (a *API) deleteRoutingRule(ctx context.Context, r *restjson.Request) (any, error) {
	name, id := r.Path("domainName"), r.Path("routingRuleId")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, _, err := a.loadDomain(ctx, tx, r, name, errDomainV2(name)); err != nil {
			return err
		}
		if _, _, err := docstore.Get[domain.RoutingRule](ctx, tx, domain.RuleKey(name, id)); err != nil {
			return docstore.NotFound(err, errRule(id))
		}
		return tx.Delete(ctx, domain.RuleKey(name, id))
	})
}
