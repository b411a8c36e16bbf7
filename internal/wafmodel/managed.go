package wafmodel

import "strings"

// ManagedGroup is an AWS managed rule group as Tollgate offers it: what
// ListAvailableManagedRuleGroups and DescribeManagedRuleGroup report, and
// the rules internal/waf enforces (with CRS v4 and native detectors).
type ManagedGroup struct {
	Vendor, Name string
	Description  string
	// Capacity is the group's fixed WCU cost [D].
	Capacity int64
	// Namespace is the label namespace, without the trailing ':'.
	Namespace string
	// Versioned is VersioningSupported.
	Versioned bool
	// Enforced is false for groups Tollgate lists and accepts but cannot
	// enforce (their rules never match) [T].
	Enforced bool
	Rules    []ManagedRule
}

// ManagedRule is one rule of a managed group.
type ManagedRule struct {
	// Name is the rule name (SQLi_QUERYARGUMENTS).
	Name string
	// Label is the label tail it adds (SQLi_QueryArguments) [D]: not
	// derivable from the name.
	Label string
	// Count is set for rules whose own action is Count (else Block).
	Count bool
}

// FullLabel is the rule's fully qualified label.
func (g *ManagedGroup) FullLabel(r ManagedRule) string {
	return "awswaf:managed:" + strings.ToLower(g.Vendor) + ":" + g.Namespace + ":" + r.Label
}

// LabelNamespace is the group's label prefix, with the trailing ':'.
func (g *ManagedGroup) LabelNamespace() string {
	return "awswaf:managed:" + strings.ToLower(g.Vendor) + ":" + g.Namespace + ":"
}

// Rule returns the group's rule named name.
func (g *ManagedGroup) Rule(name string) (ManagedRule, bool) {
	for _, r := range g.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return ManagedRule{}, false
}

// notEnforced ends the description of groups Tollgate cannot enforce.
const notEnforced = " (Tollgate: accepted, but its rules never match.)"

// DescriptionText is the description ListAvailableManagedRuleGroups
// reports: AWS's, flagged for groups Tollgate does not enforce [T].
func (g *ManagedGroup) DescriptionText() string {
	if g.Enforced {
		return g.Description
	}
	return g.Description + notEnforced
}

func rules(names ...string) []ManagedRule {
	out := make([]ManagedRule, 0, len(names)/2)
	for i := 0; i+1 < len(names); i += 2 {
		out = append(out, ManagedRule{Name: names[i], Label: names[i+1]})
	}
	return out
}

