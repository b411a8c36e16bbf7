package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
	"github.com/tollgate/tollgate/internal/randid"
	"github.com/tollgate/tollgate/internal/store"
)

// Config configures the Service.
type Config struct {
	// Store persists the functions created through the Lambda API (under
	// "lambdafn/{name}"); --function functions are not stored.
	Store store.Store
	// CodeDir is where deployment packages are unpacked (<data-dir>/lambda).
	CodeDir string
	// Region and AccountID go into function ARNs and the functions'
	// environment.
	Region, AccountID string
	// Log receives the service's and the runtimes' logs; nil discards them.
	Log *slog.Logger
	// Remote invokes functions that are not local; nil means none.
	Remote *Remote
	// Now is the clock for LastModified; nil means time.Now.
	Now func() time.Time
	// Interpreters maps runtime names or families (nodejs22.x, nodejs,
	// python3.12, python3) to the interpreters that run them
	// (--lambda-interpreter); by default node and python3.X or python3
	// are looked up on the PATH.
	Interpreters map[string]string
	// RoleCredentials, when set, returns the credentials a function with
	// execution role arn runs with (ok false: none; the function then has
	// no AWS credentials, as before).
	RoleCredentials func(role string) (accessKeyID, secretAccessKey string, ok bool)
	// Logs, when set, receives the functions' logs as CloudWatch Logs
	// events: /aws/lambda/{name}, with START, END and REPORT lines.
	Logs runtime.CloudLogs
	// ShareCode keeps deployment packages in the Store as well, so that
	// every node of a cluster can run functions uploaded through another
	// (see shared.go).
	ShareCode bool
}

// Service manages functions and invokes them.
type Service struct {
	cfg      Config
	log      *slog.Logger
	launcher launcher

	mu       sync.Mutex
	static   map[string]Function
	pools    map[poolKey]*poolEntry
	reserved map[string]*reservation // by function name
	warned   map[string]bool         // warnings given once
	closed   bool
	async    sync.WaitGroup // Event invocations in flight

	unpackMu  sync.Mutex           // one unpack of a shared package at a time
	stopWatch []context.CancelFunc // of the --function watchers
	watchers  sync.WaitGroup
}

// poolKey names a pool: each version of a function runs in its own
// execution environments [D: "Lambda function versions"].
type poolKey struct{ name, version string }

type poolEntry struct {
	pool     *runtime.Pool
	revision string
}

// storedFunction is a function's store document.
type storedFunction struct {
	Function   Function          `json:"function"`
	Executable string            `json:"executable"`
	CodeDir    string            `json:"codeDir"`
	Tags       map[string]string `json:"tags,omitempty"`
	Reserved   *int              `json:"reservedConcurrency,omitempty"`
	// LastVersion is the number of the last version published (0: none);
	// numbers are not reused.
	LastVersion int `json:"lastVersion,omitempty"`
}

func functionKey(name string) string { return "lambdafn/" + name }

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, log: log, static: map[string]Function{}, pools: map[poolKey]*poolEntry{},
		reserved: map[string]*reservation{}, warned: map[string]bool{}, launcher: newLauncher(cfg)}
}

// ARN returns a function's ARN.
func (s *Service) ARN(name string) string {
	return "arn:aws:lambda:" + s.cfg.Region + ":" + s.cfg.AccountID + ":function:" + name
}

// defaults fills what Lambda fills on CreateFunction.
func (s *Service) defaults(fn Function) Function {
	fn.FunctionArn = s.ARN(fn.FunctionName)
	if fn.Timeout == 0 {
		fn.Timeout = DefaultTimeoutSeconds
	}
	if fn.MemorySize == 0 {
		fn.MemorySize = DefaultMemoryMB
	}
	if fn.Version == "" {
		fn.Version = "$LATEST"
	}
	if fn.PackageType == "" {
		fn.PackageType = "Zip"
	}
	if len(fn.Architectures) == 0 {
		fn.Architectures = []string{"x86_64"}
	}
	fn.State = "Active"
	if fn.LastModified == "" {
		fn.LastModified = lastModified(s.cfg.Now())
	}
	return fn
}

