// Package config resolves Tollgate's settings: a flag wins over its
// environment variable, which wins over the YAML config file, which wins over
// the default (see CONTRACT.md).
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Settings are the resolved `tollgate serve` settings.
type Settings struct {
	ConfigFile string
	DataDir    string
	AdminAddr  string
	HTTPSAddr  string
	HTTPAddr   string
	Region     string
	AccountID  string
	Store      string
	RedisURL   string
	// RedisFailMode is what shared state does while Redis does not
	// answer: "open" (each node enforces throttles and quotas on its
	// own, the response cache misses) or "closed" (503).
	RedisFailMode string
	// RedisTimeout bounds each Redis call (a duration, "100ms"): the
	// latency a Redis that stopped answering adds to a request.
	RedisTimeout string
	// ClusterKey (64 hex characters, the same on every node) unlocks the
	// secrets a cluster keeps in its store. Required with a cluster
	// store, refused without one.
	ClusterKey string
	// NodeName names this node in the cluster view (default: the host
	// name and the admin listener's address).
	NodeName       string
	Functions      []string
	LambdaEndpoint string
	LogLevel       string
	// S3Dir stands in for S3 in configuration: s3://bucket/key is read
	// from S3Dir/bucket/key (mutual TLS truststores). Empty means
	// <data-dir>/s3 (see S3Path).
	S3Dir string
	// PProf serves Go's profiler under /debug/pprof/ on the admin listener.
	PProf bool
	// NoDataPlaneMetrics leaves the data plane's requests out of /metrics
	// (the apigateway_* families and the per-stage tollgate_* ones).
	NoDataPlaneMetrics bool
	// Console serves the web console under /_tollgate/console/ (default
	// on); PortalPublic opens its developer portal without sign-in.
	Console      bool
	PortalPublic bool
	// MetricsToken, when set, is the bearer token that /metrics,
	// /_tollgate/* and /debug/pprof/ accept (besides a SigV4 signature with
	// the management credentials), wherever the admin listener is bound.
	MetricsToken string
	// PrivateNetworks stand in for VPC endpoints: "NAME=CIDR[,CIDR…]"
	// (flag --private-network, repeatable) plus the config file's
	// private-networks.
	PrivateNetworks []PrivateNetwork
	// CognitoIssuers map a user pool id (or ARN) to the issuer URL its
	// tokens come from ("POOL=URL", flag --cognito-issuer).
	CognitoIssuers map[string]string
	// IAMUsers may call AWS_IAM methods (config file only: they carry
	// secrets).
	IAMUsers []IAMUser
	// Imports are OpenAPI files imported and deployed at start-up
	// (--import, repeatable), to stage ImportStage.
	Imports     []string
	ImportStage string
	// Templates are SAM/CloudFormation templates or CDK cloud assemblies
	// created at start-up and reloaded when they or their code change
	// (--template, repeatable), with the stack name, parameter overrides
	// (--parameter-overrides, SAM CLI's spellings) and samconfig.toml.
	Templates          []string
	StackName          string
	ParameterOverrides []string
	SAMConfigFile      string
	SAMConfigEnv       string
	EnvVars            string

	// AuditLog, when set, is where every audit event is also written as a
	// JSON line: a file, or "-"/"stdout". AuditRetentionDays is how long
	// the store keeps events (observe.go).
	AuditLog           string
	AuditRetentionDays string
	// LogsMaxMB bounds the CloudWatch Logs stand-in's stored events.
	LogsMaxMB string
	// OTLPEndpoint is the OTLP/HTTP collector that receives traced
	// stages' spans (a base URL; observe.go); TraceSampling is the share
	// of traces sampled when the caller made no decision (0 to 1).
	OTLPEndpoint  string
	TraceSampling string

	// LambdaInterpreters map Lambda runtime names or families to local
	// interpreters ("RUNTIME=PATH", flag --lambda-interpreter, config key
	// lambda-interpreters): nodejs22.x=/opt/node22/bin/node, python3=python3.13.
	LambdaInterpreters map[string]string
}