// ManagedGroups is the catalogue, in the order AWS lists it [X:
// list-available-managed-rule-groups; D: the rule lists of "AWS Managed
// Rules rule groups list" with their labels].
var ManagedGroups = []*ManagedGroup{
	{
		Vendor: "AWS", Name: "AWSManagedRulesCommonRuleSet", Capacity: 700, Namespace: "core-rule-set", Versioned: true, Enforced: true,
		Description: "Contains rules that are generally applicable to web applications. This provides protection against exploitation of a wide range of vulnerabilities, including those described in OWASP publications and common Common Vulnerabilities and Exposures (CVE).",
		Rules: rules(
			"NoUserAgent_HEADER", "NoUserAgent_Header",
			"UserAgent_BadBots_HEADER", "BadBots_Header",
			"SizeRestrictions_QUERYSTRING", "SizeRestrictions_QueryString",
			"SizeRestrictions_Cookie_HEADER", "SizeRestrictions_Cookie_Header",
			"SizeRestrictions_BODY", "SizeRestrictions_Body",
			"SizeRestrictions_URIPATH", "SizeRestrictions_URIPath",
			"EC2MetaDataSSRF_BODY", "EC2MetaDataSSRF_Body",
			"EC2MetaDataSSRF_COOKIE", "EC2MetaDataSSRF_Cookie",
			"EC2MetaDataSSRF_URIPATH", "EC2MetaDataSSRF_URIPath",
			"EC2MetaDataSSRF_QUERYARGUMENTS", "EC2MetaDataSSRF_QueryArguments",
			"GenericLFI_QUERYARGUMENTS", "GenericLFI_QueryArguments",
			"GenericLFI_URIPATH", "GenericLFI_URIPath",
			"GenericLFI_BODY", "GenericLFI_Body",
			"RestrictedExtensions_URIPATH", "RestrictedExtensions_URIPath",
			"RestrictedExtensions_QUERYARGUMENTS", "RestrictedExtensions_QueryArguments",
			"GenericRFI_QUERYARGUMENTS", "GenericRFI_QueryArguments",
			"GenericRFI_BODY", "GenericRFI_Body",
			"GenericRFI_URIPATH", "GenericRFI_URIPath",
			"CrossSiteScripting_COOKIE", "CrossSiteScripting_Cookie",
			"CrossSiteScripting_QUERYARGUMENTS", "CrossSiteScripting_QueryArguments",
			"CrossSiteScripting_BODY", "CrossSiteScripting_Body",
			"CrossSiteScripting_URIPATH", "CrossSiteScripting_URIPath",
		),
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesAdminProtectionRuleSet", Capacity: 100, Namespace: "admin-protection", Versioned: true,
		Description: "Contains rules that allow you to block external access to exposed admin pages. This may be useful if you are running third-party software or would like to reduce the risk of a malicious actor gaining administrative access to your application.",
		Rules:       rules("AdminProtection_URIPATH", "AdminProtection_URIPath"),
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesKnownBadInputsRuleSet", Capacity: 200, Namespace: "known-bad-inputs", Versioned: true, Enforced: true,
		Description: "Contains rules that allow you to block request patterns that are known to be invalid and are associated with exploitation or discovery of vulnerabilities. This can help reduce the risk of a malicious actor discovering a vulnerable application.",
		Rules: rules(
			"JavaDeserializationRCE_HEADER", "JavaDeserializationRCE_Header",
			"JavaDeserializationRCE_BODY", "JavaDeserializationRCE_Body",
			"JavaDeserializationRCE_URIPATH", "JavaDeserializationRCE_URIPath",
			"JavaDeserializationRCE_QUERYSTRING", "JavaDeserializationRCE_QueryString",
			"Host_localhost_HEADER", "Host_Localhost_Header",
			"PROPFIND_METHOD", "Propfind_Method",
			"ExploitablePaths_URIPATH", "ExploitablePaths_URIPath",
			"Log4JRCE_HEADER", "Log4JRCE_Header",
			"Log4JRCE_QUERYSTRING", "Log4JRCE_QueryString",
			"Log4JRCE_BODY", "Log4JRCE_Body",
			"Log4JRCE_URIPATH", "Log4JRCE_URIPath",
		),
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesSQLiRuleSet", Capacity: 200, Namespace: "sql-database", Versioned: true, Enforced: true,
		Description: "Contains rules that allow you to block request patterns associated with exploitation of SQL databases, like SQL injection attacks. This can help prevent remote injection of unauthorized queries.",
		Rules: rules(
			"SQLi_QUERYARGUMENTS", "SQLi_QueryArguments",
			"SQLiExtendedPatterns_QUERYARGUMENTS", "SQLiExtendedPatterns_QueryArguments",
			"SQLi_BODY", "SQLi_Body",
			"SQLiExtendedPatterns_BODY", "SQLiExtendedPatterns_Body",
			"SQLiExtendedPatterns_HEADER", "SQLiExtendedPatterns_Header",
			"SQLiExtendedPatterns_URIPATH", "SQLiExtendedPatterns_UriPath",
			"SQLi_COOKIE", "SQLi_Cookie",
			"SQLi_URIPATH", "SQLi_URIPath",
		),
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesLinuxRuleSet", Capacity: 200, Namespace: "linux-os", Versioned: true,
		Description: "Contains rules that block request patterns associated with exploitation of vulnerabilities specific to Linux, including LFI attacks. This can help prevent attacks that expose file contents or execute code for which the attacker should not have had access.",
		Rules: rules(
			"LFI_URIPATH", "LFI_URIPath",
			"LFI_QUERYSTRING", "LFI_QueryString",
			"LFI_HEADER", "LFI_Header",
		),
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesUnixRuleSet", Capacity: 100, Namespace: "posix-os", Versioned: true,
		Description: "Contains rules that block request patterns associated with exploiting vulnerabilities specific to POSIX/POSIX-like OS, including LFI attacks. This can help prevent attacks that expose file contents or execute code for which access should not been allowed.",
		Rules: rules(
			"UNIXShellCommandsVariables_QUERYARGUMENTS", "UNIXShellCommandsVariables_QueryArguments",
			"UNIXShellCommandsVariables_BODY", "UNIXShellCommandsVariables_Body",
			"UNIXShellCommandsVariables_HEADER", "UNIXShellCommandsVariables_Header",
		),
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesWindowsRuleSet", Capacity: 200, Namespace: "windows-os", Versioned: true,
		Description: "Contains rules that block request patterns associated with exploiting vulnerabilities specific to Windows, (e.g., PowerShell commands). This can help prevent exploits that allow attacker to run unauthorized commands or execute malicious code.",
		Rules: rules(
			"WindowsShellCommands_COOKIE", "WindowsShellCommands_Cookie",
			"WindowsShellCommands_QUERYARGUMENTS", "WindowsShellCommands_QueryArguments",
			"WindowsShellCommands_BODY", "WindowsShellCommands_Body",
			"PowerShellCommands_COOKIE", "PowerShellCommands_Cookie",
			"PowerShellCommands_QUERYARGUMENTS", "PowerShellCommands_QueryArguments",
			"PowerShellCommands_BODY", "PowerShellCommands_Body",
		),
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesPHPRuleSet", Capacity: 100, Namespace: "php-app", Versioned: true,
		Description: "Contains rules that block request patterns associated with exploiting vulnerabilities specific to the use of the PHP, including injection of unsafe PHP functions. This can help prevent exploits that allow an attacker to remotely execute code or commands.",
		Rules: rules(
			"PHPHighRiskMethodsVariables_HEADER", "PHPHighRiskMethodsVariables_Header",
			"PHPHighRiskMethodsVariables_QUERYSTRING", "PHPHighRiskMethodsVariables_QueryString",
			"PHPHighRiskMethodsVariables_BODY", "PHPHighRiskMethodsVariables_Body",
		),
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesWordPressRuleSet", Capacity: 100, Namespace: "wordpress-app", Versioned: true,
		Description: "The WordPress Applications group contains rules that block request patterns associated with the exploitation of vulnerabilities specific to WordPress sites.",
		Rules: rules(
			"WordPressExploitableCommands_QUERYSTRING", "WordPressExploitableCommands_QUERYSTRING",
			"WordPressExploitablePaths_URIPATH", "WordPressExploitablePaths_URIPATH",
		),
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesAmazonIpReputationList", Capacity: 25, Namespace: "amazon-ip-list",
		Description: "This group contains rules that are based on Amazon threat intelligence. This is useful if you would like to block sources associated with bots or other threats.",
		Rules: []ManagedRule{
			{Name: "AWSManagedIPReputationList", Label: "AWSManagedIPReputationList"},
			{Name: "AWSManagedReconnaissanceList", Label: "AWSManagedReconnaissanceList"},
			{Name: "AWSManagedIPDDoSList", Label: "AWSManagedIPDDoSList", Count: true},
		},
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesAnonymousIpList", Capacity: 50, Namespace: "anonymous-ip-list",
		Description: "Contains rules that allow you to block requests from services that allow obfuscation of viewer identity. This can include request originating from VPN, proxies, Tor nodes, and hosting providers. This is useful if you want to filter out viewers that may be trying to hide their identity from your application.",
		Rules:       rules("AnonymousIPList", "AnonymousIPList", "HostingProviderIPList", "HostingProviderIPList"),
	},
	{
		Vendor: "AWS", Name: "AWSManagedRulesBotControlRuleSet", Capacity: 50, Namespace: "bot-control", Versioned: true,
		Description: "Provides protection against automated bots that can consume excess resources, skew business metrics, cause downtime, or perform malicious activities. Bot Control provides additional visibility through Amazon CloudWatch and generates labels that you can use to control bot traffic to your applications.",
		Rules:       rules("CategoryAdvertising", "bot:category:advertising", "SignalNonBrowserUserAgent", "signal:non_browser_user_agent"),
	},
}

// LookupManagedGroup returns the group vendor/name, or nil.
func LookupManagedGroup(vendor, name string) *ManagedGroup {
	for _, g := range ManagedGroups {
		if g.Vendor == vendor && g.Name == name {
			return g
		}
	}
	return nil
}

// ManagedVersion is the version Tollgate reports for versioned groups:
// the CRS release its detectors come from [T].
const ManagedVersion = "Version_1.0"
