package lambdaapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/lambda"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// functionConfiguration is Lambda's FunctionConfiguration as it reports a
// zip function on $LATEST.
type functionConfiguration struct {
	FunctionName     string              `json:"FunctionName"`
	FunctionArn      string              `json:"FunctionArn"`
	Runtime          string              `json:"Runtime,omitempty"`
	Role             string              `json:"Role,omitempty"`
	Handler          string              `json:"Handler,omitempty"`
	CodeSize         int64               `json:"CodeSize"`
	Description      string              `json:"Description"`
	Timeout          int                 `json:"Timeout"`
	MemorySize       int                 `json:"MemorySize"`
	LastModified     string              `json:"LastModified"`
	CodeSha256       string              `json:"CodeSha256"`
	Version          string              `json:"Version"`
	Environment      *lambda.Environment `json:"Environment,omitempty"`
	TracingConfig    map[string]string   `json:"TracingConfig"`
	RevisionID       string              `json:"RevisionId"`
	State            string              `json:"State"`
	LastUpdateStatus string              `json:"LastUpdateStatus"`
	PackageType      string              `json:"PackageType"`
	Architectures    []string            `json:"Architectures"`
	EphemeralStorage map[string]int      `json:"EphemeralStorage"`
	SnapStart        map[string]string   `json:"SnapStart"`
	LoggingConfig    map[string]string   `json:"LoggingConfig"`
}

func configuration(fn lambda.Function) functionConfiguration {
	return functionConfiguration{
		FunctionName: fn.FunctionName, FunctionArn: fn.FunctionArn, Runtime: fn.Runtime, Role: fn.Role,
		Handler: fn.Handler, CodeSize: fn.CodeSize, Description: fn.Description, Timeout: fn.Timeout,
		MemorySize: fn.MemorySize, LastModified: fn.LastModified, CodeSha256: fn.CodeSha256,
		Version: fn.Version, Environment: fn.Environment, TracingConfig: map[string]string{"Mode": "PassThrough"},
		RevisionID: fn.RevisionID, State: "Active", LastUpdateStatus: "Successful", PackageType: "Zip",
		Architectures: fn.Architectures, EphemeralStorage: map[string]int{"Size": 512},
		SnapStart:     map[string]string{"ApplyOn": "None", "OptimizationStatus": "Off"},
		LoggingConfig: map[string]string{"LogFormat": "Text", "LogGroup": "/aws/lambda/" + fn.FunctionName},
	}
}

// functionInput holds the members CreateFunction and
// UpdateFunctionConfiguration share.
type functionInput struct {
	Runtime     *string `json:"Runtime"`
	Role        *string `json:"Role"`
	Handler     *string `json:"Handler"`
	Description *string `json:"Description"`
	Timeout     *int    `json:"Timeout"`
	MemorySize  *int    `json:"MemorySize"`
	Environment *struct {
		Variables map[string]string `json:"Variables"`
	} `json:"Environment"`
	RevisionID *string `json:"RevisionId"`
}

type createFunctionInput struct {
	functionInput
	FunctionName *string `json:"FunctionName"`
	Code         *struct {
		ZipFile  []byte  `json:"ZipFile"`
		S3Bucket *string `json:"S3Bucket"`
		ImageURI *string `json:"ImageUri"`
	} `json:"Code"`
	PackageType   *string           `json:"PackageType"`
	Architectures []string          `json:"Architectures"`
	Tags          map[string]string `json:"Tags"`
	Publish       bool              `json:"Publish"`
}

// Limits and enumerations Lambda applies [M][C].
const (
	minTimeout, maxTimeout = 1, lambda.MaxTimeoutSeconds
	minMemory, maxMemory   = 128, 10240
	maxDescription         = 256
	maxCreateName          = 64
	maxZipBytes            = lambda.MaxZipBytes
	maxEnvBytes            = 4096
	rolePattern            = `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`
	handlerPattern         = `[^\s]+`
)

