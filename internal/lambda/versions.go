package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate/internal/store"
)

// Versions and aliases [D: AWS Lambda Developer Guide, "Lambda function
// versions" and "Lambda function aliases"]: PublishVersion snapshots
// $LATEST's code and configuration into version 1, 2, … (immutable); an
// alias names one version, or two with a weight for the second. Each is a
// store document beside the function's:
//
//	lambdafn/<name>                      $LATEST (storedFunction)
//	lambdaver/<name>/<10-digit number>   a published version (storedVersion)
//	lambdaalias/<name>/<alias>           an alias (Alias)
//
// Code directories are content-addressed, so a version shares $LATEST's.

// Alias is a function alias (Lambda's AliasConfiguration, without the ARN).
type Alias struct {
	// Name is the alias's name (not all digits).
	Name string `json:"Name"`
	// FunctionVersion is the version it points to ("$LATEST" allowed).
	FunctionVersion string `json:"FunctionVersion"`
	// Description is free text.
	Description string `json:"Description"`
	// AdditionalVersionWeights routes a share of the invocations (0 to 1)
	// to one other published version (RoutingConfig); nil when none.
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights,omitempty"`
	// RevisionID changes with every update.
	RevisionID string `json:"RevisionId"`
}

// storedVersion is a published version's store document.
type storedVersion struct {
	Function   Function `json:"function"`
	Executable string   `json:"executable"`
	CodeDir    string   `json:"codeDir"`
	// FromRevision is $LATEST's RevisionID when it was published: a
	// PublishVersion while $LATEST still has it publishes nothing new.
	FromRevision string `json:"fromRevision"`
}

// Errors of versions and aliases.
var (
	// ErrQualifierNotFound: the function exists but not the version or
	// alias named (errors.Is(err, ErrNotFound) holds too).
	ErrQualifierNotFound = fmt.Errorf("%w: no such version or alias", ErrNotFound)
	// ErrAliasNotFound: GetAlias/UpdateAlias of an alias that does not exist.
	ErrAliasNotFound = errors.New("alias not found")
	// ErrAliasExists: CreateAlias of a name in use.
	ErrAliasExists = errors.New("alias already exists")
)

// VersionInUseError: DeleteFunction of a version that aliases point to.
type VersionInUseError struct{ Aliases []string }

func (e *VersionInUseError) Error() string {
	return "Unable to delete version because the following aliases reference it: [" + strings.Join(e.Aliases, ", ") + "]"
}

func versionKey(name string, n int) string            { return fmt.Sprintf("lambdaver/%s/%010d", name, n) }
func versionPrefix(name string) string                { return "lambdaver/" + name + "/" }
func aliasKey(name, alias string) string              { return "lambdaalias/" + name + "/" + alias }
func aliasPrefix(name string) string                  { return "lambdaalias/" + name + "/" }
func (s *Service) qualifiedARN(name, q string) string { return s.ARN(name) + ":" + q }

var versionNumber = regexp.MustCompile(`^[0-9]+$`)

// IsVersionNumber reports whether a qualifier names a published version
// (digits) rather than $LATEST or an alias.
func IsVersionNumber(q string) bool { return versionNumber.MatchString(q) }

// SplitRef splits a function reference — a name, a partial ARN
// ("123456789012:function:name") or an ARN, optionally followed by
// ":qualifier" — into the name and the qualifier ("" when unqualified). A
// reference ending in a colon (a stage variable that came out empty, say)
// has the qualifier ":", which names nothing.
func SplitRef(ref string) (name, qualifier string) {
	if i := strings.Index(ref, "function:"); i >= 0 {
		ref = ref[i+len("function:"):]
	}
	name, qualifier, ok := strings.Cut(ref, ":")
	if ok && qualifier == "" {
		qualifier = ":"
	}
	return name, qualifier
}

// Target is what a function reference resolves to.
type Target struct {
	// Function is the configuration that runs: $LATEST's or a published
	// version's (with the function's reserved concurrency).
	Function Function
	// Version is the version that runs: "$LATEST" or a number.
	Version string
	// Qualifier is the reference's qualifier ("" when unqualified).
	Qualifier string
	// InvokedARN is the ARN as the caller named the function when it was
	// qualified (…:function:f:live); "" when unqualified (the function's
	// ARN, which the instances know).
	InvokedARN string
	// Alias is the alias the reference named, if any.
	Alias *Alias
}

// Resolve returns what ref runs: $LATEST, a version, or an alias's
// version (its FunctionVersion; Invoke also applies its routing weights).
func (s *Service) Resolve(ctx context.Context, ref string) (Target, error) {
	return s.resolve(ctx, ref, false)
}

