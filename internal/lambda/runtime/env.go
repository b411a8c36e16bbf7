package runtime

import (
	"runtime"
	"sort"
	"strconv"
)

// reservedEnv lists the variables Lambda sets itself and refuses in a
// function's configuration.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true,
	"AWS_DEFAULT_REGION": true, "AWS_REGION": true, "AWS_EXECUTION_ENV": true,
	"AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true,
	"AWS_LAMBDA_LOG_GROUP_NAME": true, "AWS_LAMBDA_LOG_STREAM_NAME": true,
	"AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true,
	"AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true, "TZ": true,
}

// IsReservedEnv reports whether Lambda reserves the environment variable key,
// so that a function's configuration may not set it (Lambda's
// InvalidParameterValueException "… contains reserved keys …").
func IsReservedEnv(key string) bool { return reservedEnv[key] }

// defaultRuntimeDir is LAMBDA_RUNTIME_DIR in Lambda; provided runtimes do
// not use it, and it does not exist here.
const defaultRuntimeDir = "/var/runtime"

// mbPerVCPU is the memory at which Lambda allocates one full vCPU; it
// allocates CPU in proportion to memory, up to 6 vCPUs at 10,240 MB.
const mbPerVCPU = 1769

// vCPUs is the CPU share a function of memoryMB gets on Lambda, in whole
// CPUs (at least 1, at most this machine's). Go functions get it as
// GOMAXPROCS (unless their configuration sets one), so that many warm
// instances on one machine do not each run a scheduler sized for all of
// its cores.
func vCPUs(memoryMB int) int {
	n := (memoryMB + mbPerVCPU - 1) / mbPerVCPU
	return max(1, min(n, 6, runtime.NumCPU()))
}

// environ builds a process environment from scratch, as Lambda does: Tollgate's
// own environment is never passed on.
func (c Config) environ(runtimeAPI, logStream string) []string {
	env := map[string]string{
		// Unreserved variables: the function's configuration may change them.
		"LANG":            "en_US.UTF-8",
		"PATH":            "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
		"LD_LIBRARY_PATH": "/lib64:/usr/lib64:" + c.RuntimeDir + ":" + c.RuntimeDir + "/lib:" + c.WorkDir + ":" + c.WorkDir + "/lib:/opt/lib",
		"GOMEMLIMIT":      strconv.Itoa(c.MemoryMB) + "MiB",
		"GOMAXPROCS":      strconv.Itoa(vCPUs(c.MemoryMB)),
	}
	for k, v := range c.BaseEnv {
		if !reservedEnv[k] {
			env[k] = v
		}
	}
	for k, v := range c.Env {
		if !reservedEnv[k] {
			env[k] = v
		}
	}
	for k, v := range map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"_HANDLER":                        c.Handler,
		"LAMBDA_TASK_ROOT":                c.WorkDir,
		"LAMBDA_RUNTIME_DIR":              c.RuntimeDir,
		"AWS_LAMBDA_FUNCTION_NAME":        c.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     c.Version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(c.MemoryMB),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + c.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      logStream,
		"AWS_REGION":                      c.Region,
		"AWS_DEFAULT_REGION":              c.Region,
		"AWS_EXECUTION_ENV":               "AWS_Lambda_" + c.Runtime,
		"TZ":                              ":UTC",
	} {
		env[k] = v
	}
	if cr := c.Credentials; cr != nil {
		env["AWS_ACCESS_KEY_ID"] = cr.AccessKeyID
		env["AWS_SECRET_ACCESS_KEY"] = cr.SecretAccessKey
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
