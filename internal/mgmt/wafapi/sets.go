package wafapi

import (
	"context"
	"encoding/json"
	"net/netip"
	"regexp"
	"strconv"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// Quotas [D: AWS WAF quotas].
const (
	maxAddresses = 10000
	maxPatterns  = 10
)

type ipSetInput struct {
	ref
	Description      *string        `json:"Description"`
	IPAddressVersion string         `json:"IPAddressVersion"`
	Addresses        []string       `json:"Addresses"`
	LockToken        *string        `json:"LockToken"`
	Tags             []wafmodel.Tag `json:"Tags"`
}

// checkAddresses checks an IP set's addresses: CIDR blocks of the set's
// version, any prefix but /0 [D]; a bare address or another family is
// refused [U: AWS's exact behaviour; the error shape is AWS's, field
// IP_ADDRESS, as Terraform reports it].
func checkAddresses(c *wafmodel.Checks, version string, addrs []string) {
	if addrs == nil {
		c.Null("addresses")
		return
	}
	if len(addrs) > maxAddresses {
		c.Fail(wafmodel.LimitsExceeded("addresses per IP set"))
	}
	for i, s := range addrs {
		at := "addresses." + strconv.Itoa(i+1) + ".member"
		if !c.Length(s, at, 1, 50) {
			continue
		}
		p, err := netip.ParsePrefix(s)
		ok := err == nil && p.Bits() > 0 && p.Addr().Zone() == ""
		if ok && version == "IPV4" {
			ok = p.Addr().Is4()
		}
		if ok && version == "IPV6" {
			ok = p.Addr().Is6()
		}
		if !ok {
			c.Fail(wafmodel.InvalidParameter("IP_ADDRESS", s, wafmodel.ReasonFormat))
		}
	}
}

func (a *API) createIPSet(ctx context.Context, r *restjson.Request) (any, error) {
	var in ipSetInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.Name(in.Name, "name")
	c.Scope(in.Scope, "scope")
	c.Description(in.Description, "description")
	c.Enum(in.IPAddressVersion, "iPAddressVersion", wafmodel.IPAddressVersions)
	checkAddresses(&c, in.IPAddressVersion, in.Addresses)
	c.Tags(in.Tags, "tags")
	if err := c.Err(); err != nil {
		return nil, err
	}
	doc := &wafmodel.IPSet{IPAddressVersion: in.IPAddressVersion, Addresses: in.Addresses}
	doc.Description = deref(in.Description)
	doc.Tags = in.Tags
	return a.create(ctx, wafmodel.KindIPSet, in.Scope, in.Name, &doc.Entity, doc, nil)
}

func (a *API) getIPSet(ctx context.Context, r *restjson.Request) (any, error) {
	v, err := get[wafmodel.IPSet](ctx, a, r, wafmodel.KindIPSet)
	if err != nil {
		return nil, err
	}
	return map[string]any{"IPSet": map[string]any{
		"Name": v.Name, "Id": v.ID, "ARN": v.ARN, "Description": v.Description,
		"IPAddressVersion": v.IPAddressVersion, "Addresses": nonNil(v.Addresses),
	}, "LockToken": v.LockToken}, nil
}

func (a *API) updateIPSet(ctx context.Context, r *restjson.Request) (any, error) {
	var in ipSetInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	in.check(&c, lockToken(&in.LockToken))
	c.Description(in.Description, "description")
	if in.Addresses == nil {
		c.Null("addresses")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return update[wafmodel.IPSet](ctx, a, wafmodel.KindIPSet, in.ref, *in.LockToken, func(_ store.Tx, v *wafmodel.IPSet) error {
		var c wafmodel.Checks
		checkAddresses(&c, v.IPAddressVersion, in.Addresses)
		if err := c.Err(); err != nil {
			return err
		}
		v.Addresses, v.Description = in.Addresses, deref(in.Description)
		return nil
	})
}

func (a *API) listIPSets(ctx context.Context, r *restjson.Request) (any, error) {
	return page[wafmodel.IPSet](ctx, a, r, wafmodel.KindIPSet, "IPSets")
}

func (a *API) deleteIPSet(ctx context.Context, r *restjson.Request) (any, error) {
	var in ipSetInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	in.check(&c, lockToken(&in.LockToken))
	if err := c.Err(); err != nil {
		return nil, err
	}
	return remove[wafmodel.IPSet](ctx, a, wafmodel.KindIPSet, in.ref, *in.LockToken, func(tx store.Tx, v *wafmodel.IPSet) (bool, error) {
		return a.referenced(ctx, tx, v.Scope, v.ARN)
	})
}

type regexSetInput struct {
	ref
	Description           *string          `json:"Description"`
	RegularExpressionList []wafmodel.Regex `json:"RegularExpressionList"`
	LockToken             *string          `json:"LockToken"`
	Tags                  []wafmodel.Tag   `json:"Tags"`
}

// checkPatterns checks a pattern set's patterns: each must compile as
// Go's regexp (RE2) does, which is also how they are matched; AWS's
// PCRE subset without backreferences or look-around is close [D] [T].
func checkPatterns(c *wafmodel.Checks, list []wafmodel.Regex) {
	if list == nil {
		c.Null("regularExpressionList")
		return
	}
	if len(list) > maxPatterns {
		c.Fail(wafmodel.LimitsExceeded("regular expressions per regex pattern set"))
	}
	for i, re := range list {
		at := "regularExpressionList." + strconv.Itoa(i+1) + ".member.regexString"
		if re.RegexString == "" {
			c.Null(at)
			continue
		}
		if !c.Length(re.RegexString, at, 1, 512) {
			continue
		}
		if _, err := regexp.Compile(re.RegexString); err != nil {
			c.Fail(wafmodel.InvalidParameter("REGEX_PATTERN_SET", re.RegexString, wafmodel.ReasonFormat))
		}
	}
}

func (a *API) createRegexSet(ctx context.Context, r *restjson.Request) (any, error) {
	var in regexSetInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	c.Name(in.Name, "name")
	c.Scope(in.Scope, "scope")
	c.Description(in.Description, "description")
	checkPatterns(&c, in.RegularExpressionList)
	c.Tags(in.Tags, "tags")
	if err := c.Err(); err != nil {
		return nil, err
	}
	doc := &wafmodel.RegexPatternSet{RegularExpressionList: in.RegularExpressionList}
	doc.Description = deref(in.Description)
	doc.Tags = in.Tags
	return a.create(ctx, wafmodel.KindRegexSet, in.Scope, in.Name, &doc.Entity, doc, nil)
}

func (a *API) getRegexSet(ctx context.Context, r *restjson.Request) (any, error) {
	v, err := get[wafmodel.RegexPatternSet](ctx, a, r, wafmodel.KindRegexSet)
	if err != nil {
		return nil, err
	}
	return map[string]any{"RegexPatternSet": map[string]any{
		"Name": v.Name, "Id": v.ID, "ARN": v.ARN, "Description": v.Description,
		"RegularExpressionList": nonNil(v.RegularExpressionList),
	}, "LockToken": v.LockToken}, nil
}

func (a *API) updateRegexSet(ctx context.Context, r *restjson.Request) (any, error) {
	var in regexSetInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	in.check(&c, lockToken(&in.LockToken))
	c.Description(in.Description, "description")
	checkPatterns(&c, in.RegularExpressionList)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return update[wafmodel.RegexPatternSet](ctx, a, wafmodel.KindRegexSet, in.ref, *in.LockToken, func(_ store.Tx, v *wafmodel.RegexPatternSet) error {
		v.RegularExpressionList, v.Description = in.RegularExpressionList, deref(in.Description)
		return nil
	})
}

func (a *API) listRegexSets(ctx context.Context, r *restjson.Request) (any, error) {
	return page[wafmodel.RegexPatternSet](ctx, a, r, wafmodel.KindRegexSet, "RegexPatternSets")
}

func (a *API) deleteRegexSet(ctx context.Context, r *restjson.Request) (any, error) {
	var in regexSetInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c wafmodel.Checks
	in.check(&c, lockToken(&in.LockToken))
	if err := c.Err(); err != nil {
		return nil, err
	}
	return remove[wafmodel.RegexPatternSet](ctx, a, wafmodel.KindRegexSet, in.ref, *in.LockToken, func(tx store.Tx, v *wafmodel.RegexPatternSet) (bool, error) {
		return a.referenced(ctx, tx, v.Scope, v.ARN)
	})
}

// referenced reports whether a web ACL of scope refers to the set arn.
func (a *API) referenced(ctx context.Context, rd store.Reader, scope, arn string) (bool, error) {
	items, err := rd.List(ctx, wafmodel.KindPrefix(wafmodel.KindWebACL, scope), store.ListOptions{})
	if err != nil {
		return false, err
	}
	for _, it := range items {
		var acl wafmodel.WebACL
		if err := json.Unmarshal(it.Value, &acl); err != nil {
			return false, err
		}
		for _, r := range acl.Refs {
			if r == arn {
				return true, nil
			}
		}
	}
	return false, nil
}

// lockToken returns a pointer to the token for the checks: "" when absent.
func lockToken(p **string) *string {
	if *p == nil {
		empty := ""
		*p = &empty
	}
	return *p
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
