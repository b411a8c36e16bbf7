package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/faultstore"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

var testID = Identity{Region: "eu-west-1", AccountID: "123456789012"}

func record(t *testing.T, c Call) (Event, map[string]any) {
	t.Helper()
	if c.Time.IsZero() {
		c.Time = time.Date(2026, 12, 7, 10, 40, 58, 123e6, time.UTC)
	}
	ev, _, ok := Build(c, testID, "ev-1")
	if !ok {
		t.Fatalf("%s %s: not recorded", c.Service, c.Operation)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
		t.Fatal(err)
	}
	return ev, rec
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestRecordFields: the record's members for an apigateway write, as AWS's
// records have them [C: 2024 CreateStage record].
func TestRecordFields(t *testing.T) {
	ev, rec := record(t, Call{
		RequestID: "req-1", Service: "apigateway", Operation: "CreateStage", Path: "/restapis/a1/stages",
		PathParams: []Param{{"restapi_id", "a1"}}, Body: []byte(`{"stageName":"new","deploymentId":"d1","variables":{"pw":"hunter2"}}`),
		Response: []byte(`{"stageName":"new","deploymentId":"d1","variables":{"pw":"hunter2"},"cacheClusterEnabled":false}`),
		Status:   201, AccessKeyID: "AKIDEXAMPLE", SourceIP: "10.0.0.1", UserAgent: "aws-cli/2.9.19",
		TLS: &TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: "h"},
	})
	want := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{"type": "Root", "principalId": "123456789012", "arn": "arn:aws:iam::123456789012:root",
			"accountId": "123456789012", "accessKeyId": "AKIDEXAMPLE"},
		"eventTime": "2026-12-07T10:40:58Z", "eventSource": "apigateway.amazonaws.com", "eventName": "CreateStage",
		"awsRegion": "eu-west-1", "sourceIPAddress": "10.0.0.1", "userAgent": "aws-cli/2.9.19",
		"requestParameters": map[string]any{"restApiId": "a1", "template": false,
			"createStageInput": map[string]any{"stageName": "new", "deploymentId": "d1", "variables": "***"}},
		"responseElements": map[string]any{"stageName": "new", "deploymentId": "d1", "variables": "***", "cacheClusterEnabled": false},
		"requestID":        "req-1", "eventID": "ev-1", "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true,
		"recipientAccountId": "123456789012", "eventCategory": "Management",
		"tlsDetails": map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "h"},
	}
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("record:\n got %s\nwant %s", jsonOf(rec), jsonOf(want))
	}
	if ev.EventTime != 1796640058 || ev.ReadOnly != "false" || ev.Username != "root" || ev.AccessKeyID != "AKIDEXAMPLE" ||
		jsonOf(ev.Resources) != `[{"ResourceType":"AWS::ApiGateway::Stage","ResourceName":"new"},{"ResourceType":"AWS::ApiGateway::RestApi","ResourceName":"a1"}]` {
		t.Errorf("event: %+v", ev)
	}
	// Member order follows AWS's records.
	if !strings.HasPrefix(ev.CloudTrailEvent, `{"eventVersion":"1.09","userIdentity":{"type":"Root"`) {
		t.Errorf("record order: %s", ev.CloudTrailEvent)
	}
}

