// Package cloudtrailapi serves CloudTrail's LookupEvents (cloudtrail
// 2013-11-01, AWS JSON 1.1, SigV4 service "cloudtrail") over Tollgate's
// audit trail, so that `aws cloudtrail lookup-events` and the SDKs' CloudTrail
// clients read who did what to the gateway. Events are those of this
// gateway's management calls only (internal/audit), newest first.
package cloudtrailapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/awsjson"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// SigningName is CloudTrail's SigV4 service name; TargetPrefix what
// X-Amz-Target holds before the operation name [M: botocore
// cloudtrail/2013-11-01 service-2.json], ShortPrefix what the JavaScript
// SDK sends instead (the Smithy service shape's name).
const (
	SigningName  = "cloudtrail"
	TargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
	ShortPrefix  = "CloudTrail_20131101"
)

// API serves LookupEvents from a trail.
type API struct {
	Trail *audit.Trail
}

// Register adds the operations to rt.
func (a *API) Register(rt *restjson.Router) {
	awsjson.Service{TargetPrefix: TargetPrefix, Aliases: []string{ShortPrefix}, SigningName: SigningName, Ops: map[string]awsjson.Handler{
		"LookupEvents": a.lookupEvents,
	}}.Register(rt)
}

type lookupInput struct {
	LookupAttributes []struct {
		AttributeKey   *string `json:"AttributeKey"`
		AttributeValue *string `json:"AttributeValue"`
	} `json:"LookupAttributes"`
	StartTime     *timestamp `json:"StartTime"`
	EndTime       *timestamp `json:"EndTime"`
	EventCategory *string    `json:"EventCategory"`
	MaxResults    *int       `json:"MaxResults"`
	NextToken     *string    `json:"NextToken"`
}

type lookupOutput struct {
	Events    []audit.Event `json:"Events"`
	NextToken string        `json:"NextToken,omitempty"`
}

// attributeKeys is the LookupAttributeKey enum [M].
var attributeKeys = []string{audit.AttrEventID, audit.AttrEventName, audit.AttrReadOnly, audit.AttrUsername,
	audit.AttrResourceType, audit.AttrResourceName, audit.AttrEventSource, audit.AttrAccessKeyID}

// Page size bounds [M]: MaxResults is 1–50, 50 by default.
const (
	maxResults     = 50
	maxAttrValue   = 2000
	insightsFilter = "insight"
)

// Errors: every LookupEvents error is a 400 named after its model shape
// [M]; AWS's message texts were not found in any recording [U].
func errorOf(code, msg string) *awserr.Error {
	e := awserr.BadRequest("%s", msg)
	e.Code = code
	return e
}

func (a *API) lookupEvents(ctx context.Context, r *restjson.Request) (any, error) {
	var in lookupInput
	if err := awsjson.Decode(r, &in); err != nil {
		return nil, err
	}
	var q audit.Query
	switch len(in.LookupAttributes) {
	case 0:
	case 1:
		at := in.LookupAttributes[0]
		if at.AttributeKey == nil || at.AttributeValue == nil {
			return nil, errorOf("InvalidLookupAttributesException", "A lookup attribute needs an AttributeKey and an AttributeValue.")
		}
		if !contains(attributeKeys, *at.AttributeKey) {
			return nil, errorOf("InvalidLookupAttributesException", "Invalid attribute key: "+*at.AttributeKey+". Valid keys: "+
				strings.Join(attributeKeys, ", ")+".")
		}
		v := *at.AttributeValue
		if v == "" || len(v) > maxAttrValue {
			return nil, errorOf("InvalidLookupAttributesException", "An attribute value must be 1 to 2000 characters long.")
		}
		if *at.AttributeKey == audit.AttrReadOnly && v != "true" && v != "false" {
			return nil, errorOf("InvalidLookupAttributesException", "The ReadOnly attribute value must be true or false.")
		}
		q.Attribute.Key, q.Attribute.Value = *at.AttributeKey, v
	default:
		return nil, errorOf("InvalidLookupAttributesException", "Only one lookup attribute is allowed.")
	}
	if in.StartTime != nil {
		t := time.Time(*in.StartTime)
		q.Start = &t
	}
	if in.EndTime != nil {
		t := time.Time(*in.EndTime)
		q.End = &t
	}
	if q.Start != nil && q.End != nil && q.Start.After(*q.End) {
		return nil, errorOf("InvalidTimeRangeException", "The start time must not be after the end time.")
	}
	q.Max = maxResults
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > maxResults {
			return nil, errorOf("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
		}
		q.Max = *in.MaxResults
	}
	if in.NextToken != nil {
		q.Token = *in.NextToken
	}
	if in.EventCategory != nil {
		if *in.EventCategory != insightsFilter {
			return nil, errorOf("InvalidEventCategoryException", "Invalid event category: "+*in.EventCategory+". Valid value: insight.")
		}
		// The trail holds management events only.
		return lookupOutput{Events: []audit.Event{}}, nil
	}
	page, err := a.Trail.Lookup(ctx, q)
	if errors.Is(err, audit.ErrInvalidToken) {
		return nil, errorOf("InvalidNextTokenException", "Invalid NextToken: it must come from a call with the same parameters.")
	}
	if err != nil {
		return nil, err
	}
	return lookupOutput{Events: page.Events, NextToken: page.Next}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// timestamp is a JSON 1.1 timestamp member: epoch seconds, with a
// fraction or not, as botocore and the SDKs send them [M]; an ISO 8601
// string is accepted too.
type timestamp time.Time

func (t *timestamp) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		if v, err := time.Parse(time.RFC3339Nano, str); err == nil {
			*t = timestamp(v)
			return nil
		}
		s = str
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return fmt.Errorf("invalid timestamp %s", s)
	}
	sec, frac := math.Modf(f)
	*t = timestamp(time.Unix(int64(sec), int64(frac*1e9)).UTC())
	return nil
}
