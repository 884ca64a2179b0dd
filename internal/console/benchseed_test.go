package console_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storeopen"
)

// benchPackages are real npm package names and versions of the node-app
// fixture, so that the synthetic findings look like what a scan stores.
var benchPackages = [][2]string{{"lodash", "4.17.15"}, {"minimist", "1.2.0"}, {"axios", "0.21.0"}, {"express", "4.17.1"},
	{"node-fetch", "2.6.0"}, {"jsonwebtoken", "8.5.1"}, {"qs", "6.7.0"}, {"body-parser", "1.19.0"}, {"path-to-regexp", "0.1.7"},
	{"send", "0.17.1"}, {"cookie", "0.4.0"}, {"follow-redirects", "1.13.0"}}

// benchFinding is finding i of resource r: every severity, status and
// finding type in fixed proportions (ACTIVE 2/4, SUPPRESSED 1/4, CLOSED
// 1/4; one in 50 a NETWORK_REACHABILITY finding; one in 7 in KEV), first
// observed over the last 30 days.
func benchFinding(i int, r model.Resource, now time.Time) model.Finding {
	pkg := benchPackages[i%len(benchPackages)]
	cve := fmt.Sprintf("CVE-2024-%05d", i%997)
	first := now.Add(-time.Duration(i%(30*24)) * time.Hour)
	f := model.Finding{
		ID:        model.FindingID(fmt.Sprintf("fnd-%032x", i*7919+13)),
		AccountID: r.AccountID, Type: model.FindingPackageVulnerability, CheckID: cve,
		Title: cve + " - " + pkg[0], Description: "Prototype pollution in " + pkg[0],
		Severity:         model.Severities[i%len(model.Severities)],
		ExploitAvailable: model.ExploitNo,
		FixAvailable:     []model.FixAvailable{model.FixYes, model.FixNo, model.FixPartial}[i%3],
		Remediation:      model.Remediation{Text: "Upgrade " + pkg[0]},
		Resource:         model.FindingResource{ID: r.ID, Type: r.Type, Name: r.Name, Tags: r.Tags},
		Status:           []model.FindingStatus{model.StatusActive, model.StatusActive, model.StatusSuppressed, model.StatusClosed}[(i/3)%4],
		FirstObservedAt:  first, LastObservedAt: first.Add(time.Hour), UpdatedAt: first.Add(time.Hour),
		SnapshotID: "snap-1", ScanID: "scan-1",
		Package: &model.PackageVulnerabilityDetails{
			VulnerabilityID: cve, Source: "osv", ReferenceURLs: []string{"https://nvd.nist.gov/vuln/detail/" + cve},
			VulnerablePackages: []model.VulnerablePackage{{Ecosystem: model.EcosystemNPM, Name: pkg[0], Version: pkg[1],
				FixedInVersion: pkg[1] + "-fix", FilePath: "/app/package-lock.json"}},
			Evidence: []model.Evidence{{Advisory: "GHSA-" + cve, Ecosystem: "npm", Package: pkg[0], MatchedBy: "name", Version: pkg[1], Range: "[introduced 0, fixed " + pkg[1] + "-fix)", Feed: "osv/npm", Snapshot: "snap-1"}},
		},
	}
	if r.Type == model.ResourceImage {
		f.Resource.ImageRepository, f.Resource.ImageTag, _ = strings.Cut(r.Name, ":")
		f.Package.VulnerablePackages[0].Layer = fmt.Sprintf("sha256:%064x", i%5)
	}
	if i%5 != 0 {
		base := float64((i*37)%101) / 10
		f.ScoreDetails = &model.ScoreDetails{Base: base, Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Score: base}
		if i%7 == 0 {
			f.ScoreDetails.Score = min(10, base+1)
			f.ScoreDetails.Adjustments = []model.ScoreAdjustment{{Metric: "exploitability", Reason: "in CISA KEV", Delta: 1}}
			f.ExploitAvailable = model.ExploitYes
			f.KEV = &model.KEV{CVE: cve, DateAdded: "2024-01-02"}
		}
		sc := f.ScoreDetails.Score
		f.Score = &sc
	}
	if i%3 != 0 {
		f.EPSS = &model.EPSS{CVE: cve, Score: float64((i*53)%100) / 100, Percentile: 0.5, Date: "2026-11-01"}
	}
	if i%50 == 0 {
		f.Type, f.Package = model.FindingNetworkReachability, nil
		f.CheckID = fmt.Sprintf("tcp-%d", 8000+i%100)
		f.Network = &model.NetworkDetail{Protocol: "TCP", Ports: model.PortRange{Begin: 8000 + i%100, End: 8000 + i%100}, From: "internet",
			Steps: []model.PathStep{{ComponentID: "igw-1", ComponentType: "gateway"}, {ComponentID: r.Name, ComponentType: "host"}}}
	}
	switch f.Status {
	case model.StatusClosed:
		f.ClosedAt, f.ClosedReason = f.LastObservedAt, model.ClosedFixed
	case model.StatusSuppressed:
		f.Suppression = &model.FindingSuppression{RuleID: "sup-bench", Reason: "accepted"}
	}
	return f
}

