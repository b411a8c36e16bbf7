package apigwv2

import (
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/gateway/cors"
	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// sameRefusal checks that the management API refuses exactly what the data
// plane's validator refuses, as a BadRequestException with its message.
func sameRefusal(t *testing.T, what string, mgmt, plane error) {
	t.Helper()
	if (mgmt == nil) != (plane == nil) {
		t.Errorf("%s: management says %v, data plane says %v", what, mgmt, plane)
		return
	}
	if mgmt == nil {
		return
	}
	e, ok := awserr.As(mgmt)
	if !ok || e.Code != "BadRequestException" || e.Message != plane.Error() {
		t.Errorf("%s: management answered %v, want a BadRequestException %q", what, mgmt, plane.Error())
	}
}

// TestMappingsAgreeWithDataPlane: an HTTP API integration's parameter
// mappings are accepted or refused by management exactly as the data
// plane's compiler accepts or refuses them.
func TestMappingsAgreeWithDataPlane(t *testing.T) {
	requests := []map[string]string{
		{"append:header.x-source": "$context.requestId", "overwrite:path": "/v1/$request.path.id"},
		{"overwrite:header.x-user": "${request.path.name} ${request.path.id}", "remove:header.x-secret": "''"},
		{"append:header.x-static": "plain text, costs $5"},
		{"overwrite:header.Authorization": "x"},
		{"append:header.X-Amzn-Trace-Id": "x"},
		{"overwrite:header.access-control-x": "x"},
		{"remove:header.Host-Ok": ""},
		{"append:path": "x"},
		{"rewrite:header.a": "x"},
		{"overwrite:statuscode": "200"},
		{"overwrite:querystring.": "x"},
		{"append:header.a": "$response.header.b"},
		{"append:header.b": "$request.cookie.b"},
		{"append:header.d": strings.Repeat("x", parammap.MaxValueLength+1)},
	}
	for _, params := range requests {
		ig := &modelv2.Integration{RequestParameters: params}
		sameRefusal(t, "requestParameters "+mustKeys(params), checkMappings(ig, false), parammap.ValidateRequestParameters(params))
	}
	responses := []map[string]map[string]string{
		{"200": {"overwrite:statuscode": "204", "append:header.x-id": "$context.requestId"}},
		{"404": {"overwrite:statuscode": "$response.header.x-status"}},
		{"199": {"overwrite:statuscode": "200"}},
		{"2xx": {"overwrite:statuscode": "200"}},
		{"200": {"append:statuscode": "200"}},
		{"200": {"overwrite:statuscode": "abc"}},
		{"200": {"append:header.x": "$request.header.y"}},
		{"200": {"overwrite:header.Content-Length": "1"}},
	}
	for _, params := range responses {
		ig := &modelv2.Integration{ResponseParameters: params}
		sameRefusal(t, "responseParameters", checkMappings(ig, false), parammap.ValidateResponseParameters(params))
	}
	// An AWS service integration's requestParameters are its action's
	// parameters, not mappings.
	sqs := &modelv2.Integration{RequestParameters: map[string]string{"QueueUrl": "https://sqs/q", "MessageBody": "$request.body"}}
	if err := checkMappings(sqs, true); err != nil {
		t.Errorf("SQS-SendMessage parameters: %v", err)
	}
}

func mustKeys(m map[string]string) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return strings.Join(ks, ",")
}

// TestCorsAgreesWithDataPlane: a corsConfiguration is accepted or refused
// by management exactly as the data plane's validator decides.
func TestCorsAgreesWithDataPlane(t *testing.T) {
	yes, no := true, false
	age := func(n int64) *int64 { return &n }
	for _, c := range []*modelv2.Cors{
		{AllowOrigins: []string{"https://a.example"}, AllowCredentials: &yes, MaxAge: age(86400)},
		{AllowOrigins: []string{"*"}, AllowCredentials: &no, MaxAge: age(-1)},
		{AllowOrigins: []string{"*"}, AllowCredentials: &yes},
		{AllowOrigins: []string{"https://a.example"}, MaxAge: age(86401)},
		{AllowOrigins: []string{"https://a.example"}, MaxAge: age(-2)},
		{AllowMethods: []string{strings.Repeat("G", 65)}},
		{AllowHeaders: []string{""}},
	} {
		sameRefusal(t, "cors", checkCors(c), cors.Validate(corsConfig(c)))
	}
	if checkCors(nil) != nil {
		t.Error("no configuration was refused")
	}
}
