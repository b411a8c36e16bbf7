package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// ctEvents is `aws cloudtrail lookup-events` output.
type ctEvents struct {
	Events []struct {
		EventID, EventName, ReadOnly, AccessKeyID, EventTime, EventSource, Username, CloudTrailEvent string
		Resources                                                                                    []struct{ ResourceType, ResourceName string }
	} `json:"Events"`
	NextToken string `json:"NextToken"`
}

func (e ctEvents) names() string {
	var n []string
	for _, ev := range e.Events {
		n = append(n, ev.EventName)
	}
	return strings.Join(n, " ")
}

// TestAWSCLICloudTrail answers "who changed my API?" with the AWS CLI v2:
// changes made through apigateway are found with `aws cloudtrail
// lookup-events` by event name, by resource and by time, a page at a time
// (the CLI's own pagination, which refuses a token given twice), with the
// caller's access key and the change itself in the record; bad lookups
// are refused as CloudTrail refuses them.
func TestAWSCLICloudTrail(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	g := startClientGateway(t)
	t.Cleanup(func() { checkGatewayLog(t, g) })
	c := newCLI(t, g)
	ct := c.service("cloudtrail")
	akid, _ := readCredentials(t, g.CredFile)

	start := time.Now().Add(-time.Second).UTC().Format(time.RFC3339)
	var api cliRestAPI
	c.ok(&api, "create-rest-api", "--name", "orders")
	c.ok(nil, "update-rest-api", "--rest-api-id", api.ID, "--patch-operations", "op=replace,path=/description,value=v2 of the orders API")
	c.ok(nil, "get-rest-api", "--rest-api-id", api.ID)

	var byName ctEvents
	ct.ok(&byName, "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=UpdateRestApi")
	if len(byName.Events) != 1 {
		t.Fatalf("lookup-events by EventName: %+v", byName)
	}
	ev := byName.Events[0]
	if ev.ReadOnly != "false" || ev.AccessKeyID != akid || ev.Username != "root" || ev.EventSource != "apigateway.amazonaws.com" ||
		len(ev.Resources) != 1 || ev.Resources[0].ResourceType != "AWS::ApiGateway::RestApi" || ev.Resources[0].ResourceName != api.ID {
		t.Errorf("UpdateRestApi event: %+v", ev)
	}
	// The CLI prints EventTime in ISO 8601 with an offset.
	if at, err := time.Parse(time.RFC3339, ev.EventTime); err != nil || time.Since(at) > time.Minute {
		t.Errorf("EventTime %q: %v", ev.EventTime, err)
	}
	var rec struct {
		UserIdentity      struct{ Type, ARN, AccessKeyID string }
		UserAgent         string
		RequestParameters struct {
			RestAPIID string `json:"restApiId"`
			Input     struct {
				PatchOperations []struct{ Op, Path, Value string } `json:"patchOperations"`
			} `json:"updateRestApiInput"`
		}
	}
	if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.UserIdentity.Type != "Root" || rec.UserIdentity.ARN != "arn:aws:iam::000000000000:root" || rec.UserIdentity.AccessKeyID != akid ||
		!strings.HasPrefix(rec.UserAgent, "aws-cli/2.") || rec.RequestParameters.RestAPIID != api.ID ||
		len(rec.RequestParameters.Input.PatchOperations) != 1 || rec.RequestParameters.Input.PatchOperations[0].Value != "v2 of the orders API" {
		t.Errorf("UpdateRestApi record: %s", ev.CloudTrailEvent)
	}

	// Everything that touched the API, newest first; the writes only.
	var byAPI ctEvents
	ct.ok(&byAPI, "lookup-events", "--lookup-attributes", "AttributeKey=ResourceName,AttributeValue="+api.ID)
	if byAPI.names() != "GetRestApi UpdateRestApi CreateRestApi" {
		t.Errorf("lookup-events by ResourceName: %s", byAPI.names())
	}
	var writes ctEvents
	ct.ok(&writes, "lookup-events", "--lookup-attributes", "AttributeKey=ReadOnly,AttributeValue=false", "--start-time", start)
	if writes.names() != "UpdateRestApi CreateRestApi" {
		t.Errorf("lookup-events ReadOnly=false since the start: %s", writes.names())
	}

	// Pages of one: the CLI follows every token (and stops on a repeated one).
	var all, paged ctEvents
	ct.ok(&all, "lookup-events")
	ct.ok(&paged, "lookup-events", "--page-size", "1")
	if len(all.Events) < 3 || paged.names() != all.names() {
		t.Errorf("--page-size 1: %s, want %s", paged.names(), all.names())
	}
	var first, rest ctEvents
	ct.ok(&first, "lookup-events", "--max-items", "1")
	ct.ok(&rest, "lookup-events", "--starting-token", first.NextToken)
	if len(first.Events) != 1 || first.NextToken == "" || first.names()+" "+rest.names() != all.names() {
		t.Errorf("--max-items 1 then --starting-token: %s + %s, want %s", first.names(), rest.names(), all.names())
	}
	var future ctEvents
	ct.ok(&future, "lookup-events", "--start-time", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	if len(future.Events) != 0 {
		t.Errorf("events from an hour ahead: %s", future.names())
	}

	ct.fails("InvalidLookupAttributesException", "LookupEvents", "Only one lookup attribute is allowed.",
		"lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=A", "AttributeKey=Username,AttributeValue=root")
	ct.fails("InvalidMaxResultsException", "LookupEvents", "MaxResults must be between 1 and 50.", "lookup-events", "--max-results", "51")
	ct.fails("InvalidTimeRangeException", "LookupEvents", "The start time must not be after the end time.",
		"lookup-events", "--start-time", "2026-12-07T00:00:00Z", "--end-time", "2026-12-06T00:00:00Z")
}
