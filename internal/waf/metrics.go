package waf

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are AWS WAF's CloudWatch metrics (namespace AWS/WAFV2 [D]) as
// Prometheus counters: wafv2_AllowedRequests, wafv2_BlockedRequests,
// wafv2_CountedRequests, wafv2_CaptchaRequests and
// wafv2_ChallengeRequests, labelled by the web ACL's and the rule's
// metric names; rule "ALL" counts every request the web ACL decided, and
// "Default_Action" those its default action decided [D][T]. Only rules
// and web ACLs with CloudWatchMetricsEnabled count.
type Metrics struct {
	by [ActionChallenge + 1]*prometheus.CounterVec
}

// NewMetrics registers the metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{}
	for a, name := range map[Action]string{
		ActionAllow: "AllowedRequests", ActionBlock: "BlockedRequests", ActionCount: "CountedRequests",
		ActionCaptcha: "CaptchaRequests", ActionChallenge: "ChallengeRequests",
	} {
		m.by[a] = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wafv2_" + name,
			Help: "Requests AWS WAF rules matched with this action (AWS/WAFV2 " + name + ").",
		}, []string{"webacl", "rule"})
		reg.MustRegister(m.by[a])
	}
	return m
}

// counters binds the series of one rule (or "ALL", "Default_Action")
// of the web ACL whose metric name is acl, for the actions it usually
// applies (others are bound on first use); nil when m is nil or metrics
// are off.
func (m *Metrics) counters(acl, rule string, on bool, usual ...Action) *counters {
	if m == nil || !on {
		return nil
	}
	c := &counters{m: m, acl: acl, rule: rule}
	for _, a := range usual {
		c.by[a] = m.by[a].WithLabelValues(acl, rule)
	}
	return c
}
