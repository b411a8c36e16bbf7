package apigw

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/domains"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/store"
)

type endpointConfigurationInput struct {
	Types          []string `json:"types"`
	IPAddressType  *string  `json:"ipAddressType"`
	VpcEndpointIds []string `json:"vpcEndpointIds"`
}

type createRestApiInput struct {
	Name                      *string                     `json:"name"`
	Description               *string                     `json:"description"`
	Version                   *string                     `json:"version"`
	CloneFrom                 *string                     `json:"cloneFrom"`
	BinaryMediaTypes          []string                    `json:"binaryMediaTypes"`
	MinimumCompressionSize    *int64                      `json:"minimumCompressionSize"`
	ApiKeySource              *string                     `json:"apiKeySource"`
	EndpointConfiguration     *endpointConfigurationInput `json:"endpointConfiguration"`
	Policy                    *string                     `json:"policy"`
	Tags                      map[string]string           `json:"tags"`
	DisableExecuteApiEndpoint *bool                       `json:"disableExecuteApiEndpoint"`
	SecurityPolicy            *string                     `json:"securityPolicy"`
	EndpointAccessMode        *string                     `json:"endpointAccessMode"`
}

const maxCompressionSize = 10485760

func (a *API) createRestApi(ctx context.Context, r *restjson.Request) (any, error) {
	if mode, ok := r.Query("mode"); ok && mode == "import" {
		return a.importRestApi(ctx, r)
	}
	var in createRestApiInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Name == nil {
		nullAt(&v, "createRestApiInput.name")
	}
	if ec := in.EndpointConfiguration; ec != nil {
		if !allIn(ec.Types, model.EndpointTypes) {
			v.EnumList(ec.Types, "createRestApiInput.endpointConfiguration.types", model.EndpointTypes)
		}
		if ec.IPAddressType != nil && !in1(*ec.IPAddressType, model.IPAddressTypes) {
			v.Enum(*ec.IPAddressType, "createRestApiInput.endpointConfiguration.ipAddressType", model.IPAddressTypes)
		}
	}
	if in.ApiKeySource != nil && !in1(*in.ApiKeySource, model.ApiKeySources) {
		v.Enum(*in.ApiKeySource, "createRestApiInput.apiKeySource", model.ApiKeySources)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if in.Description != nil && *in.Description == "" {
		return nil, awserr.BadRequest("Description cannot be an empty string")
	}
	if strings.TrimSpace(*in.Name) == "" {
		// [U] AWS's text for a blank name.
		return nil, awserr.BadRequest("Invalid REST API name specified")
	}
	ec, err := newEndpointConfiguration(in.EndpointConfiguration)
	if err != nil {
		return nil, err
	}
	if s := in.MinimumCompressionSize; s != nil && (*s < 0 || *s > maxCompressionSize) {
		return nil, awserr.BadRequest("Invalid minimum compression size, must be between 0 and 10485760")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	api := model.RestApi{
		ID:                     a.ids.ID(lenRestApiID),
		Name:                   *in.Name,
		Description:            in.Description,
		CreatedDate:            model.TimeOf(a.now()),
		Version:                in.Version,
		BinaryMediaTypes:       dedupe(in.BinaryMediaTypes),
		MinimumCompressionSize: in.MinimumCompressionSize,
		ApiKeySource:           model.Deref(in.ApiKeySource),
		EndpointConfiguration:  ec,
		Policy:                 in.Policy,
		Tags:                   in.Tags,
		RootResourceID:         a.ids.ID(lenRootID),
		SecurityPolicy:         in.SecurityPolicy,
		EndpointAccessMode:     in.EndpointAccessMode,
	}
	if api.ApiKeySource == "" {
		api.ApiKeySource = "HEADER"
	}
	if err := a.normalizePolicy(&api); err != nil {
		return nil, err
	}
	if in.DisableExecuteApiEndpoint != nil {
		api.DisableExecuteApiEndpoint = *in.DisableExecuteApiEndpoint
	}
	err = a.update(ctx, func(tx store.Tx) error {
		if in.CloneFrom != nil {
			return a.cloneInto(ctx, tx, *in.CloneFrom, &api)
		}
		return a.initAPI(ctx, tx, &api)
	})
	if err != nil {
		return nil, err
	}
	return api, nil
}

// normalizePolicy checks an API's resource policy and stores it as AWS
// does, with the "execute-api:/{stage}/{VERB}/{path}" shorthand expanded to
// full ARNs (reference §8.1) [U: AWS also escapes "/" as "\/" in the stored
// text; Tollgate keeps plain JSON].
func (a *API) normalizePolicy(api *model.RestApi) error {
	if api.Policy == nil || *api.Policy == "" {
		return nil
	}
	if err := validatePolicy(*api.Policy); err != nil {
		return err
	}
	expanded, err := policy.ExpandExecuteAPI([]byte(*api.Policy), a.region, a.accountID, api.ID)
	if err == nil {
		_, err = policy.Parse(expanded)
	}
	if err != nil {
		// [U] AWS's text for a policy it cannot use.
		return awserr.BadRequest("Invalid policy document. Please check the policy syntax and ensure that Principals are valid.")
	}
	s := string(expanded)
	api.Policy = &s
	return nil
}

// initAPI writes a new, empty API: the document, its root resource and the
// two default models.
func (a *API) initAPI(ctx context.Context, tx store.Tx, api *model.RestApi) error {
	if taken, err := exists(ctx, tx, model.KeyRestApi(api.ID)); err != nil || taken {
		return errors.Join(err, errors.New("rest api id collision"))
	}
	if err := put(ctx, tx, model.KeyRestApi(api.ID), a.seq.next(), *api); err != nil {
		return err
	}
	root := model.Resource{ID: api.RootResourceID, Path: "/"}
	if err := put(ctx, tx, model.ChildKey(model.KindResource, api.ID, root.ID), a.seq.next(), root); err != nil {
		return err
	}
	for _, m := range defaultModels() {
		m.ID = a.ids.ID(lenChildID)
		if err := put(ctx, tx, model.ChildKey(model.KindModel, api.ID, m.Name), a.seq.next(), m); err != nil {
			return err
		}
	}
	return nil
}

func defaultModels() []model.Model {
	return []model.Model{
		{
			Name:        "Empty",
			Description: model.Ptr("This is a default empty schema model"),
			Schema:      model.Ptr("{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Empty Schema\",\n  \"type\" : \"object\"\n}"),
			ContentType: "application/json",
		},
		{
			Name:        "Error",
			Description: model.Ptr("This is a default error schema model"),
			Schema:      model.Ptr("{\n  \"$schema\" : \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Error Schema\",\n  \"type\" : \"object\",\n  \"properties\" : {\n    \"message\" : { \"type\" : \"string\" }\n  }\n}"),
			ContentType: "application/json",
		},
	}
}

// newEndpointConfiguration applies AWS's defaults and rules to a create
// request's endpoint configuration.
func newEndpointConfiguration(in *endpointConfigurationInput) (*model.EndpointConfiguration, error) {
	ec := &model.EndpointConfiguration{Types: []string{model.EndpointEdge}}
	if in != nil {
		if in.Types != nil {
			switch len(in.Types) {
			case 0:
				return nil, awserr.BadRequest("REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.")
			case 1:
				ec.Types = []string{in.Types[0]}
			default:
				return nil, awserr.BadRequest("Cannot create an api with multiple Endpoint Types.")
			}
		}
		ec.VpcEndpointIds = in.VpcEndpointIds
		if in.IPAddressType != nil {
			ec.IPAddressType = *in.IPAddressType
		}
	}
	private := ec.Types[0] == model.EndpointPrivate
	switch {
	case ec.IPAddressType == "" && private:
		ec.IPAddressType = model.DualStack
	case ec.IPAddressType == "":
		ec.IPAddressType = model.IPv4
	case private && ec.IPAddressType == model.IPv4:
		return nil, awserr.BadRequest("Only dualstack ipAddressType is supported for Private APIs.")
	}
	if !private && len(ec.VpcEndpointIds) > 0 {
		// [U] AWS rejects VPC endpoint ids on public APIs.
		return nil, awserr.BadRequest("VPC endpoint IDs are only supported for private APIs")
	}
	return ec, nil
}

func (a *API) getRestApis(ctx context.Context, r *restjson.Request) (any, error) {
	var apis []model.RestApi
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		apis, err = list[model.RestApi](ctx, rd, model.PrefixRestApis)
		return err
	})
	if err != nil {
		return nil, err
	}
	return restjson.Paginate(r, apis, func(x model.RestApi) string { return x.ID })
}

