package wafmodel

import (
	"net/http"

	"github.com/tollgate/tollgate/internal/awserr"
)

// wafv2's exceptions are 400s in the JSON 1.1 shape [M]; every one but
// WAFInvalidParameterException carries its text in "Message".
func wafError(code, msg string) *awserr.Error {
	e := awserr.New(http.StatusBadRequest, code, msg)
	e.MessageKey = "Message"
	return e
}

// Reasons of WAFInvalidParameterException seen on real AWS [C].
const (
	ReasonExactlyOne = "You have used none or multiple values for a field that requires exactly one value."
	ReasonBadRef     = "A reference in your rule statement is not valid."
	ReasonThreshold  = "You haven't met a minimum requirement for a threshold setting. Examples include a rule group capacity setting that's too low and an OR statement with only one nested statement."
	ReasonFormat     = "The parameter contains formatting that's not valid."
	// The texts below are Tollgate's [U].
	ReasonDuplicate   = "Your request contains a duplicate value for a field that requires unique values."
	ReasonNotAllowed  = "Your request contains a value that is not valid for this field in this context."
	ReasonUnsupported = "Your request contains a feature that Tollgate does not support."
)

// InvalidParameter is WAFInvalidParameterException: its message is
// "Error reason: {reason}, field: {field}, parameter: {parameter}" and
// the three parts are members of the body too [C].
func InvalidParameter(field, parameter, reason string) *awserr.Error {
	e := awserr.New(http.StatusBadRequest, "WAFInvalidParameterException",
		"Error reason: "+reason+", field: "+field+", parameter: "+parameter)
	e.Fields = map[string]string{"Field": field, "Parameter": parameter, "Reason": reason}
	return e
}

// Nonexistent is WAFNonexistentItemException [L: moto; C].
func Nonexistent() *awserr.Error {
	return wafError("WAFNonexistentItemException", "AWS WAF couldn’t perform the operation because your resource doesn’t exist.")
}

// OptimisticLock is WAFOptimisticLockException [C: CloudTrail, Terraform].
func OptimisticLock() *awserr.Error {
	return wafError("WAFOptimisticLockException",
		"AWS WAF couldn’t save your changes because someone changed the resource after you started to edit it. Reapply your changes.")
}

// Associated is WAFAssociatedItemException [C: Terraform #37229].
func Associated() *awserr.Error {
	return wafError("WAFAssociatedItemException",
		"AWS WAF couldn’t perform the operation because your resource is being used by another resource or it’s associated with another resource.")
}

// Duplicate is WAFDuplicateItemException [U: text].
func Duplicate() *awserr.Error {
	return wafError("WAFDuplicateItemException",
		"AWS WAF couldn’t perform the operation because some resource in your request is a duplicate of an existing one.")
}

// LimitsExceeded is WAFLimitsExceededException [U: text].
func LimitsExceeded(what string) *awserr.Error {
	return wafError("WAFLimitsExceededException", "AWS WAF couldn’t perform the operation because you exceeded your resource limit: "+what+".")
}

// InvalidOperation is WAFInvalidOperationException: what Tollgate does
// not offer [T].
func InvalidOperation(msg string) *awserr.Error {
	return wafError("WAFInvalidOperationException", msg)
}

// InvalidResource is WAFInvalidResourceException [U: text].
func InvalidResource(msg string) *awserr.Error {
	return wafError("WAFInvalidResourceException", msg)
}

// TagOperation is WAFTagOperationException [U: text].
func TagOperation(msg string) *awserr.Error {
	return wafError("WAFTagOperationException", msg)
}
