// Package stack creates a template's resources (package cfn) on a running
// gateway through its management APIs (apigateway, apigatewayv2, lambda),
// so that everything a template creates is visible to `aws apigateway …`
// and `aws lambda …`. A second Apply of the same stack name updates the
// resources in place: APIs, keys and plans are found again by the tags a
// stack puts on them (TagStackName, TagLogicalID), functions by their
// stable generated names.
//
// All or nothing: function code is read and every expression checked
// before the first call; when a call fails, what this run created is
// deleted again.
package stack

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/cfn"
)

// Caller sends one management API call, signed for service (apigateway or
// lambda), with in as its JSON body (nil: none) and the answer decoded into
// out (nil: ignored).
type Caller interface {
	Call(ctx context.Context, service, method, path string, in, out any) error
}

// RawCaller sends a body as is (OpenAPI imports).
type RawCaller interface {
	CallRaw(ctx context.Context, service, method, path, contentType string, body []byte, out any) error
}

// StatusError is a call's non-2xx answer.
type StatusError interface {
	error
	HTTPStatus() int
}

func statusOf(err error) int {
	var se StatusError
	if errors.As(err, &se) {
		return se.HTTPStatus()
	}
	return 0
}

// Tag keys marking what a stack created. CloudFormation uses
// aws:cloudformation:stack-name, …:stack-id and …:logical-id [D: "Resource
// tag"], but the aws: prefix is reserved to AWS and the tagging operations
// refuse it, so Tollgate writes the same keys under its own prefix [U].
const (
	TagStackName = "tollgate:cloudformation:stack-name"
	TagStackID   = "tollgate:cloudformation:stack-id"
	TagLogicalID = "tollgate:cloudformation:logical-id"
)

// Options configure Apply.
type Options struct {
	Region, AccountID string
	// Warn receives each warning once.
	Warn func(string)
	// Exports are the values other stacks exported (Fn::ImportValue).
	Exports func(name string) (string, bool)
	// EnvVars are --env-vars overrides: per function logical id, and under
	// "Parameters" for every function.
	EnvVars map[string]map[string]string
}

// Result is what Apply did, for the summary it prints.
type Result struct {
	Stack                     string
	Created, Updated, Deleted int
	Skipped                   map[string][]string // type → logical ids
	Accepted                  map[string][]string // recorded, not enforced (Lambda permissions)
	RestAPIs                  []API
	HTTPAPIs                  []API
	Functions                 []Function
	APIKeys                   []APIKey
	Outputs                   []Output
}

// API is a created REST or HTTP API with its stages and routes ("GET
// /pets/{id}", "$default"), in order.
type API struct {
	LogicalID, ID, Name string
	Protocol            string // HTTP or WEBSOCKET (apigatewayv2 APIs)
	Stages              []string
	Routes              []string
}

// Function is a created function.
type Function struct {
	LogicalID, Name, Runtime, Code string
}

// APIKey is a generated API key.
type APIKey struct {
	LogicalID, ID, Value string
}

// Output is an evaluated output.
type Output struct {
	Key, Value, Description, ExportName string
}

// physical is what one created resource answers to Ref and Fn::GetAtt.
type physical struct {
	ref   any
	attrs map[string]any
}

type applier struct {
	c        Caller
	st       *cfn.Stack
	opt      Options
	res      *Result
	phys     map[string]physical
	existing map[string]string // logical id → physical id of the previous deploy (APIs, keys, plans)
	code     map[string]codeBundle
	undo     []func(context.Context) error
	stackID  string
	types    map[string]string // logical id → type
}

