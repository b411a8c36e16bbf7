package wafapi

import (
	"context"
	"math"
	"time"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// sampleRetention is how far back GetSampledRequests looks: a window that
// starts earlier is moved to start then [M doc].
const sampleRetention = 3 * time.Hour

type sampledInput struct {
	WebAclArn      string `json:"WebAclArn"`
	RuleMetricName string `json:"RuleMetricName"`
	Scope          string `json:"Scope"`
	TimeWindow     *struct {
		StartTime *float64 `json:"StartTime"`
		EndTime   *float64 `json:"EndTime"`
	} `json:"TimeWindow"`
	MaxItems *int64 `json:"MaxItems"`
}

func epochTime(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

func (a *API) sampledRequests(ctx context.Context, r *restjson.Request) (any, error) {
	var in sampledInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.ARN(in.WebAclArn, "webAclArn")
	if in.RuleMetricName == "" {
		c.Null("ruleMetricName")
	} else {
		c.Length(in.RuleMetricName, "ruleMetricName", 1, 255)
	}
	c.Scope(in.Scope, "scope")
	switch {
	case in.TimeWindow == nil:
		c.Null("timeWindow")
	case in.TimeWindow.StartTime == nil:
		c.Null("timeWindow.startTime")
	case in.TimeWindow.EndTime == nil:
		c.Null("timeWindow.endTime")
	}
	if in.MaxItems == nil {
		c.Null("maxItems")
	} else {
		c.Range(*in.MaxItems, "maxItems", 1, 500)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	start, end := epochTime(*in.TimeWindow.StartTime), epochTime(*in.TimeWindow.EndTime)
	if end.Before(start) {
		return nil, wafmodel.InvalidParameter("EXPIRE_TIMESTAMP", "TimeWindow", wafmodel.ReasonNotAllowed) // [U]
	}
	if oldest := a.now().Add(-sampleRetention); start.Before(oldest) {
		start = oldest
	}
	var acl *wafmodel.WebACL
	err := a.store.View(ctx, func(rd store.Reader) error {
		var err error
		acl, err = a.loadACLByARN(ctx, rd, in.WebAclArn)
		return err
	})
	if err != nil {
		return nil, err
	}
	if acl.Scope != in.Scope {
		return nil, wafmodel.Nonexistent()
	}
	samples := []wafmodel.Sample{}
	var population int64
	if a.samples != nil {
		var got []wafmodel.Sample
		got, population = a.samples.Sampled(acl.ARN, in.RuleMetricName, start, end, int(*in.MaxItems))
		samples = append(samples, got...)
	}
	return map[string]any{
		"SampledRequests": samples,
		"PopulationSize":  population,
		"TimeWindow":      map[string]wafmodel.Epoch{"StartTime": wafmodel.Epoch(start), "EndTime": wafmodel.Epoch(end)},
	}, nil
}
