package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// target is one thing the harness can measure. To add a scenario, append
// to targets: a setup that starts (or reuses) processes and returns the
// URL and headers wrk should send. The setup's processes are charged with
// the CPU and memory measured for the target.
type target struct {
	name string
	desc string
	// byDefault: measured when -targets is not given.
	byDefault bool
	setup     func(ctx context.Context, e *env) (*instance, error)
}

// instance is a running target.
type instance struct {
	url     string
	headers []string // wrk -H values, "Name: value"
	procs   []*proc  // CPU time and RSS of these process trees belong to the target
	idleRSS int64    // right after start (Tollgate: before configuration); 0: after the readiness check
	notes   []string // shown under the table and kept in the JSON
	// accessLog, when set, is summarised after the runs.
	accessLog string
	// sink, when set, received the target's spans; summarised after the
	// runs.
	sink *otlpSink
	// pprof, when set, is the base URL of the target's Go profiler
	// (Tollgate with -profile).
	pprof string
}

// The reference target; ratios are to it.
const reference = "nginx"

var targets = []target{
	{
		name: "nginx", byDefault: true,
		desc:  "nginx, 1 worker, upstream keepalive 64, access_log off (reference)",
		setup: setupNginx,
	},
	{
		name: "go-reverseproxy", byDefault: true,
		desc: "net/http server + httputil.ReverseProxy, tuned Transport (second reference)",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			if e.bin.GoProxy == "" {
				return nil, fmt.Errorf("%s", e.bin.BuildErr["./bench/goproxy"])
			}
			addr, err := freeAddr()
			if err != nil {
				return nil, err
			}
			p, err := e.start("go-reverseproxy", e.cfg.proxyCPU, nil, e.bin.GoProxy, "-addr", addr, "-upstream", "http://"+e.backendAddr)
			if err != nil {
				return nil, err
			}
			inst := &instance{url: "http://" + addr + "/hello", procs: []*proc{p}}
			return inst, waitListening(ctx, p, addr, 10*time.Second)
		},
	},
	{
		name: "fasthttp-proxy", byDefault: true,
		desc: "fasthttp server + HostClient, Tollgate's timeouts (the engine's floor)",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			if e.bin.FastHTTPProxy == "" {
				return nil, fmt.Errorf("%s", e.bin.BuildErr["./bench/fhproxy"])
			}
			addr, err := freeAddr()
			if err != nil {
				return nil, err
			}
			p, err := e.start("fasthttp-proxy", e.cfg.proxyCPU, nil, e.bin.FastHTTPProxy, "-addr", addr, "-upstream", e.backendAddr)
			if err != nil {
				return nil, err
			}
			inst := &instance{url: "http://" + addr + "/hello", procs: []*proc{p}}
			return inst, waitListening(ctx, p, addr, 10*time.Second)
		},
	},
	{
		name: "tollgate-proxy", byDefault: true,
		desc: "Tollgate: {proxy+} ANY → HTTP_PROXY, access log on (Host: {api}.execute-api.localhost)",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-proxy"})
		},
	},
	{
		name: "tollgate-proxy-bare",
		desc: "as tollgate-proxy without access log and data-plane metrics (--no-data-plane-metrics): the proxy alone",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-proxy-bare", bare: true})
		},
	},
	{
		name: "tollgate-proxy-traced",
		desc: "as tollgate-proxy with tracingEnabled: every request sampled, spans exported over OTLP/HTTP to a sink in the harness",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-proxy-traced", traced: "1"})
		},
	},
	{
		name: "tollgate-proxy-traced-5pct",
		desc: "as tollgate-proxy-traced with --trace-sampling 0.05 (AWS's default rate): 1 request in 20 sampled, all handing on trace ids",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-proxy-traced-5pct", traced: "0.05"})
		},
	},
	{
		name: "tollgate-lambda", byDefault: true,
		desc: "Tollgate: {proxy+} ANY → AWS_PROXY to a local aws-lambda-go function (warm pool)",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-lambda", lambda: true})
		},
	},
	{
		name: "tollgate-lambda-node", byDefault: false,
		desc: "as tollgate-lambda, the function a Node.js handler (nodejs22.x on the machine's node, Tollgate's runtime client)",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-lambda-node", lambda: true, lambdaRuntime: "node"})
		},
	},
	{
		name: "tollgate-lambda-python", byDefault: false,
		desc: "as tollgate-lambda, the function a Python handler (python3.12 on the machine's python3, Tollgate's runtime client)",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-lambda-python", lambda: true, lambdaRuntime: "python"})
		},
	},
	{
		name: "tollgate-token-auth", byDefault: true,
		desc: "as tollgate-proxy, behind a Lambda TOKEN authorizer (aws-lambda-go) with results cached (TTL 300 s)",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-token-auth", auth: "token"})
		},
	},
	{
		name: "tollgate-jwt-auth", byDefault: true,
		desc: "as tollgate-proxy, behind a COGNITO_USER_POOLS authorizer verifying an RS256 JWT from a local issuer",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-jwt-auth", auth: "jwt"})
		},
	},
	{
		name: "tollgate-apikey", byDefault: true,
		desc: "as tollgate-proxy, with apiKeyRequired: x-api-key checked against a usage plan with a throttle, a stage method throttle and the account throttle",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-apikey", apiKey: true})
		},
	},
	{
		name: "tollgate-cache", byDefault: true,
		desc: "as tollgate-proxy with {proxy+} GET, the stage cache on and */* caching (TTL 3600 s): wrk's GETs are cache hits",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-cache", cache: true})
		},
	},
	{
		name: "tollgate-mock", byDefault: true,
		desc: "Tollgate: {proxy+} ANY → MOCK with VTL request and response templates building the same 100-byte body",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-mock", mock: true})
		},
	},
	{
		name: "tollgate-proxy-10k", byDefault: true,
		desc: "as tollgate-proxy, plus -extra-resources literal resources (default 10,000)",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-proxy-10k", extra: e.cfg.extraResources})
		},
	},
	{
		name: "tollgate-httpapi", byDefault: true,
		desc: "Tollgate HTTP API (apigatewayv2): $default route → HTTP_PROXY, auto-deployed $default stage, access log on",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-httpapi", httpAPI: "proxy"})
		},
	},
	{
		name: "tollgate-httpapi-jwt", byDefault: true,
		desc: "as tollgate-httpapi with ANY /{proxy+} behind a JWT authorizer verifying an RS256 JWT from a local issuer",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-httpapi-jwt", httpAPI: "jwt"})
		},
	},
	{
		name: "tollgate-throttle",
		desc: "as tollgate-proxy, with a stage */* method throttle (never refusing) beside the account throttle, buckets in memory",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-throttle", throttle: true})
		},
	},
	{
		name: "tollgate-throttle-redis",
		desc: "as tollgate-throttle, with --redis: both buckets in a Redis (redis-server, pinned with Tollgate, its CPU counted), as a cluster node keeps them",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-throttle-redis", throttle: true, redis: true})
		},
	},
	{
		name: "tollgate-waf",
		desc: "as tollgate-proxy, the stage protected by a web ACL: an IP set rule and a rate-based rule per IP (never reached); wrk sends a User-Agent",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-waf", waf: "ipset-rate"})
		},
	},
	{
		name: "tollgate-waf-sqli",
		desc: "as tollgate-waf, plus the AWSManagedRulesSQLiRuleSet managed group",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-waf-sqli", waf: "sqli"})
		},
	},
	{
		name: "tollgate-waf-common",
		desc: "as tollgate-waf-sqli, plus the AWSManagedRulesCommonRuleSet managed group",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-waf-common", waf: "common"})
		},
	},
	{
		name: "tollgate-proxy-path",
		desc: "as tollgate-proxy, addressed path-style: /restapis/{api}/bench/_user_request_/hello",
		setup: func(ctx context.Context, e *env) (*instance, error) {
			return setupTollgate(ctx, e, tollgateSpec{name: "tollgate-proxy-path", pathStyle: true})
		},
	},
}

