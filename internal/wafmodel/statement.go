package wafmodel

import "encoding/json"

// The wire shapes of wafv2 rules and statements (AWS JSON 1.1 member
// names, service model wafv2 2019-07-29 [M]). They are also how a web
// ACL's rules are stored: Get answers them as they were given.
// Required scalar members are pointers so that an absent one can be told
// from a zero.

// Rule is one rule of a web ACL.
type Rule struct {
	Name             *string           `json:"Name,omitempty"`
	Priority         *int64            `json:"Priority,omitempty"`
	Statement        *Statement        `json:"Statement,omitempty"`
	Action           *RuleAction       `json:"Action,omitempty"`
	OverrideAction   *OverrideAction   `json:"OverrideAction,omitempty"`
	RuleLabels       []Label           `json:"RuleLabels,omitempty"`
	VisibilityConfig *VisibilityConfig `json:"VisibilityConfig,omitempty"`
	CaptchaConfig    json.RawMessage   `json:"CaptchaConfig,omitempty"`
	ChallengeConfig  json.RawMessage   `json:"ChallengeConfig,omitempty"`
}

// Label is a rule label's name ("ns1:ns2:name").
type Label struct {
	Name string `json:"Name"`
}

// VisibilityConfig says whether AWS samples and measures a rule or ACL.
type VisibilityConfig struct {
	SampledRequestsEnabled   *bool   `json:"SampledRequestsEnabled,omitempty"`
	CloudWatchMetricsEnabled *bool   `json:"CloudWatchMetricsEnabled,omitempty"`
	MetricName               *string `json:"MetricName,omitempty"`
}

// Sampled reports whether requests are sampled.
func (v *VisibilityConfig) Sampled() bool {
	return v != nil && v.SampledRequestsEnabled != nil && *v.SampledRequestsEnabled
}

// Metrics reports whether metrics are on.
func (v *VisibilityConfig) Metrics() bool {
	return v != nil && v.CloudWatchMetricsEnabled != nil && *v.CloudWatchMetricsEnabled
}

// Metric returns the metric name ("" when absent).
func (v *VisibilityConfig) Metric() string {
	if v == nil || v.MetricName == nil {
		return ""
	}
	return *v.MetricName
}

// RuleAction is one of Block, Allow, Count, Captcha, Challenge.
type RuleAction struct {
	Block     *BlockAction   `json:"Block,omitempty"`
	Allow     *HandledAction `json:"Allow,omitempty"`
	Count     *HandledAction `json:"Count,omitempty"`
	Captcha   *HandledAction `json:"Captcha,omitempty"`
	Challenge *HandledAction `json:"Challenge,omitempty"`
}

// DefaultAction is a web ACL's Allow or Block.
type DefaultAction struct {
	Block *BlockAction   `json:"Block,omitempty"`
	Allow *HandledAction `json:"Allow,omitempty"`
}

// BlockAction may carry a custom response.
type BlockAction struct {
	CustomResponse *CustomResponse `json:"CustomResponse,omitempty"`
}

// HandledAction is Allow, Count, Captcha or Challenge: they may insert
// request headers.
type HandledAction struct {
	CustomRequestHandling *CustomRequestHandling `json:"CustomRequestHandling,omitempty"`
}

// CustomRequestHandling inserts headers into the request (x-amzn-waf-*).
type CustomRequestHandling struct {
	InsertHeaders []CustomHTTPHeader `json:"InsertHeaders"`
}

// CustomResponse is a Block's own answer.
type CustomResponse struct {
	ResponseCode          *int64             `json:"ResponseCode,omitempty"`
	CustomResponseBodyKey *string            `json:"CustomResponseBodyKey,omitempty"`
	ResponseHeaders       []CustomHTTPHeader `json:"ResponseHeaders,omitempty"`
}

// CustomHTTPHeader is a header name and value.
type CustomHTTPHeader struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// OverrideAction is a rule group reference's None or Count.
type OverrideAction struct {
	Count *HandledAction `json:"Count,omitempty"`
	None  *struct{}      `json:"None,omitempty"`
}

