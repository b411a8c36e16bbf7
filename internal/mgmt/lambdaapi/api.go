// Package lambdaapi serves the subset of the AWS Lambda API (2015-03-31,
// REST-JSON, SigV4 service "lambda") that drives Tollgate's local
// functions: CreateFunction, GetFunction, GetFunctionConfiguration,
// ListFunctions, UpdateFunctionCode, UpdateFunctionConfiguration,
// DeleteFunction, Put/Get/DeleteFunctionConcurrency, Invoke
// (RequestResponse, Event, DryRun), InvokeWithResponseStream (an event
// stream of the function's response as it writes it), PublishVersion, ListVersionsByFunction
// and Create/Get/Update/Delete/ListAliases, with qualifiers (versions,
// aliases) wherever Lambda takes them.
//
// Paths, status codes, header bindings and shapes follow the service model
// (botocore lambda/2015-03-31); error types, messages and body members
// follow what Lambda answers ({"Type":"User","message":…}, or "Message" for
// ResourceNotFoundException), as recorded against AWS.
//
// Differences from Lambda, by design:
//   - Functions registered with --function have $LATEST only.
//   - Code comes only as Code.ZipFile; S3 and container images are refused.
//   - A new function is Active at once (Lambda reports Pending first).
//   - GetFunction's Code.Location is a file:// URL of the stored zip.
package lambdaapi