// resolve is Resolve; route picks an alias's version by its weights.
func (s *Service) resolve(ctx context.Context, ref string, route bool) (Target, error) {
	name, q := SplitRef(ref)
	t := Target{Qualifier: q, Version: "$LATEST"}
	if q != "" {
		t.InvokedARN = s.qualifiedARN(name, q)
	}
	s.mu.Lock()
	fn, static := s.static[name]
	s.mu.Unlock()
	if static {
		if q != "" && q != "$LATEST" {
			return t, fmt.Errorf("%w: %s", ErrQualifierNotFound, t.InvokedARN)
		}
		t.Function = fn
		return t, nil
	}
	err := s.cfg.Store.View(ctx, func(r store.Reader) error {
		d, err := getStored(ctx, r, name)
		if err != nil {
			return err
		}
		latest := s.withCode(d)
		version := q
		switch {
		case q == "" || q == "$LATEST":
			t.Function = latest
			return nil
		case IsVersionNumber(q):
		default:
			a, err := getAlias(ctx, r, name, q)
			if errors.Is(err, ErrAliasNotFound) {
				return fmt.Errorf("%w: %s", ErrQualifierNotFound, t.InvokedARN)
			} else if err != nil {
				return err
			}
			t.Alias = &a
			version = a.FunctionVersion
			if route {
				version = a.route()
			}
			if version == "$LATEST" {
				t.Function = latest
				return nil
			}
		}
		v, err := getVersion(ctx, r, name, version)
		if err != nil {
			return err
		}
		t.Function, t.Version = s.versionFunction(v, d), version
		return nil
	})
	if errors.Is(err, ErrNotFound) && !errors.Is(err, ErrQualifierNotFound) && q != "" && q != "$LATEST" {
		// Lambda names the function unqualified when it does not exist.
		return t, fmt.Errorf("%w: %s", ErrNotFound, s.ARN(name))
	}
	return t, err
}

// route picks the version an invocation runs: the additional version with
// its weight's probability, else FunctionVersion ("a simple probabilistic
// model", AWS Lambda Developer Guide, "Implement Lambda canary deployments
// using a weighted alias").
func (a Alias) route() string {
	for v, w := range a.AdditionalVersionWeights {
		if rand.Float64() < w {
			return v
		}
	}
	return a.FunctionVersion
}

// versionFunction is a published version's configuration, with what is the
// function's rather than the version's (reserved concurrency, tags).
func (s *Service) versionFunction(v storedVersion, d storedFunction) Function {
	fn := v.Function
	fn.CodeDir, fn.Executable = s.localPaths(fn.FunctionName, v.CodeDir, v.Executable)
	fn.ReservedConcurrency, fn.Tags = d.Reserved, d.Tags
	return fn
}

func getVersion(ctx context.Context, r store.Reader, name, version string) (storedVersion, error) {
	var v storedVersion
	n, err := strconv.Atoi(version)
	if err != nil || n < 1 {
		return v, ErrQualifierNotFound
	}
	it, err := r.Get(ctx, versionKey(name, n))
	if errors.Is(err, store.ErrNotFound) {
		return v, ErrQualifierNotFound
	}
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal(it.Value, &v)
}

func getAlias(ctx context.Context, r store.Reader, name, alias string) (Alias, error) {
	var a Alias
	it, err := r.Get(ctx, aliasKey(name, alias))
	if errors.Is(err, store.ErrNotFound) {
		return a, ErrAliasNotFound
	}
	if err != nil {
		return a, err
	}
	return a, json.Unmarshal(it.Value, &a)
}

