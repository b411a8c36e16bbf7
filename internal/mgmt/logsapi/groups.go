package logsapi

import (
	"context"
	"encoding/base64"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/logs"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// logGroup is the LogGroup shape [V: AWS's DescribeLogGroups].
type logGroup struct {
	LogGroupName              string `json:"logGroupName"`
	CreationTime              int64  `json:"creationTime"`
	RetentionInDays           *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount         int    `json:"metricFilterCount"`
	ARN                       string `json:"arn"`
	StoredBytes               int64  `json:"storedBytes"`
	LogGroupClass             string `json:"logGroupClass"`
	LogGroupARN               string `json:"logGroupArn"`
	DeletionProtectionEnabled bool   `json:"deletionProtectionEnabled"`
}

// logStream is the LogStream shape [V]; storedBytes is always 0 [M].
type logStream struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	ARN                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

func (a *API) groupShape(g logs.GroupInfo) logGroup {
	out := logGroup{LogGroupName: g.Name, CreationTime: g.CreationTime, ARN: a.GroupARN(g.Name) + ":*", StoredBytes: g.StoredBytes,
		LogGroupClass: "STANDARD", LogGroupARN: a.GroupARN(g.Name)}
	if g.RetentionInDays > 0 {
		d := g.RetentionInDays
		out.RetentionInDays = &d
	}
	return out
}

// groupClasses is the LogGroupClass enum [M].
var groupClasses = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}

// Tag limits [M]: 1–50 tags, keys 1–128, values 0–256.
const (
	maxTags     = 50
	maxTagKey   = 128
	maxTagValue = 256
)

func checkTags(tags map[string]string, at string) error {
	if len(tags) > maxTags {
		return invalidParameter("A resource can have at most 50 tags.") // [U]
	}
	var v awserr.Validation
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case k == "" || len(k) > maxTagKey:
			v.Add("Value '" + k + "' at '" + at + "' failed to satisfy constraint: Map keys must have length between 1 and 128")
		case strings.HasPrefix(k, "aws:"):
			return invalidParameter("Tag keys cannot start with the reserved prefix aws:") // [U]
		case len(tags[k]) > maxTagValue:
			v.Add("Value at '" + at + "' failed to satisfy constraint: Map values must have length less than or equal to 256")
		}
	}
	return v.Err()
}

func (a *API) createLogGroup(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName              *string           `json:"logGroupName"`
		KmsKeyID                  *string           `json:"kmsKeyId"`
		Tags                      map[string]string `json:"tags"`
		LogGroupClass             *string           `json:"logGroupClass"`
		DeletionProtectionEnabled *bool             `json:"deletionProtectionEnabled"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	name, err := checkGroupName(in.LogGroupName, "logGroupName")
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(name, "aws/") {
		// "Log group names can't start with the string aws/" [D].
		return nil, invalidParameter("Log group names can't start with aws/.") // [U: text]
	}
	if c := in.LogGroupClass; c != nil && !contains(groupClasses, *c) {
		var v awserr.Validation
		v.Enum(*c, "logGroupClass", groupClasses)
		return nil, v.Err()
	}
	if err := checkTags(in.Tags, "tags"); err != nil {
		return nil, err
	}
	return nothing(storeError(a.store.CreateGroup(name, in.Tags)))
}

func (a *API) deleteLogGroup(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName *string `json:"logGroupName"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	name, err := checkGroupName(in.LogGroupName, "logGroupName")
	if err != nil {
		return nil, err
	}
	return nothing(storeError(a.store.DeleteGroup(name)))
}

// Describe pages hold at most 50 items [M].
const maxDescribe = 50