// selectTargets returns the targets named in list (comma-separated), or
// the default ones for an empty list, keeping the table's order.
func selectTargets(list string) ([]target, error) {
	if strings.TrimSpace(list) == "" {
		var out []target
		for _, t := range targets {
			if t.byDefault {
				out = append(out, t)
			}
		}
		return out, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	var out []target
	for _, t := range targets {
		if want[t.name] {
			out = append(out, t)
			delete(want, t.name)
		}
	}
	for n := range want {
		return nil, fmt.Errorf("unknown target %q (see -list)", n)
	}
	return out, nil
}

var nginxConf = template.Must(template.New("nginx").Parse(`# generated by tollgate's bench harness
{{if .Root}}user root;
{{end}}worker_processes 1;
daemon off;
master_process on;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path {{.Dir}}/client_body;
    proxy_temp_path {{.Dir}}/proxy;
    fastcgi_temp_path {{.Dir}}/fastcgi;
    uwsgi_temp_path {{.Dir}}/uwsgi;
    scgi_temp_path {{.Dir}}/scgi;
    upstream backend {
        server {{.Backend}};
        keepalive 64;
    }
    server {
        listen {{.Addr}};
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
`))

func setupNginx(ctx context.Context, e *env) (*instance, error) {
	if e.bin.Nginx == "" {
		return nil, fmt.Errorf("nginx is not installed")
	}
	dir := filepath.Join(e.dir, "nginx")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "nginx.conf")
	f, err := os.Create(conf)
	if err != nil {
		return nil, err
	}
	err = nginxConf.Execute(f, map[string]any{"Dir": dir, "Addr": addr, "Backend": e.backendAddr, "Root": os.Geteuid() == 0})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	// -e: the error log before the configuration is read (the default one
	// may not be writable).
	p, err := e.start("nginx", e.cfg.proxyCPU, nil, e.bin.Nginx, "-c", conf, "-p", dir, "-e", filepath.Join(dir, "error.log"))
	if err != nil {
		return nil, err
	}
	inst := &instance{url: "http://" + addr + "/hello", procs: []*proc{p}}
	return inst, waitListening(ctx, p, addr, 10*time.Second)
}
