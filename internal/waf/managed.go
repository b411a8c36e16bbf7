package waf

import (
	"fmt"
	"regexp"

	"github.com/tollgate/tollgate/internal/wafmodel"
)

// groupRule is a ManagedRuleGroupStatement.
type groupRule struct{}

func (g *groupRule) run(e *eval, r *rule) (Result, bool) { return Result{}, false }

func (c *compiler) group(s *wafmodel.ManagedRuleGroupStatement, in *wafmodel.Rule, a *ACL) (*groupRule, error) {
	return nil, fmt.Errorf("managed rule group %s: not supported yet", s.Name)
}

func sqliHighPatterns() []*regexp.Regexp { return nil }

func xssPatterns() []*regexp.Regexp { return nil }
