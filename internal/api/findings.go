package api

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// findingRoutes lists the finding and suppression-rule routes.
func (s *Server) findingRoutes() []Route {
	return []Route{
		{"GET", "/v1/findings", Read, s.listFindings},
		{"GET", "/v1/findings/aggregations", Read, s.aggregateFindings},
		{"GET", "/v1/findings/export", Read, s.exportFindings},
		{"GET", "/v1/findings/{id}", Read, s.getFinding},

		{"GET", "/v1/suppression-rules", Read, s.listRules},
		{"POST", "/v1/suppression-rules", Write, s.createRule},
		{"GET", "/v1/suppression-rules/{id}", Read, s.getRule},
		{"PUT", "/v1/suppression-rules/{id}", Write, s.updateRule},
		{"DELETE", "/v1/suppression-rules/{id}", Write, s.deleteRule},
	}
}

// FindingList is the answer of GET /v1/findings.
type FindingList struct {
	Findings []model.Finding `json:"findings"`
	// Next is the cursor of the next page; empty after the last.
	Next string `json:"next,omitempty"`
}

// AggregationList is the answer of GET /v1/findings/aggregations.
type AggregationList struct {
	By     model.AggregationType    `json:"by"`
	Groups []model.FindingAggregate `json:"groups"`
}

// maxExport bounds the findings of one export.
const maxExport = 100000

func sortFromQuery(q map[string][]string) (store.FindingSort, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.ToUpper(v[0])
		}
		return ""
	}
	srt := store.FindingSort{Field: store.SortField(get("sort")), Order: store.SortOrder(get("order"))}
	switch srt.Field {
	case "", store.SortSeverity, store.SortScore, store.SortEPSS, store.SortFirstObservedAt, store.SortLastObservedAt:
	default:
		return srt, badRequest("sort %q: want SEVERITY, SCORE, EPSS, FIRST_OBSERVED_AT or LAST_OBSERVED_AT", srt.Field)
	}
	switch srt.Order {
	case "", store.Asc, store.Desc:
	default:
		return srt, badRequest("order %q: want ASC or DESC", srt.Order)
	}
	return srt, nil
}

func (s *Server) listFindings(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	q := r.URL.Query()
	f, err := filterFromQuery(q, "sort", "order", "cursor", "limit")
	if err != nil {
		return nil, err
	}
	srt, err := sortFromQuery(q)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	out := FindingList{Findings: []model.Finding{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		fs, next, err := tx.Findings(p.Scope).List(ctx, f, srt, q.Get("cursor"), int(limit))
		out.Findings, out.Next = append(out.Findings, fs...), next
		return err
	})
	return out, err
}

func (s *Server) getFinding(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (model.Finding, error) {
		return tx.Findings(p.Scope).Get(ctx, model.FindingID(pathID(r)))
	})
}

func (s *Server) aggregateFindings(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	q := r.URL.Query()
	by := model.AggregationType(strings.ToUpper(q.Get("by")))
	if by == "" {
		by = model.AggregateSeverity
	}
	if !by.Valid() {
		return nil, badRequest("by %q: want one of %v", by, model.AggregationTypes)
	}
	f, err := filterFromQuery(q, "by", "limit")
	if err != nil {
		return nil, err
	}
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	out := AggregationList{By: by, Groups: []model.FindingAggregate{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		gs, err := tx.Findings(p.Scope).Aggregate(ctx, by, f, int(limit))
		out.Groups = append(out.Groups, gs...)
		return err
	})
	return out, err
}

// exportFindings writes every finding matching the filter as CSV
// (format=csv, the default) or a JSON array (format=json).
func (s *Server) exportFindings(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	q := r.URL.Query()
	format := strings.ToLower(q.Get("format"))
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "json" {
		return nil, badRequest("format %q: want csv or json", format)
	}
	f, err := filterFromQuery(q, "format", "sort", "order")
	if err != nil {
		return nil, err
	}
	srt, err := sortFromQuery(q)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	var all []model.Finding
	cursor := ""
	for {
		var page []model.Finding
		err := s.store.View(ctx, func(tx store.Tx) error {
			var err error
			page, cursor, err = tx.Findings(p.Scope).List(ctx, f, srt, cursor, 1000)
			return err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if cursor == "" {
			break
		}
		if len(all) >= maxExport {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
				Message: "more than " + strconv.Itoa(maxExport) + " findings match: narrow the filter"}
		}
	}
	if all == nil {
		all = []model.Finding{}
	}
	if format == "json" {
		return &Raw{ContentType: "application/json", Filename: "findings.json", Write: func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(all)
		}}, nil
	}
	return &Raw{ContentType: "text/csv; charset=utf-8", Filename: "findings.csv", Write: func(w io.Writer) error {
		return writeFindingsCSV(w, all)
	}}, nil
}

// FindingsCSVHeader is the header row of the CSV export.
var FindingsCSVHeader = []string{"id", "accountId", "status", "type", "severity", "vulnerabilityId", "title",
	"score", "cvss", "epss", "exploitAvailable", "fixAvailable", "resourceId", "resourceType", "resourceName",
	"packageEcosystem", "packageName", "packageVersion", "fixedInVersion", "filePath", "layer",
	"firstObservedAt", "lastObservedAt", "updatedAt"}

