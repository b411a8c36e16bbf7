// Package waf is Tollgate's AWS WAF engine: a web ACL compiled once, when
// it or its association changes, into an immutable evaluator that the
// data plane runs on each request of the stages it protects.
//
// Rules run in priority order; the first terminating action (Allow,
// Block, CAPTCHA, Challenge) ends the evaluation, Count goes on, and the
// default action applies when nothing terminates [D: "How AWS WAF
// processes a web ACL"]. Statements are evaluated natively: text
// transformations (package transform), byte, regex and size matches, IP
// sets (sorted ranges), labels, And/Or/Not, SQL injection and XSS with
// libinjection (the detectors behind CRS rules 942100 and 941100),
// rate-based rules on the shared rate counters, and AWS's managed rule
// groups mapped onto OWASP CRS v4 rules (package crs) and native checks.
// Only the components a rule inspects are parsed, once per request.
package waf

import (
	"context"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Action is what a rule or the default action does with a request.
type Action uint8

// The actions [M].
const (
	ActionAllow Action = iota + 1
	ActionBlock
	ActionCount
	ActionCaptcha
	ActionChallenge
)

// String is the action as sampled requests and logs spell it.
func (a Action) String() string {
	switch a {
	case ActionAllow:
		return "ALLOW"
	case ActionBlock:
		return "BLOCK"
	case ActionCount:
		return "COUNT"
	case ActionCaptcha:
		return "CAPTCHA"
	case ActionChallenge:
		return "CHALLENGE"
	}
	return ""
}

// Header is a header name and value.
type Header struct{ Name, Value string }

// Response is a Block action's custom response.
type Response struct {
	Status      int
	Headers     []Header
	ContentType string
	Body        []byte
}

// action is a compiled rule action.
type action struct {
	kind Action
	// insert are the request headers to add (x-amzn-waf-{name}).
	insert []Header
	resp   *Response
}

func (a *action) terminates() bool { return a.kind != ActionCount }

// rule is a compiled rule of the web ACL.
type rule struct {
	name, metric string
	// samples keeps the rule's sampled requests (nil: not sampled).
	samples *sampleSeries
	st      matcher
	act     action
	labels  []string
	rate    *rateRule
	group   *groupRule
	// counters count the requests the rule matched, per action applied
	// (nil when the rule's metrics are off).
	counters *counters
}

// ACL is a compiled web ACL. It is immutable and safe for concurrent
// use; stages associated with the same web ACL share it.
type ACL struct {
	ARN, ID, Name string
	metric        string
	namespace     string
	rules         []*rule
	def           action
	defSamples    *sampleSeries
	defCounters   *counters
	allCounters   *counters
	bodyLimit     int
	rates         RateCounter
	// keys are the store keys of the web ACL and the sets it refers to.
	keys []string
}

// Result is the outcome of evaluating a request.
type Result struct {
	// Action is Allow, Block, Captcha or Challenge.
	Action Action
	// Rule is the name of the rule that decided, "Default_Action" when
	// none did.
	Rule string
	// Response is a Block's custom response (nil: the stage's
	// WAF_FILTERED gateway response).
	Response *Response
	// Insert are the request headers to add before the request goes on.
	Insert []Header
	// Labels are the labels the request collected.
	Labels []string
	// Err is why the evaluation could not finish: the body could not be
	// read, or the shared rate counters did not answer.
	Err error
}

// DefaultActionRule names the default action in results and samples
// [U: WAF Classic's Default_Action].
const DefaultActionRule = "Default_Action"

// Evaluate runs the web ACL on req at now.
func (a *ACL) Evaluate(ctx context.Context, req Request, now time.Time) Result {
	e := evalPool.Get().(*eval)
	e.reset()
	e.ctx, e.acl, e.req, e.now = ctx, a, req, now
	res := a.run(e)
	if len(e.labels) > 0 {
		res.Labels = append([]string(nil), e.labels...)
	}
	if res.Action == ActionAllow && len(e.inserts) > 0 {
		res.Insert = append(res.Insert, e.inserts...)
	}
	res.Err = e.err
	e.req, e.ctx, e.acl = nil, nil, nil
	evalPool.Put(e)
	return res
}

func (a *ACL) run(e *eval) Result {
	for _, r := range a.rules {
		if r.group != nil {
			if res, done := r.group.run(e, r); done {
				return res
			}
			continue
		}
		var matched bool
		if r.rate != nil {
			matched = r.rate.limited(e)
		} else {
			matched = r.st.match(e)
		}
		if e.err != nil {
			return Result{Action: ActionBlock, Rule: r.name}
		}
		if !matched {
			continue
		}
		e.labels = append(e.labels, r.labels...)
		record(e, r.counters, r.samples, r.act.kind, "", 0, r.act.resp)
		if r.act.terminates() {
			return a.result(e, r.name, &r.act)
		}
		e.inserts = append(e.inserts, r.act.insert...)
	}
	record(e, a.defCounters, a.defSamples, a.def.kind, "", 0, a.def.resp)
	return a.result(e, DefaultActionRule, &a.def)
}

// result is the terminating outcome of act.
func (a *ACL) result(e *eval, name string, act *action) Result {
	a.allCounters.inc(act.kind)
	res := Result{Action: act.kind, Rule: name}
	switch act.kind {
	case ActionBlock:
		res.Response = act.resp
	case ActionAllow:
		e.inserts = append(e.inserts, act.insert...)
	}
	return res
}

// record counts a rule match (or a default action) in the metrics and
// keeps a sample of it.
func record(e *eval, c *counters, ss *sampleSeries, act Action, inGroup string, overridden Action, resp *Response) {
	c.inc(act)
	ss.record(e, act, inGroup, overridden, resp)
}

// counters are one rule's (or the web ACL's) per-action metrics.
type counters struct {
	by        [ActionChallenge + 1]prometheus.Counter
	m         *Metrics
	acl, rule string
}

func (c *counters) inc(a Action) {
	switch {
	case c == nil || a == 0:
	case c.by[a] != nil:
		c.by[a].Inc()
	default:
		c.m.by[a].WithLabelValues(c.acl, c.rule).Inc()
	}
}

// clientIP is the request's client address.
func clientIP(e *eval) netip.Addr { return e.req.ClientIP().Unmap() }

// Uses reports whether the web ACL is, or refers to, the wafv2 document
// stored at key.
func (a *ACL) Uses(key string) bool {
	for _, k := range a.keys {
		if k == key {
			return true
		}
	}
	return false
}
