package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// dashboardRoutes lists the console's summary routes: what the dashboard
// and the usage page show, each computed in one read transaction from the
// findings store's counts and aggregations (the server never reads every
// finding; how fast they are depends on the store's indexes, see
// BENCHMARKS.md).
func (s *Server) dashboardRoutes() []Route {
	return []Route{
		{"GET", "/v1/dashboard", Read, s.dashboard},
		{"GET", "/v1/dashboard/trend", Read, s.dashboardTrend},
		{"GET", "/v1/usage", Read, s.usage},
		{"GET", "/v1/whoami", Read, s.whoami},
	}
}

// Whoami is the answer of GET /v1/whoami: the caller's token (never its
// secret) and account, so that a client can show what the token may do.
type Whoami struct {
	Token   model.Token   `json:"token"`
	Account model.Account `json:"account"`
}

func (s *Server) whoami(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	return Whoami{Token: p.Token, Account: p.Account}, nil
}

// DatabaseStatus describes the advisory database the server matches
// against: the dashboard's freshness panel.
type DatabaseStatus struct {
	Snapshot  string    `json:"snapshot"`
	CreatedAt time.Time `json:"createdAt"`
	Records   int       `json:"records"`
	Feeds     []Feed    `json:"feeds"`
}

// Feed is one advisory feed of the database.
type Feed struct {
	Name      string    `json:"name"`
	Records   int       `json:"records"`
	CheckedAt time.Time `json:"checkedAt,omitzero"`
}

// ResourceRisk is one resource of a dashboard ranking: its open findings
// by severity and its highest score.
type ResourceRisk struct {
	ID       model.ResourceID     `json:"id"`
	Name     string               `json:"name"`
	Type     model.ResourceType   `json:"type"`
	Counts   model.SeverityCounts `json:"severityCounts"`
	MaxScore *float64             `json:"maxScore,omitempty"`
}

// VulnerabilitySpread is one vulnerability with its open findings (one
// per affected package of a resource) by severity.
type VulnerabilitySpread struct {
	ID     string               `json:"vulnerabilityId"`
	Counts model.SeverityCounts `json:"severityCounts"`
}

// FindingSample is the count of the open findings matching a criterion
// and the first of them.
type FindingSample struct {
	Count    int             `json:"count"`
	Findings []model.Finding `json:"findings"`
}

// CoverageCount counts resources of one coverage status and reason.
type CoverageCount struct {
	Type   model.ResourceType   `json:"type"`
	Status model.CoverageStatus `json:"status"`
	Reason model.CoverageReason `json:"reason"`
	Count  int                  `json:"count"`
}

// CoverageSummary says how many resources are scanned and why the others
// are not.
type CoverageSummary struct {
	Total      int             `json:"total"`
	Scanned    int             `json:"scanned"`
	NotScanned int             `json:"notScanned"`
	Groups     []CoverageCount `json:"groups"`
}

// Dashboard is the answer of GET /v1/dashboard: the open (ACTIVE)
// findings of the scope summarised.
type Dashboard struct {
	GeneratedAt time.Time `json:"generatedAt"`
	// Open counts ACTIVE findings by severity; Suppressed and Closed count
	// the others.
	Open       model.SeverityCounts `json:"open"`
	Suppressed int                  `json:"suppressed"`
	Closed     int                  `json:"closed"`
	// RiskiestByCount ranks resources by critical, then high, then total
	// open findings; RiskiestByScore by their highest open score.
	RiskiestByCount []ResourceRisk `json:"riskiestByCount"`
	RiskiestByScore []ResourceRisk `json:"riskiestByScore"`
	// Widespread ranks vulnerabilities by how many open findings they have.
	Widespread []VulnerabilitySpread `json:"widespread"`
	// Exploited are open findings of vulnerabilities in CISA KEV, highest
	// score first; HighEPSS those with an EPSS of at least EPSSThreshold.
	Exploited     FindingSample `json:"exploited"`
	HighEPSS      FindingSample `json:"highEpss"`
	EPSSThreshold float64       `json:"epssThreshold"`
	// Exposed are the resources with open NETWORK_REACHABILITY findings.
	Exposed  []ResourceRisk  `json:"exposed"`
	Coverage CoverageSummary `json:"coverage"`
	// Database is nil when the server has no advisory database yet.
	Database *DatabaseStatus `json:"database,omitempty"`
}

