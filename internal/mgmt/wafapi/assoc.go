package wafapi

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// Associations live in the stage document (its webAclArn, which GetStage
// shows): they survive redeployments, and go with the stage when it is
// deleted [U].

type assocInput struct {
	WebACLArn    string  `json:"WebACLArn"`
	ResourceArn  string  `json:"ResourceArn"`
	ResourceType *string `json:"ResourceType"`
}

// stageKey checks a resource ARN and returns the store key of the stage
// it names. Only REST API stages of this Region can be protected: an
// HTTP or WebSocket API stage, or any other ARN, is refused [D: API
// Gateway feature table] [U: the error's field and reason].
func (a *API) stageKey(arn string) (string, error) {
	region, apiID, stage, httpAPI, ok := wafmodel.ParseStageARN(arn)
	switch {
	case !ok:
		return "", wafmodel.InvalidParameter("RESOURCE_ARN", arn, wafmodel.ReasonFormat)
	case httpAPI:
		return "", wafmodel.InvalidParameter("RESOURCE_ARN", arn, wafmodel.ReasonNotAllowed)
	case region != a.region:
		return "", wafmodel.Nonexistent()
	}
	return model.ChildKey(model.KindStage, apiID, stage), nil
}

// loadACLByARN reads the web ACL arn names.
func (a *API) loadACLByARN(ctx context.Context, rd store.Reader, arn string) (*wafmodel.WebACL, error) {
	p, ok := wafmodel.ParseARN(arn)
	if !ok || p.Kind != wafmodel.KindWebACL {
		return nil, wafmodel.InvalidParameter("RESOURCE_ARN", arn, wafmodel.ReasonFormat)
	}
	if p.Region != a.region || p.Account != a.accountID {
		return nil, wafmodel.Nonexistent()
	}
	return load[wafmodel.WebACL](ctx, rd, wafmodel.KindWebACL, ref{Name: p.Name, Scope: p.Scope, ID: p.ID})
}

func (a *API) associate(ctx context.Context, r *restjson.Request) (any, error) {
	var in assocInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.ARN(in.WebACLArn, "webACLArn")
	c.ARN(in.ResourceArn, "resourceArn")
	if err := c.Err(); err != nil {
		return nil, err
	}
	_, err := a.store.Update(ctx, func(tx store.Tx) error {
		acl, err := a.loadACLByARN(ctx, tx, in.WebACLArn)
		if err != nil {
			return err
		}
		if acl.Scope != wafmodel.ScopeRegional {
			// API Gateway takes Regional web ACLs only [D].
			return wafmodel.InvalidParameter("RESOURCE_ARN", in.ResourceArn, wafmodel.ReasonNotAllowed)
		}
		key, err := a.stageKey(in.ResourceArn)
		if err != nil {
			return err
		}
		return a.setStageACL(ctx, tx, key, &acl.ARN)
	})
	return nil, err
}

// setStageACL sets (or, with nil, clears) the web ACL of the stage at
// key. A stage that already has one has it replaced [C: Pulumi#4782].
func (a *API) setStageACL(ctx context.Context, tx store.Tx, key string, arn *string) error {
	st, seq, err := docstore.Get[model.Stage](ctx, tx, key)
	if err != nil {
		return notFound(err)
	}
	if model.Deref(st.WebACLArn) == model.Deref(arn) {
		return nil
	}
	st.WebACLArn = arn
	return docstore.Put(ctx, tx, key, seq, st)
}

func (a *API) disassociate(ctx context.Context, r *restjson.Request) (any, error) {
	var in assocInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.ARN(in.ResourceArn, "resourceArn")
	if err := c.Err(); err != nil {
		return nil, err
	}
	key, err := a.stageKey(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	// A stage without a web ACL is answered {} too [M doc].
	_, err = a.store.Update(ctx, func(tx store.Tx) error { return a.setStageACL(ctx, tx, key, nil) })
	return nil, err
}

func (a *API) webACLForResource(ctx context.Context, r *restjson.Request) (any, error) {
	var in assocInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.ARN(in.ResourceArn, "resourceArn")
	if err := c.Err(); err != nil {
		return nil, err
	}
	key, err := a.stageKey(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	var acl *wafmodel.WebACL
	err = a.store.View(ctx, func(rd store.Reader) error {
		st, _, err := docstore.Get[model.Stage](ctx, rd, key)
		if err != nil {
			return notFound(err)
		}
		if st.WebACLArn == nil {
			return nil
		}
		acl, err = a.loadACLByARN(ctx, rd, *st.WebACLArn)
		if e, ok := awserr.As(err); ok && e.Code == "WAFNonexistentItemException" {
			acl, err = nil, nil // deleted under the stage: nothing protects it
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if acl == nil {
		return struct{}{}, nil // "WAF returns a null web ACL" [M doc]
	}
	return map[string]any{"WebACL": webACLOut(acl)}, nil
}

func (a *API) resourcesForWebACL(ctx context.Context, r *restjson.Request) (any, error) {
	var in assocInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.ARN(in.WebACLArn, "webACLArn")
	typ := "APPLICATION_LOAD_BALANCER" // the model's default [M doc]
	if in.ResourceType != nil {
		typ = *in.ResourceType
		c.Enum(typ, "resourceType", wafmodel.ResourceTypes)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	var arns []string
	err := a.store.View(ctx, func(rd store.Reader) error {
		acl, err := a.loadACLByARN(ctx, rd, in.WebACLArn)
		if err != nil {
			return err
		}
		if typ != "API_GATEWAY" {
			return nil
		}
		arns, err = a.associated(ctx, rd, acl.ARN)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string][]string{"ResourceArns": nonNil(arns)}, nil
}

// associated returns the ARNs of the stages the web ACL arn protects.
func (a *API) associated(ctx context.Context, rd store.Reader, arn string) ([]string, error) {
	items, err := rd.List(ctx, model.KindStage+"/", store.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		var rec model.Record[model.Stage]
		if err := json.Unmarshal(it.Value, &rec); err != nil {
			return nil, err
		}
		if model.Deref(rec.V.WebACLArn) != arn {
			continue
		}
		apiID, stage, _ := strings.Cut(strings.TrimPrefix(it.Key, model.KindStage+"/"), "/")
		out = append(out, wafmodel.StageARN(a.region, apiID, stage))
	}
	return out, nil
}
