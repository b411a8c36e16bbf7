// Package logsapi serves Tollgate's CloudWatch Logs stand-in (logs
// 2014-03-28, AWS JSON 1.1, SigV4 service "logs") on the management
// listener: the operations `aws logs tail [--follow]`, filter-log-events,
// get-log-events, describe-log-groups and describe-log-streams use, plus
// creating and deleting groups and streams, PutLogEvents, retention
// policies and tags. The groups hold what the gateway writes (access logs
// with a log group destination, execution logs, Lambda function output)
// beside what clients put; storage is internal/logs.
package logsapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/logs"
	"github.com/tollgate/tollgate/internal/mgmt/awsjson"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// SigningName is the SigV4 service name of CloudWatch Logs; TargetPrefix
// what X-Amz-Target holds before the operation name [M: botocore
// logs/2014-03-28 service-2.json].
const (
	SigningName  = "logs"
	TargetPrefix = "Logs_20140328"
)

// Config configures the operations.
type Config struct {
	Store     *logs.Store
	Region    string
	AccountID string
}

// API serves the Logs operations.
type API struct {
	store     *logs.Store
	region    string
	accountID string
}

// New returns the operations bound to cfg.
func New(cfg Config) *API {
	return &API{store: cfg.Store, region: cfg.Region, accountID: cfg.AccountID}
}

// Register adds every operation to rt.
func (a *API) Register(rt *restjson.Router) {
	awsjson.Service{TargetPrefix: TargetPrefix, SigningName: SigningName, Ops: map[string]awsjson.Handler{
		"CreateLogGroup":        a.createLogGroup,
		"DeleteLogGroup":        a.deleteLogGroup,
		"DescribeLogGroups":     a.describeLogGroups,
		"CreateLogStream":       a.createLogStream,
		"DeleteLogStream":       a.deleteLogStream,
		"DescribeLogStreams":    a.describeLogStreams,
		"PutLogEvents":          a.putLogEvents,
		"GetLogEvents":          a.getLogEvents,
		"FilterLogEvents":       a.filterLogEvents,
		"PutRetentionPolicy":    a.putRetentionPolicy,
		"DeleteRetentionPolicy": a.deleteRetentionPolicy,
		"TagLogGroup":           a.tagLogGroup,
		"UntagLogGroup":         a.untagLogGroup,
		"ListTagsLogGroup":      a.listTagsLogGroup,
		"TagResource":           a.tagResource,
		"UntagResource":         a.untagResource,
		"ListTagsForResource":   a.listTagsForResource,
	}}.Register(rt)
}

// Errors. Every Logs error is a 400 named after its model shape [M]; the
// texts marked [V] were recorded against AWS, the others are [U].

func errorOf(code, msg string) *awserr.Error {
	e := awserr.BadRequest("%s", msg)
	e.Code = code
	return e
}

func invalidParameter(msg string) *awserr.Error { return errorOf("InvalidParameterException", msg) }

var (
	errGroupNotFound  = errorOf("ResourceNotFoundException", "The specified log group does not exist.")      // [V]
	errStreamNotFound = errorOf("ResourceNotFoundException", "The specified log stream does not exist.")     // [V]
	errGroupExists    = errorOf("ResourceAlreadyExistsException", "The specified log group already exists")  // [V]
	errStreamExists   = errorOf("ResourceAlreadyExistsException", "The specified log stream already exists") // [V]
	errInvalidToken   = invalidParameter("The specified nextToken is invalid.")                              // [V]
)

// storeError maps the store's errors.
func storeError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, logs.ErrGroupNotFound):
		return errGroupNotFound
	case errors.Is(err, logs.ErrStreamNotFound):
		return errStreamNotFound
	case errors.Is(err, logs.ErrGroupExists):
		return errGroupExists
	case errors.Is(err, logs.ErrStreamExists):
		return errStreamExists
	case errors.Is(err, logs.ErrInvalidToken):
		return errInvalidToken
	case errors.Is(err, logs.ErrClosed):
		return awserr.New(http.StatusServiceUnavailable, "ServiceUnavailableException", "The service is shutting down.")
	}
	return err
}

// Name rules [M]: log group names are 1–512 of [.-_/#A-Za-z0-9]; stream
// names 1–512 without ":" or "*".
const maxName = 512

func validGroupName(s string) bool {
	if s == "" || len(s) > maxName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-/#", c) >= 0) {
			return false
		}
	}
	return true
}

// checkGroupName validates a logGroupName member.
func checkGroupName(name *string, at string) (string, error) {
	var v awserr.Validation
	switch {
	case name == nil:
		v.Add("Value null at '" + at + "' failed to satisfy constraint: Member must not be null")
	case len(*name) > maxName:
		return "", invalidParameter("Invalid LogGroup or LogStream, both must have length less than or equal to 512.") // [V]
	case *name == "":
		v.Add("Value '' at '" + at + "' failed to satisfy constraint: Member must have length greater than or equal to 1")
	case !validGroupName(*name):
		v.Pattern(*name, at, `[\.\-_/#A-Za-z0-9]+`)
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	return *name, nil
}

func checkStreamName(name *string, at string) (string, error) {
	var v awserr.Validation
	switch {
	case name == nil:
		v.Add("Value null at '" + at + "' failed to satisfy constraint: Member must not be null")
	case len(*name) > maxName:
		return "", invalidParameter("Invalid LogGroup or LogStream, both must have length less than or equal to 512.") // [V]
	case *name == "":
		v.Add("Value '' at '" + at + "' failed to satisfy constraint: Member must have length greater than or equal to 1")
	case strings.ContainsAny(*name, ":*"):
		v.Pattern(*name, at, `[^:*]*`)
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	return *name, nil
}

// groupOf resolves logGroupName or logGroupIdentifier (a name or a log
// group ARN, with or without ":*").
func (a *API) groupOf(name, identifier *string) (string, error) {
	switch {
	case name != nil && identifier != nil:
		return "", errorOf("ValidationException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.") // [V]
	case identifier != nil:
		id := *identifier
		if strings.HasPrefix(id, "arn:") {
			prefix := "arn:aws:logs:" + a.region + ":" + a.accountID + ":log-group:"
			if !strings.HasPrefix(id, prefix) {
				return "", errGroupNotFound
			}
			id = strings.TrimSuffix(strings.TrimPrefix(id, prefix), ":*")
		}
		return checkGroupName(&id, "logGroupIdentifier")
	}
	return checkGroupName(name, "logGroupName")
}

// GroupARN is a log group's ARN as LogGroup.logGroupArn has it (no ":*").
func (a *API) GroupARN(name string) string {
	return "arn:aws:logs:" + a.region + ":" + a.accountID + ":log-group:" + name
}

// limit checks a page size member against 1..max; nil is def.
func limit(v *int, at string, max, def int) (int, error) {
	if v == nil {
		return def, nil
	}
	switch {
	case *v < 1:
		return 0, invalidParameter("1 validation error detected: Value '" + strconv.Itoa(*v) + "' at '" + at +
			"' failed to satisfy constraint: Member must have value greater than or equal to 1")
	case *v > max:
		return 0, invalidParameter("1 validation error detected: Value '" + strconv.Itoa(*v) + "' at '" + at +
			"' failed to satisfy constraint: Member must have value less than or equal to " + strconv.Itoa(max)) // [V]
	}
	return *v, nil
}

func decode(r *restjson.Request, v any) error { return awsjson.Decode(r, v) }

// nothing is the answer of operations without output.
func nothing(err error) (any, error) { return nil, err }
