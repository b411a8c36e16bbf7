// Package wafmodel is the stored model of Tollgate's AWS WAF (wafv2
// 2019-07-29): web ACLs, IP sets and regex pattern sets as the management
// API keeps them, their store keys and ARNs, the wire shapes of rules and
// statements, their validation and capacity (WCUs), and the catalogue of
// managed rule groups. No I/O.
//
// A web ACL protects a REST API stage through the stage document's
// webAclArn (AssociateWebACL writes it, GetStage shows it); internal/waf
// compiles a web ACL with the sets it refers to into what the data plane
// evaluates.
package wafmodel

import (
	"encoding/json"
	"regexp"
	"strings"
)

// Scopes [M]. API Gateway stages take REGIONAL web ACLs [D].
const (
	ScopeRegional   = "REGIONAL"
	ScopeCloudFront = "CLOUDFRONT"
)

// Entity kinds, as ARNs name them [X].
const (
	KindWebACL     = "webacl"
	KindIPSet      = "ipset"
	KindRegexSet   = "regexpatternset"
	KindRuleGroup  = "rulegroup"
	keyPrefix      = "wafv2/"
	arnScopeRegion = "regional"
	arnScopeGlobal = "global"
)

// Prefix is the prefix of every wafv2 store key.
const Prefix = keyPrefix

// Key is the store key of the entity of kind named name in scope: names
// are unique per kind and scope [D], so they key the documents, and lists
// come back in name order.
func Key(kind, scope, name string) string { return keyPrefix + kind + "/" + scope + "/" + name }

// KindPrefix lists every entity of kind in scope.
func KindPrefix(kind, scope string) string { return keyPrefix + kind + "/" + scope + "/" }

// Tag is a wafv2 tag [M].
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Entity is what every stored wafv2 document has.
type Entity struct {
	Name        string `json:"Name"`
	ID          string `json:"Id"`
	ARN         string `json:"ARN"`
	Description string `json:"Description"`
	Scope       string `json:"scope"`
	LockToken   string `json:"lockToken"`
	Tags        []Tag  `json:"tags,omitempty"`
}

// Summary is the list and create answer of any entity [M].
type Summary struct {
	Name        string `json:"Name"`
	ID          string `json:"Id"`
	Description string `json:"Description"`
	LockToken   string `json:"LockToken"`
	ARN         string `json:"ARN"`
}

// Base returns e (the documents that embed Entity promote it).
func (e *Entity) Base() *Entity { return e }

// Summarize returns e's Summary.
func (e *Entity) Summarize() Summary {
	return Summary{Name: e.Name, ID: e.ID, Description: e.Description, LockToken: e.LockToken, ARN: e.ARN}
}

// IPSet is a stored IP set.
type IPSet struct {
	Entity
	IPAddressVersion string   `json:"IPAddressVersion"`
	Addresses        []string `json:"Addresses"`
}

// RegexPatternSet is a stored regex pattern set.
type RegexPatternSet struct {
	Entity
	RegularExpressionList []Regex `json:"RegularExpressionList"`
}

// Regex is one pattern of a set.
type Regex struct {
	RegexString string `json:"RegexString"`
}

// WebACL is a stored web ACL: the members a client sets, as given, and
// what Tollgate adds (Capacity, LabelNamespace).
type WebACL struct {
	Entity
	DefaultAction        *DefaultAction                `json:"DefaultAction"`
	Rules                []Rule                        `json:"Rules"`
	VisibilityConfig     *VisibilityConfig             `json:"VisibilityConfig"`
	Capacity             int64                         `json:"Capacity"`
	LabelNamespace       string                        `json:"LabelNamespace"`
	CustomResponseBodies map[string]CustomResponseBody `json:"CustomResponseBodies,omitempty"`
	CaptchaConfig        json.RawMessage               `json:"CaptchaConfig,omitempty"`
	ChallengeConfig      json.RawMessage               `json:"ChallengeConfig,omitempty"`
	TokenDomains         []string                      `json:"TokenDomains,omitempty"`
	AssociationConfig    *AssociationConfig            `json:"AssociationConfig,omitempty"`
	DataProtectionConfig json.RawMessage               `json:"DataProtectionConfig,omitempty"`
	OnSourceDDoS         json.RawMessage               `json:"OnSourceDDoSProtectionConfig,omitempty"`
	ApplicationConfig    json.RawMessage               `json:"ApplicationConfig,omitempty"`
	// Refs are the ARNs of the IP sets and regex pattern sets the rules
	// refer to (not part of the wire shape), so that a set in use is
	// refused deletion without reading every rule.
	Refs []string `json:"refs,omitempty"`
}