// Create stores a new function with its deployment package.
func (s *Service) Create(ctx context.Context, fn Function, zipBytes []byte, tags map[string]string) (Function, error) {
	s.mu.Lock()
	_, static := s.static[fn.FunctionName]
	s.mu.Unlock()
	if static {
		return Function{}, ErrExists
	}
	// Refuse an existing name before unpacking anything (the store's
	// create below still settles races).
	if _, err := s.load(ctx, fn.FunctionName); err == nil {
		return Function{}, ErrExists
	} else if !errors.Is(err, ErrNotFound) {
		return Function{}, err
	}
	fn = s.defaults(fn)
	exe, dir, err := s.unpack(fn.FunctionName, zipBytes, executableHandler(fn))
	if err != nil {
		return Function{}, err
	}
	fn.CodeSize, fn.CodeSha256, fn.RevisionID = int64(len(zipBytes)), codeSha(zipBytes), uuid.NewString()
	doc := storedFunction{Function: fn, Executable: exe, CodeDir: dir, Tags: tags}
	if err := s.shareCode(ctx, fn.FunctionName, dir, zipBytes); err != nil {
		return Function{}, err
	}
	_, err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if err := tx.Create(ctx, functionKey(fn.FunctionName), b); errors.Is(err, store.ErrConflict) {
			return ErrExists
		} else {
			return err
		}
	})
	if err != nil {
		return Function{}, err
	}
	return s.withCode(doc), nil
}

// unpack unpacks a deployment package into <CodeDir>/<name>/<sha> and keeps
// the zip itself beside it (<sha>.zip, GetFunction's Code.Location).
func (s *Service) unpack(name string, zipBytes []byte, handler string) (exe, dir string, err error) {
	dir = filepath.Join(s.cfg.CodeDir, name, strings.NewReplacer("/", "_", "+", "-", "=", "").Replace(codeSha(zipBytes)))
	if exe, err = unpack(zipBytes, dir, handler); err != nil {
		return "", "", err
	}
	if _, err := os.Stat(dir + ".zip"); err != nil {
		tmp := dir + ".zip.tmp"
		if err := os.WriteFile(tmp, zipBytes, 0o600); err != nil {
			return "", "", fmt.Errorf("keep the deployment package: %w", err)
		}
		if err := os.Rename(tmp, dir+".zip"); err != nil {
			return "", "", fmt.Errorf("keep the deployment package: %w", err)
		}
	}
	return exe, dir, nil
}

func (s *Service) withCode(d storedFunction) Function {
	fn := d.Function
	fn.CodeDir, fn.Executable = s.localPaths(fn.FunctionName, d.CodeDir, d.Executable)
	fn.Tags, fn.ReservedConcurrency = d.Tags, d.Reserved
	return fn
}

// Get returns a function (local registrations first, then the store).
func (s *Service) Get(ctx context.Context, ref string) (Function, error) {
	name := FunctionName(ref)
	s.mu.Lock()
	fn, ok := s.static[name]
	s.mu.Unlock()
	if ok {
		return fn, nil
	}
	d, err := s.load(ctx, name)
	if err != nil {
		return Function{}, err
	}
	return s.withCode(d), nil
}

// load reads a stored function; ErrNotFound when there is none.
func (s *Service) load(ctx context.Context, name string) (storedFunction, error) {
	var d storedFunction
	err := s.cfg.Store.View(ctx, func(r store.Reader) error {
		var err error
		d, err = getStored(ctx, r, name)
		return err
	})
	return d, err
}

// getStored reads a stored function in r; ErrNotFound when there is none.
func getStored(ctx context.Context, r store.Reader, name string) (storedFunction, error) {
	var d storedFunction
	it, err := r.Get(ctx, functionKey(name))
	if errors.Is(err, store.ErrNotFound) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, err
	}
	return d, json.Unmarshal(it.Value, &d)
}

// modify applies edit to a stored function in one transaction and gives it
// a new RevisionID, so that its runtime pool picks up the change.
func (s *Service) modify(ctx context.Context, name string, edit func(*storedFunction) error) (Function, error) {
	var out storedFunction
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		d, err := getStored(ctx, tx, name)
		if err != nil {
			return err
		}
		if err := edit(&d); err != nil {
			return err
		}
		d.Function.RevisionID = uuid.NewString()
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		out = d
		return tx.Put(ctx, functionKey(name), b)
	})
	if err != nil {
		return Function{}, err
	}
	return s.withCode(out), nil
}

