package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/filter"
	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// SearchRequestURN is the schema of a POST .search body (RFC 7644
// Section 3.4.3).
const SearchRequestURN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

// listRequest is a query of RFC 7644 Section 3.4.2, from the query string
// or from a SearchRequest body.
type listRequest struct {
	filter     filter.Expr
	projection schema.Projection
	sortBy     *scim.AttrPath
	sortOrder  string
	startIndex int
	// count is the page size after the defaults and the cap.
	count int
}

// pageBounds applies RFC 7644 Section 3.4.2.4: a startIndex below 1 counts
// as 1, a negative count as 0, and count is capped by maxResults (also
// when absent).
func pageBounds(startIndex, count int, hasCount bool, maxResults int) (int, int) {
	if startIndex < 1 {
		startIndex = 1
	}
	if !hasCount || count > maxResults {
		count = maxResults
	}
	if count < 0 {
		count = 0
	}
	return startIndex, count
}

// parseListQuery reads the query parameters of GET /Users and GET /Groups.
func (s *Server) parseListQuery(q url.Values) (listRequest, error) {
	var req listRequest
	var err error
	if f := q.Get("filter"); f != "" {
		if req.filter, err = filter.Parse(f); err != nil {
			return req, err
		}
	}
	if v := q.Get("attributes"); v != "" {
		if req.projection.Attributes, err = scim.ParseAttrPathList(v, scim.InvalidValue); err != nil {
			return req, err
		}
	}
	if v := q.Get("excludedAttributes"); v != "" {
		if req.projection.Excluded, err = scim.ParseAttrPathList(v, scim.InvalidValue); err != nil {
			return req, err
		}
	}
	if v := q.Get("sortBy"); v != "" {
		p, err := scim.ParseAttrPath(v, 0, scim.InvalidValue)
		if err != nil {
			return req, err
		}
		req.sortBy = &p
	}
	req.sortOrder = q.Get("sortOrder")
	if err := checkSortOrder(req.sortOrder); err != nil {
		return req, err
	}

	startIndex, count := 1, 0
	if v := q.Get("startIndex"); v != "" {
		if startIndex, err = parseInt("startIndex", v); err != nil {
			return req, err
		}
	}
	hasCount := q.Has("count") && q.Get("count") != ""
	if hasCount {
		if count, err = parseInt("count", q.Get("count")); err != nil {
			return req, err
		}
	}
	req.startIndex, req.count = pageBounds(startIndex, count, hasCount, s.cfg.MaxResults)
	return req, nil
}

func parseInt(name, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "invalid %s %s: give an integer", name, scim.Quote(v))
	}
	return n, nil
}

// searchBody is the body of POST .search.
type searchBody struct {
	Schemas            []string        `json:"schemas"`
	Attributes         json.RawMessage `json:"attributes"`
	ExcludedAttributes json.RawMessage `json:"excludedAttributes"`
	Filter             *string         `json:"filter"`
	SortBy             *string         `json:"sortBy"`
	SortOrder          *string         `json:"sortOrder"`
	StartIndex         *json.Number    `json:"startIndex"`
	Count              *json.Number    `json:"count"`
}

// parseSearchBody reads a SearchRequest (RFC 7644 Section 3.4.3).
// "attributes" and "excludedAttributes" are arrays of paths; a single
// comma-separated string is accepted too.
func (s *Server) parseSearchBody(raw []byte) (listRequest, error) {
	var body searchBody
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return listRequest{}, jsonSyntaxError(err)
	}
	if !slices.ContainsFunc(body.Schemas, func(u string) bool { return strings.EqualFold(u, SearchRequestURN) }) {
		return listRequest{}, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the search body's \"schemas\" must contain %s", SearchRequestURN)
	}
	q := url.Values{}
	for name, v := range map[string]json.RawMessage{"attributes": body.Attributes, "excludedAttributes": body.ExcludedAttributes} {
		if len(v) == 0 || string(v) == "null" {
			continue
		}
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			var one string
			if err := json.Unmarshal(v, &one); err != nil {
				return listRequest{}, scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "%q must be an array of attribute paths", name)
			}
			list = []string{one}
		}
		q.Set(name, strings.Join(list, ","))
	}
	for name, v := range map[string]*string{"filter": body.Filter, "sortBy": body.SortBy, "sortOrder": body.SortOrder} {
		if v != nil {
			q.Set(name, *v)
		}
	}
	for name, v := range map[string]*json.Number{"startIndex": body.StartIndex, "count": body.Count} {
		if v != nil {
			q.Set(name, v.String())
		}
	}
	return s.parseListQuery(q)
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request, rc *requestContext, rt *schema.ResourceType) {
	req, err := s.parseListQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.answerList(w, r, rc, rt, req)
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, rc *requestContext, rt *schema.ResourceType) {
	raw, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := s.parseSearchBody(raw)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.answerList(w, r, rc, rt, req)
}

func (s *Server) answerList(w http.ResponseWriter, r *http.Request, rc *requestContext, rt *schema.ResourceType, req listRequest) {
	resp, err := s.list(r.Context(), rc, rt, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, resp)
}

