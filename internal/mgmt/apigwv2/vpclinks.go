package apigwv2

import (
	"context"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// VPC links are stored resources here: there are no network interfaces to
// provision, so a link is AVAILABLE as soon as it is created (AWS reports
// PENDING first, then AVAILABLE with this message [X]).
const vpcLinkReady = "VPC link is ready to route traffic"

type vpcLinkInput struct {
	Name             *string           `json:"name"`
	SecurityGroupIDs []string          `json:"securityGroupIds"`
	SubnetIDs        *[]string         `json:"subnetIds"`
	Tags             map[string]string `json:"tags"`
}

func (a *API) createVpcLink(ctx context.Context, r *restjson.Request) (any, error) {
	var in vpcLinkInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c checker
	c.required(in.Name != nil, "name")
	c.required(in.SubnetIDs != nil, "subnetIds")
	c.length(in.Name, "name", 1, 128)
	if in.Tags != nil {
		c.add(checkTags(in.Tags))
	}
	if c.err != nil {
		return nil, c.err
	}
	link := modelv2.VpcLink{
		CreatedDate: modelv2.TimeOf(a.now()), Name: *in.Name,
		SecurityGroupIDs: orEmptyList(in.SecurityGroupIDs), SubnetIDs: orEmptyList(*in.SubnetIDs),
		VpcLinkID: a.ids.ID(lenVpcLinkID), VpcLinkStatus: "AVAILABLE", VpcLinkStatusMessage: vpcLinkReady,
		VpcLinkVersion: "V2",
	}
	if len(in.Tags) > 0 {
		link.Tags = in.Tags
	}
	err := a.update(ctx, func(tx store.Tx) error {
		return docstore.Put(ctx, tx, modelv2.KeyVpcLink(link.VpcLinkID), a.seq.Next(), link)
	})
	return restjson.Output(vpcLinkOutput(link), err)
}

func orEmptyList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// vpcLinkOutput is a VPC link as the operations return it: tags as {}.
func vpcLinkOutput(l modelv2.VpcLink) modelv2.VpcLink {
	l.Tags = orEmpty(l.Tags)
	return l
}

func (a *API) loadVpcLink(ctx context.Context, rd store.Reader, id string) (modelv2.VpcLink, int64, error) {
	l, seq, err := docstore.Get[modelv2.VpcLink](ctx, rd, modelv2.KeyVpcLink(id))
	return l, seq, docstore.NotFound(err, errVpcLink(id))
}

func (a *API) getVpcLinks(ctx context.Context, r *restjson.Request) (any, error) {
	var links []modelv2.VpcLink
	err := a.store.View(ctx, func(rd store.Reader) error {
		var err error
		links, err = docstore.List[modelv2.VpcLink](ctx, rd, modelv2.PrefixVpcLinks)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range links {
		links[i] = vpcLinkOutput(links[i])
	}
	return restjson.PaginateItems(r, links, func(l modelv2.VpcLink) string { return l.VpcLinkID })
}

func (a *API) getVpcLink(ctx context.Context, r *restjson.Request) (any, error) {
	link, err := docstore.Read(ctx, a.store, func(rd store.Reader) (modelv2.VpcLink, int64, error) {
		return a.loadVpcLink(ctx, rd, r.Path("vpcLinkId"))
	})
	return restjson.Output(vpcLinkOutput(link), err)
}

func (a *API) updateVpcLink(ctx context.Context, r *restjson.Request) (any, error) {
	var in vpcLinkInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c checker
	c.length(in.Name, "name", 1, 128)
	if c.err != nil {
		return nil, c.err
	}
	id := r.Path("vpcLinkId")
	var link modelv2.VpcLink
	err := a.update(ctx, func(tx store.Tx) error {
		l, seq, err := a.loadVpcLink(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Name != nil {
			l.Name = *in.Name
		}
		link = l
		return docstore.Put(ctx, tx, modelv2.KeyVpcLink(id), seq, l)
	})
	return restjson.Output(vpcLinkOutput(link), err)
}

// deleteVpcLink removes a VPC link. Integrations that still name it fail
// at request time, as on AWS once the link is gone [U].
func (a *API) deleteVpcLink(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("vpcLinkId")
	return nil, a.update(ctx, func(tx store.Tx) error {
		return docstore.NotFound(tx.Delete(ctx, modelv2.KeyVpcLink(id)), errVpcLink(id))
	})
}
