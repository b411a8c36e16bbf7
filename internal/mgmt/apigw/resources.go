package apigw

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

// pathPartRE is what a resource path part may be: a literal of allowed
// characters, a {variable}, or a greedy {variable+} [D].
var pathPartRE = regexp.MustCompile(`^(?:[A-Za-z0-9._:,\-]+|\{[A-Za-z0-9._\-]+\+?\})$`)

const errPathPart = "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."

func isVariable(part string) bool { return strings.HasPrefix(part, "{") }
func isGreedy(part string) bool   { return strings.HasSuffix(part, "+}") }

// tree is every resource of one API, loaded for an operation that needs to
// look at siblings, children or paths.
type tree struct {
	byID map[string]*model.Resource
	seq  map[string]int64
}

func (a *API) loadTree(ctx context.Context, rd store.Reader, apiID string) (*tree, error) {
	items, err := rd.List(ctx, model.ChildPrefix(model.KindResource, apiID), store.ListOptions{})
	if err != nil {
		return nil, err
	}
	t := &tree{byID: make(map[string]*model.Resource, len(items)), seq: make(map[string]int64, len(items))}
	for _, it := range items {
		var rec record[model.Resource]
		if err := unmarshal(it, &rec); err != nil {
			return nil, err
		}
		res := rec.V
		t.byID[res.ID] = &res
		t.seq[res.ID] = rec.Seq
	}
	return t, nil
}

func (t *tree) children(parentID string) []*model.Resource {
	var out []*model.Resource
	for _, r := range t.byID {
		if r.ParentID == parentID && r.ID != parentID {
			out = append(out, r)
		}
	}
	return out
}

// descendants returns id's subtree, id excluded.
func (t *tree) descendants(id string) []*model.Resource {
	var out []*model.Resource
	stack := []string{id}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range t.children(cur) {
			out = append(out, c)
			stack = append(stack, c.ID)
		}
	}
	return out
}

