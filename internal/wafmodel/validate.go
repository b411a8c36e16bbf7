package wafmodel

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
)

// Enumerations [M], in the model's order.
var (
	Scopes                = []string{ScopeCloudFront, ScopeRegional}
	TransformationTypes   = []string{"NONE", "COMPRESS_WHITE_SPACE", "HTML_ENTITY_DECODE", "LOWERCASE", "CMD_LINE", "URL_DECODE", "BASE64_DECODE", "HEX_DECODE", "MD5", "REPLACE_COMMENTS", "ESCAPE_SEQ_DECODE", "SQL_HEX_DECODE", "CSS_DECODE", "JS_DECODE", "NORMALIZE_PATH", "NORMALIZE_PATH_WIN", "REMOVE_NULLS", "REPLACE_NULLS", "BASE64_DECODE_EXT", "URL_DECODE_UNI", "UTF8_TO_UNICODE"}
	PositionalConstraints = []string{"EXACTLY", "STARTS_WITH", "ENDS_WITH", "CONTAINS", "CONTAINS_WORD"}
	ComparisonOperators   = []string{"EQ", "NE", "LE", "LT", "GE", "GT"}
	OversizeHandlings     = []string{"CONTINUE", "MATCH", "NO_MATCH"}
	MatchScopes           = []string{"ALL", "KEY", "VALUE"}
	FallbackBehaviors     = []string{"MATCH", "NO_MATCH"}
	Positions             = []string{"FIRST", "LAST", "ANY"}
	AggregateKeyTypes     = []string{"IP", "FORWARDED_IP", "CUSTOM_KEYS", "CONSTANT"}
	SensitivityLevels     = []string{"LOW", "HIGH"}
	LabelMatchScopes      = []string{"LABEL", "NAMESPACE"}
	ContentTypes          = []string{"TEXT_PLAIN", "TEXT_HTML", "APPLICATION_JSON"}
	BodyFallbacks         = []string{"MATCH", "NO_MATCH", "EVALUATE_AS_STRING"}
	IPAddressVersions     = []string{"IPV4", "IPV6"}
	SizeInspectionLimits  = []string{"KB_16", "KB_32", "KB_48", "KB_64"}
	ResourceTypes         = []string{"APPLICATION_LOAD_BALANCER", "API_GATEWAY", "APPSYNC", "COGNITO_USER_POOL", "APP_RUNNER_SERVICE", "VERIFIED_ACCESS_INSTANCE", "AMPLIFY"}
)

// Patterns [M].
const (
	NamePattern        = `^[\w\-]+$`
	DescriptionPattern = `^[\w+=:#@/\-,\.][\w+=:#@/\-,\.\s]+[\w+=:#@/\-,\.]$`
	MetricPattern      = `^[\w#:\.\-/]+$`
	LabelPattern       = `^[0-9A-Za-z_\-:]+$`
	NamespacePattern   = `^[0-9A-Za-z_\-:]+:$`
	HeaderNamePattern  = `^[a-zA-Z0-9._$-]+$`
	ForwardedPattern   = `^[a-zA-Z0-9-]+$`
	IDPattern          = `^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$`
	TagPattern         = `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`
)

var (
	descriptionRE = regexp.MustCompile(DescriptionPattern)
	metricRE      = regexp.MustCompile(MetricPattern)
	labelRE       = regexp.MustCompile(LabelPattern)
	namespaceRE   = regexp.MustCompile(NamespacePattern)
	headerNameRE  = regexp.MustCompile(HeaderNamePattern)
	forwardedRE   = regexp.MustCompile(ForwardedPattern)
	tagRE         = regexp.MustCompile(TagPattern)
	wordRE        = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
)

// responseCodes are the custom response codes AWS accepts [D].
var responseCodes = []int64{200, 201, 202, 204, 206, 300, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 408, 409,
	411, 412, 413, 414, 415, 416, 421, 429, 500, 501, 502, 503, 504, 505}

// Limits [D].
const (
	MaxCapacity        = 5000
	maxSearchString    = 200
	maxTransformations = 10
	maxCustomHeaders   = 10
	maxRateRules       = 10
	maxCustomKeys      = 5
	MinRateLimit       = 10
	MaxRateLimit       = 2000000000
)

// Checks accumulates what is wrong with a request: model constraint
// violations (ValidationException, "1 validation error detected: …") and
// the first semantic error (a WAF exception). Err returns the former
// first, as AWS's front end checks the model before the service runs.
type Checks struct {
	v        awserr.Validation
	semantic error
}

// Fail records a semantic error (the first one wins).
func (c *Checks) Fail(err error) {
	if c.semantic == nil {
		c.semantic = err
	}
}

// Err is what the request fails with, or nil.
func (c *Checks) Err() error {
	if err := c.v.Err(); err != nil {
		return err
	}
	return c.semantic
}

// Null records a missing required member.
func (c *Checks) Null(at string) {
	c.v.Add("Value null at '" + at + "' failed to satisfy constraint: Member must not be null")
}

