package waf

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/wafmodel"
)

// Samples keeps sampled requests for GetSampledRequests, per web ACL and
// rule metric name (the web ACL's own metric name for its default
// action), in memory [T]: the last maxSamples of each, at most
// samplesPerMinute a minute, for sampleWindow; and the number of
// requests each matched, per minute, over the same window (the answer's
// PopulationSize). Samples are lost on restart and kept per node.
type Samples struct {
	mu     sync.Mutex
	series map[seriesKey]*sampleSeries
}

const (
	maxSamples       = 500
	samplesPerMinute = 20
	sampleWindow     = 3 * time.Hour
	windowMinutes    = int(sampleWindow / time.Minute)
)

type seriesKey struct{ acl, metric string }

// sampleSeries is one (web ACL, metric) series.
type sampleSeries struct {
	minutes [windowMinutes]minuteCount

	mu     sync.Mutex
	ring   []wafmodel.Sample
	next   int
	minute int64 // of the latest sample
	taken  int   // samples taken in that minute
}

type minuteCount struct {
	minute atomic.Int64
	n      atomic.Int64
}

// NewSamples returns an empty store.
func NewSamples() *Samples { return &Samples{series: map[seriesKey]*sampleSeries{}} }

// bind returns the series of a rule, created on first use; a recompiled
// web ACL keeps its rules' samples.
func (s *Samples) bind(acl, metric string) *sampleSeries {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := seriesKey{acl, metric}
	ss := s.series[k]
	if ss == nil {
		ss = &sampleSeries{}
		s.series[k] = ss
	}
	return ss
}

// Forget drops the samples of a deleted web ACL.
func (s *Samples) Forget(acl string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.series {
		if k.acl == acl {
			delete(s.series, k)
		}
	}
}

// count counts a match at now.
func (ss *sampleSeries) count(now time.Time) {
	m := now.Unix() / 60
	c := &ss.minutes[m%int64(windowMinutes)]
	if old := c.minute.Load(); old != m && c.minute.CompareAndSwap(old, m) {
		c.n.Store(0)
	}
	c.n.Add(1)
}

// take keeps a sample built by mk, unless this minute's quota is used.
func (ss *sampleSeries) take(now time.Time, mk func() wafmodel.Sample) {
	m := now.Unix() / 60
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if m != ss.minute {
		ss.minute, ss.taken = m, 0
	}
	if ss.taken >= samplesPerMinute {
		return
	}
	ss.taken++
	sample := mk()
	if len(ss.ring) < maxSamples {
		ss.ring = append(ss.ring, sample)
		return
	}
	ss.ring[ss.next] = sample
	ss.next = (ss.next + 1) % maxSamples
}

// record counts a match of a rule and samples it.
func (ss *sampleSeries) record(e *eval, act Action, inGroup string, overridden Action, resp *Response) {
	if ss == nil {
		return
	}
	ss.count(e.now)
	ss.take(e.now, func() wafmodel.Sample {
		req := wafmodel.HTTPRequest{
			// The request's strings may alias its buffers: keep copies.
			ClientIP: clientIP(e).String(), URI: strings.Clone(e.req.URI()), Method: strings.Clone(e.req.Method()),
			HTTPVersion: strings.Clone(e.req.Protocol()),
			Headers:     []wafmodel.HTTPHeader{},
		}
		for _, h := range e.headerList() {
			req.Headers = append(req.Headers, wafmodel.HTTPHeader{Name: string(h.name), Value: string(h.value)})
		}
		s := wafmodel.Sample{Request: req, Weight: 1, Timestamp: wafmodel.Epoch(e.now), Action: act.String(), RuleNameWithinRuleGroup: inGroup}
		if overridden != 0 && overridden != act {
			s.OverriddenAction = overridden.String()
		}
		if resp != nil {
			s.ResponseCodeSent = resp.Status
		}
		for _, l := range e.labels {
			s.Labels = append(s.Labels, wafmodel.Label{Name: l})
		}
		for _, h := range e.inserts {
			s.RequestHeadersInserted = append(s.RequestHeadersInserted, wafmodel.HTTPHeader{Name: h.Name, Value: h.Value})
		}
		switch act {
		case ActionCaptcha:
			s.CaptchaResponse = &wafmodel.Challenge{ResponseCode: 405, FailureReason: "TOKEN_MISSING"}
		case ActionChallenge:
			s.ChallengeResponse = &wafmodel.Challenge{ResponseCode: 202, FailureReason: "TOKEN_MISSING"}
		}
		return s
	})
}

// Sampled implements GetSampledRequests: up to max samples of the web
// ACL's metric in [start, end], newest first, and the number of matches
// in the window's minutes.
func (s *Samples) Sampled(acl, metric string, start, end time.Time, max int) ([]wafmodel.Sample, int64) {
	s.mu.Lock()
	ss := s.series[seriesKey{acl, metric}]
	s.mu.Unlock()
	if ss == nil {
		return nil, 0
	}
	var population int64
	from, to := start.Unix()/60, end.Unix()/60
	for i := range ss.minutes {
		c := &ss.minutes[i]
		if m := c.minute.Load(); m >= from && m <= to {
			population += c.n.Load()
		}
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var out []wafmodel.Sample
	n := len(ss.ring)
	for i := 0; i < n && len(out) < max; i++ {
		// Newest first: the ring's newest is just before next.
		smp := ss.ring[((ss.next-1-i)%n+n)%n]
		if ts := time.Time(smp.Timestamp); !ts.Before(start) && !ts.After(end) {
			out = append(out, smp)
		}
	}
	return out, population
}
