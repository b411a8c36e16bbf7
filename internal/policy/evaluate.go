package policy

// statement is one compiled policy statement.
type statement struct {
	sid  string
	deny bool

	principal    *principalSet // nil: no Principal/NotPrincipal element
	notPrincipal bool

	actions   []pattern
	notAction bool

	resources   []pattern
	notResource bool

	conds []condition
}

// Evaluate returns Deny if any statement with Effect Deny matches r, else
// Allow if any Allow statement matches, else NotApplicable. A nil policy or
// request yields NotApplicable.
func (p *Policy) Evaluate(r *Request) Decision {
	if p == nil || r == nil {
		return NotApplicable
	}
	allowed := false
	for i := range p.stmts {
		s := &p.stmts[i]
		if allowed && !s.deny {
			continue
		}
		if s.matches(r) {
			if s.deny {
				return Deny
			}
			allowed = true
		}
	}
	if allowed {
		return Allow
	}
	return NotApplicable
}

// matches reports whether the statement applies to r.
func (s *statement) matches(r *Request) bool {
	if !s.matchAction(r.Action) || !s.matchResource(r.Resource, r.Context) {
		return false
	}
	if s.principal != nil && s.principal.matches(&r.Principal) == s.notPrincipal {
		return false
	}
	for i := range s.conds {
		if !s.conds[i].eval(r.Context) {
			return false
		}
	}
	return true
}

func (s *statement) matchAction(action string) bool {
	for i := range s.actions {
		if s.actions[i].match(action, nil) == match {
			return !s.notAction
		}
	}
	return s.notAction
}

// matchResource: Resource needs one pattern to match; NotResource needs
// every pattern to be resolvable and not to match.
func (s *statement) matchResource(res string, ctx map[string][]string) bool {
	for i := range s.resources {
		r := s.resources[i].match(res, ctx)
		if s.notResource {
			if r != noMatch {
				return false
			}
		} else if r == match {
			return true
		}
	}
	return s.notResource
}