// Apply creates or updates st's resources.
func Apply(ctx context.Context, c Caller, st *cfn.Stack, opt Options) (*Result, error) {
	if opt.Warn == nil {
		opt.Warn = func(string) {}
	}
	a := &applier{c: c, st: st, opt: opt, phys: map[string]physical{}, code: map[string]codeBundle{},
		res:   &Result{Stack: st.Name, Skipped: map[string][]string{}, Accepted: map[string][]string{}},
		types: map[string]string{}}
	a.stackID = cfn.String(st.Eval.Pseudo["AWS::StackId"])
	for _, r := range st.Resources {
		a.types[r.ID] = r.Type
	}
	// Everything that can fail without the gateway fails here: function
	// code, then every expression with placeholders (cfn.Build did).
	if err := a.prepareCode(); err != nil {
		return nil, err
	}
	var err error
	if a.existing, err = a.discover(ctx); err != nil {
		return nil, fmt.Errorf("reading stack %s: %w", st.Name, err)
	}
	ev := *st.Eval
	ev.Resolver = a
	ev.Exports = opt.Exports
	if ev.Exports == nil {
		ev.Exports = func(string) (string, bool) { return "", false }
	}
	for _, r := range st.Resources {
		if err := a.create(ctx, &ev, r); err != nil {
			a.rollback(ctx)
			return nil, err
		}
	}
	// What an earlier deploy created and the template no longer has goes
	// (CloudFormation deletes removed resources on update [D]).
	if err := a.deleteRemoved(ctx); err != nil {
		return nil, fmt.Errorf("stack %s: deleting removed resources: %w", st.Name, err)
	}
	if err := a.listRoutes(ctx); err != nil {
		return nil, fmt.Errorf("stack %s: %w", st.Name, err)
	}
	out := ev
	out.Block = "Outputs"
	for _, o := range st.Outputs {
		v, err := out.Eval(o.Value)
		if err != nil {
			a.rollback(ctx)
			return nil, fmt.Errorf("Output %s: %w", o.Key, err)
		}
		ov := Output{Key: o.Key, Value: joinValue(v), Description: o.Description}
		if o.ExportName != nil {
			n, _ := out.Eval(o.ExportName)
			ov.ExportName = cfn.String(n)
		}
		a.res.Outputs = append(a.res.Outputs, ov)
	}
	return a.res, nil
}

// joinValue renders an output: lists comma-joined [U].
func joinValue(v any) string {
	if l, ok := v.([]any); ok {
		parts := make([]string, len(l))
		for i, x := range l {
			parts[i] = cfn.String(x)
		}
		return strings.Join(parts, ",")
	}
	return cfn.String(v)
}

func (a *applier) rollback(ctx context.Context) {
	for i := len(a.undo) - 1; i >= 0; i-- {
		if err := a.undo[i](ctx); err != nil {
			a.opt.Warn(fmt.Sprintf("rollback: %v", err))
		}
	}
	a.undo = nil
}

// create dispatches on the resource type.
func (a *applier) create(ctx context.Context, ev *cfn.Evaluator, r *cfn.Resource) error {
	h, ok := handlers[r.Type]
	if !ok {
		a.skip(r)
		return nil
	}
	props, err := ev.Eval(r.Properties)
	if err != nil {
		return &cfn.PropertyError{Resource: r.ID, Type: r.Type, Err: err}
	}
	p := props.(map[string]any)
	if err := h(a, ctx, r, p); err != nil {
		var pe *cfn.PropertyError
		if errors.As(err, &pe) {
			return err
		}
		return fmt.Errorf("resource %s (%s): %w", r.ID, r.Type, err)
	}
	return nil
}

type handler func(a *applier, ctx context.Context, r *cfn.Resource, p map[string]any) error

