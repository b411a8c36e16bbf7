package front_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// nop answers nothing: the benchmarks measure the front door alone.
type nop struct{}

func (nop) Serve(context.Context, pipeline.Request, pipeline.Response, pipeline.Address) {}

func benchDoor(domains int) *front.Door {
	d := &front.Door{}
	d.Set("api1", "prod", nop{})
	for i := range domains {
		d.SetDomain(&front.Domain{Name: fmt.Sprintf("d%d.example.test", i), UseMappings: true, UseRules: true,
			Rules:    []front.Rule{{ID: "r", Priority: 1, APIID: "api1", Stage: "prod", Headers: []front.HeaderMatch{{Header: "x-version", ValueGlob: "beta*"}}}},
			Mappings: []front.Mapping{{Key: "v1", APIID: "api1", Stage: "prod"}, {Key: "v2", APIID: "api1", Stage: "prod"}}})
	}
	return d
}

func benchServe(b *testing.B, d *front.Door, req *gatewaytest.Request) {
	resp := gatewaytest.NewResponse()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		d.Serve(ctx, req, resp)
	}
}

// BenchmarkExecuteAPI: an execute-api request, without and with 100
// custom domains in the table.
func BenchmarkExecuteAPI(b *testing.B) {
	req := gatewaytest.NewRequest("GET", "api1.execute-api.localhost:8443", "/prod/pets/7", nil)
	b.Run("no-domains", func(b *testing.B) { benchServe(b, benchDoor(0), req) })
	b.Run("100-domains", func(b *testing.B) { benchServe(b, benchDoor(100), req) })
}

// BenchmarkDomain: a request through a custom domain routed by a base
// path mapping (after a routing rule that does not match).
func BenchmarkDomain(b *testing.B) {
	req := gatewaytest.NewRequest("GET", "d7.example.test:8443", "/v2/pets/7", nil, "Accept", "application/json", "User-Agent", "bench")
	benchServe(b, benchDoor(100), req)
}
