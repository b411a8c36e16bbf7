package policy

import (
	"fmt"
	"strings"
)

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	any      bool     // "*" or {"AWS": "*"}
	accounts []string // account ids, from "123456789012" or "arn:aws:iam::123456789012:root"
	arns     []string // other AWS principal ARNs, matched exactly
	roles    []roleRef
}

// roleRef is an IAM role named in a policy; callers using a session of that
// role (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION) match it.
type roleRef struct {
	partition, account, name string
}

// addAWS adds one {"AWS": ...} value to ps.
func (ps *principalSet) addAWS(v string) error {
	switch {
	case v == "*":
		ps.any = true
	case isAccountID(v):
		ps.accounts = append(ps.accounts, v)
	case strings.HasPrefix(v, "arn:"):
		f, ok := splitARN(v)
		if !ok {
			return fmt.Errorf("invalid AWS principal %q", v)
		}
		if f[2] == "iam" && f[5] == "root" {
			ps.accounts = append(ps.accounts, f[4])
			return nil
		}
		ps.arns = append(ps.arns, v)
		if rest, ok := strings.CutPrefix(f[5], "role/"); ok && f[2] == "iam" {
			name := rest[strings.LastIndexByte(rest, '/')+1:]
			ps.roles = append(ps.roles, roleRef{partition: f[1], account: f[4], name: name})
		}
	case v == "":
		return fmt.Errorf("empty AWS principal")
	default:
		// Unique ids (AIDA..., AROA...) and other forms are kept and only
		// ever match an identical caller ARN.
		ps.arns = append(ps.arns, v)
	}
	return nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// matches reports whether caller p is in the set.
func (ps *principalSet) matches(p *Principal) bool {
	if ps.any {
		return true
	}
	if p.Anonymous {
		return false
	}
	if len(ps.accounts) > 0 {
		acct := p.Account
		if acct == "" {
			if f, ok := splitARN(p.ARN); ok {
				acct = f[4]
			}
		}
		if acct != "" {
			for _, a := range ps.accounts {
				if a == acct {
					return true
				}
			}
		}
	}
	if p.ARN == "" {
		return false
	}
	for _, a := range ps.arns {
		if a == p.ARN {
			return true
		}
	}
	if len(ps.roles) > 0 {
		if f, ok := splitARN(p.ARN); ok && f[2] == "sts" {
			if rest, ok := strings.CutPrefix(f[5], "assumed-role/"); ok {
				name, _, _ := strings.Cut(rest, "/")
				for _, r := range ps.roles {
					if r.name == name && r.account == f[4] && r.partition == f[1] {
						return true
					}
				}
			}
		}
	}
	return false
}
