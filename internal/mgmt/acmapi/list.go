package acmapi

import (
	"context"
	"slices"

	"github.com/tollgate/tollgate/internal/acm"
	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/awsjson"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
)

type listInput struct {
	CertificateStatuses []string `json:"CertificateStatuses"`
	Includes            *filters `json:"Includes"`
	NextToken           *string  `json:"NextToken"`
	MaxItems            *int     `json:"MaxItems"`
	SortBy              *string  `json:"SortBy"`
	SortOrder           *string  `json:"SortOrder"`
}

// filters is ListCertificates' Includes; its members are lower camel
// case on the wire [M].
type filters struct {
	ExtendedKeyUsage []string `json:"extendedKeyUsage"`
	KeyUsage         []string `json:"keyUsage"`
	KeyTypes         []string `json:"keyTypes"`
}

// defaultKeyTypes are the key types a list without Includes.keyTypes
// shows: ECDSA certificates are left out unless asked for [M: Filters
// keyTypes documentation].
var defaultKeyTypes = []string{"RSA_1024", "RSA_2048"}

// Page bounds [M]: MaxItems is 1..1000; without it a page holds every
// certificate [U: ACM's default page size].
const maxItems = 1000

type listOutput struct {
	CertificateSummaryList []CertificateSummary `json:"CertificateSummaryList"`
	NextToken              string               `json:"NextToken,omitempty"`
}

