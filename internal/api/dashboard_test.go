package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// dashFixture stores three resources and five findings whose days and
// statuses make every dashboard figure known by hand:
//
//	F1 host   CRITICAL ACTIVE     first 11-22, score 9.8, KEV, EPSS 0.5
//	F2 host   HIGH     SUPPRESSED first 11-24, score 7.5, EPSS 0.05
//	F3 image  HIGH     CLOSED     first 11-23, closed 11-26, score 8.0
//	F4 image  MEDIUM   ACTIVE     first 11-27 10:00
//	F5 host   MEDIUM   ACTIVE     first 11-26, NETWORK_REACHABILITY
//
// The clock says 2026-11-27 12:00 UTC.
func dashFixture(t *testing.T, st store.Store, now time.Time) (token string, host, image model.ResourceID) {
	t.Helper()
	ctx := context.Background()
	token = store.NewToken()
	day := func(d int) time.Time { return now.AddDate(0, 0, d) }
	err := st.InTx(ctx, func(tx store.Tx) error {
		sys := store.SystemScope()
		org, err := tx.Accounts(sys).CreateOrganization(ctx, "dash")
		if err != nil {
			return err
		}
		acct, err := tx.Accounts(sys).Create(ctx, model.Account{Org: org.ID, Name: "dash", DelegatedAdmin: true})
		if err != nil {
			return err
		}
		if _, err := tx.Tokens(sys).Create(ctx, model.Token{AccountID: acct.ID, Name: "t", Role: model.RoleAdmin, Hash: store.HashToken(token)}); err != nil {
			return err
		}
		res := map[string]model.Resource{}
		for _, r := range []struct {
			typ  model.ResourceType
			name string
			cov  model.Coverage
		}{
			{model.ResourceHost, "h1", model.Coverage{Status: model.CoverageActive, Reason: model.ReasonSuccessful, LastScannedAt: now.Add(-time.Hour)}},
			{model.ResourceImage, "reg.example/app:1", model.Coverage{Status: model.CoverageActive, Reason: model.ReasonSuccessful, LastScannedAt: day(-2)}},
			{model.ResourceFunction, "f1", model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonScanFailed}},
		} {
			got, _, err := tx.Resources(sys).Upsert(ctx, model.Resource{AccountID: acct.ID, Type: r.typ, Name: r.name})
			if err != nil {
				return err
			}
			if got, err = tx.Resources(sys).SetCoverage(ctx, got.ID, r.cov); err != nil {
				return err
			}
			res[r.name] = got
		}
		host, image = res["h1"].ID, res["reg.example/app:1"].ID
		score := func(v float64) *float64 { return &v }
		mk := func(n int, r model.Resource, sev model.Severity, st model.FindingStatus, first time.Time) model.Finding {
			f := model.Finding{ID: model.FindingID("fnd-0000000000000000000000000000000" + string(rune('0'+n))), AccountID: acct.ID,
				Type: model.FindingPackageVulnerability, CheckID: "CVE-2024-000" + string(rune('0'+n)), Title: "t", Severity: sev,
				ExploitAvailable: model.ExploitNo, FixAvailable: model.FixYes, Status: st,
				Resource:        model.FindingResource{ID: r.ID, Type: r.Type, Name: r.Name},
				FirstObservedAt: first, LastObservedAt: first, UpdatedAt: first,
				Package: &model.PackageVulnerabilityDetails{VulnerablePackages: []model.VulnerablePackage{{Ecosystem: model.EcosystemNPM, Name: "p", Version: "1"}}}}
			return f
		}
		f1 := mk(1, res["h1"], model.SeverityCritical, model.StatusActive, day(-5))
		f1.Score, f1.ScoreDetails = score(9.8), &model.ScoreDetails{Base: 9.8, Score: 9.8}
		f1.ExploitAvailable, f1.KEV, f1.EPSS = model.ExploitYes, &model.KEV{CVE: f1.CheckID, DateAdded: "2024-01-02"}, &model.EPSS{Score: 0.5}
		f2 := mk(2, res["h1"], model.SeverityHigh, model.StatusSuppressed, day(-3))
		f2.Score, f2.ScoreDetails, f2.EPSS = score(7.5), &model.ScoreDetails{Base: 7.5, Score: 7.5}, &model.EPSS{Score: 0.05}
		f2.Suppression = &model.FindingSuppression{RuleID: "sup-x"}
		f3 := mk(3, res["reg.example/app:1"], model.SeverityHigh, model.StatusClosed, day(-4))
		f3.Score, f3.ScoreDetails = score(8), &model.ScoreDetails{Base: 8, Score: 8}
		f3.UpdatedAt, f3.ClosedAt, f3.ClosedReason = day(-1), day(-1), model.ClosedFixed
		f4 := mk(4, res["reg.example/app:1"], model.SeverityMedium, model.StatusActive, now.Add(-2*time.Hour))
		f5 := mk(5, res["h1"], model.SeverityMedium, model.StatusActive, day(-1))
		f5.Type, f5.Package, f5.CheckID = model.FindingNetworkReachability, nil, "tcp-22"
		f5.Network = &model.NetworkDetail{Protocol: "TCP", Ports: model.PortRange{Begin: 22, End: 22}, From: "internet"}
		return tx.Findings(sys).Put(ctx, f1, f2, f3, f4, f5)
	})
	if err != nil {
		t.Fatal(err)
	}
	return token, host, image
}