var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"AWS::Lambda::Function":   (*applier).function,
		"AWS::Lambda::Permission": (*applier).permission,
		"AWS::Lambda::Version":    (*applier).version,
		"AWS::Lambda::Alias":      (*applier).alias,

		"AWS::ApiGateway::RestApi":          (*applier).restAPI,
		"AWS::ApiGateway::Resource":         (*applier).restResource,
		"AWS::ApiGateway::Method":           (*applier).restMethod,
		"AWS::ApiGateway::Authorizer":       (*applier).restAuthorizer,
		"AWS::ApiGateway::Model":            (*applier).restModel,
		"AWS::ApiGateway::RequestValidator": (*applier).restValidator,
		"AWS::ApiGateway::GatewayResponse":  (*applier).restGatewayResponse,
		"AWS::ApiGateway::Deployment":       (*applier).restDeployment,
		"AWS::ApiGateway::Stage":            (*applier).restStage,
		"AWS::ApiGateway::ApiKey":           (*applier).apiKey,
		"AWS::ApiGateway::UsagePlan":        (*applier).usagePlan,
		"AWS::ApiGateway::UsagePlanKey":     (*applier).usagePlanKey,

		"AWS::ApiGatewayV2::Api":                 (*applier).httpAPI,
		"AWS::ApiGatewayV2::Integration":         (*applier).httpIntegration,
		"AWS::ApiGatewayV2::Route":               (*applier).httpRoute,
		"AWS::ApiGatewayV2::Authorizer":          (*applier).httpAuthorizer,
		"AWS::ApiGatewayV2::Stage":               (*applier).httpStage,
		"AWS::ApiGatewayV2::Deployment":          (*applier).httpDeployment,
		"AWS::ApiGatewayV2::RouteResponse":       (*applier).httpRouteResponse,
		"AWS::ApiGatewayV2::IntegrationResponse": (*applier).httpIntegrationResponse,
		"AWS::ApiGatewayV2::Model":               (*applier).httpModel,
	}
}

// skip records a resource Tollgate does not create; its Ref and GetAtt
// answer placeholders (design §5.8) [U].
func (a *applier) skip(r *cfn.Resource) {
	a.res.Skipped[r.Type] = append(a.res.Skipped[r.Type], r.ID)
}

// Ref answers the physical id of a created resource, or a placeholder.
func (a *applier) Ref(id string) (any, error) {
	if p, ok := a.phys[id]; ok {
		return p.ref, nil
	}
	return a.physName(id, 64), nil
}

// GetAtt answers an attribute of a created resource, or a placeholder.
func (a *applier) GetAtt(id, attr string) (any, error) {
	if p, ok := a.phys[id]; ok {
		if v, ok := p.attrs[attr]; ok {
			return v, nil
		}
		if _, created := handlers[a.types[id]]; created {
			return nil, fmt.Errorf("Template error: resource %s does not support attribute type %s in Fn::GetAtt", id, attr)
		}
	}
	name := a.physName(id, 64)
	if attr != "Arn" {
		return id + "." + attr, nil
	}
	partition := cfn.String(a.st.Eval.Pseudo["AWS::Partition"])
	switch t := a.types[id]; {
	case strings.HasPrefix(t, "AWS::IAM::"):
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, a.opt.AccountID, name), nil
	case t == "AWS::DynamoDB::Table":
		return fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", partition, a.opt.Region, a.opt.AccountID, name), nil
	case t == "AWS::SQS::Queue":
		return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", partition, a.opt.Region, a.opt.AccountID, name), nil
	case t == "AWS::Lambda::Function":
		return a.functionARN(name), nil
	default:
		svc := strings.ToLower(strings.Split(t, "::")[1])
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", partition, svc, a.opt.Region, a.opt.AccountID, name), nil
	}
}

func (a *applier) functionARN(name string) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", cfn.String(a.st.Eval.Pseudo["AWS::Partition"]), a.opt.Region, a.opt.AccountID, name)
}

const suffixChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// physName is CloudFormation's name for an unnamed resource,
// <stack>-<logicalId>-<12 characters>, stable for a (stack, logical id)
// so that updates find it again [C: `sam deploy` outputs; U: the suffix].
func (a *applier) physName(id string, max int) string {
	sum := sha256.Sum256([]byte(a.stackID + "/" + id))
	suffix := make([]byte, 12)
	for i := range suffix {
		suffix[i] = suffixChars[int(sum[i])%len(suffixChars)]
	}
	stack, logical := a.st.Name, id
	for len(stack)+len(logical)+14 > max {
		if len(stack) >= len(logical) {
			stack = stack[:len(stack)-1]
		} else {
			logical = logical[:len(logical)-1]
		}
	}
	return stack + "-" + logical + "-" + string(suffix)
}