// Dashboard bounds.
const (
	dashTop = 10
	// dashScoreWindow bounds how many of the highest-scored open findings
	// the by-score ranking reads, dashScorePage at a time, to find its
	// resources.
	dashScoreWindow = 500
	dashScorePage   = 50
	// dashMaxResources bounds the resources coverage and usage read.
	dashMaxResources = 100000
	defaultEPSS      = 0.1
)

// eqFilter is one EQUALS string criterion.
func eqFilter(v string) []model.StringFilter {
	return []model.StringFilter{{Comparison: model.CompareEquals, Value: v}}
}

// openFilter selects ACTIVE findings.
func openFilter() model.FindingFilter {
	return model.FindingFilter{Status: eqFilter(string(model.StatusActive))}
}

func (s *Server) dashboard(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	q := r.URL.Query()
	epss := defaultEPSS
	if v := q.Get("epssMin"); v != "" {
		n, err := intParam(q, "epssMin", 0, 0, 100)
		if err != nil {
			return nil, badRequest("epssMin: want a percentage from 0 to 100")
		}
		epss = float64(n) / 100
	}
	ctx := r.Context()
	d := Dashboard{GeneratedAt: s.now(), EPSSThreshold: epss}
	err := s.store.View(ctx, func(tx store.Tx) error {
		fs, rs := tx.Findings(p.Scope), tx.Resources(p.Scope)
		sev, err := fs.Aggregate(ctx, model.AggregateSeverity, openFilter(), 10)
		if err != nil {
			return err
		}
		for _, g := range sev {
			d.Open.Add(model.Severity(g.Key), g.Counts.Total)
		}
		if d.Suppressed, err = fs.Count(ctx, model.FindingFilter{Status: eqFilter(string(model.StatusSuppressed))}); err != nil {
			return err
		}
		if d.Closed, err = fs.Count(ctx, model.FindingFilter{Status: eqFilter(string(model.StatusClosed))}); err != nil {
			return err
		}
		names := resourceNamer(ctx, rs)
		byRes, err := fs.Aggregate(ctx, model.AggregateResource, openFilter(), dashTop)
		if err != nil {
			return err
		}
		for _, g := range byRes {
			rr, err := names(model.ResourceID(g.Key))
			if err != nil {
				return err
			}
			rr.Counts = g.Counts
			d.RiskiestByCount = append(d.RiskiestByCount, rr)
		}
		if d.RiskiestByScore, err = riskiestByScore(ctx, fs, names); err != nil {
			return err
		}
		vulns, err := fs.Aggregate(ctx, model.AggregateVulnerability, openFilter(), 1000)
		if err != nil {
			return err
		}
		slices.SortStableFunc(vulns, func(a, b model.FindingAggregate) int { return cmp.Compare(b.Counts.Total, a.Counts.Total) })
		for _, g := range vulns[:min(dashTop, len(vulns))] {
			d.Widespread = append(d.Widespread, VulnerabilitySpread{ID: g.Key, Counts: g.Counts})
		}
		kev := openFilter()
		kev.ExploitAvailable = eqFilter(string(model.ExploitYes))
		if d.Exploited, err = findingSample(ctx, fs, kev, store.FindingSort{Field: store.SortScore, Order: store.Desc}); err != nil {
			return err
		}
		hi := openFilter()
		hi.EPSS = []model.NumberFilter{{Min: &epss}}
		if d.HighEPSS, err = findingSample(ctx, fs, hi, store.FindingSort{Field: store.SortEPSS, Order: store.Desc}); err != nil {
			return err
		}
		net := openFilter()
		net.Type = eqFilter(string(model.FindingNetworkReachability))
		exposed, err := fs.Aggregate(ctx, model.AggregateResource, net, dashTop)
		if err != nil {
			return err
		}
		for _, g := range exposed {
			rr, err := names(model.ResourceID(g.Key))
			if err != nil {
				return err
			}
			rr.Counts = g.Counts
			d.Exposed = append(d.Exposed, rr)
		}
		d.Coverage, err = countCoverage(ctx, rs)
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.dbStatus != nil {
		if st, err := s.dbStatus(ctx); err == nil {
			d.Database = &st
		}
	}
	for _, l := range []*[]ResourceRisk{&d.RiskiestByCount, &d.RiskiestByScore, &d.Exposed} {
		if *l == nil {
			*l = []ResourceRisk{}
		}
	}
	if d.Widespread == nil {
		d.Widespread = []VulnerabilitySpread{}
	}
	return d, nil
}

// resourceNamer returns a cached lookup of a resource's name and type; a
// resource deleted since its findings were written keeps its id.
func resourceNamer(ctx context.Context, rs store.ResourceStore) func(model.ResourceID) (ResourceRisk, error) {
	seen := map[model.ResourceID]ResourceRisk{}
	return func(id model.ResourceID) (ResourceRisk, error) {
		if rr, ok := seen[id]; ok {
			return rr, nil
		}
		rr := ResourceRisk{ID: id, Name: string(id)}
		res, err := rs.Get(ctx, id)
		var nf *store.NotFoundError
		switch {
		case errors.As(err, &nf):
		case err != nil:
			return rr, err
		default:
			rr.Name, rr.Type = res.Name, res.Type
		}
		seen[id] = rr
		return rr, nil
	}
}

// riskiestByScore ranks resources by their highest open score: it reads
// the open findings in score order, a page at a time, until it has
// dashTop resources, then counts those resources' open findings by
// severity in one aggregation (a short range of the store's index by
// status and resource for each).
func riskiestByScore(ctx context.Context, fs store.FindingStore, names func(model.ResourceID) (ResourceRisk, error)) ([]ResourceRisk, error) {
	srt := store.FindingSort{Field: store.SortScore, Order: store.Desc}
	seen := map[model.ResourceID]bool{}
	out := []ResourceRisk{}
	cur := ""
	for read := 0; len(out) < dashTop && read < dashScoreWindow; {
		page, next, err := fs.List(ctx, openFilter(), srt, cur, dashScorePage)
		if err != nil {
			return nil, err
		}
		read += len(page)
		for _, f := range page {
			if f.Score == nil {
				// Unscored findings sort last: no more scores.
				next = ""
				break
			}
			if seen[f.Resource.ID] || len(out) == dashTop {
				continue
			}
			seen[f.Resource.ID] = true
			rr, err := names(f.Resource.ID)
			if err != nil {
				return nil, err
			}
			sc := *f.Score
			rr.MaxScore = &sc
			out = append(out, rr)
		}
		if next == "" {
			break
		}
		cur = next
	}
	if len(out) == 0 {
		return out, nil
	}
	fl := openFilter()
	for _, rr := range out {
		fl.ResourceID = append(fl.ResourceID, model.StringFilter{Comparison: model.CompareEquals, Value: string(rr.ID)})
	}
	groups, err := fs.Aggregate(ctx, model.AggregateResource, fl, len(out))
	if err != nil {
		return nil, err
	}
	counts := make(map[model.ResourceID]model.SeverityCounts, len(groups))
	for _, g := range groups {
		counts[model.ResourceID(g.Key)] = g.Counts
	}
	for i := range out {
		out[i].Counts = counts[out[i].ID]
	}
	return out, nil
}

// findingSample counts the findings of f and lists the first of them in
// order srt.
func findingSample(ctx context.Context, fs store.FindingStore, f model.FindingFilter, srt store.FindingSort) (FindingSample, error) {
	n, err := fs.Count(ctx, f)
	if err != nil {
		return FindingSample{}, err
	}
	list, _, err := fs.List(ctx, f, srt, "", dashTop)
	return FindingSample{Count: n, Findings: append([]model.Finding{}, list...)}, err
}

// eachResource calls fn for every resource of the scope, a page at a time.
func eachResource(ctx context.Context, rs store.ResourceStore, fn func(r *model.Resource)) error {
	after := model.ResourceID("")
	for seen := 0; seen < dashMaxResources; {
		page, err := rs.List(ctx, store.ResourceFilter{After: after, Limit: 1000})
		if err != nil {
			return err
		}
		for i := range page {
			fn(&page[i])
		}
		seen += len(page)
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1].ID
	}
	return nil
}

// countCoverage counts the resources of the scope by type, status and reason.
// A resource counts as scanned when its last scan succeeded.
func countCoverage(ctx context.Context, rs store.ResourceStore) (CoverageSummary, error) {
	type key struct {
		t model.ResourceType
		s model.CoverageStatus
		r model.CoverageReason
	}
	counts := map[key]int{}
	var c CoverageSummary
	err := eachResource(ctx, rs, func(r *model.Resource) {
		counts[key{r.Type, r.Coverage.Status, r.Coverage.Reason}]++
		c.Total++
		if r.Coverage.Status == model.CoverageActive && r.Coverage.Reason == model.ReasonSuccessful {
			c.Scanned++
		}
	})
	c.NotScanned = c.Total - c.Scanned
	c.Groups = []CoverageCount{}
	for k, n := range counts {
		c.Groups = append(c.Groups, CoverageCount{Type: k.t, Status: k.s, Reason: k.r, Count: n})
	}
	slices.SortFunc(c.Groups, func(a, b CoverageCount) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Reason, b.Reason))
	})
	return c, err
}

