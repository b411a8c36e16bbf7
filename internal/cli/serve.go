package cli

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tollgate/tollgate/internal/apikey"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/credentials"
	"github.com/tollgate/tollgate/internal/deploy"
	"github.com/tollgate/tollgate/internal/gateway/engine"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/httpapi"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/sni"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/jwtauth"
	"github.com/tollgate/tollgate/internal/lambda"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/acmapi"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/mgmt/apigwv2"
	"github.com/tollgate/tollgate/internal/mgmt/cloudtrailapi"
	"github.com/tollgate/tollgate/internal/mgmt/domains"
	"github.com/tollgate/tollgate/internal/mgmt/lambdaapi"
	"github.com/tollgate/tollgate/internal/mgmt/logsapi"
	"github.com/tollgate/tollgate/internal/mgmt/wafapi"
	"github.com/tollgate/tollgate/internal/sigv4"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/supervise"
	"github.com/tollgate/tollgate/internal/testinvoke"
	"github.com/tollgate/tollgate/internal/tlscert"
	"github.com/tollgate/tollgate/internal/waf"
)

// shutdownGrace bounds how long in-flight requests may take to finish.
const shutdownGrace = 15 * time.Second

// Serve runs the gateway until ctx ends.
func Serve(ctx context.Context, args []string, env Env) error {
	s, err := config.Load(SplitOverrides(args), env.Getenv, env.Stderr)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, s.LogLevel)
	lock, err := prepareDataDir(s)
	if err != nil {
		return err
	}
	defer lock.Release()
	st, storeDesc, err := openStore(ctx, s, log)
	if err != nil {
		return err
	}
	if env.wrapStore != nil {
		st = env.wrapStore(st)
	}
	defer st.Close()
	defer useStoreClock(st, log)()
	// Token buckets, quota counters and stage caches: in memory on one
	// machine, in Redis for a cluster.
	shared, err := openSharedState(ctx, s, log)
	if err != nil {
		return err
	}
	defer shared.Close()
	// Management credentials and the key that seals API key values:
	// in the data dir, or shared by a cluster through its store.
	nodeSec, err := loadSecrets(ctx, s, st, env.Getenv, log)
	if err != nil {
		return err
	}
	creds, credSrc, secrets := nodeSec.Creds, nodeSec.CredSrc, nodeSec.Box
	shared.setPrefix(nodeSec.ClusterID)
	limiter, quotas := shared.Limiter, shared.Counter

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mgmtCalls := newMgmtMetrics(reg)

	verifier := &sigv4.Verifier{
		Region: s.Region,
		Credentials: sigv4.CredentialsFunc(func(id string) (string, bool) {
			return creds.SecretAccessKey, id == creds.AccessKeyID
		}),
	}
	tester := &testinvoke.Tester{}  // its Watcher is set below, before the management API serves
	var sdkListeners []dataListener // set once the listeners are open, before the management API serves
	api := apigw.New(apigw.Config{Store: st, Region: s.Region, AccountID: s.AccountID, Secrets: secrets, Usage: quotas, Tester: tester,
		InvokeBase: func(host string) string { return invokeBase(sdkListeners, host) }})
	apiV2 := apigwv2.New(apigwv2.Config{Store: st, Region: s.Region, AccountID: s.AccountID})
	logStore, logWriter, closeLogs, err := newLogs(s, log)
	if err != nil {
		return err
	}
	defer closeLogs()
	functions, err := newLambdaService(ctx, s, st, log, logWriter)
	if err != nil {
		return err
	}
	defer functions.Close()
	lambdaAPI := lambdaapi.New(lambdaapi.Config{Functions: functions, Region: s.Region, AccountID: s.AccountID})
	// ACM stand-in: requested certificates come from the data dir's local CA.
	localCA, err := tlscert.LoadCA(filepath.Join(s.DataDir, "tls"))
	if err != nil {
		return err
	}
	certs := acmapi.New(acmapi.Config{Store: st, Region: s.Region, AccountID: s.AccountID, Secrets: secrets, CA: localCA})
	domainNames := domains.New(domains.Config{Store: st, Region: s.Region, AccountID: s.AccountID, S3Dir: s.S3Path()})
	mgmtAuth := mgmt.SigV4{Verifier: verifier}
	trail, closeTrail, err := newAuditTrail(s, st, env.Stdout, log)
	if err != nil {
		return err
	}
	defer closeTrail()
	registerObserveMetrics(reg, trail, logWriter)
	logsAPI := logsapi.New(logsapi.Config{Store: logStore, Region: s.Region, AccountID: s.AccountID})
	wafSamples := waf.NewSamples() // GetSampledRequests reads what the data plane samples
	wafAPI := wafapi.New(wafapi.Config{Store: st, Region: s.Region, AccountID: s.AccountID, Samples: wafSamples})
	server := mgmt.New(mgmt.Config{
		Auth:     mgmtAuth,
		Audit:    trail,
		Services: []mgmt.Registrar{api, apiV2, lambdaAPI, certs, domainNames, &cloudtrailapi.API{Trail: trail}, logsAPI, wafAPI},
		Logger:   log.With("component", "mgmt"),
		Observe: func(op string, status int, d time.Duration) {
			mgmtCalls.WithLabelValues(op, strconv.Itoa(status)).Observe(d.Seconds())
		},
	})
	// Data plane: compile every deployed stage before accepting traffic,
	// then follow the store's change feed.
	door := &front.Door{Log: log.With("component", "front")}
	logSinks := &observe.LogSinks{Stdout: env.Stdout, Groups: logWriter}
	defer logSinks.Close()
	clients := upstream.NewClients()
	accessCompiler, networks, err := newAccess(s, functions, log)
	if err != nil {
		return err
	}
	keys, err := apikey.NewIndex(ctx, st, secrets, log.With("component", "apikey"))
	if err != nil {
		return fmt.Errorf("loading API keys: %w", err)
	}
	accessCompiler.Keys = keys
	accessCompiler.Limiter, accessCompiler.Counter = limiter, quotas
	decisions := &throttle.Decisions{}
	accessCompiler.Decisions = decisions
	throttling := &throttle.Throttling{Limiter: limiter, Decisions: decisions}
	registerGatewayMetrics(reg, decisions, functions.PoolStats)
	// HTTP API JWT authorizers verify tokens with API Gateway's limits
	// (discovery and JWKS timeouts, response size, key lifetime).
	httpTokens, err := jwtauth.NewHTTPAPI(jwtauth.Config{Logger: log.With("component", "jwtauth")})
	if err != nil {
		return err
	}
	defer httpTokens.Close()
	var metrics *observe.Metrics // nil: requests are not counted
	if !s.NoDataPlaneMetrics {
		metrics = observe.NewMetrics(reg)
	}
	tracer, stopTracer, err := newTracer(ctx, s, env.Getenv, log)
	if err != nil {
		return err
	}
	defer stopTracer()
	gatewayLog := log.With("component", "gateway")
	serverNames := &sni.Table{} // custom domains' TLS on the HTTPS listener
	wsHub, wsEnv := newWebSocketEnv(s, shared, door, throttling, clients, functions, accessCompiler.Users, logSinks, metrics, gatewayLog)
	wsEnv.Keys = keys
	watcher := &deploy.Watcher{
		Store: st, Front: door, Log: log.With("component", "deploy"), Throttling: throttling, TLS: serverNames,
		Compiler: &deploy.Compiler{
			Env:     &rest.Env{AccountID: s.AccountID, Log: gatewayLog, Networks: networks, Throttling: throttling},
			Clients: clients, Lambda: functions, Metrics: metrics, Logs: logSinks, Tracer: tracer,
			Access: accessCompiler, Secrets: secrets, StageCaches: shared.StageCache,
			AuthCaches: shared.AuthCache,
			WAF:        waf.Options{Account: s.AccountID, Metrics: waf.NewMetrics(reg), Samples: wafSamples, Rates: shared.Windows},
			HTTP: &httpapi.Env{Region: s.Region, AccountID: s.AccountID, Log: gatewayLog, Throttling: throttling,
				Clients: clients, Lambda: functions, Tokens: httpTokens, Users: accessCompiler.Users,
				Metrics: metrics, Logs: logSinks, Tracer: tracer},
			WebSocket: wsEnv},
	}
	tester.Watcher = watcher
	if _, err := watcher.Sync(ctx); err != nil {
		return fmt.Errorf("loading deployed stages: %w", err)
	}
	dataPlane := engine.New(door, log.With("component", "engine"))

	ln, dataAddrs, err := openListeners(s, serverNames)
	if err != nil {
		return err
	}
	sdkListeners = dataAddrs
	// The followers keep the data plane in step with the store; they are
	// restarted when they fail, and /healthz says whether they keep up.
	followers := &supervise.Supervisor{Store: st, Log: log.With("component", "supervise")}
	access := newOpsAccess(ln.Addr(), s.MetricsToken, mgmtAuth)
	nodes := startClusterView(ctx, s, shared, ln.Addr().String(), dataAddrs, followers.Health, watcher.Failures, log)
	defer nodes.stop()
	var consoleHandler http.Handler
	if s.Console {
		ch, err := newConsole(s, server, mgmtAuth, creds, reg, dataAddrs, log)
		if err != nil {
			return err
		}
		consoleHandler = ch
	}
	srv := newAdminServer(newAdminHandler(adminConfig{
		Mgmt:    server,
		Health:  followers.Health,
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		Stages: func(w http.ResponseWriter, _ *http.Request) {
			writeStageStatus(w, door, watcher)
		},
		Listeners: listenersHandler(dataAddrs, s.AccountID),
		Cluster:   nodes,
		PProf:     s.PProf,
		Access:    access,
		Console:   consoleHandler,
	}), log)
	// The WebSocket relay outlives ctx: draining connections still get
	// the calls other nodes relay.
	relayCtx, stopRelay := context.WithCancel(context.WithoutCancel(ctx))
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		_ = wsHub.Run(relayCtx)
	}()
	defer func() {
		stopRelay()
		<-relayDone
	}()
	followCtx, stopFollowing := context.WithCancel(ctx)
	defer func() {
		stopFollowing()
		followers.Wait()
	}()
	followers.Start(followCtx, supervise.Follower{
		Name:     "change feed",
		Run:      func(ctx context.Context) error { return watcher.Run(ctx, watcher.Revision()) },
		Revision: watcher.Revision,
	})
	followers.Start(followCtx, supervise.Follower{Name: "API key index", Run: keys.Run, Revision: keys.Revision})

	errc := make(chan error, 1+len(dataAddrs))
	go func() { errc <- srv.Serve(mgmt.Listener(ln)) }() // AWS-shaped answers to unparsable requests
	for _, d := range dataAddrs {
		go func(l net.Listener) { errc <- dataPlane.Serve(l) }(d.ln)
	}

	printBanner(env, s, ln.Addr().String(), storeDesc, shared.Describe(), credSrc, dataAddrs, access)
	log.Info("tollgate started", "version", VersionString(), "admin", ln.Addr().String())
	warnExposed(s, log)
	warnPerNode(s, log)
	if !access.Open && access.Token == "" {
		log.Info("the admin listener is not loopback-only: /metrics and /_tollgate/* need SigV4 with the management credentials; set --metrics-token to let Prometheus in with a bearer token",
			"admin", ln.Addr().String())
	}
	// --import: the files are imported (or re-imported over the API of the
	// same title) and deployed through the management API, as `tollgate
	// import` would; a file that fails stops the gateway.
	if len(s.Imports) > 0 {
		c := newMgmtClientWith(ln.Addr().String(), s.Region, creds)
		for _, f := range s.Imports {
			if err := importFile(ctx, c, f, importOptions{stage: s.ImportStage}, env.Stdout); err != nil {
				return err
			}
		}
	}

	// --template: the stacks are created through the management API, as
	// `tollgate deploy --template` would, then followed for changes.
	if len(s.Templates) > 0 {
		c := newMgmtClientWith(ln.Addr().String(), s.Region, creds)
		tr := &templateRunner{client: c, out: env.Stdout, log: log.With("component", "template"),
			region: s.Region, accountID: s.AccountID, stackName: s.StackName, overrides: s.ParameterOverrides,
			configFile: s.SAMConfigFile, configEnv: s.SAMConfigEnv, envVars: s.EnvVars}
		if err := tr.applyAll(ctx, s.Templates); err != nil {
			return err
		}
		go tr.watch(followCtx, s.Templates)
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		return fmt.Errorf("listener: %w", err)
	}
	log.Info("shutting down: draining in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	done := make(chan struct{})
	go func() {
		// WebSocket connections finish their messages and close with 1001
		// while the listeners still answer @connections calls.
		if err := wsHub.Shutdown(sctx); err != nil {
			log.Warn("websocket connections not drained", "err", err)
		}
		if err := dataPlane.Shutdown(sctx); err != nil {
			log.Warn("data plane shutdown incomplete", "err", err)
		}
		close(done)
	}()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown incomplete", "err", err)
	}
	<-done
	clients.CloseIdle()
	return nil
}