// sorted returns every resource ordered by path, the order AWS lists them.
func (t *tree) sorted() []*model.Resource {
	out := make([]*model.Resource, 0, len(t.byID))
	for _, r := range t.byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// checkChild validates placing a child named part under parent, ignoring
// the resource self (when re-parenting or renaming it).
func (t *tree) checkChild(parent *model.Resource, part, self string) error {
	if isGreedy(parent.PathPart) {
		return awserr.BadRequest("Cannot create a child of a resource with a greedy path variable: %s", parent.PathPart)
	}
	for _, sib := range t.children(parent.ID) {
		if sib.ID == self {
			continue
		}
		if sib.PathPart == part {
			return awserr.Conflict("Another resource with the same parent already has this name: %s", part)
		}
		if isVariable(part) && isVariable(sib.PathPart) {
			return awserr.BadRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", sib.PathPart)
		}
	}
	return nil
}

func joinPath(parentPath, part string) string {
	if parentPath == "/" {
		return "/" + part
	}
	return parentPath + "/" + part
}

// resourceView renders a resource for output: methods in full with
// ?embed=methods, otherwise as empty objects keyed by verb [V].
func resourceView(res *model.Resource, embed bool) any {
	if embed || len(res.ResourceMethods) == 0 {
		return res
	}
	out := struct {
		model.Resource
		ResourceMethods map[string]struct{} `json:"resourceMethods"`
	}{Resource: *res, ResourceMethods: make(map[string]struct{}, len(res.ResourceMethods))}
	for verb := range res.ResourceMethods {
		out.ResourceMethods[verb] = struct{}{}
	}
	return out
}

func wantsMethods(r *restjson.Request) bool {
	for _, e := range r.QueryAll("embed") {
		for _, p := range strings.Split(e, ",") {
			if strings.TrimSpace(p) == "methods" {
				return true
			}
		}
	}
	return false
}

func (a *API) getResources(ctx context.Context, r *restjson.Request) (any, error) {
	apiID := r.Path("restapi_id")
	var all []*model.Resource
	err := a.view(ctx, func(rd store.Reader) error {
		if _, err := a.loadAPI(ctx, rd, apiID); err != nil {
			return err
		}
		t, err := a.loadTree(ctx, rd, apiID)
		if err != nil {
			return err
		}
		all = t.sorted()
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, err := restjson.Paginate(r, all, func(x *model.Resource) string { return x.ID })
	if err != nil {
		return nil, err
	}
	embed := wantsMethods(r)
	out := restjson.List[any]{Item: make([]any, len(page.Item)), Position: page.Position}
	for i, res := range page.Item {
		out.Item[i] = resourceView(res, embed)
	}
	return out, nil
}

func (a *API) loadResource(ctx context.Context, rd store.Reader, apiID, id string) (model.Resource, int64, error) {
	res, seq, err := get[model.Resource](ctx, rd, model.ChildKey(model.KindResource, apiID, id))
	return res, seq, notFound(err, errResource)
}

func (a *API) getResource(ctx context.Context, r *restjson.Request) (any, error) {
	var res model.Resource
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		res, _, err = a.loadResource(ctx, rd, r.Path("restapi_id"), r.Path("resource_id"))
		return err
	})
	if err != nil {
		return nil, err
	}
	return resourceView(&res, wantsMethods(r)), nil
}

type createResourceInput struct {
	PathPart *string `json:"pathPart"`
}

func (a *API) createResource(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, parentID := r.Path("restapi_id"), r.Path("resource_id")
	var in createResourceInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.PathPart == nil {
		nullAt(&v, "createResourceInput.pathPart")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	part := *in.PathPart
	var res model.Resource
	err := a.update(ctx, func(tx store.Tx) error {
		// Only the parent and its children are read: creating resources
		// stays O(siblings) however large the API grows.
		parent, _, err := a.loadResource(ctx, tx, apiID, parentID)
		if err != nil {
			return err
		}
		if !pathPartRE.MatchString(part) {
			return awserr.BadRequest(errPathPart)
		}
		if err := a.checkSiblings(ctx, tx, apiID, &parent, part, ""); err != nil {
			return err
		}
		id, err := a.newResourceID(ctx, tx, apiID)
		if err != nil {
			return err
		}
		res = model.Resource{ID: id, ParentID: parent.ID, PathPart: part, Path: joinPath(parent.Path, part)}
		if err := putChildIndex(ctx, tx, apiID, &res); err != nil {
			return err
		}
		return put(ctx, tx, model.ChildKey(model.KindResource, apiID, res.ID), a.seq.next(), res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// checkSiblings is tree.checkChild for one parent, read from the index.
func (a *API) checkSiblings(ctx context.Context, rd store.Reader, apiID string, parent *model.Resource, part, self string) error {
	if isGreedy(parent.PathPart) {
		return awserr.BadRequest("Cannot create a child of a resource with a greedy path variable: %s", parent.PathPart)
	}
	prefix := childIndexPrefix(apiID, parent.ID)
	// Two point reads, whatever the number of siblings: the same name, and
	// any variable sibling (their index keys start with "{").
	if it, err := rd.Get(ctx, prefix+part); err == nil && string(it.Value) != self {
		return awserr.Conflict("Another resource with the same parent already has this name: %s", part)
	} else if err != nil && !isNotFound(err) {
		return err
	}
	if !isVariable(part) {
		return nil
	}
	vars, err := rd.List(ctx, prefix+"{", store.ListOptions{Limit: 2})
	if err != nil {
		return err
	}
	for _, it := range vars {
		if string(it.Value) != self {
			return awserr.BadRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", strings.TrimPrefix(it.Key, prefix))
		}
	}
	return nil
}

func childIndexPrefix(apiID, parentID string) string {
	return model.ChildPrefix(model.KindResourceChild, apiID) + parentID + "/"
}

func putChildIndex(ctx context.Context, tx store.Tx, apiID string, res *model.Resource) error {
	if res.ParentID == "" {
		return nil
	}
	return tx.Put(ctx, childIndexPrefix(apiID, res.ParentID)+res.PathPart, []byte(res.ID))
}

func deleteChildIndex(ctx context.Context, tx store.Tx, apiID string, res *model.Resource) error {
	if res.ParentID == "" {
		return nil
	}
	err := tx.Delete(ctx, childIndexPrefix(apiID, res.ParentID)+res.PathPart)
	if isNotFound(err) {
		return nil
	}
	return err
}

func (a *API) newResourceID(ctx context.Context, rd store.Reader, apiID string) (string, error) {
	for {
		id := a.ids.ID(lenChildID)
		taken, err := exists(ctx, rd, model.ChildKey(model.KindResource, apiID, id))
		if err != nil || !taken {
			return id, err
		}
	}
}

func (a *API) updateResource(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("resource_id")
	ops, err := decodePatch(r, "updateResourceInput")
	if err != nil {
		return nil, err
	}
	var res model.Resource
	err = a.update(ctx, func(tx store.Tx) error {
		t, err := a.loadTree(ctx, tx, apiID)
		if err != nil {
			return err
		}
		self := t.byID[id]
		if self == nil {
			return errResource
		}
		before := *self
		for _, op := range ops {
			if err := patchResource(t, self, op); err != nil {
				return err
			}
		}
		if err := deleteChildIndex(ctx, tx, apiID, &before); err != nil {
			return err
		}
		if err := putChildIndex(ctx, tx, apiID, self); err != nil {
			return err
		}
		// Recompute the paths of the moved or renamed subtree and write it back.
		for _, c := range append([]*model.Resource{self}, t.descendants(self.ID)...) {
			c.Path = pathOf(t, c.ID)
			if err := put(ctx, tx, model.ChildKey(model.KindResource, apiID, c.ID), t.seq[c.ID], *c); err != nil {
				return err
			}
		}
		res = *self
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resourceView(&res, false), nil
}

// pathOf computes a resource's path from the tree (robust to stale paths).
func pathOf(t *tree, id string) string {
	var parts []string
	for cur := t.byID[id]; cur != nil && cur.ParentID != ""; cur = t.byID[cur.ParentID] {
		parts = append(parts, cur.PathPart)
	}
	if len(parts) == 0 {
		return "/"
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return "/" + strings.Join(parts, "/")
}

func patchResource(t *tree, self *model.Resource, op patch.Operation) error {
	if op.Path != "/parentId" && op.Path != "/pathPart" {
		if op.Op == "replace" {
			return patch.InvalidPathFor(op, "/parentId", "/pathPart")
		}
		return patch.UnsupportedOp(op)
	}
	if op.Op != "replace" {
		return patch.UnsupportedOp(op)
	}
	root := self.ParentID == ""
	switch op.Path {
	case "/parentId":
		if root {
			return awserr.BadRequest("Root resource cannot update its parentId.")
		}
		parent := t.byID[op.Str()]
		if parent == nil {
			return errResource
		}
		if parent.ID == self.ID {
			return awserr.BadRequest("Resources cannot be cyclical.")
		}
		for _, d := range t.descendants(self.ID) {
			if d.ID == parent.ID {
				return awserr.BadRequest("Resources cannot be cyclical.")
			}
		}
		if err := t.checkChild(parent, self.PathPart, self.ID); err != nil {
			return err
		}
		self.ParentID = parent.ID
	case "/pathPart":
		if root {
			return awserr.BadRequest("Root resource cannot update its pathPart.")
		}
		part := op.Str()
		if !pathPartRE.MatchString(part) {
			return awserr.BadRequest(errPathPart)
		}
		if isGreedy(part) && len(t.children(self.ID)) > 0 {
			return awserr.BadRequest("Cannot create a child of a resource with a greedy path variable: %s", part)
		}
		if err := t.checkChild(t.byID[self.ParentID], part, self.ID); err != nil {
			return err
		}
		self.PathPart = part
	}
	return nil
}

func (a *API) deleteResource(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("resource_id")
	return nil, a.update(ctx, func(tx store.Tx) error {
		t, err := a.loadTree(ctx, tx, apiID)
		if err != nil {
			return err
		}
		self := t.byID[id]
		if self == nil {
			return errResource
		}
		if self.ParentID == "" {
			// [U] AWS's text for deleting the root resource.
			return awserr.BadRequest("Cannot delete root resource")
		}
		for _, c := range append([]*model.Resource{self}, t.descendants(id)...) {
			if err := tx.Delete(ctx, model.ChildKey(model.KindResource, apiID, c.ID)); err != nil {
				return err
			}
			if err := deleteChildIndex(ctx, tx, apiID, c); err != nil {
				return err
			}
		}
		return nil
	})
}