// List returns every function, sorted by name.
func (s *Service) List(ctx context.Context) ([]Function, error) {
	seen := map[string]bool{}
	var out []Function
	s.mu.Lock()
	for name, fn := range s.static {
		seen[name] = true
		out = append(out, fn)
	}
	s.mu.Unlock()
	err := s.cfg.Store.View(ctx, func(r store.Reader) error {
		items, err := r.List(ctx, "lambdafn/", store.ListOptions{})
		for _, it := range items {
			var d storedFunction
			if err := json.Unmarshal(it.Value, &d); err != nil {
				return err
			}
			if !seen[d.Function.FunctionName] {
				out = append(out, s.withCode(d))
			}
		}
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].FunctionName < out[j].FunctionName })
	return out, err
}

// Update changes a stored function: fn edits its configuration; zipBytes,
// when non-nil, replaces its code.
func (s *Service) Update(ctx context.Context, ref string, zipBytes []byte, edit func(*Function) error) (Function, error) {
	name := FunctionName(ref)
	if s.isStatic(name) {
		return Function{}, ErrStatic
	}
	var exe, dir string
	if zipBytes != nil {
		d, err := s.load(ctx, name)
		if err != nil {
			return Function{}, err
		}
		if exe, dir, err = s.unpack(name, zipBytes, executableHandler(d.Function)); err != nil {
			return Function{}, err
		}
		if err := s.shareCode(ctx, name, dir, zipBytes); err != nil {
			return Function{}, err
		}
	}
	return s.modify(ctx, name, func(d *storedFunction) error {
		if edit != nil {
			if err := edit(&d.Function); err != nil {
				return err
			}
		}
		if zipBytes != nil {
			d.Executable, d.CodeDir = exe, dir
			d.Function.CodeSize, d.Function.CodeSha256 = int64(len(zipBytes)), codeSha(zipBytes)
		}
		d.Function.LastModified = lastModified(s.cfg.Now())
		return nil
	})
}

// SetConcurrency sets (or, with nil, removes) a function's reserved
// concurrency. A --function registration keeps it in memory only.
func (s *Service) SetConcurrency(ctx context.Context, ref string, reserved *int) (Function, error) {
	name := FunctionName(ref)
	s.mu.Lock()
	if fn, ok := s.static[name]; ok {
		fn.ReservedConcurrency, fn.RevisionID = reserved, uuid.NewString()
		s.static[name] = fn
		s.mu.Unlock()
		return fn, nil
	}
	s.mu.Unlock()
	// The pool follows the revision, which modify renews: a new pool
	// applies the limit.
	return s.modify(ctx, name, func(d *storedFunction) error {
		d.Reserved = reserved
		return nil
	})
}

func (s *Service) isStatic(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.static[name]
	return ok
}