func (a *API) loadAPI(ctx context.Context, rd store.Reader, id string) (model.RestApi, error) {
	api, _, err := get[model.RestApi](ctx, rd, model.KeyRestApi(id))
	return api, notFound(err, a.errAPI(id))
}

func (a *API) getRestApi(ctx context.Context, r *restjson.Request) (any, error) {
	var api model.RestApi
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		api, err = a.loadAPI(ctx, rd, r.Path("restapi_id"))
		return err
	})
	if err != nil {
		return nil, err
	}
	return restApiWithTags{RestApi: api, Tags: orEmpty(api.Tags)}, nil
}

func (a *API) deleteRestApi(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("restapi_id")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, err := a.loadAPI(ctx, tx, id); err != nil {
			return err
		}
		if mapped, err := domains.Mapped(ctx, tx, id); err != nil || mapped {
			if err == nil {
				// [C: serverless-domain-manager#406, gcdt#373]
				err = awserr.BadRequest("Deleting RestApi %s failed. Please remove all base path mappings related to the RestApi in your domains.", id)
			}
			return err
		}
		if err := tx.Delete(ctx, model.KeyRestApi(id)); err != nil {
			return err
		}
		for _, kind := range model.APIChildKinds {
			if _, err := tx.DeletePrefix(ctx, model.ChildPrefix(kind, id)); err != nil {
				return err
			}
		}
		return a.detachStages(ctx, tx, id, "")
	})
}

