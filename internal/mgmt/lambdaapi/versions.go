package lambdaapi

import (
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/lambda"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// Versions and aliases: PublishVersion, ListVersionsByFunction and the
// alias operations, with the shapes and messages recorded against AWS
// (LocalStack's test_lambda_api snapshots: TestLambdaVersions,
// TestLambdaAlias).

// Model constraints of aliases [M].
const (
	aliasNamePattern       = `(?!^[0-9]+$)([a-zA-Z0-9-_]+)`
	functionVersionPattern = `(\$LATEST|[0-9]+)`
	weightKeyPattern       = `[0-9]+`
)

var (
	// Go's regexp has no lookahead: (?!^[0-9]+$) is checked apart.
	aliasNameRE       = regexp.MustCompile(`^[a-zA-Z0-9-_]+$`)
	functionVersionRE = regexp.MustCompile(`^` + functionVersionPattern + `$`)
	weightKeyRE       = regexp.MustCompile(`^` + weightKeyPattern + `$`)
)

// aliasConfiguration is Lambda's AliasConfiguration.
type aliasConfiguration struct {
	AliasArn        string         `json:"AliasArn"`
	Name            string         `json:"Name"`
	FunctionVersion string         `json:"FunctionVersion"`
	Description     string         `json:"Description"`
	RoutingConfig   *routingConfig `json:"RoutingConfig,omitempty"`
	RevisionID      string         `json:"RevisionId"`
}

type routingConfig struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights"`
}

func (a *API) aliasConfiguration(name string, al lambda.Alias) aliasConfiguration {
	out := aliasConfiguration{AliasArn: a.arn(name, al.Name), Name: al.Name, FunctionVersion: al.FunctionVersion,
		Description: al.Description, RevisionID: al.RevisionID}
	if len(al.AdditionalVersionWeights) > 0 {
		out.RoutingConfig = &routingConfig{AdditionalVersionWeights: al.AdditionalVersionWeights}
	}
	return out
}

// unqualified parses a FunctionName that must not carry a qualifier other
// than in the path (PublishVersion, the alias operations, ListVersions).
func (a *API) unqualified(r *restjson.Request) (ref, error) {
	fr, err := a.parseRef(r)
	if err != nil {
		return fr, err
	}
	if fr.qualifier != "" {
		return fr, qualifiedNotAllowed()
	}
	return fr, nil
}

// qualifiedNotAllowed is Lambda's answer to a version or alias ARN where
// only a function is allowed [V].
func qualifiedNotAllowed() error {
	return invalidParameter("This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.")
}

type publishVersionInput struct {
	CodeSha256  *string `json:"CodeSha256"`
	Description *string `json:"Description"`
	RevisionID  *string `json:"RevisionId"`
}