func (a *API) describeLogGroups(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupNamePrefix    *string  `json:"logGroupNamePrefix"`
		LogGroupNamePattern   *string  `json:"logGroupNamePattern"`
		NextToken             *string  `json:"nextToken"`
		Limit                 *int     `json:"limit"`
		IncludeLinkedAccounts *bool    `json:"includeLinkedAccounts"`
		AccountIdentifiers    []string `json:"accountIdentifiers"`
		LogGroupClass         *string  `json:"logGroupClass"`
		LogGroupIdentifiers   []string `json:"logGroupIdentifiers"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, invalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.") // [V]
	}
	n, err := limit(in.Limit, "limit", maxDescribe, maxDescribe)
	if err != nil {
		return nil, err
	}
	prefix, pattern, after := deref(in.LogGroupNamePrefix), deref(in.LogGroupNamePattern), ""
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(*in.NextToken, "g/"))
		if err != nil || !strings.HasPrefix(*in.NextToken, "g/") || !strings.HasPrefix(string(b), prefix) {
			return nil, errInvalidToken
		}
		after = string(b)
	}
	groups, more := a.store.Groups(prefix, pattern, after, n)
	out := struct {
		LogGroups []logGroup `json:"logGroups"`
		NextToken string     `json:"nextToken,omitempty"`
	}{LogGroups: []logGroup{}}
	for _, g := range groups {
		if in.LogGroupClass != nil && *in.LogGroupClass != "STANDARD" {
			continue
		}
		if len(in.LogGroupIdentifiers) > 0 && !contains(in.LogGroupIdentifiers, g.Name) && !contains(in.LogGroupIdentifiers, a.GroupARN(g.Name)) {
			continue
		}
		out.LogGroups = append(out.LogGroups, a.groupShape(g))
	}
	if more {
		out.NextToken = "g/" + base64.RawURLEncoding.EncodeToString([]byte(groups[len(groups)-1].Name))
	}
	return out, nil
}

// decodeStream reads and checks the logGroupName and logStreamName of a
// request that names one stream.
func decodeStream(r *restjson.Request) (group, stream string, err error) {
	var in struct {
		LogGroupName  *string `json:"logGroupName"`
		LogStreamName *string `json:"logStreamName"`
	}
	if err := decode(r, &in); err != nil {
		return "", "", err
	}
	if group, err = checkGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return "", "", err
	}
	if stream, err = checkStreamName(in.LogStreamName, "logStreamName"); err != nil {
		return "", "", err
	}
	return group, stream, nil
}

func (a *API) createLogStream(_ context.Context, r *restjson.Request) (any, error) {
	group, stream, err := decodeStream(r)
	if err != nil {
		return nil, err
	}
	return nothing(storeError(a.store.CreateStream(group, stream)))
}

func (a *API) deleteLogStream(_ context.Context, r *restjson.Request) (any, error) {
	group, stream, err := decodeStream(r)
	if err != nil {
		return nil, err
	}
	return nothing(storeError(a.store.DeleteStream(group, stream)))
}

// streamOrders is the OrderBy enum [M].
var streamOrders = []string{"LogStreamName", "LastEventTime"}

func (a *API) describeLogStreams(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName        *string `json:"logGroupName"`
		LogGroupIdentifier  *string `json:"logGroupIdentifier"`
		LogStreamNamePrefix *string `json:"logStreamNamePrefix"`
		OrderBy             *string `json:"orderBy"`
		Descending          *bool   `json:"descending"`
		NextToken           *string `json:"nextToken"`
		Limit               *int    `json:"limit"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := a.groupOf(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	order := logs.ByName
	if in.OrderBy != nil {
		switch *in.OrderBy {
		case "LogStreamName":
		case "LastEventTime":
			if in.LogStreamNamePrefix != nil {
				return nil, invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.") // [M][U: text]
			}
			order = logs.ByLastEvent
		default:
			var v awserr.Validation
			v.Enum(*in.OrderBy, "orderBy", streamOrders)
			return nil, v.Err()
		}
	}
	n, err := limit(in.Limit, "limit", maxDescribe, maxDescribe)
	if err != nil {
		return nil, err
	}
	desc := in.Descending != nil && *in.Descending
	fp := group + "\x00" + deref(in.LogStreamNamePrefix) + "\x00" + deref(in.OrderBy) + "\x00" + strconv.FormatBool(desc)
	from := 0
	if in.NextToken != nil {
		if from, err = decodeIndexToken(*in.NextToken, fp); err != nil {
			return nil, err
		}
	}
	streams, next, err := a.store.Streams(group, deref(in.LogStreamNamePrefix), order, desc, from, n)
	if err != nil {
		return nil, storeError(err)
	}
	out := struct {
		LogStreams []logStream `json:"logStreams"`
		NextToken  string      `json:"nextToken,omitempty"`
	}{LogStreams: []logStream{}}
	for _, st := range streams {
		ls := logStream{LogStreamName: st.Name, CreationTime: st.CreationTime, ARN: a.GroupARN(group) + ":log-stream:" + st.Name}
		if st.LastIngest > 0 {
			first, last, ingest := st.FirstEvent, st.LastEvent, st.LastIngest
			ls.FirstEventTimestamp, ls.LastEventTimestamp, ls.LastIngestionTime = &first, &last, &ingest
		}
		out.LogStreams = append(out.LogStreams, ls)
	}
	if next >= 0 {
		out.NextToken = encodeIndexToken(next, fp)
	}
	return out, nil
}

func (a *API) putRetentionPolicy(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName    *string `json:"logGroupName"`
		RetentionInDays *int    `json:"retentionInDays"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := checkGroupName(in.LogGroupName, "logGroupName")
	if err != nil {
		return nil, err
	}
	if in.RetentionInDays == nil || !containsInt(RetentionDays, *in.RetentionInDays) {
		v := "null"
		if in.RetentionInDays != nil {
			v = strconv.Itoa(*in.RetentionInDays)
		}
		allowed := make([]string, len(RetentionDays))
		for i, d := range RetentionDays {
			allowed[i] = strconv.Itoa(d)
		}
		return nil, invalidParameter("1 validation error detected: Value '" + v + "' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [" +
			strings.Join(allowed, ", ") + "]") // [U: code and text]
	}
	return nothing(storeError(a.store.SetRetention(group, *in.RetentionInDays)))
}

// RetentionDays are the retentions a log group may have [M].
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func (a *API) deleteRetentionPolicy(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName *string `json:"logGroupName"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := checkGroupName(in.LogGroupName, "logGroupName")
	if err != nil {
		return nil, err
	}
	return nothing(storeError(a.store.SetRetention(group, 0)))
}

// Tags: the older TagLogGroup family names the group, the newer
// TagResource family its ARN.

func (a *API) tagLogGroup(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName *string           `json:"logGroupName"`
		Tags         map[string]string `json:"tags"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := checkGroupName(in.LogGroupName, "logGroupName")
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags, "tags"); err != nil {
		return nil, err
	}
	return nothing(storeError(a.store.Tag(group, in.Tags, nil)))
}

func (a *API) untagLogGroup(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName *string  `json:"logGroupName"`
		Tags         []string `json:"tags"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := checkGroupName(in.LogGroupName, "logGroupName")
	if err != nil {
		return nil, err
	}
	return nothing(storeError(a.store.Tag(group, nil, in.Tags)))
}

func (a *API) listTagsLogGroup(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		LogGroupName *string `json:"logGroupName"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := checkGroupName(in.LogGroupName, "logGroupName")
	if err != nil {
		return nil, err
	}
	g, err := a.store.Group(group)
	if err != nil {
		return nil, storeError(err)
	}
	return map[string]map[string]string{"tags": g.Tags}, nil
}

// groupOfARN resolves a TagResource ARN (log groups only).
func (a *API) groupOfARN(arn *string) (string, error) {
	if arn == nil {
		var v awserr.Validation
		v.Add("Value null at 'resourceArn' failed to satisfy constraint: Member must not be null")
		return "", v.Err()
	}
	prefix := a.GroupARN("")
	name, ok := strings.CutPrefix(*arn, prefix)
	if !ok || !validGroupName(strings.TrimSuffix(name, ":*")) {
		return "", errorOf("ResourceNotFoundException", "The specified resource does not exist.") // [U]
	}
	return strings.TrimSuffix(name, ":*"), nil
}

func (a *API) tagResource(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		ResourceARN *string           `json:"resourceArn"`
		Tags        map[string]string `json:"tags"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := a.groupOfARN(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags, "tags"); err != nil {
		return nil, err
	}
	return nothing(storeError(a.store.Tag(group, in.Tags, nil)))
}

func (a *API) untagResource(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		ResourceARN *string  `json:"resourceArn"`
		TagKeys     []string `json:"tagKeys"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := a.groupOfARN(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return nothing(storeError(a.store.Tag(group, nil, in.TagKeys)))
}

func (a *API) listTagsForResource(_ context.Context, r *restjson.Request) (any, error) {
	var in struct {
		ResourceARN *string `json:"resourceArn"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	group, err := a.groupOfARN(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	g, err := a.store.Group(group)
	if err != nil {
		return nil, storeError(err)
	}
	return map[string]map[string]string{"tags": g.Tags}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}