// PublishVersion publishes $LATEST as a new version, unless it has not
// changed since the last one, which is then returned: "Lambda doesn't
// publish a version if the function's configuration and code haven't
// changed since the last version" [D]. check, when set, may refuse with
// $LATEST's current state (CodeSha256, RevisionId preconditions).
func (s *Service) PublishVersion(ctx context.Context, ref, description string, check func(latest *Function) error) (Function, error) {
	name := FunctionName(ref)
	if s.isStatic(name) {
		return Function{}, ErrStatic
	}
	var out Function
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		d, err := getStored(ctx, tx, name)
		if err != nil {
			return err
		}
		latest := s.withCode(d)
		if check != nil {
			if err := check(&latest); err != nil {
				return err
			}
		}
		if d.LastVersion > 0 {
			last, err := getVersion(ctx, tx, name, strconv.Itoa(d.LastVersion))
			if err == nil && last.FromRevision == d.Function.RevisionID {
				out = s.versionFunction(last, d)
				return nil
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		d.LastVersion++
		fn := d.Function
		fn.Version = strconv.Itoa(d.LastVersion)
		fn.FunctionArn = s.qualifiedARN(name, fn.Version)
		fn.RevisionID = uuid.NewString()
		fn.LastModified = lastModified(s.cfg.Now())
		fn.Tags, fn.ReservedConcurrency = nil, nil
		if description != "" {
			fn.Description = description
		}
		v := storedVersion{Function: fn, Executable: d.Executable, CodeDir: d.CodeDir, FromRevision: d.Function.RevisionID}
		if err := putJSON(ctx, tx, versionKey(name, d.LastVersion), v); err != nil {
			return err
		}
		// $LATEST keeps its RevisionId: only the version counter moves.
		if err := putJSON(ctx, tx, functionKey(name), d); err != nil {
			return err
		}
		out = s.versionFunction(v, d)
		return nil
	})
	return out, err
}

func putJSON(ctx context.Context, tx store.Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(ctx, key, b)
}

// ListVersions returns $LATEST and then the published versions in order.
func (s *Service) ListVersions(ctx context.Context, ref string) ([]Function, error) {
	name := FunctionName(ref)
	s.mu.Lock()
	fn, static := s.static[name]
	s.mu.Unlock()
	if static {
		return []Function{fn}, nil
	}
	var out []Function
	err := s.cfg.Store.View(ctx, func(r store.Reader) error {
		d, err := getStored(ctx, r, name)
		if err != nil {
			return err
		}
		out = append(out, s.withCode(d))
		items, err := r.List(ctx, versionPrefix(name), store.ListOptions{})
		for _, it := range items {
			var v storedVersion
			if err := json.Unmarshal(it.Value, &v); err != nil {
				return err
			}
			out = append(out, s.versionFunction(v, d))
		}
		return err
	})
	return out, err
}