func (a *applier) tags(id string) map[string]string {
	return map[string]string{TagStackName: a.st.Name, TagStackID: a.stackID, TagLogicalID: id}
}

// createChild creates the resource r describes with a POST of in to path
// (its API deletes it with the API), and records its id, which the answer
// holds in idField, as its Ref and as its attribute attr.
func (a *applier) createChild(ctx context.Context, r *cfn.Resource, path string, in map[string]any, idField, attr string) error {
	var out map[string]any
	if err := a.c.Call(ctx, svcAPIGW, http.MethodPost, path, in, &out); err != nil {
		return err
	}
	id, _ := out[idField].(string)
	a.set(r.ID, id, map[string]any{attr: id}, true)
	return nil
}

// undoCreate makes a rollback delete what this apply created at path of
// service svc.
func (a *applier) undoCreate(svc, path string) {
	a.undo = append(a.undo, func(ctx context.Context) error {
		return a.c.Call(ctx, svc, http.MethodDelete, path, nil, nil)
	})
}

// tagResource tags the resource arn with the stack's tags for logical id
// and the template's Tags, through the tagging call method path
// (apigateway's PUT /tags/{arn}, apigatewayv2's POST /v2/tags/{arn}).
func (a *applier) tagResource(ctx context.Context, logicalID string, p map[string]any, method, path, arn string) error {
	tags := a.tags(logicalID)
	for k, v := range cfnTags(p["Tags"]) {
		tags[k] = v
	}
	return a.c.Call(ctx, svcAPIGW, method, path+url.PathEscape(arn), map[string]any{"tags": tags}, nil)
}

// discover finds the APIs, keys and plans an earlier Apply of this stack
// created, by their tags.
func (a *applier) discover(ctx context.Context) (map[string]string, error) {
	found := map[string]string{}
	type tagged struct {
		ID   string            `json:"id"`
		Tags map[string]string `json:"tags"`
	}
	add := func(kind string, items []tagged) {
		for _, it := range items {
			if it.Tags[TagStackName] == a.st.Name && it.Tags[TagLogicalID] != "" {
				found[kind+"/"+it.Tags[TagLogicalID]] = it.ID
			}
		}
	}
	for _, kind := range []string{"restapis", "apikeys", "usageplans"} {
		position := ""
		for {
			var page struct {
				Item     []tagged `json:"item"`
				Position string   `json:"position"`
			}
			p := "/" + kind + "?limit=500"
			if position != "" {
				p += "&position=" + position
			}
			if err := a.c.Call(ctx, "apigateway", http.MethodGet, p, nil, &page); err != nil {
				return nil, err
			}
			add(kind, page.Item)
			if page.Position == "" {
				break
			}
			position = page.Position
		}
	}
	next := ""
	for {
		var page struct {
			Items []struct {
				ApiID string            `json:"apiId"`
				Tags  map[string]string `json:"tags"`
			} `json:"items"`
			NextToken string `json:"nextToken"`
		}
		p := "/v2/apis?maxResults=500"
		if next != "" {
			p += "&nextToken=" + next
		}
		if err := a.c.Call(ctx, "apigateway", http.MethodGet, p, nil, &page); err != nil {
			return nil, err
		}
		var items []tagged
		for _, it := range page.Items {
			items = append(items, tagged{ID: it.ApiID, Tags: it.Tags})
		}
		add("v2apis", items)
		if page.NextToken == "" {
			break
		}
		next = page.NextToken
	}
	return found, nil
}

// set records a created resource.
func (a *applier) set(id string, ref any, attrs map[string]any, created bool) {
	a.phys[id] = physical{ref: ref, attrs: attrs}
	if created {
		a.res.Created++
	} else {
		a.res.Updated++
	}
}

// str is a property's string value.
func str(p map[string]any, k string) string { return cfn.String(p[k]) }

