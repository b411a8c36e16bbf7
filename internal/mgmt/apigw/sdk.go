package apigw

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/sdkgen"
	"github.com/tollgate/tollgate/internal/store"
)

// getSdkTypes lists the SDK types Tollgate generates (reference §1.1).
func (a *API) getSdkTypes(_ context.Context, r *restjson.Request) (any, error) {
	return restjson.Paginate(r, sdkgen.Types, func(t sdkgen.Type) string { return t.ID })
}

func errSdkType(id string) error {
	return awserr.NotFound("Invalid SDK type specified: %s", id) // [U]
}

func (a *API) getSdkType(_ context.Context, r *restjson.Request) (any, error) {
	t, ok := sdkgen.FindType(r.Path("sdktype_id"))
	if !ok {
		return nil, errSdkType(r.Path("sdktype_id"))
	}
	return t, nil
}

// getSdk generates an SDK for the deployment a stage serves, never the
// working copy (API Gateway Developer Guide, "Generate SDKs for REST APIs
// in API Gateway": you generate after the API is deployed).
func (a *API) getSdk(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, stageName, typ := r.Path("restapi_id"), r.Path("stage_name"), r.Path("sdk_type")
	var snap model.Snapshot
	err := a.view(ctx, func(rd store.Reader) error {
		if _, err := a.loadAPI(ctx, rd, apiID); err != nil {
			return err
		}
		st, _, err := get[model.Stage](ctx, rd, model.ChildKey(model.KindStage, apiID, stageName))
		if err != nil {
			return notFound(err, errStage)
		}
		snap, _, err = get[model.Snapshot](ctx, rd, model.ChildKey(model.KindSnapshot, apiID, st.DeploymentID))
		return notFound(err, errDeployment)
	})
	if err != nil {
		return nil, err
	}
	if _, ok := sdkgen.FindType(typ); !ok {
		if sdkgen.AWSTypes[typ] {
			return nil, awserr.BadRequest("SDK type %s is not supported by Tollgate; supported types: javascript, typescript, go", typ)
		}
		return nil, errSdkType(typ)
	}
	// parameters: one query parameter per entry [M].
	params := map[string]string{}
	for k, vs := range r.HTTP.URL.Query() {
		if len(vs) > 0 {
			params[k] = vs[len(vs)-1]
		}
	}
	invokeURL, err := a.invokeURL(r.HTTP, apiID, stageName, params["invokeUrl"])
	if err != nil {
		return nil, err
	}
	api := sdkgen.FromSnapshot(&snap, stageName, invokeURL, a.region)
	files, err := sdkgen.Generate(typ, api, params)
	if err != nil {
		return nil, awserr.BadRequest("%s", err.Error())
	}
	now := a.now()
	body, err := sdkgen.Zip(files, now)
	if err != nil {
		return nil, err
	}
	return &restjson.Raw{ContentType: "application/octet-stream", Body: body, Header: http.Header{
		"Content-Disposition": {`attachment; filename="` + sdkgen.FileName(typ, now) + `"`},
	}}, nil
}

// invokeURL is the stage URL baked into an SDK (reference §1.2 [T]): the
// invokeUrl parameter when given; else the path-style URL on the data
// plane's listener (HTTPS first) at the host the caller addressed; else
// AWS's own form.
func (a *API) invokeURL(req *http.Request, apiID, stage, param string) (string, error) {
	if param != "" {
		u, err := url.Parse(param)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return "", awserr.BadRequest("Invalid invokeUrl")
		}
		return strings.TrimRight(param, "/"), nil
	}
	if a.invokeBase != nil {
		host := req.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if base := a.invokeBase(host); base != "" {
			return base + "/_aws/execute-api/" + apiID + "/" + stage, nil
		}
	}
	return "https://" + apiID + ".execute-api." + a.region + ".amazonaws.com/" + stage, nil
}