// openListeners opens the admin listener and the data-plane listeners.
// The HTTPS listener takes each connection's certificate and policy from
// serverNames by SNI, else its own from the local CA.
func openListeners(s config.Settings, serverNames *sni.Table) (net.Listener, []dataListener, error) {
	ln, err := net.Listen("tcp", s.AdminAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("management listener: %w", err)
	}
	var data []dataListener
	closeAll := func() {
		ln.Close()
		for _, d := range data {
			d.ln.Close()
		}
	}
	if s.HTTPSAddr != "" {
		tlsCfg, caPath, err := tlscert.Ensure(filepath.Join(s.DataDir, "tls"), tlscert.DefaultNames)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		dl, err := net.Listen("tcp", s.HTTPSAddr)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("https listener: %w", err)
		}
		data = append(data, dataListener{ln: tls.NewListener(dl, serverNames.Config(tlsCfg)), scheme: "https", addr: dl.Addr().String(), ca: caPath})
	}
	if s.HTTPAddr != "" {
		dl, err := net.Listen("tcp", s.HTTPAddr)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("http listener: %w", err)
		}
		data = append(data, dataListener{ln: dl, scheme: "http", addr: dl.Addr().String()})
	}
	return ln, data, nil
}

// listenersHandler answers the data-plane base URLs, for `tollgate import`
// to print invoke URLs.
func listenersHandler(data []dataListener, accountID string) http.HandlerFunc {
	urls := []string{}
	for _, d := range data {
		urls = append(urls, d.scheme+"://"+d.addr)
	}
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"dataPlane": urls, "accountId": accountID})
	}
}