// CustomResponseBody is an entry of a web ACL's CustomResponseBodies.
type CustomResponseBody struct {
	ContentType string `json:"ContentType"`
	Content     string `json:"Content"`
}

// Statement holds exactly one statement type.
type Statement struct {
	ByteMatchStatement                *ByteMatchStatement                `json:"ByteMatchStatement,omitempty"`
	SqliMatchStatement                *SqliMatchStatement                `json:"SqliMatchStatement,omitempty"`
	XssMatchStatement                 *XssMatchStatement                 `json:"XssMatchStatement,omitempty"`
	SizeConstraintStatement           *SizeConstraintStatement           `json:"SizeConstraintStatement,omitempty"`
	GeoMatchStatement                 *GeoMatchStatement                 `json:"GeoMatchStatement,omitempty"`
	RuleGroupReferenceStatement       *RuleGroupReferenceStatement       `json:"RuleGroupReferenceStatement,omitempty"`
	IPSetReferenceStatement           *IPSetReferenceStatement           `json:"IPSetReferenceStatement,omitempty"`
	RegexPatternSetReferenceStatement *RegexPatternSetReferenceStatement `json:"RegexPatternSetReferenceStatement,omitempty"`
	RateBasedStatement                *RateBasedStatement                `json:"RateBasedStatement,omitempty"`
	AndStatement                      *AndStatement                      `json:"AndStatement,omitempty"`
	OrStatement                       *AndStatement                      `json:"OrStatement,omitempty"`
	NotStatement                      *NotStatement                      `json:"NotStatement,omitempty"`
	ManagedRuleGroupStatement         *ManagedRuleGroupStatement         `json:"ManagedRuleGroupStatement,omitempty"`
	LabelMatchStatement               *LabelMatchStatement               `json:"LabelMatchStatement,omitempty"`
	RegexMatchStatement               *RegexMatchStatement               `json:"RegexMatchStatement,omitempty"`
	// AsnMatchStatement needs ASN data Tollgate does not have: refused.
	AsnMatchStatement json.RawMessage `json:"AsnMatchStatement,omitempty"`
}

// ByteMatchStatement is a string match.
type ByteMatchStatement struct {
	SearchString         []byte               `json:"SearchString"`
	FieldToMatch         *FieldToMatch        `json:"FieldToMatch,omitempty"`
	TextTransformations  []TextTransformation `json:"TextTransformations"`
	PositionalConstraint string               `json:"PositionalConstraint"`
}

// SqliMatchStatement looks for SQL injection.
type SqliMatchStatement struct {
	FieldToMatch        *FieldToMatch        `json:"FieldToMatch,omitempty"`
	TextTransformations []TextTransformation `json:"TextTransformations"`
	SensitivityLevel    string               `json:"SensitivityLevel,omitempty"`
}

// XssMatchStatement looks for cross-site scripting.
type XssMatchStatement struct {
	FieldToMatch        *FieldToMatch        `json:"FieldToMatch,omitempty"`
	TextTransformations []TextTransformation `json:"TextTransformations"`
}

// SizeConstraintStatement compares a component's size.
type SizeConstraintStatement struct {
	FieldToMatch        *FieldToMatch        `json:"FieldToMatch,omitempty"`
	ComparisonOperator  string               `json:"ComparisonOperator"`
	Size                *int64               `json:"Size,omitempty"`
	TextTransformations []TextTransformation `json:"TextTransformations"`
}

// GeoMatchStatement matches countries (Tollgate has no GeoIP data: it
// never matches).
type GeoMatchStatement struct {
	CountryCodes      []string           `json:"CountryCodes,omitempty"`
	ForwardedIPConfig *ForwardedIPConfig `json:"ForwardedIPConfig,omitempty"`
}

// RuleGroupReferenceStatement refers to an own rule group (Tollgate has
// none).
type RuleGroupReferenceStatement struct {
	ARN                 string               `json:"ARN"`
	ExcludedRules       []ExcludedRule       `json:"ExcludedRules,omitempty"`
	RuleActionOverrides []RuleActionOverride `json:"RuleActionOverrides,omitempty"`
}