// TrendPoint is the number of open (not CLOSED) findings at the end of a
// day.
type TrendPoint struct {
	Date string `json:"date"`
	Open int    `json:"open"`
}

// Trend is the answer of GET /v1/dashboard/trend.
type Trend struct {
	Points []TrendPoint `json:"points"`
}

// dashboardTrend counts, for each of the last days, the findings that were
// open at the end of that day: first observed by then and not closed, or
// closed after it (a closed finding's updatedAt is when it closed). The
// findings not closed are counted up to the first day and then one day
// at a time (short ranges of the store's (status, first observed) index),
// the closed ones once a day.
func (s *Server) dashboardTrend(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	days, err := intParam(r.URL.Query(), "days", 14, 1, 90)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	now := s.now()
	today := now.Truncate(24 * time.Hour)
	out := Trend{Points: []TrendPoint{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		fs := tx.Findings(p.Scope)
		notClosed := 0
		var after time.Time // the end of the day before, zero before the first
		for i := int(days) - 1; i >= 0; i-- {
			end := today.AddDate(0, 0, -i).Add(24*time.Hour - time.Microsecond)
			if end.After(now) {
				end = now
			}
			window := model.DateFilter{End: end}
			if !after.IsZero() {
				window.Start = after.Add(time.Microsecond)
			}
			// One status at a time: an equality each index serves alone.
			for _, st := range []model.FindingStatus{model.StatusActive, model.StatusSuppressed} {
				n, err := fs.Count(ctx, model.FindingFilter{Status: eqFilter(string(st)), FirstObservedAt: []model.DateFilter{window}})
				if err != nil {
					return err
				}
				notClosed += n
			}
			closedLater := model.FindingFilter{
				Status:          eqFilter(string(model.StatusClosed)),
				FirstObservedAt: []model.DateFilter{{End: end}},
				UpdatedAt:       []model.DateFilter{{Start: end.Add(time.Microsecond)}},
			}
			m, err := fs.Count(ctx, closedLater)
			if err != nil {
				return err
			}
			out.Points = append(out.Points, TrendPoint{Date: end.Format(time.DateOnly), Open: notClosed + m})
			after = end
		}
		return nil
	})
	return out, err
}