// TestDashboard checks the dashboard, trend and usage figures against the
// fixture's hand-computed ones, on each store.
func TestDashboard(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			st := be.open(t)
			token, host, image := dashFixture(t, st, now)
			srv := httptest.NewServer(api.New(api.Config{Store: st, Logger: quiet, Now: func() time.Time { return now }}))
			t.Cleanup(srv.Close)
			get := func(path string) []byte {
				status, body := call(t, srv, token, "GET", path, nil)
				if status != http.StatusOK {
					t.Fatalf("GET %s: %d %s", path, status, body)
				}
				return body
			}

			trend := decode[api.Trend](t, get("/v1/dashboard/trend?days=6"))
			wantTrend := []api.TrendPoint{{"2026-11-22", 1}, {"2026-11-23", 2}, {"2026-11-24", 3}, {"2026-11-25", 3}, {"2026-11-26", 3}, {"2026-11-27", 4}}
			if diff := cmp.Diff(wantTrend, trend.Points); diff != "" {
				t.Errorf("trend (-want +got):\n%s", diff)
			}
			// A shorter trend counts the findings first observed before its
			// first day (F1, F2, F3) in that day's figure.
			short := decode[api.Trend](t, get("/v1/dashboard/trend?days=3"))
			if diff := cmp.Diff(wantTrend[3:], short.Points); diff != "" {
				t.Errorf("trend of 3 days (-want +got):\n%s", diff)
			}

			d := decode[api.Dashboard](t, get("/v1/dashboard"))
			type summary struct {
				Open                  model.SeverityCounts
				Suppressed, Closed    int
				ByCount, ByScore      []model.ResourceID
				TopScore              float64
				TopScoreCounts        model.SeverityCounts
				Widespread            int
				Exploited, HighEPSS   int
				Exposed               []model.ResourceID
				Total, Scanned, NotSc int
				Database              bool
			}
			ids := func(rs []api.ResourceRisk) []model.ResourceID {
				var out []model.ResourceID
				for _, r := range rs {
					out = append(out, r.ID)
				}
				return out
			}
			got := summary{Open: d.Open, Suppressed: d.Suppressed, Closed: d.Closed, ByCount: ids(d.RiskiestByCount), ByScore: ids(d.RiskiestByScore),
				Widespread: len(d.Widespread), Exploited: d.Exploited.Count, HighEPSS: d.HighEPSS.Count, Exposed: ids(d.Exposed),
				Total: d.Coverage.Total, Scanned: d.Coverage.Scanned, NotSc: d.Coverage.NotScanned, Database: d.Database != nil}
			if len(d.RiskiestByScore) > 0 && d.RiskiestByScore[0].MaxScore != nil {
				got.TopScore = *d.RiskiestByScore[0].MaxScore
				got.TopScoreCounts = d.RiskiestByScore[0].Counts
			}
			want := summary{Open: model.SeverityCounts{Critical: 1, Medium: 2, Total: 3}, Suppressed: 1, Closed: 1,
				ByCount: []model.ResourceID{host, image}, ByScore: []model.ResourceID{host}, TopScore: 9.8,
				TopScoreCounts: model.SeverityCounts{Critical: 1, Medium: 1, Total: 2}, Widespread: 3,
				Exploited: 1, HighEPSS: 1, Exposed: []model.ResourceID{host}, Total: 3, Scanned: 2, NotSc: 1}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("dashboard (-want +got):\n%s", diff)
			}

			u := decode[api.Usage](t, get("/v1/usage?days=3"))
			wantUsage := api.Usage{Days: []api.UsageDay{
				{Date: "2026-11-25", Counts: map[model.ResourceType]int{model.ResourceImage: 1}},
				{Date: "2026-11-26", Counts: map[model.ResourceType]int{}},
				{Date: "2026-11-27", Counts: map[model.ResourceType]int{model.ResourceHost: 1}}},
				Resources: map[model.ResourceType]int{model.ResourceHost: 1, model.ResourceImage: 1, model.ResourceFunction: 1}}
			if diff := cmp.Diff(wantUsage, u); diff != "" {
				t.Errorf("usage (-want +got):\n%s", diff)
			}

			who := decode[api.Whoami](t, get("/v1/whoami"))
			if who.Token.Role != model.RoleAdmin || who.Account.Name != "dash" {
				t.Errorf("whoami: %+v", who)
			}
			if status, body := call(t, srv, token, "GET", "/v1/dashboard/trend?days=91", nil); status != http.StatusBadRequest {
				t.Errorf("days=91: %d %s", status, body)
			}
		})
	}
}