// TestEventNamesAndResources: names per family and the resources events
// list.
func TestEventNamesAndResources(t *testing.T) {
	for _, c := range []struct {
		call      Call
		name      string
		resources string
	}{
		{Call{Service: "apigateway", Operation: "CreateDeployment", Path: "/restapis/a1/deployments", PathParams: []Param{{"restapi_id", "a1"}},
			Body: []byte(`{"stageName":"dev"}`), Response: []byte(`{"id":"d9"}`)},
			"CreateDeployment", `[{"ResourceType":"AWS::ApiGateway::Deployment","ResourceName":"d9"},{"ResourceType":"AWS::ApiGateway::RestApi","ResourceName":"a1"},{"ResourceType":"AWS::ApiGateway::Stage","ResourceName":"dev"}]`},
		{Call{Service: "apigateway", Operation: "CreateRestApi", Path: "/restapis", Query: url.Values{"mode": {"import"}}, Body: []byte(`{"openapi":"3.0.1"}`), Response: []byte(`{"id":"a2"}`)},
			"ImportRestApi", `[{"ResourceType":"AWS::ApiGateway::RestApi","ResourceName":"a2"}]`},
		{Call{Service: "apigateway", Operation: "GetResource", Path: "/restapis/a1/resources/r1", PathParams: []Param{{"restapi_id", "a1"}, {"resource_id", "r1"}}},
			"GetResource", `[{"ResourceType":"AWS::ApiGateway::Resource","ResourceName":"r1"},{"ResourceType":"AWS::ApiGateway::RestApi","ResourceName":"a1"}]`},
		{Call{Service: "apigateway", Operation: "CreateStage", Path: "/v2/apis/x1/stages", PathParams: []Param{{"apiId", "x1"}}, Body: []byte(`{"stageName":"s"}`), Response: []byte(`{"stageName":"s"}`)},
			"CreateStage", `[{"ResourceType":"AWS::ApiGatewayV2::Stage","ResourceName":"s"},{"ResourceType":"AWS::ApiGatewayV2::Api","ResourceName":"x1"}]`},
		{Call{Service: "lambda", Operation: "CreateFunction", Path: "/2015-03-31/functions", Body: []byte(`{"FunctionName":"f"}`), Response: []byte(`{"FunctionName":"f"}`)},
			"CreateFunction20150331", `[{"ResourceType":"AWS::Lambda::Function","ResourceName":"f"}]`},
		{Call{Service: "lambda", Operation: "UpdateFunctionCode", Path: "/2015-03-31/functions/f/code", PathParams: []Param{{"FunctionName", "f"}}},
			"UpdateFunctionCode20150331v2", `[{"ResourceType":"AWS::Lambda::Function","ResourceName":"f"}]`},
		{Call{Service: "lambda", Operation: "PutFunctionConcurrency", Path: "/2017-10-31/functions/f/concurrency", PathParams: []Param{{"FunctionName", "f"}}},
			"PutFunctionConcurrency20171031", `[{"ResourceType":"AWS::Lambda::Function","ResourceName":"f"}]`},
		{Call{Service: "acm", Operation: "ImportCertificate", Body: []byte(`{"Certificate":"Y2VydA=="}`), Response: []byte(`{"CertificateArn":"arn:c"}`)},
			"ImportCertificate", `[{"ResourceType":"AWS::CertificateManager::Certificate","ResourceName":"arn:c"}]`},
		{Call{Service: "logs", Operation: "CreateLogStream", Body: []byte(`{"logGroupName":"g","logStreamName":"s"}`)},
			"CreateLogStream", ``},
		{Call{Service: "apigateway", Operation: "CreateRestApi", Path: "/restapis", Body: []byte(`{"name":"x"}`), ErrorCode: "BadRequestException"},
			"CreateRestApi", `[]`},
	} {
		ev, _ := record(t, c.call)
		got := jsonOf(ev.Resources)
		if c.resources == "" {
			// Order of body members is not defined: compare as sets.
			if len(ev.Resources) != 2 || !strings.Contains(got, `"AWS::Logs::LogGroup","ResourceName":"g"`) || !strings.Contains(got, `"AWS::Logs::LogStream","ResourceName":"s"`) {
				t.Errorf("%s resources: %s", c.name, got)
			}
		} else if got != c.resources {
			t.Errorf("%s resources:\n got %s\nwant %s", c.name, got, c.resources)
		}
		if ev.EventName != c.name {
			t.Errorf("%s %s: event name %q, want %q", c.call.Service, c.call.Operation, ev.EventName, c.name)
		}
	}
}