func (a *API) publishVersion(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.unqualified(r)
	if err != nil {
		return nil, err
	}
	var in publishVersionInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v validation
	if in.Description != nil && len(*in.Description) > maxDescription {
		v.maxLen(*in.Description, "description", maxDescription)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	desc := ""
	if in.Description != nil {
		desc = *in.Description
	}
	out, err := a.fns.PublishVersion(ctx, fr.name, desc, func(latest *lambda.Function) error {
		if in.CodeSha256 != nil && *in.CodeSha256 != latest.CodeSha256 {
			return invalidParameter("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.",
				*in.CodeSha256, latest.CodeSha256)
		}
		return checkRevision(latest, in.RevisionID)
	})
	if err != nil {
		return nil, a.mapErr(err, fr)
	}
	return configuration(out), nil
}

type listVersionsOutput struct {
	Versions   []functionConfiguration `json:"Versions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

func (a *API) listVersionsByFunction(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.unqualified(r)
	if err != nil {
		return nil, err
	}
	limit, err := maxItems(r)
	if err != nil {
		return nil, err
	}
	fns, err := a.fns.ListVersions(ctx, fr.name)
	if err != nil {
		return nil, a.mapErr(err, fr)
	}
	start, err := afterMarker(r, len(fns), func(i int) string { return fns[i].Version })
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(fns))
	out := listVersionsOutput{Versions: make([]functionConfiguration, 0, end-start)}
	for _, fn := range fns[start:end] {
		c := configuration(fn)
		// Every entry's ARN is qualified, $LATEST's too [V].
		c.FunctionArn = a.arn(fn.FunctionName, fn.Version)
		out.Versions = append(out.Versions, c)
	}
	if end < len(fns) {
		out.NextMarker = base64.RawURLEncoding.EncodeToString([]byte(fns[end-1].Version))
	}
	return out, nil
}

// maxItems reads MaxItems (1 to 10000; defaultMaxItems without it).
func maxItems(r *restjson.Request) (int, error) {
	s, ok := r.Query("MaxItems")
	if !ok {
		return defaultMaxItems, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, invalidParameter("Invalid value for MaxItems: %s", s) // [U]
	}
	var v validation
	if n < 1 {
		v.min(n, "maxItems", 1)
	} else if n > 10000 {
		v.max(n, "maxItems", 10000)
	}
	return n, v.err()
}

// afterMarker returns where a page starts: after the item whose key the
// Marker names (keys in increasing order of position), or 0.
func afterMarker(r *restjson.Request, n int, key func(int) string) (int, error) {
	m, ok := r.Query("Marker")
	if !ok || m == "" {
		return 0, nil
	}
	last, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return 0, invalidParameter("Invalid marker: %s", m) // [U]
	}
	for i := range n {
		if key(i) == string(last) {
			return i + 1, nil
		}
	}
	return n, nil
}

type aliasInput struct {
	Name            *string `json:"Name"`
	FunctionVersion *string `json:"FunctionVersion"`
	Description     *string `json:"Description"`
	RoutingConfig   *struct {
		AdditionalVersionWeights map[string]*float64 `json:"AdditionalVersionWeights"`
	} `json:"RoutingConfig"`
	RevisionID *string `json:"RevisionId"`
}

// validate checks the model's constraints; name is the alias name's
// source (the body for CreateAlias, the path for the others).
func (in *aliasInput) validate(v *validation, name *string, requireVersion bool) {
	if name != nil {
		n := *name
		switch {
		case len(n) > 128:
			v.maxLen(n, "name", 128)
		case !aliasNameRE.MatchString(n) || versionNumberRE.MatchString(n):
			v.pattern(n, "name", aliasNamePattern)
		}
	}
	switch {
	case in.FunctionVersion == nil:
		if requireVersion {
			v.add("Value null at 'functionVersion' failed to satisfy constraint: Member must not be null")
		}
	case len(*in.FunctionVersion) > 1024:
		v.maxLen(*in.FunctionVersion, "functionVersion", 1024)
	case !functionVersionRE.MatchString(*in.FunctionVersion):
		v.pattern(*in.FunctionVersion, "functionVersion", functionVersionPattern)
	}
	if in.Description != nil && len(*in.Description) > maxDescription {
		v.maxLen(*in.Description, "description", maxDescription)
	}
	if in.RoutingConfig == nil {
		return
	}
	w := in.RoutingConfig.AdditionalVersionWeights
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var shown []string
	badKey, badValue := false, false
	for _, k := range keys {
		if len(k) < 1 || len(k) > 1024 || !weightKeyRE.MatchString(k) {
			badKey = true
		}
		val := "null"
		if w[k] != nil {
			val = javaDouble(*w[k])
		}
		if w[k] == nil || *w[k] < 0 || *w[k] > 1 {
			badValue = true
		}
		shown = append(shown, k+"="+val)
	}
	value := "{" + strings.Join(shown, ", ") + "}"
	if badKey {
		v.add("Value '%s' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: %s]", value, weightKeyPattern)
	}
	if badValue {
		v.add("Value '%s' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]", value)
	}
}

var versionNumberRE = regexp.MustCompile(`^[0-9]+$`)

// javaDouble formats a weight as Java's Double.toString does for the
// values a weight takes (2.0, 0.25, -1.0).
func javaDouble(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eEN") {
		s += ".0"
	}
	return s
}

// weights returns the routing weights (nil when none), after Lambda's
// check that there is at most one.
func (in *aliasInput) weights() (map[string]float64, error) {
	if in.RoutingConfig == nil || len(in.RoutingConfig.AdditionalVersionWeights) == 0 {
		return nil, nil
	}
	if len(in.RoutingConfig.AdditionalVersionWeights) > 1 {
		return nil, invalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	out := map[string]float64{}
	for k, v := range in.RoutingConfig.AdditionalVersionWeights {
		out[k] = *v
	}
	return out, nil
}

func (a *API) createAlias(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.unqualified(r)
	if err != nil {
		return nil, err
	}
	var in aliasInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v validation
	if in.Name == nil {
		v.add("Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	in.validate(&v, in.Name, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	weights, err := in.weights()
	if err != nil {
		return nil, err
	}
	al := lambda.Alias{Name: *in.Name, FunctionVersion: *in.FunctionVersion, AdditionalVersionWeights: weights}
	if in.Description != nil {
		al.Description = *in.Description
	}
	out, err := a.fns.CreateAlias(ctx, fr.name, al)
	switch {
	case errors.Is(err, lambda.ErrNotFound):
		return nil, functionNotFound(a.arn(fr.name, al.FunctionVersion))
	case errors.Is(err, lambda.ErrAliasExists):
		return nil, conflict("Alias already exists: " + a.arn(fr.name, al.Name))
	case err != nil:
		return nil, a.aliasErr(err, fr)
	}
	return a.aliasConfiguration(fr.name, out), nil
}

// aliasErr maps the service's refusals of an alias's routing.
func (a *API) aliasErr(err error, fr ref) error {
	var ae *lambda.AliasError
	if errors.As(err, &ae) {
		if ae.NotFound {
			return notFound(ae.Message)
		}
		e := invalidParameter("%s", ae.Message)
		if strings.HasPrefix(ae.Message, "$LATEST") {
			e.Fields = nil // recorded without "Type"
		}
		return e
	}
	return a.mapErr(err, fr)
}

func (a *API) getAlias(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.unqualified(r)
	if err != nil {
		return nil, err
	}
	name := r.Path("Name")
	if err := aliasPathName(name); err != nil {
		return nil, err
	}
	out, err := a.fns.GetAlias(ctx, fr.name, name)
	if errors.Is(err, lambda.ErrNotFound) || errors.Is(err, lambda.ErrAliasNotFound) {
		return nil, notFound("Cannot find alias arn: " + a.arn(fr.name, name))
	} else if err != nil {
		return nil, a.mapErr(err, fr)
	}
	return a.aliasConfiguration(fr.name, out), nil
}

// aliasPathName checks the {Name} of an alias path.
func aliasPathName(name string) error {
	var v validation
	var in aliasInput
	in.validate(&v, &name, false)
	return v.err()
}

func (a *API) updateAlias(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.unqualified(r)
	if err != nil {
		return nil, err
	}
	name := r.Path("Name")
	var in aliasInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v validation
	in.validate(&v, &name, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	weights, err := in.weights()
	if err != nil {
		return nil, err
	}
	out, err := a.fns.UpdateAlias(ctx, fr.name, name, func(al *lambda.Alias) error {
		if in.RevisionID != nil && *in.RevisionID != al.RevisionID {
			return preconditionFailed() // [U] the PublishVersion text
		}
		if in.FunctionVersion != nil {
			al.FunctionVersion = *in.FunctionVersion
		}
		if in.Description != nil {
			al.Description = *in.Description
		}
		if in.RoutingConfig != nil {
			// An empty AdditionalVersionWeights removes the routing [V].
			al.AdditionalVersionWeights = weights
		}
		return nil
	})
	if errors.Is(err, lambda.ErrNotFound) || errors.Is(err, lambda.ErrAliasNotFound) {
		return nil, notFound("Alias not found: " + a.arn(fr.name, name))
	} else if err != nil {
		return nil, a.aliasErr(err, fr)
	}
	return a.aliasConfiguration(fr.name, out), nil
}

func (a *API) deleteAlias(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.unqualified(r)
	if err != nil {
		return nil, err
	}
	name := r.Path("Name")
	if err := aliasPathName(name); err != nil {
		return nil, err
	}
	if err := a.fns.DeleteAlias(ctx, fr.name, name); err != nil {
		return nil, a.mapErr(err, fr)
	}
	return nil, nil
}

type listAliasesOutput struct {
	Aliases    []aliasConfiguration `json:"Aliases"`
	NextMarker string               `json:"NextMarker,omitempty"`
}

func (a *API) listAliases(ctx context.Context, r *restjson.Request) (any, error) {
	fr, err := a.unqualified(r)
	if err != nil {
		return nil, err
	}
	version, _ := r.Query("FunctionVersion")
	if version != "" {
		var v validation
		if len(version) > 1024 {
			v.maxLen(version, "functionVersion", 1024)
		} else if !functionVersionRE.MatchString(version) {
			v.pattern(version, "functionVersion", functionVersionPattern)
		}
		if err := v.err(); err != nil {
			return nil, err
		}
	}
	limit, err := maxItems(r)
	if err != nil {
		return nil, err
	}
	aliases, err := a.fns.ListAliases(ctx, fr.name, version)
	if err != nil {
		return nil, a.mapErr(err, fr)
	}
	start, err := afterMarker(r, len(aliases), func(i int) string { return aliases[i].Name })
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(aliases))
	out := listAliasesOutput{Aliases: make([]aliasConfiguration, 0, end-start)}
	for _, al := range aliases[start:end] {
		out.Aliases = append(out.Aliases, a.aliasConfiguration(fr.name, al))
	}
	if end < len(aliases) {
		out.NextMarker = base64.RawURLEncoding.EncodeToString([]byte(aliases[end-1].Name))
	}
	return out, nil
}

// deleteVersion is DeleteFunction with a version qualifier.
func (a *API) deleteVersion(ctx context.Context, fr ref) error {
	err := a.fns.DeleteVersion(ctx, fr.name, fr.qualifier)
	var inUse *lambda.VersionInUseError
	switch {
	case errors.As(err, &inUse):
		return conflict(inUse.Error())
	case errors.Is(err, lambda.ErrNotFound) && !errors.Is(err, lambda.ErrQualifierNotFound):
		// A missing function is named without the qualifier [V].
		return functionNotFound(a.arn(fr.name, ""))
	case errors.Is(err, lambda.ErrQualifierNotFound):
		return nil // deleting a version that does not exist succeeds [V]
	}
	return a.mapErr(err, fr)
}

// qualified is the reference the service resolves: name[:qualifier].
func (fr ref) qualified() string {
	if fr.qualifier == "" {
		return fr.name
	}
	return fr.name + ":" + fr.qualifier
}