// AssociationConfig sets the body inspection limit per resource type.
type AssociationConfig struct {
	RequestBody map[string]RequestBodyConfig `json:"RequestBody,omitempty"`
}

// RequestBodyConfig is one resource type's body inspection limit.
type RequestBodyConfig struct {
	DefaultSizeInspectionLimit string `json:"DefaultSizeInspectionLimit"`
}

// DefaultBodyLimit is what API Gateway passes WAF of a body unless the
// web ACL says otherwise: 16 KB [M: AssociationConfig documentation].
const DefaultBodyLimit = 16 * 1024

// BodyLimit is the number of body bytes the web ACL inspects for API
// Gateway stages.
func (w *WebACL) BodyLimit() int {
	if w.AssociationConfig != nil {
		switch w.AssociationConfig.RequestBody["API_GATEWAY"].DefaultSizeInspectionLimit {
		case "KB_32":
			return 32 * 1024
		case "KB_48":
			return 48 * 1024
		case "KB_64":
			return 64 * 1024
		}
	}
	return DefaultBodyLimit
}

// LabelNamespaceOf is a web ACL's label prefix: awswaf:{account}:webacl:{name}: [D].
func LabelNamespaceOf(account, name string) string {
	return "awswaf:" + account + ":webacl:" + name + ":"
}

// ARN returns the ARN of an entity [X]: arn:aws:wafv2:{region}:{account}:
// regional/{kind}/{name}/{id}, global/… for CLOUDFRONT.
func ARN(region, account, scope, kind, name, id string) string {
	s := arnScopeRegion
	if scope == ScopeCloudFront {
		s = arnScopeGlobal
	}
	return "arn:aws:wafv2:" + region + ":" + account + ":" + s + "/" + kind + "/" + name + "/" + id
}

// ParsedARN is a wafv2 ARN taken apart.
type ParsedARN struct {
	Region, Account, Scope, Kind, Name, ID string
}

// Key is the store key of the entity the ARN names.
func (p ParsedARN) Key() string { return Key(p.Kind, p.Scope, p.Name) }

var (
	nameRE = regexp.MustCompile(`^[\w\-]+$`)
	idRE   = regexp.MustCompile(`^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$`)
)

// ParseARN takes a wafv2 ARN apart; ok is false when arn is not one.
func ParseARN(arn string) (ParsedARN, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "wafv2" {
		return ParsedARN{}, false
	}
	res := strings.Split(parts[5], "/")
	if len(res) != 4 {
		return ParsedARN{}, false
	}
	p := ParsedARN{Region: parts[3], Account: parts[4], Kind: res[1], Name: res[2], ID: res[3]}
	switch res[0] {
	case arnScopeRegion:
		p.Scope = ScopeRegional
	case arnScopeGlobal:
		p.Scope = ScopeCloudFront
	default:
		return ParsedARN{}, false
	}
	switch p.Kind {
	case KindWebACL, KindIPSet, KindRegexSet, KindRuleGroup:
	default:
		return ParsedARN{}, false
	}
	if !nameRE.MatchString(p.Name) || len(p.Name) > 128 || !idRE.MatchString(p.ID) {
		return ParsedARN{}, false
	}
	return p, true
}

// StageARN is the ARN WAF knows a REST API stage by [M doc]:
// arn:aws:apigateway:{region}::/restapis/{apiId}/stages/{stage}.
func StageARN(region, apiID, stage string) string {
	return "arn:aws:apigateway:" + region + "::/restapis/" + apiID + "/stages/" + stage
}

// ParseStageARN takes a stage ARN apart. httpAPI is set for an HTTP or
// WebSocket API stage ("/apis/{id}/stages/{stage}"), which WAF cannot
// protect [D].
func ParseStageARN(arn string) (region, apiID, stage string, httpAPI, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "apigateway" || parts[4] != "" {
		return "", "", "", false, false
	}
	res := strings.Split(parts[5], "/")
	if len(res) != 5 || res[0] != "" || res[3] != "stages" || res[2] == "" || res[4] == "" {
		return "", "", "", false, false
	}
	switch res[1] {
	case "restapis":
	case "apis":
		httpAPI = true
	default:
		return "", "", "", false, false
	}
	return parts[3], res[2], res[4], httpAPI, true
}
