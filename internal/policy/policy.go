// Package policy evaluates IAM policy documents the way API Gateway
// (execute-api) uses them: resource policies attached to a REST API and the
// policy documents returned by Lambda authorizers.
//
// A document is parsed and compiled once by [Parse] into an immutable
// [Policy]; [Policy.Evaluate] then answers one [Request] without allocating in
// the common case and may be called from many goroutines at once.
//
// Supported language: Version 2012-10-17 and 2008-10-17 (policy variables only
// with 2012-10-17), Id, Statement (object or array), Sid, Effect,
// Principal/NotPrincipal, Action/NotAction, Resource/NotResource and
// Condition with the standard IAM operators, their IfExists forms and the
// ForAnyValue:/ForAllValues: set qualifiers. Element names and the Effect
// values are case-sensitive, condition operator names and condition keys are
// not.
//
// Evaluation follows IAM: a statement applies when its action, resource,
// principal and every condition match; the result is [Deny] if any applying
// statement denies, else [Allow] if any applying statement allows, else
// [NotApplicable] (an implicit deny).
//
// Policy variables ("${aws:username}", "${aws:PrincipalTag/team, 'default'}")
// are resolved from [Request.Context]. A variable whose key is missing, empty
// or multi-valued (and that has no default) cannot be resolved; the element
// using it then evaluates to false: a Resource pattern or a positive
// condition value does not match, and a NotResource list or a negated
// condition operator (StringNotEquals, ArnNotLike, ...) is not satisfied.
//
// Choices where IAM documentation is silent or loose:
//   - Without a set qualifier, a positive operator is true when any request
//     value matches any policy value; a negated operator is true when no
//     request value matches any policy value.
//   - A request value that cannot be parsed for the operator (an IP address
//     that is not one, a non-numeric value for Numeric*, ...) matches no
//     policy value, so NotIpAddress, NumericNotEquals, ... are true for it.
//   - ArnEquals and ArnLike (and their negations) are the same operator, as
//     in IAM: each of the six colon-separated ARN components is matched on
//     its own with wildcards.
//   - BinaryEquals compares the policy's base64 value with the request value
//     taken either as raw bytes or as base64 text.
//   - Set qualifiers on Null are ignored; NullIfExists is rejected.
//   - An AWS principal naming a role (arn:aws:iam::ACCOUNT:role/NAME) also
//     matches sessions of it (arn:aws:sts::ACCOUNT:assumed-role/NAME/...);
//     Service, Federated and CanonicalUser principals are parsed but never
//     match.
package policy

import (
	"errors"
	"strconv"
)

// ErrInvalid is wrapped by every error [Parse] and [ExpandExecuteAPI] return
// for a document that is not a valid policy.
var ErrInvalid = errors.New("invalid policy document")

// Decision is the outcome of evaluating a policy for one request.
type Decision uint8

const (
	// NotApplicable means no statement matched: an implicit deny
	// ("neither" in the API Gateway documentation).
	NotApplicable Decision = iota
	// Allow means at least one Allow statement matched and no Deny did.
	Allow
	// Deny means at least one Deny statement matched (explicit deny).
	Deny
)

// String returns "NotApplicable", "Allow" or "Deny".
func (d Decision) String() string {
	switch d {
	case NotApplicable:
		return "NotApplicable"
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Decision(" + strconv.Itoa(int(d)) + ")"
}

// Principal is who is calling.
type Principal struct {
	// Anonymous is true for callers that did not authenticate with SigV4.
	// Anonymous callers match only Principal "*" and {"AWS": "*"}.
	Anonymous bool
	// ARN is the caller's ARN, e.g. arn:aws:iam::123456789012:user/alice or
	// arn:aws:sts::123456789012:assumed-role/Admin/session.
	ARN string
	// Account is the caller's 12-digit account id. When empty it is taken
	// from ARN.
	Account string
}

// Request is one authorization question.
type Request struct {
	// Action is the action requested, e.g. "execute-api:Invoke".
	Action string
	// Resource is the full ARN of the resource, e.g.
	// arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/1.
	Resource string
	// Principal is the caller.
	Principal Principal
	// Context holds condition keys (names are matched case-insensitively,
	// e.g. "aws:SourceIp", "aws:CurrentTime", "aws:username",
	// "aws:SourceVpce") and their values. A key with no entry, or with an
	// empty list, does not exist. Keys should be unique ignoring case.
	Context map[string][]string
}

// Policy is a parsed and compiled policy document. It is immutable and safe
// for concurrent use.
type Policy struct {
	version string
	id      string
	stmts   []statement
}

// Version returns the document's Version element ("2008-10-17" when absent).
func (p *Policy) Version() string { return p.version }

// ID returns the document's Id element, or "".
func (p *Policy) ID() string { return p.id }

// Len returns the number of statements in the policy.
func (p *Policy) Len() int { return len(p.stmts) }