// Length checks a string's length.
func (c *Checks) Length(s, at string, lo, hi int) bool {
	n := len([]rune(s))
	switch {
	case n < lo:
		c.v.Add(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", s, at, lo))
	case n > hi:
		c.v.Add(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", s, at, hi))
	default:
		return true
	}
	return false
}

// Pattern checks a string against a model pattern.
func (c *Checks) Pattern(s, at, pattern string, re *regexp.Regexp) bool {
	if !re.MatchString(s) {
		c.v.Pattern(s, at, pattern)
		return false
	}
	return true
}

// Enum checks an enumerated value; "" is null.
func (c *Checks) Enum(s, at string, allowed []string) bool {
	switch {
	case s == "":
		c.Null(at)
	case !slices.Contains(allowed, s):
		c.v.Enum(s, at, allowed)
	default:
		return true
	}
	return false
}

// Range checks a number.
func (c *Checks) Range(n int64, at string, lo, hi int64) bool {
	switch {
	case n < lo:
		c.v.Add(fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", n, at, lo))
	case n > hi:
		c.v.Add(fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", n, at, hi))
	default:
		return true
	}
	return false
}

// Name checks an EntityName.
func (c *Checks) Name(s, at string) bool {
	if s == "" {
		c.Null(at)
		return false
	}
	return c.Length(s, at, 1, 128) && c.Pattern(s, at, NamePattern, nameRE)
}

// Description checks an optional EntityDescription.
func (c *Checks) Description(s *string, at string) {
	if s != nil && c.Length(*s, at, 1, 256) {
		c.Pattern(*s, at, DescriptionPattern, descriptionRE)
	}
}

// Scope checks a Scope.
func (c *Checks) Scope(s, at string) bool { return c.Enum(s, at, Scopes) }

// ID checks an entity id or lock token.
func (c *Checks) ID(s, at string) bool {
	if s == "" {
		c.Null(at)
		return false
	}
	return c.Length(s, at, 1, 36) && c.Pattern(s, at, IDPattern, idRE)
}

// ARN checks a ResourceArn's length.
func (c *Checks) ARN(s, at string) bool {
	if s == "" {
		c.Null(at)
		return false
	}
	return c.Length(s, at, 20, 2048)
}

// Tags checks a TagList.
func (c *Checks) Tags(tags []Tag, at string) {
	if tags == nil {
		return
	}
	if len(tags) < 1 {
		c.v.Add("Value '[]' at '" + at + "' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	for i, t := range tags {
		m := member(at, i)
		if t.Key == "" {
			c.Null(m + ".key")
		} else if c.Length(t.Key, m+".key", 1, 128) {
			c.Pattern(t.Key, m+".key", TagPattern, tagRE)
		}
		if c.Length(t.Value, m+".value", 0, 256) {
			c.Pattern(t.Value, m+".value", TagPattern, tagRE)
		}
	}
}

// member is the path of list element i (AWS counts from 1).
func member(at string, i int) string { return at + "." + strconv.Itoa(i+1) + ".member" }

// Resolver tells the rule checks about referenced entities: the kind and
// scope of an ARN's entity and whether it exists.
type Resolver func(p ParsedARN) bool

// ACLSpec is what CreateWebACL, UpdateWebACL and CheckCapacity check.
type ACLSpec struct {
	Scope                string
	DefaultAction        *DefaultAction
	Rules                []Rule
	VisibilityConfig     *VisibilityConfig
	CustomResponseBodies map[string]CustomResponseBody
	AssociationConfig    *AssociationConfig
}

// CheckACL checks a web ACL's members and rules, resolving references
// with exists, and returns its capacity. rulesOnly skips the members
// CheckCapacity does not have.
func (c *Checks) CheckACL(a *ACLSpec, region, account string, exists Resolver, rulesOnly bool) int64 {
	if !rulesOnly {
		c.defaultAction(a.DefaultAction, "defaultAction", a.CustomResponseBodies)
		c.visibility(a.VisibilityConfig, "visibilityConfig")
		c.customBodies(a.CustomResponseBodies)
		if ac := a.AssociationConfig; ac != nil {
			for k, v := range ac.RequestBody {
				if c.Enum(k, "associationConfig.requestBody", []string{"CLOUDFRONT", "API_GATEWAY", "COGNITO_USER_POOL", "APP_RUNNER_SERVICE", "VERIFIED_ACCESS_INSTANCE"}) {
					c.Enum(v.DefaultSizeInspectionLimit, "associationConfig.requestBody."+k+".member.defaultSizeInspectionLimit", SizeInspectionLimits)
				}
			}
		}
	}
	rc := ruleChecks{Checks: c, scope: a.Scope, region: region, account: account, exists: exists, bodies: a.CustomResponseBodies, rulesOnly: rulesOnly}
	names := map[string]bool{}
	prios := map[int64]bool{}
	rate := 0
	var total int64
	for i := range a.Rules {
		r := &a.Rules[i]
		at := member("rules", i)
		total += rc.rule(r, at)
		if r.Name != nil {
			if names[*r.Name] {
				c.Fail(InvalidParameter("RULE", *r.Name, ReasonDuplicate))
			}
			names[*r.Name] = true
		}
		if r.Priority != nil {
			if prios[*r.Priority] {
				c.Fail(InvalidParameter("RULE", "Priority", ReasonDuplicate))
			}
			prios[*r.Priority] = true
		}
		if r.Statement != nil && r.Statement.RateBasedStatement != nil {
			rate++
		}
		total += int64((len(r.RuleLabels) + 4) / 5)
	}
	if rate > maxRateRules {
		c.Fail(LimitsExceeded("rate-based rules per web ACL"))
	}
	if total > MaxCapacity && !rulesOnly {
		c.Fail(LimitsExceeded("web ACL capacity (WCUs)"))
	}
	return total
}

func (c *Checks) visibility(v *VisibilityConfig, at string) {
	if v == nil {
		c.Null(at)
		return
	}
	if v.SampledRequestsEnabled == nil {
		c.Null(at + ".sampledRequestsEnabled")
	}
	if v.CloudWatchMetricsEnabled == nil {
		c.Null(at + ".cloudWatchMetricsEnabled")
	}
	if v.MetricName == nil {
		c.Null(at + ".metricName")
	} else if c.Length(*v.MetricName, at+".metricName", 1, 255) {
		c.Pattern(*v.MetricName, at+".metricName", MetricPattern, metricRE)
	}
}

func (c *Checks) customBodies(bodies map[string]CustomResponseBody) {
	for k, b := range bodies {
		at := "customResponseBodies." + k + ".member"
		if !nameRE.MatchString(k) || len(k) > 128 {
			c.v.Pattern(k, "customResponseBodies", NamePattern)
		}
		if c.Enum(b.ContentType, at+".contentType", ContentTypes) && b.ContentType == "APPLICATION_JSON" && b.Content != "" && !json.Valid([]byte(b.Content)) {
			c.Fail(InvalidParameter("CUSTOM_RESPONSE_BODY", k, ReasonFormat))
		}
		if b.Content == "" {
			c.Null(at + ".content")
		} else {
			c.Length(b.Content, at+".content", 1, 10240)
		}
	}
}

func (c *Checks) defaultAction(d *DefaultAction, at string, bodies map[string]CustomResponseBody) {
	if d == nil {
		c.Null(at)
		return
	}
	if (d.Allow != nil) == (d.Block != nil) {
		c.Fail(InvalidParameter("DEFAULT_ACTION", "DefaultAction", ReasonExactlyOne))
		return
	}
	if d.Block != nil {
		c.customResponse(d.Block.CustomResponse, at+".block.customResponse", bodies)
	}
	if d.Allow != nil {
		c.requestHandling(d.Allow.CustomRequestHandling, at+".allow.customRequestHandling")
	}
}

func (c *Checks) customResponse(r *CustomResponse, at string, bodies map[string]CustomResponseBody) {
	if r == nil {
		return
	}
	if r.ResponseCode == nil {
		c.Null(at + ".responseCode")
	} else if c.Range(*r.ResponseCode, at+".responseCode", 200, 599) && !slices.Contains(responseCodes, *r.ResponseCode) {
		c.Fail(InvalidParameter("CUSTOM_RESPONSE", strconv.FormatInt(*r.ResponseCode, 10), ReasonNotAllowed))
	}
	if k := r.CustomResponseBodyKey; k != nil {
		if _, ok := bodies[*k]; !ok {
			c.Fail(InvalidParameter("CUSTOM_RESPONSE", *k, ReasonBadRef))
		}
	}
	c.headers(r.ResponseHeaders, at+".responseHeaders", "CUSTOM_RESPONSE")
}

func (c *Checks) requestHandling(h *CustomRequestHandling, at string) {
	if h == nil {
		return
	}
	if h.InsertHeaders == nil {
		c.Null(at + ".insertHeaders")
		return
	}
	c.headers(h.InsertHeaders, at+".insertHeaders", "CUSTOM_REQUEST_HANDLING")
}

func (c *Checks) headers(hs []CustomHTTPHeader, at, field string) {
	if hs == nil {
		return
	}
	if len(hs) == 0 {
		c.v.Add("Value '[]' at '" + at + "' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(hs) > maxCustomHeaders {
		c.Fail(InvalidParameter(field, "Headers", ReasonNotAllowed))
	}
	seen := map[string]bool{}
	for i, h := range hs {
		m := member(at, i)
		if h.Name == "" {
			c.Null(m + ".name")
		} else if c.Length(h.Name, m+".name", 1, 64) {
			c.Pattern(h.Name, m+".name", HeaderNamePattern, headerNameRE)
		}
		if h.Value == "" {
			c.Null(m + ".value")
		} else {
			c.Length(h.Value, m+".value", 1, 255)
		}
		if seen[strings.ToLower(h.Name)] {
			c.Fail(InvalidParameter(field, h.Name, ReasonDuplicate))
		}
		seen[strings.ToLower(h.Name)] = true
	}
}
