package mgmt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/cloudtrailapi"
	"github.com/tollgate/tollgate/internal/sigv4"
)

// auditHarness is a management server with an audit trail and LookupEvents.
type auditHarness struct {
	t     *testing.T
	url   string
	lines *bytes.Buffer
}

func newAuditHarness(t *testing.T) *auditHarness {
	t.Helper()
	services, st := newTestAPI(t, "000000000000")
	var lines bytes.Buffer
	trail := audit.New(audit.Config{Store: st, Identity: audit.Identity{Region: "us-east-1", AccountID: "000000000000"}, Lines: &lines})
	t.Cleanup(func() { _ = trail.Close() })
	srv := mgmt.New(mgmt.Config{
		Auth: mgmt.SigV4{Verifier: &sigv4.Verifier{Region: sockRegion, Credentials: sigv4.CredentialsFunc(func(id string) (string, bool) {
			return sockSecret, id == sockAKID
		})}},
		Services: append(services, &cloudtrailapi.API{Trail: trail}),
		Audit:    trail,
		Logger:   slog.New(slog.DiscardHandler),
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &auditHarness{t: t, url: ts.URL, lines: &lines}
}

// call sends a signed request (JSON 1.1 when target is set) and returns the answer.
func (h *auditHarness) call(method, path, target, service, body string, hdr ...string) answer {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if target != "" {
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), sockCreds(), req, sha256Hex([]byte(body)), service, sockRegion, time.Now()); err != nil {
		h.t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return readAnswer(h.t, res)
}

type lookupAnswer struct {
	Events []struct {
		EventID, EventName, ReadOnly, AccessKeyID, EventSource, Username, CloudTrailEvent string
		EventTime                                                                         float64
		Resources                                                                         []audit.Resource
	}
	NextToken string
	Type      string `json:"__type"`
}

func (h *auditHarness) lookup(body string) (int, lookupAnswer) {
	h.t.Helper()
	a := h.call("POST", "/", cloudtrailapi.TargetPrefix+".LookupEvents", "cloudtrail", body)
	var out lookupAnswer
	if err := json.Unmarshal([]byte(a.Body), &out); err != nil {
		h.t.Fatalf("LookupEvents answer %q: %v", a.Body, err)
	}
	return a.Status, out
}

// TestAuditMiddleware: every authenticated call is an event as soon as it
// is answered (successes and refusals, with the request id the caller got,
// the caller's key, address and user agent); calls whose signature fails
// are not; LookupEvents is not an event of its own.
func TestAuditMiddleware(t *testing.T) {
	h := newAuditHarness(t)
	created := h.call("POST", "/restapis", "", "apigateway", `{"name":"pets"}`, "User-Agent", "test-agent/1.0")
	if created.Status != 201 {
		t.Fatalf("CreateRestApi: %d %s", created.Status, created.Body)
	}
	var api struct{ ID string }
	_ = json.Unmarshal([]byte(created.Body), &api)
	refused := h.call("GET", "/restapis/nosuchapi0", "", "apigateway", "")
	if refused.Status != 404 {
		t.Fatalf("GetRestApi of a missing API: %d", refused.Status)
	}
	// Signed for the wrong service: refused before any caller is known.
	if a := h.call("GET", "/restapis", "", "lambda", ""); a.Status != 403 {
		t.Fatalf("wrongly signed: %d", a.Status)
	}

	status, out := h.lookup(`{}`)
	if status != 200 || len(out.Events) != 2 {
		t.Fatalf("LookupEvents: %d %+v", status, out)
	}
	get, create := out.Events[0], out.Events[1]
	if get.EventName != "GetRestApi" || get.ReadOnly != "true" || create.EventName != "CreateRestApi" || create.ReadOnly != "false" ||
		create.Username != "root" || create.AccessKeyID != sockAKID || create.EventSource != "apigateway.amazonaws.com" {
		t.Errorf("events: %+v", out.Events)
	}
	if len(create.Resources) != 1 || create.Resources[0] != (audit.Resource{ResourceType: "AWS::ApiGateway::RestApi", ResourceName: api.ID}) {
		t.Errorf("CreateRestApi resources: %+v", create.Resources)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(create.CloudTrailEvent), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["requestID"] != created.Header.Get("x-amzn-RequestId") || rec["userAgent"] != "test-agent/1.0" || rec["sourceIPAddress"] != "127.0.0.1" ||
		rec["eventID"] != create.EventID || rec["eventType"] != "AwsApiCall" || rec["recipientAccountId"] != "000000000000" {
		t.Errorf("CreateRestApi record: %v", rec)
	}
	params, _ := rec["requestParameters"].(map[string]any)
	input, _ := params["createRestApiInput"].(map[string]any)
	if input["name"] != "pets" || params["template"] != false {
		t.Errorf("CreateRestApi requestParameters: %v", rec["requestParameters"])
	}
	if resp, _ := rec["responseElements"].(map[string]any); resp["id"] != api.ID {
		t.Errorf("CreateRestApi responseElements: %v", rec["responseElements"])
	}
	_ = json.Unmarshal([]byte(get.CloudTrailEvent), &rec)
	if rec["errorCode"] != "NotFoundException" || rec["errorMessage"] == "" || rec["responseElements"] != nil ||
		rec["requestID"] != refused.Header.Get("x-amzn-RequestId") {
		t.Errorf("refused GetRestApi record: %v", rec)
	}
	if n := strings.Count(h.lines.String(), "\n"); n != 2 {
		t.Errorf("JSON lines: %d, want 2:\n%s", n, h.lines.String())
	}
}

// TestLookupEventsErrors: LookupEvents' parameter errors, each a 400 named
// after its model shape.
func TestLookupEventsErrors(t *testing.T) {
	h := newAuditHarness(t)
	for _, c := range []struct{ body, want string }{
		{`{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"A"},{"AttributeKey":"EventName","AttributeValue":"B"}]}`, "InvalidLookupAttributesException"},
		{`{"LookupAttributes":[{"AttributeKey":"Region","AttributeValue":"A"}]}`, "InvalidLookupAttributesException"},
		{`{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":""}]}`, "InvalidLookupAttributesException"},
		{`{"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"yes"}]}`, "InvalidLookupAttributesException"},
		{`{"LookupAttributes":[{"AttributeKey":"EventName"}]}`, "InvalidLookupAttributesException"},
		{`{"MaxResults":0}`, "InvalidMaxResultsException"},
		{`{"MaxResults":51}`, "InvalidMaxResultsException"},
		{`{"StartTime":1765071000,"EndTime":1765070000}`, "InvalidTimeRangeException"},
		{`{"EventCategory":"data"}`, "InvalidEventCategoryException"},
		{`{"NextToken":"nonsense"}`, "InvalidNextTokenException"},
		{`{"StartTime":"yesterday"}`, "SerializationException"},
		{`{"MaxResults":"5"}`, "SerializationException"},
	} {
		status, out := h.lookup(c.body)
		if status != 400 || out.Type != c.want {
			t.Errorf("%s: %d %q, want 400 %s", c.body, status, out.Type, c.want)
		}
	}
	if status, out := h.lookup(`{"EventCategory":"insight"}`); status != 200 || out.Events == nil || len(out.Events) != 0 {
		t.Errorf("insight events: %d %+v", status, out)
	}
	// The JavaScript SDK's target: the service shape's name alone.
	if a := h.call("POST", "/", cloudtrailapi.ShortPrefix+".LookupEvents", "cloudtrail", `{}`); a.Status != 200 || a.Body != `{"Events":[]}` {
		t.Errorf("%s.LookupEvents: %d %s", cloudtrailapi.ShortPrefix, a.Status, a.Body)
	}
}

// TestLookupEventsPages: pages follow one another newest first with a
// distinct token each, the last without a token; a token is refused with
// other parameters; attributes and time ranges select.
func TestLookupEventsPages(t *testing.T) {
	h := newAuditHarness(t)
	for i := 0; i < 5; i++ {
		if a := h.call("POST", "/restapis", "", "apigateway", `{"name":"api`+string(rune('0'+i))+`"}`); a.Status != 201 {
			t.Fatal(a.Body)
		}
	}
	h.call("GET", "/restapis", "", "apigateway", "")
	var names []string
	tokens := map[string]bool{}
	body := `{"MaxResults":2}`
	for {
		status, out := h.lookup(body)
		if status != 200 {
			t.Fatalf("page: %d", status)
		}
		for _, e := range out.Events {
			var rec struct {
				RequestParameters struct {
					In struct{ Name string } `json:"createRestApiInput"`
				} `json:"requestParameters"`
			}
			_ = json.Unmarshal([]byte(e.CloudTrailEvent), &rec)
			names = append(names, e.EventName+":"+rec.RequestParameters.In.Name)
		}
		if out.NextToken == "" {
			break
		}
		if tokens[out.NextToken] {
			t.Fatalf("token %q given twice", out.NextToken)
		}
		tokens[out.NextToken] = true
		body = `{"MaxResults":2,"NextToken":"` + out.NextToken + `"}`
	}
	want := "GetRestApis: CreateRestApi:api4 CreateRestApi:api3 CreateRestApi:api2 CreateRestApi:api1 CreateRestApi:api0"
	if strings.Join(names, " ") != want {
		t.Errorf("pages: %v\nwant %s", names, want)
	}
	if len(tokens) != 2 {
		t.Errorf("tokens: %d, want 2", len(tokens))
	}
	_, first := h.lookup(`{"MaxResults":2}`)
	if status, out := h.lookup(`{"MaxResults":2,"NextToken":"` + first.NextToken + `","LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"true"}]}`); status != 400 ||
		out.Type != "InvalidNextTokenException" {
		t.Errorf("token with other parameters: %d %q", status, out.Type)
	}
	if _, out := h.lookup(`{"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"true"}]}`); len(out.Events) != 1 || out.Events[0].EventName != "GetRestApis" {
		t.Errorf("ReadOnly=true: %+v", out.Events)
	}
	if _, out := h.lookup(`{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateRestApi"}],"MaxResults":3}`); len(out.Events) != 3 || out.NextToken == "" {
		t.Errorf("EventName=CreateRestApi page: %+v", out)
	}
	now := time.Now().Unix()
	if _, out := h.lookup(`{"StartTime":` + itoa64(now-60) + `,"EndTime":` + itoa64(now+1) + `}`); len(out.Events) != 6 {
		t.Errorf("the last minute: %d events", len(out.Events))
	}
	if _, out := h.lookup(`{"EndTime":` + itoa64(now-60) + `}`); len(out.Events) != 0 {
		t.Errorf("before a minute ago: %d events", len(out.Events))
	}
	if _, out := h.lookup(`{"StartTime":"` + time.Now().Add(time.Minute).UTC().Format(time.RFC3339) + `"}`); len(out.Events) != 0 {
		t.Errorf("from a minute ahead (ISO 8601): %d events", len(out.Events))
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