// restApiWithTags renders an API with "tags" always present, as AWS does in
// UpdateRestApi responses [V].
type restApiWithTags struct {
	model.RestApi
	Tags map[string]string `json:"tags"`
}

func (a *API) updateRestApi(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("restapi_id")
	api, err := patchDocument(ctx, a, r, "updateRestApiInput", model.KeyRestApi(id),
		func(rd store.Reader) (model.RestApi, int64, error) {
			api, seq, err := get[model.RestApi](ctx, rd, model.KeyRestApi(id))
			return api, seq, notFound(err, a.errAPI(id))
		},
		func(_ store.Tx, api *model.RestApi, ops []patch.Operation) error {
			if err := eachOp(api, ops, patchRestApi); err != nil {
				return err
			}
			return a.normalizePolicy(api)
		})
	if err != nil {
		return nil, err
	}
	tags := api.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return restApiWithTags{RestApi: api, Tags: tags}, nil
}

// patchRestApi applies one operation to api.
func patchRestApi(api *model.RestApi, op patch.Operation) error {
	seg := patch.Segments(op.Path)
	if len(seg) == 0 {
		return patch.InvalidPath(op)
	}
	switch seg[0] {
	case "name", "description", "version", "apiKeySource", "minimumCompressionSize", "disableExecuteApiEndpoint", "policy", "securityPolicy", "endpointAccessMode":
		if len(seg) != 1 {
			return patch.InvalidPath(op)
		}
		switch {
		case op.Op == "replace":
		case op.Op == "remove" && in1(seg[0], []string{"description", "version", "policy"}):
			// Removing an optional member clears it [V].
			op.Value = nil
		default:
			return patch.InvalidOp("replace")
		}
		return replaceRestApiField(api, seg[0], op)
	case "binaryMediaTypes":
		if len(seg) != 2 {
			return patch.InvalidPath(op)
		}
		return patchBinaryMediaTypes(&api.BinaryMediaTypes, seg[1], op)
	case "endpointConfiguration":
		return patchEndpointConfiguration(api, seg[1:], op)
	}
	return patch.InvalidPath(op)
}

func replaceRestApiField(api *model.RestApi, field string, op patch.Operation) error {
	val := op.Str()
	switch field {
	case "name":
		if strings.TrimSpace(val) == "" {
			return awserr.BadRequest("Invalid REST API name specified") // [U]
		}
		api.Name = val
	case "description":
		api.Description = optional(val)
	case "version":
		api.Version = optional(val)
	case "apiKeySource":
		if !in1(val, model.ApiKeySources) {
			return awserr.BadRequest("Invalid API Key source specified. Valid options are HEADER,AUTHORIZER") // [U]
		}
		api.ApiKeySource = val
	case "minimumCompressionSize":
		if val == "" {
			api.MinimumCompressionSize = nil
			return nil
		}
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n < 0 || n > maxCompressionSize {
			return awserr.BadRequest("Invalid minimum compression size, must be between 0 and 10485760")
		}
		api.MinimumCompressionSize = &n
	case "disableExecuteApiEndpoint":
		b, err := parseBool(val)
		if err != nil {
			return err
		}
		api.DisableExecuteApiEndpoint = b
	case "policy":
		api.Policy = optional(val) // checked and expanded by normalizePolicy
	case "securityPolicy":
		api.SecurityPolicy = optional(val)
	case "endpointAccessMode":
		api.EndpointAccessMode = optional(val)
	}
	return nil
}

