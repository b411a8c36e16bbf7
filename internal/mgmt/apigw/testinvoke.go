package apigw

import (
	"context"
	"errors"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// Tester runs test invocations on an API's working copy, through the data
// plane's compiler and pipeline (internal/testinvoke). Errors wrapping
// ErrInvalidConfig are the API's own configuration problems, answered 400.
type Tester interface {
	TestInvokeMethod(ctx context.Context, snap *model.Snapshot, resourceID, httpMethod string, in *TestInvokeMethodInput) (*TestInvokeMethodOutput, error)
	TestInvokeAuthorizer(ctx context.Context, snap *model.Snapshot, authorizerID string, in *TestInvokeAuthorizerInput) (*TestInvokeAuthorizerOutput, error)
}

// TestInvokeMethodInput is TestInvokeMethod's request (every member is
// optional [M]).
type TestInvokeMethodInput struct {
	PathWithQueryString *string             `json:"pathWithQueryString"`
	Body                *string             `json:"body"`
	Headers             map[string]string   `json:"headers"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders"`
	ClientCertificateID *string             `json:"clientCertificateId"`
	StageVariables      map[string]string   `json:"stageVariables"`
}

// TestInvokeMethodOutput is TestInvokeMethodResponse [M].
type TestInvokeMethodOutput struct {
	Status            int                 `json:"status"`
	Body              string              `json:"body"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Log               string              `json:"log"`
	Latency           int64               `json:"latency"`
}

// TestInvokeAuthorizerInput is TestInvokeAuthorizer's request [M].
type TestInvokeAuthorizerInput struct {
	Headers             map[string]string   `json:"headers"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders"`
	PathWithQueryString *string             `json:"pathWithQueryString"`
	Body                *string             `json:"body"`
	StageVariables      map[string]string   `json:"stageVariables"`
	AdditionalContext   map[string]string   `json:"additionalContext"`
}

// TestInvokeAuthorizerOutput is TestInvokeAuthorizerResponse [M].
type TestInvokeAuthorizerOutput struct {
	ClientStatus  int                 `json:"clientStatus"`
	Log           string              `json:"log"`
	Latency       int64               `json:"latency"`
	PrincipalID   string              `json:"principalId,omitempty"`
	Policy        string              `json:"policy,omitempty"`
	Authorization map[string][]string `json:"authorization,omitempty"`
	Claims        map[string]string   `json:"claims,omitempty"`
}

// errNoTester answers test invocations on a server without a data plane.
var errNoTester = awserr.BadRequest("Test invocations are not available on this server")

// testInvokeMethod runs a method of the API as it stands now, deployed or
// not (API Gateway Developer Guide, "Use the API Gateway console to test
// a REST API method"; reference §4).
func (a *API) testInvokeMethod(ctx context.Context, r *restjson.Request) (any, error) {
	var in TestInvokeMethodInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkVariables(in.StageVariables); err != nil {
		return nil, err
	}
	apiID, resID, verb := r.Path("restapi_id"), r.Path("resource_id"), r.Path("http_method")
	var snap *model.Snapshot
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		if snap, err = a.takeSnapshot(ctx, rd, apiID); err != nil {
			return err
		}
		res := findResource(snap, resID)
		if res == nil {
			return errResource
		}
		if res.ResourceMethods[verb] == nil {
			return errMethod
		}
		if id := model.Deref(in.ClientCertificateID); id != "" {
			if _, _, err := a.loadClientCert(ctx, rd, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.tester == nil {
		return nil, errNoTester
	}
	out, err := a.tester.TestInvokeMethod(ctx, snap, resID, verb, &in)
	return out, configError(err)
}

// testInvokeAuthorizer runs an authorizer of the API as it stands now
// (reference §5).
func (a *API) testInvokeAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	var in TestInvokeAuthorizerInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkVariables(in.StageVariables); err != nil {
		return nil, err
	}
	apiID, authID := r.Path("restapi_id"), r.Path("authorizer_id")
	var snap *model.Snapshot
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		if snap, err = a.takeSnapshot(ctx, rd, apiID); err != nil {
			return err
		}
		for _, au := range snap.Authorizers {
			if au.ID == authID {
				return nil
			}
		}
		return errAuthorizer
	})
	if err != nil {
		return nil, err
	}
	if a.tester == nil {
		return nil, errNoTester
	}
	out, err := a.tester.TestInvokeAuthorizer(ctx, snap, authID, &in)
	return out, configError(err)
}

// ErrInvalidConfig marks a Tester's errors that come from the API's own
// configuration (one that does not compile).
var ErrInvalidConfig = errors.New("invalid API configuration")

// configError answers an API that does not compile with 400 and the
// reason (AWS's wording for such cases is not recorded [U]).
func configError(err error) error {
	if err == nil || !errors.Is(err, ErrInvalidConfig) {
		return err
	}
	return awserr.BadRequest("%s", err.Error())
}

// findResource returns the snapshot's resource with this id, or nil.
func findResource(snap *model.Snapshot, id string) *model.Resource {
	for i := range snap.Resources {
		if snap.Resources[i].ID == id {
			return &snap.Resources[i]
		}
	}
	return nil
}
