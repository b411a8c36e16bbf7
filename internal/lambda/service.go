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

	"github.com/tollgate/tollgate/internal/gateway/integration"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
	"github.com/tollgate/tollgate/internal/store"
)

// Config configures the Service.
type Config struct {
	Store store.Store
	// CodeDir is where deployment packages are unpacked (<data-dir>/lambda).
	CodeDir           string
	Region, AccountID string
	Log               *slog.Logger
	// Remote invokes functions that are not local; nil means none.
	Remote *Remote
	Now    func() time.Time
}

// Service manages functions and invokes them.
type Service struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	static map[string]Function
	pools  map[string]*poolEntry
}

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
	Reserved   int               `json:"reservedConcurrency,omitempty"`
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
	return &Service{cfg: cfg, log: log, static: map[string]Function{}, pools: map[string]*poolEntry{}}
}

// ARN returns a function's ARN.
func (s *Service) ARN(name string) string {
	return "arn:aws:lambda:" + s.cfg.Region + ":" + s.cfg.AccountID + ":function:" + name
}

// RegisterLocal registers a function served from an executable on disk
// (--function NAME=PATH). It is not stored and shadows a stored function
// of the same name.
func (s *Service) RegisterLocal(name, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("function %s: %w", name, err)
	}
	if fi.IsDir() {
		abs = filepath.Join(abs, "bootstrap")
		if fi, err = os.Stat(abs); err != nil {
			return fmt.Errorf("function %s: %w", name, err)
		}
	}
	if fi.Mode()&0o111 == 0 {
		return fmt.Errorf("function %s: %s is not executable", name, abs)
	}
	fn := s.defaults(Function{FunctionName: name, Runtime: "provided.al2023", Handler: filepath.Base(abs)})
	fn.Executable, fn.CodeDir, fn.Static = abs, filepath.Dir(abs), true
	fn.CodeSize = fi.Size()
	fn.RevisionID = uuid.NewString()
	s.mu.Lock()
	s.static[name] = fn
	s.mu.Unlock()
	return nil
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
	fn = s.defaults(fn)
	exe, dir, err := s.unpack(fn.FunctionName, zipBytes, fn.Handler)
	if err != nil {
		return Function{}, err
	}
	fn.CodeSize, fn.CodeSha256, fn.RevisionID = int64(len(zipBytes)), codeSha(zipBytes), uuid.NewString()
	doc := storedFunction{Function: fn, Executable: exe, CodeDir: dir, Tags: tags}
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

func (s *Service) unpack(name string, zipBytes []byte, handler string) (exe, dir string, err error) {
	dir = filepath.Join(s.cfg.CodeDir, name, strings.NewReplacer("/", "_", "+", "-", "=", "").Replace(codeSha(zipBytes)))
	exe, err = unpack(zipBytes, dir, handler)
	return exe, dir, err
}

func (s *Service) withCode(d storedFunction) Function {
	fn := d.Function
	fn.Executable, fn.CodeDir, fn.Tags, fn.ReservedConcurrency = d.Executable, d.CodeDir, d.Tags, d.Reserved
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

func (s *Service) load(ctx context.Context, name string) (storedFunction, error) {
	var d storedFunction
	err := s.cfg.Store.View(ctx, func(r store.Reader) error {
		it, err := r.Get(ctx, functionKey(name))
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(it.Value, &d)
	})
	return d, err
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
	var exe, dir string
	if zipBytes != nil {
		d, err := s.load(ctx, name)
		if err != nil {
			return Function{}, err
		}
		if exe, dir, err = s.unpack(name, zipBytes, d.Function.Handler); err != nil {
			return Function{}, err
		}
	}
	var out storedFunction
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		it, err := tx.Get(ctx, functionKey(name))
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal(it.Value, &out); err != nil {
			return err
		}
		if edit != nil {
			if err := edit(&out.Function); err != nil {
				return err
			}
		}
		if zipBytes != nil {
			out.Executable, out.CodeDir = exe, dir
			out.Function.CodeSize, out.Function.CodeSha256 = int64(len(zipBytes)), codeSha(zipBytes)
		}
		out.Function.LastModified = lastModified(s.cfg.Now())
		out.Function.RevisionID = uuid.NewString()
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return tx.Put(ctx, functionKey(name), b)
	})
	if err != nil {
		return Function{}, err
	}
	return s.withCode(out), nil
}

