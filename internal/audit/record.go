package audit

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"time"
)

// Call is one authenticated management call, as the management server
// saw it once it had answered.
type Call struct {
	// Time is when the call arrived.
	Time time.Time
	// RequestID is the x-amzn-RequestId the caller was given.
	RequestID string
	// Service is the SigV4 signing name the call was verified for
	// ("apigateway", "lambda", "acm", "logs", "cloudtrail").
	Service string
	// Operation is the AWS operation the router matched.
	Operation string
	// Path is the request path (apigatewayv2 is told apart from apigateway
	// by its /v2/ prefix, Lambda's API versions are in it); PathParams are
	// the values of the route's labels, by label ("restapi_id").
	Path       string
	PathParams []Param
	Query      url.Values
	// Body is the request body; Response the answer's body, unless it was
	// longer than MaxResponse (ResponseTruncated).
	Body              []byte
	Response          []byte
	ResponseTruncated bool
	// Status is the HTTP status answered; ErrorCode and ErrorMessage are
	// set when the call failed.
	Status                  int
	ErrorCode, ErrorMessage string
	// AccessKeyID is the key that signed the call.
	AccessKeyID string
	SourceIP    string
	UserAgent   string
	// TLS describes the connection when the call came over TLS.
	TLS *TLSDetails
}

// Param is one path parameter.
type Param struct{ Name, Value string }

// MaxResponse bounds the response bytes a Call carries: a longer answer
// is recorded without its responseElements [U].
const MaxResponse = 256 << 10

