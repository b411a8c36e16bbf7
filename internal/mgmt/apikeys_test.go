package mgmt_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

// keyFixture is an API with a deployed stage "dev", a key in a usage plan
// bound to it, and a second plan (no stages) holding the same key.
type keyFixture struct {
	api, key, plan, plan2 string
	value                 string
}

func newKeyFixture(t *testing.T, h *harness) keyFixture {
	t.Helper()
	var f keyFixture
	f.value = "fixture-key-value-0123456789"
	must := func(res response, want int) response {
		t.Helper()
		if res.Status != want {
			t.Fatalf("setup: %d %s %s", res.Status, res.ErrorType, res.Body)
		}
		return res
	}
	var api struct{ ID, RootResourceID string }
	mustUnmarshal(t, must(h.do("POST", "/restapis", `{"name":"keys"}`), 201).Body, &api)
	f.api = api.ID
	must(h.do("PUT", "/restapis/"+f.api+"/resources/"+api.RootResourceID+"/methods/GET", `{"authorizationType":"NONE","apiKeyRequired":true}`), 201)
	must(h.do("PUT", "/restapis/"+f.api+"/resources/"+api.RootResourceID+"/methods/GET/integration", `{"type":"MOCK"}`), 201)
	must(h.do("POST", "/restapis/"+f.api+"/deployments", `{"stageName":"dev"}`), 201)
	var obj struct{ ID string }
	mustUnmarshal(t, must(h.do("POST", "/apikeys", `{"name":"k","enabled":true,"value":"`+f.value+`"}`), 201).Body, &obj)
	f.key = obj.ID
	mustUnmarshal(t, must(h.do("POST", "/usageplans", `{"name":"p","apiStages":[{"apiId":"`+f.api+`","stage":"dev"}]}`), 201).Body, &obj)
	f.plan = obj.ID
	mustUnmarshal(t, must(h.do("POST", "/usageplans", `{"name":"p2"}`), 201).Body, &obj)
	f.plan2 = obj.ID
	for _, p := range []string{f.plan, f.plan2} {
		must(h.do("POST", "/usageplans/"+p+"/keys", `{"keyId":"`+f.key+`","keyType":"API_KEY"}`), 201)
	}
	return f
}

