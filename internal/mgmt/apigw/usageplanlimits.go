package apigw

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/model"
)

// Usage plan validation. AWS's texts for these cases are not recorded; the
// messages are ours [U] and live here to be easy to change.
var (
	errUsagePlanName    = awserr.BadRequest("Invalid Usage Plan name specified")                              // [U]
	errBurstNegative    = awserr.BadRequest("Invalid throttle settings: burstLimit must not be negative")     // [U]
	errRateNegative     = awserr.BadRequest("Invalid throttle settings: rateLimit must not be negative")      // [U]
	errBurstWithoutRate = awserr.BadRequest("Invalid throttle settings: a burstLimit requires a rateLimit")   // [U]
	errQuotaLimit       = awserr.BadRequest("Invalid quota settings: limit must be greater than 0")           // [U]
	errQuotaOffset      = awserr.BadRequest("Invalid quota settings: offset must be between 0 and the limit") // [U]
	errQuotaPeriod      = awserr.BadRequest("Invalid quota settings: period must be one of DAY, WEEK, MONTH") // [U]
	errApiStageValue    = awserr.BadRequest("Invalid API Stage specified")                                    // [V]
)

// invalidApiStage is AWS's text for an API stage that does not exist (or
// is not in the plan) [V].
func invalidApiStage(apiID, stage, planID string) string {
	return fmt.Sprintf("Invalid API Stage {api: %s, stage: %s} specified for usageplan %s", apiID, stage, planID)
}

// checkPlanLimits validates a plan's throttles and quota as they stand
// after a create or a whole PATCH (operations may pass through states
// that are invalid on their own, such as a burst set before its rate).
func checkPlanLimits(p *model.UsagePlan) error {
	if p.Throttle != nil {
		if err := checkThrottle(*p.Throttle); err != nil {
			return err
		}
	}
	if q := p.Quota; q != nil {
		switch {
		case !in1(q.Period, model.QuotaPeriods):
			return errQuotaPeriod
		case q.Limit <= 0:
			return errQuotaLimit
		case q.Offset < 0 || q.Offset > q.Limit:
			return errQuotaOffset
		}
	}
	for _, st := range p.ApiStages {
		keys := make([]string, 0, len(st.Throttle))
		for k := range st.Throttle {
			keys = append(keys, k)
		}
		sort.Strings(keys) // report the first bad key deterministically
		for _, k := range keys {
			if err := checkMethodThrottleKey(k); err != nil {
				return err
			}
			if err := checkThrottle(st.Throttle[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkThrottle(t model.ThrottleSettings) error {
	switch {
	case t.BurstLimit < 0:
		return errBurstNegative
	case t.RateLimit < 0:
		return errRateNegative
	case t.BurstLimit > 0 && t.RateLimit == 0:
		return errBurstWithoutRate
	}
	return nil
}

// checkMethodThrottleKey checks a per-method throttle key:
// "{resourcePath}/{VERB}", the resource path starting with "/" ("/pets/GET",
// "//GET" for the root, "/*/*" for every method).
func checkMethodThrottleKey(k string) error {
	i := strings.LastIndexByte(k, '/')
	if i <= 0 || k[0] != '/' || !(in1(k[i+1:], model.HTTPMethods) || k[i+1:] == "*") {
		return awserr.BadRequest("Invalid method throttle key %s: must be {resourcePath}/{httpMethod}, such as /pets/GET", k) // [U]
	}
	return nil
}