// DeleteVersion deletes a published version (nothing when it does not
// exist, as Lambda [V]); a version an alias points to stays
// (*VersionInUseError).
func (s *Service) DeleteVersion(ctx context.Context, ref, version string) error {
	name := FunctionName(ref)
	if s.isStatic(name) {
		return ErrStatic
	}
	n, err := strconv.Atoi(version)
	if err != nil || n < 1 {
		return ErrQualifierNotFound
	}
	var freed string // the version's code directory, if nothing else uses it
	_, err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		d, err := getStored(ctx, tx, name)
		if err != nil {
			return err
		}
		v, err := getVersion(ctx, tx, name, version)
		if errors.Is(err, ErrQualifierNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		aliases, err := listAliases(ctx, tx, name)
		if err != nil {
			return err
		}
		var users []string
		for _, a := range aliases {
			if a.FunctionVersion == version || hasKey(a.AdditionalVersionWeights, version) {
				users = append(users, a.Name)
			}
		}
		if len(users) > 0 {
			return &VersionInUseError{Aliases: users}
		}
		if err := tx.Delete(ctx, versionKey(name, n)); err != nil {
			return err
		}
		freed = v.CodeDir
		if d.CodeDir == freed {
			freed = ""
		}
		items, err := tx.List(ctx, versionPrefix(name), store.ListOptions{})
		for _, it := range items {
			var other storedVersion
			if json.Unmarshal(it.Value, &other) == nil && other.CodeDir == freed {
				freed = ""
			}
		}
		if err == nil && freed != "" && s.cfg.ShareCode {
			// Its shared package goes too.
			if derr := tx.Delete(ctx, codeKey(name, freed)); derr != nil && !errors.Is(derr, store.ErrNotFound) {
				return derr
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	s.closePools(func(key poolKey) bool { return key.name == name && key.version == version })
	freed, _ = s.localPaths(name, freed, "")
	if freed != "" && strings.HasPrefix(freed, filepath.Join(s.cfg.CodeDir, name)+string(filepath.Separator)) {
		if err := os.RemoveAll(freed); err != nil {
			s.log.Warn("removing a deleted version's code", "function", name, "version", version, "error", err)
		}
	}
	return nil
}

func hasKey(m map[string]float64, k string) bool {
	_, ok := m[k]
	return ok
}

func listAliases(ctx context.Context, r store.Reader, name string) ([]Alias, error) {
	items, err := r.List(ctx, aliasPrefix(name), store.ListOptions{})
	out := make([]Alias, 0, len(items))
	for _, it := range items {
		var a Alias
		if err := json.Unmarshal(it.Value, &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, err
}

// AliasError is a refusal of an alias's target or routing, with Lambda's
// message; Status tells not found (404) from invalid (400).
type AliasError struct {
	NotFound bool
	Message  string
}

func (e *AliasError) Error() string { return e.Message }

// checkAlias checks that a's versions exist and that its routing is one
// Lambda accepts, in r.
func (s *Service) checkAlias(ctx context.Context, r store.Reader, name string, a Alias) error {
	if len(a.AdditionalVersionWeights) > 0 && a.FunctionVersion == "$LATEST" {
		return &AliasError{Message: "$LATEST is not supported for an alias pointing to more than 1 version"}
	}
	for v := range a.AdditionalVersionWeights {
		if v == a.FunctionVersion {
			return &AliasError{Message: fmt.Sprintf("Invalid function version %s. Function version %s is already included in routing configuration.", v, v)}
		}
	}
	versions := []string{a.FunctionVersion}
	for v := range a.AdditionalVersionWeights {
		versions = append(versions, v)
	}
	for _, v := range versions {
		if v == "$LATEST" {
			continue
		}
		if _, err := getVersion(ctx, r, name, v); errors.Is(err, ErrQualifierNotFound) {
			return &AliasError{NotFound: true, Message: "Function not found: " + s.qualifiedARN(name, v)}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// CreateAlias creates an alias of a stored function.
func (s *Service) CreateAlias(ctx context.Context, ref string, a Alias) (Alias, error) {
	name := FunctionName(ref)
	if s.isStatic(name) {
		return Alias{}, ErrStatic
	}
	a.RevisionID = uuid.NewString()
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := getStored(ctx, tx, name); err != nil {
			return err
		}
		if _, err := getAlias(ctx, tx, name, a.Name); err == nil {
			return ErrAliasExists
		} else if !errors.Is(err, ErrAliasNotFound) {
			return err
		}
		if err := s.checkAlias(ctx, tx, name, a); err != nil {
			return err
		}
		return putJSON(ctx, tx, aliasKey(name, a.Name), a)
	})
	return a, err
}

// GetAlias returns an alias.
func (s *Service) GetAlias(ctx context.Context, ref, alias string) (Alias, error) {
	name := FunctionName(ref)
	var a Alias
	if s.isStatic(name) {
		return a, ErrAliasNotFound
	}
	err := s.cfg.Store.View(ctx, func(r store.Reader) error {
		if _, err := getStored(ctx, r, name); err != nil {
			return err
		}
		var err error
		a, err = getAlias(ctx, r, name, alias)
		return err
	})
	return a, err
}

// UpdateAlias applies edit to an alias and gives it a new RevisionID.
func (s *Service) UpdateAlias(ctx context.Context, ref, alias string, edit func(*Alias) error) (Alias, error) {
	name := FunctionName(ref)
	if s.isStatic(name) {
		return Alias{}, ErrAliasNotFound
	}
	var out Alias
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := getStored(ctx, tx, name); err != nil {
			return err
		}
		a, err := getAlias(ctx, tx, name, alias)
		if err != nil {
			return err
		}
		if err := edit(&a); err != nil {
			return err
		}
		if err := s.checkAlias(ctx, tx, name, a); err != nil {
			return err
		}
		a.RevisionID = uuid.NewString()
		out = a
		return putJSON(ctx, tx, aliasKey(name, alias), a)
	})
	return out, err
}

// DeleteAlias deletes an alias; deleting one that does not exist succeeds,
// as in Lambda [V].
func (s *Service) DeleteAlias(ctx context.Context, ref, alias string) error {
	name := FunctionName(ref)
	if s.isStatic(name) {
		return nil
	}
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := getStored(ctx, tx, name); err != nil {
			return err
		}
		if err := tx.Delete(ctx, aliasKey(name, alias)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	return err
}

// ListAliases returns a function's aliases by name, only those whose
// FunctionVersion is version when it is not "".
func (s *Service) ListAliases(ctx context.Context, ref, version string) ([]Alias, error) {
	name := FunctionName(ref)
	if s.isStatic(name) {
		return []Alias{}, nil
	}
	var out []Alias
	err := s.cfg.Store.View(ctx, func(r store.Reader) error {
		if _, err := getStored(ctx, r, name); err != nil {
			return err
		}
		all, err := listAliases(ctx, r, name)
		for _, a := range all {
			if version == "" || a.FunctionVersion == version {
				out = append(out, a)
			}
		}
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}