// IPSetReferenceStatement matches the client's address against an IP set.
type IPSetReferenceStatement struct {
	ARN                    string                  `json:"ARN"`
	IPSetForwardedIPConfig *IPSetForwardedIPConfig `json:"IPSetForwardedIPConfig,omitempty"`
}

// IPSetForwardedIPConfig takes the address from a header.
type IPSetForwardedIPConfig struct {
	HeaderName       string `json:"HeaderName"`
	FallbackBehavior string `json:"FallbackBehavior"`
	Position         string `json:"Position"`
}

// ForwardedIPConfig takes the address from a header (the first one).
type ForwardedIPConfig struct {
	HeaderName       string `json:"HeaderName"`
	FallbackBehavior string `json:"FallbackBehavior"`
}

// RegexPatternSetReferenceStatement matches any pattern of a set.
type RegexPatternSetReferenceStatement struct {
	ARN                 string               `json:"ARN"`
	FieldToMatch        *FieldToMatch        `json:"FieldToMatch,omitempty"`
	TextTransformations []TextTransformation `json:"TextTransformations"`
}

// RegexMatchStatement matches one inline pattern.
type RegexMatchStatement struct {
	RegexString         string               `json:"RegexString"`
	FieldToMatch        *FieldToMatch        `json:"FieldToMatch,omitempty"`
	TextTransformations []TextTransformation `json:"TextTransformations"`
}

// RateBasedStatement limits the rate of requests per aggregation key.
type RateBasedStatement struct {
	Limit               *int64             `json:"Limit,omitempty"`
	EvaluationWindowSec *int64             `json:"EvaluationWindowSec,omitempty"`
	AggregateKeyType    string             `json:"AggregateKeyType"`
	ScopeDownStatement  *Statement         `json:"ScopeDownStatement,omitempty"`
	ForwardedIPConfig   *ForwardedIPConfig `json:"ForwardedIPConfig,omitempty"`
	CustomKeys          []RateKey          `json:"CustomKeys,omitempty"`
}

// RateKey is one custom aggregation key of a rate-based statement.
type RateKey struct {
	Header         *NamedRateKey   `json:"Header,omitempty"`
	Cookie         *NamedRateKey   `json:"Cookie,omitempty"`
	QueryArgument  *NamedRateKey   `json:"QueryArgument,omitempty"`
	QueryString    *TransformedKey `json:"QueryString,omitempty"`
	HTTPMethod     *struct{}       `json:"HTTPMethod,omitempty"`
	ForwardedIP    *struct{}       `json:"ForwardedIP,omitempty"`
	IP             *struct{}       `json:"IP,omitempty"`
	LabelNamespace *LabelNamespace `json:"LabelNamespace,omitempty"`
	UriPath        *TransformedKey `json:"UriPath,omitempty"`
	JA3Fingerprint json.RawMessage `json:"JA3Fingerprint,omitempty"`
	JA4Fingerprint json.RawMessage `json:"JA4Fingerprint,omitempty"`
	ASN            json.RawMessage `json:"ASN,omitempty"`
}

// NamedRateKey is a header, cookie or query argument key.
type NamedRateKey struct {
	Name                string               `json:"Name"`
	TextTransformations []TextTransformation `json:"TextTransformations"`
}

// TransformedKey is a query string or URI path key.
type TransformedKey struct {
	TextTransformations []TextTransformation `json:"TextTransformations"`
}

// LabelNamespace is a label namespace key.
type LabelNamespace struct {
	Namespace string `json:"Namespace"`
}

// AndStatement (and OrStatement) combine statements.
type AndStatement struct {
	Statements []Statement `json:"Statements"`
}

// NotStatement negates one statement.
type NotStatement struct {
	Statement *Statement `json:"Statement,omitempty"`
}