var (
	roleRE    = regexp.MustCompile(`^` + rolePattern + `$`)
	handlerRE = regexp.MustCompile(`^` + handlerPattern + `$`)
	// runtimes are the values Lambda accepts for new functions, in the
	// order its error message lists them [V].
	runtimes = []string{"nodejs20.x", "python3.14", "provided.al2023", "python3.12", "python3.13", "nodejs24.x",
		"nodejs22.x", "java25", "python3.10", "python3.11", "java21", "ruby3.3", "ruby3.4", "ruby3.2", "python3.8",
		"python3.9", "java17", "nodejs16.x", "dotnet10", "dotnet8", "java11", "dotnet6", "nodejs18.x",
		"provided.al2", "java8.al2"}
	// deprecatedRuntimes are in the model's enumeration but refused.
	deprecatedRuntimes = []string{"nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x",
		"nodejs14.x", "java8", "python2.7", "python3.6", "python3.7", "dotnetcore1.0", "dotnetcore2.0",
		"dotnetcore2.1", "dotnetcore3.1", "nodejs4.3-edge", "go1.x", "ruby2.5", "ruby2.7", "provided"}
	architectures = []string{"x86_64", "arm64"}
)

// validate checks the shared members: model constraints first (one
// ValidationException listing them all), then Lambda's own checks.
func (in *functionInput) validate(v *validation) {
	if in.Role != nil && !roleRE.MatchString(*in.Role) {
		v.pattern(*in.Role, "role", rolePattern)
	}
	if in.Handler != nil {
		switch {
		case len(*in.Handler) > 128:
			v.maxLen(*in.Handler, "handler", 128)
		case *in.Handler != "" && !handlerRE.MatchString(*in.Handler):
			v.pattern(*in.Handler, "handler", handlerPattern)
		}
	}
	if in.Description != nil && len(*in.Description) > maxDescription {
		v.maxLen(*in.Description, "description", maxDescription)
	}
	if in.Timeout != nil {
		if *in.Timeout < minTimeout {
			v.min(*in.Timeout, "timeout", minTimeout)
		} else if *in.Timeout > maxTimeout {
			v.max(*in.Timeout, "timeout", maxTimeout)
		}
	}
	if in.MemorySize != nil {
		if *in.MemorySize < minMemory {
			v.min(*in.MemorySize, "memorySize", minMemory)
		} else if *in.MemorySize > maxMemory {
			v.max(*in.MemorySize, "memorySize", maxMemory)
		}
	}
}

// check runs Lambda's semantic checks, after the model's.
func (in *functionInput) check() error {
	if in.Runtime != nil {
		rt := *in.Runtime
		switch {
		case slices.Contains(deprecatedRuntimes, rt):
			return invalidParameter("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", rt)
		case !slices.Contains(runtimes, rt):
			return invalidParameter("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [%s] or be a valid ARN",
				rt, strings.Join(runtimes, ", "))
		}
	}
	if in.Environment != nil {
		var reserved []string
		for k := range in.Environment.Variables {
			if runtime.IsReservedEnv(k) {
				reserved = append(reserved, k)
			}
		}
		if len(reserved) > 0 {
			sort.Strings(reserved)
			return invalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s",
				strings.Join(reserved, ", "))
		}
		b, _ := json.Marshal(in.Environment.Variables)
		if len(b) > maxEnvBytes {
			return invalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", b)
		}
	}
	return nil
}

// apply copies the members that are set onto fn.
func (in *functionInput) apply(fn *lambda.Function) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&fn.Runtime, in.Runtime)
	set(&fn.Role, in.Role)
	set(&fn.Handler, in.Handler)
	set(&fn.Description, in.Description)
	if in.Timeout != nil {
		fn.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		fn.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		fn.Environment = &lambda.Environment{Variables: in.Environment.Variables}
		if fn.Environment.Variables == nil {
			fn.Environment.Variables = map[string]string{}
		}
	}
}