// Record is a CloudTrail event record, the JSON that LookupEvents returns
// as CloudTrailEvent and that the JSON-lines output carries. Member order
// follows AWS's records.
type Record struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       UserIdentity    `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	EventCategory      string          `json:"eventCategory"`
	TLSDetails         *TLSDetails     `json:"tlsDetails,omitempty"`
}

// UserIdentity is the record's caller. The management key pair is the
// account's own, so callers are the account root
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
type UserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	AccessKeyID string `json:"accessKeyId"`
}

// TLSDetails is the record's description of a TLS connection.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

// Event is one LookupEvents result (CloudTrail's Event shape).
type Event struct {
	EventID         string     `json:"EventId"`
	EventName       string     `json:"EventName"`
	ReadOnly        string     `json:"ReadOnly"`
	AccessKeyID     string     `json:"AccessKeyId,omitempty"`
	EventTime       int64      `json:"EventTime"`
	EventSource     string     `json:"EventSource"`
	Username        string     `json:"Username"`
	Resources       []Resource `json:"Resources"`
	CloudTrailEvent string     `json:"CloudTrailEvent"`
}

// Resource is a resource an event names.
type Resource struct {
	ResourceType string `json:"ResourceType"`
	ResourceName string `json:"ResourceName"`
}

// Limits of a record's members
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html):
// the user agent, error code and message are cut at 1 KB, request
// parameters over 100 KB are not kept.
const (
	maxField      = 1 << 10
	maxParameters = 100 << 10
)

// eventVersion is the record format version of current records.
const eventVersion = "1.09"

// Identity says who the account is, for records.
type Identity struct {
	Region    string
	AccountID string
}

// Build turns a call into its event, or reports false for calls that are
// not recorded: data-plane style calls (Lambda Invoke, the CloudWatch Logs
// event calls, TestInvokeMethod) and LookupEvents itself.
func Build(c Call, id Identity, eventID string) (Event, Record, bool) {
	fam := familyOf(c)
	if c.Operation == "" || c.Operation == "Unknown" || notRecorded[fam.name+":"+c.Operation] {
		return Event{}, Record{}, false
	}
	name := fam.eventName(c)
	readOnly := isReadOnly(c.Operation)
	rec := Record{
		EventVersion: eventVersion,
		UserIdentity: UserIdentity{Type: "Root", PrincipalID: id.AccountID, ARN: "arn:aws:iam::" + id.AccountID + ":root",
			AccountID: id.AccountID, AccessKeyID: c.AccessKeyID},
		EventTime:          c.Time.UTC().Format(time.RFC3339),
		EventSource:        fam.source,
		EventName:          name,
		AWSRegion:          id.Region,
		SourceIPAddress:    c.SourceIP,
		UserAgent:          cut(c.UserAgent, maxField),
		ErrorCode:          cut(c.ErrorCode, maxField),
		ErrorMessage:       cut(c.ErrorMessage, maxField),
		RequestID:          c.RequestID,
		EventID:            eventID,
		ReadOnly:           readOnly,
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: id.AccountID,
		EventCategory:      "Management",
		TLSDetails:         c.TLS,
	}
	params, body := requestParameters(c, fam, name)
	rec.RequestParameters = encode(params, maxParameters)
	if rec.RequestParameters == nil && params != nil {
		// Over the limit: the path and query parameters only [U].
		p, _ := requestParameters(Call{PathParams: c.PathParams, Query: c.Query, Service: c.Service, Path: c.Path}, fam, name)
		rec.RequestParameters = encode(p, maxParameters)
	}
	var resp map[string]any
	if !readOnly && c.ErrorCode == "" && !c.ResponseTruncated {
		resp = decodeObject(c.Response)
		fam.redact(resp)
		rec.ResponseElements = encode(resp, -1)
	}
	if rec.RequestParameters == nil {
		rec.RequestParameters = json.RawMessage("null")
	}
	if rec.ResponseElements == nil {
		rec.ResponseElements = json.RawMessage("null")
	}
	ct, _ := json.Marshal(rec)
	ev := Event{
		EventID: eventID, EventName: name, ReadOnly: boolString(readOnly), AccessKeyID: c.AccessKeyID,
		EventTime: c.Time.Unix(), EventSource: fam.source, Username: "root",
		Resources:       fam.resources(c, body, resp, readOnly || c.ErrorCode != ""),
		CloudTrailEvent: string(ct),
	}
	return ev, rec, true
}

// notRecorded are the calls that make no event: API Gateway's test
// invocations ("CloudTrail captures all REST API calls for API Gateway
// service APIs ... except TestInvokeMethod and TestInvokeAuthorizer",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/cloudtrail.html),
// Lambda's Invoke (a data event), and the CloudWatch Logs calls that carry
// log events and LookupEvents, which read the trail [U: AWS's classes of
// those].
var notRecorded = map[string]bool{
	"apigateway:TestInvokeMethod":     true,
	"apigateway:TestInvokeAuthorizer": true,
	"lambda:Invoke":                   true,
	"lambda:InvokeAsync":              true,
	"lambda:InvokeWithResponseStream": true,
	"logs:PutLogEvents":               true,
	"logs:GetLogEvents":               true,
	"logs:FilterLogEvents":            true,
	"logs:StartLiveTail":              true,
	"cloudtrail:LookupEvents":         true,
}

// isReadOnly: calls that change nothing (Get, List, Describe, Lookup).
func isReadOnly(op string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Lookup", "Head"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// requestParameters builds the record's requestParameters and returns the
// decoded body too (nil when the body is not a JSON object or is not
// recorded).
func requestParameters(c Call, fam *family, eventName string) (map[string]any, map[string]any) {
	params := map[string]any{}
	for _, p := range c.PathParams {
		params[fam.member(p.Name)] = p.Value
	}
	for k, v := range c.Query {
		if len(v) == 1 {
			params[k] = v[0]
		} else if len(v) > 1 {
			params[k] = v
		}
	}
	var body map[string]any
	if !fam.documentBody[eventName] {
		body = decodeObject(c.Body)
	}
	if body != nil {
		fam.redact(body)
		if fam.wrapInput {
			params[lowerFirst(eventName)+"Input"] = body
		} else {
			for k, v := range body {
				if _, taken := params[k]; !taken {
					params[k] = v
				}
			}
		}
	}
	if len(params) == 0 {
		return nil, body
	}
	if fam.wrapInput {
		// API Gateway's records add "template": false [C: 2024 records].
		params["template"] = false
	}
	return params, body
}

// decodeObject decodes b when it is a JSON object, keeping numbers as
// written; anything else is nil.
func decodeObject(b []byte) map[string]any {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil {
		return nil
	}
	return m
}

// encode marshals v, or returns nil for nil maps and for encodings longer
// than limit (when limit >= 0).
func encode(v map[string]any, limit int) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil || (limit >= 0 && len(b) > limit) {
		return nil
	}
	return b
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