// list runs a query. The filter's indexed conditions run in SQL (see
// plan). The rest runs in memory on each document, or on the rendered
// resources when it reads the id, meta, members or groups. sortBy is
// handled the same way.
func (s *Server) list(ctx context.Context, rc *requestContext, rt *schema.ResourceType, req listRequest) (scim.ListResponse, error) {
	s.applyFilterRules(ctx, rt, req.filter)
	p, err := plan(rt, req.filter)
	if err != nil {
		return scim.ListResponse{}, err
	}
	q := store.Query{Type: storeType(rt), Where: p.where}

	var compare func(a, b map[string]any) int
	rendered := p.needsRendered
	if req.sortBy != nil {
		compare, err = rt.Comparator(*req.sortBy, req.sortOrder)
		if err != nil {
			return scim.ListResponse{}, err
		}
		field, docOnly := sortField(rt, *req.sortBy)
		switch {
		case field != "":
			q.SortBy = field
			q.Descending = strings.EqualFold(req.sortOrder, "descending")
		case docOnly:
			q.Compare = docComparator(compare)
		default:
			rendered = true
		}
	}
	wantMembers := rt == s.groups && wantsAttribute(rt, req.projection, "members")

	if rendered {
		return s.listRendered(ctx, rc, rt, req, q, p, compare, wantMembers)
	}

	if p.residual != nil {
		pred := p.residual
		q.Residual = func(doc json.RawMessage) bool {
			m, err := decodeDoc(doc)
			return err == nil && pred(m)
		}
	}
	q.StartIndex, q.Count = req.startIndex, req.count
	q.ExcludeMembers = !wantMembers
	page, err := s.cfg.Store.List(ctx, rc.tenant, q)
	if err != nil {
		return scim.ListResponse{}, err
	}
	var groups map[string][]store.GroupRef
	if rt == s.users && (wantsAttribute(rt, req.projection, "groups") || wantsVersion(rt, req.projection)) {
		if groups, err = s.groupsOfUsers(ctx, rc.tenant, page.Resources); err != nil {
			return scim.ListResponse{}, err
		}
	}
	resources := make([]any, 0, len(page.Resources))
	for _, res := range page.Resources {
		body, err := s.render(rc, rt, res, groups[res.ID], req.projection)
		if err != nil {
			return scim.ListResponse{}, err
		}
		resources = append(resources, body)
	}
	return scim.ListResponse{TotalResults: page.Total, StartIndex: req.startIndex, ItemsPerPage: len(resources), Resources: resources}, nil
}

// listRendered runs a query whose filter or sort needs attributes that
// are not in the stored document: it reads every resource that the SQL
// part selects, renders it whole, then filters, sorts and pages in memory.
//
// NOTE: memory and time grow with the number of resources the SQL part
// selects, and every User costs one GroupsOf query. IdPs do not send such
// filters; a filter on id or meta that is pushed down exactly avoids this.
func (s *Server) listRendered(ctx context.Context, rc *requestContext, rt *schema.ResourceType, req listRequest, q store.Query, p queryPlan, compare func(a, b map[string]any) int, wantMembers bool) (scim.ListResponse, error) {
	q.SortBy, q.Compare, q.Descending = "", nil, false
	q.StartIndex, q.Count = 1, -1
	q.ExcludeMembers = !wantMembers && !p.needsMembers
	page, err := s.cfg.Store.List(ctx, rc.tenant, q)
	if err != nil {
		return scim.ListResponse{}, err
	}

	var matched []map[string]any
	for _, res := range page.Resources {
		var groups []store.GroupRef
		if res.Type == store.User {
			if groups, err = s.cfg.Store.GroupsOf(ctx, rc.tenant, res.ID); err != nil {
				return scim.ListResponse{}, err
			}
		}
		m, err := s.full(rc, rt, res, groups)
		if err != nil {
			return scim.ListResponse{}, err
		}
		if p.residual == nil || p.residual(m) {
			matched = append(matched, m)
		}
	}
	if compare != nil {
		slices.SortStableFunc(matched, compare)
	}

	total := len(matched)
	from := min(req.startIndex-1, total)
	to := min(from+req.count, total)
	resources := make([]any, 0, to-from)
	for _, m := range matched[from:to] {
		if !wantMembers {
			delete(m, "members")
		}
		resources = append(resources, rt.Project(m, req.projection))
	}
	return scim.ListResponse{TotalResults: total, StartIndex: req.startIndex, ItemsPerPage: len(resources), Resources: resources}, nil
}

// sortField returns the indexed field that sorts exactly as the
// Comparator does, for attributes every resource has (id, meta.created,
// meta.lastModified, a User's userName), so the store's placement of
// missing values never matters. Otherwise docOnly reports whether the
// attribute lives in the stored document, so the store can sort with the
// Comparator on documents.
func sortField(rt *schema.ResourceType, p scim.AttrPath) (field store.Field, docOnly bool) {
	path, err := rt.Resolve(p, scim.InvalidValue)
	if err != nil || path.Attribute == nil {
		return "", false
	}
	name := path.Attribute.Name
	sub := ""
	if path.Sub != nil {
		sub = path.Sub.Name
	}
	if path.Schema == rt.Common {
		switch {
		case name == "id":
			return store.FieldID, false
		case name == "meta" && sub == "created":
			return store.FieldCreated, false
		case name == "meta" && sub == "lastModified":
			return store.FieldLastModified, false
		case name == "externalId":
			return "", true
		}
		return "", false
	}
	if rt.Name == "User" && !path.Extension && name == "userName" {
		return store.FieldUserName, false
	}
	if !path.Extension && (name == "members" || name == "groups") {
		return "", false
	}
	return "", true
}

// docComparator adapts a Comparator to stored documents, decoding each
// document once per List.
func docComparator(compare func(a, b map[string]any) int) func(a, b json.RawMessage) int {
	var mu sync.Mutex
	cache := map[*byte]map[string]any{}
	get := func(doc json.RawMessage) map[string]any {
		key := unsafe.SliceData(doc)
		mu.Lock()
		defer mu.Unlock()
		if m, ok := cache[key]; ok {
			return m
		}
		m, err := decodeDoc(doc)
		if err != nil {
			m = map[string]any{}
		}
		cache[key] = m
		return m
	}
	return func(a, b json.RawMessage) int { return compare(get(a), get(b)) }
}