// PrivateNetwork is a named set of address ranges that may call PRIVATE
// APIs, reported to resource policies as aws:SourceVpce (and aws:SourceVpc).
type PrivateNetwork struct {
	Name  string   `yaml:"name"`
	VPC   string   `yaml:"vpc"`
	CIDRs []string `yaml:"cidrs"`
}

// IAMUser is an IAM-style user for AWS_IAM methods.
type IAMUser struct {
	Name            string `yaml:"name"`
	AccountID       string `yaml:"account-id"`
	AccessKeyID     string `yaml:"access-key-id"`
	SecretAccessKey string `yaml:"secret-access-key"`
	// Policies are identity policies: JSON strings or YAML mappings.
	Policies []any `yaml:"policies"`
	// ExecutionRoles are Lambda execution role ARNs this user stands for:
	// local functions created with one of them run with the user's keys
	// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), as Lambda gives a
	// function its role's credentials.
	ExecutionRoles []string `yaml:"execution-roles"`
}

// PolicyDocuments returns the user's policies as JSON documents.
func (u IAMUser) PolicyDocuments() ([]string, error) {
	var out []string
	for i, p := range u.Policies {
		if s, ok := p.(string); ok {
			out = append(out, s)
			continue
		}
		b, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("iam-users %s: policy %d: %w", u.Name, i+1, err)
		}
		out = append(out, string(b))
	}
	return out, nil
}

// setting describes one scalar setting.
type setting struct {
	flag, env, def, usage string
	dst                   func(*Settings) *string
}

var settings = []setting{
	{"data-dir", "TOLLGATE_DATA_DIR", "./tollgate-data", "directory for the embedded store, generated CA, certificates and credentials", func(s *Settings) *string { return &s.DataDir }},
	{"admin-addr", "TOLLGATE_ADMIN_ADDR", "127.0.0.1:4566", "management API (AWS wire protocol), /healthz and /metrics", func(s *Settings) *string { return &s.AdminAddr }},
	{"https-addr", "TOLLGATE_HTTPS_ADDR", ":8443", "data plane over TLS", func(s *Settings) *string { return &s.HTTPSAddr }},
	{"http-addr", "TOLLGATE_HTTP_ADDR", "", "plain-HTTP data plane (off when empty)", func(s *Settings) *string { return &s.HTTPAddr }},
	{"region", "TOLLGATE_REGION", "us-east-1", "region in ARNs and signatures", func(s *Settings) *string { return &s.Region }},
	{"account-id", "TOLLGATE_ACCOUNT_ID", "000000000000", "account id in ARNs", func(s *Settings) *string { return &s.AccountID }},
	{"store", "TOLLGATE_STORE", "", "store URL (default: SQLite file in the data dir; postgres://… for a cluster)", func(s *Settings) *string { return &s.Store }},
	{"redis", "TOLLGATE_REDIS_URL", "", "redis://… for shared state (default: in memory)", func(s *Settings) *string { return &s.RedisURL }},
	{"redis-fail-mode", "TOLLGATE_REDIS_FAIL_MODE", "open", "what throttles, quotas, the stage cache and @connections do while Redis does not answer: open (each node limits on its own, the cache misses, @connections reaches this node's connections only) or closed (503)", func(s *Settings) *string { return &s.RedisFailMode }},
	{"redis-timeout", "TOLLGATE_REDIS_TIMEOUT", "100ms", "how long a request waits for Redis before the fail mode applies (then Redis is left alone for a second)", func(s *Settings) *string { return &s.RedisTimeout }},
	{"cluster-key", "TOLLGATE_CLUSTER_KEY", "", "64 hex characters, the same on every node of a cluster: unlocks the secrets kept in the store (required with --store postgres://…); prefer the env or the config file, a flag shows in ps", func(s *Settings) *string { return &s.ClusterKey }},
	{"node-name", "TOLLGATE_NODE_NAME", "", "this node's name in /_tollgate/cluster (default: host name and admin address)", func(s *Settings) *string { return &s.NodeName }},
	{"lambda-endpoint", "TOLLGATE_LAMBDA_ENDPOINT", "", "where functions that are not local are invoked", func(s *Settings) *string { return &s.LambdaEndpoint }},
	{"log-level", "TOLLGATE_LOG_LEVEL", "info", "log level: debug, info, warn or error", func(s *Settings) *string { return &s.LogLevel }},
	{"s3-dir", "TOLLGATE_S3_DIR", "", "local stand-in for S3 URIs in configuration: s3://bucket/key is read from DIR/bucket/key (default: <data-dir>/s3)", func(s *Settings) *string { return &s.S3Dir }},
	{"audit-log", "TOLLGATE_AUDIT_LOG", "", "also write every management call's audit event as a JSON line to FILE, or to stdout for -", func(s *Settings) *string { return &s.AuditLog }},
	{"audit-retention-days", "TOLLGATE_AUDIT_RETENTION_DAYS", "90", "days the store keeps audit events (LookupEvents)", func(s *Settings) *string { return &s.AuditRetentionDays }},
	{"logs-max-mb", "TOLLGATE_LOGS_MAX_MB", "64", "megabytes of log events the CloudWatch Logs stand-in keeps (the oldest go first)", func(s *Settings) *string { return &s.LogsMaxMB }},
	{"otlp-endpoint", "TOLLGATE_OTLP_ENDPOINT", "", "OTLP/HTTP collector for the spans of traced stages, e.g. http://127.0.0.1:4318 (default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT; no tracing without one)", func(s *Settings) *string { return &s.OTLPEndpoint }},
	{"trace-sampling", "TOLLGATE_TRACE_SAMPLING", "1", "share of a traced stage's requests sampled when the caller made no decision, 0 to 1", func(s *Settings) *string { return &s.TraceSampling }},
	{"metrics-token", "TOLLGATE_METRICS_TOKEN", "", "bearer token for /metrics, /_tollgate/* and /debug/pprof/ (default: open on a loopback admin listener, SigV4 otherwise); prefer the env or the config file, a flag shows in ps", func(s *Settings) *string { return &s.MetricsToken }},
}

