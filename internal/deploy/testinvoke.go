package deploy

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
)

// ErrTestCompile wraps why an API's working copy does not compile for a
// test invocation.
var ErrTestCompile = errors.New("the API does not compile")

// TestStage compiles an API's working copy (snap, never stored as a
// deployment) the way a deployment is compiled, into a stage named
// test-invoke-stage that has only the given stage variables: no
// throttles, cache, access or execution logs, metrics, web ACL or traces
// (TestInvokeMethod; reference §4.1). Its HTTP integrations present the
// client certificate clientCertID names ("": none).
func (w *Watcher) TestStage(ctx context.Context, snap *model.Snapshot, vars map[string]string, clientCertID string) (*rest.Stage, error) {
	d, err := w.Compiler.CompileDeployment("test-invoke-deployment", snap)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTestCompile, err)
	}
	env := w.Compiler.Env
	if env == nil {
		env = &rest.Env{}
	}
	st := &rest.Stage{
		StageInfo:  pipeline.StageInfo{Name: rest.TestStageName, APIID: d.APIID, AccountID: env.AccountID, Variables: vars},
		Deployment: d,
		Env:        &rest.Env{AccountID: env.AccountID, Log: env.Log},
	}
	if clientCertID == "" {
		return st, nil
	}
	var cc *model.StoredClientCertificate
	err = w.Store.View(ctx, func(r store.Reader) error {
		var err error
		cc, err = readClientCertificate(ctx, r, &model.Stage{ClientCertificateID: &clientCertID})
		return err
	})
	if err != nil {
		return nil, err
	}
	if st.Clients, err = w.clientsFor(cc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTestCompile, err)
	}
	return st, nil
}
