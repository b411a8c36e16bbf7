package apigw

import (
	"context"
	"strconv"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

type createAuthorizerInput struct {
	Name                         *string  `json:"name"`
	Type                         *string  `json:"type"`
	ProviderARNs                 []string `json:"providerARNs"`
	AuthType                     *string  `json:"authType"`
	AuthorizerURI                *string  `json:"authorizerUri"`
	AuthorizerCredentials        *string  `json:"authorizerCredentials"`
	IdentitySource               *string  `json:"identitySource"`
	IdentityValidationExpression *string  `json:"identityValidationExpression"`
	AuthorizerResultTTLInSeconds *int64   `json:"authorizerResultTtlInSeconds"`
}

const (
	defaultAuthorizerTTL = 300
	maxAuthorizerTTL     = 3600
)

func (a *API) createAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	var in createAuthorizerInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Name == nil {
		nullAt(&v, "createAuthorizerInput.name")
	}
	if in.Type == nil {
		nullAt(&v, "createAuthorizerInput.type")
	} else if !in1(*in.Type, model.AuthorizerTypes) {
		v.Enum(*in.Type, "createAuthorizerInput.type", model.AuthorizerTypes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	auth := model.Authorizer{
		Name:                         *in.Name,
		Type:                         *in.Type,
		ProviderARNs:                 in.ProviderARNs,
		AuthType:                     in.AuthType,
		AuthorizerURI:                in.AuthorizerURI,
		AuthorizerCredentials:        in.AuthorizerCredentials,
		IdentitySource:               in.IdentitySource,
		IdentityValidationExpression: in.IdentityValidationExpression,
		AuthorizerResultTTLInSeconds: in.AuthorizerResultTTLInSeconds,
	}
	if auth.AuthorizerResultTTLInSeconds == nil {
		auth.AuthorizerResultTTLInSeconds = model.Ptr[int64](defaultAuthorizerTTL)
	}
	err := a.update(ctx, func(tx store.Tx) error {
		if _, err := a.loadAPI(ctx, tx, apiID); err != nil {
			// AWS answers CreateAuthorizer on an unknown API this way [V].
			return awserr.Conflict("Unable to complete operation due to concurrent modification. Please try again later.")
		}
		if err := checkAuthorizer(&auth); err != nil {
			return err
		}
		auth.ID = a.ids.ID(lenChildID)
		return put(ctx, tx, model.ChildKey(model.KindAuthorizer, apiID, auth.ID), a.seq.next(), auth)
	})
	if err != nil {
		return nil, err
	}
	return auth, nil
}

// checkAuthorizer enforces the members each authorizer type needs.
// Messages are [U] unless noted.
func checkAuthorizer(auth *model.Authorizer) error {
	if auth.Name == "" {
		return awserr.BadRequest("Authorizer name must be non-empty")
	}
	switch auth.Type {
	case "TOKEN", "REQUEST":
		if model.Deref(auth.AuthorizerURI) == "" {
			return awserr.BadRequest("Invalid Authorizer URI specified")
		}
		if _, err := integrationARNService(*auth.AuthorizerURI); err != nil {
			return err
		}
	case "COGNITO_USER_POOLS":
		if len(auth.ProviderARNs) == 0 {
			return awserr.BadRequest("Invalid Provider ARNs specified. At least one Provider ARN must be provided.")
		}
	}
	ttl := model.Deref(auth.AuthorizerResultTTLInSeconds)
	if ttl < 0 || ttl > maxAuthorizerTTL {
		return awserr.BadRequest("Invalid authorizer result TTL specified. Must be between 0 and 3600 seconds.")
	}
	needsSource := auth.Type != "REQUEST" || ttl > 0
	if needsSource && model.Deref(auth.IdentitySource) == "" {
		return awserr.BadRequest("Identity source must be specified for %s authorizers", auth.Type)
	}
	return nil
}

func (a *API) getAuthorizers(ctx context.Context, r *restjson.Request) (any, error) {
	return listChildren(ctx, a, r, model.KindAuthorizer, func(x model.Authorizer) string { return x.ID })
}

func (a *API) loadAuthorizer(ctx context.Context, rd store.Reader, apiID, id string) (model.Authorizer, int64, error) {
	return loadChild[model.Authorizer](ctx, a, rd, model.KindAuthorizer, apiID, id, errAuthorizer)
}

func (a *API) getAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("authorizer_id")
	return readDoc(ctx, a, func(rd store.Reader) (model.Authorizer, int64, error) { return a.loadAuthorizer(ctx, rd, apiID, id) })
}

func (a *API) updateAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("authorizer_id")
	return output(patchDocument(ctx, a, r, "updateAuthorizerInput", model.ChildKey(model.KindAuthorizer, apiID, id),
		func(rd store.Reader) (model.Authorizer, int64, error) { return a.loadAuthorizer(ctx, rd, apiID, id) },
		func(_ store.Tx, auth *model.Authorizer, ops []patch.Operation) error {
			if err := eachOp(auth, ops, patchAuthorizer); err != nil {
				return err
			}
			return checkAuthorizer(auth)
		}))
}

