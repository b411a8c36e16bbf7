package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/waf"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// AWS WAF: a REST stage's webAclArn is compiled with the stage, from the
// web ACL and the sets it refers to as the same store snapshot holds
// them; a change to any of them recompiles the stages using it, which the
// front door swaps in atomically like any other stage change.

// webACLDocs is what a stage's web ACL is compiled from.
type webACLDocs struct {
	acl  *wafmodel.WebACL
	sets waf.Sets
}

// readWebACL reads the web ACL arn names and the sets it refers to.
func readWebACL(ctx context.Context, r store.Reader, arn string) (*webACLDocs, error) {
	p, ok := wafmodel.ParseARN(arn)
	if !ok || p.Kind != wafmodel.KindWebACL {
		return nil, &badRecordError{fmt.Errorf("web ACL ARN %q is not one", arn)}
	}
	docs := &webACLDocs{acl: &wafmodel.WebACL{},
		sets: waf.Sets{IPSets: map[string]*wafmodel.IPSet{}, RegexSets: map[string]*wafmodel.RegexPatternSet{}}}
	if err := getDoc(ctx, r, p.Key(), docs.acl); err != nil {
		return nil, fmt.Errorf("web ACL %s: %w", arn, err)
	}
	if docs.acl.ID != p.ID {
		return nil, &badRecordError{fmt.Errorf("web ACL %s: %w", arn, store.ErrNotFound)}
	}
	for _, ref := range docs.acl.Refs {
		rp, ok := wafmodel.ParseARN(ref)
		if !ok {
			continue
		}
		var err error
		switch rp.Kind {
		case wafmodel.KindIPSet:
			set := &wafmodel.IPSet{}
			err = getDoc(ctx, r, rp.Key(), set)
			docs.sets.IPSets[ref] = set
		case wafmodel.KindRegexSet:
			set := &wafmodel.RegexPatternSet{}
			err = getDoc(ctx, r, rp.Key(), set)
			docs.sets.RegexSets[ref] = set
		}
		if err != nil {
			return nil, fmt.Errorf("web ACL %s: set %s: %w", arn, ref, err)
		}
	}
	return docs, nil
}

// getDoc decodes a wafv2 document (stored as is, not as a model.Record).
func getDoc(ctx context.Context, r store.Reader, key string, v any) error {
	it, err := r.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(it.Value, v); err != nil {
		return &badRecordError{fmt.Errorf("decode %s: %w", key, err)}
	}
	return nil
}

// compileWAF compiles a stage's web ACL.
func (c *Compiler) compileWAF(docs *webACLDocs) (*waf.ACL, error) {
	acl, err := waf.Compile(docs.acl, docs.sets, c.WAF)
	if err != nil {
		return nil, fmt.Errorf("web ACL %s: %w", docs.acl.Name, err)
	}
	return acl, nil
}

// applyWAFChange recompiles the REST stages whose web ACL is, or refers
// to, the wafv2 document at key. handled is false for other keys.
func (w *Watcher) applyWAFChange(ctx context.Context, key string) (handled bool, err error) {
	if !strings.HasPrefix(key, wafmodel.Prefix) {
		return false, nil
	}
	var stages []string
	w.Front.Each(func(apiID, name string, t pipeline.Target) {
		if st, ok := t.(*rest.Stage); ok && st.WAF != nil && st.WAF.Uses(key) {
			stages = append(stages, model.ChildKey(model.KindStage, apiID, name))
		}
	})
	for _, k := range stages {
		if err := w.applyStage(ctx, k); err != nil {
			return true, err
		}
	}
	return true, nil
}