// sortedTypes lists map keys in order, for stable summaries.
func sortedTypes(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// kinds maps the tag-discovered kinds to their resource types and paths.
var kinds = map[string]struct{ typ, path, service string }{
	"restapis":   {"AWS::ApiGateway::RestApi", "/restapis/", "apigateway"},
	"v2apis":     {"AWS::ApiGatewayV2::Api", "/v2/apis/", "apigateway"},
	"apikeys":    {"AWS::ApiGateway::ApiKey", "/apikeys/", "apigateway"},
	"usageplans": {"AWS::ApiGateway::UsagePlan", "/usageplans/", "apigateway"},
}

// deleteRemoved deletes the APIs, keys, plans and functions a previous
// Apply of this stack created for logical ids the template no longer has.
func (a *applier) deleteRemoved(ctx context.Context) error {
	keys := make([]string, 0, len(a.existing))
	for k := range a.existing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kind, id, _ := strings.Cut(k, "/")
		kd := kinds[kind]
		if a.types[id] == kd.typ {
			continue
		}
		err := a.c.Call(ctx, kd.service, http.MethodDelete, kd.path+a.existing[k], nil, nil)
		if err != nil && statusOf(err) != http.StatusNotFound {
			return fmt.Errorf("%s (%s): %w", id, kd.typ, err)
		}
		a.res.Deleted++
	}
	var list struct {
		Functions []struct {
			FunctionName string `json:"FunctionName"`
		} `json:"Functions"`
		NextMarker string `json:"NextMarker"`
	}
	marker := ""
	for {
		p := "/2015-03-31/functions?MaxItems=50"
		if marker != "" {
			p += "&Marker=" + url.QueryEscape(marker)
		}
		list.NextMarker = ""
		list.Functions = nil
		if err := a.c.Call(ctx, "lambda", http.MethodGet, p, nil, &list); err != nil {
			return err
		}
		for _, f := range list.Functions {
			if !strings.HasPrefix(f.FunctionName, a.st.Name+"-") {
				continue // not a generated name of this stack
			}
			var got struct {
				Tags map[string]string `json:"Tags"`
			}
			path := "/2015-03-31/functions/" + url.PathEscape(f.FunctionName)
			if err := a.c.Call(ctx, "lambda", http.MethodGet, path, nil, &got); err != nil {
				continue
			}
			id := got.Tags[TagLogicalID]
			if got.Tags[TagStackName] != a.st.Name || id == "" || a.types[id] == "AWS::Lambda::Function" {
				continue
			}
			if err := a.c.Call(ctx, "lambda", http.MethodDelete, path, nil, nil); err != nil && statusOf(err) != http.StatusNotFound {
				return fmt.Errorf("%s (AWS::Lambda::Function): %w", id, err)
			}
			a.res.Deleted++
		}
		if list.NextMarker == "" {
			return nil
		}
		marker = list.NextMarker
	}
}

// listRoutes reads the routes of the APIs created, for the summary.
func (a *applier) listRoutes(ctx context.Context) error {
	for i := range a.res.RestAPIs {
		api := &a.res.RestAPIs[i]
		items, err := a.resources(ctx, api.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			for m := range it.ResourceMethods {
				api.Routes = append(api.Routes, m+" "+it.Path)
			}
		}
		sort.Slice(api.Routes, func(i, j int) bool { return routeLess(api.Routes[i], api.Routes[j]) })
	}
	for i := range a.res.HTTPAPIs {
		api := &a.res.HTTPAPIs[i]
		var page struct {
			Items []struct {
				RouteKey string `json:"routeKey"`
			} `json:"items"`
		}
		if err := a.c.Call(ctx, svcAPIGW, http.MethodGet, "/v2/apis/"+url.PathEscape(api.ID)+"/routes?maxResults=500", nil, &page); err != nil {
			return err
		}
		for _, r := range page.Items {
			api.Routes = append(api.Routes, r.RouteKey)
		}
		sort.Slice(api.Routes, func(i, j int) bool { return routeLess(api.Routes[i], api.Routes[j]) })
	}
	return nil
}

// routeLess orders routes by path, then method.
func routeLess(x, y string) bool {
	mx, px, _ := strings.Cut(x, " ")
	my, py, _ := strings.Cut(y, " ")
	if px != py {
		return px < py
	}
	return mx < my
}