func (a *API) createFunction(ctx context.Context, r *restjson.Request) (any, error) {
	var in createFunctionInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v validation
	name := ""
	if in.FunctionName == nil {
		v.add("Value null at 'functionName' failed to satisfy constraint: Member must not be null")
	} else {
		name = *in.FunctionName
		switch {
		case len(name) > 140:
			v.maxLen(name, "functionName", 140)
		case !createNameRE.MatchString(name):
			v.pattern(name, "functionName", createNamePattern)
		}
	}
	if in.Role == nil {
		v.add("Value null at 'role' failed to satisfy constraint: Member must not be null")
	}
	if in.Code == nil {
		v.add("Value null at 'code' failed to satisfy constraint: Member must not be null")
	}
	in.validate(&v)
	if in.PackageType != nil && *in.PackageType != "Zip" && *in.PackageType != "Image" {
		v.enum(*in.PackageType, "packageType", []string{"Zip", "Image"})
	}
	if len(in.Architectures) > 1 {
		v.add("Value '[%s]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1", strings.Join(in.Architectures, ", "))
	} else if len(in.Architectures) == 1 && !slices.Contains(architectures, in.Architectures[0]) {
		v.add("Value '[%s]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]", in.Architectures[0])
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	fr := ref{name: lambda.FunctionName(name)}
	if m := createNameRE.FindStringSubmatch(name); m != nil {
		fr.name = m[11]
	}
	if len(fr.name) > maxCreateName {
		return nil, invalidParameter("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to %d", fr.name, maxCreateName)
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.PackageType != nil && *in.PackageType == "Image" || in.Code.ImageURI != nil {
		return nil, invalidParameter("Tollgate runs zip functions only: package type Image is not supported")
	}
	if in.Code.ZipFile == nil {
		// S3 code is Lambda's other zip source; Tollgate has no S3 [U].
		return nil, invalidParameter("Tollgate accepts function code as Code.ZipFile only")
	}
	if len(in.Code.ZipFile) > maxZipBytes {
		return nil, errZippedTooLarge()
	}
	fn := lambda.Function{FunctionName: fr.name, Architectures: in.Architectures}
	in.apply(&fn)
	out, err := a.fns.Create(ctx, fn, in.Code.ZipFile, in.Tags)
	if err != nil {
		return nil, a.mapErr(err, fr)
	}
	if in.Publish {
		v, err := a.fns.PublishVersion(ctx, fr.name, "", nil)
		if err != nil {
			return nil, a.mapErr(err, fr)
		}
		// The answer is $LATEST's, unqualified, with the version
		// published [V].
		out.Version = v.Version
	}
	return configuration(out), nil
}

// errZippedTooLarge is Lambda's answer to a zip over 50 MB [V].
func errZippedTooLarge() error {
	e := errRequestTooLarge("", 0)
	e.Message = "Zipped size must be smaller than " + strconv.Itoa(maxZipBytes) + " bytes"
	return e
}

type getFunctionOutput struct {
	Configuration functionConfiguration `json:"Configuration"`
	Code          struct {
		RepositoryType string `json:"RepositoryType"`
		Location       string `json:"Location"`
	} `json:"Code"`
	Tags        map[string]string `json:"Tags,omitempty"`
	Concurrency *concurrency      `json:"Concurrency,omitempty"`
}

type concurrency struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
}

func (a *API) getFunction(ctx context.Context, r *restjson.Request) (any, error) {
	_, fn, err := a.resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	out := getFunctionOutput{Configuration: configuration(fn), Tags: fn.Tags}
	out.Code.RepositoryType = "S3"
	// Lambda answers a presigned S3 URL; Tollgate keeps the zip on disk
	// (a --function registration has none: its directory then).
	out.Code.Location = "file://" + fn.CodeDir
	if !fn.Static {
		out.Code.Location += ".zip"
	}
	if fn.ReservedConcurrency != nil {
		out.Concurrency = &concurrency{ReservedConcurrentExecutions: fn.ReservedConcurrency}
	}
	return out, nil
}

func (a *API) getFunctionConfiguration(ctx context.Context, r *restjson.Request) (any, error) {
	_, fn, err := a.resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	return configuration(fn), nil
}

type listFunctionsOutput struct {
	Functions  []functionConfiguration `json:"Functions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

// defaultMaxItems is ListFunctions' page size without MaxItems.
const defaultMaxItems = 50

func (a *API) listFunctions(ctx context.Context, r *restjson.Request) (any, error) {
	var v validation
	limit := defaultMaxItems
	if s, ok := r.Query("MaxItems"); ok {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			return nil, invalidParameter("Invalid value for MaxItems: %s", s) // [U]
		case n < 1:
			v.min(n, "maxItems", 1)
		case n > 10000:
			v.max(n, "maxItems", 10000)
		}
		limit = n
	}
	all := false
	if s, ok := r.Query("FunctionVersion"); ok {
		if s != "ALL" {
			v.enum(s, "functionVersion", []string{"ALL"})
		}
		all = true
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	fns, err := a.fns.List(ctx)
	if err != nil {
		return nil, err
	}
	if all {
		if fns, err = a.withVersions(ctx, fns); err != nil {
			return nil, err
		}
	}
	// The marker names the last function served: the next page starts
	// after it, whatever was created or deleted meanwhile.
	start := 0
	if m, ok := r.Query("Marker"); ok && m != "" {
		last, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil {
			return nil, invalidParameter("Invalid marker: %s", m) // [U]
		}
		start = sort.Search(len(fns), func(i int) bool { return listKey(fns[i]) > string(last) })
	}
	end := min(start+limit, len(fns))
	out := listFunctionsOutput{Functions: make([]functionConfiguration, 0, end-start)}
	for _, fn := range fns[start:end] {
		c := configuration(fn)
		if all {
			// Listing versions, every ARN is qualified [V].
			c.FunctionArn = a.arn(fn.FunctionName, fn.Version)
		}
		out.Functions = append(out.Functions, c)
	}
	if end < len(fns) {
		out.NextMarker = base64.RawURLEncoding.EncodeToString([]byte(listKey(fns[end-1])))
	}
	return out, nil
}

// listKey orders ListFunctions' entries: by name, then $LATEST before the
// versions in order ("\x00" sorts first, numbers are zero-padded).
func listKey(fn lambda.Function) string {
	if fn.Version == "" || fn.Version == "$LATEST" {
		return fn.FunctionName
	}
	return fmt.Sprintf("%s\x00%010s", fn.FunctionName, fn.Version)
}

// withVersions adds each function's published versions after it
// (ListFunctions with FunctionVersion=ALL).
func (a *API) withVersions(ctx context.Context, fns []lambda.Function) ([]lambda.Function, error) {
	var out []lambda.Function
	for _, fn := range fns {
		versions, err := a.fns.ListVersions(ctx, fn.FunctionName)
		if errors.Is(err, lambda.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, versions...)
	}
	return out, nil
}

// checkRevision enforces an expected RevisionId.
func checkRevision(fn *lambda.Function, want *string) error {
	if want != nil && *want != fn.RevisionID {
		return preconditionFailed()
	}
	return nil
}

type updateCodeInput struct {
	ZipFile       []byte   `json:"ZipFile"`
	S3Bucket      *string  `json:"S3Bucket"`
	ImageURI      *string  `json:"ImageUri"`
	Architectures []string `json:"Architectures"`
	Publish       bool     `json:"Publish"`
	DryRun        bool     `json:"DryRun"`
	RevisionID    *string  `json:"RevisionId"`
}

func (a *API) updateFunctionCode(ctx context.Context, r *restjson.Request) (any, error) {
	fr, fn, err := a.resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	if fr.qualifier != "" && fr.qualifier != "$LATEST" {
		return nil, qualifiedNotAllowed() // [U]
	}
	var in updateCodeInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.Architectures) == 1 && !slices.Contains(architectures, in.Architectures[0]) {
		var v validation
		v.add("Value '[%s]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]", in.Architectures[0])
		return nil, v.err()
	}
	if in.ImageURI != nil {
		return nil, invalidParameter("Please don't provide ImageUri when updating a function with packageType Zip.")
	}
	if in.ZipFile == nil {
		return nil, invalidParameter("Tollgate accepts function code as ZipFile only")
	}
	if len(in.ZipFile) > maxZipBytes {
		return nil, errZippedTooLarge()
	}
	if err := checkRevision(&fn, in.RevisionID); err != nil {
		return nil, err
	}
	if in.DryRun {
		return configuration(fn), nil
	}
	out, err := a.fns.Update(ctx, fr.name, in.ZipFile, func(f *lambda.Function) error {
		if err := checkRevision(f, in.RevisionID); err != nil {
			return err
		}
		if len(in.Architectures) == 1 {
			f.Architectures = in.Architectures
		}
		return nil
	})
	if err != nil {
		return nil, a.mapErr(err, fr)
	}
	if in.Publish {
		// The answer is the version published [V].
		if out, err = a.fns.PublishVersion(ctx, fr.name, "", nil); err != nil {
			return nil, a.mapErr(err, fr)
		}
	}
	return configuration(out), nil
}

func (a *API) updateFunctionConfiguration(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.parseRef(r)
	if err != nil {
		return nil, err
	}
	var in functionInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if fr.qualifier != "" && fr.qualifier != "$LATEST" {
		return nil, qualifiedNotAllowed() // [U]
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	out, err := a.fns.Update(ctx, fr.name, nil, func(f *lambda.Function) error {
		if err := checkRevision(f, in.RevisionID); err != nil {
			return err
		}
		in.apply(f)
		return nil
	})
	if err != nil {
		return nil, a.mapErr(err, fr)
	}
	return configuration(out), nil
}

func (a *API) deleteFunction(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.parseRef(r)
	if err != nil {
		return nil, err
	}
	switch {
	case fr.qualifier == "":
	case fr.qualifier == "$LATEST":
		return nil, invalidParameter("$LATEST version cannot be deleted without deleting the function.")
	case lambda.IsVersionNumber(fr.qualifier):
		return nil, a.deleteVersion(ctx, fr)
	default:
		return nil, invalidParameter("Deletion of aliases is not currently supported.")
	}
	if err := a.fns.Delete(ctx, fr.name); err != nil {
		return nil, a.mapErr(err, fr)
	}
	return nil, nil
}

// maxReserved is the most a function may reserve: the default account
// concurrency (1000) less the 100 Lambda keeps unreserved.
const maxReserved = 900

func (a *API) putFunctionConcurrency(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.parseRef(r)
	if err != nil {
		return nil, err
	}
	var in struct {
		ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v validation
	switch {
	case in.ReservedConcurrentExecutions == nil:
		v.add("Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null")
	case *in.ReservedConcurrentExecutions < 0:
		v.min(*in.ReservedConcurrentExecutions, "reservedConcurrentExecutions", 0)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if fr.qualifier != "" {
		return nil, invalidParameter("This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.")
	}
	if *in.ReservedConcurrentExecutions > maxReserved {
		e := invalidParameter("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
		e.Fields = nil
		return nil, e
	}
	if _, err := a.fns.SetConcurrency(ctx, fr.name, in.ReservedConcurrentExecutions); err != nil {
		return nil, a.mapErr(err, fr)
	}
	return concurrency{ReservedConcurrentExecutions: in.ReservedConcurrentExecutions}, nil
}

func (a *API) deleteFunctionConcurrency(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.parseRef(r)
	if err != nil {
		return nil, err
	}
	if fr.qualifier != "" {
		return nil, invalidParameter("This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.")
	}
	if _, err := a.fns.SetConcurrency(ctx, fr.name, nil); err != nil {
		return nil, a.mapErr(err, fr)
	}
	return nil, nil
}

func (a *API) getFunctionConcurrency(ctx context.Context, r *restjson.Request) (any, error) {
	_, fn, err := a.resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	return concurrency{ReservedConcurrentExecutions: fn.ReservedConcurrency}, nil
}