// invokeBase is the base URL generated SDKs call (GetSdk): the HTTPS
// listener's, else the HTTP one's, at the host the SDK was asked from.
func invokeBase(listeners []dataListener, host string) string {
	for _, scheme := range []string{"https", "http"} {
		for _, d := range listeners {
			if d.scheme == scheme {
				return scheme + "://" + net.JoinHostPort(host, portOf(d.addr))
			}
		}
	}
	return ""
}

// dataListener is one data-plane listener, for the banner.
type dataListener struct {
	ln     net.Listener
	scheme string
	addr   string
	ca     string
}

func newLogger(w interface{ Write([]byte) (int, error) }, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// openStore opens the configured store and describes it for the banner.
func openStore(ctx context.Context, s config.Settings, log *slog.Logger) (store.Store, string, error) {
	if path, ok := sqlitePath(s); ok {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, "", fmt.Errorf("store: %w", err)
		}
		return st, "sqlite " + path, nil
	}
	if clusterStore(s.Store) {
		return openPostgres(ctx, s, log)
	}
	return nil, "", fmt.Errorf("store %q: want sqlite:PATH or postgres://…", s.Store)
}

func printBanner(env Env, s config.Settings, adminAddr, storeDesc, sharedDesc string, cred credentials.Source, data []dataListener, access opsAccess) {
	w := env.Stdout
	if abs, err := filepath.Abs(cred.Path); err == nil && cred.Path != "" {
		cred.Path = abs
	}
	fmt.Fprintf(w, "tollgate %s\n", VersionString())
	fmt.Fprintf(w, "  management API  http://%s  (SigV4, region %s, account %s)\n", adminAddr, s.Region, s.AccountID)
	switch {
	case cred.Path == "":
		fmt.Fprintln(w, "  credentials     from TOLLGATE_ACCESS_KEY_ID / TOLLGATE_SECRET_ACCESS_KEY")
	case cred.Generated:
		fmt.Fprintf(w, "  credentials     generated into %s (profile %s)\n", cred.Path, credentials.Profile)
	default:
		fmt.Fprintf(w, "  credentials     %s (profile %s)\n", cred.Path, credentials.Profile)
	}
	fmt.Fprintf(w, "  store           %s\n", storeDesc)
	fmt.Fprintf(w, "  shared state    %s\n", sharedDesc)
	fmt.Fprintf(w, "  health          http://%s/healthz   metrics http://%s/metrics (%s)\n", adminAddr, adminAddr, access.Describe())
	if s.Console {
		fmt.Fprintf(w, "  console: http://%s%s\n", adminAddr, console.Prefix)
	}
	if s.PProf {
		fmt.Fprintf(w, "  profiler        http://%s/debug/pprof/ (as /metrics)\n", adminAddr)
	}
	for _, d := range data {
		fmt.Fprintf(w, "  data plane      %s://%s\n", d.scheme, d.addr)
		fmt.Fprintf(w, "                    invoke %s://%s/_aws/execute-api/{apiId}/{stage}/{path}\n", d.scheme, d.addr)
		fmt.Fprintf(w, "                    or     %s://{apiId}.execute-api.localhost:%s/{stage}/{path} (Host header)\n", d.scheme, portOf(d.addr))
		if d.ca != "" {
			if abs, err := filepath.Abs(d.ca); err == nil {
				d.ca = abs
			}
			fmt.Fprintf(w, "                    CA     %s\n", d.ca)
		}
	}
	if cred.Path != "" {
		// The AWS CLI v1 reads only AWS_DEFAULT_REGION; v2 and the SDKs read AWS_REGION first.
		fmt.Fprintf(w, "\n  export AWS_SHARED_CREDENTIALS_FILE=%s AWS_PROFILE=%s AWS_REGION=%s AWS_DEFAULT_REGION=%s\n",
			cred.Path, credentials.Profile, s.Region, s.Region)
		fmt.Fprintf(w, "  aws apigateway get-rest-apis --endpoint-url http://%s\n", adminAddr)
	}
}