// listCertificates lists the certificates that pass the filters, in
// creation order (or as SortBy/SortOrder ask), a page at a time.
func (a *API) listCertificates(ctx context.Context, r *restjson.Request) (any, error) {
	var in listInput
	if err := awsjson.Decode(r, &in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	for i, s := range in.CertificateStatuses {
		enum(&v, s, "certificateStatuses."+itoa(i+1)+".member", statuses)
	}
	keyTypes := defaultKeyTypes
	var usages, ekus []string
	if f := in.Includes; f != nil {
		for i, s := range f.KeyTypes {
			enum(&v, s, "includes.keyTypes."+itoa(i+1)+".member", keyAlgorithms)
		}
		for i, s := range f.KeyUsage {
			enum(&v, s, "includes.keyUsage."+itoa(i+1)+".member", keyUsageNames)
		}
		for i, s := range f.ExtendedKeyUsage {
			enum(&v, s, "includes.extendedKeyUsage."+itoa(i+1)+".member", ekuNames)
		}
		if len(f.KeyTypes) > 0 {
			keyTypes = f.KeyTypes
		}
		usages, ekus = f.KeyUsage, f.ExtendedKeyUsage
	}
	limit := maxItems
	if in.MaxItems != nil {
		limit = *in.MaxItems
		switch {
		case limit < 1:
			v.Add("Value '" + itoa(limit) + "' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
		case limit > maxItems:
			v.Add("Value '" + itoa(limit) + "' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
		}
	}
	if in.SortBy != nil {
		enum(&v, *in.SortBy, "sortBy", []string{"CREATED_AT"})
	}
	if in.SortOrder != nil {
		enum(&v, *in.SortOrder, "sortOrder", sortOrders)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if (in.SortBy == nil) != (in.SortOrder == nil) {
		return nil, errorOf("InvalidArgsException", "SortBy and SortOrder must be specified together.") // [U; M: "you must also specify"]
	}
	var views []view
	var used map[string][]string
	err := a.store.View(ctx, func(rd store.Reader) error {
		certs, err := docstore.List[acm.Certificate](ctx, rd, acm.PrefixCertificates)
		if err != nil {
			return err
		}
		for _, c := range certs {
			info, err := acm.Describe(c.CertificatePEM)
			if err != nil {
				return err
			}
			views = append(views, view{c, info})
		}
		used, err = a.usedBy(ctx, rd)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := a.now()
	views = slices.DeleteFunc(views, func(x view) bool {
		return !slices.Contains(keyTypes, x.info.KeyAlgorithm) ||
			(len(in.CertificateStatuses) > 0 && !slices.Contains(in.CertificateStatuses, x.info.Status(now))) ||
			!anyOf(usages, x.info.KeyUsages) || !anyOf(ekus, ekuList(x.info))
	})
	if in.SortOrder != nil && *in.SortOrder == "DESCENDING" {
		slices.Reverse(views)
	}
	token := ""
	if in.NextToken != nil {
		token = *in.NextToken
	}
	page, next, ok := restjson.Cut(views, func(x view) string { return x.cert.ID }, limit, token)
	if !ok {
		return nil, errorOf("InvalidArgsException", "The NextToken is not valid.") // [U]
	}
	out := listOutput{CertificateSummaryList: []CertificateSummary{}, NextToken: next}
	for _, x := range page {
		out.CertificateSummaryList = append(out.CertificateSummaryList, a.summary(x, len(used[a.arn(x.cert.ID)]) > 0))
	}
	return out, nil
}

// anyOf reports whether have holds one of want (want empty, or holding
// "ANY", matches everything) [U: ACM's semantics for several values].
func anyOf(want, have []string) bool {
	if len(want) == 0 || slices.Contains(want, "ANY") {
		return true
	}
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}

func ekuList(in *acm.Info) []string {
	out := make([]string, 0, len(in.ExtendedKeyUsages))
	for _, u := range in.ExtendedKeyUsages {
		out = append(out, u.Name)
	}
	if len(out) == 0 {
		out = append(out, "NONE")
	}
	return out
}

type tagsInput struct {
	CertificateArn *string   `json:"CertificateArn"`
	Tags           []acm.Tag `json:"Tags"`
}

// decodeTags reads AddTagsToCertificate's and RemoveTagsFromCertificate's
// body: both members are required [M].
func decodeTags(r *restjson.Request) (tagsInput, error) {
	var in tagsInput
	if err := awsjson.Decode(r, &in); err != nil {
		return in, err
	}
	var v awserr.Validation
	if in.CertificateArn == nil {
		null(&v, "certificateArn")
	}
	if in.Tags == nil {
		null(&v, "tags")
	}
	checkTags(&v, in.Tags, "tags")
	return in, v.Err()
}

// editTags applies edit to the tags of the certificate in.CertificateArn.
func (a *API) editTags(ctx context.Context, in tagsInput, edit func([]acm.Tag) ([]acm.Tag, error)) error {
	_, err := a.store.Update(ctx, func(tx store.Tx) error {
		c, seq, err := a.load(ctx, tx, *in.CertificateArn, "certificateArn")
		if err != nil {
			return err
		}
		if c.Tags, err = edit(c.Tags); err != nil {
			return err
		}
		return docstore.Put(ctx, tx, acm.Key(c.ID), seq, c)
	})
	return err
}

func (a *API) addTags(ctx context.Context, r *restjson.Request) (any, error) {
	in, err := decodeTags(r)
	if err != nil {
		return nil, err
	}
	if err := reservedTags(in.Tags); err != nil {
		return nil, err
	}
	return nil, a.editTags(ctx, in, func(tags []acm.Tag) ([]acm.Tag, error) { return mergeTags(tags, in.Tags) })
}

// removeTags removes the tags with the given keys; a tag given with a
// value is removed only if it has that value [M].
func (a *API) removeTags(ctx context.Context, r *restjson.Request) (any, error) {
	in, err := decodeTags(r)
	if err != nil {
		return nil, err
	}
	return nil, a.editTags(ctx, in, func(tags []acm.Tag) ([]acm.Tag, error) {
		return slices.DeleteFunc(slices.Clone(tags), func(t acm.Tag) bool {
			return slices.ContainsFunc(in.Tags, func(x acm.Tag) bool {
				return x.Key == t.Key && (x.Value == nil || (t.Value != nil && *x.Value == *t.Value))
			})
		}), nil
	})
}

type listTagsOutput struct {
	Tags []acm.Tag `json:"Tags,omitempty"`
}

func (a *API) listTags(ctx context.Context, r *restjson.Request) (any, error) {
	var in arnInput
	if err := certificateArn(r, &in, func() *string { return in.CertificateArn }); err != nil {
		return nil, err
	}
	c, err := docstore.Read(ctx, a.store, func(rd store.Reader) (acm.Certificate, int64, error) {
		return a.load(ctx, rd, *in.CertificateArn, "certificateArn")
	})
	if err != nil {
		return nil, err
	}
	return listTagsOutput{Tags: c.Tags}, nil
}