func patchAuthorizer(auth *model.Authorizer, op patch.Operation) error {
	seg := patch.Segments(op.Path)
	if len(seg) >= 1 && seg[0] == "providerARNs" {
		switch op.Op {
		case "add":
			if !in1(op.Str(), auth.ProviderARNs) {
				auth.ProviderARNs = append(auth.ProviderARNs, op.Str())
			}
		case "remove":
			auth.ProviderARNs = without(auth.ProviderARNs, op.Str())
		default:
			return patch.OpNotAllowed(op, "add", "remove")
		}
		return nil
	}
	if len(seg) != 1 {
		return patch.InvalidPath(op)
	}
	allowed := []string{"/name", "/type", "/authorizerUri", "/authorizerCredentials", "/identitySource", "/identityValidationExpression", "/authorizerResultTtlInSeconds", "/authType"}
	if !in1(op.Path, allowed) {
		return patch.InvalidPathFor(op, allowed...)
	}
	if op.Op != "replace" {
		return patch.UnsupportedOp(op)
	}
	val := op.Str()
	switch seg[0] {
	case "name":
		auth.Name = val
	case "type":
		if !in1(val, model.AuthorizerTypes) {
			return awserr.BadRequest("Invalid authorizer type specified: %s", val) // [U]
		}
		auth.Type = val
	case "authorizerUri":
		auth.AuthorizerURI = optional(val)
	case "authorizerCredentials":
		auth.AuthorizerCredentials = optional(val)
	case "identitySource":
		auth.IdentitySource = optional(val)
	case "identityValidationExpression":
		auth.IdentityValidationExpression = optional(val)
	case "authorizerResultTtlInSeconds":
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return awserr.BadRequest("Invalid authorizer result TTL specified. Must be between 0 and 3600 seconds.") // [U]
		}
		auth.AuthorizerResultTTLInSeconds = &n
	case "authType":
		auth.AuthType = optional(val)
	}
	return nil
}

func (a *API) deleteAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("authorizer_id")
	return nil, a.update(ctx, func(tx store.Tx) error {
		auth, _, err := a.loadAuthorizer(ctx, tx, apiID, id)
		if err != nil {
			return err
		}
		t, err := a.loadTree(ctx, tx, apiID)
		if err != nil {
			return err
		}
		for _, res := range t.sorted() {
			for _, verb := range sortedKeys(res.ResourceMethods) {
				if model.Deref(res.ResourceMethods[verb].AuthorizerID) == id {
					// [U] AWS refuses to delete an authorizer in use.
					return awserr.Conflict("Cannot delete authorizer '%s', is referenced in method: %s/%s", auth.Name, res.Path, verb)
				}
			}
		}
		return tx.Delete(ctx, model.ChildKey(model.KindAuthorizer, apiID, id))
	})
}
