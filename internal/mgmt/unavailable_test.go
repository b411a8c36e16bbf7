package mgmt_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/mgmt/apigwv2"
	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/faultstore"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// TestStoreUnavailable: while the store cannot be reached (a cluster's
// PostgreSQL is down), management calls answer 503
// ServiceUnavailableException with Retry-After, in each protocol's shape,
// and work again once it is back, with nothing half-written.
func TestStoreUnavailable(t *testing.T) {
	inner, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inner.Close() })
	fs := faultstore.Wrap(inner)
	box, err := secret.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return fixedNow }
	h := &harness{t: t, logs: &syncBuffer{}, box: box}
	h.handler = mgmt.New(mgmt.Config{Logger: slog.New(slog.NewTextHandler(h.logs, nil)), Services: []mgmt.Registrar{
		apigw.New(apigw.Config{Store: fs, Region: "us-east-1", AccountID: "000000000000", Now: now, Secrets: box}),
		apigwv2.New(apigwv2.Config{Store: fs, Region: "us-east-1", AccountID: "000000000000", Now: now}),
	}})
	down := fmt.Errorf("postgres: connect to 127.0.0.1:5432/tollgate: %w: connection refused", store.ErrUnavailable)
	fs.Fail(faultstore.Update, down)
	fs.Fail(faultstore.View, down)
	fs.Fail(faultstore.Revision, down)
	for _, c := range []struct{ method, path string }{
		{"POST", "/restapis"},
		{"GET", "/restapis"},
		{"POST", "/v2/apis"},
		{"GET", "/apikeys"},
	} {
		body := map[string]any{"name": "x", "protocolType": "HTTP"}
		r := h.do(c.method, c.path, body)
		if r.Status != 503 || r.ErrorType != "ServiceUnavailableException" || r.Header.Get("Retry-After") != "1" ||
			!strings.Contains(string(r.Body), "configuration store cannot be reached") {
			t.Errorf("%s %s while the store is down: %d %s %q (Retry-After %q)", c.method, c.path, r.Status, r.ErrorType, r.Body, r.Header.Get("Retry-After"))
		}
	}
	if strings.Contains(h.logs.String(), "level=ERROR") || !strings.Contains(h.logs.String(), "the configuration store cannot be reached") {
		t.Errorf("want one warning per refused call, no errors:\n%s", h.logs)
	}
	fs.Heal()
	if r := h.do("POST", "/restapis", map[string]any{"name": "after"}); r.Status != 201 {
		t.Fatalf("after the store is back: %d %s", r.Status, r.Body)
	}
	var list struct{ Item []struct{ Name string } }
	mustUnmarshal(t, h.do("GET", "/restapis", nil).Body, &list)
	if len(list.Item) != 1 || list.Item[0].Name != "after" {
		t.Errorf("the store holds %+v, want only the API made after recovery", list.Item)
	}
}

// downCounter is a quota counter whose shared store (Redis) does not
// answer.
type downCounter struct{}

var errRedisDown = fmt.Errorf("%w: redis 127.0.0.1:6379: usage: no answer", ratelimit.ErrUnavailable)

func (downCounter) Take(context.Context, string, ratelimit.Quota, time.Time) (int64, bool, error) {
	return 0, false, errRedisDown
}
func (downCounter) Usage(context.Context, string, ratelimit.Quota, time.Time, time.Time) ([]ratelimit.DayUsage, error) {
	return nil, errRedisDown
}
func (downCounter) SetRemaining(context.Context, string, ratelimit.Quota, int64, time.Time) error {
	return errRedisDown
}

// TestUsageStoreUnavailable: GetUsage and UpdateUsage answer 503
// ServiceUnavailableException while the quota counters (a cluster's
// Redis) do not answer.
func TestUsageStoreUnavailable(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := secret.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, logs: &syncBuffer{}, box: box}
	h.handler = mgmt.New(mgmt.Config{Logger: slog.New(slog.NewTextHandler(h.logs, nil)), Services: []mgmt.Registrar{
		apigw.New(apigw.Config{Store: st, Region: "us-east-1", AccountID: "000000000000", Secrets: box, Usage: downCounter{}}),
	}})
	var plan, key struct{ ID string }
	mustUnmarshal(t, h.do("POST", "/usageplans", map[string]any{"name": "p", "quota": map[string]any{"limit": 5, "period": "DAY"}}).Body, &plan)
	mustUnmarshal(t, h.do("POST", "/apikeys", map[string]any{"name": "k", "enabled": true}).Body, &key)
	if r := h.do("POST", "/usageplans/"+plan.ID+"/keys", map[string]any{"keyId": key.ID, "keyType": "API_KEY"}); r.Status != 201 {
		t.Fatalf("CreateUsagePlanKey: %d %s", r.Status, r.Body)
	}
	today := time.Now().UTC().Format("2006-01-02")
	for _, r := range []response{
		h.do("GET", "/usageplans/"+plan.ID+"/usage?startDate="+today+"&endDate="+today, nil),
		h.do("PATCH", "/usageplans/"+plan.ID+"/keys/"+key.ID+"/usage", map[string]any{"patchOperations": []map[string]any{
			{"op": "replace", "path": "/remaining", "value": "2"}}}),
	} {
		if r.Status != 503 || r.ErrorType != "ServiceUnavailableException" || !strings.Contains(string(r.Body), "usage store cannot be reached") {
			t.Errorf("while the counters are down: %d %s %s", r.Status, r.ErrorType, r.Body)
		}
	}
}
