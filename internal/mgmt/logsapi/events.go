package logsapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/logs"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// PutLogEvents limits [M]: 1–10,000 events, 1,048,576 bytes (messages
// plus 26 bytes each), a span of at most 24 hours.
const (
	maxPutEvents = 10000
	maxPutBytes  = 1048576
	maxPutSpan   = 24 * 3600 * 1000
	// maxEvents bounds a Get/Filter page (1–10,000, 10,000 by default);
	// maxPageBytes its size (1 MB) [M].
	maxEvents    = 10000
	maxPageBytes = 1 << 20
)

type inputEvent struct {
	Timestamp *int64  `json:"timestamp"`
	Message   *string `json:"message"`
}

func (a *API) putLogEvents(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName  *string      `json:"logGroupName"`
		LogStreamName *string      `json:"logStreamName"`
		LogEvents     []inputEvent `json:"logEvents"`
		SequenceToken *string      `json:"sequenceToken"` // ignored, as AWS now does
		Entity        any          `json:"entity"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := checkGroupName(in.LogGroupName, "logGroupName")
	if err != nil {
		return nil, err
	}
	stream, err := checkStreamName(in.LogStreamName, "logStreamName")
	if err != nil {
		return nil, err
	}
	var v awserr.Validation
	switch n := len(in.LogEvents); {
	case in.LogEvents == nil:
		v.Add("Value null at 'logEvents' failed to satisfy constraint: Member must not be null")
	case n == 0:
		v.Add("Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1")
	case n > maxPutEvents:
		v.Add("Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000")
	}
	events := make([]logs.Input, 0, len(in.LogEvents))
	size := 0
	for i, e := range in.LogEvents {
		at := "logEvents." + strconv.Itoa(i+1) + ".member"
		switch {
		case e.Timestamp == nil:
			v.Add("Value null at '" + at + ".timestamp' failed to satisfy constraint: Member must not be null")
		case *e.Timestamp < 0:
			v.Add("Value '" + strconv.FormatInt(*e.Timestamp, 10) + "' at '" + at + ".timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0")
		}
		switch {
		case e.Message == nil:
			v.Add("Value null at '" + at + ".message' failed to satisfy constraint: Member must not be null")
		case *e.Message == "":
			v.Add("Value '' at '" + at + ".message' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
		if e.Timestamp != nil && e.Message != nil {
			events = append(events, logs.Input{Timestamp: *e.Timestamp, Message: *e.Message})
			size += len(*e.Message) + 26
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if size > maxPutBytes {
		return nil, invalidParameter("Upload too large: " + strconv.Itoa(size) + " bytes exceeds limit of 1048576") // [U]
	}
	for i := 1; i < len(events); i++ {
		if events[i].Timestamp < events[i-1].Timestamp {
			return nil, invalidParameter("Log events in a single PutLogEvents request must be in chronological order.") // [V]
		}
	}
	if events[len(events)-1].Timestamp-events[0].Timestamp > maxPutSpan {
		return nil, invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.") // [U]
	}
	rej, err := a.store.Put(group, stream, events)
	if err != nil {
		return nil, storeError(err)
	}
	type rejected struct {
		TooNewStart *int `json:"tooNewLogEventStartIndex,omitempty"`
		TooOldEnd   *int `json:"tooOldLogEventEndIndex,omitempty"`
		ExpiredEnd  *int `json:"expiredLogEventEndIndex,omitempty"`
	}
	out := struct {
		// nextSequenceToken is deprecated, and still returned by AWS [V].
		NextSequenceToken string    `json:"nextSequenceToken"`
		Rejected          *rejected `json:"rejectedLogEventsInfo,omitempty"`
	}{NextSequenceToken: strings.Repeat("4", 56)}
	if rej.Any() {
		ix := func(i int) *int {
			if i < 0 {
				return nil
			}
			return &i
		}
		out.Rejected = &rejected{TooNewStart: ix(rej.TooNewStart), TooOldEnd: ix(rej.TooOldEnd), ExpiredEnd: ix(rej.ExpiredEnd)}
	}
	return out, nil
}

type outputEvent struct {
	LogStreamName string `json:"logStreamName,omitempty"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId,omitempty"`
}