// boolSetting describes one on/off setting: a flag that stands alone
// (--pprof) or takes a value (--pprof=false), an environment variable and
// a config key holding true or false. The default is false.
type boolSetting struct {
	flag, env, usage string
	dst              func(*Settings) *bool
	def              bool
}

var boolSettings = []boolSetting{
	{"pprof", "TOLLGATE_PPROF", "serve Go's profiler at /debug/pprof/ on the admin listener, behind the same access rule as /metrics", func(s *Settings) *bool { return &s.PProf }, false},
	{"no-data-plane-metrics", "TOLLGATE_NO_DATA_PLANE_METRICS", "do not count the data plane's requests in /metrics (apigateway_* and the per-stage tollgate_* families)", func(s *Settings) *bool { return &s.NoDataPlaneMetrics }, false},
	{"console", "TOLLGATE_CONSOLE", "serve the web console at /_tollgate/console/ on the admin listener (sign-in with the management access key)", func(s *Settings) *bool { return &s.Console }, true},
	{"portal-public", "TOLLGATE_PORTAL_PUBLIC", "open the console's developer portal (/_tollgate/console/portal/) without sign-in", func(s *Settings) *bool { return &s.PortalPublic }, false},
}

// MinMetricsTokenLen is the shortest accepted --metrics-token.
const MinMetricsTokenLen = 16