func (h *harness) revision(t *testing.T) int64 {
	t.Helper()
	rev, err := h.store.Revision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// TestRejectedKeyAndPlanRequestsChangeNothing: every bad API key, usage
// plan and usage plan key request is refused with an AWS 4xx, and the
// store's revision does not move (all checks happen before any write, in
// one transaction).
func TestRejectedKeyAndPlanRequestsChangeNothing(t *testing.T) {
	h := newHarness(t, "000000000000")
	f := newKeyFixture(t, h)
	long := strings.Repeat("a", 125001)
	ops := func(triples ...string) string { return mustJSON(patchOps(triples...)) }
	cases := []struct{ method, path, body string }{
		{"POST", "/apikeys", `{"name":"x","value":"short"}`},
		{"POST", "/apikeys", `{"name":"x","value":"` + strings.Repeat("v", 129) + `"}`},
		{"POST", "/apikeys", `{"name":"` + strings.Repeat("n", 1025) + `"}`},
		{"POST", "/apikeys", `{"value":"` + f.value + `"}`},
		{"POST", "/apikeys", `{"name":"x","stageKeys":[{"restApiId":"` + f.api + `","stageName":"nope"}]}`},
		{"POST", "/apikeys", `{"enabled":"yes"}`},
		{"POST", "/apikeys", `{"description":"` + long + `"}`},
		{"POST", "/apikeys", `{"tags":{"aws:x":"y"}}`},
		{"PATCH", "/apikeys/" + f.key, ops("replace", "/name", "renamed", "replace", "/id", "x")},
		{"PATCH", "/apikeys/" + f.key, ops("replace", "/enabled", "false", "replace", "/description", long)},
		{"PATCH", "/apikeys/" + f.key, ops("replace", "/enabled", "false", "add", "/stages", f.api+"/nope")},
		{"PATCH", "/apikeys/" + f.key, ops("replace", "/enabled", "false", "bogus", "/name", "x")},
		{"PATCH", "/apikeys/nosuchkey0", ops("replace", "/name", "x")},
		{"DELETE", "/apikeys/nosuchkey0", ""},
		{"POST", "/usageplans", `{}`},
		{"POST", "/usageplans", `{"name":"  "}`},
		{"POST", "/usageplans", `{"name":"x","throttle":{"burstLimit":-1,"rateLimit":1}}`},
		{"POST", "/usageplans", `{"name":"x","throttle":{"burstLimit":1,"rateLimit":-1}}`},
		{"POST", "/usageplans", `{"name":"x","throttle":{"burstLimit":5}}`},
		{"POST", "/usageplans", `{"name":"x","quota":{"limit":10,"period":"YEAR"}}`},
		{"POST", "/usageplans", `{"name":"x","quota":{"limit":-5,"period":"DAY"}}`},
		{"POST", "/usageplans", `{"name":"x","quota":{"limit":5,"offset":6,"period":"DAY"}}`},
		{"POST", "/usageplans", `{"name":"x","quota":{"limit":5}}`},
		{"POST", "/usageplans", `{"name":"x","apiStages":[{"apiId":"` + f.api + `","stage":"nope"}]}`},
		{"POST", "/usageplans", `{"name":"x","apiStages":[{"apiId":"nosuchapi","stage":"dev"}]}`},
		{"POST", "/usageplans", `{"name":"x","apiStages":[{"apiId":"` + f.api + `","stage":"dev","throttle":{"pets":{"rateLimit":1}}}]}`},
		{"POST", "/usageplans", `{"name":"x","apiStages":[{"apiId":"` + f.api + `","stage":"dev","throttle":{"/pets/GET":{"burstLimit":-2,"rateLimit":1}}}]}`},
		{"PATCH", "/usageplans/" + f.plan, ops("replace", "/name", "renamed", "replace", "/throttle/rateLimit", "-1")},
		{"PATCH", "/usageplans/" + f.plan, ops("replace", "/name", "renamed", "replace", "/throttle/rateLimit", "fast")},
		{"PATCH", "/usageplans/" + f.plan, ops("replace", "/throttle/burstLimit", "10")},
		{"PATCH", "/usageplans/" + f.plan, ops("replace", "/quota/limit", "10", "replace", "/quota/period", "YEAR")},
		{"PATCH", "/usageplans/" + f.plan, ops("replace", "/quota/limit", "10")},
		{"PATCH", "/usageplans/" + f.plan, ops("replace", "/description", "d", "remove", "/apiStages", f.api+":nope")},
		{"PATCH", "/usageplans/" + f.plan, ops("replace", "/description", "d", "remove", "/apiStages", "")},
		{"PATCH", "/usageplans/" + f.plan, ops("replace", "/apiStages/"+f.api+":dev/throttle/pets/GET/rateLimit", "abc")},
		{"PATCH", "/usageplans/" + f.plan, ops("replace", "/apiStages/"+f.api+":prod/throttle/pets/GET/rateLimit", "1")},
		{"PATCH", "/usageplans/" + f.plan, ops("remove", "/apiStages/"+f.api+":dev/throttle/pets/GET", "")},
		{"PATCH", "/usageplans/" + f.plan, ops("replace", "/nope", "x")},
		{"PATCH", "/usageplans/" + f.plan2, ops("replace", "/name", "renamed", "add", "/apiStages", f.api+":dev")}, // 409: the key would reach dev twice
		{"PATCH", "/usageplans/nosuch", ops("replace", "/name", "x")},
		{"POST", "/usageplans/" + f.plan + "/keys", `{"keyId":"` + f.key + `","keyType":"API_KEY"}`},
		{"POST", "/usageplans/" + f.plan + "/keys", `{"keyId":"nosuchkey0","keyType":"API_KEY"}`},
		{"POST", "/usageplans/" + f.plan + "/keys", `{"keyId":"` + f.key + `","keyType":"OTHER"}`},
		{"POST", "/usageplans/" + f.plan + "/keys", `{"keyType":"API_KEY"}`},
		{"POST", "/usageplans/nosuch/keys", `{"keyId":"` + f.key + `","keyType":"API_KEY"}`},
		{"DELETE", "/usageplans/" + f.plan, ""},
		{"DELETE", "/usageplans/" + f.plan + "/keys/nosuchkey0", ""},
		{"DELETE", "/usageplans/nosuch", ""},
	}
	before := h.revision(t)
	h.mustReject(t, cases)
	if after := h.revision(t); after != before {
		t.Errorf("rejected requests moved the store from revision %d to %d", before, after)
	}
}

// TestApiKeyValueNeverStoredInClear: the store holds no key value in clear
// (given or generated), the log never shows one, and yet every read that
// asks for the value gets it back.
func TestApiKeyValueNeverStoredInClear(t *testing.T) {
	h := newHarness(t, "000000000000")
	f := newKeyFixture(t, h)
	res := h.do("POST", "/apikeys", `{"name":"gen"}`)
	var gen struct{ ID, Value string }
	mustUnmarshal(t, res.Body, &gen)
	if len(gen.Value) != 40 {
		t.Fatalf("generated value %q", gen.Value)
	}
	_ = h.do("PATCH", "/apikeys/"+f.key, mustJSON(patchOps("replace", "/name", "renamed")))
	_ = h.do("PUT", "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapikeys%2F"+f.key, `{"tags":{"a":"b"}}`)

	err := h.store.View(context.Background(), func(r store.Reader) error {
		items, err := r.List(context.Background(), "", store.ListOptions{})
		for _, it := range items {
			for _, v := range []string{f.value, gen.Value} {
				if strings.Contains(it.Key, v) || strings.Contains(string(it.Value), v) {
					t.Errorf("store item %s holds a key value in clear: %s", it.Key, it.Value)
				}
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/apikeys/" + f.key + "?includeValue=true":  f.value,
		"/apikeys/" + gen.ID + "?includeValue=true": gen.Value,
		"/apikeys?includeValues=true":               f.value,
		"/usageplans/" + f.plan + "/keys":           f.value,
		"/usageplans/" + f.plan + "/keys/" + f.key:  f.value,
	} {
		if res := h.do("GET", path, nil); res.Status != 200 || !strings.Contains(string(res.Body), want) {
			t.Errorf("GET %s: %d %s lacks the value", path, res.Status, res.Body)
		}
	}
	for _, path := range []string{"/apikeys/" + f.key, "/apikeys", "/apikeys?includeValues=false"} {
		if res := h.do("GET", path, nil); strings.Contains(string(res.Body), f.value) {
			t.Errorf("GET %s shows the value unasked: %s", path, res.Body)
		}
	}
	if logs := h.logs.String(); strings.Contains(logs, f.value) || strings.Contains(logs, gen.Value) {
		t.Errorf("a key value reached the log:\n%s", logs)
	}
}

// TestDeletesKeepUsagePlansConsistent: deleting a key removes it from its
// plans; deleting a stage or an API detaches it from every plan; a plan
// bound to a stage cannot be deleted until the stage is removed from it.
func TestDeletesKeepUsagePlansConsistent(t *testing.T) {
	h := newHarness(t, "000000000000")
	f := newKeyFixture(t, h)
	plans := func(query string) int {
		var out struct{ Item []any }
		mustUnmarshal(t, h.do("GET", "/usageplans"+query, nil).Body, &out)
		return len(out.Item)
	}
	if n := plans("?keyId=" + f.key); n != 2 {
		t.Fatalf("key is in %d plans, want 2", n)
	}
	if res := h.do("DELETE", "/usageplans/"+f.plan, nil); res.Status != 400 {
		t.Fatalf("deleting a plan bound to a stage: %d %s", res.Status, res.Body)
	}
	if res := h.do("DELETE", "/restapis/"+f.api, nil); res.Status != 202 {
		t.Fatalf("delete API: %d %s", res.Status, res.Body)
	}
	var plan struct{ ApiStages []any }
	mustUnmarshal(t, h.do("GET", "/usageplans/"+f.plan, nil).Body, &plan)
	if len(plan.ApiStages) != 0 {
		t.Errorf("plan still bound to the deleted API: %v", plan.ApiStages)
	}
	if res := h.do("DELETE", "/usageplans/"+f.plan, nil); res.Status != 202 {
		t.Fatalf("delete detached plan: %d %s", res.Status, res.Body)
	}
	if n := plans("?keyId=" + f.key); n != 1 {
		t.Errorf("after deleting a plan the key is in %d plans, want 1", n)
	}
	if res := h.do("DELETE", "/apikeys/"+f.key, nil); res.Status != 202 {
		t.Fatalf("delete key: %d %s", res.Status, res.Body)
	}
	var keys struct{ Item []any }
	mustUnmarshal(t, h.do("GET", "/usageplans/"+f.plan2+"/keys", nil).Body, &keys)
	if len(keys.Item) != 0 || plans("?keyId="+f.key) != 0 {
		t.Errorf("deleted key still listed: %v", keys.Item)
	}
	// Its value is free again.
	if res := h.do("POST", "/apikeys", `{"value":"`+f.value+`"}`); res.Status != 201 {
		t.Errorf("value of a deleted key not reusable: %d %s", res.Status, res.Body)
	}
	// Only index documents for live keys and plans remain.
	err := h.store.View(context.Background(), func(r store.Reader) error {
		for _, prefix := range []string{"usageplankey/", "apikeyplan/"} {
			items, err := r.List(context.Background(), prefix, store.ListOptions{})
			if err != nil {
				return err
			}
			if len(items) != 0 {
				return fmt.Errorf("%d stale %s documents", len(items), prefix)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