// patchBinaryMediaTypes handles /binaryMediaTypes/{type}: add and remove
// the type; replace renames it to the value.
func patchBinaryMediaTypes(list *[]string, item string, op patch.Operation) error {
	switch op.Op {
	case "add":
		if !in1(item, *list) {
			*list = append(*list, item)
		}
	case "remove":
		*list = without(*list, item)
	case "replace":
		val := op.Str()
		out := make([]string, 0, len(*list))
		found := false
		for _, t := range *list {
			if t == item {
				found = true
				if val != "" && !in1(val, out) {
					out = append(out, val)
				}
				continue
			}
			out = append(out, t)
		}
		if !found {
			// [U] AWS's answer when replacing a type that is not there.
			return awserr.NotFound("Invalid binary media type specified: %s", item)
		}
		*list = out
	default:
		return patch.OpNotAllowed(op, "add", "remove", "replace")
	}
	if len(*list) == 0 {
		*list = nil
	}
	return nil
}

func patchEndpointConfiguration(api *model.RestApi, seg []string, op patch.Operation) error {
	ec := api.EndpointConfiguration
	if ec == nil {
		ec = &model.EndpointConfiguration{Types: []string{model.EndpointEdge}, IPAddressType: model.IPv4}
		api.EndpointConfiguration = ec
	}
	if len(seg) == 0 {
		return patch.InvalidPath(op)
	}
	switch seg[0] {
	case "ipAddressType":
		if len(seg) != 1 {
			return patch.InvalidPath(op)
		}
		if op.Op != "replace" {
			return patch.InvalidOp("replace")
		}
		val := op.Str()
		if !in1(val, model.IPAddressTypes) {
			return awserr.BadRequest("ipAddressType must be either ipv4 or dualstack.")
		}
		if val == model.IPv4 && in1(model.EndpointPrivate, ec.Types) {
			return awserr.BadRequest("Only dualstack ipAddressType is supported for Private APIs.")
		}
		ec.IPAddressType = val
	case "types":
		if len(seg) != 2 {
			return patch.InvalidPath(op)
		}
		if op.Op != "replace" {
			return patch.OpNotAllowed(op, "add", "remove", "replace")
		}
		val := op.Str()
		if !in1(val, model.EndpointTypes) {
			return awserr.BadRequest("Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE")
		}
		old := seg[1]
		if i := indexOf(ec.Types, old); i >= 0 {
			ec.Types[i] = val
		} else if n, err := strconv.Atoi(old); err == nil && n >= 0 && n < len(ec.Types) {
			ec.Types[n] = val
		} else {
			return awserr.BadRequest("Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE")
		}
		if val == model.EndpointPrivate {
			// Private APIs are dual-stack only; switching to PRIVATE moves
			// the API to dualstack [V].
			ec.IPAddressType = model.DualStack
		}
	case "vpcEndpointIds":
		switch op.Op {
		case "add":
			for _, id := range splitList(op.Str()) {
				if !in1(id, ec.VpcEndpointIds) {
					ec.VpcEndpointIds = append(ec.VpcEndpointIds, id)
				}
			}
		case "remove":
			for _, id := range splitList(op.Str()) {
				ec.VpcEndpointIds = without(ec.VpcEndpointIds, id)
			}
		case "replace":
			ec.VpcEndpointIds = splitList(op.Str())
		default:
			return patch.OpNotAllowed(op, "add", "remove", "replace")
		}
	default:
		return patch.InvalidPath(op)
	}
	return nil
}

// orEmpty renders absent tags as {} [V].
func orEmpty(tags map[string]string) map[string]string {
	if tags == nil {
		return map[string]string{}
	}
	return tags
}
