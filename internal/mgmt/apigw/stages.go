package apigw

import (
	"context"
	"regexp"
	"strconv"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

var (
	stageNameRE   = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,128}$`)
	stageVarName  = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	stageVarValue = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]{1,512}$`)
)

func newStage(name string, now model.Time) model.Stage {
	return model.Stage{
		StageName:          name,
		CacheClusterStatus: "NOT_AVAILABLE",
		MethodSettings:     map[string]*model.MethodSetting{},
		CreatedDate:        now,
		LastUpdatedDate:    now,
	}
}

func checkStageName(name string) error {
	if !stageNameRE.MatchString(name) {
		// [U] AWS's text for a malformed stage name.
		return awserr.BadRequest("Stage name only allows a-zA-Z0-9_ and -")
	}
	return nil
}

// checkVariables enforces the stage-variable limits of the service [M][D].
func checkVariables(vars map[string]string) error {
	if len(vars) > 100 {
		return awserr.BadRequest("Too many stage variables specified. A stage can have at most 100 variables.") // [U]
	}
	for k, v := range vars {
		if !stageVarName.MatchString(k) {
			return awserr.BadRequest("Stage variable name %s does not match regular expression: [A-Za-z0-9_]+", k) // [U]
		}
		if !stageVarValue.MatchString(v) {
			return awserr.BadRequest("Stage variable value %s does not match regular expression: [A-Za-z0-9-._~:/?#&=,]+", v) // [U]
		}
	}
	return nil
}

func checkCacheClusterSize(size *string) error {
	if size != nil && !in1(*size, model.CacheClusterSizes) {
		return awserr.BadRequest("Invalid cache cluster size specified: %s", *size) // [U]
	}
	return nil
}

// setCacheCluster turns the stage cache on or off, as AWS reports it.
func setCacheCluster(st *model.Stage, on bool) {
	st.CacheClusterEnabled = on
	if on {
		st.CacheClusterStatus = "AVAILABLE"
		if st.CacheClusterSize == nil {
			st.CacheClusterSize = model.Ptr("0.5")
		}
	} else {
		st.CacheClusterStatus = "NOT_AVAILABLE"
	}
}

type createStageInput struct {
	StageName            *string              `json:"stageName"`
	DeploymentID         *string              `json:"deploymentId"`
	Description          *string              `json:"description"`
	CacheClusterEnabled  *bool                `json:"cacheClusterEnabled"`
	CacheClusterSize     *string              `json:"cacheClusterSize"`
	Variables            map[string]string    `json:"variables"`
	DocumentationVersion *string              `json:"documentationVersion"`
	CanarySettings       *canarySettingsInput `json:"canarySettings"`
	TracingEnabled       *bool                `json:"tracingEnabled"`
	Tags                 map[string]string    `json:"tags"`
}