// TestNotRecorded: test invocations, Lambda invocations, the log-event
// calls and LookupEvents make no event.
func TestNotRecorded(t *testing.T) {
	for _, c := range []Call{
		{Service: "lambda", Operation: "Invoke", Path: "/2015-03-31/functions/f/invocations"},
		{Service: "apigateway", Operation: "TestInvokeMethod", Path: "/restapis/a/resources/r/methods/GET"},
		{Service: "logs", Operation: "PutLogEvents"}, {Service: "logs", Operation: "FilterLogEvents"}, {Service: "logs", Operation: "GetLogEvents"},
		{Service: "cloudtrail", Operation: "LookupEvents"}, {Service: "apigateway", Operation: "Unknown"},
	} {
		if _, _, ok := Build(c, testID, "x"); ok {
			t.Errorf("%s %s is recorded", c.Service, c.Operation)
		}
	}
}

// TestRedaction: every declared secret member becomes "***", in inputs
// and outputs; other members and non-secret patch values stay.
func TestRedaction(t *testing.T) {
	for _, c := range []struct {
		call       Call
		params     string // requestParameters, "" to skip
		response   string // responseElements, "" to skip
		notContain string
	}{
		{Call{Service: "apigateway", Operation: "CreateApiKey", Path: "/apikeys", Body: []byte(`{"name":"k","value":"s3cr3tv4lue-0123456789"}`),
			Response: []byte(`{"id":"k1","value":"s3cr3tv4lue-0123456789"}`)},
			`{"createApiKeyInput":{"name":"k","value":"***"},"template":false}`, `{"id":"k1","value":"***"}`, "s3cr3t"},
		{Call{Service: "apigateway", Operation: "CreateUsagePlanKey", Path: "/usageplans/p/keys", PathParams: []Param{{"usageplanId", "p"}},
			Body: []byte(`{"keyId":"k1","keyType":"API_KEY"}`), Response: []byte(`{"id":"k1","type":"API_KEY","value":"s3cr3tv4lue"}`)},
			"", `{"id":"k1","type":"API_KEY","value":"***"}`, "s3cr3t"},
		{Call{Service: "apigateway", Operation: "UpdateStage", Path: "/restapis/a/stages/s", PathParams: []Param{{"restapi_id", "a"}, {"stage_name", "s"}},
			Body: []byte(`{"patchOperations":[{"op":"replace","path":"/variables/pw","value":"s3cr3t"},{"op":"replace","path":"/canarySettings/stageVariableOverrides/pw","value":"s3cr3t"},{"op":"remove","path":"/variables/old"},{"op":"replace","path":"/description","value":"d"}]}`)},
			`{"restApiId":"a","stageName":"s","template":false,"updateStageInput":{"patchOperations":[{"op":"replace","path":"/variables/pw","value":"***"},{"op":"replace","path":"/canarySettings/stageVariableOverrides/pw","value":"***"},{"op":"remove","path":"/variables/old"},{"op":"replace","path":"/description","value":"d"}]}}`,
			"", "s3cr3t"},
		{Call{Service: "apigateway", Operation: "CreateDeployment", Path: "/restapis/a/deployments", PathParams: []Param{{"restapi_id", "a"}},
			Body: []byte(`{"stageName":"s","variables":{"pw":"s3cr3t"},"canarySettings":{"percentTraffic":5,"stageVariableOverrides":{"pw":"s3cr3t"}}}`)},
			`{"createDeploymentInput":{"canarySettings":{"percentTraffic":5,"stageVariableOverrides":"***"},"stageName":"s","variables":"***"},"restApiId":"a","template":false}`, "", "s3cr3t"},
		{Call{Service: "apigateway", Operation: "CreateDomainName", Path: "/domainnames", Body: []byte(`{"domainName":"d","certificateBody":"s3cr3t","certificatePrivateKey":"s3cr3t","certificateChain":"s3cr3t"}`), ErrorCode: "BadRequestException"},
			`{"createDomainNameInput":{"certificateBody":"***","certificateChain":"***","certificatePrivateKey":"***","domainName":"d"},"template":false}`, "", "s3cr3t"},
		{Call{Service: "apigateway", Operation: "CreateApiKey", Path: "/apikeys", Query: url.Values{"mode": {"import"}, "format": {"csv"}}, Body: []byte("name,key\nk,s3cr3t\n")},
			`{"format":"csv","mode":"import","template":false}`, "", "s3cr3t"},
		{Call{Service: "apigateway", Operation: "UpdateStage", Path: "/v2/apis/a/stages/s", PathParams: []Param{{"apiId", "a"}, {"stageName", "s"}},
			Body: []byte(`{"stageVariables":{"pw":"s3cr3t"}}`), Response: []byte(`{"stageName":"s","stageVariables":{"pw":"s3cr3t"}}`)},
			`{"apiId":"a","stageName":"s","stageVariables":"***"}`, `{"stageName":"s","stageVariables":"***"}`, "s3cr3t"},
		{Call{Service: "lambda", Operation: "CreateFunction", Path: "/2015-03-31/functions",
			Body:     []byte(`{"FunctionName":"f","Code":{"ZipFile":"UEsDBBQ="},"Environment":{"Variables":{"PW":"s3cr3t"}}}`),
			Response: []byte(`{"FunctionName":"f","Environment":{"Variables":{"PW":"s3cr3t"}}}`)},
			`{"Code":{"ZipFile":"***"},"Environment":{"Variables":"***"},"FunctionName":"f"}`, `{"Environment":{"Variables":"***"},"FunctionName":"f"}`, "s3cr3t"},
		{Call{Service: "lambda", Operation: "UpdateFunctionCode", Path: "/2015-03-31/functions/f/code", PathParams: []Param{{"FunctionName", "f"}},
			Body: []byte(`{"ZipFile":"UEsDBBQ=","Publish":true}`)},
			`{"Publish":true,"ZipFile":"***","functionName":"f"}`, "", "UEsDBBQ"},
		{Call{Service: "acm", Operation: "ImportCertificate", Body: []byte(`{"Certificate":"Y2VydA==","PrivateKey":"a2V5","CertificateChain":"Y2hhaW4="}`)},
			`{"Certificate":"***","CertificateChain":"***","PrivateKey":"***"}`, "", "a2V5"},
	} {
		ev, rec := record(t, c.call)
		name := c.call.Service + " " + ev.EventName
		if c.params != "" && jsonOf(rec["requestParameters"]) != c.params {
			t.Errorf("%s requestParameters:\n got %s\nwant %s", name, jsonOf(rec["requestParameters"]), c.params)
		}
		if c.response != "" && jsonOf(rec["responseElements"]) != c.response {
			t.Errorf("%s responseElements:\n got %s\nwant %s", name, jsonOf(rec["responseElements"]), c.response)
		}
		if strings.Contains(ev.CloudTrailEvent, c.notContain) || strings.Contains(jsonOf(ev.Resources), c.notContain) {
			t.Errorf("%s: the event holds %q: %s", name, c.notContain, ev.CloudTrailEvent)
		}
	}
	// Reads keep no response; a too-long answer is recorded without one.
	_, rec := record(t, Call{Service: "apigateway", Operation: "GetApiKey", Path: "/apikeys/k", Response: []byte(`{"value":"s3cr3t"}`)})
	if rec["responseElements"] != nil || rec["requestParameters"] != nil {
		t.Errorf("GetApiKey record: %v", rec)
	}
	_, rec = record(t, Call{Service: "apigateway", Operation: "CreateRestApi", Path: "/restapis", Body: []byte(`{"name":"x"}`), ResponseTruncated: true})
	if rec["responseElements"] != nil {
		t.Errorf("truncated answer recorded: %v", rec["responseElements"])
	}
	_, rec = record(t, Call{Service: "apigateway", Operation: "CreateRestApi", Path: "/restapis", Body: []byte(`{"name":"` + strings.Repeat("x", 120<<10) + `"}`)})
	if jsonOf(rec["requestParameters"]) != "null" {
		t.Errorf("over 100 KB of parameters: %.200s", jsonOf(rec["requestParameters"]))
	}
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestRetention: Sweep deletes the events older than the retention, with
// their index entries, and keeps the others.
func TestRetention(t *testing.T) {
	st := openStore(t)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var lines bytes.Buffer
	tr := New(Config{Store: st, Identity: testID, Retention: 48 * time.Hour, Now: clock, Lines: &lines})
	defer tr.Close()
	for i, age := range []time.Duration{72 * time.Hour, 49 * time.Hour, 47 * time.Hour, time.Minute} {
		tr.Record(Call{Time: now.Add(-age), Service: "apigateway", Operation: "CreateRestApi", Path: "/restapis",
			Body: []byte(`{"name":"n` + string(rune('0'+i)) + `"}`), Response: []byte(`{"id":"id` + string(rune('0'+i)) + `"}`)})
	}
	ctx := context.Background()
	n, err := tr.Sweep(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Sweep: %d %v, want 2", n, err)
	}
	page, err := tr.Lookup(ctx, Query{})
	if err != nil || len(page.Events) != 2 {
		t.Fatalf("after the sweep: %+v %v", page, err)
	}
	if r := page.Events[1].Resources; len(r) != 1 || r[0].ResourceName != "id2" {
		t.Errorf("kept: %+v", page.Events)
	}
	_ = st.View(ctx, func(r store.Reader) error {
		items, _ := r.List(ctx, "audit/a/ResourceName/", store.ListOptions{})
		if len(items) != 2 {
			t.Errorf("index entries left: %d, want 2", len(items))
		}
		return nil
	})
	if strings.Count(lines.String(), "\n") != 4 {
		t.Errorf("JSON lines: %q", lines.String())
	}
}

// TestRecordWithoutStore: a trail without a store writes lines only and
// looks up nothing.
func TestRecordWithoutStore(t *testing.T) {
	var lines bytes.Buffer
	tr := New(Config{Identity: testID, Lines: &lines})
	tr.Record(Call{Service: "apigateway", Operation: "GetRestApis", Path: "/restapis"})
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	var rec Record
	if err := json.Unmarshal(lines.Bytes(), &rec); err != nil || rec.EventName != "GetRestApis" || !rec.ReadOnly {
		t.Errorf("line %q: %v", lines.String(), err)
	}
	if p, err := tr.Lookup(context.Background(), Query{}); err != nil || len(p.Events) != 0 {
		t.Errorf("Lookup: %+v %v", p, err)
	}
	tr.Record(Call{Service: "apigateway", Operation: "GetRestApis", Path: "/restapis"})
	if tr.Dropped() != 1 {
		t.Errorf("a call after Close: dropped %d", tr.Dropped())
	}
}

// blockingStore is a store whose writes wait until released.
type blockingStore struct {
	store.Store
	release chan struct{}
}

func (b blockingStore) Update(ctx context.Context, fn func(store.Tx) error) (int64, error) {
	<-b.release
	return b.Store.Update(ctx, fn)
}

// TestStoreTrouble: a store that refuses writes loses the events (counted,
// the JSON lines still written); a slow one delays a call by Wait at most,
// and the event is stored once the store catches up.
func TestStoreTrouble(t *testing.T) {
	call := Call{Service: "apigateway", Operation: "CreateRestApi", Path: "/restapis", Body: []byte(`{"name":"x"}`), Response: []byte(`{"id":"a1"}`)}
	fs := faultstore.Wrap(openStore(t))
	fs.Fail(faultstore.Update, errors.New("disk full"))
	var lines bytes.Buffer
	tr := New(Config{Store: fs, Identity: testID, Lines: &lines})
	tr.Record(call)
	_ = tr.Close()
	if tr.Dropped() != 1 || strings.Count(lines.String(), "\n") != 1 {
		t.Errorf("refused write: dropped %d, lines %q", tr.Dropped(), lines.String())
	}

	slow := blockingStore{Store: openStore(t), release: make(chan struct{})}
	tr = New(Config{Store: slow, Identity: testID, Wait: 50 * time.Millisecond})
	defer tr.Close()
	done := make(chan struct{})
	go func() { tr.Record(call); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Record waited for a stuck store past its bound")
	}
	close(slow.release)
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, err := tr.Lookup(context.Background(), Query{})
		if err == nil && len(p.Events) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the event never reached the store: %+v %v", p, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