func writeFindingsCSV(w io.Writer, fs []model.Finding) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(FindingsCSVHeader); err != nil {
		return err
	}
	num := func(v float64) string {
		if v < 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	for i := range fs {
		f := &fs[i]
		score, epss := -1.0, -1.0
		if f.Score != nil {
			score = *f.Score
		}
		if f.EPSS != nil {
			epss = f.EPSS.Score
		}
		var pk model.VulnerablePackage
		if fp := f.FirstPackage(); fp != nil {
			pk = *fp
		}
		rec := []string{string(f.ID), string(f.AccountID), string(f.Status), string(f.Type), string(f.Severity), f.CheckID, csvSafe(f.Title),
			num(score), num(f.CVSSBase()), num(epss), string(f.ExploitAvailable), string(f.FixAvailable),
			string(f.Resource.ID), string(f.Resource.Type), csvSafe(f.Resource.Name),
			string(pk.Ecosystem), csvSafe(pk.Name), csvSafe(pk.Version), csvSafe(pk.FixedInVersion), csvSafe(pk.FilePath), pk.Layer,
			f.FirstObservedAt.Format(time.RFC3339), f.LastObservedAt.Format(time.RFC3339), f.UpdatedAt.Format(time.RFC3339)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses values a spreadsheet would run as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// RuleList is the answer of GET /v1/suppression-rules.
type RuleList struct {
	Rules []model.SuppressionRule `json:"rules"`
	Next  string                  `json:"next,omitempty"`
}

// RuleRequest is the body of POST and PUT /v1/suppression-rules.
type RuleRequest struct {
	Name        string              `json:"name"`
	Description string              `json:"description,omitempty"`
	Action      model.FilterAction  `json:"action,omitempty"`
	Reason      string              `json:"reason,omitempty"`
	Owner       string              `json:"owner,omitempty"`
	Filter      model.FindingFilter `json:"filterCriteria"`
	ExpiresAt   time.Time           `json:"expiresAt,omitzero"`
	// AccountID is the rule's account; the caller's when empty.
	AccountID model.AccountID `json:"accountId,omitempty"`
}

func (req *RuleRequest) check() error {
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 200 {
		return badRequest("name: required, at most 200 bytes")
	}
	if len(req.Description) > 4096 || len(req.Reason) > 4096 || len(req.Owner) > 256 {
		return badRequest("description and reason: at most 4096 bytes; owner at most 256")
	}
	if req.Action == "" {
		req.Action = model.ActionSuppress
	}
	if req.Action != model.ActionSuppress && req.Action != model.ActionNone {
		return badRequest("action %q: want SUPPRESS or NONE", req.Action)
	}
	if err := req.Filter.Validate(); err != nil {
		return badRequest("%v", err)
	}
	if req.Action == model.ActionSuppress && req.Filter.Empty() {
		return badRequest("filterCriteria: a SUPPRESS rule needs at least one criterion")
	}
	return nil
}

func (s *Server) listRules(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	q := r.URL.Query()
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	out := RuleList{Rules: []model.SuppressionRule{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		rs, err := tx.SuppressionRules(p.Scope).List(ctx, model.SuppressionRuleID(q.Get("after")), int(limit))
		out.Rules = append(out.Rules, rs...)
		return err
	})
	if n := len(out.Rules); n == int(limit) {
		out.Next = string(out.Rules[n-1].ID)
	}
	return out, err
}

func (s *Server) getRule(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (model.SuppressionRule, error) {
		return tx.SuppressionRules(p.Scope).Get(ctx, model.SuppressionRuleID(pathID(r)))
	})
}

func (s *Server) createRule(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req RuleRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	acct, err := accountFor(p, req.AccountID)
	if err != nil {
		return nil, err
	}
	if req.Owner == "" {
		req.Owner = string(p.Token.ID)
	}
	ctx := r.Context()
	var rule model.SuppressionRule
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		rule, err = tx.SuppressionRules(p.Scope).Create(ctx, model.SuppressionRule{
			AccountID: acct, Name: req.Name, Description: req.Description, Action: req.Action,
			Reason: req.Reason, Owner: req.Owner, Filter: req.Filter, ExpiresAt: req.ExpiresAt,
		})
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, acct, "suppression-rule.create", string(rule.ID), req); err != nil {
			return err
		}
		_, err = finding.ApplySuppressionRules(ctx, tx, p.Scope, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Response{Status: http.StatusCreated, Header: http.Header{"Location": {"/v1/suppression-rules/" + string(rule.ID)}}, Body: rule}, nil
}

func (s *Server) updateRule(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req RuleRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	ctx := r.Context()
	id := model.SuppressionRuleID(pathID(r))
	var rule model.SuppressionRule
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.SuppressionRules(p.Scope).Get(ctx, id)
		if err != nil {
			return err
		}
		if req.AccountID != "" && req.AccountID != cur.AccountID {
			return badRequest("accountId: a rule cannot move to another account")
		}
		if req.Owner == "" {
			req.Owner = cur.Owner
		}
		cur.Name, cur.Description, cur.Action, cur.Reason, cur.Owner, cur.Filter, cur.ExpiresAt =
			req.Name, req.Description, req.Action, req.Reason, req.Owner, req.Filter, req.ExpiresAt
		if rule, err = tx.SuppressionRules(p.Scope).Update(ctx, cur); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, cur.AccountID, "suppression-rule.update", string(id), req); err != nil {
			return err
		}
		_, err = finding.ApplySuppressionRules(ctx, tx, p.Scope, s.now())
		return err
	})
	return rule, err
}

func (s *Server) deleteRule(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	id := model.SuppressionRuleID(pathID(r))
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.SuppressionRules(p.Scope).Get(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.SuppressionRules(p.Scope).Delete(ctx, id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, cur.AccountID, "suppression-rule.delete", string(id), nil); err != nil {
			return err
		}
		_, err = finding.ApplySuppressionRules(ctx, tx, p.Scope, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]string{"deleted": string(id)}, nil
}