// benchStore is a store with n findings over n/100 resources (60 %
// hosts, 30 % images, 10 % functions) of one account, and that account's
// admin token secret.
type benchStore struct {
	st     store.Store
	dir    string
	token  string
	res    []model.Resource
	sample model.FindingID
}

// benchPostgres returns a URL of the test PostgreSQL ($VIGIL_TEST_POSTGRES)
// with a schema of its own, dropped when the benchmark ends; "" without
// one.
func benchPostgres(b *testing.B) string {
	b.Helper()
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		return ""
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	schema := "b_console_" + store.NewToken()[:12]
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			b.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			b.Errorf("cleanup: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// seedBench opens a store (SQLite in a temporary directory when dbURL is
// empty) and fills it.
func seedBench(b *testing.B, dbURL string, n int) *benchStore {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	st, err := storeopen.Open(ctx, dbURL, dir, store.Options{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	bs := &benchStore{st: st, token: store.NewToken(), dir: dir}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var acct model.Account
	err = st.InTx(ctx, func(tx store.Tx) error {
		sys := store.SystemScope()
		org, err := tx.Accounts(sys).CreateOrganization(ctx, "bench")
		if err != nil {
			return err
		}
		if acct, err = tx.Accounts(sys).Create(ctx, model.Account{Org: org.ID, Name: "bench", DelegatedAdmin: true}); err != nil {
			return err
		}
		if _, err := tx.Tokens(sys).Create(ctx, model.Token{AccountID: acct.ID, Name: "bench", Role: model.RoleAdmin, Hash: store.HashToken(bs.token)}); err != nil {
			return err
		}
		for r := range n / 100 {
			typ, name := model.ResourceHost, fmt.Sprintf("host-%04d", r)
			switch {
			case r%10 >= 7 && r%10 < 9:
				typ, name = model.ResourceImage, fmt.Sprintf("registry.example/app-%04d:1.%d", r, r%4)
			case r%10 == 9:
				typ, name = model.ResourceFunction, fmt.Sprintf("fn-%04d", r)
			}
			res, _, err := tx.Resources(sys).Upsert(ctx, model.Resource{AccountID: acct.ID, Type: typ, Name: name,
				Tags: map[string]string{"Env": []string{"Prod", "Dev"}[r%2]}})
			if err != nil {
				return err
			}
			cov := model.Coverage{Status: model.CoverageActive, Reason: model.ReasonSuccessful, LastScannedAt: now.Add(-time.Duration(r%30) * 24 * time.Hour)}
			if r%25 == 0 {
				cov = model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonScanFailed}
			}
			if res, err = tx.Resources(sys).SetCoverage(ctx, res.ID, cov); err != nil {
				return err
			}
			bs.res = append(bs.res, res)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 5000
	for start := 0; start < n; start += batch {
		err := st.InTx(ctx, func(tx store.Tx) error {
			fs := make([]model.Finding, 0, batch)
			for i := start; i < min(n, start+batch); i++ {
				fs = append(fs, benchFinding(i, bs.res[i%len(bs.res)], now))
			}
			return tx.Findings(store.SystemScope()).Put(ctx, fs...)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	bs.sample = benchFinding(1, bs.res[1], now).ID
	if dbURL != "" {
		settle(b, dbURL)
	}
	return bs
}

// settle does on PostgreSQL what autovacuum does within a minute of a
// bulk load (autovacuum_vacuum_insert_threshold): it vacuums the findings
// table, so that index-only scans need not visit the rows, and analyzes
// it, so that the planner knows its size. A server's store is in that
// state; a benchmark started right after its load is not. SQLite needs
// neither: its plans do not depend on statistics (migration 007).
func settle(b *testing.B, dbURL string) {
	b.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "VACUUM (ANALYZE) findings"); err != nil {
		b.Fatal(err)
	}
}