// fileSettings is the YAML config file: the same names as the flags.
type fileSettings struct {
	DataDir        *string  `yaml:"data-dir"`
	AdminAddr      *string  `yaml:"admin-addr"`
	HTTPSAddr      *string  `yaml:"https-addr"`
	HTTPAddr       *string  `yaml:"http-addr"`
	Region         *string  `yaml:"region"`
	AccountID      *string  `yaml:"account-id"`
	Store          *string  `yaml:"store"`
	Redis          *string  `yaml:"redis"`
	RedisFailMode  *string  `yaml:"redis-fail-mode"`
	RedisTimeout   *string  `yaml:"redis-timeout"`
	ClusterKey     *string  `yaml:"cluster-key"`
	NodeName       *string  `yaml:"node-name"`
	LambdaEndpoint *string  `yaml:"lambda-endpoint"`
	LogLevel       *string  `yaml:"log-level"`
	MetricsToken   *string  `yaml:"metrics-token"`
	S3Dir          *string  `yaml:"s3-dir"`
	AuditLog       *string  `yaml:"audit-log"`
	AuditRetention *string  `yaml:"audit-retention-days"`
	LogsMaxMB      *string  `yaml:"logs-max-mb"`
	OTLPEndpoint   *string  `yaml:"otlp-endpoint"`
	TraceSampling  *string  `yaml:"trace-sampling"`
	PProf          *bool    `yaml:"pprof"`
	NoDPMetrics    *bool    `yaml:"no-data-plane-metrics"`
	Console        *bool    `yaml:"console"`
	PortalPublic   *bool    `yaml:"portal-public"`
	Functions      []string `yaml:"functions"`

	PrivateNetworks []PrivateNetwork  `yaml:"private-networks"`
	CognitoIssuers  map[string]string `yaml:"cognito-issuers"`
	IAMUsers        []IAMUser         `yaml:"iam-users"`

	LambdaInterpreters map[string]string `yaml:"lambda-interpreters"`
}

func (f *fileSettings) get(name string) *string {
	switch name {
	case "data-dir":
		return f.DataDir
	case "admin-addr":
		return f.AdminAddr
	case "https-addr":
		return f.HTTPSAddr
	case "http-addr":
		return f.HTTPAddr
	case "region":
		return f.Region
	case "account-id":
		return f.AccountID
	case "store":
		return f.Store
	case "redis":
		return f.Redis
	case "redis-fail-mode":
		return f.RedisFailMode
	case "redis-timeout":
		return f.RedisTimeout
	case "cluster-key":
		return f.ClusterKey
	case "node-name":
		return f.NodeName
	case "lambda-endpoint":
		return f.LambdaEndpoint
	case "log-level":
		return f.LogLevel
	case "metrics-token":
		return f.MetricsToken
	case "s3-dir":
		return f.S3Dir
	case "audit-log":
		return f.AuditLog
	case "audit-retention-days":
		return f.AuditRetention
	case "logs-max-mb":
		return f.LogsMaxMB
	case "otlp-endpoint":
		return f.OTLPEndpoint
	case "trace-sampling":
		return f.TraceSampling
	}
	return nil
}