// UsageDay counts the resources of each type whose last scan finished on
// one day.
type UsageDay struct {
	Date   string                     `json:"date"`
	Counts map[model.ResourceType]int `json:"counts"`
}

// Usage is the answer of GET /v1/usage.
type Usage struct {
	Days []UsageDay `json:"days"`
	// Resources counts the resources of the scope by type.
	Resources map[model.ResourceType]int `json:"resources"`
}

// usage counts resources scanned per type per day over the last days. A
// resource counts on the day of its last finished scan (the store keeps
// no scan history).
func (s *Server) usage(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	days, err := intParam(r.URL.Query(), "days", 30, 1, 366)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	first := s.now().Truncate(24*time.Hour).AddDate(0, 0, -int(days)+1)
	out := Usage{Days: make([]UsageDay, days), Resources: map[model.ResourceType]int{}}
	for i := range out.Days {
		out.Days[i] = UsageDay{Date: first.AddDate(0, 0, i).Format(time.DateOnly), Counts: map[model.ResourceType]int{}}
	}
	err = s.store.View(ctx, func(tx store.Tx) error {
		return eachResource(ctx, tx.Resources(p.Scope), func(res *model.Resource) {
			out.Resources[res.Type]++
			at := res.Coverage.LastScannedAt
			if at.IsZero() || at.Before(first) {
				return
			}
			if i := int(at.Sub(first) / (24 * time.Hour)); i < len(out.Days) {
				out.Days[i].Counts[res.Type]++
			}
		})
	})
	return out, err
}
