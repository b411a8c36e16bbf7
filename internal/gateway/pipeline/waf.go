package pipeline

import (
	"strconv"
	"time"
)

// WAFOutcome is what the web ACL of the request's stage decided: the
// $context.webaclArn, wafResponseCode and waf.* variables (zero: the
// stage has no web ACL, and they are unset) [D: "$context variables for
// data models, authorizers, mapping templates, and access logging"].
type WAFOutcome struct {
	// ACLArn is the web ACL's ARN.
	ACLArn string
	// ResponseCode is WAF_ALLOW or WAF_BLOCK.
	ResponseCode string
	// Status is the status the web ACL answered with: 200 when it let
	// the request through, else the status of its block [U].
	Status int
	// Latency is how long the evaluation took.
	Latency time.Duration
	// Error is why the evaluation failed ("" when it did not).
	Error string
}

// appendWAFContext appends a WAF variable's value.
func (x *Exchange) appendWAFContext(buf []byte, v CtxVar) ([]byte, bool) {
	w := &x.WAF
	if w.ACLArn == "" {
		return buf, false
	}
	switch v {
	case CtxWebACLArn:
		return append(buf, w.ACLArn...), true
	case CtxWAFResponseCode:
		return append(buf, w.ResponseCode...), w.ResponseCode != ""
	case CtxWAFStatus:
		return strconv.AppendInt(buf, int64(w.Status), 10), w.Status != 0
	case CtxWAFLatency:
		return strconv.AppendInt(buf, w.Latency.Milliseconds(), 10), true
	case CtxWAFError:
		return append(buf, w.Error...), w.Error != ""
	}
	return buf, false
}