func portOf(addr string) string {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return p
}

// writeStageStatus reports what the data plane serves and which stages
// failed to compile (the previous version of those keeps serving).
func writeStageStatus(w http.ResponseWriter, door *front.Door, watcher *deploy.Watcher) {
	type stage struct {
		API        string  `json:"apiId"`
		Stage      string  `json:"stage"`
		Deployment string  `json:"deploymentId"`
		Routes     int     `json:"routes"`
		Canary     string  `json:"canaryDeploymentId,omitempty"`
		Percent    float64 `json:"canaryPercent,omitempty"`
	}
	out := struct {
		Stages   []stage           `json:"stages"`
		Failures map[string]string `json:"compileFailures"`
	}{Stages: []stage{}, Failures: watcher.Failures()}
	door.Each(func(_, _ string, t pipeline.Target) {
		switch st := t.(type) {
		case *rest.Stage:
			s := stage{API: st.APIID, Stage: st.Name, Deployment: st.Deployment.ID, Routes: st.Deployment.NumRoutes}
			if st.Canary != nil {
				s.Canary, s.Percent = st.Canary.ID, st.CanaryPercent
			}
			out.Stages = append(out.Stages, s)
		case *httpapi.Stage:
			s := stage{API: st.APIID, Stage: st.Name}
			if d := st.Deployment; d != nil {
				s.Deployment, s.Routes = d.ID, len(d.RouteList)
			}
			out.Stages = append(out.Stages, s)
		case *wsapi.Stage:
			s := stage{API: st.APIID, Stage: st.Name}
			if d := st.Deployment; d != nil {
				s.Deployment, s.Routes = d.ID, len(d.RouteList)
			}
			out.Stages = append(out.Stages, s)
		}
	})
	sort.Slice(out.Stages, func(i, j int) bool {
		return out.Stages[i].API+"/"+out.Stages[i].Stage < out.Stages[j].API+"/"+out.Stages[j].Stage
	})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// newLambdaService builds the Lambda service: stored functions, the
// --function registrations and the remote endpoint.
func newLambdaService(ctx context.Context, s config.Settings, st store.Store, log *slog.Logger, logs runtime.CloudLogs) (*lambda.Service, error) {
	var remote *lambda.Remote
	if s.LambdaEndpoint != "" {
		var err error
		if remote, err = lambda.NewRemote(ctx, s.LambdaEndpoint, s.Region); err != nil {
			return nil, err
		}
	}
	svc := lambda.New(lambda.Config{
		Store: st, CodeDir: filepath.Join(s.DataDir, "lambda"), Region: s.Region, AccountID: s.AccountID,
		Log: log.With("component", "lambda"), Remote: remote, Interpreters: s.LambdaInterpreters, Logs: logs,
		ShareCode: s.Cluster(), RoleCredentials: roleCredentials(s.IAMUsers),
	})
	for _, f := range s.Functions {
		name, path, _ := strings.Cut(f, "=")
		if err := svc.RegisterLocal(name, path); err != nil {
			return nil, fmt.Errorf("--function %s", err)
		}
	}
	return svc, nil
}