// Delete removes a stored function and stops its instances.
func (s *Service) Delete(ctx context.Context, ref string) error {
	name := FunctionName(ref)
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		err := tx.Delete(ctx, functionKey(name))
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	e := s.pools[name]
	delete(s.pools, name)
	s.mu.Unlock()
	if e != nil {
		_ = e.pool.Close()
	}
	return nil
}

// Close stops every instance of every function.
func (s *Service) Close() error {
	s.mu.Lock()
	pools := s.pools
	s.pools = map[string]*poolEntry{}
	s.mu.Unlock()
	for _, e := range pools {
		_ = e.pool.Close()
	}
	return nil
}

// Invocation is one call of Invoke.
type Invocation struct {
	RequestID     string
	ClientContext string
}

// InvokeFunction runs a function and returns the runtime's result. A
// function that is not local goes to the remote endpoint when one is set.
func (s *Service) InvokeFunction(ctx context.Context, ref string, payload []byte, inv Invocation) (runtime.Result, error) {
	fn, err := s.Get(ctx, ref)
	if errors.Is(err, ErrNotFound) && s.cfg.Remote != nil {
		return s.cfg.Remote.Invoke(ctx, ref, payload)
	}
	if err != nil {
		return runtime.Result{}, err
	}
	pool := s.pool(fn)
	if inv.RequestID == "" {
		inv.RequestID = uuid.NewString()
	}
	return pool.Invoke(ctx, payload, runtime.Invocation{RequestID: inv.RequestID, ClientContext: inv.ClientContext})
}

// pool returns the function's pool, creating or updating it when its
// configuration changed.
func (s *Service) pool(fn Function) *runtime.Pool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.pools[fn.FunctionName]
	cfg := runtime.Config{
		Name: fn.FunctionName, Handler: fn.Handler, Executable: fn.Executable, WorkDir: fn.CodeDir,
		Timeout: time.Duration(fn.Timeout) * time.Second, MemoryMB: fn.MemorySize,
		MaxConcurrency: fn.ReservedConcurrency, Region: s.cfg.Region, AccountID: s.cfg.AccountID,
	}
	if fn.Environment != nil {
		cfg.Env = fn.Environment.Variables
	}
	switch {
	case e == nil:
		e = &poolEntry{pool: runtime.NewPool(cfg, s.log.With("function", fn.FunctionName)), revision: fn.RevisionID}
		s.pools[fn.FunctionName] = e
	case e.revision != fn.RevisionID:
		e.pool.Update(cfg)
		e.revision = fn.RevisionID
	}
	return e.pool
}

// Invoke implements integration.LambdaInvoker for API Gateway integrations.
func (s *Service) Invoke(ctx context.Context, function string, payload []byte) (integration.LambdaResult, error) {
	res, err := s.InvokeFunction(ctx, function, payload, Invocation{})
	switch {
	case errors.Is(err, ErrNotFound):
		return integration.LambdaResult{}, fmt.Errorf("%w: %s", integration.ErrFunctionNotFound, function)
	case errors.Is(err, runtime.ErrRequestTooLarge):
		return integration.LambdaResult{}, fmt.Errorf("%w: %v", integration.ErrLambdaPayloadTooLarge, err)
	case errors.Is(err, runtime.ErrTooManyRequests) && ctx.Err() == nil:
		return integration.LambdaResult{}, fmt.Errorf("%w: %v", integration.ErrLambdaThrottled, err)
	case err != nil:
		return integration.LambdaResult{}, err
	}
	return integration.LambdaResult{Payload: res.Payload, FunctionError: res.FunctionError}, nil
}

var _ integration.LambdaInvoker = (*Service)(nil)