// Delete removes a stored function and stops its instances.
func (s *Service) Delete(ctx context.Context, ref string) error {
	name := FunctionName(ref)
	if s.isStatic(name) {
		return ErrStatic
	}
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		err := tx.Delete(ctx, functionKey(name))
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		// Its versions, aliases and shared packages go with it.
		if _, err := tx.DeletePrefix(ctx, codePrefix(name)); err != nil {
			return err
		}
		for _, prefix := range []string{versionPrefix(name), aliasPrefix(name)} {
			items, err := tx.List(ctx, prefix, store.ListOptions{})
			if err != nil {
				return err
			}
			for _, it := range items {
				if err := tx.Delete(ctx, it.Key); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.closePools(func(key poolKey) bool { return key.name == name })
	// Its processes are gone: its code may go too. (Stored names never
	// hold dots or slashes; the check guards the data dir all the same.)
	if strings.ContainsAny(name, "./\\") || name == "" {
		return nil
	}
	if err := os.RemoveAll(filepath.Join(s.cfg.CodeDir, name)); err != nil {
		s.log.Warn("removing a deleted function's code", "function", name, "error", err)
	}
	return nil
}

// Close stops every instance of every function, after the Event
// invocations in flight have ended (they fail with ErrClosed). Later
// invocations fail with ErrClosed.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stopWatching()
	s.closePools(func(poolKey) bool { return true })
	s.async.Wait()
	return nil
}

// closePools closes (and forgets) the pools whose key matches.
func (s *Service) closePools(match func(poolKey) bool) {
	var closing []*runtime.Pool
	s.mu.Lock()
	for k, e := range s.pools {
		if match(k) {
			closing = append(closing, e.pool)
			delete(s.pools, k)
		}
	}
	s.mu.Unlock()
	for _, p := range closing {
		_ = p.Close()
	}
}

// Invocation is one call of InvokeFunction.
type Invocation struct {
	// RequestID is the invocation's request id (Lambda-Runtime-Aws-Request-Id,
	// the log lines' RequestId); a new UUID when empty.
	RequestID string
	// ClientContext is the client context document (JSON, decoded from
	// the Invoke API's base64 X-Amz-Client-Context).
	ClientContext string
	// LogTail asks for Result.Logs: the invocation's log as Lambda's
	// X-Amz-Log-Result carries it (START, the function's output, END and
	// REPORT lines; the last 4 KB).
	LogTail bool
	// TraceID is the caller's X-Amzn-Trace-Id ("" none: a new trace).
	TraceID string
}

// Result is an invocation's outcome, as Lambda's Invoke returns it.
type Result struct {
	runtime.Result
	// ExecutedVersion is the version that ran (X-Amz-Executed-Version):
	// "$LATEST", or a number when invoked through a version or an alias.
	ExecutedVersion string
}

// InvokeFunction runs a function and returns the runtime's result. ref may
// carry a qualifier (name:3, name:live, a qualified ARN): a version runs its
// own code and configuration; an alias runs its version, or its additional
// version with that version's weight. A function that is not local goes to
// the remote endpoint when one is set.
func (s *Service) InvokeFunction(ctx context.Context, ref string, payload []byte, inv Invocation) (Result, error) {
	t, err := s.resolve(ctx, ref, true)
	if errors.Is(err, ErrNotFound) && !errors.Is(err, ErrQualifierNotFound) && s.cfg.Remote != nil {
		return s.cfg.Remote.Invoke(ctx, ref, payload, inv.LogTail)
	}
	if err != nil {
		return Result{}, err
	}
	res, err := s.invokeLocal(ctx, t, payload, inv, true)
	return Result{Result: res, ExecutedVersion: t.Version}, err
}

// invokeLocal runs t's code. A synchronous invocation is throttled at once
// when the function's reserved concurrency is exhausted; others wait for a
// slot.
func (s *Service) invokeLocal(ctx context.Context, t Target, payload []byte, inv Invocation, sync bool) (runtime.Result, error) {
	fn := t.Function
	if fn.ReservedConcurrency != nil && *fn.ReservedConcurrency == 0 {
		return runtime.Result{}, fmt.Errorf("invoke %s: reserved concurrency is 0: %w", fn.FunctionName, runtime.ErrTooManyRequests)
	}
	if inv.RequestID == "" {
		inv.RequestID = randid.UUID()
	}
	pool, err := s.pool(fn, t.Version)
	if isInterpreterError(err) {
		res := runtime.EntrypointFailure(inv.RequestID, err.Error())
		if inv.LogTail {
			res.Logs = formatLogTail(inv.RequestID, t.Version, fn, res)
		}
		return res, nil
	}
	if err != nil {
		return runtime.Result{}, err
	}
	// Reserved concurrency is the function's, shared by its versions.
	release, err := s.reserve(ctx, fn, sync)
	if err != nil {
		return runtime.Result{}, err
	}
	defer release()
	res, err := pool.Invoke(ctx, payload, runtime.Invocation{
		RequestID: inv.RequestID, ClientContext: inv.ClientContext, LogTail: inv.LogTail, InvokedARN: t.InvokedARN,
		TraceID: inv.TraceID,
		// Lambda throttles at once when a reserved concurrency is
		// exhausted; without one, invocations queue for an instance.
		FailFast: sync && fn.ReservedConcurrency != nil,
	})
	if err == nil && inv.LogTail {
		res.Logs = formatLogTail(inv.RequestID, t.Version, fn, res)
	}
	return res, err
}

// formatLogTail renders an invocation's log as Lambda's LogResult does,
// keeping the last 4 KB; START names the version that ran [U].
func formatLogTail(requestID, version string, fn Function, res runtime.Result) []byte {
	var b []byte
	b = fmt.Appendf(b, "START RequestId: %s Version: %s\n", requestID, version)
	b = append(b, res.Logs...)
	b = fmt.Appendf(b, "END RequestId: %s\n", requestID)
	b = append(append(b, runtime.ReportLine(requestID, res, fn.MemorySize)...), '\n')
	if len(b) > runtime.MaxLogTail {
		b = b[len(b)-runtime.MaxLogTail:]
	}
	return b
}

// InvokeAsync queues an Event invocation: the function must exist (its
// absence is reported at once); it then runs in the background, and its
// outcome goes to the log only. Remote functions are invoked with the
// Event invocation type.
func (s *Service) InvokeAsync(ctx context.Context, ref string, payload []byte, inv Invocation) error {
	t, err := s.resolve(ctx, ref, true)
	if errors.Is(err, ErrNotFound) && !errors.Is(err, ErrQualifierNotFound) && s.cfg.Remote != nil {
		return s.cfg.Remote.InvokeAsync(ctx, ref, payload)
	}
	if err != nil {
		return err
	}
	fn := t.Function
	if len(payload) > runtime.MaxRequestPayload {
		return fmt.Errorf("invoke %s: %d bytes: %w", fn.FunctionName, len(payload), runtime.ErrRequestTooLarge)
	}
	if inv.RequestID == "" {
		inv.RequestID = randid.UUID()
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.async.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.async.Done()
		// Lambda queues Event invocations and retries them; here a
		// throttled one waits for an instance instead.
		inv.LogTail = false
		res, err := s.invokeLocal(context.Background(), t, payload, inv, false)
		switch {
		case err != nil:
			s.log.Warn("event invocation failed", "function", fn.FunctionName, "requestId", inv.RequestID, "error", err)
		case res.FunctionError != "":
			s.log.Warn("event invocation returned an error", "function", fn.FunctionName, "requestId", inv.RequestID,
				"functionError", res.FunctionError, "payload", string(res.Payload))
		default:
			s.log.Debug("event invocation done", "function", fn.FunctionName, "requestId", inv.RequestID)
		}
	}()
	return nil
}

// pool returns the pool of a version of the function, creating or updating
// it when its configuration changed.
func (s *Service) pool(fn Function, version string) (*runtime.Pool, error) {
	key, rev := poolKey{fn.FunctionName, version}, poolRevision(fn)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	e := s.pools[key]
	if e != nil && e.revision == rev {
		s.mu.Unlock()
		return e.pool, nil
	}
	s.mu.Unlock()
	// A new or changed configuration: fetch its code if another node
	// uploaded it, and resolve how to run it (which may probe an
	// interpreter), outside the lock.
	if err := s.ensureCode(fn); err != nil {
		return nil, err
	}
	cfg, err := s.poolConfig(fn, version)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	e = s.pools[key]
	switch {
	case e == nil:
		log := s.log.With("function", fn.FunctionName)
		if version != "$LATEST" {
			log = log.With("version", version)
		}
		e = &poolEntry{pool: runtime.NewPool(cfg, log), revision: rev}
		s.pools[key] = e
	case e.revision != rev:
		e.pool.Update(cfg)
		e.revision = rev
	}
	return e.pool, nil
}

// Invoke implements invoker.Lambda for API Gateway integrations.
func (s *Service) Invoke(ctx context.Context, function string, payload []byte) (invoker.Result, error) {
	res, err := s.InvokeFunction(ctx, function, payload, Invocation{TraceID: invoker.TraceHeader(ctx)})
	if err != nil {
		return invoker.Result{}, invokerError(ctx, function, err)
	}
	return invoker.Result{Payload: res.Payload, FunctionError: res.FunctionError}, nil
}

// invokerError maps an invocation's error to the invoker's.
func invokerError(ctx context.Context, function string, err error) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("%w: %s", invoker.ErrFunctionNotFound, function)
	case errors.Is(err, runtime.ErrRequestTooLarge):
		return fmt.Errorf("%w: %v", invoker.ErrPayloadTooLarge, err)
	case errors.Is(err, runtime.ErrTooManyRequests) && ctx.Err() == nil:
		return fmt.Errorf("%w: %v", invoker.ErrThrottled, err)
	}
	return err
}

var _ invoker.Lambda = (*Service)(nil)