import (
	"context"
	"net/http"
	"regexp"

	"github.com/tollgate/tollgate/internal/lambda"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// Service is the SigV4 signing name of these operations.
const Service = "lambda"

// Functions is what the operations need from the Lambda service.
type Functions interface {
	Create(ctx context.Context, fn lambda.Function, zip []byte, tags map[string]string) (lambda.Function, error)
	Get(ctx context.Context, ref string) (lambda.Function, error)
	List(ctx context.Context) ([]lambda.Function, error)
	Update(ctx context.Context, ref string, zip []byte, edit func(*lambda.Function) error) (lambda.Function, error)
	SetConcurrency(ctx context.Context, ref string, reserved *int) (lambda.Function, error)
	Delete(ctx context.Context, ref string) error
	InvokeFunction(ctx context.Context, ref string, payload []byte, inv lambda.Invocation) (lambda.Result, error)
	InvokeAsync(ctx context.Context, ref string, payload []byte, inv lambda.Invocation) error
	InvokeFunctionStream(ctx context.Context, ref string, payload []byte, inv lambda.Invocation) (lambda.StreamResult, error)

	Resolve(ctx context.Context, ref string) (lambda.Target, error)
	PublishVersion(ctx context.Context, ref, description string, check func(*lambda.Function) error) (lambda.Function, error)
	ListVersions(ctx context.Context, ref string) ([]lambda.Function, error)
	DeleteVersion(ctx context.Context, ref, version string) error
	CreateAlias(ctx context.Context, ref string, a lambda.Alias) (lambda.Alias, error)
	GetAlias(ctx context.Context, ref, alias string) (lambda.Alias, error)
	UpdateAlias(ctx context.Context, ref, alias string, edit func(*lambda.Alias) error) (lambda.Alias, error)
	DeleteAlias(ctx context.Context, ref, alias string) error
	ListAliases(ctx context.Context, ref, version string) ([]lambda.Alias, error)
}

var _ Functions = (*lambda.Service)(nil)

// Config configures the operations.
type Config struct {
	Functions Functions
	Region    string
	AccountID string
}

// API serves the Lambda operations.
type API struct {
	fns       Functions
	region    string
	accountID string
}

// New returns the operations bound to cfg.
func New(cfg Config) *API {
	return &API{fns: cfg.Functions, region: cfg.Region, accountID: cfg.AccountID}
}

// Request body limits Lambda enforces before looking at a request.
const (
	// maxCreateRequest is the largest CreateFunction or UpdateFunctionCode
	// request (a 50 MB zip in base64 inside JSON).
	maxCreateRequest = 70167211
)

// Register adds every operation to rt.
func (a *API) Register(rt *restjson.Router) {
	const (
		ok      = http.StatusOK
		created = http.StatusCreated
		noBody  = http.StatusNoContent
		fn      = "/2015-03-31/functions/{FunctionName}"
	)
	routes := []struct {
		pattern, name string
		status        int
		h             restjson.Handler
		maxBody       int64
	}{
		{"POST /2015-03-31/functions", "CreateFunction", created, a.createFunction, maxCreateRequest},
		// Older SDK models (AWS CLI v2 before 2024) list with a trailing slash.
		{"GET /2015-03-31/functions", "ListFunctions", ok, a.listFunctions, 0},
		{"GET /2015-03-31/functions/{$}", "ListFunctions", ok, a.listFunctions, 0},
		{"GET " + fn, "GetFunction", ok, a.getFunction, 0},
		{"GET " + fn + "/configuration", "GetFunctionConfiguration", ok, a.getFunctionConfiguration, 0},
		{"PUT " + fn + "/code", "UpdateFunctionCode", ok, a.updateFunctionCode, maxCreateRequest},
		{"PUT " + fn + "/configuration", "UpdateFunctionConfiguration", ok, a.updateFunctionConfiguration, 0},
		{"DELETE " + fn, "DeleteFunction", noBody, a.deleteFunction, 0},
		{"PUT /2017-10-31/functions/{FunctionName}/concurrency", "PutFunctionConcurrency", ok, a.putFunctionConcurrency, 0},
		{"DELETE /2017-10-31/functions/{FunctionName}/concurrency", "DeleteFunctionConcurrency", noBody, a.deleteFunctionConcurrency, 0},
		{"GET /2019-09-30/functions/{FunctionName}/concurrency", "GetFunctionConcurrency", ok, a.getFunctionConcurrency, 0},
		{"POST " + fn + "/invocations", "Invoke", ok, a.invoke, runtime.MaxRequestPayload},
		{"POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations", "InvokeWithResponseStream", ok, a.invokeWithResponseStream, runtime.MaxRequestPayload},
		{"POST " + fn + "/versions", "PublishVersion", created, a.publishVersion, 0},
		{"GET " + fn + "/versions", "ListVersionsByFunction", ok, a.listVersionsByFunction, 0},
		{"POST " + fn + "/aliases", "CreateAlias", created, a.createAlias, 0},
		{"GET " + fn + "/aliases", "ListAliases", ok, a.listAliases, 0},
		{"GET " + fn + "/aliases/{Name}", "GetAlias", ok, a.getAlias, 0},
		{"PUT " + fn + "/aliases/{Name}", "UpdateAlias", ok, a.updateAlias, 0},
		{"DELETE " + fn + "/aliases/{Name}", "DeleteAlias", noBody, a.deleteAlias, 0},
	}
	for _, r := range routes {
		op := restjson.Op{Name: r.name, Service: Service, Status: r.status, Handler: r.h, MaxBody: r.maxBody}
		switch {
		case r.name == "Invoke":
			op.TooLarge = errRequestTooLarge("InvokeFunction", runtime.MaxRequestPayload)
		case r.maxBody > 0:
			op.TooLarge = errRequestTooLarge(r.name, r.maxBody)
		}
		rt.Handle(r.pattern, op)
	}
}

// arn returns a function's ARN (with ":qualifier" when not empty).
func (a *API) arn(name, qualifier string) string {
	s := "arn:aws:lambda:" + a.region + ":" + a.accountID + ":function:" + name
	if qualifier != "" {
		s += ":" + qualifier
	}
	return s
}

// functionNamePattern is FunctionName's pattern in the service model (the
// NamespacedFunctionName variant, which also allows dots).
const functionNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`

var functionNameRE = regexp.MustCompile(`^` + functionNamePattern + `$`)

// createNamePattern is CreateFunction's FunctionName pattern: no dots.
const createNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

var createNameRE = regexp.MustCompile(`^` + createNamePattern + `$`)

// ref is a parsed FunctionName: a name, a partial ARN or an ARN, with an
// optional qualifier.
type ref struct {
	name, qualifier string
	region, account string
}

// parseRef validates a FunctionName path parameter and the Qualifier query
// parameter as Lambda does.
func (a *API) parseRef(r *restjson.Request) (ref, error) {
	raw := r.Path("FunctionName")
	var v validation
	if len(raw) > 140 {
		v.maxLen(raw, "functionName", 140)
	} else if !functionNameRE.MatchString(raw) {
		v.pattern(raw, "functionName", functionNamePattern)
	}
	if err := v.err(); err != nil {
		return ref{}, err
	}
	m := functionNameRE.FindStringSubmatch(raw)
	out := ref{name: m[11], qualifier: m[13]}
	if m[3] != "" {
		out.region = m[3][:len(m[3])-1]
	}
	if m[9] != "" {
		out.account = m[9][:len(m[9])-1]
	}
	if q, ok := r.Query("Qualifier"); ok {
		if out.qualifier != "" && out.qualifier != q {
			return ref{}, invalidParameter("The derived qualifier from the function name does not match the specified qualifier.")
		}
		out.qualifier = q
	}
	if out.region != "" && out.region != a.region {
		return ref{}, notFound("Functions from '" + out.region + "' are not reachable in this region ('" + a.region + "')")
	}
	if out.account != "" && out.account != a.accountID {
		return ref{}, accessDenied()
	}
	return out, nil
}

// resolve parses the function reference and loads what it names: $LATEST,
// a version, or an alias's version, whose FunctionArn is then the ARN as
// named (…:function:f:live) [V].
func (a *API) resolve(ctx context.Context, r *restjson.Request) (ref, lambda.Function, error) {
	fr, err := a.parseRef(r)
	if err != nil {
		return fr, lambda.Function{}, err
	}
	t, err := a.fns.Resolve(ctx, fr.qualified())
	if err != nil {
		return fr, lambda.Function{}, a.mapErr(err, fr)
	}
	fn := t.Function
	if fr.qualifier != "" {
		fn.FunctionArn = a.arn(fr.name, fr.qualifier)
	}
	return fr, fn, nil
}