func (f *fileSettings) getBool(name string) *bool {
	switch name {
	case "pprof":
		return f.PProf
	case "no-data-plane-metrics":
		return f.NoDPMetrics
	case "console":
		return f.Console
	case "portal-public":
		return f.PortalPublic
	}
	return nil
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// ErrHelp is returned when -h/--help was asked for; usage has been printed.
var ErrHelp = flag.ErrHelp

// Load resolves settings from args (after the subcommand), the environment
// (getenv) and the config file they name.
func Load(args []string, getenv func(string) string, usage io.Writer) (Settings, error) {
	fs := flag.NewFlagSet("tollgate serve", flag.ContinueOnError)
	fs.SetOutput(usage)
	var s Settings
	flagVals := map[string]*string{}
	for _, st := range settings {
		flagVals[st.flag] = fs.String(st.flag, "", st.usage+" (env "+st.env+", default "+quoteDefault(st.def)+")")
	}
	boolVals := map[string]*bool{}
	for _, st := range boolSettings {
		boolVals[st.flag] = fs.Bool(st.flag, st.def, st.usage+" (env "+st.env+", default "+strconv.FormatBool(st.def)+")")
	}
	configFlag := fs.String("config", "", "YAML file with any of these settings (env TOLLGATE_CONFIG)")
	var functions, networks, issuers multi
	fs.Var(&functions, "function", "NAME=PATH[,runtime=R][,handler=H][,timeout=S][,memory=MB]: register a local Lambda function: an executable, a directory with a bootstrap, or with runtime=nodejs*/python3.* a directory of code (repeatable; reloaded when its files change)")
	var interpreters multi
	fs.Var(&interpreters, "lambda-interpreter", "RUNTIME=PATH: the interpreter that runs a Lambda runtime name or family, e.g. nodejs22.x=/opt/node22/bin/node or python3=/usr/bin/python3.13 (repeatable; default node, python3.X or python3 on the PATH)")
	fs.Var(&networks, "private-network", "NAME=CIDR[,CIDR...]: a private network (stand-in VPC endpoint NAME) that may call PRIVATE APIs (repeatable)")
	fs.Var(&issuers, "cognito-issuer", "POOL=URL: the OIDC issuer serving a Cognito user pool's tokens (repeatable)")
	var imports multi
	fs.Var(&imports, "import", "FILE: import an OpenAPI/Swagger file with API Gateway extensions at start-up and deploy it (repeatable)")
	importStage := fs.String("import-stage", "dev", "the stage --import deploys to")
	var templates, overrides multi
	fs.Var(&templates, "template", "FILE|DIR: a SAM or CloudFormation template (YAML or JSON) or a CDK cloud assembly (cdk.out) to create at start-up and reload when it or its code changes (repeatable)")
	stackName := fs.String("stack-name", "", "the --template stack's name (AWS::StackName; default: samconfig.toml's stack_name, else the template directory's name)")
	fs.Var(&overrides, "parameter-overrides", "Key=Value …: template parameter values, as SAM CLI takes them (also ParameterKey=K,ParameterValue=V and file://params.json; repeatable)")
	samConfig := fs.String("config-file", "samconfig.toml", "the samconfig.toml beside the template that --template reads stack_name and parameter_overrides from")
	samEnv := fs.String("config-env", "default", "the samconfig.toml environment")
	envVars := fs.String("env-vars", "", `JSON file overriding --template functions' environment variables: {"FunctionLogicalId": {"VAR": "v"}, "Parameters": {"VAR": "v"}} (as SAM CLI's --env-vars)`)
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if fs.NArg() > 0 {
		return s, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	s.ConfigFile = *configFlag
	if !set["config"] {
		s.ConfigFile = getenv("TOLLGATE_CONFIG")
	}
	var file fileSettings
	if s.ConfigFile != "" {
		if err := readFile(s.ConfigFile, &file); err != nil {
			return s, err
		}
	}
	for _, st := range settings {
		dst := st.dst(&s)
		switch {
		case set[st.flag]:
			*dst = *flagVals[st.flag]
		case getenv(st.env) != "":
			*dst = getenv(st.env)
		case file.get(st.flag) != nil:
			*dst = *file.get(st.flag)
		default:
			*dst = st.def
		}
	}
	for _, st := range boolSettings {
		dst := st.dst(&s)
		switch {
		case set[st.flag]:
			*dst = *boolVals[st.flag]
		case getenv(st.env) != "":
			v, err := strconv.ParseBool(getenv(st.env))
			if err != nil {
				return s, fmt.Errorf("%s=%q: want true or false", st.env, getenv(st.env))
			}
			*dst = v
		case file.getBool(st.flag) != nil:
			*dst = *file.getBool(st.flag)
		default:
			*dst = st.def
		}
	}
	s.Functions = functions
	if len(s.Functions) == 0 {
		s.Functions = file.Functions
	}
	s.LambdaInterpreters = file.LambdaInterpreters
	if len(interpreters) > 0 {
		s.LambdaInterpreters = map[string]string{}
		for _, kv := range interpreters {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" || v == "" {
				return s, fmt.Errorf("--lambda-interpreter %q: want RUNTIME=PATH", kv)
			}
			s.LambdaInterpreters[k] = v
		}
	}
	s.PrivateNetworks = file.PrivateNetworks
	for _, n := range networks {
		name, cidrs, ok := strings.Cut(n, "=")
		if !ok || name == "" || cidrs == "" {
			return s, fmt.Errorf("--private-network %q: want NAME=CIDR[,CIDR...]", n)
		}
		s.PrivateNetworks = append(s.PrivateNetworks, PrivateNetwork{Name: name, CIDRs: strings.Split(cidrs, ",")})
	}
	s.CognitoIssuers = map[string]string{}
	for k, v := range file.CognitoIssuers {
		s.CognitoIssuers[k] = v
	}
	for _, is := range issuers {
		pool, u, ok := strings.Cut(is, "=")
		if !ok || pool == "" || u == "" {
			return s, fmt.Errorf("--cognito-issuer %q: want POOL=URL", is)
		}
		s.CognitoIssuers[pool] = u
	}
	s.IAMUsers = file.IAMUsers
	s.Imports, s.ImportStage = imports, *importStage
	s.Templates, s.StackName, s.ParameterOverrides = templates, *stackName, overrides
	s.SAMConfigFile, s.SAMConfigEnv, s.EnvVars = *samConfig, *samEnv, *envVars
	return s, s.Validate()
}

// ParseCIDR parses "10.0.0.0/8" or a single address ("10.1.2.3").
func ParseCIDR(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, fmt.Errorf("%q: not a CIDR", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q: not an address or CIDR", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func quoteDefault(d string) string {
	if d == "" {
		return "empty"
	}
	return d
}

func readFile(path string, dst *fileSettings) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(dst); err != nil && !errors.Is(err, io.EOF) {
		// yaml reports several problems on several lines; keep one line.
		return fmt.Errorf("config file %s: %s", path, strings.Join(strings.Fields(err.Error()), " "))
	}
	return nil
}

// S3Path is the S3 stand-in directory: S3Dir, or <data-dir>/s3.
func (s Settings) S3Path() string {
	if s.S3Dir != "" {
		return s.S3Dir
	}
	return filepath.Join(s.DataDir, "s3")
}

// Validate checks every setting and returns the first problem as a
// one-line error.
func (s Settings) Validate() error {
	for name, addr := range map[string]string{"admin-addr": s.AdminAddr, "https-addr": s.HTTPSAddr, "http-addr": s.HTTPAddr} {
		if addr == "" && name != "admin-addr" {
			continue
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("--%s %q: want host:port", name, addr)
		}
	}
	if s.DataDir == "" {
		return errors.New("--data-dir must not be empty")
	}
	if len(s.AccountID) != 12 || strings.Trim(s.AccountID, "0123456789") != "" {
		return fmt.Errorf("--account-id %q: want 12 digits", s.AccountID)
	}
	if s.Region == "" || strings.ContainsAny(s.Region, " /:") {
		return fmt.Errorf("--region %q: not a region name", s.Region)
	}
	switch s.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", s.LogLevel)
	}
	if t := s.MetricsToken; t != "" {
		// Never echo the token itself.
		if len(t) < MinMetricsTokenLen || strings.IndexFunc(t, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
			return fmt.Errorf("--metrics-token: want at least %d printable ASCII characters without spaces", MinMetricsTokenLen)
		}
	}
	if err := s.validateCluster(); err != nil {
		return err
	}
	for _, f := range s.Functions {
		name, path, ok := strings.Cut(f, "=")
		if !ok || name == "" || path == "" {
			return fmt.Errorf("--function %q: want NAME=PATH", f)
		}
	}
	for _, n := range s.PrivateNetworks {
		if n.Name == "" || len(n.CIDRs) == 0 {
			return fmt.Errorf("private network %q: a name and at least one CIDR are required", n.Name)
		}
		for _, c := range n.CIDRs {
			if _, err := ParseCIDR(c); err != nil {
				return fmt.Errorf("private network %s: %w", n.Name, err)
			}
		}
	}
	if err := s.validateObserve(); err != nil {
		return err
	}
	for _, u := range s.IAMUsers {
		if u.Name == "" || u.AccessKeyID == "" || u.SecretAccessKey == "" {
			return fmt.Errorf("iam-users %q: name, access-key-id and secret-access-key are required", u.Name)
		}
		if _, err := u.PolicyDocuments(); err != nil {
			return err
		}
	}
	return nil
}