// ManagedRuleGroupStatement runs a managed rule group.
type ManagedRuleGroupStatement struct {
	VendorName              string               `json:"VendorName"`
	Name                    string               `json:"Name"`
	Version                 *string              `json:"Version,omitempty"`
	ExcludedRules           []ExcludedRule       `json:"ExcludedRules,omitempty"`
	ScopeDownStatement      *Statement           `json:"ScopeDownStatement,omitempty"`
	ManagedRuleGroupConfigs json.RawMessage      `json:"ManagedRuleGroupConfigs,omitempty"`
	RuleActionOverrides     []RuleActionOverride `json:"RuleActionOverrides,omitempty"`
}

// ExcludedRule names a group rule set to Count (legacy form).
type ExcludedRule struct {
	Name string `json:"Name"`
}

// RuleActionOverride replaces a group rule's action.
type RuleActionOverride struct {
	Name        string      `json:"Name"`
	ActionToUse *RuleAction `json:"ActionToUse,omitempty"`
}

// LabelMatchStatement matches labels added by earlier rules.
type LabelMatchStatement struct {
	Scope string `json:"Scope"`
	Key   string `json:"Key"`
}

// TextTransformation is applied before inspection, by ascending Priority.
type TextTransformation struct {
	Priority *int64 `json:"Priority,omitempty"`
	Type     string `json:"Type"`
}

// FieldToMatch names the inspected part of the request (exactly one).
type FieldToMatch struct {
	SingleHeader        *NamedField     `json:"SingleHeader,omitempty"`
	SingleQueryArgument *NamedField     `json:"SingleQueryArgument,omitempty"`
	AllQueryArguments   *struct{}       `json:"AllQueryArguments,omitempty"`
	UriPath             *struct{}       `json:"UriPath,omitempty"`
	QueryString         *struct{}       `json:"QueryString,omitempty"`
	Body                *BodyField      `json:"Body,omitempty"`
	Method              *struct{}       `json:"Method,omitempty"`
	JsonBody            *JsonBody       `json:"JsonBody,omitempty"`
	Headers             *MapField       `json:"Headers,omitempty"`
	Cookies             *MapField       `json:"Cookies,omitempty"`
	HeaderOrder         json.RawMessage `json:"HeaderOrder,omitempty"`
	JA3Fingerprint      json.RawMessage `json:"JA3Fingerprint,omitempty"`
	JA4Fingerprint      json.RawMessage `json:"JA4Fingerprint,omitempty"`
	UriFragment         json.RawMessage `json:"UriFragment,omitempty"`
}

// NamedField is SingleHeader or SingleQueryArgument.
type NamedField struct {
	Name string `json:"Name"`
}

// BodyField is the Body component.
type BodyField struct {
	OversizeHandling string `json:"OversizeHandling,omitempty"`
}

// JsonBody inspects the parsed JSON body.
type JsonBody struct {
	MatchPattern            *JsonMatchPattern `json:"MatchPattern,omitempty"`
	MatchScope              string            `json:"MatchScope"`
	InvalidFallbackBehavior string            `json:"InvalidFallbackBehavior,omitempty"`
	OversizeHandling        string            `json:"OversizeHandling,omitempty"`
}

// JsonMatchPattern is All or IncludedPaths (JSON Pointers).
type JsonMatchPattern struct {
	All           *struct{} `json:"All,omitempty"`
	IncludedPaths []string  `json:"IncludedPaths,omitempty"`
}

// MapField is Headers or Cookies.
type MapField struct {
	MatchPattern     *MapMatchPattern `json:"MatchPattern,omitempty"`
	MatchScope       string           `json:"MatchScope"`
	OversizeHandling string           `json:"OversizeHandling"`
}

// MapMatchPattern is All, Included… or Excluded… names (headers: the
// IncludedHeaders/ExcludedHeaders members; cookies: IncludedCookies /
// ExcludedCookies).
type MapMatchPattern struct {
	All             *struct{} `json:"All,omitempty"`
	IncludedHeaders []string  `json:"IncludedHeaders,omitempty"`
	ExcludedHeaders []string  `json:"ExcludedHeaders,omitempty"`
	IncludedCookies []string  `json:"IncludedCookies,omitempty"`
	ExcludedCookies []string  `json:"ExcludedCookies,omitempty"`
}