func (a *API) getLogEvents(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName       *string `json:"logGroupName"`
		LogGroupIdentifier *string `json:"logGroupIdentifier"`
		LogStreamName      *string `json:"logStreamName"`
		StartTime          *int64  `json:"startTime"`
		EndTime            *int64  `json:"endTime"`
		NextToken          *string `json:"nextToken"`
		Limit              *int    `json:"limit"`
		StartFromHead      *bool   `json:"startFromHead"`
		Unmask             *bool   `json:"unmask"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := a.groupOf(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	stream, err := checkStreamName(in.LogStreamName, "logStreamName")
	if err != nil {
		return nil, err
	}
	n, err := limit(in.Limit, "limit", maxEvents, maxEvents)
	if err != nil {
		return nil, err
	}
	page, err := a.store.Get(logs.GetQuery{Group: group, Stream: stream, Start: in.StartTime, End: in.EndTime, Token: deref(in.NextToken),
		Limit: n, FromHead: in.StartFromHead != nil && *in.StartFromHead, MaxBytes: maxPageBytes})
	if err != nil {
		return nil, storeError(err)
	}
	out := struct {
		Events            []outputEvent `json:"events"`
		NextForwardToken  string        `json:"nextForwardToken"`
		NextBackwardToken string        `json:"nextBackwardToken"`
	}{Events: []outputEvent{}, NextForwardToken: page.NextForward, NextBackwardToken: page.NextBack}
	for _, e := range page.Events {
		out.Events = append(out.Events, outputEvent{Timestamp: e.Timestamp, Message: e.Message, IngestionTime: e.Ingestion})
	}
	return out, nil
}

func (a *API) filterLogEvents(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName        *string  `json:"logGroupName"`
		LogGroupIdentifier  *string  `json:"logGroupIdentifier"`
		LogStreamNames      []string `json:"logStreamNames"`
		LogStreamNamePrefix *string  `json:"logStreamNamePrefix"`
		StartTime           *int64   `json:"startTime"`
		EndTime             *int64   `json:"endTime"`
		FilterPattern       *string  `json:"filterPattern"`
		NextToken           *string  `json:"nextToken"`
		Limit               *int     `json:"limit"`
		Interleaved         *bool    `json:"interleaved"` // deprecated; `aws logs tail` sends true
		Unmask              *bool    `json:"unmask"`
		StartFromHead       *bool    `json:"startFromHead"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := a.groupOf(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != nil {
		return nil, invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.") // [M][U: text]
	}
	if len(in.LogStreamNames) > 100 {
		return nil, invalidParameter("1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	n, err := limit(in.Limit, "limit", maxEvents, maxEvents)
	if err != nil {
		return nil, err
	}
	text := deref(in.FilterPattern)
	if len(text) > 1024 {
		return nil, invalidParameter("1 validation error detected: Value at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to 1024")
	}
	pattern, err := logs.Compile(text)
	if err != nil {
		return nil, invalidParameter("Invalid filter pattern") // [U]
	}
	page, err := a.store.Filter(logs.FilterQuery{Group: group, Streams: in.LogStreamNames, Prefix: deref(in.LogStreamNamePrefix),
		Start: in.StartTime, End: in.EndTime, Pattern: pattern, PatternText: text, Token: deref(in.NextToken), Limit: n,
		MaxBytes: maxPageBytes, Descending: in.StartFromHead != nil && !*in.StartFromHead})
	if err != nil {
		return nil, storeError(err)
	}
	out := struct {
		Events             []outputEvent `json:"events"`
		SearchedLogStreams []any         `json:"searchedLogStreams"`
		NextToken          string        `json:"nextToken,omitempty"`
	}{Events: []outputEvent{}, SearchedLogStreams: []any{}, NextToken: page.Next}
	for _, e := range page.Events {
		out.Events = append(out.Events, outputEvent{LogStreamName: e.Stream, Timestamp: e.Timestamp, Message: e.Message,
			IngestionTime: e.Ingestion, EventID: e.EventID()})
	}
	return out, nil
}

// Describe-stream tokens: "s/" and the base64 of the next index and the
// query's fingerprint.
func encodeIndexToken(i int, fp string) string {
	sum := sha256.Sum256([]byte(fp))
	return "s/" + base64.RawURLEncoding.EncodeToString(append(sum[:6], []byte(strconv.Itoa(i))...))
}

func decodeIndexToken(tok, fp string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, "s/"))
	sum := sha256.Sum256([]byte(fp))
	if err != nil || !strings.HasPrefix(tok, "s/") || len(b) < 7 || string(b[:6]) != string(sum[:6]) {
		return 0, errInvalidToken
	}
	i, err := strconv.Atoi(string(b[6:]))
	if err != nil || i < 0 {
		return 0, errInvalidToken
	}
	return i, nil
}