func (a *API) createStage(ctx context.Context, r *restjson.Request) (any, error) {
	var in createStageInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.StageName == nil {
		nullAt(&v, "createStageInput.stageName")
	}
	if in.DeploymentID == nil {
		nullAt(&v, "createStageInput.deploymentId")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	now := model.TimeOf(a.now())
	st := newStage(*in.StageName, now)
	st.DeploymentID = *in.DeploymentID
	st.Description = in.Description
	st.Variables = in.Variables
	st.DocumentationVersion = in.DocumentationVersion
	st.CacheClusterSize = in.CacheClusterSize
	st.TracingEnabled = model.Deref(in.TracingEnabled)
	st.Tags = in.Tags
	if in.CacheClusterEnabled != nil {
		setCacheCluster(&st, *in.CacheClusterEnabled)
	}
	err := a.update(ctx, func(tx store.Tx) error {
		if _, err := a.loadAPI(ctx, tx, apiID); err != nil {
			return err
		}
		if err := checkStageName(st.StageName); err != nil {
			return err
		}
		if err := checkVariables(st.Variables); err != nil {
			return err
		}
		if err := checkCacheClusterSize(st.CacheClusterSize); err != nil {
			return err
		}
		if err := validateTags(st.Tags); err != nil {
			return err
		}
		if err := a.checkDeploymentID(ctx, tx, apiID, st.DeploymentID); err != nil {
			return err
		}
		if c := in.CanarySettings; c != nil {
			cs := &model.CanarySettings{DeploymentID: c.DeploymentID, StageVariableOverrides: c.StageVariableOverrides, UseStageCache: model.Deref(c.UseStageCache)}
			if c.PercentTraffic != nil {
				cs.PercentTraffic = model.Ptr(model.Double(*c.PercentTraffic))
			}
			if cs.DeploymentID != nil {
				if err := a.checkDeploymentID(ctx, tx, apiID, *cs.DeploymentID); err != nil {
					return err
				}
			}
			st.CanarySettings = cs
		}
		key := model.ChildKey(model.KindStage, apiID, st.StageName)
		taken, err := exists(ctx, tx, key)
		if err != nil {
			return err
		}
		if taken {
			return awserr.Conflict("Stage already exists")
		}
		return put(ctx, tx, key, a.seq.next(), st)
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (a *API) checkDeploymentID(ctx context.Context, rd store.Reader, apiID, id string) error {
	ok, err := exists(ctx, rd, model.ChildKey(model.KindDeployment, apiID, id))
	if err != nil {
		return err
	}
	if !ok {
		return awserr.BadRequest("Deployment id does not exist") // [V] (canary); reused for stages
	}
	return nil
}

func (a *API) getStages(ctx context.Context, r *restjson.Request) (any, error) {
	apiID := r.Path("restapi_id")
	depID, filter := r.Query("deploymentId")
	var stages []model.Stage
	err := a.view(ctx, func(rd store.Reader) error {
		if _, err := a.loadAPI(ctx, rd, apiID); err != nil {
			return err
		}
		var err error
		stages, err = list[model.Stage](ctx, rd, model.ChildPrefix(model.KindStage, apiID))
		return err
	})
	if err != nil {
		return nil, err
	}
	out := restjson.List[model.Stage]{Item: []model.Stage{}}
	for _, st := range stages {
		if !filter || st.DeploymentID == depID {
			out.Item = append(out.Item, st)
		}
	}
	return out, nil
}

func (a *API) loadStage(ctx context.Context, rd store.Reader, apiID, name string) (model.Stage, int64, error) {
	return loadChild[model.Stage](ctx, a, rd, model.KindStage, apiID, name, errStage)
}

func (a *API) getStage(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name := r.Path("restapi_id"), r.Path("stage_name")
	return readDoc(ctx, a, func(rd store.Reader) (model.Stage, int64, error) { return a.loadStage(ctx, rd, apiID, name) })
}

func (a *API) updateStage(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name := r.Path("restapi_id"), r.Path("stage_name")
	return output(patchDocument(ctx, a, r, "updateStageInput", model.ChildKey(model.KindStage, apiID, name),
		func(rd store.Reader) (model.Stage, int64, error) { return a.loadStage(ctx, rd, apiID, name) },
		func(tx store.Tx, st *model.Stage, ops []patch.Operation) error {
			sp := stagePatcher{st: st,
				deploymentExists: func(id string) error { return a.checkDeploymentID(ctx, tx, apiID, id) },
				clientCertExists: func(id string) error { return checkClientCertificate(ctx, tx, id) }}
			for _, op := range ops {
				if err := sp.apply(op); err != nil {
					return err
				}
			}
			if err := checkVariables(st.Variables); err != nil {
				return err
			}
			st.LastUpdatedDate = model.TimeOf(a.now())
			return nil
		}))
}

func (a *API) deleteStage(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, name := r.Path("restapi_id"), r.Path("stage_name")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, _, err := a.loadStage(ctx, tx, apiID, name); err != nil {
			return err
		}
		if err := tx.Delete(ctx, model.ChildKey(model.KindStage, apiID, name)); err != nil {
			return err
		}
		return a.detachStages(ctx, tx, apiID, name)
	})
}

// flushStageAuthorizersCache and flushStageCache check the stage; the
// caches themselves live in the data plane, which watches for these calls
// through the store's change feed (a flush bumps the stage's flush marker).
func (a *API) flushStageAuthorizersCache(ctx context.Context, r *restjson.Request) (any, error) {
	return nil, a.bumpFlush(ctx, r, "authorizers")
}

func (a *API) flushStageCache(ctx context.Context, r *restjson.Request) (any, error) {
	return nil, a.bumpFlush(ctx, r, "data")
}

func (a *API) bumpFlush(ctx context.Context, r *restjson.Request, what string) error {
	apiID, name := r.Path("restapi_id"), r.Path("stage_name")
	return a.update(ctx, func(tx store.Tx) error {
		if _, _, err := a.loadStage(ctx, tx, apiID, name); err != nil {
			return err
		}
		key := model.ChildKey(model.KindFlush, apiID, name+"/"+what)
		return tx.Put(ctx, key, []byte(`{"at":`+strconv.FormatInt(a.now().UnixNano(), 10)+`}`))
	})
}
